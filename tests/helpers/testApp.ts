import type { Logger as TypeOrmLogger } from 'typeorm';
import { createApp, type App, type AppOptions } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestApp {
  app: App;
  url: string;
  config: Config;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  stop(): Promise<void>;
}

/** Test configuration: the suite's database, no demo seed, a fixed secret. `env` overrides any variable. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: process.env.BKB_TEST_DB_URL,
    DEMO_SEED: 'false',
    JWT_SECRET: 'test-secret-not-for-production',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...env,
  });
}

/** Starts the real hub (HTTP + WebSocket) on a free port against the test database. */
export async function startTestApp(opts: { env?: Record<string, string>; queryLogger?: TypeOrmLogger } & AppOptions = {}): Promise<TestApp> {
  const config = testConfig(opts.env);
  const app = await createApp(config, { ...opts, databaseUrl: process.env.BKB_TEST_DB_URL });
  const url = await app.start(0);
  return {
    app,
    url,
    config,
    async gql(query, variables, token) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResult<any>;
    },
    stop: () => app.stop(),
  };
}

/** Counts SQL statements (the N+1 test). */
export class StatementCounter implements TypeOrmLogger {
  count = 0;
  statements: string[] = [];
  logQuery(query: string): void {
    if (/^(START TRANSACTION|COMMIT|ROLLBACK|BEGIN)/i.test(query)) return;
    this.count++;
    this.statements.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
  reset(): void {
    this.count = 0;
    this.statements = [];
  }
}
