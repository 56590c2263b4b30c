import { fork, type ChildProcess } from 'node:child_process';
import type { ServerStats } from './sqlStatementCounter';

/** A benchmark server in its own process (bench/lib/benchHub.ts, bench/lib/postgraphileServer.ts). */
export interface ForkedServer<Ready> {
  ready: Ready;
  /** Its statement counts and CPU time so far (see sqlStatementCounter.ts). */
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

/**
 * Forks `modulePath` with `env`, waits for its `{ type: 'ready', ... }` message and returns it with
 * a way to ask for stats and to stop it (`{ type: 'stop' }`, then SIGTERM after 30 s).
 */
export async function forkServer<Ready extends object>(name: string, modulePath: string, env: NodeJS.ProcessEnv): Promise<ForkedServer<Ready>> {
  const child: ChildProcess = fork(modulePath, [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waiting = new Map<number, (s: ServerStats) => void>();
  let nextId = 1;
  child.on('message', (m: ServerStats) => {
    if (m?.type !== 'stats') return;
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.on('message', (m: { type?: string }) => {
      if (m?.type === 'ready') {
        const { type: _type, ...rest } = m as { type: string } & Ready;
        resolve(rest as unknown as Ready);
      }
    });
    void exited.then((code) => reject(new Error(`${name} exited before it was ready (code ${code})`)));
  });
  return {
    ready,
    stats() {
      return new Promise<ServerStats>((resolve, reject) => {
        if (child.exitCode !== null || !child.connected) {
          reject(new Error(`${name} is not running`));
          return;
        }
        const id = nextId++;
        const timer = setTimeout(() => { waiting.delete(id); reject(new Error(`${name} did not answer a stats request`)); }, 10_000);
        waiting.set(id, (s) => { clearTimeout(timer); resolve(s); });
        child.send({ type: 'stats', id });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      const timer = setTimeout(() => { process.stderr.write(`${name} did not stop in 30 s; sending SIGTERM\n`); child.kill('SIGTERM'); }, 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
