import { describe, expect, it } from 'vitest';
import {
  isValidBsn,
  isValidOnderwijsnummer,
  normaliseDigits,
  parseIdentifier,
  seededRandom,
  syntheticBsn,
  syntheticOnderwijsnummer,
  type IdentifierKind,
} from '../../src/domain/identifiers.js';

// Made-up numbers that pass (or fail) the checks; none is meant to be anyone's.
describe('isValidBsn', () => {
  it.each([
    ['111222333', true],
    ['123456782', true],
    ['012345672', true],
    ['100000009', true],
    ['123456789', false],
    ['000000000', false], // all zeros passes the sum but is no BSN
    ['12345672', false], // 8 digits: only valid after padding
    ['1234567820', false],
    ['11122233a', false],
  ])('checks %j with the elfproef: %j', (digits, valid) => {
    expect(isValidBsn(digits)).toBe(valid);
  });
});

describe('isValidOnderwijsnummer', () => {
  it.each([
    ['100000007', true],
    ['101234567', true],
    ['109999996', true],
    ['100000005', false], // remainder 3, not 5
    ['201234567', false], // does not start with 10
    ['10123456', false],
    ['111222333', false], // a BSN is not an onderwijsnummer
  ])('checks %j with the onderwijsnummer rule: %j', (digits, valid) => {
    expect(isValidOnderwijsnummer(digits)).toBe(valid);
  });
});

describe('normaliseDigits', () => {
  it.each([
    ['12345672', '012345672'], // exports drop the leading zero of a BSN
    ['1234.56.782', '123456782'],
    ['123 456 782', '123456782'],
    ['123-456-782', '123456782'],
    ['1234567', '1234567'], // too short to be a dropped zero: left alone to fail later
  ])('restores %j to %j', (raw, digits) => {
    expect(normaliseDigits(raw)).toBe(digits);
  });
});

describe('parseIdentifier', () => {
  it.each<[string, IdentifierKind | undefined, IdentifierKind, string]>([
    ['111222333', undefined, 'bsn', '111222333'],
    ['12345672', undefined, 'bsn', '012345672'], // 8-digit BSN padded
    [' 1234.56.782 ', 'bsn', 'bsn', '123456782'],
    ['101234567', undefined, 'onderwijsnummer', '101234567'],
    ['101234567', 'onderwijsnummer', 'onderwijsnummer', '101234567'],
    // 100000058 passes both checks: without a hint it is taken as the BSN
    ['100000058', undefined, 'bsn', '100000058'],
    ['100000058', 'onderwijsnummer', 'onderwijsnummer', '100000058'],
  ])('reads %j (expected %j) as a %j %j', (raw, expected, kind, value) => {
    expect(parseIdentifier(raw, expected)).toEqual({ ok: true, id: { kind, value } });
  });

  it.each<[string, IdentifierKind | undefined]>([
    ['123456789', undefined],
    ['123456789', 'bsn'],
    ['101234567', 'bsn'],
    ['111222333', 'onderwijsnummer'],
    ['1234567', undefined],
    ['1234567890', undefined],
    ['12345678x', undefined],
  ])('rejects %j (expected %j) with a reason that never repeats the number', (raw, expected) => {
    const result = parseIdentifier(raw, expected);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const digits = raw.replace(/\D/g, '');
    expect(result.reason).not.toContain(digits);
    expect(result.reason).not.toContain(raw);
    expect(result.reason).not.toMatch(/\d{4,}/);
  });
});

describe('synthetic identifiers', () => {
  it.each([[1], [42], [2026], [0xdeadbeef]])('generates valid BSNs and onderwijsnummers from seed %j', (seed) => {
    const random = seededRandom(seed);
    for (let i = 0; i < 200; i++) {
      const bsn = syntheticBsn(random);
      expect(isValidBsn(bsn), bsn).toBe(true);
      expect(bsn.startsWith('9')).toBe(true);
      const own = syntheticOnderwijsnummer(random);
      expect(isValidOnderwijsnummer(own), own).toBe(true);
    }
  });

  it('generates the same numbers from the same seed, so test data is reproducible', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    expect([syntheticBsn(a), syntheticOnderwijsnummer(a)]).toEqual([syntheticBsn(b), syntheticOnderwijsnummer(b)]);
  });
});
