/**
 * Splits CSV text into records, fed chunk by chunk. The grammar is the one csv-parse applies
 * with `relax_quotes`, `relax_column_count` and blank lines kept (test/unit/imports-csv.test.ts
 * holds the two side by side on generated files): a field that starts with a quote runs to the
 * next quote that is followed by the delimiter, a newline or the end; `""` inside it is a quote;
 * any other quote is an ordinary character, and a closing quote followed by something else is
 * kept with what follows ("a"b -> "a"b). Line endings are `\n` only (decodeText normalises them).
 *
 * Written for speed: a line without a quote, nearly every line of a real export, is cut with
 * one native split, and the text of the file is never turned back into bytes.
 */

export interface CsvRecord {
  /** The line the record starts on (1-based; a quoted newline counts as a line). */
  line: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly reason: 'quote_not_closed' | 'record_too_long',
    /** The line the record in error starts on. */
    readonly line: number,
  ) {
    super(reason === 'quote_not_closed' ? 'A quoted field is not closed' : 'A record is too long');
  }
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;

export class CsvRecords {
  /** The unfinished record at the end of the text so far, from its first character. */
  private carry = '';
  /** The line `carry` starts on. */
  private line = 1;
  /** Records are kept from the line after the one that ends line `fromLine - 1`. */
  private enabled: boolean;
  private readonly delimiterCode: number;

  constructor(
    private readonly delimiter: string,
    private readonly fromLine = 1,
    private readonly maxRecordChars = Number.MAX_SAFE_INTEGER,
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') throw new Error('the delimiter must be one character');
    this.delimiterCode = delimiter.charCodeAt(0);
    this.enabled = fromLine <= 1;
  }

  /** Parses the next piece of text; complete records are appended to `out`. */
  push(text: string, out: CsvRecord[]): void {
    this.parse(this.carry ? this.carry + text : text, false, out);
  }

  /** The end of the text: the last record, which needs no newline, is appended to `out`. */
  end(out: CsvRecord[]): void {
    const text = this.carry;
    this.carry = '';
    if (text) this.parse(text, true, out);
  }

  private parse(s: string, final: boolean, out: CsvRecord[]): void {
    const n = s.length;
    const delimiter = this.delimiter;
    let pos = 0;
    let line = this.line;
    // Where the next quote is: lines before it can be split without looking at each character.
    let nextQuote = s.indexOf('"');
    if (nextQuote === -1) nextQuote = n;

    while (pos < n) {
      const newline = s.indexOf('\n', pos);
      const lineEnd = newline === -1 ? n : newline;
      if (nextQuote < pos) {
        nextQuote = s.indexOf('"', pos);
        if (nextQuote === -1) nextQuote = n;
      }
      let cells: string[];
      let end: number; // the index of the newline that ends the record, or n
      let lines = 1; // physical lines the record spans
      if (nextQuote >= lineEnd) {
        if (newline === -1 && !final) break; // the rest of the line is still to come
        cells = s.slice(pos, lineEnd).split(delimiter);
        end = lineEnd;
      } else {
        const record = this.quotedRecord(s, pos, final, line);
        if (!record) break;
        ({ cells, end, lines } = record);
      }
      if (end - pos > this.maxRecordChars) throw new CsvSyntaxError('record_too_long', line);

      if (this.enabled) out.push({ line, cells });
      // csv-parse style from_line: the lines before it are read (quotes and all) and dropped.
      else if (line + lines - 1 + 1 >= this.fromLine && end < n) this.enabled = true;
      line += lines;
      pos = end + 1;
    }

    if (pos < n) {
      // An unfinished record: kept until the rest arrives, unless it cannot be a real one.
      if (n - pos > this.maxRecordChars) {
        throw new CsvSyntaxError(this.quoteOpen(s, pos, line) ? 'quote_not_closed' : 'record_too_long', line);
      }
      this.carry = pos === 0 ? s : s.slice(pos);
    } else this.carry = '';
    this.line = line;
  }

  /**
   * One record that contains a quote, field by field from `start`. Undefined when it is not
   * complete in `s` and more text may come.
   */
  private quotedRecord(s: string, start: number, final: boolean, line: number): { cells: string[]; end: number; lines: number } | undefined {
    const n = s.length;
    const d = this.delimiterCode;
    const cells: string[] = [];
    let lines = 1;
    let pos = start;
    for (;;) {
      let value: string;
      if (pos < n && s.charCodeAt(pos) === QUOTE) {
        // A quoted field: up to the quote that is followed by a delimiter, a newline or the end.
        value = '';
        let from = pos + 1;
        let i = from;
        let closed = false;
        for (;;) {
          const q = s.indexOf('"', i);
          if (q === -1) {
            if (!final) return undefined;
            throw new CsvSyntaxError('quote_not_closed', line);
          }
          if (q + 1 >= n && !final) return undefined; // what follows the quote decides
          const next = q + 1 < n ? s.charCodeAt(q + 1) : -1;
          if (next === QUOTE) {
            value += s.slice(from, q + 1); // "" is one quote
            i = from = q + 2;
            continue;
          }
          value += s.slice(from, q);
          lines += countNewlines(s, pos, q);
          pos = q + 1;
          if (next === -1 || next === d || next === NEWLINE) closed = true;
          else value = `"${value}"`; // a stray closing quote: kept, and the rest is plain text
          break;
        }
        if (!closed) {
          const stop = fieldEnd(s, pos, d);
          value += s.slice(pos, stop);
          pos = stop;
        }
      } else {
        // A plain field; any quote in it is an ordinary character.
        const stop = fieldEnd(s, pos, d);
        value = s.slice(pos, stop);
        pos = stop;
      }
      cells.push(value);
      if (pos >= n) {
        if (!final) return undefined;
        return { cells, end: n, lines };
      }
      if (s.charCodeAt(pos) === NEWLINE) return { cells, end: pos, lines };
      pos++; // the delimiter
    }
  }

  /** Whether the record from `start` ends inside an open quoted field (for the error's wording). */
  private quoteOpen(s: string, start: number, line: number): boolean {
    try {
      this.quotedRecord(s, start, true, line);
      return false;
    } catch (error) {
      return error instanceof CsvSyntaxError && error.reason === 'quote_not_closed';
    }
  }
}

function fieldEnd(s: string, from: number, delimiter: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === delimiter || c === NEWLINE) return i;
  }
  return s.length;
}

function countNewlines(s: string, from: number, to: number): number {
  let count = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) count++;
  return count;
}
