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

/**
 * Fed text piece by piece (`feed`, then `end`), read record by record (`read`): one record at a
 * time, so a piece of a million characters never becomes fifteen thousand arrays at once (they
 * would all outlive a young-generation collection).
 */
export class CsvRecords {
  /** The text not read yet starts at `pos`. */
  private text = '';
  private pos = 0;
  /** The line the text at `pos` starts on. */
  private line = 1;
  private final = false;
  /** Where the next quote is, so lines before it can be split without looking at each character. */
  private nextQuote = -1;
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

  /** More text. */
  feed(text: string): void {
    this.text = this.pos < this.text.length ? this.text.slice(this.pos) + text : text;
    this.pos = 0;
    this.nextQuote = -1;
  }

  /** The end of the text: the last record needs no newline. */
  end(): void {
    this.final = true;
  }

  /** Whether every record has been read. */
  get done(): boolean {
    return this.final && this.pos >= this.text.length;
  }

  /** The next complete record; null when more text must be fed first (or when done). */
  read(): CsvRecord | null {
    const s = this.text;
    const n = s.length;
    while (this.pos < n) {
      const pos = this.pos;
      const line = this.line;
      const newline = s.indexOf('\n', pos);
      const lineEnd = newline === -1 ? n : newline;
      if (this.nextQuote < pos) {
        this.nextQuote = s.indexOf('"', pos);
        if (this.nextQuote === -1) this.nextQuote = n;
      }
      let cells: string[];
      let end: number; // the index of the newline that ends the record, or n
      let lines = 1; // physical lines the record spans
      if (this.nextQuote >= lineEnd) {
        if (newline === -1 && !this.final) return this.unfinished();
        cells = s.slice(pos, lineEnd).split(this.delimiter);
        end = lineEnd;
      } else {
        const record = this.quotedRecord(s, pos, this.final, line);
        if (!record) return this.unfinished();
        ({ cells, end, lines } = record);
      }
      if (end - pos > this.maxRecordChars) throw new CsvSyntaxError('record_too_long', line);
      this.line += lines;
      this.pos = end + 1;
      if (this.enabled) return { line, cells };
      // csv-parse style from_line: the lines before it are read (quotes and all) and dropped.
      if (line + lines >= this.fromLine && end < n) this.enabled = true;
    }
    return null;
  }

  /** The record at `pos` goes on in text not fed yet: wait for it, unless it cannot be a real one. */
  private unfinished(): null {
    if (this.text.length - this.pos > this.maxRecordChars) {
      const open = this.quoteOpen(this.text, this.pos, this.line);
      throw new CsvSyntaxError(open ? 'quote_not_closed' : 'record_too_long', this.line);
    }
    return null;
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
