import { expect } from '@jest/globals';
import type { TestApp } from './testApp';
import { determinedColumns } from '../../src/services/statistics/suppression';

/**
 * An attacker against published statistics: it collects everything the API returns (every table,
 * unfiltered and under every allowed filter) and tries to recover suppressed cells from totals, margins
 * and by differencing filtered queries, by peeling equations and by linear algebra.
 */
/** The threshold the tests run with (STATISTICS_THRESHOLD default). */
export const K = 5;
export const DIMS = ['STATUS', 'HOME_OBLAST', 'AGE_BAND', 'SEX', 'DEPORTATION_YEAR', 'LAST_KNOWN_COUNTRY', 'RETURN_MONTH'];
export const FILTERS: Record<string, string> = { STATUS: 'status', HOME_OBLAST: 'homeOblast', AGE_BAND: 'ageBand', SEX: 'sex', DEPORTATION_YEAR: 'deportationYear', LAST_KNOWN_COUNTRY: 'lastKnownCountry' };
export const STATS = `query($f: StatisticsFilter, $u: Boolean) { statistics(filter: $f, unsuppressed: $u) { threshold suppressionApplied total totalSuppressed
  tables { dimension total totalSuppressed cells { key count suppressed } } durations { measure medianDays q1Days q3Days suppressed } } }`;

export type Stats = { total: number | null; tables: { dimension: string; total: number | null; cells: { key: string; count: number | null; suppressed: boolean }[] }[] };

export async function stats(t: TestApp, token: string, filter?: Record<string, unknown>, unsuppressed = false): Promise<Stats> {
  const r = await t.gql(STATS, { f: filter ?? null, u: unsuppressed }, token);
  expect(r.errors).toBeUndefined();
  return r.data!.statistics;
}

/** Everything the API answers: the unfiltered tables and every table under every single-field filter. */
export async function harvest(t: TestApp, token: string, unsuppressed = false) {
  const base = await stats(t, token, undefined, unsuppressed);
  const sliced: { dim: string; value: string; s: Stats }[] = [];
  for (const dim of Object.keys(FILTERS)) {
    for (const c of base.tables.find((x) => x.dimension === dim)!.cells) {
      const value = dim === 'DEPORTATION_YEAR' ? Number(c.key) : c.key;
      if (dim === 'DEPORTATION_YEAR' && Number.isNaN(value)) continue;
      // A missing value (UNKNOWN) cannot be named in a filter: the API answers no such slice.
      if (c.key === 'UNKNOWN') continue;
      sliced.push({ dim, value: c.key, s: await stats(t, token, { [FILTERS[dim]]: value }, unsuppressed) });
    }
  }
  return { base, sliced };
}

export type Harvest = Awaited<ReturnType<typeof harvest>>;

/**
 * The attacker's system: 1-D cells `1|D|v`, 2-D cells `2|A|a|B|b` (A before B), the grand total, and the
 * equations tying them (each 1-D table sums to the total; each 2-D row and column to its 1-D cell).
 */
export function attack(h: Harvest) {
  const known = new Map<string, number>();
  const unknown = new Set<string>();
  const suppressed = new Set<string>();
  const note = (key: string, v: number | null) => {
    if (v === null) { if (!known.has(key)) unknown.add(key); suppressed.add(key); } else { known.set(key, v); unknown.delete(key); }
  };
  const T = h.base.total!;
  const domains = new Map<string, string[]>();
  for (const tb of h.base.tables) {
    domains.set(tb.dimension, tb.cells.map((c) => c.key));
    for (const c of tb.cells) note(`1|${tb.dimension}|${c.key}`, c.count);
  }
  const pairs = new Set<string>();
  const key2 = (A: string, a: string, B: string, b: string) => (DIMS.indexOf(A) < DIMS.indexOf(B) ? `2|${A}|${a}|${B}|${b}` : `2|${B}|${b}|${A}|${a}`);
  for (const { dim, value, s } of h.sliced) {
    for (const tb of s.tables) {
      pairs.add(DIMS.indexOf(dim) < DIMS.indexOf(tb.dimension) ? `${dim}|${tb.dimension}` : `${tb.dimension}|${dim}`);
      for (const c of tb.cells) note(key2(dim, value, tb.dimension, c.key), c.count);
      if (tb.total !== null) note(`1|${dim}|${value}`, tb.total);
    }
  }
  const equations: [string, number][][] = [];
  for (const [D, dom] of domains) equations.push([...dom.map((v) => [`1|${D}|${v}`, 1] as [string, number]), ['CONST', -T]]);
  for (const p of pairs) {
    const [A, B] = p.split('|');
    for (const a of domains.get(A)!) equations.push([...domains.get(B)!.map((b) => [key2(A, a, B, b), 1] as [string, number]), [`1|${A}|${a}`, -1]]);
    for (const b of domains.get(B)!) equations.push([...domains.get(A)!.map((a) => [key2(A, a, B, b), 1] as [string, number]), [`1|${B}|${b}`, -1]]);
  }
  // A cell no answer shows (a slice no filter can name, e.g. UNKNOWN) is unknown to the attacker too.
  for (const eq of equations) for (const [k] of eq) if (k !== 'CONST' && !known.has(k)) unknown.add(k);
  // 1. Peeling: an equation with one unknown left gives its value; repeat until nothing moves.
  const values = new Map(known);
  values.set('CONST', 1);
  const recovered = new Map<string, number>();
  for (let moved = true; moved;) {
    moved = false;
    for (const eq of equations) {
      const open = eq.filter(([k]) => !values.has(k) && unknown.has(k));
      const missing = eq.filter(([k]) => !values.has(k) && !unknown.has(k));
      if (open.length !== 1 || missing.length > 0) continue;
      const [k, coef] = open[0];
      const rest = eq.reduce((s, [x, c]) => (x === k ? s : s + c * values.get(x)!), 0);
      values.set(k, -rest / coef);
      recovered.set(k, -rest / coef);
      moved = true;
    }
  }
  // 2. Linear algebra: an unknown is determined when its unit vector lies in the row space of the equations.
  const names = [...unknown];
  const idx = new Map(names.map((n, i) => [n, i]));
  const rows = equations.map((eq) => {
    const row = new Array(names.length).fill(0);
    for (const [k, c] of eq) if (idx.has(k)) row[idx.get(k)!] += c;
    return row;
  }).filter((r) => r.some((v) => v !== 0));
  const determined = determinedColumns(rows, names.length).map((i) => names[i]);
  // What counts as a leak: a cell shown as suppressed that the attacker pins down, or any cell (also one no
  // answer shows, e.g. the UNKNOWN slice) whose recovered value is a small count.
  const leaks = {
    recovered: [...recovered].filter(([k, v]) => suppressed.has(k) || (v > 0 && v < K)).map(([k, v]) => `${k}=${v}`),
    determined: determined.filter((k) => suppressed.has(k)),
  };
  return { unknown: names, recovered, determined, leaks };
}

