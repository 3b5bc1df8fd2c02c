import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RowError } from './rows.js';

/**
 * Loading rows into a TEMP staging table with COPY, shared by the pupil and enrolment merges and
 * by the JSON enrolment batch: one way in, so there is one definition of each merge.
 * Values are encoded in COPY's text format by hand; identifiers arrive here only as HMAC
 * digests and ciphertexts.
 */

/** Bytes already in hex (Pii's hex digests and ciphertexts), for a bytea column. */
export interface HexBytes {
  hex: string;
}

export type CopyValue = string | number | Buffer | HexBytes | null | undefined;

export const hexBytes = (hex: string | undefined): HexBytes | undefined => (hex === undefined ? undefined : { hex });

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function encode(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  // bytea in text input is \x<hex>; COPY's own escaping doubles the backslash.
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  if (typeof value === 'object') return `\\\\x${value.hex}`;
  return /[\\\n\r\t]/.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!) : value;
}

/** One line of COPY text for the given values, in column order. */
export function copyLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i ? '\t' : '') + encode(values[i]);
  return `${line}\n`;
}

const FLUSH_CHARS = 64 * 1024;

/**
 * A COPY ... FROM STDIN on the given client. Lines are batched into ~64 KiB writes; `push` says
 * when the caller should `await drain()` (back-pressure from the socket), so a fast parser
 * never buffers the file in memory and there is no await per row.
 */
export class CopyWriter {
  private readonly stream: Writable;
  private readonly done: Promise<unknown>;
  private buffer: string[] = [];
  private chars = 0;
  private blocked = false;
  count = 0;

  constructor(client: pg.PoolClient, table: string, columns: readonly string[]) {
    this.stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
    // Errors surface through `done` (rethrown by drain() and end()); this keeps a late one from crashing the process.
    this.stream.on('error', () => {});
    this.done = once(this.stream, 'finish').catch((error: unknown) => error);
  }

  /** Queues one line; true when the caller should await drain() before pushing more. */
  push(line: string): boolean {
    this.buffer.push(line);
    this.chars += line.length;
    this.count++;
    if (this.chars >= FLUSH_CHARS) this.flush();
    return this.blocked;
  }

  async drain(): Promise<void> {
    if (!this.blocked) return;
    const result = await Promise.race([once(this.stream, 'drain').then(() => undefined), this.done]);
    if (result instanceof Error) throw result;
    this.blocked = false;
  }

  async end(): Promise<void> {
    this.flush();
    this.stream.end();
    const result = await this.done;
    if (result instanceof Error) throw result;
  }

  /** Aborts the COPY (the caller then drops the connection, which rolls the transaction back). */
  abort(error: Error): void {
    if (!this.stream.writableFinished) this.stream.destroy(error);
  }

  private flush(): void {
    if (!this.buffer.length) return;
    const ok = this.stream.write(this.buffer.join(''));
    this.buffer = [];
    this.chars = 0;
    if (!ok) this.blocked = true;
  }
}

/**
 * Merges that resolve or create pupils take this lock for the rest of their transaction, so two
 * imports (or an import and an enrolment batch) never create the same pupil twice.
 */
export async function lockPupilMerge(client: pg.PoolClient): Promise<void> {
  await client.query(`select pg_advisory_xact_lock(hashtext('doorstroom:pupil-merge'))`);
}

/**
 * What import_pupils' foreign keys used to check row by row, set-based (migration 0011): the
 * imports row exists and stays (FOR KEY SHARE until commit; progress updates through the pool
 * still pass), and so do the pupils the merge found, when `found` names them (a table and its
 * pupil column, of the rows without a problem). Pupils the merge creates need nothing: no
 * other transaction sees them before it commits. A pupil deleted between the merge's lookup and
 * this lock is missing here, and the attempt fails to be retried, as it would have failed on
 * the foreign key. Returns how many pupils it locked.
 */
export async function lockMergeTargets(client: pg.PoolClient, importId: string, found?: { table: string; column: string }): Promise<number> {
  const imports = await client.query('select 1 from imports where id = $1 for key share', [importId]);
  if (imports.rowCount !== 1) throw new Error('the import was deleted while it ran');
  if (!found) return 0;
  const { table, column } = found;
  const { rows } = await client.query<{ wanted: number; locked: number }>(
    `with wanted as (select distinct ${column} as id from ${table} where problem is null and ${column} is not null),
          locked as (select p.id from pupils p join wanted w on w.id = p.id for key share of p)
     select (select count(*) from wanted)::int as wanted, (select count(*) from locked)::int as locked`,
  );
  const { wanted, locked } = rows[0]!;
  if (locked !== wanted) throw new Error(`${wanted - locked} pupils were deleted while the import ran`);
  return locked;
}

/**
 * ANALYZE for a temp table the next statements read more than once: without statistics the
 * planner takes `problem is null` for a few hundred rows and sorts or loops where a hash is
 * many times cheaper. The row count and the columns the merge filters on are enough; every
 * column's statistics cost more than they save.
 */
export async function analyzeIfLarge(client: pg.PoolClient, table: string, rows: number | null, columns: readonly string[]): Promise<void> {
  if ((rows ?? 0) >= 1000) await client.query(`analyze ${table} (${columns.join(', ')})`);
}

/** Per problem code a merge can set: the column to blame and the reason to give. */
export type ProblemLabels = Record<string, { column: string; reason: (firstRow: number | null) => string }>;

export interface Rejections {
  /** Rows the merge rejected. */
  count: number;
  /** The first of them, by row, at most MAX_REPORTED_REJECTIONS. */
  errors: RowError[];
}

export const MAX_REPORTED_REJECTIONS = 10_000;

/** The rows a merge rejected, turned into row errors. */
export async function readRejections(client: pg.PoolClient, table: string, labels: ProblemLabels): Promise<Rejections> {
  const { rows } = await client.query<{ row: number; problem: string; first_row: number | null; total: number }>(
    `select row, problem, first_row, count(*) over ()::int as total from ${table}
     where problem is not null order by row limit ${MAX_REPORTED_REJECTIONS}`,
  );
  return {
    count: rows[0]?.total ?? 0,
    errors: rows.map((r) => ({ row: r.row, column: labels[r.problem]!.column, reason: labels[r.problem]!.reason(r.first_row) })),
  };
}

/**
 * Settings for one merge transaction: sorts and hashes over a whole file stay in memory.
 * temp_buffers can only grow before the session's first temp table, hence the attempt outside
 * the transaction; a pooled session that already had one keeps what it has.
 */
export async function prepareSession(client: pg.PoolClient): Promise<void> {
  await client.query(`set temp_buffers = '128MB'`).catch(() => {});
}

export async function tuneTransaction(client: pg.PoolClient): Promise<void> {
  await client.query(`set local work_mem = '64MB'`);
}
