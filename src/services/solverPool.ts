import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SchedulingProblem, Solution } from '../scheduling/problem';
import type { SolverJob, SolverReply } from '../scheduling/solverWorker';

/*
 * Runs the solver in worker threads (node:worker_threads) so that a proposal never blocks the event loop.
 * Compiled code (dist/, `npm start`) runs dist/src/scheduling/solverWorker.js. Code run from TypeScript
 * sources (ts-jest in the tests) starts the worker from a small bootstrap that compiles the worker's .ts
 * modules with TypeScript's transpileModule on require (no ts-node). Workers are kept for reuse, unref'd
 * (they never keep the process alive), and killed when a job overruns its time limit by far.
 */

/** Most solver threads at once; further proposals queue. One core stays free for requests. */
const MAX_WORKERS = Math.max(1, Math.min(2, (os.availableParallelism?.() ?? os.cpus().length) - 1));
/** A job that has not answered this long after its time limit is killed with its worker. */
const GRACE_MS = 5_000;
/** Extra time a job gets when its worker has to start first. */
const STARTUP_MS = 30_000;

const TS_BOOTSTRAP = `
const fs = require('node:fs');
const ts = require('typescript');
const { workerData } = require('node:worker_threads');
require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true,
      experimentalDecorators: true, emitDecoratorMetadata: true, useDefineForClassFields: false, sourceMap: false },
  });
  module._compile(out.outputText, filename);
};
require(workerData.entry);
`;

function startWorker(): Worker {
  const compiled = __filename.endsWith('.js');
  const entry = path.join(__dirname, '..', 'scheduling', compiled ? 'solverWorker.js' : 'solverWorker.ts');
  const w = compiled ? new Worker(entry) : new Worker(TS_BOOTSTRAP, { eval: true, workerData: { entry } });
  w.unref();
  return w;
}

interface Pending {
  job: SolverJob;
  resolve: (s: Solution) => void;
  reject: (e: Error) => void;
}

const idle: Worker[] = [];
const queue: Pending[] = [];
let running = 0;
let nextId = 1;

function dispatch(): void {
  while (queue.length > 0 && (idle.length > 0 || running < MAX_WORKERS)) {
    const p = queue.shift()!;
    const reused = idle.pop();
    const worker = reused ?? startWorker();
    running++;
    let settled = false;
    const onMessage = (r: SolverReply) => {
      if (settled || r.id !== p.job.id) return;
      finish(true);
      if (r.ok) p.resolve(r.solution);
      else p.reject(new Error(`the scheduler failed: ${r.error}`));
    };
    const onError = (e: Error) => {
      if (settled) return;
      finish(false);
      p.reject(e);
    };
    const onExit = (code: number) => {
      if (settled) return;
      finish(false);
      p.reject(new Error(`the scheduler's worker exited with code ${code}`));
    };
    // A new worker first loads the solver (from TypeScript sources in the tests: seconds on a busy machine).
    const limit = p.job.timeLimitMs + GRACE_MS + (reused ? 0 : STARTUP_MS);
    const timer = setTimeout(() => {
      if (settled) return;
      finish(false);
      p.reject(new Error(`the scheduler did not answer within ${limit} ms`));
    }, limit);
    timer.unref();
    function finish(keep: boolean): void {
      settled = true;
      clearTimeout(timer);
      // Only our own listeners: the Worker's internal ones keep its message port working for the next job.
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      running--;
      if (keep) idle.push(worker);
      else void worker.terminate();
      dispatch();
    }
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(p.job);
  }
}

/** Solves a scheduling problem in a worker thread; the event loop stays free meanwhile. */
export function solveInWorker(problem: SchedulingProblem, opts: { timeLimitMs: number; seed?: number }): Promise<Solution> {
  return new Promise<Solution>((resolve, reject) => {
    queue.push({ job: { id: nextId++, problem, timeLimitMs: opts.timeLimitMs, seed: opts.seed ?? 1 }, resolve, reject });
    dispatch();
  });
}

/** Stops the idle solver threads (tests, shutdown); running jobs finish first. */
export async function closeSolverWorkers(): Promise<void> {
  await Promise.all(idle.splice(0).map((w) => w.terminate()));
}
