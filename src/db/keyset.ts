import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { HttpProblem } from '../http/problems.js';
import type { Cursor } from '../http/schemas.js';

/**
 * A timestamp for a keyset cursor at PostgreSQL's full (microsecond) precision: a JS Date keeps
 * milliseconds only, and a cursor rounded to them would skip rows written in the same millisecond.
 */
export const cursorTime = (column: AnyPgColumn | SQL): SQL<string> =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Rows after the cursor in (time desc, id desc) order; undefined (no condition) without one. */
export function beforeCursor(at: AnyPgColumn, id: AnyPgColumn, cursor: Cursor | null, idType: 'uuid' | 'bigint'): SQL | undefined {
  if (!cursor) return undefined;
  if (idType === 'uuid' ? !/^[0-9a-f-]{36}$/i.test(cursor.id) : !/^\d{1,19}$/.test(cursor.id)) {
    throw new HttpProblem('validation-error', 'cursor is not one this API handed out');
  }
  return sql`(${at}, ${id}) < (${cursor.at}::timestamptz, ${cursor.id}::${sql.raw(idType)})`;
}
