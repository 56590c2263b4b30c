import { scoreSolution } from '../../src/scheduling/score';
import { solveWithStats } from '../../src/scheduling/solver';
import { loadHighs, solveExact } from './exactModel';
import { generateInstance } from './generateInstance';
(async () => {
  const highs = await loadHighs();
  for (const seed of [1001, 1002, 1003]) {
    const p = generateInstance({ seed, children: 12, specialists: 4, rooms: 3, slotMinutes: 60, disciplines: ['PSYCHOLOGIST', 'TEACHER', 'ART_THERAPIST'] });
    const { solution } = solveWithStats(p, { timeLimitMs: 3000 });
    const ex = solveExact(highs, p);
    const sc = scoreSolution(p, { sessions: ex.sessions });
    console.log(seed, solution.score.breakdown, sc.breakdown, solution.unmet.map((u) => u.code + ':' + u.missingSessions).join(' '));
  }
})();
