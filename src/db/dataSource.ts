import { DataSource, type Logger } from 'typeorm';
import { entities } from '../entities';
import { migrations } from '../../migrations';

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

/** Applies pending migrations; returns the names of those it ran. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = createDataSource({ url, poolSize: 1 });
  await ds.initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}
