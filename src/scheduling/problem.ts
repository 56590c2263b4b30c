import type { Interval } from './intervals';
import { isCompatible as compatible } from './compatibility';

/*
 * Plain data types of the weekly scheduling problem and its solution, shared by the solver,
 * the independent scorer, the benchmark and the database layer (which maps entities to these).
 *
 * Objective (minimised), one scalar:
 *   objective = weights.unplacedMinute × medium + soft
 *   medium    = Σ over needs of missingSessions × minutes               (required minutes left unplaced)
 *   soft      = Σ continuity + routine + fairness + earlyStart + unplacedUrgency, with
 *     continuity      = weights.continuity for each need whose existing specialist is not the one chosen
 *                       (also when the need gets no session at all)
 *     routine         = weights.routine × (distinct local start times-of-day − 1) per need with ≥ 1 session
 *     fairness        = weights.fairness × max(0, load + sessions − target) per specialist, where
 *                       target = ⌈(Σ load + Σ required sessions) / #specialists⌉ within the discipline
 *     earlyStart      = weights.earlyStart × urgency(child) × localDayIndex(start) per session
 *                       (day 0 is the local date of `from`: urgent children get the earliest days)
 *     unplacedUrgency = weights.unplacedUrgency × urgency(child) per missing session
 *                       (when not everybody fits, the children who waited longest are served first)
 *   urgency(child) ∈ (0, 1] = ½·(6 − priority)/5 + ½·min(daysWaited, 365)/365, rounded to 1/1000.
 * The default weights make one placed minute worth more than any soft gain, so the scalar is lexicographic
 * in practice (medium first).
 */

/** A child's requirement: `sessionsPerWeek` sessions of `minutes` with a specialist of `discipline`, at most one a day. */
export interface NeedInput {
  discipline: string;
  sessionsPerWeek: number;
  minutes: number;
}

/** A child placed at the centre. Priority 1 is the highest (most at risk), 5 the lowest. */
export interface ChildInput {
  id: string;
  ageYears: number;
  languages: string[];
  priority: number;
  /** When the child came back: the longer ago, the more urgent. */
  returnedAt: Date;
  /** The placement period at the centre; sessions must lie inside it. */
  placement: { from: Date; to: Date };
  /** At most one need per discipline. */
  needs: NeedInput[];
  /** Already booked time (existing sessions): counts toward the daily load, blocks overlaps. */
  busy: Interval[];
}

/** A specialist working at the centre. */
export interface SpecialistInput {
  id: string;
  discipline: string;
  languages: string[];
  ageMin: number;
  ageMax: number;
  /** Most distinct children; current children outside this problem count toward it. */
  caseloadCap: number;
  /** Most sessions per local day; each `busy` interval counts as one session on its local day. */
  perDayCap: number;
  minBreakMinutes: number;
  /** Availability already intersected with the centre's opening hours. */
  free: Interval[];
  /** Existing sessions and other bookings (the break applies around them too). */
  busy: Interval[];
  /** Children this specialist already works with (continuity of care). */
  currentChildren: string[];
  /** Sessions already booked in the period (for fair load); default 0. */
  load?: number;
}

/** A room; any room hosts any session, one at a time. */
export interface RoomInput {
  id: string;
  kind: string;
  capacity: number;
  busy: Interval[];
}

/** Weights of the scalar objective (see the module comment). */
export interface ScheduleWeights {
  unplacedMinute: number;
  continuity: number;
  routine: number;
  fairness: number;
  earlyStart: number;
  unplacedUrgency: number;
}

/** Default weights: placement first, then continuity, fairness, routine and urgency. */
export const DEFAULT_WEIGHTS: Readonly<ScheduleWeights> = Object.freeze({
  unplacedMinute: 10,
  continuity: 40,
  routine: 6,
  fairness: 4,
  earlyStart: 2,
  unplacedUrgency: 20,
});

/** One centre, one period: who needs what, who can give it, where. */
export interface SchedulingProblem {
  centreTimeZone: string;
  from: Date;
  to: Date;
  /** Grid of possible start times, in minutes from `from` (15 in production, 60 for the exact benchmark). */
  slotMinutes: number;
  children: ChildInput[];
  specialists: SpecialistInput[];
  rooms: RoomInput[];
  childMaxDailyMinutes: number;
  weights?: Partial<ScheduleWeights>;
}

/** A proposed session. */
export interface ProposedSession {
  childId: string;
  specialistId: string;
  roomId: string;
  discipline: string;
  startsAt: Date;
  endsAt: Date;
}

/** Why a need could not be (fully) placed. */
export type UnmetReasonCode =
  | 'NO_SPECIALIST_FOR_DISCIPLINE'
  | 'NO_SHARED_LANGUAGE'
  | 'NO_SPECIALIST_FOR_AGE'
  | 'OUTSIDE_PLACEMENT'
  | 'CASELOAD_FULL'
  | 'NO_FREE_TIME';

/** A need left (partly) unplaced, with the reason a coordinator can act on. */
export interface UnmetNeed {
  childId: string;
  discipline: string;
  missingSessions: number;
  code: UnmetReasonCode;
  reason: string;
}

/** One named term of the score. */
export interface ScoreTerm {
  name: string;
  value: number;
}

/** hard = constraint violations (must be 0), medium = unplaced minutes, soft = weighted soft penalties. */
export interface Score {
  hard: number;
  medium: number;
  soft: number;
  /** The scalar both the solver and the exact benchmark minimise: weights.unplacedMinute × medium + soft. */
  objective: number;
  breakdown: ScoreTerm[];
}

/** A proposed timetable. */
export interface Solution {
  sessions: ProposedSession[];
  assignments: { childId: string; specialistId: string; discipline: string; kept: boolean }[];
  unmet: UnmetNeed[];
  score: Score;
}

/** Progress report of a long solver phase. */
export interface SolveProgress {
  phase: 'construct' | 'improve';
  done: number;
  total: number;
}

/** Options of `solve`. */
export interface SolveOptions {
  onProgress?: (p: SolveProgress) => void;
  /** Wall-clock budget of the whole solve (default 5000 ms); improvement also stops early when it stalls. */
  timeLimitMs?: number;
  /** Seed of the local search's random choices (default 1); the same seed gives the same solution. */
  seed?: number;
}

/** The weights of a problem, defaults filled in. */
export function resolveWeights(problem: SchedulingProblem): ScheduleWeights {
  return { ...DEFAULT_WEIGHTS, ...(problem.weights ?? {}) };
}

const DAY_MS = 86_400_000;

/** Urgency of a child in (0, 1]: half priority (1 = highest), half time waited since return (capped at a year). */
export function childUrgency(child: ChildInput, asOf: Date): number {
  const priority = Math.min(5, Math.max(1, Math.round(child.priority)));
  const waitedDays = Math.max(0, (asOf.getTime() - child.returnedAt.getTime()) / DAY_MS);
  const u = 0.5 * ((6 - priority) / 5) + 0.5 * (Math.min(waitedDays, 365) / 365);
  return Math.round(u * 1000) / 1000;
}

/** True when a specialist may work with a child on a need: the one rule of {@link compatibility}. */
export function isCompatible(specialist: SpecialistInput, child: ChildInput, need: NeedInput): boolean {
  return compatible(specialist, child, need.discipline);
}

/** Fair-load target per discipline: ⌈(existing load + required sessions) / number of specialists⌉. */
export function fairnessTargets(problem: SchedulingProblem): Map<string, number> {
  const demand = new Map<string, number>();
  const count = new Map<string, number>();
  for (const s of problem.specialists) {
    demand.set(s.discipline, (demand.get(s.discipline) ?? 0) + (s.load ?? 0));
    count.set(s.discipline, (count.get(s.discipline) ?? 0) + 1);
  }
  for (const c of problem.children) {
    for (const n of c.needs) if (count.has(n.discipline)) demand.set(n.discipline, (demand.get(n.discipline) ?? 0) + n.sessionsPerWeek);
  }
  const out = new Map<string, number>();
  for (const [d, n] of count) out.set(d, Math.ceil((demand.get(d) ?? 0) / n));
  return out;
}

/** The specialist a child already has for a discipline (first listed wins), if any. */
export function previousSpecialists(problem: SchedulingProblem): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of problem.specialists) {
    for (const c of s.currentChildren) {
      const key = `${c}\u0000${s.discipline}`;
      if (!out.has(key)) out.set(key, s.id);
    }
  }
  return out;
}

/** Key of a (child, discipline) need in {@link previousSpecialists}. */
export function needKey(childId: string, discipline: string): string {
  return `${childId}\u0000${discipline}`;
}
