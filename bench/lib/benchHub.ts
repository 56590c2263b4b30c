import 'reflect-metadata';
import pino from 'pino';
import type { App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { useGraphqlProductionChecks } from '../../src/graphqlProductionChecks';
import { answerStatsRequests, installStatementCounter } from './sqlStatementCounter';

/*
 * The hub under test, in its own process so the load generator does not share its event loop.
 * Forked by bench/http.ts: receives { dataDir, embeddedPgPort } in BENCH_HUB, answers { type: 'ready', url, database }
 * over IPC, and stops cleanly on { type: 'stop' } (or when the parent goes away).
 * With BENCH_COUNT_SQL=1 (bench/compare.ts) it counts the SQL statements it sends at the driver and answers
 * { type: 'stats' } with them and its CPU time (bench/lib/sqlStatementCounter.ts).
 */

interface HubOptions {
  dataDir: string;
  embeddedPgPort: number;
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.env.BENCH_HUB ?? '{}') as HubOptions;
  // As src/main.ts does, before anything loads graphql (the hub is required below).
  useGraphqlProductionChecks();
  const { createApp } = require('../../src/app') as typeof import('../../src/app');
  if (process.env.BENCH_COUNT_SQL === '1') installStatementCounter();
  answerStatsRequests();
  // Demo world on by default (seedDemo does nothing when the demo users already exist); DEMO_SEED=false turns it off.
  const config = loadConfig({
    ...process.env,
    DATA_DIR: opts.dataDir,
    EMBEDDED_PG_PORT: String(opts.embeddedPgPort),
    DEMO_SEED: process.env.DEMO_SEED || 'true',
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
  });
  // Progress (migrations, seeding) goes to stderr; stdout is left to the benchmark's table.
  const logger = pino({ level: config.logLevel, base: { service: 'bkb-hub-bench' } }, pino.destination(2));
  let app: App | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await app?.stop().catch((e) => logger.error({ err: e }, 'stop failed'));
    process.exit(code);
  };
  process.on('message', (m: { type?: string }) => { if (m?.type === 'stop') void stop(0); });
  process.on('disconnect', () => void stop(0));
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));

  app = await createApp(config, { logger });
  let url: string;
  try {
    url = await app.start(0);
  } catch (e) {
    logger.error({ err: e }, 'hub failed to start');
    await stop(1);
    return;
  }
  const database = config.databaseUrl ? `PostgreSQL at ${new URL(config.databaseUrl).host}` : `embedded PostgreSQL (${opts.dataDir})`;
  process.send?.({ type: 'ready', url, database });
}

main().catch((e) => {
  process.stderr.write(`bench hub failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
