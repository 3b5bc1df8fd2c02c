/**
 * Small-number suppression for reports. A count of 1 to minCell - 1 pupils in a cell can
 * identify a person ("the one pupil from De Brug who went to Vakschool Proef"), so callers who
 * may not see the pupils themselves get such cells as null.
 *
 * Who gets exact counts: a mentor (the leavers of the own school) and an officer (the pupils
 * living in the own municipality or region) may open every pupil behind a cell anyway. An mbo
 * sees flows from schools that are not its own, and an admin reads aggregates, never pupil
 * files: both get suppressed cells.
 *
 * Totals (the rule is deliberately simple, not a full complementary-suppression audit):
 * - a total is itself a count and is suppressed when it is small;
 * - a total is also suppressed when exactly one of the parts it sums was suppressed, because
 *   the total minus the visible parts would give that one cell back. With two or more
 *   suppressed parts only their sum is revealed, which is what the threshold allows.
 * - a grand total is checked against its cells and against the row and column totals under it.
 * Zero is never suppressed: "nobody" identifies nobody.
 */

import type { Role } from '../domain/access.js';

export type Count = number | null;

/** True for the roles that may see the individual pupils of their whole report scope. */
export function seesOwnPupils(role: Role): boolean {
  return role === 'mentor' || role === 'officer';
}

export function suppressCount(count: number, minCell: number): Count {
  return count > 0 && count < minCell ? null : count;
}

/** A total of `sum` over parts of which `hidden` were suppressed. */
function marginTotal(sum: number, hidden: number, minCell: number): Count {
  return hidden === 1 || suppressCount(sum, minCell) === null ? null : sum;
}

/** A total over parts that were already suppressed (null) or not. */
export function suppressTotal(total: number, parts: ReadonlyArray<Count>, minCell: number): Count {
  let hidden = 0;
  for (const p of parts) if (p === null) hidden += 1;
  return marginTotal(total, hidden, minCell);
}

/**
 * A two-way table (rows x columns, e.g. school x destination) as parallel arrays: cell i counts
 * count[i] pupils in row row[i] and column col[i], rows and columns numbered from 0. Numbers,
 * not names: a national table by crebo has some 100,000 cells, and margins kept in arrays cost
 * a fraction of margins kept in maps by name.
 */
export interface Grid {
  row: ArrayLike<number>;
  col: ArrayLike<number>;
  count: ArrayLike<number>;
  rows: number;
  cols: number;
}

export interface SuppressedGrid {
  /** The cells' counts, in the order of the cells given. */
  counts: Count[];
  rowTotals: Count[];
  colTotals: Count[];
  total: Count;
  /** Whether anything at all was hidden. */
  suppressed: boolean;
}

/** Margin totals from their sums and hidden parts, and how many of them were hidden. */
function totalsOf(sums: Float64Array, hidden: Uint32Array, minCell: number): { totals: Count[]; hidden: number } {
  const totals: Count[] = new Array(sums.length);
  let hiddenTotals = 0;
  for (let i = 0; i < sums.length; i += 1) {
    const total = marginTotal(sums[i]!, hidden[i]!, minCell);
    if (total === null) hiddenTotals += 1;
    totals[i] = total;
  }
  return { totals, hidden: hiddenTotals };
}

/**
 * Suppresses a two-way table and its margins. minCell 0 or 1 hides nothing; pass exact = true
 * for a caller who may see the pupils. Linear in the cells.
 */
export function suppressGrid(grid: Grid, minCell: number, exact = false): SuppressedGrid {
  const limit = exact ? 0 : minCell;
  const n = grid.count.length;
  const counts: Count[] = new Array(n);
  const rowSums = new Float64Array(grid.rows);
  const rowHidden = new Uint32Array(grid.rows);
  const colSums = new Float64Array(grid.cols);
  const colHidden = new Uint32Array(grid.cols);
  let sum = 0;
  let hiddenCells = 0;
  for (let i = 0; i < n; i += 1) {
    const raw = grid.count[i]!;
    const count = suppressCount(raw, limit);
    const hidden = count === null ? 1 : 0;
    counts[i] = count;
    sum += raw;
    hiddenCells += hidden;
    const row = grid.row[i]!;
    const col = grid.col[i]!;
    rowSums[row] = rowSums[row]! + raw;
    rowHidden[row] = rowHidden[row]! + hidden;
    colSums[col] = colSums[col]! + raw;
    colHidden[col] = colHidden[col]! + hidden;
  }
  const rowTotals = totalsOf(rowSums, rowHidden, limit);
  const colTotals = totalsOf(colSums, colHidden, limit);
  const hiddenByPart = hiddenCells === 1 || rowTotals.hidden === 1 || colTotals.hidden === 1;
  const total = hiddenByPart ? null : suppressCount(sum, limit);
  const suppressed = hiddenCells + rowTotals.hidden + colTotals.hidden > 0 || total === null;
  return { counts, rowTotals: rowTotals.totals, colTotals: colTotals.totals, total, suppressed };
}

/** A share n / of, hidden when either count is hidden (the share and one count give the other). */
export function share(n: Count, of: Count): number | null {
  if (n === null || of === null) return null;
  return of === 0 ? 0 : Math.round((n / of) * 10_000) / 10_000;
}

export type Counts = Readonly<Record<string, number>>;
export type SuppressedCounts = Record<string, Count>;

/** A named count of a row; one the row does not have is 0. */
export function countIn(row: Readonly<Record<string, Count>>, key: string): Count {
  const value = row[key];
  return value === undefined ? 0 : value;
}

/** Counts within one row that add up to another count of that row (cohort size = sum of statuses). */
export interface Partition {
  total: string;
  parts: readonly string[];
}

export interface SuppressedRows {
  groups: SuppressedCounts[][];
  total: SuppressedCounts;
  suppressed: boolean;
}

/**
 * Rows of named counts and a total row. Each group is one breakdown of the same pupils (per
 * school, per municipality): the total row is the sum of every group's rows, so a total count
 * is hidden when exactly one row of any group hid that count. A count missing from a row is 0.
 */
export function suppressRows(
  groups: ReadonlyArray<ReadonlyArray<Counts>>,
  total: Counts,
  partitions: readonly Partition[],
  minCell: number,
  exact = false,
): SuppressedRows {
  const limit = exact ? 0 : minCell;
  const withPartitions = (raw: Counts, out: SuppressedCounts): SuppressedCounts => {
    for (const p of partitions) {
      if (out[p.total] === null || !(p.total in raw)) continue;
      out[p.total] = suppressTotal(raw[p.total]!, p.parts.map((k) => countIn(out, k)), limit);
    }
    return out;
  };
  const outGroups = groups.map((rows) =>
    rows.map((raw) =>
      withPartitions(raw, Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, suppressCount(v, limit)]))),
    ),
  );
  const outTotal: SuppressedCounts = {};
  for (const [key, value] of Object.entries(total)) {
    const hiddenByGroup = outGroups.some((rows) => suppressTotal(value, rows.map((r) => countIn(r, key)), limit) === null);
    outTotal[key] = hiddenByGroup ? null : suppressCount(value, limit);
  }
  withPartitions(total, outTotal);
  const suppressed = [...outGroups.flat(), outTotal].some((r) => Object.values(r).includes(null));
  return { groups: outGroups, total: outTotal, suppressed };
}
