import {
  type CompiledNeed,
  type CompiledProblem,
  compileProblem,
  paddedSpan,
} from './compiledProblem';
import type { SchedulingProblem, Solution, SolveOptions, UnmetNeed, ProposedSession } from './problem';
import { createRandom } from './random';
import { scoreSolution } from './score';
import { sharesLanguage } from './compatibility';

/*
 * The weekly scheduler: a constructive greedy followed by a large-neighbourhood search.
 *
 * - A need (child × discipline) is served by one specialist for all its sessions (continuity within
 *   the week), at most one session a day. Inserting a need means choosing the specialist and the days
 *   and start times that minimise the objective given everything already placed: same time of day on
 *   the earliest days, unless mixing times buys a much earlier start.
 * - Construction inserts needs most-constrained first (fewest compatible specialists), then most urgent.
 * - Improvement repeatedly removes a few related needs (one need; a child's needs; an unmet need with the
 *   needs that hold one of its specialists) and re-inserts them in a random order; the move is kept when
 *   the objective does not get worse, otherwise undone exactly. Equal moves are kept so the search can
 *   drift across plateaus.
 * Everything in the loop works on slot indices and typed arrays (see compiledProblem.ts); the final
 * score is recomputed by the independent scorer.
 */

const DEFAULT_TIME_LIMIT_MS = 5000;
/** Above this many compatible specialists a need only tries a sample of them (the big instance). */
const FULL_SCAN_CANDIDATES = 16;
const SAMPLED_CANDIDATES = 10;
/** Start times-of-day considered when mixing two of them for one need. */
const PAIR_TODS = 12;
/** Moves without a new best after which the search stops (scaled up with the number of needs). */
const STALL_MOVES = 30000;
const LATE_ACCEPTANCE = 100;
const LATE_ACCEPTANCE_MAX_NEEDS = 400;

interface Plan {
  spec: number;
  starts: number[];
  /** Objective change relative to leaving the need unplaced. */
  delta: number;
}

/** Mutable search state over a compiled problem. */
class SchedulerState {
  readonly specOcc: Uint8Array[];
  readonly specDayLeft: Int16Array[];
  readonly specSessions: Int32Array;
  readonly specDistinct: Int32Array;
  readonly specChildCount: Map<number, number>[];
  /** Needs currently served by each specialist. */
  readonly specNeeds: Set<number>[];
  readonly childOcc: Uint8Array[];
  readonly childDayLeft: Int32Array[];
  readonly roomOcc: Uint8Array[];
  readonly roomUsed: Int16Array;
  readonly needSpec: Int32Array;
  readonly needStarts: number[][];
  readonly needRooms: number[][];
  readonly needCost: Float64Array;
  readonly dayStart: Int32Array;
  readonly dayEnd: Int32Array;
  total = 0;

  constructor(readonly cp: CompiledProblem) {
    const n = cp.needs.length;
    this.specOcc = cp.specialists.map((s) => s.blocked.slice());
    this.specDayLeft = cp.specialists.map((s) => s.dayCapacity.slice());
    this.specSessions = new Int32Array(cp.specialists.length);
    this.specDistinct = new Int32Array(cp.specialists.length);
    this.specChildCount = cp.specialists.map(() => new Map());
    this.specNeeds = cp.specialists.map(() => new Set());
    this.childOcc = cp.children.map((c) => c.blocked.slice());
    this.childDayLeft = cp.children.map((c) => c.dayMinutes.slice());
    this.roomOcc = cp.roomBlocked.map((r) => r.slice());
    this.roomUsed = new Int16Array(cp.slots + cp.pad);
    for (const r of cp.roomBlocked) for (let t = 0; t < r.length; t++) this.roomUsed[t] += r[t];
    this.needSpec = new Int32Array(n).fill(-1);
    this.needStarts = cp.needs.map(() => []);
    this.needRooms = cp.needs.map(() => []);
    this.needCost = new Float64Array(n);
    this.dayStart = new Int32Array(cp.days).fill(cp.slots);
    this.dayEnd = new Int32Array(cp.days);
    for (let t = 0; t < cp.slots; t++) {
      const d = cp.dayOf[t];
      if (t < this.dayStart[d]) this.dayStart[d] = t;
      this.dayEnd[d] = t + 1;
    }
    for (const need of cp.needs) {
      this.needCost[need.index] = this.costOf(need);
      this.total += this.needCost[need.index];
    }
    for (let s = 0; s < cp.specialists.length; s++) this.total += this.fairPenalty(s, 0);
  }

  /** Fairness penalty of a specialist carrying `extra` more sessions than now. */
  fairPenalty(spec: number, extra: number): number {
    const s = this.cp.specialists[spec];
    return this.cp.weights.fairness * Math.max(0, s.load + this.specSessions[spec] + extra - s.fairTarget);
  }

  /** The need's own objective terms (everything except fairness) in the current state. */
  costOf(need: CompiledNeed): number {
    const w = this.cp.weights;
    const starts = this.needStarts[need.index];
    const spec = this.needSpec[need.index];
    let cost = (need.sessions - starts.length) * need.missingCost;
    if (need.previous >= 0 && spec !== need.previous) cost += w.continuity;
    if (starts.length > 0) {
      const tods = new Set<number>();
      for (const s of starts) {
        tods.add(this.cp.minuteOf[s]);
        cost += need.dayCost * this.cp.dayOf[s];
      }
      cost += w.routine * (tods.size - 1);
    }
    return cost;
  }

  /** True when `spec` can take the need's child without exceeding its caseload. */
  caseloadAllows(need: CompiledNeed, spec: number): boolean {
    return (this.specChildCount[spec].get(need.child) ?? 0) > 0 || this.specDistinct[spec] < this.cp.specialists[spec].caseload;
  }

  /** True when a session of `need` with `spec` can start at slot `s` now (the need's own other days aside). */
  canStart(need: CompiledNeed, spec: number, s: number, padded: number): boolean {
    const cp = this.cp;
    if (s < need.firstStart || s > need.lastStart) return false;
    const d = cp.dayOf[s];
    if (this.specDayLeft[spec][d] <= 0 || this.childDayLeft[need.child][d] < need.minutes) return false;
    const free = cp.specialists[spec].free;
    const cOcc = this.childOcc[need.child];
    const rooms = cp.roomIds.length;
    for (let t = s; t < s + need.span; t++) {
      if (!free[t] || cOcc[t] || this.roomUsed[t] >= rooms) return false;
    }
    const occ = this.specOcc[spec];
    for (let t = s; t < s + padded; t++) if (occ[t]) return false;
    for (const other of this.needStarts[need.index]) if (cp.dayOf[other] === d) return false;
    return true;
  }

  private freeRoom(s: number, span: number): number {
    for (let r = 0; r < this.roomOcc.length; r++) {
      const occ = this.roomOcc[r];
      let ok = true;
      for (let t = s; t < s + span; t++) {
        if (occ[t]) {
          ok = false;
          break;
        }
      }
      if (ok) return r;
    }
    return -1;
  }

  private mark(need: CompiledNeed, spec: number, s: number, room: number, v: 1 | -1): void {
    const cp = this.cp;
    const padded = paddedSpan(cp, need.minutes, cp.specialists[spec]);
    const occ = this.specOcc[spec];
    const bit = v === 1 ? 1 : 0;
    for (let t = s; t < s + padded; t++) occ[t] = bit;
    const cOcc = this.childOcc[need.child];
    const rOcc = this.roomOcc[room];
    for (let t = s; t < s + need.span; t++) {
      cOcc[t] = bit;
      rOcc[t] = bit;
      this.roomUsed[t] += v;
    }
    const d = cp.dayOf[s];
    this.specDayLeft[spec][d] -= v;
    this.childDayLeft[need.child][d] -= v * need.minutes;
    this.specSessions[spec] += v;
  }

  /** Places the given starts for a need with a specialist (rooms chosen first-fit or given); returns sessions placed. */
  assign(need: CompiledNeed, spec: number, starts: readonly number[], rooms?: readonly number[]): number {
    const before = this.needCost[need.index] + this.fairPenalty(spec, 0);
    const padded = paddedSpan(this.cp, need.minutes, this.cp.specialists[spec]);
    const placedStarts = this.needStarts[need.index];
    const placedRooms = this.needRooms[need.index];
    this.needSpec[need.index] = spec;
    starts.forEach((s, i) => {
      if (!this.canStart(need, spec, s, padded)) return;
      const room = rooms ? rooms[i] : this.freeRoom(s, need.span);
      if (room < 0) return;
      this.mark(need, spec, s, room, 1);
      placedStarts.push(s);
      placedRooms.push(room);
    });
    if (placedStarts.length === 0) {
      this.needSpec[need.index] = -1;
    } else {
      const counts = this.specChildCount[spec];
      const c = counts.get(need.child) ?? 0;
      if (c === 0) this.specDistinct[spec]++;
      counts.set(need.child, c + 1);
      this.specNeeds[spec].add(need.index);
    }
    this.needCost[need.index] = this.costOf(need);
    this.total += this.needCost[need.index] + this.fairPenalty(spec, 0) - before;
    return placedStarts.length;
  }

  /** Removes all sessions of a need. */
  clear(need: CompiledNeed): void {
    const spec = this.needSpec[need.index];
    if (spec < 0) return;
    const before = this.needCost[need.index] + this.fairPenalty(spec, 0);
    const starts = this.needStarts[need.index];
    const rooms = this.needRooms[need.index];
    for (let i = 0; i < starts.length; i++) this.mark(need, spec, starts[i], rooms[i], -1);
    starts.length = 0;
    rooms.length = 0;
    const counts = this.specChildCount[spec];
    const c = counts.get(need.child)!;
    if (c === 1) {
      counts.delete(need.child);
      this.specDistinct[spec]--;
    } else counts.set(need.child, c - 1);
    this.specNeeds[spec].delete(need.index);
    this.needSpec[need.index] = -1;
    this.needCost[need.index] = this.costOf(need);
    this.total += this.needCost[need.index] + this.fairPenalty(spec, 0) - before;
  }

  /**
   * Best days and start times for an unplaced need with one specialist: as many sessions as fit, then the
   * least early-start + routine cost. Returns null when nothing fits.
   */
  plan(need: CompiledNeed, spec: number): Plan | null {
    const cp = this.cp;
    const padded = paddedSpan(cp, need.minutes, cp.specialists[spec]);
    const free = cp.specialists[spec].free;
    // Feasible starts grouped by local time of day; days come out ascending.
    const byTod = new Map<number, { days: number[]; starts: number[] }>();
    const firstOfDay: number[] = [];
    for (let d = 0; d < cp.days; d++) {
      if (this.specDayLeft[spec][d] <= 0 || this.childDayLeft[need.child][d] < need.minutes) continue;
      const lo = Math.max(this.dayStart[d], need.firstStart);
      const hi = Math.min(this.dayEnd[d] - 1, need.lastStart);
      let any = false;
      for (let s = lo; s <= hi; s++) {
        if (!free[s] || !this.canStart(need, spec, s, padded)) continue;
        const tod = cp.minuteOf[s];
        const g = byTod.get(tod);
        if (g) {
          g.days.push(d);
          g.starts.push(s);
        } else byTod.set(tod, { days: [d], starts: [s] });
        if (!any) firstOfDay.push(s);
        any = true;
      }
    }
    const m = Math.min(need.sessions, firstOfDay.length);
    if (m === 0) return null;
    const w = cp.weights;
    let bestStarts: number[] = [];
    let bestCost = Number.POSITIVE_INFINITY;
    const consider = (starts: number[], tods: number): void => {
      let cost = w.routine * (tods - 1);
      for (const s of starts) cost += need.dayCost * cp.dayOf[s];
      if (cost < bestCost - 1e-9) {
        bestCost = cost;
        bestStarts = starts;
      }
    };
    // One time of day for the whole week: the routine children and families can rely on.
    const groups = [...byTod.entries()].sort((a, b) => a[0] - b[0]);
    for (const [, g] of groups) if (g.days.length >= m) consider(g.starts.slice(0, m), 1);
    // Two times of day, when that buys earlier days or more sessions.
    const top = groups
      .map(([, g]) => g)
      .sort((a, b) => b.days.length - a.days.length || a.days[0] - b.days[0])
      .slice(0, PAIR_TODS);
    for (let i = 0; i < top.length; i++) {
      for (let j = i + 1; j < top.length; j++) {
        const merged = mergeByDay(top[i], top[j]);
        if (merged.length >= m) consider(merged.slice(0, m), 2);
      }
    }
    // Fallback: the earliest day of each feasible day, times of day chosen greedily.
    if (bestStarts.length < m || bestCost === Number.POSITIVE_INFINITY) {
      const chosen = firstOfDay.slice(0, m);
      consider(chosen, new Set(chosen.map((s) => cp.minuteOf[s])).size);
    }
    let delta = bestCost - m * need.missingCost + this.fairPenalty(spec, m) - this.fairPenalty(spec, 0);
    if (need.previous >= 0 && spec === need.previous) delta -= w.continuity;
    return { spec, starts: bestStarts, delta };
  }

  /** Inserts an unplaced need with its best specialist (or leaves it unplaced when nothing fits). */
  insertBest(need: CompiledNeed, random: () => number): void {
    const candidates = this.candidatesFor(need, random);
    let best: Plan | null = null;
    for (const spec of candidates) {
      if (!this.caseloadAllows(need, spec)) continue;
      const p = this.plan(need, spec);
      if (p && (!best || p.delta < best.delta - 1e-9)) best = p;
    }
    if (best && best.delta < 0) this.assign(need, best.spec, best.starts);
  }

  private candidatesFor(need: CompiledNeed, random: () => number): number[] {
    const all = need.candidates;
    if (all.length <= FULL_SCAN_CANDIDATES) return all;
    // Sample: the current specialist, the least loaded ones, and a couple at random for diversity.
    const picked = new Set<number>();
    if (need.previous >= 0) picked.add(need.previous);
    const byLoad = all
      .filter((s) => this.caseloadAllows(need, s))
      .sort((a, b) => this.specSessions[a] + this.cp.specialists[a].load - (this.specSessions[b] + this.cp.specialists[b].load));
    for (const s of byLoad) {
      if (picked.size >= SAMPLED_CANDIDATES) break;
      picked.add(s);
    }
    for (let i = 0; i < 3; i++) picked.add(all[Math.floor(random() * all.length)]);
    return [...picked];
  }
}

/** Merges two time-of-day groups into one start per day, preferring the first group; days ascending. */
function mergeByDay(a: { days: number[]; starts: number[] }, b: { days: number[]; starts: number[] }): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.days.length || j < b.days.length) {
    const da = i < a.days.length ? a.days[i] : Infinity;
    const db = j < b.days.length ? b.days[j] : Infinity;
    if (da <= db) {
      out.push(a.starts[i++]);
      if (da === db) j++;
    } else out.push(b.starts[j++]);
  }
  return out;
}

interface Snapshot {
  need: CompiledNeed;
  spec: number;
  starts: number[];
  rooms: number[];
}

/** The large-neighbourhood search; returns after the time budget or when it stalls. */
function improve(state: SchedulerState, deadline: number, random: () => number, options: SolveOptions, startedAt: number): number {
  const cp = state.cp;
  const needs = cp.needs.filter((n) => n.candidates.length > 0 && n.firstStart <= n.lastStart);
  if (needs.length === 0) return 0;
  const stallLimit = Math.max(STALL_MOVES, needs.length * 40);
  let sinceImprovement = 0;
  // Late acceptance on small problems: a move may be accepted if it beats the objective of
  // LATE_ACCEPTANCE moves ago, which lets the search leave plateaus; the best state is kept aside.
  // Big problems run plain descent instead, where copying the best state would cost more than it buys.
  const late = needs.length <= LATE_ACCEPTANCE_MAX_NEEDS ? new Float64Array(LATE_ACCEPTANCE).fill(state.total) : null;
  let best = state.total;
  let bestState = late ? captureAll(state) : null;
  let lastReport = Date.now();
  const bySpec = (spec: number): CompiledNeed[] => [...state.specNeeds[spec]].map((i) => cp.needs[i]);
  let unmet: CompiledNeed[] = [];
  let iter = 0;
  for (; ; iter++) {
    if ((iter & 63) === 0) {
      // Refreshed now and then: a slightly stale list only biases which need seeds a move.
      unmet = needs.filter((n) => state.needStarts[n.index].length < n.sessions);
      const now = Date.now();
      if (now >= deadline) break;
      if (options.onProgress && now - lastReport > 250) {
        lastReport = now;
        options.onProgress({ phase: 'improve', done: now - startedAt, total: deadline - startedAt });
      }
    }
    if (sinceImprovement > stallLimit) break;
    const seed =
      unmet.length > 0 && random() < 0.5 ? unmet[Math.floor(random() * unmet.length)] : needs[Math.floor(random() * needs.length)];
    const removed = new Set<CompiledNeed>([seed]);
    const kind = random();
    if (kind < 0.35) {
      // The seed with the needs that hold one of its possible specialists.
      const spec = seed.candidates[Math.floor(random() * seed.candidates.length)];
      const holders = bySpec(spec);
      const k = 1 + Math.floor(random() * 3);
      for (let i = 0; i < k && holders.length > 0; i++) removed.add(holders[Math.floor(random() * holders.length)]);
    } else if (kind < 0.6) {
      // All needs of the seed's child: they compete for the same hours and daily load.
      for (const n of cp.children[seed.child].needs) if (cp.needs[n].candidates.length > 0) removed.add(cp.needs[n]);
    } else if (kind < 0.8 && state.needSpec[seed.index] >= 0) {
      // Needs sharing the seed's specialist: reshuffles that specialist's week.
      const holders = bySpec(state.needSpec[seed.index]);
      const k = 1 + Math.floor(random() * 2);
      for (let i = 0; i < k && holders.length > 0; i++) removed.add(holders[Math.floor(random() * holders.length)]);
    }
    const before = state.total;
    const snapshot: Snapshot[] = [...removed].map((need) => ({
      need,
      spec: state.needSpec[need.index],
      starts: state.needStarts[need.index].slice(),
      rooms: state.needRooms[need.index].slice(),
    }));
    for (const s of snapshot) state.clear(s.need);
    const order = [...removed];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const need of order) state.insertBest(need, random);
    const slot = late ? iter % late.length : 0;
    if (state.total <= before + 1e-9 || (late && state.total <= late[slot] + 1e-9)) {
      if (late) late[slot] = state.total;
      if (state.total < best - 1e-9) {
        best = state.total;
        sinceImprovement = 0;
        if (late) bestState = captureAll(state);
      } else sinceImprovement++;
      continue;
    }
    if (late) late[slot] = before;
    // Worse: undo exactly (same slots and rooms, so it always fits again).
    for (const s of snapshot) state.clear(s.need);
    for (const s of snapshot) if (s.spec >= 0) state.assign(s.need, s.spec, s.starts, s.rooms);
    sinceImprovement++;
  }
  if (bestState && state.total > best + 1e-9) restoreAll(state, bestState);
  return iter;
}

function captureAll(state: SchedulerState): Snapshot[] {
  return state.cp.needs.map((need) => ({
    need,
    spec: state.needSpec[need.index],
    starts: state.needStarts[need.index].slice(),
    rooms: state.needRooms[need.index].slice(),
  }));
}

function restoreAll(state: SchedulerState, snapshot: Snapshot[]): void {
  for (const s of snapshot) state.clear(s.need);
  for (const s of snapshot) if (s.spec >= 0) state.assign(s.need, s.spec, s.starts, s.rooms);
}

/** Explains why a need is (partly) unplaced, from the most basic cause to the most specific. */
function explainUnmet(state: SchedulerState, need: CompiledNeed): Pick<UnmetNeed, 'code' | 'reason'> {
  const cp = state.cp;
  const problem = cp.problem;
  const child = problem.children[need.child];
  const ofDiscipline = problem.specialists.filter((s) => s.discipline === need.discipline);
  if (ofDiscipline.length === 0) {
    return { code: 'NO_SPECIALIST_FOR_DISCIPLINE', reason: `no ${need.discipline} works at the centre` };
  }
  const speaking = ofDiscipline.filter((s) => sharesLanguage(s, child));
  if (speaking.length === 0) {
    return { code: 'NO_SHARED_LANGUAGE', reason: `no ${need.discipline} speaks ${child.languages.join(' or ')}` };
  }
  if (need.candidates.length === 0) {
    return { code: 'NO_SPECIALIST_FOR_AGE', reason: `no ${need.discipline} sharing a language works with ${child.ageYears}-year-olds` };
  }
  if (need.firstStart > need.lastStart) {
    return { code: 'OUTSIDE_PLACEMENT', reason: 'the placement period does not overlap the planned period' };
  }
  const placed = state.needStarts[need.index].length;
  if (placed === 0 && need.candidates.every((s) => !state.caseloadAllows(need, s))) {
    return { code: 'CASELOAD_FULL', reason: `all ${need.candidates.length} suitable ${need.discipline}s have a full caseload` };
  }
  const spec = state.needSpec[need.index];
  const who = spec >= 0 ? `specialist ${cp.specialists[spec].id}` : `any of the ${need.candidates.length} suitable ${need.discipline}s`;
  return {
    code: 'NO_FREE_TIME',
    reason: `${placed} of ${need.sessions} sessions placed: no more common free time with ${who} (availability, the child's other sessions, daily limits, rooms)`,
  };
}

/** Turns the search state into a solution (scored by the independent scorer). */
function toSolution(state: SchedulerState): Solution {
  const cp = state.cp;
  const problem = cp.problem;
  const sessions: ProposedSession[] = [];
  const assignments: Solution['assignments'] = [];
  const unmet: UnmetNeed[] = [];
  for (const need of cp.needs) {
    const child = problem.children[need.child];
    const spec = state.needSpec[need.index];
    const starts = state.needStarts[need.index];
    if (spec >= 0) {
      const specialistId = cp.specialists[spec].id;
      assignments.push({ childId: child.id, specialistId, discipline: need.discipline, kept: spec === need.previous });
      starts.forEach((s, i) => {
        const startsAt = cp.fromMs + s * cp.slotMs;
        sessions.push({
          childId: child.id,
          specialistId,
          roomId: cp.roomIds[state.needRooms[need.index][i]],
          discipline: need.discipline,
          startsAt: new Date(startsAt),
          endsAt: new Date(startsAt + need.minutes * 60_000),
        });
      });
    }
    if (starts.length < need.sessions) {
      unmet.push({ childId: child.id, discipline: need.discipline, missingSessions: need.sessions - starts.length, ...explainUnmet(state, need) });
    }
  }
  sessions.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.childId.localeCompare(b.childId));
  return { sessions, assignments, unmet, score: scoreSolution(problem, { sessions }) };
}

/** Figures about one solver run, for benchmarks and tests. */
export interface SolveStats {
  /** The objective as the search tracked it incrementally; equals score.objective of the solution. */
  internalObjective: number;
  /** The objective right after the greedy construction, before local search. */
  constructedObjective: number;
  constructMs: number;
  improveMs: number;
  iterations: number;
}

/** Proposes a timetable for a centre and a period: hard constraints always hold, then minimal unplaced minutes, then soft goals. */
export function solve(problem: SchedulingProblem, options: SolveOptions = {}): Solution {
  return solveWithStats(problem, options).solution;
}

/** {@link solve}, also returning figures about the run. */
export function solveWithStats(problem: SchedulingProblem, options: SolveOptions = {}): { solution: Solution; stats: SolveStats } {
  const startedAt = Date.now();
  const deadline = startedAt + (options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
  const random = createRandom(options.seed ?? 1);
  const cp = compileProblem(problem);
  const state = new SchedulerState(cp);

  // Most constrained first (few specialists can serve it), then the most urgent children.
  // (Putting existing assignments first keeps more continuity but leaves more minutes unplaced.)
  const order = cp.needs
    .filter((n) => n.candidates.length > 0 && n.firstStart <= n.lastStart)
    .sort(
      (a, b) =>
        Math.min(a.candidates.length, 4) - Math.min(b.candidates.length, 4) ||
        b.urgency - a.urgency ||
        b.sessions * b.minutes - a.sessions * a.minutes ||
        a.index - b.index,
    );
  order.forEach((need, i) => {
    state.insertBest(need, random);
    if (options.onProgress && (i % 500 === 499 || i === order.length - 1)) {
      options.onProgress({ phase: 'construct', done: i + 1, total: order.length });
    }
  });
  const constructedAt = Date.now();
  const constructedObjective = state.total;
  const iterations = improve(state, deadline, random, options, startedAt);
  const improvedAt = Date.now();
  return {
    solution: toSolution(state),
    stats: { internalObjective: state.total, constructedObjective, constructMs: constructedAt - startedAt, improveMs: improvedAt - constructedAt, iterations },
  };
}
