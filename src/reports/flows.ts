import { sql, type SQL } from 'drizzle-orm';
import type { Caller } from '../domain/access.js';
import type { Executor } from '../db/client.js';
import { gemeenteScope, pupilScope } from '../db/scope.js';
import { pupils } from '../db/schema.js';
import { seesOwnPupils, suppressMatrix, type Count } from './suppress.js';

/**
 * "Bestemming na het vmbo": how many leavers of each vmbo vestiging went where.
 *
 * A pupil's destination is the best of their mbo applications and enrolments: one that
 * started (ingeschreven/uitgeschreven with a start date) beats a placement (an offer, or an
 * ingeschreven without a start date), which beats an open application (aangemeld); ties go to
 * the latest update. Failed applications (leidt_niet_tot_inschrijving, teruggetrokken) and an
 * uitgeschreven that never started are no destination. Without any, the destination the school
 * recorded (havo_vwo, vo, ...) counts, and otherwise the pupil is "onbekend". A pupil known
 * only from an mbo (no vmbo vestiging) is no vmbo leaver and is not counted.
 */

export const OTHER_DESTINATIONS = ['havo_vwo', 'vo', 'buitenland', 'werk', 'vrijstelling', 'overig'] as const;
export const UNKNOWN = 'onbekend';

const DESTINATION_LABELS: Record<string, string> = {
  havo_vwo: 'havo/vwo',
  vo: 'ander voortgezet onderwijs',
  buitenland: 'buitenland',
  werk: 'werk',
  vrijstelling: 'vrijstelling',
  overig: 'overige bestemming',
  [UNKNOWN]: 'onbekend / geen inschrijving',
};

export interface FlowsOptions {
  cohort: string;
  /** vestiging: one source per vestiging; leerweg: per vestiging and vmbo leerweg. */
  by: 'vestiging' | 'leerweg';
  /** niveau: mbo targets per instelling and niveau; crebo: also per opleiding. */
  detail: 'niveau' | 'crebo';
  /** Only pupils living in this RMC region (narrows the caller's scope, never widens it). */
  region?: string;
}

export interface FlowNode {
  id: string;
  label: string;
  side: 'source' | 'target';
}

export interface Flow {
  source: string;
  target: string;
  /** null: suppressed, fewer than minCell pupils. */
  count: Count;
}

export interface FlowsReport {
  cohort: string;
  generatedAt: string;
  suppressed: boolean;
  /** The threshold in force for this caller; 0 when the caller gets exact counts. */
  minCell: number;
  nodes: FlowNode[];
  flows: Flow[];
  totals: { pupils: Count; bySource: Record<string, Count>; byTarget: Record<string, Count> };
}

/**
 * Runs report queries in one transaction with settings for reading a whole cohort:
 * no JIT (the planner misestimates the cohort joins and would spend seconds compiling a query
 * that runs in a fraction of that) and enough work_mem that sorts and hashes stay in memory.
 */
export async function inReportTransaction<T>(ex: Executor, run: (trx: Executor) => Promise<T>): Promise<T> {
  return ex.transaction(async (trx) => {
    await trx.execute(sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
    return run(trx);
  });
}

/** The leavers of a cohort a report may count for this caller. */
export function reportPupils(caller: Caller, cohort: string, region: string | undefined): SQL {
  return sql`${pupils.cohort} = ${cohort} and ${pupils.schoolCode} is not null and ${pupilScope(caller)}
    ${region ? sql`and ${gemeenteScope(region, pupils.gemeenteCode)}` : sql``}`;
}

interface FlowRow extends Record<string, unknown> {
  school_code: string;
  school_name: string | null;
  leerweg: string | null;
  mbo_brin: string | null;
  mbo_name: string | null;
  niveau: number | null;
  crebo: string | null;
  destination: string | null;
  count: number;
}

async function queryFlows(ex: Executor, caller: Caller, opts: FlowsOptions): Promise<FlowRow[]> {
  const otherDestinations = sql.join(OTHER_DESTINATIONS.map((d) => sql`${d}`), sql`, `);
  const scope = reportPupils(caller, opts.cohort, opts.region);
  // No CTE over the scoped pupils: both halves read pupils directly and the planner hashes each.
  const result = await ex.execute<FlowRow>(sql`
    with best as (
      select distinct on (e.pupil_id) e.pupil_id, e.mbo_brin, e.niveau, e.crebo
      from enrolments e join ${pupils} on ${pupils.id} = e.pupil_id
      where ${scope}
        and (e.status in ('ingeschreven', 'onderwijsovereenkomst_aangeboden', 'aangemeld')
             or (e.status = 'uitgeschreven' and e.start_date is not null))
      order by e.pupil_id,
               case when e.status in ('ingeschreven', 'uitgeschreven') and e.start_date is not null then 0
                    when e.status in ('onderwijsovereenkomst_aangeboden', 'ingeschreven') then 1
                    else 2 end,
               e.updated_at desc, e.id
    ), grouped as (
      select ${pupils.schoolCode} as school_code,
             ${opts.by === 'leerweg' ? sql`${pupils.leerweg}` : sql`null::text`} as leerweg,
             b.mbo_brin, b.niveau,
             ${opts.detail === 'crebo' ? sql`b.crebo` : sql`null::text`} as crebo,
             case when b.pupil_id is not null then null
                  when ${pupils.destination} in (${otherDestinations}) then ${pupils.destination}
                  when ${pupils.destination} is not null then 'overig'
                  else ${UNKNOWN} end as destination,
             count(*)::int as count
      from ${pupils} left join best b on b.pupil_id = ${pupils.id}
      where ${scope} ${caller.role === 'mbo' ? sql`and b.mbo_brin = ${caller.org}` : sql``}
      group by 1, 2, 3, 4, 5, 6
    )
    select g.*, so.name as school_name, mo.name as mbo_name
    from grouped g
    left join organisations so on so.code = g.school_code
    left join organisations mo on mo.code = g.mbo_brin
  `);
  return result.rows;
}

const TARGET_ORDER = [...OTHER_DESTINATIONS, UNKNOWN];

function sourceOf(row: FlowRow, opts: FlowsOptions): FlowNode {
  const name = row.school_name ? `${row.school_name} (${row.school_code})` : row.school_code;
  if (opts.by === 'vestiging') return { id: row.school_code, label: name, side: 'source' };
  const leerweg = row.leerweg ?? UNKNOWN;
  const label = `${name}, ${row.leerweg === null ? 'leerweg onbekend' : row.leerweg}`;
  return { id: `${row.school_code}:${leerweg}`, label, side: 'source' };
}

function targetOf(row: FlowRow): FlowNode {
  if (row.mbo_brin === null) {
    const key = row.destination ?? UNKNOWN;
    return { id: key, label: DESTINATION_LABELS[key] ?? key, side: 'target' };
  }
  const niveau = row.niveau === null ? UNKNOWN : String(row.niveau);
  const name = row.mbo_name ?? row.mbo_brin;
  const base = `${name} niveau ${niveau === UNKNOWN ? '?' : niveau}`;
  return row.crebo === null
    ? { id: `mbo:${row.mbo_brin}:${niveau}`, label: base, side: 'target' }
    : { id: `mbo:${row.mbo_brin}:${niveau}:${row.crebo}`, label: `${base}, crebo ${row.crebo}`, side: 'target' };
}

/** mbo targets first (by code), then the other destinations in a fixed order, unknown last. */
function compareTargets(a: string, b: string): number {
  const rank = (id: string) => (id.startsWith('mbo:') ? -1 : TARGET_ORDER.indexOf(id));
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export async function flowsReport(
  ex: Executor,
  caller: Caller,
  opts: FlowsOptions,
  minCell: number,
  now: Date = new Date(),
): Promise<FlowsReport> {
  const rows = await inReportTransaction(ex, (trx) => queryFlows(trx, caller, opts));
  const nodes = new Map<string, FlowNode>();
  const cells = rows.map((row) => {
    const source = sourceOf(row, opts);
    const target = targetOf(row);
    nodes.set(source.id, source);
    nodes.set(target.id, target);
    return { row: source.id, col: target.id, count: row.count };
  });
  const exact = seesOwnPupils(caller.role);
  const matrix = suppressMatrix(cells, minCell, exact);
  const order = (a: FlowNode, b: FlowNode) =>
    a.side !== b.side ? (a.side === 'source' ? -1 : 1) : a.side === 'source' ? (a.id < b.id ? -1 : 1) : compareTargets(a.id, b.id);
  const sortedNodes = [...nodes.values()].sort(order);
  const position = new Map(sortedNodes.map((n, i) => [n.id, i]));
  const flows = matrix.cells
    .map((c) => ({ source: c.row, target: c.col, count: c.count }))
    .sort((a, b) => position.get(a.source)! - position.get(b.source)! || position.get(a.target)! - position.get(b.target)!);
  const record = (ids: FlowNode[], totals: Map<string, Count>) =>
    Object.fromEntries(ids.map((n) => [n.id, totals.has(n.id) ? totals.get(n.id)! : 0]));
  return {
    cohort: opts.cohort,
    generatedAt: now.toISOString(),
    suppressed: matrix.suppressed,
    minCell: exact ? 0 : minCell,
    nodes: sortedNodes,
    flows,
    totals: {
      pupils: matrix.total,
      bySource: record(sortedNodes.filter((n) => n.side === 'source'), matrix.rowTotals),
      byTarget: record(sortedNodes.filter((n) => n.side === 'target'), matrix.colTotals),
    },
  };
}
