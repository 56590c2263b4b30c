import path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from '../../src/config';
import { contextFor, type AppDeps, type Context } from '../../src/context';
import { createDataSource, runMigrations } from '../../src/db/dataSource';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embeddedPostgres';
import { User } from '../../src/entities';
import { staleBuildWarning } from '../../src/staleBuild';
import { unauthenticated } from '../../src/errors';

async function reachable(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** The hub's database for a command-line tool: DATABASE_URL, else the embedded server (started if not running), migrated. */
export async function openDatabase(config: Config, say: (m: string) => void): Promise<{ ds: DataSource; url: string; close: () => Promise<void> }> {
  // `npm run import:records` and `npm run match` run the build from install, as `npm start` does: say when it is older
  // than the sources (the command's own under scripts/ included).
  const stale = staleBuildWarning(require.main?.filename, ['src', 'migrations', 'scripts']);
  if (stale) say(stale.trimEnd());
  let url = config.databaseUrl;
  let embedded: EmbeddedServer | undefined;
  if (!url) {
    const local = `postgres://postgres:postgres@127.0.0.1:${config.embeddedPgPort}/postgres`;
    if (await reachable(local)) url = local;
    else {
      say(`starting the embedded PostgreSQL (${path.join(config.dataDir, 'pg')})…`);
      embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'pg'), config.embeddedPgPort);
      url = embedded.url;
    }
  }
  await runMigrations(url);
  const ds = createDataSource({ url, poolSize: 2 });
  await ds.initialize();
  return { ds, url, close: async () => { await ds.destroy(); await embedded?.stop(); } };
}

/**
 * A service context for a command-line tool acting as `user`: the same abilities, loaders and transactions
 * as a request of that user (no live delivery: the tools write no case events).
 */
export function scriptContext(ds: DataSource, config: Config, user: User): Context {
  const deps = {
    config, dataSource: ds, logger: pino({ level: 'warn' }),
    tokens: undefined, feed: undefined,
    events: { publishOnCommit: async () => { throw new Error('command-line tools do not publish case events'); } },
  } as unknown as AppDeps;
  return contextFor(deps, user, undefined, { centreIds: [], specialistId: null, centreOperators: {} });
}

/** The user a tool acts as, by e-mail. */
export async function userByEmail(ds: DataSource, email: string): Promise<User> {
  const user = await ds.getRepository(User).findOne({ where: { email } });
  // UNAUTHENTICATED, as the API says it: a command tells a refusal (running it again does not help) by its code.
  if (!user || !user.active) throw unauthenticated(`no active user ${email}`);
  return user;
}

export function parseArgs(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[a.slice(2)] = true;
    else out[a.slice(2)] = argv[++i];
  }
  return out;
}
