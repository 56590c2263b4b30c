/**
 * Small-cell suppression for published tables (pure code, no database).
 *
 * Model: every figure the API publishes is a cell or a margin of a one-way table (a dimension, with the
 * grand total) or of a two-way table (the filter dimension × another one, whose margins are the one-way
 * tables). A filter fixes at most one dimension, so every answer is a slice of such a table, and a table's
 * suppression pattern depends only on the table: every query that touches it sees the same pattern.
 *
 * Protection of one table, given its published margins:
 * - primary: a cell with 0 < count < threshold is suppressed (zeros are published);
 * - secondary: each primary cell gets a rectangle of suppressed partners (r,c'), (r',c), (r',c') with
 *   non-zero counts, so every suppressed cell lies on a cycle that margins cannot see through, and every
 *   row and column holding suppressed cells holds at least `threshold` in them (so no bound from a margin
 *   narrows a small cell below its full range);
 * - audit: Gaussian elimination over the table's equations (rows, columns, margins, total) proves no
 *   suppressed cell or margin is determined; when it is, or no rectangle exists, every non-zero inner cell
 *   is suppressed (the table then publishes its margins only).
 */

export interface OneWay {
  counts: number[];
  total: number;
}

export interface OneWayResult {
  suppressed: boolean[];
  totalSuppressed: boolean;
}

/** One-way table with a published total: primary suppression, then partners until ≥ 2 cells and ≥ threshold in them. */
export function protectOneWay(t: OneWay, k: number): OneWayResult {
  const n = t.counts.length;
  if (t.total < k) return { suppressed: t.counts.map((c) => c > 0), totalSuppressed: t.total > 0 };
  const sup = t.counts.map((c) => c > 0 && c < k);
  const mass = () => t.counts.reduce((s, c, i) => s + (sup[i] ? c : 0), 0);
  const count = () => sup.filter(Boolean).length;
  while (count() > 0 && (count() < 2 || mass() < k)) {
    let best = -1;
    for (let i = 0; i < n; i++) if (!sup[i] && t.counts[i] > 0 && (best < 0 || t.counts[i] < t.counts[best])) best = i;
    if (best < 0) break;
    sup[best] = true;
  }
  // A lone suppressed cell next to the total is the total minus the rest: suppress every non-zero cell.
  if (count() === 1) for (let i = 0; i < n; i++) sup[i] = t.counts[i] > 0;
  return { suppressed: sup, totalSuppressed: false };
}

export interface TwoWay {
  cells: number[][];
  rowTotals: number[];
  colTotals: number[];
  total: number;
  /** Margins already suppressed by their one-way tables. */
  rowTotalSuppressed: boolean[];
  colTotalSuppressed: boolean[];
}

/** Suppression pattern of the inner cells of a two-way table (see the module comment). */
export function protectTwoWay(t: TwoWay, k: number, opts: { secondary?: boolean } = {}): boolean[][] {
  const R = t.cells.length;
  const C = R ? t.cells[0].length : 0;
  const x = t.cells;
  const sup = x.map((row) => row.map((v) => v > 0 && v < k));
  if (opts.secondary === false) return sup;
  // Margins only: zeros too, since a published zero turns a row with one non-zero cell into its margin.
  const all = () => x.map((row) => row.map(() => true));
  const primaries: [number, number][] = [];
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) if (sup[r][c]) primaries.push([r, c]);
  let pattern: boolean[][] | null = sup;
  for (const [r, c] of primaries) {
    let best: { r2: number; c2: number; cost: number } | null = null;
    for (let r2 = 0; r2 < R; r2++) {
      if (r2 === r) continue;
      for (let c2 = 0; c2 < C; c2++) {
        if (c2 === c) continue;
        const partners: [number, number][] = [[r, c2], [r2, c], [r2, c2]];
        if (partners.some(([a, b]) => x[a][b] === 0)) continue;
        // Each of the four lines must hold at least k in its suppressed cells once the rectangle is in.
        const line = (cells: [number, number][]) => cells.reduce((s, [a, b]) => s + x[a][b], 0);
        const enough = line([[r, c], [r, c2]]) >= k && line([[r2, c], [r2, c2]]) >= k && line([[r, c], [r2, c]]) >= k && line([[r, c2], [r2, c2]]) >= k;
        if (!enough) continue;
        const cost = partners.reduce((s, [a, b]) => s + (sup[a][b] ? 0 : x[a][b]), 0);
        if (!best || cost < best.cost) best = { r2, c2, cost };
      }
    }
    if (!best) {
      pattern = null;
      break;
    }
    sup[r][best.c2] = true;
    sup[best.r2][c] = true;
    sup[best.r2][best.c2] = true;
  }
  return audited(t, pattern ?? all(), k, all);
}

/**
 * Audits a pattern: a suppressed cell that the equations determine anyway and that is zero or at least k
 * is published (it tells nothing new); a determined small cell or margin means the pattern fails, and the
 * table falls back to publishing its margins only.
 */
function audited(t: TwoWay, start: boolean[][], k: number, all: () => boolean[][]): boolean[][] {
  let sup = start.map((r) => r.slice());
  let fellBack = false;
  for (let round = 0; round < 50; round++) {
    const det = determinedUnknowns(t, sup);
    if (det.length === 0) return sup;
    const cells = det.filter((n) => n.includes(',')).map((n) => n.split(',').map(Number) as [number, number]);
    // A determined zero or large cell is implied by what is published anyway; a determined small one is a leak.
    const harmful = det.length !== cells.length || cells.some(([r, c]) => t.cells[r][c] > 0 && t.cells[r][c] < k);
    if (harmful) {
      if (fellBack) return sup;
      sup = all();
      fellBack = true;
      continue;
    }
    for (const [r, c] of cells) sup[r][c] = false;
  }
  return sup;
}

/**
 * The unknowns (suppressed inner cells as `r,c`, suppressed margins as `R r` / `C c`) that the table's
 * equations determine exactly, by Gauss–Jordan elimination (coefficients start at 0/±1 and tables hold a few
 * hundred unknowns at most, so floating point with a tolerance is exact enough).
 */
export function determinedUnknowns(t: TwoWay, sup: boolean[][]): string[] {
  const R = t.cells.length;
  const C = R ? t.cells[0].length : 0;
  const names: string[] = [];
  const index = new Map<string, number>();
  const unknown = (name: string) => {
    if (!index.has(name)) {
      index.set(name, names.length);
      names.push(name);
    }
    return index.get(name)!;
  };
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) if (sup[r][c]) unknown(`${r},${c}`);
  for (let r = 0; r < R; r++) if (t.rowTotalSuppressed[r]) unknown(`R${r}`);
  for (let c = 0; c < C; c++) if (t.colTotalSuppressed[c]) unknown(`C${c}`);
  const rows: number[][] = [];
  const eq = (terms: [string, number][]) => {
    const row = new Array(names.length).fill(0);
    for (const [n, coef] of terms) row[index.get(n)!] += coef;
    if (row.some((v) => v !== 0)) rows.push(row);
  };
  for (let r = 0; r < R; r++) {
    const terms: [string, number][] = [];
    for (let c = 0; c < C; c++) if (sup[r][c]) terms.push([`${r},${c}`, 1]);
    if (t.rowTotalSuppressed[r]) terms.push([`R${r}`, -1]);
    eq(terms);
  }
  for (let c = 0; c < C; c++) {
    const terms: [string, number][] = [];
    for (let r = 0; r < R; r++) if (sup[r][c]) terms.push([`${r},${c}`, 1]);
    if (t.colTotalSuppressed[c]) terms.push([`C${c}`, -1]);
    eq(terms);
  }
  eq(t.rowTotalSuppressed.flatMap((s, r) => (s ? [[`R${r}`, 1] as [string, number]] : [])));
  eq(t.colTotalSuppressed.flatMap((s, c) => (s ? [[`C${c}`, 1] as [string, number]] : [])));
  return determinedColumns(rows, names.length).map((i) => names[i]);
}

/**
 * Columns j of a homogeneous system (the known parts are on the right-hand side and do not matter)
 * for which the unit vector e_j lies in the row space: the value of unknown j follows from the equations.
 */
export function determinedColumns(input: number[][], n: number): number[] {
  const m = input.map((r) => r.slice());
  const pivots: number[] = [];
  let row = 0;
  for (let col = 0; col < n && row < m.length; col++) {
    let p = -1;
    for (let i = row; i < m.length; i++) if (Math.abs(m[i][col]) > 1e-9) { p = i; break; }
    if (p < 0) continue;
    [m[row], m[p]] = [m[p], m[row]];
    const pv = m[row][col];
    for (let j = 0; j < n; j++) m[row][j] /= pv;
    for (let i = 0; i < m.length; i++) {
      if (i === row || Math.abs(m[i][col]) < 1e-12) continue;
      const f = m[i][col];
      for (let j = 0; j < n; j++) m[i][j] -= f * m[row][j];
    }
    pivots.push(col);
    row++;
  }
  const out: number[] = [];
  pivots.forEach((col, i) => {
    // In reduced row echelon form, the pivot is determined when its row has no free-variable entries.
    if (m[i].every((v, j) => j === col || Math.abs(v) < 1e-9)) out.push(col);
  });
  return out;
}
