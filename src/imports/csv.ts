import { CsvRecords, CsvSyntaxError, type CsvRecord } from './csv-records.js';
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

  let encodingNow = encoding;
  const text = decodeText(source.chunks(), encoding, (switched) => (encodingNow = switched));
  // Title lines above the header are read past and dropped.
  const reader = new CsvRecords(header.delimiter, header.line, MAX_RECORD_CHARS);
  const close = async (): Promise<void> => {
    await text.return(undefined);
    await source.close();
  };

  try {
    const first = await nextRecord(reader, text);
    if (!first) throw new ImportFileError('not_a_table', 'The file is not a table: the header line is missing');
    const headerRow = header.line;
    return {
      format: 'csv',
      get encoding() {
        return encodingNow;
      },
      delimiter: header.delimiter,
      headers: headerCells(first.cells, headerRow),
      headerRow,
      rows: dataRows(reader, text, close),
      close,
    };
  } catch (error) {
    await close();
    throw toImportError(error);
  }
}

/** The next record, feeding the reader text as it needs it; null at the end. */
async function nextRecord(reader: CsvRecords, text: AsyncGenerator<string>): Promise<CsvRecord | null> {
  for (;;) {
    const record = reader.read();
    if (record || reader.done) return record;
    const next = await text.next();
    if (next.done) reader.end();
    else reader.feed(next.value);
  }
}

/** The data rows, numbered by the line they start on; blank rows are skipped. */
async function* dataRows(reader: CsvRecords, text: AsyncGenerator<string>, close: () => Promise<void>): AsyncGenerator<TableRow> {
  try {
    for (;;) {
      const record = reader.read();
      if (record) {
        if (!isBlankRow(record.cells)) yield { row: record.line, cells: record.cells };
      } else if (reader.done) return;
      else {
        const next = await text.next();
        if (next.done) reader.end();
        else reader.feed(next.value);
      }
    }
  } catch (error) {
    throw toImportError(error);
  } finally {
    await close();
  }
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
  if (!(error instanceof CsvSyntaxError)) return error;
  // Never the field's content (perhaps a BSN): only where it is.
  const what = error.reason === 'quote_not_closed' ? 'A quoted field is not closed' : 'A row is too long';
  return new ImportFileError('malformed', `${what} (near line ${error.line})`, error.line);
}
