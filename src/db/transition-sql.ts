import { sql, type SQL } from 'drizzle-orm';

/**
 * transitionStatus (src/domain/transition.ts) in SQL: the one SQL copy of the status rules,
 * used by the nightly check (src/db/check-sql.ts) and the monitor (src/reports/monitor.ts).
 * test/integration/check-parity.test.ts proves both uses equal to the TypeScript rules; change
 * the rules there and here, or neither.
 *
 * The facts of a pupil are folded into two aggregates over its enrolments `e` (see factColumns),
 * so the status is a chain of comparisons per pupil, whatever the query around it groups by.
 */

/**
 * The region start dates cohortCalendar accepts: MM-DD strictly between 1 July and 1 October
 * and a real day. Anything else falls back to 1 September, as monitoringCalendar does.
 */
const VALID_START_DATE = '^(07-(0[2-9]|[12][0-9]|3[01])|08-(0[1-9]|[12][0-9]|3[01])|09-(0[1-9]|[12][0-9]|30))$';

/**
 * monitoringCalendar's start date per municipality, as rows (gemeente_code, month, day): only
 * the municipalities whose region set a valid one. Join it as `rs` and use startdatum(y).
 */
export function regionStarts(): SQL {
  return sql`
    select g.code as gemeente_code,
      left(r.check_start_date, 2)::int as month, right(r.check_start_date, 2)::int as day
    from organisations g
    join organisations r on r.code = g.parent_code and r.kind = 'regio'
    where r.check_start_date ~ ${VALID_START_DATE}`;
}

/** The start date of cohort end year y for a pupil beside its regionStarts row `rs` (or none). */
export function startdatum(y: SQL): SQL {
  return sql`case when rs.gemeente_code is null then make_date(${y}, 9, 1) else make_date(${y}, rs.month, rs.day) end`;
}

/** An enrolment fact `e` reported after D did not exist yet for a judgement on D. */
export function knownOn(d: SQL): SQL {
  return sql`(e.applied_on is null or e.applied_on <= ${d})`;
}

/**
 * Aggregates over the known facts `e` of one pupil: `flags`, a bit per fact the rules ask about
 * (1 an active enrolment, 2 one enrolled to start later, 4 an offer, 8 an application), and
 * `last_ended`, the latest end date of the ended enrolments (null when none ended). A row of
 * `e` that is all null (an outer join without facts) adds nothing.
 */
export function factColumns(d: SQL): SQL {
  return sql`
    bit_or(case
      when e.status in ('ingeschreven', 'uitgeschreven') and e.start_date <= ${d}
        and (e.end_date is null or e.end_date > ${d}) then 1
      when e.status = 'ingeschreven' and (e.start_date is null or e.start_date > ${d}) then 2
      when e.status = 'onderwijsovereenkomst_aangeboden' then 4
      when e.status = 'aangemeld' then 8
      else 0
    end) as flags,
    max(e.end_date) filter (where e.status in ('ingeschreven', 'uitgeschreven') and e.start_date <= ${d}
      and e.end_date <= ${d}) as last_ended`;
}

export interface StatusInputs {
  /** The pupil's destination column. */
  destination: SQL;
  /** factColumns' flags and last_ended of the pupil (flags null or 0 when it has no known facts). */
  flags: SQL;
  lastEnded: SQL;
  /** True when the pupil has any known fact at all. */
  anyFact: SQL;
  /** True when D is on or after the pupil's start date (rule 6). */
  started: SQL;
}

/** transitionStatus, rule by rule: the first match wins. */
export function transitionStatusSql({ destination, flags, lastEnded, anyFact, started }: StatusInputs): SQL {
  return sql`case
    when ${destination} = 'vrijstelling' then 'vrijgesteld'
    when ${flags} & 1 <> 0 then 'gestart'
    when ${destination} is not null then 'elders'
    when ${lastEnded} is not null then 'uitgevallen'
    when ${flags} & 2 <> 0 then 'geplaatst'
    when ${started} then 'niet_gestart'
    when ${flags} & 4 <> 0 then 'geplaatst'
    when ${flags} & 8 <> 0 then 'aangemeld'
    when ${anyFact} then 'niet_geplaatst'
    else 'niet_aangemeld'
  end`;
}
