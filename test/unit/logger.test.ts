import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { DrizzleQueryError } from 'drizzle-orm';
import { loggerOptions } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  return { logger: pino(loggerOptions('info'), sink), lines };
}

describe('logged errors', () => {
  it('leave out the parameters of a failed query, in every field', () => {
    const { logger, lines } = capture();
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "pupils_pkey"'), { code: '23505' });
    const err = new DrizzleQueryError('insert into "pupils" ("given_name", "birth_date") values ($1, $2)', ['Fenna', '2011-04-02'], cause);
    logger.error({ err }, 'request failed');
    const line = lines.join('');
    expect(line).not.toContain('Fenna');
    expect(line).not.toContain('2011-04-02');
    const logged = JSON.parse(line) as { err: { message: string; params: string; stack: string; type: string } };
    expect(logged.err.type).toBe('DrizzleQueryError');
    expect(logged.err.message).toBe('Failed query: insert into "pupils" ("given_name", "birth_date") values ($1, $2)\nparams: [redacted]');
    expect(logged.err.stack).toContain('params: [redacted]');
    expect(logged.err.stack).toMatch(/\n {4}at /);
    expect(logged.err.params).toBe('[redacted]');
    expect(line).toContain('pupils_pkey'); // the cause stays: it says what went wrong
  });

  it('keep other errors, and other things logged as errors, as they are', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error('queue unreachable') }, 'failed');
    logger.error({ err: 'digest broke' }, 'failed');
    const [first, second] = lines.map((l) => JSON.parse(l) as { err: unknown });
    expect(first!.err).toMatchObject({ type: 'Error', message: 'queue unreachable' });
    expect(second!.err).toBe('digest broke');
  });
});
