import { describe, expect, it } from 'vitest';
import { negotiate } from '../../src/http/routes/reports.js';
import { HttpProblem } from '../../src/http/problems.js';

describe('negotiate (Accept header)', () => {
  const all = ['json', 'csv', 'svg'] as const;
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['text/csv', 'csv'],
    ['text/csv; charset=utf-8', 'csv'],
    ['image/svg+xml', 'svg'],
    ['image/*', 'svg'],
    ['text/*', 'csv'],
    ['text/html, image/svg+xml;q=0.9, */*;q=0.1', 'svg'],
    ['application/json;q=0.5, text/csv', 'csv'],
    ['text/csv;q=0, */*', 'json'],
    ['TEXT/CSV', 'csv'],
  ] as const)('%s -> %s', (accept, expected) => {
    expect(negotiate(accept, all)).toBe(expected);
  });

  it('refuses with 406 what it cannot produce', () => {
    expect(() => negotiate('application/xml', all)).toThrow(HttpProblem);
    expect(() => negotiate('image/svg+xml', ['json', 'csv'])).toThrow(expect.objectContaining({ status: 406 }));
  });
});
