import { inArray, sql, type SQL } from 'drizzle-orm';
import type { Caller } from '../domain/access.js';
import type { Executor } from '../db/client.js';
import { gemeenteScope, pupilScope } from '../db/scope.js';
import { organisations, pupils } from '../db/schema.js';
import { seesOwnPupils, suppressMatrix, type Cell, type Count } from './suppress.js';

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
  leerweg: string | null;
  mbo_brin: string | null;
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
    )
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
  `);
  return result.rows;
}

const TARGET_ORDER = [...OTHER_DESTINATIONS, UNKNOWN];

/** Names of the schools and mbo's in a report: one small query instead of a name on every row. */
async function namesOf(ex: Executor, rows: FlowRow[]): Promise<Map<string, string>> {
  const codes = new Set<string>();
  for (const r of rows) {
    codes.add(r.school_code);
    if (r.mbo_brin !== null) codes.add(r.mbo_brin);
  }
  if (!codes.size) return new Map();
  const found = await ex
    .select({ code: organisations.code, name: organisations.name })
    .from(organisations)
    .where(inArray(organisations.code, [...codes]));
  return new Map(found.map((o) => [o.code, o.name]));
}

function sourceId(row: FlowRow, opts: FlowsOptions): string {
  return opts.by === 'vestiging' ? row.school_code : `${row.school_code}:${row.leerweg ?? UNKNOWN}`;
}

function sourceLabel(row: FlowRow, opts: FlowsOptions, names: Map<string, string>): string {
  const name = names.has(row.school_code) ? `${names.get(row.school_code)} (${row.school_code})` : row.school_code;
  return opts.by === 'vestiging' ? name : `${name}, ${row.leerweg === null ? 'leerweg onbekend' : row.leerweg}`;
}

function targetId(row: FlowRow): string {
  if (row.mbo_brin === null) return row.destination ?? UNKNOWN;
  const base = `mbo:${row.mbo_brin}:${row.niveau ?? UNKNOWN}`;
  return row.crebo === null ? base : `${base}:${row.crebo}`;
}

function targetLabel(row: FlowRow, names: Map<string, string>): string {
  if (row.mbo_brin === null) {
    const key = row.destination ?? UNKNOWN;
    return DESTINATION_LABELS[key] ?? key;
  }
  const base = `${names.get(row.mbo_brin) ?? row.mbo_brin} niveau ${row.niveau ?? '?'}`;
  return row.crebo === null ? base : `${base}, crebo ${row.crebo}`;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** mbo targets first (by code), then the other destinations in a fixed order, unknown last. */
const targetRank = (id: string) => (id.startsWith('mbo:') ? -1 : TARGET_ORDER.indexOf(id));

/** Nodes in display order, and each node's position on its side. */
function ordered(sources: Map<string, FlowNode>, targets: Map<string, FlowNode>) {
  const sourceList = [...sources.values()].sort((a, b) => byText(a.id, b.id));
  const targetList = [...targets.values()]
    .map((node) => ({ node, rank: targetRank(node.id) }))
    .sort((a, b) => a.rank - b.rank || byText(a.node.id, b.node.id))
    .map((t) => t.node);
  const position = (list: FlowNode[]) => new Map(list.map((n, i) => [n.id, i]));
  return { sourceList, targetList, sourcePosition: position(sourceList), targetPosition: position(targetList) };
}

export async function flowsReport(
  ex: Executor,
  caller: Caller,
  opts: FlowsOptions,
  minCell: number,
  now: Date = new Date(),
): Promise<FlowsReport> {
  const { rows, names } = await inReportTransaction(ex, async (trx) => {
    const found = await queryFlows(trx, caller, opts);
    return { rows: found, names: await namesOf(trx, found) };
  });
  // A national report by crebo has some 100,000 cells: plain loops, labels built once per
  // node, and precomputed sort keys.
  const sources = new Map<string, FlowNode>();
  const targets = new Map<string, FlowNode>();
  const cells: Cell[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i]!;
    const source = sourceId(row, opts);
    const target = targetId(row);
    if (!sources.has(source)) sources.set(source, { id: source, label: sourceLabel(row, opts, names), side: 'source' });
    if (!targets.has(target)) targets.set(target, { id: target, label: targetLabel(row, names), side: 'target' });
    cells[i] = { row: source, col: target, count: row.count };
  }
  const exact = seesOwnPupils(caller.role);
  const matrix = suppressMatrix(cells, minCell, exact);
  const { sourceList, targetList, sourcePosition, targetPosition } = ordered(sources, targets);
  const key = cells.map((c) => sourcePosition.get(c.row)! * targetList.length + targetPosition.get(c.col)!);
  const flows = [...cells.keys()]
    .sort((a, b) => key[a]! - key[b]!)
    .map((i) => ({ source: cells[i]!.row, target: cells[i]!.col, count: matrix.counts[i] ?? null }));
  const record = (list: FlowNode[], totals: Map<string, Count>) =>
    Object.fromEntries(list.map((n) => [n.id, totals.get(n.id) ?? null]));
  return {
    cohort: opts.cohort,
    generatedAt: now.toISOString(),
    suppressed: matrix.suppressed,
    minCell: exact ? 0 : minCell,
    nodes: [...sourceList, ...targetList],
    flows,
    totals: {
      pupils: matrix.total,
      bySource: record(sourceList, matrix.rowTotals),
      byTarget: record(targetList, matrix.colTotals),
    },
  };
}
