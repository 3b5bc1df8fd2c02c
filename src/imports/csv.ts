import { Readable, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { ImportFileError } from './errors.js';
import { findCsvHeader, headerCells, isBlankRow } from './header.js';
import type { PeekedSource } from './source.js';
import type { Table, TableRow } from './table.js';
import { decodeText, detectEncoding, hasUtf8Bom, utf8BoundaryLength } from './text.js';

/** A record this long is an unclosed quote swallowing the file, not a pupil. */
const MAX_RECORD_CHARS = 1_000_000;

/** Opens delimited text: sniffs encoding, header line and delimiter from the sample, then streams. */
export async function openCsv(source: PeekedSource, sampleBytes: number): Promise<Table> {
  const complete = source.complete && source.sample.length <= sampleBytes;
  const head = source.sample.subarray(0, sampleBytes);
  const encoding = detectEncoding(head, complete);
  const lines = sampleLines(head, encoding, complete);
  const header = findCsvHeader(lines);
  if (!header) {
    if (complete && lines.every((line) => line.trim() === '')) throw new ImportFileError('empty', 'The file is empty');
    throw new ImportFileError('not_a_table', 'The file is not a table: no line separated by ; , or tab');
  }

  const parser = parse({
    delimiter: header.delimiter,
    from_line: header.line, // title lines above the header are skipped unparsed
    relax_column_count: true,
    relax_quotes: true,
    // Blank lines come through (as ['']) so every line is seen and counted here: csv-parse's own
    // `info` would do it too, but copies its whole info object per record, which cost more than
    // the parsing itself on a 1M-row file.
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS,
  });
  let encodingNow = encoding;
  const text = Readable.from(decodeText(source.chunks(), encoding, (switched) => (encodingNow = switched)));
  pipeline(text, parser, () => {}); // an error surfaces through the parser's iterator below
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const close = async (): Promise<void> => {
    parser.destroy();
    text.destroy();
    await source.close();
  };

  try {
    const first = await records.next();
    if (first.done) throw new ImportFileError('not_a_table', 'The file is not a table: the header line is missing');
    const headerRow = header.line;
    return {
      format: 'csv',
      get encoding() {
        return encodingNow;
      },
      delimiter: header.delimiter,
      headers: headerCells(first.value, headerRow),
      headerRow,
      rows: dataRows(records, headerRow + lineCount(first.value), close),
      close,
    };
  } catch (error) {
    await close();
    throw toImportError(error);
  }
}

/**
 * Numbers rows by the line they start on. Line endings were normalised to \n before parsing, so
 * a record spans one line plus one per newline inside its quoted fields.
 */
async function* dataRows(records: AsyncIterator<string[]>, firstLine: number, close: () => Promise<void>): AsyncGenerator<TableRow> {
  let line = firstLine;
  try {
    for (;;) {
      const next = await records.next();
      if (next.done) return;
      const row = line;
      line += lineCount(next.value);
      if (!isBlankRow(next.value)) yield { row, cells: next.value };
    }
  } catch (error) {
    throw toImportError(error);
  } finally {
    await close();
  }
}

function lineCount(record: readonly string[]): number {
  let lines = 1;
  for (const cell of record) {
    for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) lines++;
  }
  return lines;
}

/** The sample's lines, as the parser will see them; a last line cut off by the sample is left out. */
function sampleLines(head: Buffer, encoding: string, complete: boolean): string[] {
  let bytes = hasUtf8Bom(head) ? head.subarray(3) : head;
  if (encoding === 'utf-8' && !complete) bytes = bytes.subarray(0, utf8BoundaryLength(bytes));
  const lines = new TextDecoder(encoding).decode(bytes).split(/\r\n|\r|\n/);
  if (!complete) lines.pop();
  return lines;
}

function toImportError(error: unknown): unknown {
  if (!(error instanceof CsvError)) return error;
  const line = typeof error.lines === 'number' ? error.lines : undefined;
  const where = line ? ` (near line ${line})` : '';
  // csv-parse's own messages quote the field's content (perhaps a BSN), so they are not passed on,
  // not even as `cause`, which error serialisers log.
  const message =
    error.code === 'CSV_QUOTE_NOT_CLOSED' || error.code === 'CSV_MAX_RECORD_SIZE'
      ? `A quoted field is not closed${where}`
      : `The CSV file cannot be read${where}`;
  return new ImportFileError('malformed', message, line);
}
