import { normaliseDigits } from '../domain/identifiers.js';
import { isIdentifierHeader } from './columns.js';
import { ImportFileError } from './errors.js';

/** Title lines above the header ("Leerlingen 2025-2026 export") are looked past this far. */
export const HEADER_SEARCH_ROWS = 10;
/** Real exports have tens of columns; thousands mean a wrong delimiter or a hostile file. */
export const MAX_COLUMNS = 500;

export type Delimiter = ';' | ',' | '\t';
// Order breaks ties: ';' is what Excel writes on Dutch Windows, and names contain commas.
const DELIMITERS: readonly Delimiter[] = [';', '\t', ','];

/** The delimiter that occurs most often outside quotes, or undefined when none occurs. */
export function chooseDelimiter(line: string): Delimiter | undefined {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted; // an escaped "" toggles twice, which is right
    else if (!quoted) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: Delimiter | undefined;
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (best ? counts.get(best)! : 0)) best = d;
  return best;
}

/** Splits one line, honouring quotes; only for sniffing, CsvRecords reads the real rows. */
export function splitLine(line: string, delimiter: Delimiter): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = !quoted;
    } else if (ch === delimiter && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

export function isBlankRow(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '');
}

export function hasIdentifierHeader(cells: readonly string[]): boolean {
  return cells.some(isIdentifierHeader);
}

/**
 * The header is the first of the first ten non-blank lines that names a BSN or onderwijsnummer
 * column; failing that, the first non-blank line with a delimiter (a title line above a header
 * without identifiers should give "no identifier column", not "not a table").
 * `line` is 1-based.
 */
export function findCsvHeader(lines: readonly string[]): { line: number; delimiter: Delimiter } | undefined {
  let fallback: { line: number; delimiter: Delimiter } | undefined;
  let seen = 0;
  for (let i = 0; i < lines.length && seen < HEADER_SEARCH_ROWS; i++) {
    const text = lines[i]!;
    const delimiter = chooseDelimiter(text);
    const cells = delimiter ? splitLine(text, delimiter) : [text];
    if (isBlankRow(cells)) continue;
    seen++;
    if (!delimiter) continue;
    if (hasIdentifierHeader(cells)) return { line: i + 1, delimiter };
    fallback ??= { line: i + 1, delimiter };
  }
  return fallback;
}

/**
 * Tidies header cells (trims, drops trailing empty columns) and refuses a header that is really
 * a data row: its cells would be reported back as "ignored columns", and one may be a BSN.
 */
export function headerCells(cells: readonly string[], row: number): string[] {
  const headers = cells.map((cell) => cell.replace(/^\uFEFF/, '').trim());
  while (headers.length > 0 && headers[headers.length - 1] === '') headers.pop();
  if (headers.length > MAX_COLUMNS) {
    throw new ImportFileError('too_many_columns', `The header has more than ${MAX_COLUMNS} columns`, row);
  }
  if (headers.some((header) => /^\d{9}$/.test(normaliseDigits(header)))) {
    throw new ImportFileError('no_header', 'The first row looks like data, not column names: add a header row', row);
  }
  return headers;
}
