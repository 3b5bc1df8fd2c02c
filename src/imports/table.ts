import { ImportFileError } from './errors.js';
import type { Delimiter } from './header.js';
import { openCsv } from './csv.js';
import { peekSource, type ByteSource } from './source.js';
import { hasUtf16Bom, type TextEncodingName } from './text.js';

export type { ByteSource } from './source.js';
export type { Delimiter } from './header.js';
export type { TextEncodingName } from './text.js';

/** A data row: its number as a spreadsheet (or editor) shows it, and its cells by column index. */
export interface TableRow {
  row: number;
  cells: string[];
}

export interface Table {
  format: 'csv' | 'xlsx';
  /** CSV only. Starts as sniffed; changes to windows-1252 if a later byte shows the file is not UTF-8. */
  encoding?: TextEncodingName;
  /** CSV only. */
  delimiter?: Delimiter;
  /** As written in the file (trimmed, trailing empty columns dropped); index = cell index. */
  headers: string[];
  /** 1-based. */
  headerRow: number;
  /** Single use. Blank rows are skipped. May throw ImportFileError 'malformed' part-way. */
  rows: AsyncIterable<TableRow>;
  /** Releases the input when the rows will not be (fully) read; safe to call more than once. */
  close(): Promise<void>;
}

/** Enough to see past title lines to the header and to judge the encoding. */
export const SAMPLE_BYTES = 64 * 1024;
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/**
 * Opens an uploaded file as a table of strings without reading it whole: XLSX by its zip magic
 * bytes (never by file name), anything else as delimited text. Throws ImportFileError for a
 * file that is empty or not a table.
 */
export async function openTable(input: ByteSource): Promise<Table> {
  const source = await peekSource(input, SAMPLE_BYTES);
  const head = source.sample.subarray(0, SAMPLE_BYTES);
  if (head.length === 0) throw new ImportFileError('empty', 'The file is empty');
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) {
    // Loaded on first use: exceljs is a fifth of an idle worker's memory, and most files are CSV.
    const { openXlsx } = await import('./xlsx.js');
    return openXlsx(source);
  }
  try {
    if (hasUtf16Bom(head)) {
      throw new ImportFileError('not_a_table', 'The file is UTF-16 text; save it as CSV (UTF-8) or as an Excel workbook');
    }
    if (head.includes(0)) throw new ImportFileError('not_a_table', 'The file is not a table (binary content, e.g. a PDF or an image)');
    return await openCsv(source, SAMPLE_BYTES);
  } catch (error) {
    await source.close();
    throw error;
  }
}
