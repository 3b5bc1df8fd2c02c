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
  const records = recordsOf(text, new CsvRecords(header.delimiter, header.line, MAX_RECORD_CHARS));
  const close = async (): Promise<void> => {
    await records.return(undefined);
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
      headers: headerCells(first.value.cells, headerRow),
      headerRow,
      rows: dataRows(records, close),
      close,
    };
  } catch (error) {
    await close();
    throw toImportError(error);
  }
}

/** The records of the decoded text, one piece of text at a time. */
async function* recordsOf(text: AsyncGenerator<string>, reader: CsvRecords): AsyncGenerator<CsvRecord> {
  try {
    for (let done = false; !done; ) {
      const batch: CsvRecord[] = [];
      const next = await text.next();
      if (next.done) {
        reader.end(batch);
        done = true;
      } else reader.push(next.value, batch);
      for (const record of batch) yield record;
    }
  } finally {
    await text.return(undefined);
  }
}

/** The data rows, numbered by the line they start on; blank rows are skipped. */
async function* dataRows(records: AsyncGenerator<CsvRecord>, close: () => Promise<void>): AsyncGenerator<TableRow> {
  try {
    for await (const { line, cells } of records) {
      if (!isBlankRow(cells)) yield { row: line, cells };
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
