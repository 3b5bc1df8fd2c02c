/**
 * Pupil identifiers: BSN (burgerservicenummer) and onderwijsnummer.
 * Both are special personal data: these functions only validate and normalise; storage goes
 * through src/privacy (HMAC + AES-GCM) and the raw number must never reach a log line.
 */

export type IdentifierKind = 'bsn' | 'onderwijsnummer';

export interface PupilIdentifier {
  kind: IdentifierKind;
  /** Exactly nine digits. */
  value: string;
}

const WEIGHTS = [9, 8, 7, 6, 5, 4, 3, 2] as const;

function weightedSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += WEIGHTS[i]! * (digits.charCodeAt(i) - 48);
  return sum;
}

/** Elfproef for BSN: 9*d1 + ... + 2*d8 - 1*d9 divisible by 11, not all zeros. */
export function isValidBsn(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || digits === '000000000') return false;
  return (weightedSum(digits) - (digits.charCodeAt(8) - 48)) % 11 === 0;
}

/** Onderwijsnummer: starts with 10, 9*d1 + ... + 2*d8 + 1*d9 leaves remainder 5 mod 11. */
export function isValidOnderwijsnummer(digits: string): boolean {
  if (!/^10\d{7}$/.test(digits)) return false;
  return (weightedSum(digits) + (digits.charCodeAt(8) - 48)) % 11 === 5;
}

/** Strips the spaces, dots and dashes exports put in numbers; pads an 8-digit BSN. */
export function normaliseDigits(raw: string): string {
  const digits = raw.replace(/[\s.\-]/g, '');
  return /^\d{8}$/.test(digits) ? `0${digits}` : digits;
}

export type IdentifierResult = { ok: true; id: PupilIdentifier } | { ok: false; reason: string };

/**
 * Parses a number given as a BSN or an onderwijsnummer. A number that passes neither check is
 * rejected; the reason never repeats the number itself (it may end up in a log or an API error).
 */
export function parseIdentifier(raw: string, expected?: IdentifierKind): IdentifierResult {
  const value = normaliseDigits(raw.trim());
  if (!/^\d{9}$/.test(value)) return { ok: false, reason: 'must be 9 digits' };
  if (expected !== 'onderwijsnummer' && isValidBsn(value)) return { ok: true, id: { kind: 'bsn', value } };
  if (expected !== 'bsn' && isValidOnderwijsnummer(value)) {
    return { ok: true, id: { kind: 'onderwijsnummer', value } };
  }
  if (expected === 'bsn') return { ok: false, reason: 'not a valid BSN (elfproef fails)' };
  if (expected === 'onderwijsnummer') return { ok: false, reason: 'not a valid onderwijsnummer (check fails)' };
  return { ok: false, reason: 'not a valid BSN or onderwijsnummer (check fails)' };
}

/** A source of numbers in [0, 1): Math.random, or a seeded generator for reproducible data. */
export type Random = () => number;

/** Mulberry32: small, fast, seeded; good enough for synthetic test data. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A synthetic BSN that passes the elfproef. Starts with 9 so it is unlikely to be anyone's. */
export function syntheticBsn(random: Random): string {
  for (;;) {
    let digits = '9';
    for (let i = 1; i < 8; i++) digits += Math.floor(random() * 10);
    const rest = weightedSum(digits) % 11; // d9 must make (sum - d9) % 11 === 0
    if (rest <= 9) {
      const candidate = digits + rest;
      if (isValidBsn(candidate)) return candidate;
    }
  }
}

/** A synthetic onderwijsnummer that passes its check. */
export function syntheticOnderwijsnummer(random: Random): string {
  for (;;) {
    let digits = '10';
    for (let i = 2; i < 8; i++) digits += Math.floor(random() * 10);
    const d9 = (((5 - weightedSum(digits)) % 11) + 11) % 11;
    if (d9 <= 9) return digits + d9;
  }
}
