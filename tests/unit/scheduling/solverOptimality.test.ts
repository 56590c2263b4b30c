import { loadHighs, solveExact } from '../../../bench/scheduler/exactModel';
import { generateInstance } from '../../../bench/scheduler/generateInstance';
import { scoreSolution } from '../../../src/scheduling/score';
import { solve } from '../../../src/scheduling/solver';

// The heuristic against the exact optimum of the same objective (HiGHS MIP on the same slot model).
describe('solver vs exact optimum', () => {
  it('is within 2% of the HiGHS optimum on a small contended week', async () => {
    const highs = await loadHighs();
    const problem = generateInstance({
      seed: 1006,
      children: 12,
      specialists: 4,
      rooms: 2,
      slotMinutes: 60,
      disciplines: ['PSYCHOLOGIST', 'TEACHER', 'ART_THERAPIST'],
      profile: 'contended',
    });
    const exact = solveExact(highs, problem, 30);
    expect(exact.status).toBe('Optimal');
    // The MIP's own solution re-scores to its objective: both really minimise the same thing.
    const rescored = scoreSolution(problem, { sessions: exact.sessions });
    expect(rescored.hard).toBe(0);
    expect(rescored.objective).toBeCloseTo(exact.optimum, 3);

    const heuristic = solve(problem, { timeLimitMs: 3000 });
    expect(heuristic.score.hard).toBe(0);
    expect(heuristic.score.objective).toBeGreaterThanOrEqual(exact.optimum - 1e-3);
    expect((heuristic.score.objective - exact.optimum) / exact.optimum).toBeLessThanOrEqual(0.02);
  }, 60_000);
});
