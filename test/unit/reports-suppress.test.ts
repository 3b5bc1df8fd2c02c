import { describe, expect, it } from 'vitest';
import { seesOwnPupils, share, suppressCount, suppressGrid, suppressRows, suppressTotal } from '../../src/reports/suppress.js';

describe('suppressCount', () => {
  it.each([
    [0, 5, 0],
    [1, 5, null],
    [4, 5, null],
    [5, 5, 5],
    [120, 5, 120],
    [2, 3, null],
    [3, 3, 3],
    [1, 0, 1],
    [1, 1, 1],
  ])('%i with threshold %i -> %s (zero identifies nobody)', (count, minCell, expected) => {
    expect(suppressCount(count, minCell)).toBe(expected);
  });
});

describe('suppressTotal', () => {
  it('hides a total when exactly one part is hidden: the visible parts would give it back', () => {
    expect(suppressTotal(9, [6, null], 5)).toBeNull();
  });
  it('keeps a total over two or more hidden parts: only their sum shows', () => {
    expect(suppressTotal(9, [6, null, null], 5)).toBe(9);
  });
  it('hides a total that is itself small', () => {
    expect(suppressTotal(4, [null, null], 5)).toBeNull();
  });
  it('keeps a total when nothing under it is hidden', () => {
    expect(suppressTotal(11, [6, 5, 0], 5)).toBe(11);
  });
});

describe('seesOwnPupils', () => {
  it('gives exact counts to mentors and officers, not to mbo staff or admins', () => {
    expect([seesOwnPupils('mentor'), seesOwnPupils('officer'), seesOwnPupils('mbo'), seesOwnPupils('admin')]).toEqual([
      true, true, false, false,
    ]);
  });
});

describe('suppressGrid', () => {
  // Rows A, B, C and columns x, y, z, numbered from 0.
  const cells = [
    { row: 'A', col: 'x', count: 6 },
    { row: 'A', col: 'y', count: 2 },
    { row: 'A', col: 'z', count: 1 },
    { row: 'B', col: 'x', count: 5 },
    { row: 'B', col: 'y', count: 3 },
    { row: 'C', col: 'y', count: 7 },
  ];
  const grid = (list: typeof cells) => ({
    row: list.map((c) => 'ABC'.indexOf(c.row)),
    col: list.map((c) => 'xyz'.indexOf(c.col)),
    count: list.map((c) => c.count),
    rows: 3,
    cols: 3,
  });

  it('hides small cells and the margins that would give one back', () => {
    const m = suppressGrid(grid(cells), 5);
    expect(m.counts).toEqual([6, null, null, 5, null, 7]);
    expect(m.rowTotals).toEqual([9, null, 7]);
    // y: three hidden (2, 3) and 7 -> sum 12 shown; z: alone and small.
    expect(m.colTotals).toEqual([11, 12, null]);
    expect(m.suppressed).toBe(true);
  });

  it('hides the grand total when one row total alone is hidden, so the other rows cannot give it back', () => {
    expect(suppressGrid(grid(cells), 5).total).toBeNull();
  });

  it('hides nothing for a caller who may see the pupils', () => {
    const m = suppressGrid(grid(cells), 5, true);
    expect(m.counts).toEqual([6, 2, 1, 5, 3, 7]);
    expect(m.total).toBe(24);
    expect(m.suppressed).toBe(false);
  });

  it('honours the threshold it is given', () => {
    const m = suppressGrid(grid(cells), 3);
    expect(m.counts).toEqual([6, null, null, 5, 3, 7]);
    expect(m.rowTotals[1]).toBe(8);
  });

  it('reports nothing hidden for an empty table', () => {
    expect(suppressGrid({ row: [], col: [], count: [], rows: 0, cols: 0 }, 5)).toMatchObject({ counts: [], total: 0, suppressed: false });
  });
});

describe('suppressRows', () => {
  const partition = { total: 'size', parts: ['gestart', 'niet_gestart', 'elders'] };

  it('hides a row size when exactly one status in it is hidden', () => {
    const r = suppressRows([[{ size: 9, gestart: 6, niet_gestart: 2, elders: 1 }, { size: 8, gestart: 6, niet_gestart: 2 }]], { size: 17, gestart: 12, niet_gestart: 4, elders: 1 }, [partition], 5);
    expect(r.groups[0]).toEqual([
      { size: 9, gestart: 6, niet_gestart: null, elders: null },
      { size: null, gestart: 6, niet_gestart: null },
    ]);
  });

  it('hides a total when one row of any breakdown alone hides that count', () => {
    const schools = [{ size: 9, gestart: 9 }, { size: 8, gestart: 2 }];
    const gemeenten = [{ size: 17, gestart: 11 }];
    const r = suppressRows([schools, gemeenten], { size: 17, gestart: 11 }, [], 5);
    expect(r.total).toEqual({ size: 17, gestart: null });
    expect(r.suppressed).toBe(true);
  });

  it('treats a count a row does not have as zero, not as hidden', () => {
    const r = suppressRows([[{ size: 6, ontvangen: 6 }, { size: 7 }]], { size: 13, ontvangen: 6 }, [], 5);
    expect(r.total).toEqual({ size: 13, ontvangen: 6 });
    expect(r.suppressed).toBe(false);
  });

  it('hides nothing when exact', () => {
    const r = suppressRows([[{ size: 2, gestart: 1 }]], { size: 2, gestart: 1 }, [partition], 5, true);
    expect(r).toEqual({ groups: [[{ size: 2, gestart: 1 }]], total: { size: 2, gestart: 1 }, suppressed: false });
  });
});

describe('share', () => {
  it('is hidden when either count is, since a share and one count give the other', () => {
    expect([share(null, 10), share(5, null)]).toEqual([null, null]);
  });
  it('rounds to four decimals and is 0 for an empty group', () => {
    expect([share(5, 9), share(0, 0)]).toEqual([0.5556, 0]);
  });
});
