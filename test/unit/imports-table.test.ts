import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ImportFileError } from '../../src/imports/errors.js';
import { openTable } from '../../src/imports/table.js';
import { bsn, chunked, csvBytes, readRows, xlsxBytes } from '../fixtures/imports.js';

async function openError(bytes: Buffer): Promise<ImportFileError> {
  const error = await openTable(Readable.from([bytes])).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImportFileError);
  return error as ImportFileError;
}

describe('openTable: CSV', () => {
  it('reads UTF-8 with a BOM and ; delimiters, in small chunks', async () => {
    const bytes = csvBytes(
      [
        ['BSN', 'Roepnaam', 'Achternaam', 'Geboortedatum'],
        [bsn(1), 'Zoë', 'Jansen', '03-02-2010'],
      ],
      { bom: true },
    );
    const table = await openTable(chunked(bytes, 5));
    expect(table).toMatchObject({ format: 'csv', encoding: 'utf-8', delimiter: ';', headerRow: 1 });
    expect(table.headers).toEqual(['BSN', 'Roepnaam', 'Achternaam', 'Geboortedatum']);
    expect(await readRows(table)).toEqual([{ row: 2, cells: [bsn(1), 'Zoë', 'Jansen', '03-02-2010'] }]);
  });

  it('decodes Windows-1252 (é = 0xE9, ë = 0xEB)', async () => {
    const bytes = csvBytes([
      ['BSN', 'Roepnaam', 'Achternaam'],
      [bsn(2), 'Renée', 'Hoëvenaar'],
    ], { encoding: 'windows-1252' });
    expect(bytes.includes(0xe9)).toBe(true);
    expect(bytes.includes(0xeb)).toBe(true);
    const table = await openTable(chunked(bytes));
    expect(table.encoding).toBe('windows-1252');
    expect((await readRows(table))[0]!.cells).toEqual([bsn(2), 'Renée', 'Hoëvenaar']);
  });

  it('switches to Windows-1252 when the first non-ASCII byte comes after the sample', async () => {
    const rows = [['BSN', 'Achternaam']];
    for (let i = 0; i < 5_000; i++) rows.push([bsn(i), 'Jansen']);
    rows.push([bsn(9_999), 'Hoëvenaar']);
    const table = await openTable(chunked(csvBytes(rows, { encoding: 'windows-1252' }), 4096));
    expect(table.encoding).toBe('utf-8');
    const read = await readRows(table);
    expect(read.at(-1)!.cells[1]).toBe('Hoëvenaar');
    expect(table.encoding).toBe('windows-1252');
  });

  it('does not mistake a UTF-8 character cut at the sample edge for Windows-1252', async () => {
    const rows = [['BSN', 'Achternaam']];
    // Pad so the sample (64 KiB) ends in the middle of an "ë" (2 bytes in UTF-8).
    const line = (name: string): string => `${bsn(3)};${name}\r\n`;
    let size = Buffer.byteLength('BSN;Achternaam\r\n');
    while (size + Buffer.byteLength(line('Jansen')) < 64 * 1024 - 20) {
      rows.push([bsn(3), 'Jansen']);
      size += Buffer.byteLength(line('Jansen'));
    }
    const pad = 64 * 1024 - size - Buffer.byteLength(`${bsn(3)};`) - 1; // then "ë" straddles the edge
    rows.push([bsn(3), 'x'.repeat(pad) + 'ë']);
    rows.push([bsn(4), 'Hoëvenaar']);
    const table = await openTable(chunked(csvBytes(rows), 64 * 1024));
    expect(table.encoding).toBe('utf-8');
    const read = await readRows(table);
    expect(read.at(-2)!.cells[1]!.endsWith('xë')).toBe(true);
    expect(read.at(-1)!.cells[1]).toBe('Hoëvenaar');
  });

  it('detects tab and comma delimiters from the header line', async () => {
    const tab = await openTable(chunked(csvBytes([['Onderwijsnummer', 'Naam'], ['x', 'y']], { delimiter: '\t' })));
    expect(tab.delimiter).toBe('\t');
    expect(tab.headers).toEqual(['Onderwijsnummer', 'Naam']);
    // A comma inside quotes must not count.
    const comma = await openTable(Readable.from([Buffer.from('BSN,"Naam; roepnaam",Klas\n1,"a; b",3\n')]));
    expect(comma.delimiter).toBe(',');
    expect((await readRows(comma))[0]!.cells).toEqual(['1', 'a; b', '3']);
  });

  it('finds the header under title lines and keeps file line numbers', async () => {
    const bytes = csvBytes([
      ['Leerlingen 2025-2026 export'],
      ['Gegenereerd door het leerlingvolgsysteem'],
      [],
      ['Stamnr', 'BSN', 'Achternaam', '', ''],
      ['1', bsn(5), 'Jansen', '', ''],
      [],
      ['2', bsn(6), 'Bakker'],
      ['', '', '', ''],
      ['3', bsn(7), 'Visser', 'extra', 'cells', 'beyond'],
    ]);
    const table = await openTable(chunked(bytes));
    expect(table.headerRow).toBe(4);
    expect(table.headers).toEqual(['Stamnr', 'BSN', 'Achternaam']); // trailing empty columns dropped
    const rows = await readRows(table);
    expect(rows.map((r) => r.row)).toEqual([5, 7, 9]); // blank line 6 and the ;;; line 8 skipped
    expect(rows[1]!.cells).toEqual(['2', bsn(6), 'Bakker']); // fewer cells tolerated
  });

  it('counts a quoted newline as a line, so later rows keep their real numbers', async () => {
    for (const newline of ['\n', '\r\n']) {
      const bytes = csvBytes(
        [
          ['BSN', 'Achternaam', 'Opmerking'],
          [bsn(8), 'Jansen', `eerste regel${newline}tweede regel`],
          [bsn(9), 'Bakker', 'kort'],
        ],
        { newline },
      );
      const rows = await readRows(await openTable(chunked(bytes, 3)));
      expect(rows.map((r) => r.row)).toEqual([2, 4]);
      expect(rows[0]!.cells[2]).toBe('eerste regel\ntweede regel');
    }
  });

  it('reads a file without a final newline, with lone CR line endings', async () => {
    const table = await openTable(Readable.from([Buffer.from('BSN;Naam\r1;a\r2;b')]));
    expect((await readRows(table)).map((r) => [r.row, ...r.cells])).toEqual([[2, '1', 'a'], [3, '2', 'b']]);
  });

  it('uses the first line with a delimiter when no identifier column is named', async () => {
    const table = await openTable(Readable.from([Buffer.from('Export\nNaam;Klas\nJansen;4A\n')]));
    expect(table.headerRow).toBe(2);
    expect(table.headers).toEqual(['Naam', 'Klas']);
  });

  it('refuses empty, binary and headerless files', async () => {
    expect((await openError(Buffer.alloc(0))).code).toBe('empty');
    expect((await openError(Buffer.from('\r\n\n  \n'))).code).toBe('empty');
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1'), Buffer.from([0, 1, 2, 0xff, 0])]);
    expect((await openError(pdf)).code).toBe('not_a_table');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect((await openError(png)).code).toBe('not_a_table');
    expect((await openError(Buffer.from('Dit is gewoon een brief.\nMet twee regels.\n'))).code).toBe('not_a_table');
    expect((await openError(Buffer.from('\xff\xfeB\0S\0N\0', 'latin1'))).code).toBe('not_a_table');
  });

  it('refuses a file whose first row is data, without echoing the number', async () => {
    const number = bsn(10);
    const error = await openError(csvBytes([[number, 'Jansen', '01-01-2010']]));
    expect(error.code).toBe('no_header');
    expect(error.message).not.toContain(number);
  });

  it('refuses a header with too many columns', async () => {
    const header = ['BSN', ...Array.from({ length: 600 }, (_, i) => `Kolom ${i}`)];
    expect((await openError(csvBytes([header]))).code).toBe('too_many_columns');
  });

  it('reports an unclosed quote as malformed, with the line and without the content', async () => {
    const number = bsn(11);
    const big = 'x'.repeat(200_000);
    const bytes = Buffer.from(`BSN;Naam\n${number};"open\n` + `${big}\n`.repeat(6));
    // The reader reads ahead, so the error may surface while the header is read or later.
    const error = await openTable(chunked(bytes, 64 * 1024)).then(readRows).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFileError);
    expect(error).toMatchObject({ code: 'malformed' });
    expect((error as Error).message).not.toContain(number);
  });

  it('streams a 50,000-row CSV without holding it in memory', async () => {
    const total = 50_000;
    let produced = 0;
    const source = Readable.from(
      (function* () {
        yield 'BSN;Roepnaam;Achternaam;Geboortedatum\r\n';
        const line = `${bsn(12)};Piet;Jansen;01-02-2010\r\n`;
        for (let batch = 0; batch < total / 500; batch++) {
          produced += 500;
          yield line.repeat(500);
        }
      })(),
    );
    const table = await openTable(source);
    let count = 0;
    let producedAtFirstRow = -1;
    let lastRow = 0;
    for await (const { row } of table.rows) {
      if (count === 0) producedAtFirstRow = produced;
      count++;
      lastRow = row;
    }
    expect(count).toBe(total);
    expect(lastRow).toBe(total + 1);
    // Rows arrive while the source is still being generated: the file is never read whole.
    expect(producedAtFirstRow).toBeLessThan(total / 2);
  }, 30_000);

  it('closes the input when the rows are not read to the end', async () => {
    const source = Readable.from(
      (function* () {
        yield 'BSN;Naam\n';
        for (;;) yield '1;a\n'.repeat(1000);
      })(),
    );
    const table = await openTable(source);
    for await (const row of table.rows) {
      expect(row.row).toBe(2);
      break;
    }
    await table.close();
    expect(source.destroyed).toBe(true);
  });
});

describe('openTable: XLSX', () => {
  it('reads the first worksheet: dates, serials, rich text, formulas, hyperlinks', async () => {
    const bytes = await xlsxBytes((sheet, workbook) => {
      sheet.addRow(['Leerlingen 2025-2026']);
      sheet.addRow(['BSN', 'Naam', 'Geboortedatum', 'Klas', 'Website']);
      sheet.addRow([Number(bsn(13)), { richText: [{ text: 'Jansen, ' }, { font: { bold: true }, text: 'Piet' }] }, new Date(Date.UTC(2010, 1, 3)), { formula: '"4"&"B"', result: '4B' }, { text: 'school', hyperlink: 'https://example.org' }]);
      sheet.addRow([]);
      const serial = sheet.addRow([bsn(14), 'Bakker, Anna', 38353, 4]);
      serial.getCell(3).numFmt = 'General'; // a date typed as a number: the date parser takes it
      const formatted = sheet.addRow([bsn(15), 'Visser, Jan', 40000]);
      formatted.getCell(3).numFmt = 'dd-mm-yyyy'; // date-formatted: exceljs returns a Date
      workbook.addWorksheet('Tweede blad').addRow(['BSN', 'niet lezen']);
    });
    const table = await openTable(chunked(bytes, 1000));
    expect(table).toMatchObject({ format: 'xlsx', headerRow: 2, headers: ['BSN', 'Naam', 'Geboortedatum', 'Klas', 'Website'] });
    expect(table.encoding).toBeUndefined();
    expect(await readRows(table)).toEqual([
      { row: 3, cells: [bsn(13), 'Jansen, Piet', '2010-02-03', '4B', 'school'] },
      { row: 5, cells: [bsn(14), 'Bakker, Anna', '38353', '4'] },
      { row: 6, cells: [bsn(15), 'Visser, Jan', '2009-07-06'] },
    ]);
  });

  it('refuses a zip that is not a workbook, and an empty sheet', async () => {
    const notZip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100, 1)]);
    expect((await openError(notZip)).code).toBe('not_a_table');
    const empty = await xlsxBytes(() => {});
    expect((await openError(empty)).code).toBe('empty');
  });
});
