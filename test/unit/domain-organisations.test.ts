import { describe, expect, it } from 'vitest';
import {
  brinOf,
  normaliseGemeentecode,
  orgKind,
  rmcRegionCode,
  rmcRegionNumber,
} from '../../src/domain/organisations.js';

describe('orgKind', () => {
  it.each([
    ['12AB', 'brin'],
    ['12AB00', 'vestiging'],
    ['GM0363', 'gemeente'],
    ['RMC01', 'region'],
    ['RMC39', 'region'],
    ['RMC00', null],
    ['RMC40', null],
    ['12ab', null],
    ['12AB0', null],
    ['12AB000', null],
    ['GM363', null],
    ['gm0363', null],
    ['Amsterdam', null],
    ['', null],
  ])('classifies %j as %j, and nothing loose passes as an organisation', (code, kind) => {
    expect(orgKind(code)).toBe(kind);
  });
});

describe('brinOf', () => {
  it.each([
    ['12AB', '12AB'],
    ['12AB07', '12AB'],
    ['GM0363', null],
    ['RMC05', null],
    ['12AB0', null],
  ])('maps %j to the BRIN %j so a vestiging matches its school board', (code, brin) => {
    expect(brinOf(code)).toBe(brin);
  });
});

describe('normaliseGemeentecode', () => {
  it.each([
    ['GM0363', 'GM0363'],
    ['gm0363', 'GM0363'],
    ['0363', 'GM0363'],
    ['363', 'GM0363'],
    [' GM 0363 ', 'GM0363'],
    ['14', 'GM0014'],
    ['1', 'GM0001'],
  ])('accepts the export spelling %j as %j', (raw, code) => {
    expect(normaliseGemeentecode(raw)).toBe(code);
  });

  it.each([['Amsterdam'], [''], ['0'], ['0000'], ['GM03631'], ['36.3'], ['GMX363']])(
    'does not turn %j into a municipality code',
    (raw) => {
      expect(normaliseGemeentecode(raw)).toBeNull();
    },
  );
});

describe('RMC region codes', () => {
  it.each([
    [1, 'RMC01'],
    [39, 'RMC39'],
    [0, null],
    [40, null],
    [1.5, null],
  ])('writes region %j as %j and refuses numbers outside 1..39', (n, code) => {
    expect(rmcRegionCode(n)).toBe(code);
    if (code !== null) expect(rmcRegionNumber(code)).toBe(n);
  });
});
