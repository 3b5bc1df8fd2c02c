import type { Destination as DomainDestination, VvaStatus } from '../domain/transition.js';
import { normaliseKey, normaliseWords } from './normalise.js';

/**
 * Parsers for single cell values. Each returns null for an empty cell, else a result. Reasons
 * describe what was expected and never repeat the value: a cell may hold personal data, and
 * reasons travel to logs and API responses.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

// ---------------------------------------------------------------------------------------------
// Dates

// 1899-12-30 is day 0 of the Excel 1900 date system for every serial after the fake 1900-02-29.
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;
// A bare number is only a date if it lands in 1950..2099; anything else is more likely a typo.
const MIN_SERIAL = 18_264; // 1950-01-01
const MAX_SERIAL = 73_050; // 2099-12-31

const TIME_SUFFIX = /[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const DAY_FIRST = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/;
const YEAR_FIRST = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
const COMPACT = /^((?:19|20)\d{2})(\d{2})(\d{2})$/; // yyyymmdd; ddmmyyyy can never match (month 19/20)
const SERIAL = /^\d{1,5}(?:[.,]\d+)?$/;

/** `dd-mm-yyyy`, `d-m-yyyy`, `dd/mm/yyyy`, `dd.mm.yyyy`, `yyyy-mm-dd`, `yyyymmdd`, Excel serials -> `YYYY-MM-DD`. */
export function parseDate(raw: string): Parsed<string> | null {
  const text = raw.trim().replace(TIME_SUFFIX, '');
  if (text === '') return null;
  let match = DAY_FIRST.exec(text);
  if (match) return calendarDate(Number(match[4]), Number(match[3]), Number(match[1]));
  match = YEAR_FIRST.exec(text);
  if (match) return calendarDate(Number(match[1]), Number(match[3]), Number(match[4]));
  match = COMPACT.exec(text);
  if (match) return calendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
  if (SERIAL.test(text)) {
    const serial = Math.floor(Number(text.replace(',', '.'))); // a time of day is a fraction
    if (serial < MIN_SERIAL || serial > MAX_SERIAL) return fail('not a date (Excel date number out of range)');
    return ok(new Date(EXCEL_EPOCH_MS + serial * DAY_MS).toISOString().slice(0, 10));
  }
  return fail('not a date (expected dd-mm-yyyy or yyyy-mm-dd)');
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function calendarDate(year: number, month: number, day: number): Parsed<string> {
  if (year < 1900 || year > 2099) return fail('not a date (year out of range)');
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (days === undefined || day < 1 || day > days) return fail('not a real calendar date');
  return ok(`${year}-${pad2(month)}-${pad2(day)}`);
}

// ---------------------------------------------------------------------------------------------
// Address

/** `1234 AB`, `1234ab` -> `1234AB`. */
export function parsePostcode(raw: string): Parsed<string> | null {
  const text = raw.trim();
  if (text === '') return null;
  const match = /^([1-9]\d{3})\s*([a-zA-Z]{2})$/.exec(text);
  return match ? ok(`${match[1]}${match[2]!.toUpperCase()}`) : fail('not a Dutch postcode (expected 1234 AB)');
}

export interface GemeenteRef {
  /** CBS code, `GM` + 4 digits. */
  code?: string;
  /** The name as written, for a lookup later. */
  name?: string;
}

/** `GM0363`, `0363` and `363` (Excel drops the leading zero) -> code; anything else is a name. */
export function parseGemeente(raw: string): Parsed<GemeenteRef> | null {
  const text = raw.trim();
  if (text === '') return null;
  const match = /^(?:GM)?\s*(\d{1,4})$/i.exec(text);
  return ok(match ? { code: `GM${match[1]!.padStart(4, '0')}` } : { name: text.replace(/\s+/g, ' ') });
}

// ---------------------------------------------------------------------------------------------
// vmbo

export type VmboLeerweg = 'BB' | 'KB' | 'GL' | 'TL' | 'GT';

const VMBO_LEERWEG: Record<string, VmboLeerweg> = {};
const vmboWords: Record<VmboLeerweg, string[]> = {
  BB: ['b', 'bb', 'bbl', 'basis', 'basisberoeps', 'basisberoepsgericht', 'basisberoepsgerichte'],
  KB: ['k', 'kb', 'kbl', 'kader', 'kaderberoeps', 'kaderberoepsgericht', 'kaderberoepsgerichte'],
  GL: ['g', 'gl', 'gemengd', 'gemengde'],
  TL: ['t', 'tl', 'theoretisch', 'theoretische', 'mavo'],
  GT: ['gt', 'gtl', 'gemengdtheoretisch', 'gemengdtheoretische', 'gemengdetheoretische'],
};
for (const [leerweg, words] of Object.entries(vmboWords)) for (const w of words) VMBO_LEERWEG[w] = leerweg as VmboLeerweg;

/**
 * vmbo leerweg. Exports put it in `Opleiding` or `Niveau` with a year ("4 KB", "vmbo-k 4"), so
 * digits and the words vmbo/leerweg are dropped. An unknown value is not an error: the leerweg
 * is context for the mbo, not a reason to drop a pupil, so it becomes null.
 */
export function parseVmboLeerweg(raw: string): Parsed<VmboLeerweg> | null {
  const key = normaliseKey(raw).replace(/\d/g, '').replace(/^vmbo/, '').replace(/leerweg$/, '');
  const leerweg = VMBO_LEERWEG[key];
  return leerweg ? ok(leerweg) : null;
}

export type ExamResult = 'geslaagd' | 'gezakt' | 'teruggetrokken';

const EXAM_RESULT: Record<string, ExamResult> = {
  geslaagd: 'geslaagd', g: 'geslaagd', gesl: 'geslaagd', diploma: 'geslaagd', gediplomeerd: 'geslaagd',
  gezakt: 'gezakt', z: 'gezakt', afgewezen: 'gezakt', nietgeslaagd: 'gezakt',
  teruggetrokken: 'teruggetrokken', t: 'teruggetrokken', ingetrokken: 'teruggetrokken',
};

/** Exam result; like the leerweg, an unknown value ("nog niet bekend") becomes null, not an error. */
export function parseExamResult(raw: string): Parsed<ExamResult> | null {
  const key = normaliseKey(raw);
  const result = EXAM_RESULT[key] ?? (key.startsWith('geslaagd') ? 'geslaagd' : undefined);
  return result ? ok(result) : null;
}

export type Destination = 'mbo' | DomainDestination;

// Checked in order: "BBL met werk" is mbo, "ROC" beats any school word after it.
const DESTINATION_KEYWORDS: [Destination, RegExp][] = [
  ['vrijstelling', /\b(vrijstelling|vrijgesteld)\b/],
  ['buitenland', /\b(buitenland|emigratie|geemigreerd|emigreert|emigreren)\b/],
  ['mbo', /\b(mbo|roc|aoc|bol|bbl|entree|entreeopleiding|vakschool|vakinstelling)\b/],
  ['havo_vwo', /\b(havo|vwo|vavo|atheneum|gymnasium)\b/],
  ['vo', /\b(vo|vso|pro|praktijkonderwijs|vmbo|mavo|voortgezet onderwijs|voortgezet speciaal onderwijs)\b/],
  ['werk', /\b(werk|werken|werkt|baan|arbeid|arbeidsmarkt)\b/],
];

/** Free-text destination -> a category; any other non-empty text is 'overig'. */
export function parseDestination(raw: string): Parsed<Destination> | null {
  const words = normaliseWords(raw);
  if (words === '') return null;
  for (const [destination, pattern] of DESTINATION_KEYWORDS) if (pattern.test(words)) return ok(destination);
  return ok('overig');
}

// ---------------------------------------------------------------------------------------------
// mbo

/** Crebo: 5 digits. */
export function parseCrebo(raw: string): Parsed<string> | null {
  const text = raw.replace(/\s/g, '');
  if (text === '') return null;
  return /^\d{5}$/.test(text) ? ok(text) : fail('not a crebo code (expected 5 digits)');
}

export type MboNiveau = 1 | 2 | 3 | 4;

/** `2`, `niveau 2`, `N2`, `mbo-2`, `Entree` (= 1). */
export function parseNiveau(raw: string): Parsed<MboNiveau> | null {
  const key = normaliseKey(raw);
  if (key === '') return null;
  if (key.includes('entree')) return ok(1);
  const digit = key.replace(/^mbo/, '').replace(/^niveau/, '').replace(/^n/, '');
  return /^[1-4]$/.test(digit) ? ok(Number(digit) as MboNiveau) : fail('not an mbo niveau (expected 1 to 4 or Entree)');
}

export type MboLeerweg = 'BOL' | 'BBL';

/** `BOL`, `BBL`, and the spellings around them (`BOL-VT`, `beroepsbegeleidende leerweg`). */
export function parseMboLeerweg(raw: string): Parsed<MboLeerweg> | null {
  const key = normaliseKey(raw);
  if (key === '') return null;
  if (key.startsWith('bol') || key.startsWith('beroepsopleidend') || key === 'voltijd' || key === 'deeltijd') return ok('BOL');
  if (key.startsWith('bbl') || key.startsWith('beroepsbegeleidend')) return ok('BBL');
  return fail('not an mbo leerweg (expected BOL or BBL)');
}

export type { VvaStatus };

const VVA_STATUS: Record<string, VvaStatus> = {};
const vvaWords: Record<VvaStatus, string[]> = {
  aangemeld: ['aangemeld', 'aanmelding', 'aanmeldingontvangen'],
  onderwijsovereenkomst_aangeboden: ['onderwijsovereenkomstaangeboden', 'ookaangeboden', 'ovkaangeboden', 'aangeboden'],
  leidt_niet_tot_inschrijving: ['leidtniettotinschrijving', 'leidtniettotplaatsing', 'nietgeplaatst', 'afgewezen'],
  teruggetrokken: ['teruggetrokken', 'ingetrokken', 'aanmeldingingetrokken', 'geannuleerd'],
  ingeschreven: ['ingeschreven', 'inschrijving', 'geplaatst'],
  uitgeschreven: ['uitgeschreven', 'uitschrijving'],
};
for (const [status, words] of Object.entries(vvaWords)) for (const w of words) VVA_STATUS[w] = status as VvaStatus;

const VVA_EXPECTED = Object.keys(vvaWords).join(', ');

/** VVA status, tolerant of case, spaces, underscores and the usual synonyms. */
export function parseVvaStatus(raw: string): Parsed<VvaStatus> | null {
  const key = normaliseKey(raw);
  if (key === '') return null;
  const status = VVA_STATUS[key];
  return status ? ok(status) : fail(`not a VVA status (expected one of ${VVA_EXPECTED})`);
}

/** BRIN `12AB`; a vestiging code `12AB00` is accepted and cut to its BRIN. */
export function parseBrin(raw: string): Parsed<string> | null {
  const text = raw.replace(/\s/g, '').toUpperCase();
  if (text === '') return null;
  const match = /^(\d{2}[A-Z]{2})(?:\d{2})?$/.exec(text);
  return match ? ok(match[1]!) : fail('not a BRIN code (expected 2 digits and 2 letters, e.g. 12AB)');
}

/** Vestiging: a code `12AB00` is upper-cased; a name ("Locatie Noord") is kept as written. */
export function parseVestiging(raw: string): Parsed<string> | null {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (text === '') return null;
  return ok(/^\d{2}[a-z]{2}\d{2}$/i.test(text) ? text.toUpperCase() : text);
}
