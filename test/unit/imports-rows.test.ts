import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { matchColumns, type ColumnMap, type EnrolmentField, type PupilField } from '../../src/imports/columns.js';
import { mapEnrolmentRow, mapPupilRow, type RowError } from '../../src/imports/rows.js';
import { openTable } from '../../src/imports/table.js';
import { ambiguousNumber, bsn, chunked, csvBytes, invalidBsn, onderwijsnummer, xlsxBytes } from '../fixtures/imports.js';

function pupilColumns(headers: string[]): ColumnMap<PupilField> {
  const match = matchColumns(headers, 'leerlingen');
  if (!match.ok) throw new Error(match.problem.reason);
  return match.columns;
}

function enrolmentColumns(headers: string[]): ColumnMap<EnrolmentField> {
  const match = matchColumns(headers, 'inschrijvingen');
  if (!match.ok) throw new Error(match.problem.reason);
  return match.columns;
}

describe('mapPupilRow', () => {
  const headers = ['BSN', 'Onderwijsnummer', 'Stamnr', 'Roepnaam', 'Tussenvoegsel', 'Achternaam', 'Geboortedatum', 'Postcode', 'Gemeente', 'Leerweg', 'Uitslag', 'Bestemming'];
  const columns = pupilColumns(headers);

  it('maps a complete row and leaves out what is empty', () => {
    const result = mapPupilRow([bsn(1), '', ' 4711 ', 'Piet', '', 'Jansen', '38353', '1234 ab', '0363', 'vmbo-k', 'G', 'ROC Mondriaan'], columns, 2);
    expect(result).toEqual({
      ok: true,
      value: {
        row: 2,
        identifiers: { bsn: bsn(1) },
        leerlingnummer: '4711',
        roepnaam: 'Piet',
        achternaam: 'Jansen',
        geboortedatum: '2005-01-01',
        postcode: '1234AB',
        gemeente: { code: 'GM0363' },
        leerweg: 'KB',
        uitslag: 'geslaagd',
        bestemming: 'mbo',
      },
    });
  });

  it('keeps both numbers of a pupil whose onderwijsnummer became a BSN', () => {
    const result = mapPupilRow([bsn(2), onderwijsnummer(2), '', 'Eva', 'de', 'Vries', '1-9-2011'], columns, 3);
    expect(result.ok && result.value.identifiers).toEqual({ bsn: bsn(2), onderwijsnummer: onderwijsnummer(2) });
    expect(result.ok && result.value.tussenvoegsel).toBe('de');
  });

  it('accepts an onderwijsnummer in the BSN column (PGN)', () => {
    const result = mapPupilRow([onderwijsnummer(3), '', '', 'Eva', '', 'Vries', '01-09-2011'], columns, 2);
    expect(result.ok && result.value.identifiers).toEqual({ onderwijsnummer: onderwijsnummer(3) });
  });

  it('takes a number that passes both checks as the kind its column names', () => {
    const number = ambiguousNumber(4);
    const inBsn = mapPupilRow([number, '', '', 'Eva', '', 'Vries', '01-09-2011'], columns, 2);
    expect(inBsn.ok && inBsn.value.identifiers).toEqual({ bsn: number });
    const inOwn = mapPupilRow(['', number, '', 'Eva', '', 'Vries', '01-09-2011'], columns, 2);
    expect(inOwn.ok && inOwn.value.identifiers).toEqual({ onderwijsnummer: number });
  });

  it('reports a bad BSN with its row and column, never with the number', () => {
    const bad = invalidBsn(4);
    const result = mapPupilRow([bad, '', '', 'Piet', '', 'Jansen', '01-02-2010'], columns, 7);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([{ row: 7, column: 'BSN', reason: expect.any(String) }]);
    expect(JSON.stringify(result.errors)).not.toContain(bad);
    expect(JSON.stringify(result.errors)).not.toContain(bad.slice(0, 8));
  });

  it('reports every bad column of a row, not only the first', () => {
    const result = mapPupilRow(['12345', '', '', 'Piet', '', '', '31-02-2010', 'postbus', '', 'iets', 'misschien', ''], columns, 9);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e: RowError) => [e.row, e.column])).toEqual([
      [9, 'BSN'],
      [9, 'Achternaam'],
      [9, 'Geboortedatum'],
      [9, 'Postcode'],
    ]); // an unknown leerweg or uitslag is not an error
  });

  it('requires an identifier, a surname and a birth date', () => {
    const result = mapPupilRow(['', '', '', 'Piet', '', '', ''], columns, 4);
    expect(result.ok ? [] : result.errors.map((e) => e.column)).toEqual(['BSN', 'Achternaam', 'Geboortedatum']);
  });

  it('rejects implausible birth dates', () => {
    for (const date of ['31-12-1989', '01-01-2021']) {
      const result = mapPupilRow([bsn(5), '', '', 'Piet', '', 'Jansen', date], columns, 2);
      expect(result).toMatchObject({ ok: false, errors: [{ column: 'Geboortedatum' }] });
    }
    expect(mapPupilRow([bsn(5), '', '', 'Piet', '', 'Jansen', '01-01-1990'], columns, 2).ok).toBe(true);
    expect(mapPupilRow([bsn(5), '', '', 'Piet', '', 'Jansen', '31-12-2020'], columns, 2).ok).toBe(true);
  });

  it('splits a full name when there is no surname column', () => {
    const named = pupilColumns(['BSN', 'Naam', 'Geboortedatum']);
    const result = mapPupilRow([bsn(6), 'Berg, Anna van den', '2010-05-06'], named, 2);
    expect(result.ok && result.value).toMatchObject({ roepnaam: 'Anna', tussenvoegsel: 'van den', achternaam: 'Berg' });
    const missing = mapPupilRow([bsn(6), '', '2010-05-06'], named, 3);
    expect(missing).toMatchObject({ ok: false, errors: [{ column: 'Naam', reason: 'achternaam is required' }] });
  });

  it('reports two different BSNs in the two identifier columns', () => {
    const result = mapPupilRow([bsn(7), bsn(8), '', 'Piet', '', 'Jansen', '01-02-2010'], columns, 2);
    expect(result).toMatchObject({ ok: false, errors: [{ column: 'Onderwijsnummer' }] });
    expect(JSON.stringify(result)).not.toContain(bsn(8));
  });
});

describe('mapEnrolmentRow', () => {
  const columns = enrolmentColumns(['BSN', 'BRIN', 'Crebo', 'Niveau', 'Leerweg', 'Status', 'Aanmelddatum', 'Startdatum']);

  it('maps an enrolment', () => {
    const result = mapEnrolmentRow([bsn(9), '25lp', '25180', 'Niveau 2', 'bbl', 'OOK aangeboden', '15-03-2026', ''], columns, 2);
    expect(result).toEqual({
      ok: true,
      value: {
        row: 2,
        identifiers: { bsn: bsn(9) },
        brin: '25LP',
        crebo: '25180',
        niveau: 2,
        leerweg: 'BBL',
        status: 'onderwijsovereenkomst_aangeboden',
        aanmelddatum: '2026-03-15',
      },
    });
  });

  it('reports every missing or bad required value', () => {
    const result = mapEnrolmentRow(['', 'ROC', '', 'zes', 'BOL', 'misschien', '', '31-04-2026'], columns, 5);
    expect(result.ok ? [] : result.errors.map((e) => e.column)).toEqual(['BSN', 'BRIN', 'Crebo', 'Niveau', 'Status', 'Startdatum']);
  });
});

describe('from file to rows', () => {
  it('imports a CSV with a title line, a quoted newline and one bad BSN', async () => {
    const bad = invalidBsn(20);
    const bytes = csvBytes([
      ['Leerlingen 2025-2026 export'],
      ['BSN', 'Roepnaam', 'Achternaam', 'Geb. datum', 'Opmerking'],
      [bsn(21), 'Piet', 'Jansen', '03-02-2010', 'regel 1\nregel 2'],
      [bad, 'Anna', 'Bakker', '2010-07-08', ''],
      [bsn(22), 'Sem', 'Visser', '40000', ''],
    ]);
    const table = await openTable(chunked(bytes, 16));
    const match = matchColumns(table.headers, 'leerlingen');
    expect(match.ok && match.ignored).toEqual(['Opmerking']);
    if (!match.ok) return;
    const ok: number[] = [];
    const errors: RowError[] = [];
    for await (const { row, cells } of table.rows) {
      const result = mapPupilRow(cells, match.columns, row);
      if (result.ok) ok.push(result.value.row);
      else errors.push(...result.errors);
    }
    expect(ok).toEqual([3, 6]);
    expect(errors).toEqual([{ row: 5, column: 'BSN', reason: expect.any(String) }]);
    expect(JSON.stringify(errors)).not.toContain(bad);
  });

  it('imports an XLSX enrolment file with a date cell and a serial cell', async () => {
    const bytes = await xlsxBytes((sheet) => {
      sheet.addRow(['BSN', 'BRIN', 'Crebo', 'VVA status', 'Aanmelddatum', 'Startdatum']);
      sheet.addRow([Number(bsn(23)), '25LP', 25180, 'Aangemeld', new Date(Date.UTC(2026, 2, 15)), 46266]);
    });
    const table = await openTable(Readable.from([bytes]));
    const match = matchColumns(table.headers, 'inschrijvingen');
    if (!match.ok) throw new Error(match.problem.reason);
    const results = [];
    for await (const { row, cells } of table.rows) results.push(mapEnrolmentRow(cells, match.columns, row));
    expect(results).toEqual([
      {
        ok: true,
        value: {
          row: 2,
          identifiers: { bsn: bsn(23) },
          brin: '25LP',
          crebo: '25180',
          status: 'aangemeld',
          aanmelddatum: '2026-03-15',
          startdatum: '2026-09-01',
        },
      },
    ]);
  });
});
