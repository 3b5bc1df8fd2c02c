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

/** A total over parts that were already suppressed (null) or not. */
export function suppressTotal(total: number, parts: ReadonlyArray<Count>, minCell: number): Count {
  if (suppressCount(total, minCell) === null) return null;
  let hidden = 0;
  for (const p of parts) if (p === null) hidden += 1;
  return hidden === 1 ? null : total;
}

export interface Cell {
  row: string;
  col: string;
  count: number;
}

export interface SuppressedMatrix {
  cells: Array<{ row: string; col: string; count: Count }>;
  rowTotals: Map<string, Count>;
  colTotals: Map<string, Count>;
  total: Count;
  /** Whether anything at all was hidden. */
  suppressed: boolean;
}

/**
 * A two-way table (rows x columns, e.g. school x destination) with its margins. minCell 0 or 1
 * hides nothing; pass exact = true for a caller who may see the pupils.
 */
export function suppressMatrix(cells: ReadonlyArray<Cell>, minCell: number, exact = false): SuppressedMatrix {
  const limit = exact ? 0 : minCell;
  const out = cells.map((c) => ({ row: c.row, col: c.col, count: suppressCount(c.count, limit) }));
  const rowParts = new Map<string, { sum: number; parts: Count[] }>();
  const colParts = new Map<string, { sum: number; parts: Count[] }>();
  let sum = 0;
  for (const [i, c] of cells.entries()) {
    sum += c.count;
    for (const [map, key] of [[rowParts, c.row], [colParts, c.col]] as const) {
      const entry = map.get(key) ?? { sum: 0, parts: [] };
      entry.sum += c.count;
      entry.parts.push(out[i]!.count);
      map.set(key, entry);
    }
  }
  const margin = (map: Map<string, { sum: number; parts: Count[] }>) =>
    new Map([...map].map(([key, e]) => [key, suppressTotal(e.sum, e.parts, limit)] as const));
  const rowTotals = margin(rowParts);
  const colTotals = margin(colParts);
  const cellCounts = out.map((c) => c.count);
  const total = [cellCounts, [...rowTotals.values()], [...colTotals.values()]].some(
    (parts) => suppressTotal(sum, parts, limit) === null,
  )
    ? null
    : sum;
  const suppressed =
    cellCounts.includes(null) || [...rowTotals.values(), ...colTotals.values()].includes(null) || total === null;
  return { cells: out, rowTotals, colTotals, total, suppressed };
}

/** A share n / of, hidden when either count is hidden (the share and one count give the other). */
export function share(n: Count, of: Count): number | null {
  if (n === null || of === null) return null;
  return of === 0 ? 0 : Math.round((n / of) * 10_000) / 10_000;
}

export type Counts = Readonly<Record<string, number>>;
export type SuppressedCounts = Record<string, Count>;

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
  const valueOf = (row: Readonly<Record<string, Count>>, key: string): Count => (key in row ? row[key]! : 0);
  const withPartitions = (raw: Counts, out: SuppressedCounts): SuppressedCounts => {
    for (const p of partitions) {
      if (out[p.total] === null || !(p.total in raw)) continue;
      out[p.total] = suppressTotal(raw[p.total]!, p.parts.map((k) => valueOf(out, k)), limit);
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
    const hiddenByGroup = outGroups.some((rows) => suppressTotal(value, rows.map((r) => valueOf(r, key)), limit) === null);
    outTotal[key] = hiddenByGroup ? null : suppressCount(value, limit);
  }
  withPartitions(total, outTotal);
  const suppressed = [...outGroups.flat(), outTotal].some((r) => Object.values(r).includes(null));
  return { groups: outGroups, total: outTotal, suppressed };
}
