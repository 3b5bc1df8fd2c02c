/**
 * Why a whole file (not a single row) cannot be imported. The `code` is stable so the HTTP layer
 * can map it to a problem `type` URI; the message is for people and never quotes cell values
 * (a cell may hold a BSN, and messages end up in logs and API responses).
 */
export type ImportFileErrorCode =
  | 'empty' // no bytes, or only blank lines
  | 'not_a_table' // binary, UTF-16, a zip without a worksheet, or no delimiter-separated header
  | 'no_header' // the chosen header row looks like data (it holds a 9-digit number)
  | 'too_many_columns'
  | 'malformed' // the table breaks while reading: an unclosed quote, a corrupt zip
  | 'no_identifier_column'
  | 'missing_columns'
  | 'unknown_mapping';

export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';

  constructor(
    readonly code: ImportFileErrorCode,
    message: string,
    /** The file's line or sheet row the problem was found on, when there is one. */
    readonly row?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
