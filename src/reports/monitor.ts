import { sql, type SQL } from 'drizzle-orm';
import type { Caller } from '../domain/access.js';
import { cohortCalendar, parseCohort, type CohortCalendar, type IsoDate } from '../domain/calendar.js';
import type { TransitionStatus } from '../domain/transition.js';
import type { Db, Executor } from '../db/client.js';
import { pupils } from '../db/schema.js';
import { factColumns, knownOn, regionStarts, startdatum, transitionStatusSql } from '../db/transition-sql.js';
import { inReportTransaction, reportPupils } from './flows.js';
import { countIn, seesOwnPupils, share, suppressRows, type Count, type Counts, type SuppressedCounts } from './suppress.js';

/**
 * The monitor: per school (vestiging) and per municipality, how far the cohort is on a date.
 *
 * The status counts are transitionStatus (src/domain/transition.ts) evaluated set-based for
 * every pupil on asOf by the SQL the nightly check uses too (src/db/transition-sql.ts): facts
 * reported after asOf are ignored, and the check start date is the one of the pupil's region
 * (via the woongemeente), as in monitoringCalendar. So
 * `geplaatst` is "placed and not yet started" on asOf, `gestart` an active enrolment, and so on;
 * the nine statuses add up to the cohort size.
 * `aangemeldVoor1April` counts pupils with an application or enrolment applied for before the
 * aanmelddatum (and known on asOf). Signals are counted in their state now, whatever asOf is:
 * their history is not replayed. A dossier is overgedragen once definitief (a received
 * dossier was handed over first); shares are of the cohort size.
 */

export const STATUSES = [
  'niet_aangemeld', 'aangemeld', 'niet_geplaatst', 'geplaatst', 'gestart', 'niet_gestart', 'uitgevallen', 'elders',
  'vrijgesteld',
] as const satisfies readonly TransitionStatus[];

export interface MonitorRow {
  code: string | null;
  name: string | null;
  cohortSize: Count;
  aangemeldVoor1April: Count;
  geplaatst: Count;
  gestart: Count;
  nietGestart: Count;
  uitgevallen: Count;
  statuses: Record<TransitionStatus, Count>;
  signals: { open: Count; inBehandeling: Count; afgesloten: Record<string, Count> };
  dossiers: { overgedragen: Count; ontvangen: Count; overgedragenShare: number | null; ontvangenShare: number | null };
}

export interface MonitorReport {
  cohort: string;
  asOf: IsoDate;
  generatedAt: string;
  suppressed: boolean;
  minCell: number;
  /** The cohort's default calendar; a region may start checking on another day. */
  calendar: CohortCalendar;
  schools: MonitorRow[];
  gemeenten: MonitorRow[];
  totals: MonitorRow;
}

type Level = 'school' | 'gemeente' | 'totaal';
const levelOf = sql`case when grouping(x.school_code) = 0 then 'school' when grouping(x.gemeente_code) = 0 then 'gemeente' else 'totaal' end`;

interface StatusRow extends Record<string, unknown> {
  level: Level;
  code: string | null;
  name: string | null;
  cohort_size: number;
  early: number;
  overgedragen: number;
  ontvangen: number;
}

interface SignalRow extends Record<string, unknown> {
  level: Level;
  code: string | null;
  status: 'open' | 'in_behandeling' | 'afgesloten';
  reason: string | null;
  count: number;
}

/**
 * Each pupil the monitor counts: status on asOf (the shared SQL of transitionStatus, with the
 * start date of the pupil's region) and what else a row counts. One pass over the scoped pupils
 * and their enrolments, grouped per pupil: scoping the enrolments first and joining the pupils
 * again read and hashed the whole cohort twice.
 */
export function monitorPupils(caller: Caller, cohort: string, asOf: IsoDate, region?: string): SQL {
  const { aanmelddatum } = cohortCalendar(cohort);
  const d = sql`${asOf}::date`;
  const status = transitionStatusSql({
    destination: sql`p.destination`,
    flags: sql`p.flags`,
    lastEnded: sql`p.last_ended`,
    anyFact: sql`p.facts > 0`,
    started: sql`${d} >= ${startdatum(sql`${parseCohort(cohort)!.endYear}::int`)}`,
  });
  return sql`
    select p.id, p.school_code, p.gemeente_code, ${status} as status, coalesce(p.early, false) as early,
           dos.status in ('definitief', 'ontvangen') as overgedragen,
           dos.status = 'ontvangen' as ontvangen
    from (
      select ${pupils.id}, ${pupils.schoolCode}, ${pupils.gemeenteCode}, ${pupils.destination}, ${factColumns(d)},
             count(e.pupil_id) as facts, bool_or(e.applied_on < ${aanmelddatum}::date) as early
      from ${pupils}
      left join enrolments e on e.pupil_id = ${pupils.id} and ${knownOn(d)}
      where ${reportPupils(caller, cohort, region)}
      group by ${pupils.id}
    ) p
    left join (${regionStarts()}) rs on rs.gemeente_code = p.gemeente_code
    left join dossiers dos on dos.pupil_id = p.id and dos.school_code = p.school_code`;
}

async function queryStatuses(ex: Executor, caller: Caller, cohort: string, asOf: IsoDate, region?: string): Promise<StatusRow[]> {
  const counts = sql.join(STATUSES.map((s) => sql`count(*) filter (where x.status = ${s})::int as ${sql.identifier(s)}`), sql`, `);
  const result = await ex.execute<StatusRow>(sql`
    with grouped as (
      select ${levelOf} as level, coalesce(x.school_code, x.gemeente_code) as code,
             count(*)::int as cohort_size, count(*) filter (where x.early)::int as early,
             count(*) filter (where x.overgedragen)::int as overgedragen,
             count(*) filter (where x.ontvangen)::int as ontvangen, ${counts}
      from (${monitorPupils(caller, cohort, asOf, region)}) x
      group by grouping sets ((x.school_code), (x.gemeente_code), ())
    )
    select grouped.*, o.name from grouped left join organisations o on o.code = grouped.code
  `);
  return result.rows;
}

async function querySignals(ex: Executor, caller: Caller, cohort: string, region?: string): Promise<SignalRow[]> {
  const result = await ex.execute<SignalRow>(sql`
    select ${levelOf} as level, coalesce(x.school_code, x.gemeente_code) as code, x.status, x.reason, count(*)::int as count
    from (
      select ${pupils.schoolCode} as school_code, ${pupils.gemeenteCode} as gemeente_code, s.status,
             case when s.status = 'afgesloten' then coalesce(s.close_reason, 'onbekend') end as reason
      from signals s join ${pupils} on ${pupils.id} = s.pupil_id
      where s.cohort = ${cohort} and ${reportPupils(caller, cohort, region)}
    ) x
    group by grouping sets ((x.school_code, x.status, x.reason), (x.gemeente_code, x.status, x.reason), (x.status, x.reason))
  `);
  return result.rows;
}

const rowKey = (level: Level, code: string | null) => `${level}\u0000${code ?? ''}`;

function flatCounts(row: StatusRow): Record<string, number> {
  const flat: Record<string, number> = {
    cohortSize: row.cohort_size,
    aangemeldVoor1April: row.early,
    'dossiers:overgedragen': row.overgedragen,
    'dossiers:ontvangen': row.ontvangen,
    'signals:open': 0,
    'signals:in_behandeling': 0,
  };
  for (const s of STATUSES) flat[`status:${s}`] = Number(row[s] ?? 0);
  return flat;
}

function shape(code: string | null, name: string | null, c: SuppressedCounts): MonitorRow {
  const get = (key: string): Count => countIn(c, key);
  const statuses = Object.fromEntries(STATUSES.map((s) => [s, get(`status:${s}`)])) as Record<TransitionStatus, Count>;
  const afgesloten = Object.fromEntries(
    Object.keys(c).filter((k) => k.startsWith('afgesloten:')).sort().map((k) => [k.slice('afgesloten:'.length), countIn(c, k)]),
  );
  const overgedragen = get('dossiers:overgedragen');
  const ontvangen = get('dossiers:ontvangen');
  return {
    code,
    name,
    cohortSize: get('cohortSize'),
    aangemeldVoor1April: get('aangemeldVoor1April'),
    geplaatst: statuses.geplaatst,
    gestart: statuses.gestart,
    nietGestart: statuses.niet_gestart,
    uitgevallen: statuses.uitgevallen,
    statuses,
    signals: { open: get('signals:open'), inBehandeling: get('signals:in_behandeling'), afgesloten },
    dossiers: {
      overgedragen,
      ontvangen,
      overgedragenShare: share(overgedragen, get('cohortSize')),
      ontvangenShare: share(ontvangen, get('cohortSize')),
    },
  };
}

/**
 * The status and signal queries run at once, each on a connection of its own: a national
 * monitor then takes as long as its status query. They never shared a snapshot (read
 * committed gives each statement its own), so nothing is lost by it. Hence a Db, not a
 * transaction.
 */
export async function monitorReport(
  db: Db,
  caller: Caller,
  opts: { cohort: string; asOf: IsoDate; region?: string },
  minCell: number,
  now: Date = new Date(),
): Promise<MonitorReport> {
  const [statusRows, signalRows] = await Promise.all([
    inReportTransaction(db, (trx) => queryStatuses(trx, caller, opts.cohort, opts.asOf, opts.region)),
    inReportTransaction(db, (trx) => querySignals(trx, caller, opts.cohort, opts.region)),
  ]);
  const rows = new Map(statusRows.map((r) => [rowKey(r.level, r.code), { row: r, counts: flatCounts(r) }]));
  for (const s of signalRows) {
    const target = rows.get(rowKey(s.level, s.code));
    if (!target) continue;
    const key = s.status === 'afgesloten' ? `afgesloten:${s.reason}` : `signals:${s.status}`;
    target.counts[key] = (target.counts[key] ?? 0) + s.count;
  }
  const byCode = (a: { row: StatusRow }, b: { row: StatusRow }) =>
    a.row.code === b.row.code ? 0 : a.row.code === null ? 1 : b.row.code === null ? -1 : a.row.code < b.row.code ? -1 : 1;
  const level = (l: Level) => [...rows.values()].filter((r) => r.row.level === l).sort(byCode);
  const schools = level('school');
  const gemeenten = level('gemeente');
  // The () grouping set gives the total row even over no pupils at all.
  const total = level('totaal')[0]!.counts;
  const exact = seesOwnPupils(caller.role);
  const partition = { total: 'cohortSize', parts: STATUSES.map((s) => `status:${s}`) };
  const suppressed = suppressRows(
    [schools.map((r) => r.counts as Counts), gemeenten.map((r) => r.counts as Counts)],
    total,
    [partition],
    minCell,
    exact,
  );
  return {
    cohort: opts.cohort,
    asOf: opts.asOf,
    generatedAt: now.toISOString(),
    suppressed: suppressed.suppressed,
    minCell: exact ? 0 : minCell,
    calendar: cohortCalendar(opts.cohort),
    schools: schools.map((r, i) => shape(r.row.code, r.row.name, suppressed.groups[0]![i]!)),
    gemeenten: gemeenten.map((r, i) => shape(r.row.code, r.row.name, suppressed.groups[1]![i]!)),
    totals: shape(null, null, suppressed.total),
  };
}
