import { scoreSolution } from '../src/scheduling/score';
import { solveWithStats } from '../src/scheduling/solver';
import type { SchedulingProblem, SolveProgress } from '../src/scheduling/problem';
import { loadHighs, solveExact } from './scheduler/exactModel';
import { generateInstance } from './scheduler/generateInstance';

/*
 * Scheduler benchmark: `npm run bench:scheduler [-- options]`.
 *
 * 1. Small instances (default 6 × 12 children / 4 specialists / 3 rooms, one week on a 60-minute grid):
 *    the heuristic against the exact optimum of the SAME objective found by HiGHS (bench/scheduler/exactModel.ts).
 *    Objective = unplacedMinute × (required minutes left unplaced) + weighted soft penalties (src/scheduling/problem.ts);
 *    gap % = (heuristic − optimum) / optimum. Both solutions are re-scored by the independent scorer.
 * 2. The big instance (default 2,000 children / 300 specialists, one week on the 15-minute grid): time and quality.
 *
 * Options: --small N  --small-children N  --small-specialists N  --children N  --specialists N  --seed N
 *          --time-limit MS (solver budget of the big instance, default 5000)  --no-exact  --no-big
 * Progress goes to stderr; the table to stdout.
 */

interface Args {
  small: number;
  smallChildren: number;
  smallSpecialists: number;
  children: number;
  specialists: number;
  seed: number;
  timeLimitMs: number;
  exact: boolean;
  big: boolean;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, fallback: number): number => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
  };
  return {
    small: get('small', 6),
    smallChildren: get('small-children', 12),
    smallSpecialists: get('small-specialists', 4),
    children: get('children', 2000),
    specialists: get('specialists', 300),
    seed: get('seed', 1),
    timeLimitMs: get('time-limit', 5000),
    exact: !argv.includes('--no-exact'),
    big: !argv.includes('--no-big'),
  };
}

interface Row {
  instance: string;
  children: number;
  specialists: number;
  needs: number;
  sessionsRequired: number;
  ms: number;
  objective: number;
  optimum?: number;
  medium: number;
  soft: number;
  optimumMedium?: number;
  optimumSoft?: number;
  exactMs?: number;
  gap?: number;
  unplaced: number;
  hard: number;
}

function progress(label: string): (p: SolveProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 1000 && p.done < p.total) return;
    last = now;
    const unit = p.phase === 'improve' ? ' ms' : ' needs';
    process.stderr.write(`[${label}] ${p.phase} ${p.done}/${p.total}${unit}\n`);
  };
}

function sizes(problem: SchedulingProblem): Pick<Row, 'children' | 'specialists' | 'needs' | 'sessionsRequired'> {
  const needs = problem.children.flatMap((c) => c.needs);
  return {
    children: problem.children.length,
    specialists: problem.specialists.length,
    needs: needs.length,
    sessionsRequired: needs.reduce((s, n) => s + n.sessionsPerWeek, 0),
  };
}

function printTable(rows: Row[]): void {
  const header = [
    'instance', 'children', 'specs', 'needs', 'sessions', 'time ms', 'objective', 'optimum', 'exact ms', 'gap %',
    'unplaced min (heur/opt)', 'soft (heur/opt)', 'unplaced needs', 'hard',
  ];
  const lines = rows.map((r) => [
    r.instance,
    String(r.children),
    String(r.specialists),
    String(r.needs),
    String(r.sessionsRequired),
    String(r.ms),
    r.objective.toFixed(2),
    r.optimum === undefined ? '-' : r.optimum.toFixed(2),
    r.exactMs === undefined ? '-' : String(r.exactMs),
    r.gap === undefined ? '-' : (r.gap * 100).toFixed(2),
    `${r.medium}/${r.optimumMedium ?? '-'}`,
    `${r.soft.toFixed(2)}/${r.optimumSoft === undefined ? '-' : r.optimumSoft.toFixed(2)}`,
    String(r.unplaced),
    String(r.hard),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  let worstGap = 0;

  if (args.small > 0) {
    const highs = args.exact ? await loadHighs() : null;
    for (let i = 0; i < args.small; i++) {
      const seed = args.seed * 1000 + i + 1;
      const problem = generateInstance({
        seed,
        children: args.smallChildren,
        specialists: args.smallSpecialists,
        rooms: Math.max(1, args.smallSpecialists - 2),
        slotMinutes: 60,
        profile: 'contended',
        disciplines: ['PSYCHOLOGIST', 'TEACHER', 'ART_THERAPIST'],
      });
      const label = `small #${i + 1} (seed ${seed})`;
      const started = Date.now();
      const { solution } = solveWithStats(problem, { timeLimitMs: 3000, onProgress: progress(label) });
      const ms = Date.now() - started;
      const row: Row = {
        instance: label,
        ...sizes(problem),
        ms,
        objective: solution.score.objective,
        medium: solution.score.medium,
        soft: solution.score.soft,
        unplaced: solution.unmet.length,
        hard: solution.score.hard,
      };
      if (highs) {
        process.stderr.write(`[${label}] exact MIP...\n`);
        const exact = solveExact(highs, problem);
        const check = scoreSolution(problem, { sessions: exact.sessions });
        if (exact.status !== 'Optimal') process.stderr.write(`[${label}] HiGHS status ${exact.status}\n`);
        if (check.hard > 0 || Math.abs(check.objective - exact.optimum) > 1e-3) {
          process.stderr.write(
            `[${label}] WARNING: MIP solution re-scored to ${check.objective.toFixed(3)} (hard ${check.hard}), MIP said ${exact.optimum.toFixed(3)}\n`,
          );
        }
        row.optimum = exact.optimum;
        row.optimumMedium = check.medium;
        row.optimumSoft = check.soft;
        row.exactMs = exact.ms;
        row.gap = (row.objective - exact.optimum) / Math.max(1e-9, Math.abs(exact.optimum));
        worstGap = Math.max(worstGap, row.gap);
        process.stderr.write(`[${label}] ${exact.model.variables} variables, ${exact.model.constraints} rows, ${exact.ms} ms\n`);
      }
      rows.push(row);
    }
  }

  if (args.big) {
    const label = `big (seed ${args.seed})`;
    process.stderr.write(`[${label}] generating ${args.children} children / ${args.specialists} specialists...\n`);
    const problem = generateInstance({ seed: args.seed, children: args.children, specialists: args.specialists });
    const started = Date.now();
    const { solution, stats } = solveWithStats(problem, { timeLimitMs: args.timeLimitMs, onProgress: progress(label) });
    const ms = Date.now() - started;
    rows.push({ instance: label, ...sizes(problem), ms, objective: solution.score.objective, medium: solution.score.medium, soft: solution.score.soft, unplaced: solution.unmet.length, hard: solution.score.hard });
    process.stderr.write(
      `[${label}] construct ${stats.constructMs} ms (objective ${stats.constructedObjective.toFixed(0)}), ` +
        `improve ${stats.improveMs} ms over ${stats.iterations} moves\n`,
    );
    const reasons = new Map<string, number>();
    for (const u of solution.unmet) reasons.set(u.code, (reasons.get(u.code) ?? 0) + 1);
    console.log(`big instance: ${solution.sessions.length} sessions placed; unplaced needs by reason: ${JSON.stringify(Object.fromEntries(reasons))}`);
    console.log(`big instance score: ${JSON.stringify(solution.score.breakdown.map((t) => `${t.name}=${Number(t.value.toFixed(2))}`))}`);
  }

  printTable(rows);
  if (args.exact && args.small > 0) console.log(`worst gap to the exact optimum: ${(worstGap * 100).toFixed(2)}% (requirement: ≤ 2%)`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
