import { sql } from 'drizzle-orm';
import type { Caller } from '../src/domain/access.js';
import type { Services } from '../src/services.js';
import { flowsReport, type FlowsOptions } from '../src/reports/flows.js';
import { monitorReport } from '../src/reports/monitor.js';
import { flowsCsv, monitorCsv } from '../src/reports/csv.js';
import { flowsSvg } from '../src/reports/sankey.js';
import { cohortCalendar } from '../src/domain/calendar.js';

/**
 * Report timings on whatever cohort is in the database (the national benchmark cohort: 120k
 * pupils). Each figure is the median of a few runs after a warm-up, in milliseconds, for the
 * work a request does apart from HTTP: the queries, suppression, and rendering the
 * representation (JSON.stringify for JSON). The budget is 1000 ms per report.
 *
 * Callers: an admin over everything (the heaviest scope), and the largest officer region,
 * mentor school and mbo in the data, so every scope's query plan is exercised.
 */

export interface ReportTimings {
  flowsMs: number;
  flowsCreboMs: number;
  flowsCsvMs: number;
  flowsSvgMs: number;
  monitorMs: number;
  monitorCsvMs: number;
  officerFlowsMs: number;
  officerMonitorMs: number;
  mentorFlowsMs: number;
  mentorMonitorMs: number;
  mboFlowsMs: number;
  mboMonitorMs: number;
  pupils: number;
}

const RUNS = 3;

async function median(run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(RUNS / 2)]! * 10) / 10;
}

/** The largest region, school and mbo of the cohort: the heaviest scope each role can have. */
async function largestScopes(services: Services, cohort: string) {
  const { rows } = await services.database.db.execute<{ kind: string; code: string | null; pupils: number }>(sql`
    (select 'region' as kind, g.parent_code as code, count(*)::int as pupils
       from pupils p join organisations g on g.code = p.gemeente_code
      where p.cohort = ${cohort} and g.parent_code is not null group by 2 order by 3 desc limit 1)
    union all
    (select 'school', p.school_code, count(*)::int from pupils p
      where p.cohort = ${cohort} and p.school_code is not null group by 2 order by 3 desc limit 1)
    union all
    (select 'mbo', e.mbo_brin, count(*)::int from enrolments e join pupils p on p.id = e.pupil_id
      where p.cohort = ${cohort} group by 2 order by 3 desc limit 1)
    union all
    (select 'cohort', null, count(*)::int from pupils p where p.cohort = ${cohort})
  `);
  const code = (kind: string) => rows.find((r) => r.kind === kind)?.code ?? null;
  return {
    region: code('region'),
    school: code('school'),
    mbo: code('mbo'),
    pupils: rows.find((r) => r.kind === 'cohort')?.pupils ?? 0,
  };
}

export async function benchReports(services: Services, cohort: string): Promise<ReportTimings> {
  const { db } = services.database;
  const { minCell } = services.config.reports;
  // After the teldatum: every status and both monitor queries do their full work.
  const asOf = cohortCalendar(cohort).teldatum;
  const scopes = await largestScopes(services, cohort);
  const admin: Caller = { sub: 'bench', role: 'admin', org: 'RMC01' };
  const officer: Caller = { sub: 'bench', role: 'officer', org: scopes.region ?? 'RMC01' };
  const mentor: Caller = { sub: 'bench', role: 'mentor', org: scopes.school ?? '00AA00' };
  const mbo: Caller = { sub: 'bench', role: 'mbo', org: scopes.mbo ?? '00AA' };
  const options: FlowsOptions = { cohort, by: 'vestiging', detail: 'niveau' };

  const flowsJson = (caller: Caller, opts = options) => async () =>
    JSON.stringify(await flowsReport(db, caller, opts, minCell));
  const monitorJson = (caller: Caller) => async () =>
    JSON.stringify(await monitorReport(db, caller, { cohort, asOf }, minCell));

  return {
    flowsMs: await median(flowsJson(admin)),
    flowsCreboMs: await median(flowsJson(admin, { ...options, detail: 'crebo' })),
    flowsCsvMs: await median(async () => flowsCsv(await flowsReport(db, admin, options, minCell))),
    flowsSvgMs: await median(async () => flowsSvg(await flowsReport(db, admin, options, minCell))),
    monitorMs: await median(monitorJson(admin)),
    monitorCsvMs: await median(async () => monitorCsv(await monitorReport(db, admin, { cohort, asOf }, minCell))),
    officerFlowsMs: await median(flowsJson(officer)),
    officerMonitorMs: await median(monitorJson(officer)),
    mentorFlowsMs: await median(flowsJson(mentor)),
    mentorMonitorMs: await median(monitorJson(mentor)),
    mboFlowsMs: await median(flowsJson(mbo)),
    mboMonitorMs: await median(monitorJson(mbo)),
    pupils: scopes.pupils,
  };
}
