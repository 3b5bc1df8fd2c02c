import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/domain/identifiers.js';
import { CsvRecords, CsvSyntaxError, type CsvRecord } from '../../src/imports/csv-records.js';

/** Feeds `text` in pieces of the given sizes (cycled) and collects the records or the error. */
function records(text: string, delimiter: string, fromLine: number, pieces: number[] = [text.length || 1]): CsvRecord[] | CsvSyntaxError {
  const reader = new CsvRecords(delimiter, fromLine);
  const out: CsvRecord[] = [];
  const drain = () => {
    for (let record = reader.read(); record; record = reader.read()) out.push(record);
  };
  try {
    for (let i = 0, p = 0; i < text.length; p++) {
      const size = Math.max(1, pieces[p % pieces.length]!);
      reader.feed(text.slice(i, i + size));
      drain();
      i += size;
    }
    reader.end();
    drain();
    expect(reader.done).toBe(true);
    return out;
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error;
    throw error;
  }
}

/** What csv-parse makes of the same text with the options the import used to give it. */
function reference(text: string, delimiter: string, fromLine: number): { cells: string[]; lastLine: number }[] | 'error' {
  try {
    const rows = parse(text, {
      delimiter,
      from_line: fromLine,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return rows.map((r) => ({ cells: r.record, lastLine: r.info.lines }));
  } catch {
    return 'error';
  }
}

const newlinesIn = (cells: string[]) => cells.reduce((n, cell) => n + cell.split('\n').length - 1, 0);

describe('CsvRecords', () => {
  it('reads fields as csv-parse does with relaxed quotes, on thousands of generated texts in random pieces', () => {
    const random = seededRandom(42);
    const alphabet = ['a', 'b', 'é', ' ', ';', ';', ',', '"', '"', '"', '\n', '\n'];
    for (let round = 0; round < 4000; round++) {
      const length = Math.floor(random() * 40);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const delimiter = random() < 0.8 ? ';' : ',';
      const fromLine = 1 + Math.floor(random() * 3);
      const pieces = Array.from({ length: 3 }, () => 1 + Math.floor(random() * 8));
      const expected = reference(text, delimiter, fromLine);
      const whole = records(text, delimiter, fromLine);
      const split = records(text, delimiter, fromLine, pieces);
      const context = JSON.stringify({ text, delimiter, fromLine, pieces });
      if (expected === 'error') {
        expect(whole, context).toBeInstanceOf(CsvSyntaxError);
        expect(split, context).toBeInstanceOf(CsvSyntaxError);
        continue;
      }
      expect(whole, context).not.toBeInstanceOf(CsvSyntaxError);
      const got = (whole as CsvRecord[]).map((r) => ({ cells: r.cells, lastLine: r.line + newlinesIn(r.cells) }));
      expect(got, context).toEqual(expected);
      expect(split, context).toEqual(whole);
    }
  });

  it('splits plain lines, keeps blank lines as one empty cell, and needs no final newline', () => {
    expect(records('a;b\n\nc;;d', ';', 1)).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: [''] },
      { line: 3, cells: ['c', '', 'd'] },
    ]);
  });

  it('reads quoted fields: delimiters, newlines and doubled quotes inside, stray quotes kept', () => {
    expect(records('"a;b";"x\ny";"say ""hi"""\n"a"b;c"d"\nnext', ';', 1)).toEqual([
      { line: 1, cells: ['a;b', 'x\ny', 'say "hi"'] },
      { line: 3, cells: ['"a"b', 'c"d"'] },
      { line: 4, cells: ['next'] },
    ]);
  });

  it('skips the lines above fromLine', () => {
    expect(records('title\n\nh1;h2\nv1;v2\n', ';', 3)).toEqual([
      { line: 3, cells: ['h1', 'h2'] },
      { line: 4, cells: ['v1', 'v2'] },
    ]);
  });

  it('refuses an unclosed quote at the end, naming the line its record starts on', () => {
    const error = records('a;b\nc;"open\nmore\n', ';', 1);
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect(error).toMatchObject({ reason: 'quote_not_closed', line: 2 });
  });

  it('gives up on a record longer than the limit instead of buffering the file', () => {
    const reader = new CsvRecords(';', 1, 1000);
    reader.feed('a;"open\n');
    expect(reader.read()).toBeNull();
    expect(() => {
      for (let i = 0; i < 10; i++) {
        reader.feed('x'.repeat(200) + '\n');
        reader.read();
      }
    }).toThrow(expect.objectContaining({ reason: 'quote_not_closed', line: 1 }));
  });
});
