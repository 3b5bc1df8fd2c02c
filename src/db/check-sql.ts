import { sql, type SQL } from 'drizzle-orm';
import type { IsoDate } from '../domain/calendar.js';
import { monitoredCohorts } from '../domain/transition.js';
import { enqueueSignalNotifications, type SignalChange } from '../notify/outbox.js';
import type { Executor } from './client.js';
import { factColumns, knownOn, regionStarts, startdatum, transitionStatusSql } from './transition-sql.js';

/**
 * The transition check, set-based: `transitionStatus`, `signalFor`, `responsibleAuthority` and
 * `closeReason` of src/domain as one SQL statement over every monitored pupil (or just the given
 * ones). The statement computes the signal each pupil should have on the date, opens the missing
 * ones, reopens those that closed by themselves, closes the unresolved ones whose condition is
 * gone, and writes one signal_event per change. It changes only what differs, so a second run
 * for the same date writes nothing. The status rules are src/db/transition-sql.ts, shared
 * with the monitor. test/integration/check-parity.test.ts proves the SQL and the TypeScript
 * rules agree; change both or neither.
 */

/**
 * Every check (nightly, manual, per-pupil) takes this lock: two never interleave their writes.
 * The trigger that deletes a deleted pupil's signals (migration 0009) takes it too.
 */
export const CHECK_LOCK = 4_711_2026;

export interface CheckScope {
  asOf: IsoDate;
  /** Only these pupils (the evaluate job); all monitored pupils when absent. */
  pupilIds?: readonly string[];
  /** Recorded on the signal events; null for a per-pupil evaluation. */
  checkRunId?: string | null;
}

export interface CheckOutcome {
  /** Pupils of a monitored cohort that were judged. */
  evaluated: number;
  opened: number;
  reopened: number;
  closed: number;
  /** What enqueueSignalNotifications was given: empty when nobody subscribes to anything. */
  changes: SignalChange[];
}

interface Row extends Record<string, unknown> {
  evaluated: number;
  opened: number;
  reopened: number;
  closed: number;
  changes: Array<{
    signalId: string;
    change: 'opened' | 'reopened' | 'closed';
    kind: string;
    audience: SignalChange['audience'];
    gemeenteCode: string | null;
    schoolCode: string | null;
  }>;
}

const onlyPupils = (column: SQL, pupilIds: readonly string[] | undefined) =>
  pupilIds ? sql`and ${column} = any(${sql.param(pupilIds)}::uuid[])` : sql``;

/**
 * The rules as CTEs, ending in `judged`: per pupil of a monitored cohort (and per pupil with an
 * unresolved signal, which may need closing) its status, authority, in_window, and the signal
 * kind and audience it should have on D (null for none).
 *
 * What is the same for many pupils is computed once: the calendar per cohort, the start day
 * per municipality, and the birth dates at which the authority changes on D. Per pupil there
 * are only comparisons left, which is what keeps a cohort of 100k+ pupils cheap.
 */
function judgement({ asOf, pupilIds }: CheckScope, { everyone = false } = {}): SQL {
  const d = sql`${asOf}::date`;
  const unresolved = sql`(select pupil_id from signals where status <> 'afgesloten' ${onlyPupils(sql`pupil_id`, pupilIds)})`;
  return sql`
    -- cohortCalendar, once per monitored cohort (those whose window contains D: one or two).
    cohorts as materialized (
      select k.cohort, k.y,
        make_date(k.y, 4, 1) as aanmelddatum,
        make_date(k.y, 7, 1) as plaatsingsdatum,
        make_date(k.y, 10, 1) as teldatum
      from (select m.cohort, right(m.cohort, 4)::int as y
            from unnest(${sql.param(monitoredCohorts(asOf))}::text[]) as m(cohort)) k
    ),
    -- monitoringCalendar: the month and day a municipality's region starts, where it set a valid one.
    region_starts as materialized (${regionStarts()}),
    -- responsibleAuthority by birth date. ageOn(b, D) >= n exactly when b <= D - n years (with
    -- 29 February clamped, as Postgres does; the same as date_part('year', age(D, b)) >= n), and
    -- D <= leerplichtEndsOn(b) exactly when b is on or after 1 August, 17 years before the end
    -- of the school year that contains D.
    thresholds as (
      select
        make_date(extract(year from ${d})::int + case when extract(month from ${d}) >= 8 then 1 else 0 end - 17, 8, 1)
          as leerplichtig_from,
        (${d} - interval '18 years')::date as turned_18_by,
        (${d} - interval '23 years')::date as turned_23_by
    ),
    judged as materialized (
      select k.id, k.cohort, k.gemeente_code, k.school_code, k.in_window, k.status, k.authority, k.kind,
        case k.kind
          when 'niet_aangemeld' then 'school'
          when 'niet_geplaatst' then case when k.status = 'aangemeld' then 'school' else 'both' end
          when 'niet_gestart' then 'officer'
          when 'uitgevallen' then 'officer'
        end as audience
      from (
        select s.*,
          -- signalFor
          case
            when not s.in_window then null
            when s.status = 'uitgevallen' then
              case when s.last_ended < s.teldatum and s.authority is not null then 'uitgevallen' end
            when s.status = 'niet_gestart' then case when s.authority is not null then 'niet_gestart' end
            when s.status in ('aangemeld', 'niet_geplaatst') then
              case when ${d} >= s.plaatsingsdatum then 'niet_geplaatst' end
            when s.status = 'niet_aangemeld' then case when ${d} > s.aanmelddatum then 'niet_aangemeld' end
          end as kind
        from (
          select p.id, p.cohort, p.gemeente_code, p.school_code, c.cohort is not null as in_window,
            c.aanmelddatum, c.plaatsingsdatum, c.teldatum, f.last_ended,
            ${transitionStatusSql({
              destination: sql`p.destination`,
              flags: sql`f.flags`,
              lastEnded: sql`f.last_ended`,
              anyFact: sql`f.pupil_id is not null`,
              // A pupil outside the monitored cohorts (no c) is here only to have a signal
              // closed; its end year is the one in its cohort's name, checked below.
              started: sql`${d} >= ${startdatum(sql`coalesce(c.y, right(p.cohort, 4)::int)`)}`,
            })} as status,
            -- An unknown birth date is taken as leerplicht: the woongemeente can find out, while
            -- nobody would look for a pupil whom no authority is given.
            case
              when p.birth_date is null then 'leerplicht'
              when p.birth_date >= t.leerplichtig_from then 'leerplicht'
              when p.has_startkwalificatie then null
              when p.birth_date > t.turned_18_by then 'leerplicht'
              when p.birth_date > t.turned_23_by then 'rmc'
            end as authority
          from pupils p
          left join cohorts c on c.cohort = p.cohort
          cross join thresholds t
          left join region_starts rs on rs.gemeente_code = p.gemeente_code
          -- The known facts of each pupil (reported on or before D), folded into what the rules ask.
          left join (
            select e.pupil_id, ${factColumns(d)}
            from enrolments e
            where ${knownOn(d)} ${onlyPupils(sql`e.pupil_id`, pupilIds)}
            group by e.pupil_id
          ) f on f.pupil_id = p.id
          -- the monitored cohorts, and whoever still has an unresolved signal (to close it)
          where (c.cohort is not null or (p.id in ${unresolved}
            and case when p.cohort ~ '^\\d{4}-\\d{4}$'
              then right(p.cohort, 4)::int = left(p.cohort, 4)::int + 1 else false end))
            ${onlyPupils(sql`p.id`, pupilIds)}
            -- Most pupils have started (or gone elsewhere): no signal, so nothing to judge,
            -- unless one of theirs is still open and must be closed.
            ${everyone ? sql`` : sql`and ((p.destination is null and coalesce(f.flags & 1, 0) = 0) or p.id in ${unresolved})`}
          -- offset 0 keeps Postgres from inlining status into every later test of it, which
          -- would compute the status a dozen times per pupil
          offset 0
        ) s
        offset 0
      ) k
      -- The rest has nothing to open or close; leaving it out keeps this CTE small.
      ${everyone ? sql`` : sql`where k.kind is not null or k.id in ${unresolved}`}
    )`;
}

export function checkStatement(scope: CheckScope): SQL {
  const { pupilIds, checkRunId } = scope;
  return sql`
    with ${judgement(scope)},
    desired as (
      select j.id as pupil_id, j.cohort, j.kind, j.audience, j.authority, j.gemeente_code, j.school_code
      from judged j
      where j.kind is not null
    ),
    -- Each desired signal beside the signal it has (of any status), and each unresolved signal
    -- beside the desired one it no longer has: one join for what to open and what to close.
    compared as (
      select d.pupil_id, d.cohort, d.kind, d.audience, d.authority, d.gemeente_code, d.school_code,
        s.id as signal_id, s.pupil_id as signal_pupil_id, s.status as old_status, s.version as old_version,
        case
          when d.pupil_id is null then 'close'
          when s.id is null then 'opened'
          when s.status = 'afgesloten' then case when s.closed_by is null then 'reopened' end
          when (s.audience, s.authority, s.gemeente_code, s.school_code)
            is distinct from (d.audience, d.authority, d.gemeente_code, d.school_code) then 'updated'
        end as change
      from desired d
      full join (
        -- desired signals are of monitored cohorts; unresolved ones may be of any
        select id, pupil_id, kind, cohort, status, version, closed_by, audience, authority, gemeente_code, school_code
        from signals
        where (cohort = any(${sql.param(monitoredCohorts(scope.asOf))}::text[]) or status <> 'afgesloten')
          ${onlyPupils(sql`pupil_id`, pupilIds)}
      ) s on s.pupil_id = d.pupil_id and s.kind = d.kind and s.cohort = d.cohort
      where d.pupil_id is not null or s.status <> 'afgesloten'
    ),
    planned as (select * from compared where change in ('opened', 'reopened', 'updated')),
    -- New signals: a plain insert, not ON CONFLICT, whose speculative insertion costs a first
    -- night with 20k new signals some 15%. Nothing can conflict: every writer of new signals
    -- holds the check lock, and this statement saw every signal there is.
    inserted as (
      insert into signals (pupil_id, kind, cohort, audience, authority, gemeente_code, school_code)
      select pupil_id, kind, cohort, audience, authority, gemeente_code, school_code
      from planned
      where change = 'opened'
      returning id, kind, audience, gemeente_code, school_code
    ),
    -- Reopen what closed by itself (never what a person closed), reroute what stays unresolved.
    -- The version guard leaves a signal that an officer changed meanwhile to the next run.
    updated as (
      update signals s set
        status = case when s.status = 'afgesloten' then 'open' else s.status end,
        opened_at = case when s.status = 'afgesloten' then now() else s.opened_at end,
        closed_at = case when s.status = 'afgesloten' then null else s.closed_at end,
        close_reason = case when s.status = 'afgesloten' then null else s.close_reason end,
        audience = p.audience,
        authority = p.authority,
        gemeente_code = p.gemeente_code,
        school_code = p.school_code,
        version = s.version + 1,
        updated_at = now()
      from planned p
      where p.change in ('reopened', 'updated') and s.id = p.signal_id and s.version = p.old_version
      returning s.id, p.change, p.old_status, s.status, s.kind, s.audience, s.gemeente_code, s.school_code
    ),
    -- closeReason: what the pupil did explains the closing, else a successor signal, else the
    -- pupil left what the check watches.
    closing as (
      select c.signal_id as id, c.old_version as version, c.old_status,
        case j.status
          when 'gestart' then 'ingeschreven'
          when 'elders' then 'elders_onderwijs_of_werk'
          when 'vrijgesteld' then 'vrijstelling'
          when 'geplaatst' then 'geplaatst'
          when 'aangemeld' then 'aangemeld'
          else case when j.kind is not null then 'opgevolgd' else 'buiten_doelgroep' end
        end as reason
      from compared c
      left join judged j on j.id = c.signal_pupil_id
      where c.change = 'close'
    ),
    closed as (
      update signals s
      set status = 'afgesloten', closed_at = now(), close_reason = c.reason, closed_by = null,
        version = s.version + 1, updated_at = now()
      from closing c
      where s.id = c.id and s.version = c.version
      returning s.id, c.old_status, c.reason, s.kind, s.audience, s.gemeente_code, s.school_code
    ),
    changes as (
      select id, 'opened' as change, null::text as from_status, 'open' as to_status, null::text as reason,
        kind, audience, gemeente_code, school_code
      from inserted
      union all
      select id, change, old_status, status, null, kind, audience, gemeente_code, school_code
      from updated
      union all
      select id, 'closed', old_status, 'afgesloten', reason, kind, audience, gemeente_code, school_code
      from closed
    ),
    -- A routing update (audience, authority, municipality) of a signal that stays unresolved is
    -- not an event of the case, so only openings and closings are written down.
    events as (
      insert into signal_events (signal_id, action, from_status, to_status, reason, check_run_id)
      select id, case change when 'closed' then 'auto_closed' else change end, from_status, to_status, reason,
        ${checkRunId ?? null}::uuid
      from changes
      where change <> 'updated'
      returning 1
    )
    select
      (select count(*)::int from pupils p
        where p.cohort = any(${sql.param(monitoredCohorts(scope.asOf))}::text[]) ${onlyPupils(sql`p.id`, pupilIds)}) as evaluated,
      -- Notifications go to subscriptions only: without any, the changes need not leave the database.
      coalesce((
        select json_agg(json_build_object('signalId', id, 'change', change, 'kind', kind, 'audience', audience,
          'gemeenteCode', gemeente_code, 'schoolCode', school_code))
        from changes
        where change <> 'updated' and exists (select 1 from subscriptions where active)
      ), '[]'::json) as changes,
      (select count(*) filter (where change = 'opened')::int from changes) as opened,
      (select count(*) filter (where change = 'reopened')::int from changes) as reopened,
      (select count(*) filter (where change = 'closed')::int from changes) as closed
  `;
}

/**
 * Runs the check inside the caller's transaction (so a check run's bookkeeping commits with its
 * signals), after taking the check lock. Notifications for every opened, reopened and closed
 * signal go into the outbox in the same transaction.
 */
export async function checkSignals(trx: Executor, scope: CheckScope): Promise<CheckOutcome> {
  if (scope.pupilIds && scope.pupilIds.length === 0) {
    return { evaluated: 0, opened: 0, reopened: 0, closed: 0, changes: [] };
  }
  await trx.execute(sql`select pg_advisory_xact_lock(${CHECK_LOCK})`);
  // The statement is wide and its cost estimates large: JIT would spend seconds compiling
  // expressions that run in milliseconds.
  await trx.execute(sql`set local jit = off`);
  // One pass over a cohort hashes ~100k rows; the default 4 MB would spill them to disk.
  await trx.execute(sql`set local work_mem = '64MB'`);
  // The commit need not wait for its WAL to reach disk: a crash right after it loses the run
  // and its signals together (one transaction), and the next run recomputes them from the facts.
  await trx.execute(sql`set local synchronous_commit = off`);
  const result = await trx.execute<Row>(checkStatement(scope));
  const row = result.rows[0]!;
  const changes: SignalChange[] = row.changes;
  if (changes.length > 0) await enqueueSignalNotifications(trx, changes);
  return { evaluated: row.evaluated, opened: row.opened, reopened: row.reopened, closed: row.closed, changes };
}

export interface Judgement {
  pupilId: string;
  cohort: string;
  status: string;
  authority: 'leerplicht' | 'rmc' | null;
  kind: string | null;
  audience: 'school' | 'officer' | 'both' | null;
}

/** What the check would decide for each pupil of a monitored cohort on the date; writes nothing. */
export async function judgePupils(ex: Executor, scope: CheckScope): Promise<Judgement[]> {
  const result = await ex.execute<Record<string, unknown>>(sql`
    with ${judgement(scope, { everyone: true })}
    select id, cohort, status, authority, kind, audience from judged where in_window
  `);
  return result.rows.map((r) => ({
    pupilId: r.id as string,
    cohort: r.cohort as string,
    status: r.status as string,
    authority: r.authority as Judgement['authority'],
    kind: r.kind as string | null,
    audience: r.audience as Judgement['audience'],
  }));
}

/** Unresolved signals per kind (all cohorts): what a check run reports as its counts. */
export async function unresolvedCounts(ex: Executor): Promise<Record<string, number>> {
  const result = await ex.execute<{ kind: string; n: number }>(
    sql`select kind, count(*)::int as n from signals where status <> 'afgesloten' group by kind`,
  );
  return Object.fromEntries(result.rows.map((r) => [r.kind, r.n]));
}
