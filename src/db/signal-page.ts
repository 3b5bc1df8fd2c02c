import { createHash } from 'node:crypto';
import type pg from 'pg';
import { and, desc, eq, gte, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Caller } from '../domain/access.js';
import { isRmcRegion } from '../domain/organisations.js';
import type { Cursor } from '../http/schemas.js';
import { beforeCursor, cursorTime } from './keyset.js';
import { organisations, pupils, signals } from './schema.js';
import { forOfficers, type SignalFilters } from './signals.js';

/**
 * `GET /v1/signals`, the officers' hot path, as one prepared statement returning plain rows:
 * no query building in PostgreSQL's planner per request, no row objects mapped twice in Node.
 * PostgreSQL renders the timestamps (at full precision for the cursor); Node writes the JSON,
 * which costs it less than json_build_object costs PostgreSQL. The route audits the page.
 */

const dialect = new PgDialect();
/** Statement text → prepared-statement name. The texts differ only by which filters are set: a handful. */
const names = new Map<string, string>();

const iso = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface SignalPageRequest {
  scope: SQL;
  filters: SignalFilters;
  limit: number;
  cursor: Cursor | null;
  caller: Caller;
}

export interface SignalPage {
  /** The items as a JSON array, in the shape of the route's `SignalSummary`. */
  itemsJson: string;
  /** The pupils the page shows, each once: what the route audits. */
  pupilIds: string[];
  /** Where the next page starts; null on the last page. */
  next: Cursor | null;
}

function statement({ scope, filters, limit, cursor, caller }: SignalPageRequest): SQL {
  const filtered = and(
    filters.status ? eq(signals.status, filters.status) : undefined,
    filters.kind ? eq(signals.kind, filters.kind) : undefined,
    filters.gemeente ? eq(signals.gemeenteCode, filters.gemeente) : undefined,
    filters.cohort ? eq(signals.cohort, filters.cohort) : undefined,
    filters.authority ? eq(signals.authority, filters.authority) : undefined,
    filters.since ? gte(signals.openedAt, new Date(filters.since)) : undefined,
    beforeCursor(signals.openedAt, signals.id, cursor, 'uuid'),
  );
  const order = sql`order by ${desc(signals.openedAt)}, ${desc(signals.id)} limit ${limit + 1}`;
  // A region's officer: each municipality's newest signals come off the gemeente index in page
  // order, a page at most each, as (opened_at, id) alone (audience and authority are in the
  // index); only the page's own rows are then read from the table. Finding and sorting every
  // signal of the region, or reading a page of rows per municipality, costs several times more.
  const from = caller.role === 'officer' && isRmcRegion(caller.org)
    ? sql`(select cut.id from (select ${organisations.code} from ${organisations} where ${organisations.parentCode} = ${caller.org}) region,
          lateral (select ${signals.openedAt} as opened_at, ${signals.id} as id from ${signals}
                   where ${signals.gemeenteCode} = region.code and ${and(forOfficers, filtered)} ${order}) cut
          order by cut.opened_at desc, cut.id desc limit ${limit + 1}) top
        join ${signals} on ${signals.id} = top.id`
    : sql`${signals} where ${and(scope, filtered)}`;
  // One row more than the page tells whether there is a next one; only the page's rows are
  // joined to their pupils.
  return sql`
    with page as (
      select ${signals.id} as id, ${signals.pupilId} as pupil_id, ${signals.kind} as kind, ${signals.status} as status,
             ${signals.audience} as audience, ${signals.authority} as authority, ${signals.cohort} as cohort,
             ${signals.gemeenteCode} as gemeente_code, ${signals.schoolCode} as school_code, ${signals.openedAt} as opened_at,
             ${signals.updatedAt} as updated_at, ${signals.closedAt} as closed_at, ${signals.closeReason} as close_reason,
             ${signals.closedBy} as closed_by, ${signals.version} as version
      from ${from} ${order}
    )
    select s.id, s.pupil_id, concat_ws(' ', nullif(${pupils.givenName}, ''), nullif(${pupils.infix}, ''), nullif(${pupils.surname}, '')),
           ${pupils.birthDate}, s.kind, s.status, s.audience, s.authority, s.cohort, s.gemeente_code, s.school_code,
           ${cursorTime(sql`s.opened_at`)}, ${iso(sql`s.updated_at`)}, ${iso(sql`s.closed_at`)}, s.close_reason, s.closed_by, s.version
    from page s join ${pupils} on ${pupils.id} = s.pupil_id
    order by s.opened_at desc, s.id desc`;
}

function prepared(query: { sql: string; params: unknown[] }): pg.QueryConfig {
  let name = names.get(query.sql);
  if (!name) {
    name = `signal_page_${createHash('sha1').update(query.sql).digest('hex').slice(0, 16)}`;
    names.set(query.sql, name);
  }
  return { name, text: query.sql, values: query.params };
}

/** A row as the statement returns it (array mode: no object per row). */
type Row = [
  id: string, pupilId: string, name: string, birthDate: string | null, kind: string, status: string, audience: string,
  authority: string | null, cohort: string, gemeenteCode: string | null, schoolCode: string | null, openedAtUs: string,
  updatedAt: string, closedAt: string | null, closeReason: string | null, closedBy: string | null, version: number,
];

export async function signalPage(pool: pg.Pool, request: SignalPageRequest): Promise<SignalPage> {
  const { rows } = await pool.query<Row>({ ...prepared(dialect.sqlToQuery(statement(request))), rowMode: 'array' });
  const shown = rows.length > request.limit ? rows.slice(0, request.limit) : rows;
  const items = shown.map((r) => ({
    id: r[0],
    pupil: { id: r[1], name: r[2], birthDate: r[3] },
    kind: r[4], status: r[5], audience: r[6], authority: r[7], cohort: r[8], gemeenteCode: r[9], schoolCode: r[10],
    // The cursor keeps microseconds; the API's timestamps are milliseconds, like Date#toISOString.
    openedAt: `${r[11].slice(0, 23)}Z`, updatedAt: r[12], closedAt: r[13], closeReason: r[14], closedBy: r[15], version: r[16],
  }));
  const last = shown.at(-1);
  return {
    itemsJson: JSON.stringify(items),
    pupilIds: [...new Set(shown.map((r) => r[1]))],
    next: rows.length > request.limit && last ? { at: last[11], id: last[0] } : null,
  };
}
