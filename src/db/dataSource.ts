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
  if (await allApplied(ds)) return [];
  const ran = await ds.runMigrations({ transaction: 'each' });
  // What a migration that ran needs written in TypeScript.
  for (const m of ran) await BACKFILLS[m.name]?.(ds);
  return ran.map((m) => m.name);
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
