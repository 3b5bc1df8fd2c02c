import { createHash } from 'node:crypto';
import type pg from 'pg';
import { and, desc, eq, gte, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Caller } from '../domain/access.js';
import { isRmcRegion } from '../domain/organisations.js';
import type { Cursor } from '../http/schemas.js';
import { beforeCursor, cursorTime } from './keyset.js';
import { auditLog, organisations, pupils, signals } from './schema.js';
import { forOfficers, type SignalFilters } from './signals.js';

/**
 * `GET /v1/signals`, the officers' hot path, as one prepared statement: it cuts the page, writes
 * the audit record of the pupils it shows, and renders the items as JSON. One round trip and one
 * commit per request, no rows turned into objects and back into JSON in Node, and a read that
 * cannot happen without its audit record (they are one statement). The JSON's shape is the
 * route's `SignalSummary` schema; the signals tests parse every list with it.
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
  requestId: string;
}

export interface SignalPage {
  /** The items as a JSON array. */
  itemsJson: string;
  /** Where the next page starts; null on the last page. */
  next: Cursor | null;
}

function statement({ scope, filters, limit, cursor, caller, requestId }: SignalPageRequest): SQL {
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
  // One row more than the page tells whether there is a next one.
  return sql`
    with page as (
      select ${signals.id} as id, ${signals.pupilId} as pupil_id, ${signals.kind} as kind, ${signals.status} as status,
             ${signals.audience} as audience, ${signals.authority} as authority, ${signals.cohort} as cohort,
             ${signals.gemeenteCode} as gemeente_code, ${signals.schoolCode} as school_code, ${signals.openedAt} as opened_at,
             ${signals.updatedAt} as updated_at, ${signals.closedAt} as closed_at, ${signals.closeReason} as close_reason,
             ${signals.closedBy} as closed_by, ${signals.version} as version
      from ${from} ${order}
    ),
    shown as (select * from page order by opened_at desc, id desc limit ${limit}),
    audit as (
      insert into ${auditLog} (actor_sub, actor_role, actor_org, action, resource_type, pupil_ids, request_id)
      select ${caller.sub}, ${caller.role}, ${caller.org}, 'signal.list', 'signal',
             coalesce(array_agg(distinct pupil_id), '{}'), ${requestId}
      from shown
    )
    select
      (select coalesce(json_agg(json_build_object(
          'id', s.id,
          'pupil', json_build_object(
            'id', s.pupil_id,
            'name', concat_ws(' ', nullif(${pupils.givenName}, ''), nullif(${pupils.infix}, ''), nullif(${pupils.surname}, '')),
            'birthDate', ${pupils.birthDate}),
          'kind', s.kind, 'status', s.status, 'audience', s.audience, 'authority', s.authority, 'cohort', s.cohort,
          'gemeenteCode', s.gemeente_code, 'schoolCode', s.school_code,
          'openedAt', ${iso(sql`s.opened_at`)}, 'updatedAt', ${iso(sql`s.updated_at`)}, 'closedAt', ${iso(sql`s.closed_at`)},
          'closeReason', s.close_reason, 'closedBy', s.closed_by, 'version', s.version
        ) order by s.opened_at desc, s.id desc), '[]')::text
       from shown s join ${pupils} on ${pupils.id} = s.pupil_id) as items,
      (select count(*) from page) > ${limit} as more,
      (select ${cursorTime(sql`opened_at`)} from shown order by opened_at, id limit 1) as last_at,
      (select id::text from shown order by opened_at, id limit 1) as last_id`;
}

function prepared(query: { sql: string; params: unknown[] }): pg.QueryConfig {
  let name = names.get(query.sql);
  if (!name) {
    name = `signal_page_${createHash('sha1').update(query.sql).digest('hex').slice(0, 16)}`;
    names.set(query.sql, name);
  }
  return { name, text: query.sql, values: query.params };
}

export async function signalPage(pool: pg.Pool, request: SignalPageRequest): Promise<SignalPage> {
  const { rows } = await pool.query<{ items: string; more: boolean; last_at: string | null; last_id: string | null }>(
    prepared(dialect.sqlToQuery(statement(request))),
  );
  const row = rows[0]!;
  return { itemsJson: row.items, next: row.more && row.last_at && row.last_id ? { at: row.last_at, id: row.last_id } : null };
}
