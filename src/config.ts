import path from 'node:path';

/** Everything the hub reads from the environment, in one place (the only file that reads process.env). */
export interface Config {
  port: number;
  /** External PostgreSQL; when absent the hub runs the embedded server. */
  databaseUrl?: string;
  dataDir: string;
  embeddedPgPort: number;
  /** Seed the demo world into an empty database: default true on the embedded server, false with DATABASE_URL or in production. */
  demoSeed: boolean;
  demoPassword: string;
  /** JWT signing secret; in development an unset one is generated and kept under dataDir. */
  jwtSecret?: string;
  tokenTtlSeconds: number;
  redisUrl?: string;
  production: boolean;
  logLevel: string;
  maxPageSize: number;
  maxQueryDepth: number;
  maxQueryComplexity: number;
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerUser: number;
  /** How often open WebSocket connections re-check their user (deactivated, roles or organization changed). */
  accountRecheckSeconds: number;
  /** Identification: match probability at or above which a candidate is LIKELY, and POSSIBLE (below: not stored). */
  matchLikelyThreshold: number;
  matchPossibleThreshold: number;
  /** Identification: records per importExternalRecords call (at most 1,000). */
  importMaxRecords: number;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function probabilityOf(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new Error(`${name} must be a probability between 0 and 1 (exclusive), got "${value}"`);
  return n;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  const production = env.NODE_ENV === 'production';
  const demoSeed = bool(env.DEMO_SEED, !databaseUrl && !production);
  if (production && demoSeed && !env.DEMO_PASSWORD) {
    throw new Error('DEMO_SEED in production would create accounts with the published demo password: set DEMO_PASSWORD, or DEMO_SEED=false');
  }
  return {
    port: int(env.PORT, 4000, 'PORT'),
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || 'data'),
    embeddedPgPort: int(env.EMBEDDED_PG_PORT, 5433, 'EMBEDDED_PG_PORT'),
    demoSeed,
    demoPassword: env.DEMO_PASSWORD || 'bkb-demo',
    jwtSecret: env.JWT_SECRET || undefined,
    tokenTtlSeconds: int(env.TOKEN_TTL_SECONDS, 8 * 3600, 'TOKEN_TTL_SECONDS'),
    redisUrl: env.REDIS_URL || undefined,
    production,
    logLevel: env.LOG_LEVEL || (env.NODE_ENV === 'test' ? 'warn' : 'info'),
    maxPageSize: int(env.MAX_PAGE_SIZE, 100, 'MAX_PAGE_SIZE'),
    maxQueryDepth: int(env.MAX_QUERY_DEPTH, 12, 'MAX_QUERY_DEPTH'),
    maxQueryComplexity: int(env.MAX_QUERY_COMPLEXITY, 20000, 'MAX_QUERY_COMPLEXITY'),
    maxSubscriptionsPerConnection: int(env.MAX_SUBSCRIPTIONS_PER_CONNECTION, 20, 'MAX_SUBSCRIPTIONS_PER_CONNECTION'),
    maxConnectionsPerUser: int(env.MAX_CONNECTIONS_PER_USER, 10, 'MAX_CONNECTIONS_PER_USER'),
    accountRecheckSeconds: int(env.ACCOUNT_RECHECK_SECONDS, 15, 'ACCOUNT_RECHECK_SECONDS'),
    matchLikelyThreshold: probabilityOf(env.MATCH_LIKELY_THRESHOLD, 0.99, 'MATCH_LIKELY_THRESHOLD'),
    matchPossibleThreshold: probabilityOf(env.MATCH_POSSIBLE_THRESHOLD, 0.95, 'MATCH_POSSIBLE_THRESHOLD'),
    importMaxRecords: Math.min(1000, int(env.IMPORT_MAX_RECORDS, 1000, 'IMPORT_MAX_RECORDS') || 1000),
  };
}

/** Connection string used by the test suite: TEST_DATABASE_URL, then DATABASE_URL; otherwise tests start the embedded server. */
export function testDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.TEST_DATABASE_URL || env.DATABASE_URL || undefined;
}
