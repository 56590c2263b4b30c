import { generateInstance } from '../../../bench/scheduler/generateInstance';
import { localToInstant } from '../../../src/scheduling/recurrence';
import type { ChildInput, ProposedSession, SchedulingProblem, SpecialistInput } from '../../../src/scheduling/problem';
import { scoreSolution } from '../../../src/scheduling/score';
import { solve, solveWithStats } from '../../../src/scheduling/solver';

const KYIV = 'Europe/Kyiv';
const at = (wall: string): Date => localToInstant(wall, KYIV);
const MIN = 60_000;

/** A tiny hand-made week: Monday–Friday, specialists free 09:00–13:00 each day. */
function tinyProblem(overrides: { children: ChildInput[]; specialists: SpecialistInput[]; rooms?: number }): SchedulingProblem {
  return {
    centreTimeZone: KYIV,
    from: at('2026-03-23T00:00'),
    to: at('2026-03-30T00:00'),
    slotMinutes: 15,
    children: overrides.children,
    specialists: overrides.specialists,
    rooms: Array.from({ length: overrides.rooms ?? 2 }, (_, i) => ({ id: `r${i + 1}`, kind: 'CONSULTATION', capacity: 2, busy: [] })),
    childMaxDailyMinutes: 180,
  };
}

const mornings = ['23', '24', '25', '26', '27'].map((d) => ({ start: at(`2026-03-${d}T09:00`).getTime(), end: at(`2026-03-${d}T13:00`).getTime() }));

function child(id: string, extra: Partial<ChildInput> = {}): ChildInput {
  return {
    id,
    ageYears: 9,
    languages: ['uk'],
    priority: 3,
    returnedAt: new Date('2025-06-01T00:00:00Z'),
    placement: { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-12-31T00:00:00Z') },
    needs: [{ discipline: 'PSYCHOLOGIST', sessionsPerWeek: 2, minutes: 50 }],
    busy: [],
    ...extra,
  };
}

function specialist(id: string, extra: Partial<SpecialistInput> = {}): SpecialistInput {
  return {
    id,
    discipline: 'PSYCHOLOGIST',
    languages: ['uk'],
    ageMin: 3,
    ageMax: 17,
    caseloadCap: 10,
    perDayCap: 4,
    minBreakMinutes: 10,
    free: mornings,
    busy: [],
    currentChildren: [],
    ...extra,
  };
}

function assertNoOverlaps(sessions: ProposedSession[], key: (s: ProposedSession) => string, gapMs: (k: string) => number): void {
  const groups = new Map<string, ProposedSession[]>();
  for (const s of sessions) groups.set(key(s), [...(groups.get(key(s)) ?? []), s]);
  for (const [k, list] of groups) {
    list.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    for (let i = 1; i < list.length; i++) {
      expect(list[i].startsAt.getTime()).toBeGreaterThanOrEqual(list[i - 1].endsAt.getTime() + gapMs(k));
    }
  }
}

describe('solve on a generated centre week (200 children, 30 specialists, 15-minute grid)', () => {
  const problem = generateInstance({ seed: 7, children: 200, specialists: 30 });
  const { solution, stats } = solveWithStats(problem, { timeLimitMs: 2000 });
  const specs = new Map(problem.specialists.map((s) => [s.id, s]));

  it('violates no hard constraint according to the independent scorer', () => {
    const score = scoreSolution(problem, solution);
    expect(score.hard).toBe(0);
    expect(score).toEqual(solution.score);
  });

  it('tracks the same objective internally as the scorer recomputes', () => {
    expect(stats.internalObjective).toBeCloseTo(solution.score.objective, 6);
    expect(solution.score.objective).toBeLessThanOrEqual(stats.constructedObjective + 1e-6);
  });

  it('never overlaps a specialist (with the break), a child or a room', () => {
    assertNoOverlaps(solution.sessions, (s) => s.specialistId, (id) => specs.get(id)!.minBreakMinutes * MIN);
    assertNoOverlaps(solution.sessions, (s) => s.childId, () => 0);
    assertNoOverlaps(solution.sessions, (s) => s.roomId, () => 0);
  });

  it('respects caseload and per-day caps', () => {
    for (const spec of problem.specialists) {
      const own = solution.sessions.filter((s) => s.specialistId === spec.id);
      expect(new Set(own.map((s) => s.childId)).size).toBeLessThanOrEqual(spec.caseloadCap);
      const perDay = new Map<string, number>();
      for (const s of own) {
        const day = s.startsAt.toLocaleDateString('en-CA', { timeZone: KYIV });
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
      }
      for (const n of perDay.values()) expect(n).toBeLessThanOrEqual(spec.perDayCap);
    }
  });

  it('places most of the demand, explains every unmet need, and reports one assignment per served need', () => {
    const required = problem.children.flatMap((c) => c.needs).reduce((s, n) => s + n.sessionsPerWeek, 0);
    expect(solution.sessions.length).toBeGreaterThan(required * 0.6);
    for (const u of solution.unmet) {
      expect(u.missingSessions).toBeGreaterThan(0);
      expect(u.reason.length).toBeGreaterThan(10);
    }
    const missing = solution.unmet.reduce((s, u) => s + u.missingSessions, 0);
    expect(solution.sessions.length + missing).toBe(required);
    const keys = solution.assignments.map((a) => `${a.childId}/${a.discipline}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps most existing assignments', () => {
    const withPrevious = solution.assignments.filter((a) => problem.specialists.some((s) => s.discipline === a.discipline && s.currentChildren.includes(a.childId)));
    expect(withPrevious.length).toBeGreaterThan(0);
    // Continuity is a soft goal searched under a time limit: on a loaded 2-core machine the search gets fewer
    // rounds (0.68 seen with other suites running; 0.8+ alone), so the bound leaves room for that.
    expect(withPrevious.filter((a) => a.kept).length / withPrevious.length).toBeGreaterThan(0.6);
  });

  it('is reproducible for a seed (when the search stops by stalling, not by the clock)', () => {
    const small = generateInstance({ seed: 8, children: 20, specialists: 5 });
    const again = solve(small, { timeLimitMs: 60_000, seed: 3 });
    const third = solve(small, { timeLimitMs: 60_000, seed: 3 });
    expect(third.sessions).toEqual(again.sessions);
  });
});

describe('solve on hand-made cases', () => {
  it('keeps the existing specialist when possible, at one time of day', () => {
    const problem = tinyProblem({
      children: [child('c1')],
      specialists: [specialist('s1'), specialist('s2', { currentChildren: ['c1'] })],
    });
    const solution = solve(problem);
    expect(solution.assignments).toEqual([{ childId: 'c1', specialistId: 's2', discipline: 'PSYCHOLOGIST', kept: true }]);
    expect(solution.sessions).toHaveLength(2);
    const times = solution.sessions.map((s) => s.startsAt.toLocaleTimeString('en-GB', { timeZone: KYIV }));
    expect(new Set(times).size).toBe(1);
    expect(solution.score).toMatchObject({ hard: 0, medium: 0 });
  });

  it('explains needs that cannot be met: language, discipline, age, caseload, free time', () => {
    const problem = tinyProblem({
      children: [
        child('tatar', { languages: ['crh'] }),
        child('art', { needs: [{ discipline: 'ART_THERAPIST', sessionsPerWeek: 1, minutes: 60 }] }),
        child('toddler', { ageYears: 2 }),
        child('late', { placement: { from: new Date('2027-01-01T00:00:00Z'), to: new Date('2027-06-01T00:00:00Z') } }),
        child('a'),
        child('b'),
      ],
      specialists: [specialist('s1', { caseloadCap: 1, currentChildren: ['a'] })],
    });
    const solution = solve(problem);
    const reason = (id: string): string | undefined => solution.unmet.find((u) => u.childId === id)?.code;
    expect(reason('tatar')).toBe('NO_SHARED_LANGUAGE');
    expect(solution.unmet.find((u) => u.childId === 'tatar')!.reason).toContain('crh');
    expect(reason('art')).toBe('NO_SPECIALIST_FOR_DISCIPLINE');
    expect(reason('toddler')).toBe('NO_SPECIALIST_FOR_AGE');
    expect(reason('late')).toBe('OUTSIDE_PLACEMENT');
    expect(reason('a')).toBeUndefined();
    expect(reason('b')).toBe('CASELOAD_FULL');
    expect(solution.score.hard).toBe(0);
  });

  it('reports missing free time and places what fits', () => {
    const problem = tinyProblem({
      children: [child('c1', { needs: [{ discipline: 'PSYCHOLOGIST', sessionsPerWeek: 3, minutes: 50 }] })],
      specialists: [specialist('s1', { free: mornings.slice(0, 2) })],
    });
    const solution = solve(problem);
    expect(solution.sessions).toHaveLength(2);
    expect(solution.unmet).toEqual([expect.objectContaining({ childId: 'c1', missingSessions: 1, code: 'NO_FREE_TIME' })]);
    expect(solution.score.medium).toBe(50);
  });

  it('serves the most urgent child first when only one fits, and gives urgent children earlier days', () => {
    const problem = tinyProblem({
      children: [
        child('waiting-short', { priority: 5, returnedAt: at('2026-03-01T00:00'), needs: [{ discipline: 'PSYCHOLOGIST', sessionsPerWeek: 1, minutes: 50 }] }),
        child('at-risk', { priority: 1, returnedAt: at('2025-01-01T00:00'), needs: [{ discipline: 'PSYCHOLOGIST', sessionsPerWeek: 1, minutes: 50 }] }),
      ],
      specialists: [specialist('s1', { caseloadCap: 1 })],
    });
    const solution = solve(problem);
    expect(solution.sessions.map((s) => s.childId)).toEqual(['at-risk']);
    expect(solution.sessions[0].startsAt.toLocaleDateString('en-CA', { timeZone: KYIV })).toBe('2026-03-23');
  });

  it('respects the break, the per-day cap, rooms and the child daily load', () => {
    const problem = tinyProblem({
      children: ['a', 'b', 'c', 'd', 'e'].map((id) => child(id, { needs: [{ discipline: 'PSYCHOLOGIST', sessionsPerWeek: 1, minutes: 50 }] })),
      specialists: [specialist('s1', { perDayCap: 2, minBreakMinutes: 20, free: mornings.slice(0, 1) })],
      rooms: 1,
    });
    const solution = solve(problem);
    // One morning of 4 h, cap 2 a day.
    expect(solution.sessions).toHaveLength(2);
    const [first, second] = solution.sessions;
    expect(second.startsAt.getTime() - first.endsAt.getTime()).toBeGreaterThanOrEqual(20 * MIN);
    expect(solution.score.hard).toBe(0);

    const loaded = tinyProblem({
      children: [child('x', { needs: [{ discipline: 'PSYCHOLOGIST', sessionsPerWeek: 1, minutes: 50 }, { discipline: 'TEACHER', sessionsPerWeek: 1, minutes: 45 }] })],
      specialists: [specialist('p', { free: mornings.slice(0, 1) }), specialist('t', { discipline: 'TEACHER', free: mornings.slice(0, 1) })],
    });
    loaded.childMaxDailyMinutes = 60;
    const one = solve(loaded);
    expect(one.sessions).toHaveLength(1);
    expect(one.score.hard).toBe(0);
  });
});

describe('scoreSolution', () => {
  it('counts violations the solver would never make', () => {
    const problem = tinyProblem({
      children: [child('c1'), child('c2', { languages: ['en'] })],
      specialists: [specialist('s1', { minBreakMinutes: 15 })],
    });
    const s = (childId: string, wall: string, minutes = 50): ProposedSession => ({
      childId,
      specialistId: 's1',
      roomId: 'r1',
      discipline: 'PSYCHOLOGIST',
      startsAt: at(wall),
      endsAt: new Date(at(wall).getTime() + minutes * MIN),
    });
    const score = scoreSolution(problem, {
      sessions: [s('c1', '2026-03-23T09:00'), s('c2', '2026-03-23T09:55'), s('c1', '2026-03-23T18:00'), s('c1', '2026-03-24T09:00', 30)],
    });
    const terms = Object.fromEntries(score.breakdown.map((t) => [t.name, t.value]));
    expect(terms['hard.language']).toBe(1);
    expect(terms['hard.specialistOverlap']).toBeGreaterThanOrEqual(1);
    expect(terms['hard.specialistUnavailable']).toBe(1);
    expect(terms['hard.notARequiredSession']).toBe(1);
    expect(terms['hard.tooManySessions']).toBe(1);
    expect(terms['hard.twoSessionsOneDay']).toBe(1);
    expect(score.hard).toBeGreaterThanOrEqual(6);
  });
});
