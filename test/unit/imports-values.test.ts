import { describe, expect, it } from 'vitest';
import { splitFullName } from '../../src/imports/names.js';
import {
  parseBrin,
  parseCrebo,
  parseDate,
  parseDestination,
  parseExamResult,
  parseGemeente,
  parseMboLeerweg,
  parseNiveau,
  parsePostcode,
  parseVestiging,
  parseVmboLeerweg,
  parseVvaStatus,
} from '../../src/imports/values.js';

const value = <T>(parsed: { ok: true; value: T } | { ok: false; reason: string } | null): T | null | 'error' =>
  parsed === null ? null : parsed.ok ? parsed.value : 'error';

describe('parseDate', () => {
  it.each([
    ['03-02-2010', '2010-02-03'],
    ['3-2-2010', '2010-02-03'],
    ['03/02/2010', '2010-02-03'],
    ['03.02.2010', '2010-02-03'],
    ['2010-02-03', '2010-02-03'],
    ['2010-2-3', '2010-02-03'],
    ['20100203', '2010-02-03'],
    ['03-02-2010 00:00:00', '2010-02-03'],
    ['2010-02-03T00:00:00Z', '2010-02-03'],
    ['29-02-2012', '2012-02-29'],
    ['38353', '2005-01-01'], // Excel serial, 1900 date system
    ['40000', '2009-07-06'],
    ['40000.75', '2009-07-06'], // a time of day does not move the date
    ['  ', null],
    ['', null],
    ['31-02-2010', 'error'],
    ['29-02-2011', 'error'],
    ['00-01-2010', 'error'],
    ['01-13-2010', 'error'],
    ['02/13/2010', 'error'], // US order is not guessed
    ['03-02-10', 'error'], // two-digit years are ambiguous
    ['123', 'error'], // a serial outside 1950..2099
    ['99999', 'error'],
    ['gisteren', 'error'],
  ])('%j -> %j', (raw, expected) => {
    expect(value(parseDate(raw))).toBe(expected);
  });

  it('does not repeat the value in its reason', () => {
    const parsed = parseDate('31-02-2010');
    expect(parsed).toMatchObject({ ok: false });
    expect(JSON.stringify(parsed)).not.toContain('31-02');
  });
});

describe('parsePostcode', () => {
  it.each([
    ['1234 AB', '1234AB'],
    ['1234ab', '1234AB'],
    [' 1234  ab ', '1234AB'],
    ['0123 AB', 'error'],
    ['1234', 'error'],
    ['B-3600', 'error'],
    ['', null],
  ])('%j -> %j', (raw, expected) => expect(value(parsePostcode(raw))).toBe(expected));
});

describe('parseGemeente', () => {
  it.each([
    ['GM0363', { code: 'GM0363' }],
    ['gm0363', { code: 'GM0363' }],
    ['0363', { code: 'GM0363' }],
    ['363', { code: 'GM0363' }], // Excel dropped the leading zero
    ['  Amsterdam ', { name: 'Amsterdam' }],
    ["'s-Hertogenbosch", { name: "'s-Hertogenbosch" }],
    ['', null],
  ])('%j -> %j', (raw, expected) => expect(value(parseGemeente(raw))).toEqual(expected));
});

describe('splitFullName', () => {
  it.each([
    ['Jansen, Piet', { roepnaam: 'Piet', achternaam: 'Jansen' }],
    ['Berg, Anna van den', { roepnaam: 'Anna', tussenvoegsel: 'van den', achternaam: 'Berg' }],
    ['van den Berg, Anna', { roepnaam: 'Anna', tussenvoegsel: 'van den', achternaam: 'Berg' }],
    ['Berg van den, Anna', { roepnaam: 'Anna', tussenvoegsel: 'van den', achternaam: 'Berg' }],
    ['Anna van den Berg', { roepnaam: 'Anna', tussenvoegsel: 'van den', achternaam: 'Berg' }],
    ['Anna Maria de Vries', { roepnaam: 'Anna Maria', tussenvoegsel: 'de', achternaam: 'Vries' }],
    ['Jan van der Meer-de Boer', { roepnaam: 'Jan', tussenvoegsel: 'van der', achternaam: 'Meer-de Boer' }],
    ["Kees in 't Veld", { roepnaam: 'Kees', tussenvoegsel: "in 't", achternaam: 'Veld' }],
    ['Kees in ’t Veld', { roepnaam: 'Kees', tussenvoegsel: 'in ’t', achternaam: 'Veld' }],
    ["Hart, Sanne 't", { roepnaam: 'Sanne', tussenvoegsel: "'t", achternaam: 'Hart' }],
    ['Ruud ter Horst', { roepnaam: 'Ruud', tussenvoegsel: 'ter', achternaam: 'Horst' }],
    ['Lotte Op de Beeck', { roepnaam: 'Lotte', tussenvoegsel: 'Op de', achternaam: 'Beeck' }],
    ['Piet Jansen', { roepnaam: 'Piet', achternaam: 'Jansen' }],
    ['  Piet   Jansen ', { roepnaam: 'Piet', achternaam: 'Jansen' }],
    ['Jansen', { achternaam: 'Jansen' }],
    ['Jansen,', { achternaam: 'Jansen' }],
    ['De Vries, Eva', { roepnaam: 'Eva', tussenvoegsel: 'De', achternaam: 'Vries' }],
    ['Vries, Ben de', { roepnaam: 'Ben', tussenvoegsel: 'de', achternaam: 'Vries' }],
    ['Ben de Vries', { roepnaam: 'Ben', tussenvoegsel: 'de', achternaam: 'Vries' }],
    ['', null],
    [', Piet', 'error'],
  ])('%j', (raw, expected) => expect(value(splitFullName(raw))).toEqual(expected));
});

describe('parseVmboLeerweg', () => {
  it.each([
    ['BB', 'BB'], ['basis', 'BB'], ['Basisberoepsgerichte leerweg', 'BB'], ['vmbo-b', 'BB'], ['vmbo-bbl', 'BB'],
    ['KB', 'KB'], ['kader', 'KB'], ['vmbo-k', 'KB'], ['4 KB', 'KB'], ['Kaderberoepsgerichte leerweg', 'KB'],
    ['GL', 'GL'], ['gemengd', 'GL'], ['vmbo-g', 'GL'], ['Gemengde leerweg', 'GL'],
    ['TL', 'TL'], ['theoretisch', 'TL'], ['mavo', 'TL'], ['vmbo-t', 'TL'], ['Theoretische leerweg', 'TL'], ['VMBO TL 4', 'TL'],
    ['GT', 'GT'], ['vmbo-gt', 'GT'],
    ['havo', null], ['BB/KB', null], ['lwoo', null], ['', null], // unknown is not an error
  ])('%j -> %j', (raw, expected) => expect(value(parseVmboLeerweg(raw))).toBe(expected));
});

describe('parseExamResult', () => {
  it.each([
    ['geslaagd', 'geslaagd'], ['G', 'geslaagd'], ['Geslaagd (cum laude)', 'geslaagd'],
    ['gezakt', 'gezakt'], ['afgewezen', 'gezakt'], ['niet geslaagd', 'gezakt'],
    ['teruggetrokken', 'teruggetrokken'],
    ['nog niet bekend', null], ['', null],
  ])('%j -> %j', (raw, expected) => expect(value(parseExamResult(raw))).toBe(expected));
});

describe('parseDestination', () => {
  it.each([
    ['mbo', 'mbo'], ['ROC van Amsterdam', 'mbo'], ['MBO niveau 2 BBL', 'mbo'], ['BBL met werk', 'mbo'], ['Entree', 'mbo'],
    ['havo 4', 'havo_vwo'], ['vwo', 'havo_vwo'], ['VAVO', 'havo_vwo'],
    ['vo', 'vo'], ['praktijkonderwijs', 'vo'], ['Ander vmbo', 'vo'],
    ['buitenland', 'buitenland'], ['emigratie', 'buitenland'], ['Geëmigreerd', 'buitenland'],
    ['werk', 'werk'], ['baan', 'werk'],
    ['vrijstelling', 'vrijstelling'], ['Vrijgesteld (5 onder a)', 'vrijstelling'],
    ['onbekend', 'overig'], ['Wereldreis', 'overig'],
    ['', null], [' - ', null],
  ])('%j -> %j', (raw, expected) => expect(value(parseDestination(raw))).toBe(expected));
});

describe('mbo values', () => {
  it.each([
    ['2', 2], ['niveau 2', 2], ['Niveau 4', 4], ['N2', 2], ['n3', 3], ['mbo-1', 1], ['Entree', 1], ['Entreeopleiding', 1],
    ['5', 'error'], ['0', 'error'], ['hoog', 'error'], ['', null],
  ])('niveau %j -> %j', (raw, expected) => expect(value(parseNiveau(raw))).toBe(expected));

  it.each([
    ['BOL', 'BOL'], ['bol', 'BOL'], ['BOL-VT', 'BOL'], ['bol deeltijd', 'BOL'], ['BBL', 'BBL'], [' bbl ', 'BBL'],
    ['Beroepsbegeleidende leerweg', 'BBL'], ['Beroepsopleidende leerweg', 'BOL'], ['KB', 'error'], ['', null],
  ])('leerweg %j -> %j', (raw, expected) => expect(value(parseMboLeerweg(raw))).toBe(expected));

  it.each([
    ['Aangemeld', 'aangemeld'], ['AANGEMELD', 'aangemeld'],
    ['onderwijsovereenkomst aangeboden', 'onderwijsovereenkomst_aangeboden'],
    ['Onderwijsovereenkomst_aangeboden', 'onderwijsovereenkomst_aangeboden'],
    ['OOK aangeboden', 'onderwijsovereenkomst_aangeboden'],
    ['leidt niet tot inschrijving', 'leidt_niet_tot_inschrijving'],
    ['Leidt  niet tot  inschrijving ', 'leidt_niet_tot_inschrijving'],
    ['teruggetrokken', 'teruggetrokken'], ['ingeschreven', 'ingeschreven'], ['Uitgeschreven', 'uitgeschreven'],
    ['misschien', 'error'], ['', null],
  ])('status %j -> %j', (raw, expected) => expect(value(parseVvaStatus(raw))).toBe(expected));

  it.each([
    ['12AB', '12AB'], ['12ab', '12AB'], [' 12 AB ', '12AB'], ['12AB00', '12AB'], ['1AB2', 'error'], ['12ABC', 'error'], ['', null],
  ])('brin %j -> %j', (raw, expected) => expect(value(parseBrin(raw))).toBe(expected));

  it.each([
    ['25180', '25180'], [' 25180 ', '25180'], ['2518', 'error'], ['251800', 'error'], ['crebo', 'error'], ['', null],
  ])('crebo %j -> %j', (raw, expected) => expect(value(parseCrebo(raw))).toBe(expected));

  it('keeps a vestiging name and upper-cases a vestiging code', () => {
    expect(value(parseVestiging('12ab00'))).toBe('12AB00');
    expect(value(parseVestiging(' Locatie  Noord '))).toBe('Locatie Noord');
  });
});
