import {
  type CompiledProblem,
  compileProblem,
  paddedSpan,
  staticStartAllowed,
} from '../../src/scheduling/compiledProblem';
import type { ProposedSession, SchedulingProblem } from '../../src/scheduling/problem';

/*
 * The exact optimum of the solver's objective, as a MIP in CPLEX LP format for HiGHS.
 * It is built from the same slot model as the solver (compileProblem), so both search the same
 * feasible set and minimise the same scalar (see problem.ts):
 *
 *   x[n,p,s] ∈ {0,1}  need n has a session with specialist p starting at slot s (statically allowed starts only)
 *   a[n,p]   ∈ {0,1}  need n is served by p          z[c,p] ∈ {0,1}  child c is in p's caseload
 *   y[n,m]   ∈ {0,1}  need n uses local start minute m   q[n] ∈ {0,1}  need n has at least one session
 *   o[p] ≥ 0          sessions of p above its fair-load target
 *
 *   min  Σ missingCost·(k_n − Σx) + continuity·(1 − a[n,prev]) + routine·(Σ_m y[n,m] − q[n])
 *        + fairness·Σ o[p] + Σ dayCost_n·day(s)·x[n,p,s]
 *   s.t. x ≤ a;  Σ_p a[n,p] ≤ 1;  a[n,p] ≤ Σ_s x[n,p,s];  z[c,p] ≥ a[n,p];  Σ_c z[c,p] ≤ caseload_p
 *        Σ_{p,s∈day} x[n,p,s] ≤ 1 (one a day);  Σ x[n,·,·] ≤ k_n
 *        per specialist and slot: padded ranges (session + break) covering it ≤ 1
 *        per child and slot: sessions covering it ≤ 1;  per slot: sessions ≤ free rooms
 *        per specialist and day: sessions ≤ day capacity;  per child and day: minutes ≤ daily minutes left
 *        y[n,minute(s)] ≥ x[n,p,s];  q[n] ≤ Σ x[n,·,·];  o[p] ≥ load_p + Σ x[·,p,·] − target_p
 *
 * "Sessions ≤ free rooms per slot" is exact for the benchmark's instances: every session spans one slot
 * on the 60-minute grid, so any per-slot count within the free rooms can be given distinct rooms.
 */

/** A MIP in CPLEX LP format plus what is needed to read its solution back. */
export interface ExactModel {
  lp: string;
  /** Objective terms that do not depend on any variable (added to HiGHS's objective value). */
  constant: number;
  variables: number;
  constraints: number;
  /** Turns HiGHS's column values into sessions (rooms assigned in start order). */
  decode(columns: Record<string, { Primal: number }>): ProposedSession[];
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(6);
}

/** Writes `Σ coef·var` as LP text, a few terms per line. */
function linear(terms: [number, string][]): string {
  const parts: string[] = [];
  terms.forEach(([coef, name], i) => {
    if (coef === 0) return;
    const sign = coef < 0 ? '-' : '+';
    const abs = Math.abs(coef);
    const piece = `${sign} ${abs === 1 ? '' : `${fmt(abs)} `}${name}`;
    parts.push(i > 0 && i % 8 === 0 ? `\n   ${piece}` : piece);
  });
  return parts.length === 0 ? '0 dummy' : parts.join(' ');
}

/** Builds the exact MIP of a problem's slot model. */
export function buildExactModel(problem: SchedulingProblem): ExactModel {
  const cp: CompiledProblem = compileProblem(problem);
  const w = cp.weights;
  const obj: [number, string][] = [];
  const rows: string[] = [];
  const binaries: string[] = [];
  const continuous: string[] = [];
  let constant = 0;
  let rowId = 0;
  const row = (terms: [number, string][], sense: '<=' | '>=' | '=', rhs: number): void => {
    if (terms.length === 0) return;
    rows.push(` r${rowId++}: ${linear(terms)} ${sense} ${fmt(rhs)}`);
  };

  interface Var {
    name: string;
    need: number;
    spec: number;
    start: number;
  }
  const xs: Var[] = [];
  const specCover = new Map<string, string[]>(); // `${spec}:${slot}` → padded ranges covering it
  const childCover = new Map<string, string[]>();
  const roomCover = new Map<number, string[]>();
  const specDay = new Map<string, string[]>();
  const childDay = new Map<string, [number, string][]>();
  const push = <K, V>(m: Map<K, V[]>, k: K, v: V): void => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };

  for (const need of cp.needs) {
    constant += need.missingCost * need.sessions;
    if (need.previous >= 0) constant += w.continuity;
    const mine: Var[] = [];
    const byMinute = new Map<number, string[]>();
    const byDay = new Map<number, string[]>();
    for (const p of need.candidates) {
      const spec = cp.specialists[p];
      const padded = paddedSpan(cp, need.minutes, spec);
      const a = `a_${need.index}_${p}`;
      const own: string[] = [];
      for (let s = need.firstStart; s <= need.lastStart; s++) {
        if (!staticStartAllowed(cp, need, spec, s)) continue;
        const name = `x_${need.index}_${p}_${s}`;
        const v = { name, need: need.index, spec: p, start: s };
        xs.push(v);
        mine.push(v);
        own.push(name);
        binaries.push(name);
        const day = cp.dayOf[s];
        obj.push([-need.missingCost + need.dayCost * day, name]);
        row([[1, name], [-1, a]], '<=', 0);
        for (let t = s; t < s + padded; t++) push(specCover, `${p}:${t}`, name);
        for (let t = s; t < s + need.span; t++) {
          push(childCover, `${need.child}:${t}`, name);
          push(roomCover, t, name);
        }
        push(specDay, `${p}:${day}`, name);
        push(childDay, `${need.child}:${day}`, [need.minutes, name]);
        push(byMinute, cp.minuteOf[s], name);
        push(byDay, day, name);
      }
      if (own.length === 0) continue;
      binaries.push(a);
      if (p === need.previous) obj.push([-w.continuity, a]);
      // Served only if it has a session: "kept" must mean a real session with the same specialist.
      row([[1, a], ...own.map((n): [number, string] => [-1, n])], '<=', 0);
      const z = `z_${need.child}_${p}`;
      row([[1, a], [-1, z]], '<=', 0);
    }
    if (mine.length === 0) continue;
    row(
      need.candidates.filter((p) => mine.some((v) => v.spec === p)).map((p): [number, string] => [1, `a_${need.index}_${p}`]),
      '<=',
      1,
    );
    row(mine.map((v): [number, string] => [1, v.name]), '<=', need.sessions);
    for (const names of byDay.values()) if (names.length > 1) row(names.map((n): [number, string] => [1, n]), '<=', 1);
    const q = `q_${need.index}`;
    binaries.push(q);
    obj.push([-w.routine, q]);
    row([[1, q], ...mine.map((v): [number, string] => [-1, v.name])], '<=', 0);
    for (const [minute, names] of byMinute) {
      const y = `y_${need.index}_${minute}`;
      binaries.push(y);
      obj.push([w.routine, y]);
      for (const n of names) row([[1, n], [-1, y]], '<=', 0);
    }
  }

  const zBySpec = cp.specialists.map(() => new Set<string>());
  for (const v of xs) zBySpec[v.spec].add(`z_${cp.needs[v.need].child}_${v.spec}`);
  for (const set of zBySpec) binaries.push(...set);
  for (const spec of cp.specialists) {
    const mineZ = [...zBySpec[spec.index]];
    if (mineZ.length > spec.caseload) row(mineZ.map((z): [number, string] => [1, z]), '<=', Math.max(0, spec.caseload));
    const own = xs.filter((v) => v.spec === spec.index);
    if (own.length > 0 && w.fairness > 0) {
      const o = `o_${spec.index}`;
      continuous.push(o);
      obj.push([w.fairness, o]);
      row([[1, o], ...own.map((v): [number, string] => [-1, v.name])], '>=', spec.load - spec.fairTarget);
    } else {
      constant += w.fairness * Math.max(0, spec.load - spec.fairTarget);
    }
  }
  for (const names of specCover.values()) if (names.length > 1) row(names.map((n): [number, string] => [1, n]), '<=', 1);
  for (const names of childCover.values()) if (names.length > 1) row(names.map((n): [number, string] => [1, n]), '<=', 1);
  for (const [t, names] of roomCover) {
    const free = cp.roomBlocked.filter((r) => !r[t]).length;
    if (names.length > free) row(names.map((n): [number, string] => [1, n]), '<=', free);
  }
  for (const [key, names] of specDay) {
    const [p, d] = key.split(':').map(Number);
    const cap = cp.specialists[p].dayCapacity[d];
    if (names.length > cap) row(names.map((n): [number, string] => [1, n]), '<=', cap);
  }
  for (const [key, terms] of childDay) {
    const [c, d] = key.split(':').map(Number);
    const left = cp.children[c].dayMinutes[d];
    if (terms.reduce((s, [m]) => s + m, 0) > left) row(terms, '<=', left);
  }

  const bounds = continuous.map((o) => ` ${o} >= 0`);
  const lp = [
    'Minimize',
    ` obj: ${linear(obj)}`,
    'Subject To',
    ...rows,
    'Bounds',
    ...bounds,
    'Binary',
    ...chunk(binaries, 10).map((c) => ` ${c.join(' ')}`),
    'End',
  ].join('\n');

  return {
    lp,
    constant,
    variables: binaries.length + continuous.length,
    constraints: rowId,
    decode(columns) {
      const chosen = xs.filter((v) => (columns[v.name]?.Primal ?? 0) > 0.5).sort((a, b) => a.start - b.start);
      const roomBusyUntil = cp.roomIds.map(() => -1);
      return chosen.map((v) => {
        const need = cp.needs[v.need];
        const room = cp.roomBlocked.findIndex((r, i) => {
          if (roomBusyUntil[i] > v.start) return false;
          for (let t = v.start; t < v.start + need.span; t++) if (r[t]) return false;
          return true;
        });
        roomBusyUntil[room] = v.start + need.span;
        const startsAt = cp.fromMs + v.start * cp.slotMs;
        return {
          childId: cp.children[need.child].id,
          specialistId: cp.specialists[v.spec].id,
          roomId: cp.roomIds[room] ?? 'no-room',
          discipline: need.discipline,
          startsAt: new Date(startsAt),
          endsAt: new Date(startsAt + need.minutes * 60_000),
        };
      });
    },
  };
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The HiGHS module's one-shot API, as much of it as the benchmark uses. */
export interface HighsLike {
  solve(lp: string, options?: Record<string, unknown>): {
    Status: string;
    ObjectiveValue: number;
    Columns: Record<string, { Primal: number }>;
  };
}

/** Loads HiGHS (wasm) once. */
export async function loadHighs(): Promise<HighsLike> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require('highs') as (opts?: unknown) => Promise<HighsLike>;
  return factory();
}

/** Solves the exact model; returns the optimum of the full objective (constant included) and its sessions. */
export function solveExact(
  highs: HighsLike,
  problem: SchedulingProblem,
  timeLimitSeconds = 60,
): { status: string; optimum: number; sessions: ProposedSession[]; model: ExactModel; ms: number } {
  const model = buildExactModel(problem);
  const started = Date.now();
  const result = highs.solve(model.lp, { output_flag: false, time_limit: timeLimitSeconds, mip_rel_gap: 0 });
  const ms = Date.now() - started;
  return { status: result.Status, optimum: result.ObjectiveValue + model.constant, sessions: model.decode(result.Columns), model, ms };
}
