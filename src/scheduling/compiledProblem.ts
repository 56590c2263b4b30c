import { IANAZone } from 'luxon';
import { normalize } from './intervals';
import {
  type SchedulingProblem,
  type ScheduleWeights,
  childUrgency,
  fairnessTargets,
  isCompatible,
  needKey,
  previousSpecialists,
  resolveWeights,
} from './problem';

/*
 * The slot model: the problem rewritten as integer slot indices and typed arrays so that the solver's
 * hot loop never touches a Date. The exact (MIP) benchmark builds its model from the same compiled
 * problem, so both search exactly the same feasible set.
 *
 * Slot t is [from + t·slot, from + (t+1)·slot). A session of m minutes starting at slot s
 *   - occupies the child and a room on slots [s, s + L), L = ⌈m / slot⌉;
 *   - occupies its specialist on [s, s + P), P = ⌈(m + break) / slot⌉: two sessions of one specialist whose
 *     padded ranges do not overlap are at least `break` apart (exact, because starts are whole slots);
 *   - needs the specialist free on every slot of [s, s + L) (whole slots: a little conservative).
 * Busy intervals are rounded outwards to slots, which is conservative too.
 */

/** A need in slot terms. */
export interface CompiledNeed {
  index: number;
  child: number;
  discipline: string;
  sessions: number;
  minutes: number;
  /** Slots the child and the room are occupied by one session. */
  span: number;
  /** Compatible specialists (discipline, language, age), by index. */
  candidates: number[];
  /** The specialist the child already has for this discipline, or -1. */
  previous: number;
  /** Earliest and latest start slot allowed by the placement period and the horizon. */
  firstStart: number;
  lastStart: number;
  urgency: number;
  /** Objective cost of one missing session: unplacedMinute × minutes + unplacedUrgency × urgency. */
  missingCost: number;
  /** Objective cost of a session on local day d: earlyStart × urgency × d. */
  dayCost: number;
}

/** A specialist in slot terms. */
export interface CompiledSpecialist {
  index: number;
  id: string;
  discipline: string;
  breakMinutes: number;
  /** 1 where the whole slot lies in the specialist's free time. */
  free: Uint8Array;
  /** 1 where busy time (with its trailing break) blocks a session's padded range; length S + pad. */
  blocked: Uint8Array;
  /** Sessions still allowed per local day (perDayCap − busy intervals that day). */
  dayCapacity: Int16Array;
  /** Distinct children still allowed (caseloadCap − current children outside the problem). */
  caseload: number;
  load: number;
  fairTarget: number;
}

/** A child in slot terms. */
export interface CompiledChild {
  index: number;
  id: string;
  blocked: Uint8Array;
  /** Minutes still allowed per local day (max daily minutes − busy minutes that day). */
  dayMinutes: Int32Array;
  urgency: number;
  needs: number[];
}

/** The whole problem in slot terms. */
export interface CompiledProblem {
  problem: SchedulingProblem;
  weights: ScheduleWeights;
  slotMinutes: number;
  slotMs: number;
  fromMs: number;
  /** Number of slots in the horizon. */
  slots: number;
  /** Extra array length so a padded range never runs off the end. */
  pad: number;
  days: number;
  /** Local day index (0 = local date of `from`) of each slot's start. */
  dayOf: Int16Array;
  /** Local minute of the day of each slot's start (what "same time of day" compares). */
  minuteOf: Int16Array;
  needs: CompiledNeed[];
  specialists: CompiledSpecialist[];
  children: CompiledChild[];
  /** Per room, 1 where the room is busy. */
  roomBlocked: Uint8Array[];
  roomIds: string[];
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Local day index and minute-of-day of an instant, relative to the local date of `fromMs`. */
export function localDayClock(zone: IANAZone, fromMs: number): (t: number) => { day: number; minute: number } {
  const localDay = (t: number): number => Math.floor((t + zone.offset(t) * MINUTE_MS) / DAY_MS);
  const day0 = localDay(fromMs);
  return (t) => {
    const local = t + zone.offset(t) * MINUTE_MS;
    const day = Math.floor(local / DAY_MS);
    return { day: day - day0, minute: Math.floor((local - day * DAY_MS) / MINUTE_MS) };
  };
}

/** Builds the slot model of a problem. */
export function compileProblem(problem: SchedulingProblem): CompiledProblem {
  const weights = resolveWeights(problem);
  const zone = IANAZone.create(problem.centreTimeZone);
  if (!zone.isValid) throw new RangeError(`unknown time zone: ${problem.centreTimeZone}`);
  if (!(problem.slotMinutes > 0) || !Number.isInteger(problem.slotMinutes)) throw new RangeError('slotMinutes must be a positive integer');
  const slotMinutes = problem.slotMinutes;
  const slotMs = slotMinutes * MINUTE_MS;
  const fromMs = problem.from.getTime();
  const slots = Math.max(0, Math.floor((problem.to.getTime() - fromMs) / slotMs));
  const clock = localDayClock(zone, fromMs);
  const dayOf = new Int16Array(slots);
  const minuteOf = new Int16Array(slots);
  for (let t = 0; t < slots; t++) {
    const c = clock(fromMs + t * slotMs);
    dayOf[t] = c.day;
    minuteOf[t] = c.minute;
  }
  const days = slots > 0 ? dayOf[slots - 1] + 1 : 0;
  const dayIndex = (ms: number): number => clock(ms).day;
  const maxBreak = Math.max(0, ...problem.specialists.map((s) => s.minBreakMinutes));
  const maxMinutes = Math.max(0, ...problem.children.flatMap((c) => c.needs.map((n) => n.minutes)));
  const pad = Math.ceil((maxMinutes + maxBreak) / slotMinutes) + 1;
  const floorSlot = (ms: number): number => Math.floor((ms - fromMs) / slotMs);
  const ceilSlot = (ms: number): number => Math.ceil((ms - fromMs) / slotMs);
  const mark = (arr: Uint8Array, lo: number, hi: number): void => {
    for (let t = Math.max(0, lo); t < Math.min(arr.length, hi); t++) arr[t] = 1;
  };

  const targets = fairnessTargets(problem);
  const childIds = new Set(problem.children.map((c) => c.id));
  const specialists: CompiledSpecialist[] = problem.specialists.map((s, index) => {
    const free = new Uint8Array(slots);
    for (const f of normalize(s.free)) mark(free, ceilSlot(f.start), floorSlot(f.end));
    const blocked = new Uint8Array(slots + pad);
    const dayCapacity = new Int16Array(days).fill(s.perDayCap);
    for (const b of s.busy) {
      mark(blocked, floorSlot(b.start), ceilSlot(b.end + s.minBreakMinutes * MINUTE_MS));
      const d = dayIndex(b.start);
      if (d >= 0 && d < days) dayCapacity[d]--;
    }
    const external = new Set(s.currentChildren.filter((c) => !childIds.has(c))).size;
    return {
      index,
      id: s.id,
      discipline: s.discipline,
      breakMinutes: s.minBreakMinutes,
      free,
      blocked,
      dayCapacity,
      caseload: s.caseloadCap - external,
      load: s.load ?? 0,
      fairTarget: targets.get(s.discipline) ?? 0,
    };
  });

  const previous = previousSpecialists(problem);
  const specIndex = new Map(problem.specialists.map((s, i) => [s.id, i]));
  const needs: CompiledNeed[] = [];
  const children: CompiledChild[] = problem.children.map((c, index) => {
    const blocked = new Uint8Array(slots + pad);
    const dayMinutes = new Int32Array(days).fill(problem.childMaxDailyMinutes);
    for (const b of c.busy) {
      mark(blocked, floorSlot(b.start), ceilSlot(b.end));
      const d = dayIndex(b.start);
      if (d >= 0 && d < days) dayMinutes[d] -= Math.round((b.end - b.start) / MINUTE_MS);
    }
    const urgency = childUrgency(c, problem.from);
    const own: number[] = [];
    for (const n of c.needs) {
      const span = Math.ceil(n.minutes / slotMinutes);
      const prevId = previous.get(needKey(c.id, n.discipline));
      const firstStart = Math.max(0, ceilSlot(c.placement.from.getTime()));
      const lastStart = Math.min(slots - span, floorSlot(c.placement.to.getTime() - n.minutes * MINUTE_MS));
      own.push(needs.length);
      needs.push({
        index: needs.length,
        child: index,
        discipline: n.discipline,
        sessions: n.sessionsPerWeek,
        minutes: n.minutes,
        span,
        candidates: problem.specialists.flatMap((s, i) => (isCompatible(s, c, n) ? [i] : [])),
        previous: prevId === undefined ? -1 : (specIndex.get(prevId) ?? -1),
        firstStart,
        lastStart,
        urgency,
        missingCost: weights.unplacedMinute * n.minutes + weights.unplacedUrgency * urgency,
        dayCost: weights.earlyStart * urgency,
      });
    }
    return { index, id: c.id, blocked, dayMinutes, urgency, needs: own };
  });

  const roomBlocked = problem.rooms.map((r) => {
    const blocked = new Uint8Array(slots + pad);
    for (const b of r.busy) mark(blocked, floorSlot(b.start), ceilSlot(b.end));
    return blocked;
  });

  return {
    problem,
    weights,
    slotMinutes,
    slotMs,
    fromMs,
    slots,
    pad,
    days,
    dayOf,
    minuteOf,
    needs,
    specialists,
    children,
    roomBlocked,
    roomIds: problem.rooms.map((r) => r.id),
  };
}

/** Slots a specialist is held by a session of `minutes` (the session plus the specialist's break). */
export function paddedSpan(cp: CompiledProblem, minutes: number, spec: CompiledSpecialist): number {
  return Math.ceil((minutes + spec.breakMinutes) / cp.slotMinutes);
}

/**
 * True when a session of need `n` with specialist `sp` may start at slot `s` ignoring the other proposed
 * sessions: horizon, placement, free time, busy time, caps left after busy time, and at least one free room.
 */
export function staticStartAllowed(cp: CompiledProblem, n: CompiledNeed, sp: CompiledSpecialist, s: number): boolean {
  if (s < n.firstStart || s > n.lastStart) return false;
  const child = cp.children[n.child];
  const d = cp.dayOf[s];
  if (sp.dayCapacity[d] <= 0 || child.dayMinutes[d] < n.minutes) return false;
  for (let t = s; t < s + n.span; t++) if (!sp.free[t] || child.blocked[t]) return false;
  const p = paddedSpan(cp, n.minutes, sp);
  for (let t = s; t < s + p; t++) if (sp.blocked[t]) return false;
  return cp.roomBlocked.some((r) => {
    for (let t = s; t < s + n.span; t++) if (r[t]) return false;
    return true;
  });
}
