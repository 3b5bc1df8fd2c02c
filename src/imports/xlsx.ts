import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { ImportFileError } from './errors.js';
import { HEADER_SEARCH_ROWS, MAX_COLUMNS, hasIdentifierHeader, headerCells, isBlankRow } from './header.js';
import type { PeekedSource } from './source.js';
import type { Table, TableRow } from './table.js';

/**
 * Opens the first worksheet of an XLSX with exceljs's streaming reader: rows are parsed as the
 * zip is read (or, when Excel stored the sheet before the shared strings, from a temp file
 * exceljs writes), so memory stays flat apart from the shared-strings table.
 */
export async function openXlsx(source: PeekedSource): Promise<Table> {
  const input = Readable.from(source.chunks());
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to see which numbers are dates
    hyperlinks: 'ignore', // a hyperlink cell then reads as its text
    entries: 'ignore',
  });
  const close = async (): Promise<void> => {
    input.destroy();
    await source.close();
  };
  const sheet = firstSheetRows(reader);

  // Look past title rows: the header is the first row naming an identifier, else the first row.
  const buffered: TableRow[] = [];
  let header: TableRow | undefined;
  try {
    while (buffered.length < HEADER_SEARCH_ROWS) {
      const next = await sheet.next();
      if (next.done) break;
      buffered.push(next.value);
      if (hasIdentifierHeader(next.value.cells)) break;
    }
    if (buffered.length === 0) throw new ImportFileError('empty', 'The first worksheet is empty');
    const at = buffered.findIndex((row) => hasIdentifierHeader(row.cells));
    header = buffered[Math.max(at, 0)]!;
    const headers = headerCells(header.cells, header.row);
    const pending = buffered.slice(buffered.indexOf(header) + 1);
    return { format: 'xlsx', headers, headerRow: header.row, rows: dataRows(pending, sheet, close), close };
  } catch (error) {
    await close();
    throw toImportError(error, 'not_a_table');
  }
}

async function* dataRows(pending: TableRow[], sheet: AsyncGenerator<TableRow>, close: () => Promise<void>): AsyncGenerator<TableRow> {
  try {
    yield* pending.splice(0);
    for (;;) {
      const next = await sheet.next();
      if (next.done) return;
      yield next.value;
    }
  } catch (error) {
    throw toImportError(error, 'malformed');
  } finally {
    await sheet.return(undefined);
    await close();
  }
}

/** Non-blank rows of the first worksheet; later sheets are drained so exceljs removes its temp files. */
async function* firstSheetRows(reader: ExcelJS.stream.xlsx.WorkbookReader): AsyncGenerator<TableRow> {
  let first = true;
  for await (const worksheet of reader) {
    if (!first) {
      for await (const _row of worksheet);
      continue;
    }
    first = false;
    for await (const row of worksheet) {
      const cells = rowCells(row);
      if (!isBlankRow(cells)) yield { row: row.number, cells };
    }
  }
  if (first) throw new ImportFileError('not_a_table', 'The file is a zip archive without a worksheet, not an Excel workbook');
}

function rowCells(row: ExcelJS.Row): string[] {
  const cells: string[] = [];
  row.eachCell((cell, col) => {
    if (col > MAX_COLUMNS + 1) return; // one past the limit, so an oversized header is still noticed
    while (cells.length < col - 1) cells.push('');
    cells[col - 1] = cellText(cell.value);
  });
  return cells;
}

/** A cell as the text a user sees: dates as YYYY-MM-DD (exceljs gives UTC midnight), formulas as their result. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText)) {
      return value.richText.map((run: { text?: unknown }) => cellText(run.text)).join('');
    }
    if ('formula' in value || 'sharedFormula' in value || 'result' in value) return cellText((value as { result?: unknown }).result);
    if ('text' in value) return cellText(value.text); // hyperlink
  }
  return ''; // { error: '#N/A' } and anything unknown
}

function toImportError(error: unknown, code: 'not_a_table' | 'malformed'): unknown {
  if (error instanceof ImportFileError) return error;
  // exceljs and unzipper messages are not shown: they are about zip internals, not the user's data.
  return new ImportFileError(
    code,
    code === 'not_a_table' ? 'The file looks like a zip archive but is not a readable Excel workbook' : 'The Excel workbook is damaged and cannot be read to the end',
  );
}
