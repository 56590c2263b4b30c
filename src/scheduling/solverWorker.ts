import { parentPort } from 'node:worker_threads';
import type { SchedulingProblem, Solution } from './problem';
import { solve } from './solver';

/*
 * The solver's worker thread: receives a problem, solves it, posts the solution back. Running the solver
 * here keeps it off the event loop, so other users' requests are served while a proposal is computed.
 */

/** A job posted to the worker. */
export interface SolverJob {
  id: number;
  problem: SchedulingProblem;
  timeLimitMs: number;
  seed: number;
}

/** The worker's answer to a {@link SolverJob}. */
export type SolverReply = { id: number; ok: true; solution: Solution } | { id: number; ok: false; error: string };

parentPort?.on('message', (job: SolverJob) => {
  let reply: SolverReply;
  try {
    reply = { id: job.id, ok: true, solution: solve(job.problem, { timeLimitMs: job.timeLimitMs, seed: job.seed }) };
  } catch (e) {
    reply = { id: job.id, ok: false, error: (e as Error)?.stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
