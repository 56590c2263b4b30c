import { DataSource, type Logger } from 'typeorm';
import { entities } from '../entities';
import { migrations } from '../../migrations';
import { BACKFILLS } from './backfills';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  logger?: Logger;
}

/** The hub's TypeORM data source. Schema changes come only from migrations (never `synchronize`). */
export function createDataSource({ url, poolSize = 10, logger }: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    logger,
    logging: logger ? ['query', 'error'] : false,
    // A database that does not answer fails a request within seconds (503 SERVICE_UNAVAILABLE) instead of
    // holding it open until the client gives up.
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
  });
}

/** Applies pending migrations (with a data source of its own); returns the names of those it ran. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = createDataSource({ url, poolSize: 1 });
  await ds.initialize();
  try {
    return await migrate(ds);
  } finally {
    await ds.destroy();
  }
}

/**
 * Applies the pending migrations through an initialised data source; returns the names of those it ran.
 * When every migration is already recorded (every start but the first) this is one query: TypeORM's own
 * check would send three to four statements and is what runs when something is pending.
 */
export async function migrate(ds: DataSource): Promise<string[]> {
  const ran = (await allApplied(ds)) ? [] : (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  await runBackfills(ds);
  return ran;
}

/**
 * What the applied migrations need written in TypeScript (`BACKFILLS`) and that has not finished: right after the
 * migration on an upgrade, and on the next start when a hub was stopped during one (a backfill writes in batches, each
 * committed; it resumes where the rows still miss their data). One query on every start once all have finished.
 */
export async function runBackfills(ds: DataSource): Promise<string[]> {
  const done = new Set((await ds.query('SELECT name FROM backfill_run') as { name: string }[]).map((r) => r.name));
  const ran: string[] = [];
  for (const m of ds.migrations) {
    const name = m.name ?? m.constructor.name;
    const backfill = BACKFILLS[name];
    if (!backfill || done.has(name)) continue;
    const rows = await backfill(ds);
    await ds.query('INSERT INTO backfill_run (name, rows_written) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, rows]);
    ran.push(name);
  }
  return ran;
}

async function allApplied(ds: DataSource): Promise<boolean> {
  let rows: { name: string }[];
  try {
    rows = await ds.query(`SELECT name FROM ${ds.driver.escape(ds.options.migrationsTableName ?? 'migrations')}`);
  } catch {
    return false; // no migrations table yet (a new database); TypeORM creates it, and reports any other failure
  }
  const applied = new Set(rows.map((r) => r.name));
  return ds.migrations.every((m) => applied.has(m.name ?? m.constructor.name));
}
