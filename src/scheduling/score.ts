import { DateTime } from 'luxon';
import { type Interval, containsInterval, normalize } from './intervals';
import { incompatibilities } from './compatibility';
import {
  type ProposedSession,
  type SchedulingProblem,
  type Score,
  type ScoreTerm,
  type Solution,
  childUrgency,
  fairnessTargets,
  needKey,
  previousSpecialists,
  resolveWeights,
} from './problem';

/*
 * The independent scorer: recomputes every constraint and penalty from the proposed sessions and the
 * original problem (instants and luxon, not the solver's slot model), so a solver bug cannot hide
 * behind its own bookkeeping. Tests and the benchmark trust this, not the solver's score.
 */

const MINUTE_MS = 60_000;

interface Timed {
  start: number;
  end: number;
  session: boolean;
}

/** Counts overlaps among an entity's sessions and with its busy time; `gapMs` is the break required between them. */
function countOverlaps(items: Timed[], gapMs: number): number {
  items.sort((a, b) => a.start - b.start || a.end - b.end);
  let violations = 0;
  let last: Timed | null = null;
  for (const it of items) {
    // Busy time overlapping busy time is input data, not the proposal's fault.
    if (last && (last.session || it.session) && it.start < last.end + gapMs) violations++;
    if (!last || it.end > last.end || (it.end === last.end && it.session)) last = it;
  }
  return violations;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Recomputes the score of a solution from scratch: hard violations, unplaced minutes, weighted soft penalties. */
export function scoreSolution(problem: SchedulingProblem, solution: Pick<Solution, 'sessions'>): Score {
  const w = resolveWeights(problem);
  const tz = problem.centreTimeZone;
  const day0 = DateTime.fromJSDate(problem.from, { zone: tz }).startOf('day');
  // Sessions start on few distinct instants, so the luxon work is memoised per instant.
  const clock = new Map<number, { day: number; minute: number }>();
  const local = (ms: number): { day: number; minute: number } => {
    let c = clock.get(ms);
    if (!c) {
      const d = DateTime.fromMillis(ms, { zone: tz });
      c = { day: Math.round(d.startOf('day').diff(day0, 'days').days), minute: d.hour * 60 + d.minute };
      clock.set(ms, c);
    }
    return c;
  };
  const localDay = (ms: number): number => local(ms).day;
  const localMinute = (ms: number): number => local(ms).minute;

  const children = new Map(problem.children.map((c) => [c.id, c]));
  const specialists = new Map(problem.specialists.map((s) => [s.id, s]));
  const rooms = new Map(problem.rooms.map((r) => [r.id, r]));
  const freeOf = new Map(problem.specialists.map((s) => [s.id, normalize(s.free)]));
  const hard = new Map<string, number>();
  const bump = (name: string, by = 1): void => {
    if (by > 0) hard.set(name, (hard.get(name) ?? 0) + by);
  };

  const bySpec = new Map<string, Timed[]>();
  const byChild = new Map<string, Timed[]>();
  const byRoom = new Map<string, Timed[]>();
  const byNeed = new Map<string, ProposedSession[]>();
  const specDay = new Map<string, Map<number, number>>();
  const childDayMinutes = new Map<string, number>();
  const specChildren = new Map<string, Set<string>>();

  for (const s of solution.sessions) {
    const child = children.get(s.childId);
    const spec = specialists.get(s.specialistId);
    const room = rooms.get(s.roomId);
    if (!child || !spec || !room) {
      bump('unknownReference');
      continue;
    }
    const start = s.startsAt.getTime();
    const end = s.endsAt.getTime();
    const need = child.needs.find((n) => n.discipline === s.discipline);
    if (!need || end - start !== need.minutes * MINUTE_MS) bump('notARequiredSession');
    const why = incompatibilities(spec, child, s.discipline);
    if (why.includes('DISCIPLINE')) bump('discipline');
    if (why.includes('LANGUAGE')) bump('language');
    if (why.includes('AGE')) bump('ageRange');
    if (start < problem.from.getTime() || end > problem.to.getTime()) bump('outsidePeriod');
    if (start < child.placement.from.getTime() || end > child.placement.to.getTime()) bump('outsidePlacement');
    if (!containsInterval(freeOf.get(spec.id)!, { start, end })) bump('specialistUnavailable');
    const timed = { start, end, session: true };
    pushTo(bySpec, spec.id, timed);
    pushTo(byChild, child.id, timed);
    pushTo(byRoom, room.id, timed);
    pushTo(byNeed, needKey(child.id, s.discipline), s);
    const day = localDay(start);
    const perDay = specDay.get(spec.id) ?? new Map<number, number>();
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    specDay.set(spec.id, perDay);
    const cd = `${child.id}\u0000${day}`;
    childDayMinutes.set(cd, (childDayMinutes.get(cd) ?? 0) + (end - start) / MINUTE_MS);
    const set = specChildren.get(spec.id) ?? new Set<string>();
    set.add(child.id);
    specChildren.set(spec.id, set);
  }

  const withBusy = (items: Timed[] | undefined, busy: readonly Interval[]): Timed[] => [
    ...(items ?? []),
    ...busy.map((b) => ({ start: b.start, end: b.end, session: false })),
  ];
  for (const [id, items] of bySpec) {
    const spec = specialists.get(id)!;
    bump('specialistOverlap', countOverlaps(withBusy(items, spec.busy), spec.minBreakMinutes * MINUTE_MS));
  }
  for (const [id, items] of byChild) bump('childOverlap', countOverlaps(withBusy(items, children.get(id)!.busy), 0));
  for (const [id, items] of byRoom) bump('roomOverlap', countOverlaps(withBusy(items, rooms.get(id)!.busy), 0));

  const childIds = new Set(children.keys());
  for (const spec of problem.specialists) {
    const external = new Set(spec.currentChildren.filter((c) => !childIds.has(c))).size;
    bump('caseloadCap', (specChildren.get(spec.id)?.size ?? 0) + external - spec.caseloadCap);
    const busyDays = new Map<number, number>();
    for (const b of spec.busy) busyDays.set(localDay(b.start), (busyDays.get(localDay(b.start)) ?? 0) + 1);
    for (const [day, count] of specDay.get(spec.id) ?? []) {
      bump('perDayCap', count + (busyDays.get(day) ?? 0) - spec.perDayCap);
    }
  }
  for (const [key, minutes] of childDayMinutes) {
    const [cid, day] = key.split('\u0000');
    const busyMinutes = children
      .get(cid)!
      .busy.filter((b) => localDay(b.start) === Number(day))
      .reduce((sum, b) => sum + (b.end - b.start) / MINUTE_MS, 0);
    if (minutes + busyMinutes > problem.childMaxDailyMinutes) bump('childDailyLoad');
  }

  // Medium and soft terms, need by need.
  const previous = previousSpecialists(problem);
  const targets = fairnessTargets(problem);
  let unplacedMinutes = 0;
  let continuity = 0;
  let routine = 0;
  let earlyStart = 0;
  let unplacedUrgency = 0;
  const specSessions = new Map<string, number>();
  for (const child of problem.children) {
    const urgency = childUrgency(child, problem.from);
    for (const need of child.needs) {
      const sessions = byNeed.get(needKey(child.id, need.discipline)) ?? [];
      const specIds = new Set(sessions.map((s) => s.specialistId));
      bump('splitAssignment', specIds.size - 1);
      bump('tooManySessions', sessions.length - need.sessionsPerWeek);
      const days = sessions.map((s) => localDay(s.startsAt.getTime()));
      bump('twoSessionsOneDay', days.length - new Set(days).size);
      const missing = Math.max(0, need.sessionsPerWeek - sessions.length);
      unplacedMinutes += missing * need.minutes;
      unplacedUrgency += w.unplacedUrgency * urgency * missing;
      const prev = previous.get(needKey(child.id, need.discipline));
      if (prev !== undefined && !(specIds.size === 1 && specIds.has(prev))) continuity += w.continuity;
      if (sessions.length > 0) {
        routine += w.routine * (new Set(sessions.map((s) => localMinute(s.startsAt.getTime()))).size - 1);
      }
      for (const d of days) earlyStart += w.earlyStart * urgency * d;
      for (const s of sessions) specSessions.set(s.specialistId, (specSessions.get(s.specialistId) ?? 0) + 1);
    }
  }
  let fairness = 0;
  for (const spec of problem.specialists) {
    const load = (spec.load ?? 0) + (specSessions.get(spec.id) ?? 0);
    fairness += w.fairness * Math.max(0, load - (targets.get(spec.discipline) ?? 0));
  }

  const softTerms: ScoreTerm[] = [
    { name: 'soft.continuity', value: continuity },
    { name: 'soft.routine', value: routine },
    { name: 'soft.fairness', value: fairness },
    { name: 'soft.earlyStart', value: earlyStart },
    { name: 'soft.unplacedUrgency', value: unplacedUrgency },
  ];
  const soft = softTerms.reduce((sum, t) => sum + t.value, 0);
  const hardTotal = [...hard.values()].reduce((a, b) => a + b, 0);
  return {
    hard: hardTotal,
    medium: unplacedMinutes,
    soft,
    objective: w.unplacedMinute * unplacedMinutes + soft,
    breakdown: [
      ...[...hard.entries()].map(([name, value]) => ({ name: `hard.${name}`, value })),
      { name: 'medium.unplacedMinutes', value: unplacedMinutes },
      ...softTerms,
    ],
  };
}
