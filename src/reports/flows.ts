import { inArray, sql, type SQL } from 'drizzle-orm';
import type { Caller } from '../domain/access.js';
import type { Executor } from '../db/client.js';
import { gemeenteScope, pupilScope } from '../db/scope.js';
import { organisations, pupils } from '../db/schema.js';
import { seesOwnPupils, suppressGrid, type Count } from './suppress.js';

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

/**
 * The cells of the report, column by column: cell i counts count[i] pupils of school[i] (and
 * leerweg[i]) who went to mbo[i] at niveau[i] (and crebo[i]), or, without an mbo, to
 * destination[i].
 */
interface FlowCells {
  school: string[];
  leerweg: Array<string | null>;
  mbo: Array<string | null>;
  niveau: Array<number | null>;
  crebo: Array<string | null>;
  destination: Array<string | null>;
  count: number[];
}

/**
 * The cells in one statement and one pass over the scoped pupils: each pupil beside its
 * candidate enrolments, the best kept by DISTINCT ON, then counted per cell. (Reading the
 * pupils twice, once to scope the enrolments and once for the pupils without any, cost a
 * second scan and hash join of the whole cohort.)
 *
 * A national report by crebo has ~100,000 cells. As rows, reading them costs the driver half
 * of what the query costs the database; as a JSON array per row, writing them costs the
 * database as much. As one JSON value of seven arrays, one per column, both are cheap:
 * array_to_json escapes each text, and the array_aggs of one aggregate see the rows in the
 * same order, so element i of each array is cell i.
 */
async function queryFlows(ex: Executor, caller: Caller, opts: FlowsOptions): Promise<FlowCells> {
  const otherDestinations = sql.join(OTHER_DESTINATIONS.map((d) => sql`${d}`), sql`, `);
  const result = await ex.execute<{ columns: Array<unknown[] | null> }>(sql`
    select json_build_array(array_agg(c.school_code), array_agg(c.leerweg), array_agg(c.mbo_brin), array_agg(c.niveau),
                            array_agg(c.crebo), array_agg(c.destination), array_agg(c.count)) as columns
    from (
      select b.school_code, b.leerweg, b.mbo_brin, b.niveau, b.crebo,
             -- mbo_brin is not null for every enrolment: null here means no best enrolment
             case when b.mbo_brin is not null then null
                  when b.destination in (${otherDestinations}) then b.destination
                  when b.destination is not null then 'overig'
                  else ${UNKNOWN} end as destination,
             count(*)::int as count
      from (
        select distinct on (${pupils.id}) ${pupils.schoolCode} as school_code,
               ${opts.by === 'leerweg' ? sql`${pupils.leerweg}` : sql`null::text`} as leerweg,
               ${pupils.destination} as destination, e.mbo_brin, e.niveau,
               ${opts.detail === 'crebo' ? sql`e.crebo` : sql`null::text`} as crebo
        from ${pupils}
        left join enrolments e on e.pupil_id = ${pupils.id}
          and (e.status in ('ingeschreven', 'onderwijsovereenkomst_aangeboden', 'aangemeld')
               or (e.status = 'uitgeschreven' and e.start_date is not null))
        where ${reportPupils(caller, opts.cohort, opts.region)}
        order by ${pupils.id},
                 case when e.status in ('ingeschreven', 'uitgeschreven') and e.start_date is not null then 0
                      when e.status in ('onderwijsovereenkomst_aangeboden', 'ingeschreven') then 1
                      else 2 end,
                 e.updated_at desc, e.id
      ) b
      ${caller.role === 'mbo' ? sql`where b.mbo_brin = ${caller.org}` : sql``}
      group by 1, 2, 3, 4, 5, 6
    ) c
  `);
  // Over no cells at all, each array_agg is null.
  const [school, leerweg, mbo, niveau, crebo, destination, count] = result.rows[0]!.columns.map((column) => column ?? []);
  return { school, leerweg, mbo, niveau, crebo, destination, count } as FlowCells;
}

const TARGET_ORDER = [...OTHER_DESTINATIONS, UNKNOWN];

/** Names of the schools and mbo's in a report. */
async function namesOf(ex: Executor, codes: string[]): Promise<Map<string, string>> {
  if (!codes.length) return new Map();
  const found = await ex
    .select({ code: organisations.code, name: organisations.name })
    .from(organisations)
    // One array parameter: a national report names some 500 organisations.
    .where(sql`${organisations.code} = any(${sql.param(codes)}::text[])`);
  return new Map(found.map((o) => [o.code, o.name]));
}

function sourceId(cells: FlowCells, i: number, opts: FlowsOptions): string {
  return opts.by === 'vestiging' ? cells.school[i]! : `${cells.school[i]}:${cells.leerweg[i] ?? UNKNOWN}`;
}

function sourceLabel(cells: FlowCells, i: number, opts: FlowsOptions, names: Map<string, string>): string {
  const code = cells.school[i]!;
  const name = names.has(code) ? `${names.get(code)} (${code})` : code;
  return opts.by === 'vestiging' ? name : `${name}, ${cells.leerweg[i] ?? 'leerweg onbekend'}`;
}

function targetId(cells: FlowCells, i: number): string {
  const mbo = cells.mbo[i] ?? null;
  if (mbo === null) return cells.destination[i] ?? UNKNOWN;
  const base = `mbo:${mbo}:${cells.niveau[i] ?? UNKNOWN}`;
  const crebo = cells.crebo[i] ?? null;
  return crebo === null ? base : `${base}:${crebo}`;
}

function targetLabel(cells: FlowCells, i: number, names: Map<string, string>): string {
  const mbo = cells.mbo[i] ?? null;
  if (mbo === null) {
    const key = cells.destination[i] ?? UNKNOWN;
    return DESTINATION_LABELS[key] ?? key;
  }
  const base = `${names.get(mbo) ?? mbo} niveau ${cells.niveau[i] ?? '?'}`;
  const crebo = cells.crebo[i] ?? null;
  return crebo === null ? base : `${base}, crebo ${crebo}`;
}

/** Numbers the distinct values of key over the n cells: each cell's node, and a cell of each node. */
function numbered(n: number, key: (i: number) => string) {
  const index = new Map<string, number>();
  const of = new Int32Array(n);
  const ids: string[] = [];
  const first: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const id = key(i);
    let node = index.get(id);
    if (node === undefined) {
      node = ids.length;
      index.set(id, node);
      ids.push(id);
      first.push(i);
    }
    of[i] = node;
  }
  return { of, ids, first };
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** mbo targets first (by code), then the other destinations in a fixed order, unknown last. */
const targetRank = (id: string) => (id.startsWith('mbo:') ? -1 : TARGET_ORDER.indexOf(id));

/** Nodes in display order (as node numbers), and each node's position in it. */
function displayed(ids: string[], compare: (a: string, b: string) => number) {
  const order = ids.map((_, i) => i).sort((a, b) => compare(ids[a]!, ids[b]!));
  const position = new Int32Array(ids.length);
  order.forEach((node, at) => (position[node] = at));
  return { order, position };
}

/**
 * The cells in display order: by source position, then target position. key * n + i stays
 * below 2^53 and keeps equal keys in the order given; a typed array sorts those natively,
 * several times faster than a comparator sort of 100,000 cells.
 */
function displayOrder(source: Int32Array, target: Int32Array, sourcePos: Int32Array, targetPos: Int32Array, targets: number) {
  const n = source.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i += 1) keys[i] = (sourcePos[source[i]!]! * targets + targetPos[target[i]!]!) * n + i;
  keys.sort();
  const order = new Int32Array(n);
  for (let j = 0; j < n; j += 1) order[j] = keys[j]! % n;
  return order;
}

export async function flowsReport(
  ex: Executor,
  caller: Caller,
  opts: FlowsOptions,
  minCell: number,
  now: Date = new Date(),
): Promise<FlowsReport> {
  const { cells, sources, targets, names } = await inReportTransaction(ex, async (trx) => {
    const found = await queryFlows(trx, caller, opts);
    const n = found.count.length;
    const bySource = numbered(n, (i) => sourceId(found, i, opts));
    const byTarget = numbered(n, (i) => targetId(found, i));
    const codes = new Set([...bySource.first.map((i) => found.school[i]!), ...byTarget.first.flatMap((i) => found.mbo[i] ?? [])]);
    return { cells: found, sources: bySource, targets: byTarget, names: await namesOf(trx, [...codes]) };
  });
  const sourceNodes: FlowNode[] = sources.ids.map((id, k) => ({ id, label: sourceLabel(cells, sources.first[k]!, opts, names), side: 'source' }));
  const targetNodes: FlowNode[] = targets.ids.map((id, k) => ({ id, label: targetLabel(cells, targets.first[k]!, names), side: 'target' }));
  const count = Int32Array.from(cells.count);
  const exact = seesOwnPupils(caller.role);
  const matrix = suppressGrid({ row: sources.of, col: targets.of, count, rows: sourceNodes.length, cols: targetNodes.length }, minCell, exact);

  // Sources by id; targets mbo first (by id), then the other destinations in a fixed order.
  const sourceOrder = displayed(sources.ids, byText);
  const targetOrder = displayed(targets.ids, (a, b) => targetRank(a) - targetRank(b) || byText(a, b));
  const order = displayOrder(sources.of, targets.of, sourceOrder.position, targetOrder.position, targetNodes.length);
  const flows: Flow[] = new Array(order.length);
  for (let j = 0; j < order.length; j += 1) {
    const i = order[j]!;
    flows[j] = { source: sources.ids[sources.of[i]!]!, target: targets.ids[targets.of[i]!]!, count: matrix.counts[i]! };
  }
  const record = (ids: string[], nodeOrder: number[], totals: Count[]) =>
    Object.fromEntries(nodeOrder.map((i) => [ids[i]!, totals[i]!]));
  return {
    cohort: opts.cohort,
    generatedAt: now.toISOString(),
    suppressed: matrix.suppressed,
    minCell: exact ? 0 : minCell,
    nodes: [...sourceOrder.order.map((i) => sourceNodes[i]!), ...targetOrder.order.map((i) => targetNodes[i]!)],
    flows,
    totals: {
      pupils: matrix.total,
      bySource: record(sources.ids, sourceOrder.order, matrix.rowTotals),
      byTarget: record(targets.ids, targetOrder.order, matrix.colTotals),
    },
  };
}
