import path from 'node:path';

/** Everything the hub reads from the environment, in one place (the only file that reads process.env). */
export interface Config {
  port: number;
  /** External PostgreSQL; when absent the hub runs the embedded server. */
  databaseUrl?: string;
  dataDir: string;
  embeddedPgPort: number;
  /** EMBEDDED_PG_PORT was given: use exactly that port (else a taken default is replaced by a free one, remembered in dataDir). */
  embeddedPgPortFixed: boolean;
  /** Seed the demo world into an empty database: default true on the embedded server, false with DATABASE_URL or in production. */
  demoSeed: boolean;
  demoPassword: string;
  /** JWT signing secret; in development an unset one is generated and kept under dataDir. */
  jwtSecret?: string;
  tokenTtlSeconds: number;
  redisUrl?: string;
  /** How long an authenticated principal may be kept between requests at most (src/auth/principalCache.ts); 0: never. */
  principalCacheSeconds: number;
  production: boolean;
  logLevel: string;
  maxPageSize: number;
  maxQueryDepth: number;
  maxQueryComplexity: number;
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerUser: number;
  /** How often open WebSocket connections re-check their user (deactivated, roles or organization changed). */
  accountRecheckSeconds: number;
  // --- Exposure: limits, introspection, HTTP hardening, login rate limit (see README "Safe to expose") ---
  /** Field resolutions one HTTP request may make before it is refused. */
  maxResolverCalls: number;
  /** Schema introspection (`__schema`, `__type`): default on outside production; anonymous callers never. */
  introspection: boolean;
  /** Shared secret the federation gateway sends in `x-gateway-secret` to read `_service { sdl }` without a user. */
  gatewaySecret?: string;
  /** Express `trust proxy`: which proxies' X-Forwarded-For to believe for the client address (rate limits). */
  trustProxy: string | number | boolean;
  /** Browser origins allowed by CORS: `*` for any; default any outside production, none in production. */
  corsOrigins: string[];
  /** Largest request body accepted (bytes-style string for express, e.g. `1mb`). */
  bodyLimit: string;
  /** Bearer token that `GET /metrics` requires when set. */
  metricsToken?: string;
  /** The local GraphiQL at `GET /graphql` for browsers: default on outside production. */
  graphiql: boolean;
  /** Failed logins allowed per account, and per client address, per `loginWindowSeconds`. */
  loginMaxFailuresPerAccount: number;
  loginMaxFailuresPerAddress: number;
  loginWindowSeconds: number;
  /** Password checks (argon2) running at once, and waiting, per instance; beyond that logins get TOO_MANY_REQUESTS. */
  loginConcurrency: number;
  loginQueue: number;
  /** Statistics: the smallest count published; smaller cells are suppressed (with secondary suppression). */
  statisticsThreshold: number;
  // ICC documentation: evidence store, audit log, exports (see docs/icc.md).
  /** Content-addressed store of evidence originals (`<dir>/sha256/ab/cd/<hash>`). */
  evidenceDir: string;
  /** Largest evidence upload accepted, in bytes. */
  evidenceMaxBytes: number;
  /** Ed25519 private key (PKCS#8 PEM) signing audit checkpoints; generated once when absent, never stored in the database. */
  auditSigningKeyFile: string;
  /** Where signed checkpoints and the public key are published for witnesses. */
  auditCheckpointDir: string;
  /** Seconds between automatic checkpoints (0: only on demand). */
  auditCheckpointIntervalSeconds: number;
  /** Audit sensitive-field reads (always true in production; false only to measure the audit's cost). */
  auditReads: boolean;
  /**
   * The compiled read path (src/fastpath): operations it can compile (a cases page with its nested records) are
   * answered by one SQL statement building the response's JSON; everything else runs through graphql-js.
   * READ_FAST_PATH=false turns it off (the differential test runs both paths side by side).
   */
  readFastPath: boolean;
  /**
   * Group commit of recorded reads: while other signed-in requests that may read sensitive fields are running (those
   * that arrive meanwhile included), a flush waits up to this many milliseconds for them, so that they share its
   * statement and commit (0: never waits; a lone request never waits).
   */
  auditReadGroupMs: number;
  /** Where `exportDossier` writes BagIt bags. */
  exportDir: string;
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

function atLeast(n: number, min: number, name: string): number {
  if (n < min) throw new Error(`${name} must be at least ${min}, got ${n}`);
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
    embeddedPgPortFixed: Boolean(env.EMBEDDED_PG_PORT),
    demoSeed,
    demoPassword: env.DEMO_PASSWORD || 'bkb-demo',
    jwtSecret: env.JWT_SECRET || undefined,
    tokenTtlSeconds: int(env.TOKEN_TTL_SECONDS, 8 * 3600, 'TOKEN_TTL_SECONDS'),
    redisUrl: env.REDIS_URL || undefined,
    principalCacheSeconds: int(env.PRINCIPAL_CACHE_SECONDS, 60, 'PRINCIPAL_CACHE_SECONDS'),
    production,
    logLevel: env.LOG_LEVEL || (env.NODE_ENV === 'test' ? 'warn' : 'info'),
    maxPageSize: int(env.MAX_PAGE_SIZE, 100, 'MAX_PAGE_SIZE'),
    maxQueryDepth: int(env.MAX_QUERY_DEPTH, 12, 'MAX_QUERY_DEPTH'),
    maxQueryComplexity: int(env.MAX_QUERY_COMPLEXITY, 20000, 'MAX_QUERY_COMPLEXITY'),
    maxSubscriptionsPerConnection: int(env.MAX_SUBSCRIPTIONS_PER_CONNECTION, 20, 'MAX_SUBSCRIPTIONS_PER_CONNECTION'),
    maxConnectionsPerUser: int(env.MAX_CONNECTIONS_PER_USER, 10, 'MAX_CONNECTIONS_PER_USER'),
    accountRecheckSeconds: int(env.ACCOUNT_RECHECK_SECONDS, 15, 'ACCOUNT_RECHECK_SECONDS'),
    maxResolverCalls: int(env.MAX_RESOLVER_CALLS, 50_000, 'MAX_RESOLVER_CALLS'),
    introspection: bool(env.INTROSPECTION, !production),
    gatewaySecret: env.GATEWAY_SECRET || undefined,
    trustProxy: trustProxy(env.TRUST_PROXY),
    corsOrigins: (env.CORS_ORIGINS ?? (production ? '' : '*')).split(',').map((o) => o.trim()).filter(Boolean),
    // The largest valid call: 1,000 traces (importExternalRecords) with every field at its longest in Cyrillic (notes
    // 4,000 characters, 8 KB in UTF-8) is about 12.5 MB. At 1 MB a call of 1,000 records with a paragraph of notes each
    // was refused (413) although the issue promises 1,000 per call.
    bodyLimit: env.BODY_LIMIT || '16mb',
    metricsToken: env.METRICS_TOKEN || undefined,
    graphiql: bool(env.GRAPHIQL, !production),
    loginMaxFailuresPerAccount: int(env.LOGIN_MAX_FAILURES_PER_ACCOUNT, 10, 'LOGIN_MAX_FAILURES_PER_ACCOUNT'),
    loginMaxFailuresPerAddress: int(env.LOGIN_MAX_FAILURES_PER_ADDRESS, 100, 'LOGIN_MAX_FAILURES_PER_ADDRESS'),
    loginWindowSeconds: int(env.LOGIN_WINDOW_SECONDS, 900, 'LOGIN_WINDOW_SECONDS'),
    loginConcurrency: int(env.LOGIN_CONCURRENCY, 2, 'LOGIN_CONCURRENCY'),
    loginQueue: int(env.LOGIN_QUEUE, 32, 'LOGIN_QUEUE'),
    statisticsThreshold: atLeast(int(env.STATISTICS_THRESHOLD, 5, 'STATISTICS_THRESHOLD'), 2, 'STATISTICS_THRESHOLD'),
    // ICC documentation: evidence store, audit log, exports.
    evidenceDir: path.resolve(env.EVIDENCE_DIR || path.join(env.DATA_DIR || 'data', 'evidence')),
    evidenceMaxBytes: int(env.EVIDENCE_MAX_BYTES, 4 * 1024 ** 3, 'EVIDENCE_MAX_BYTES'),
    auditSigningKeyFile: path.resolve(env.AUDIT_SIGNING_KEY_FILE || path.join(env.DATA_DIR || 'data', 'audit-signing-key.pem')),
    auditCheckpointDir: path.resolve(env.AUDIT_CHECKPOINT_DIR || path.join(env.DATA_DIR || 'data', 'audit-checkpoints')),
    auditCheckpointIntervalSeconds: int(env.AUDIT_CHECKPOINT_INTERVAL_SECONDS, 300, 'AUDIT_CHECKPOINT_INTERVAL_SECONDS'),
    auditReads: production ? true : bool(env.AUDIT_READS, true),
    readFastPath: bool(env.READ_FAST_PATH, true),
    auditReadGroupMs: int(env.AUDIT_READ_GROUP_MS, 25, 'AUDIT_READ_GROUP_MS'),
    exportDir: path.resolve(env.EXPORT_DIR || path.join(env.DATA_DIR || 'data', 'exports')),
    matchLikelyThreshold: probabilityOf(env.MATCH_LIKELY_THRESHOLD, 0.5, 'MATCH_LIKELY_THRESHOLD'),
    matchPossibleThreshold: probabilityOf(env.MATCH_POSSIBLE_THRESHOLD, 0.1, 'MATCH_POSSIBLE_THRESHOLD'),
    importMaxRecords: Math.min(1000, int(env.IMPORT_MAX_RECORDS, 1000, 'IMPORT_MAX_RECORDS') || 1000),
  };
}

/** `TRUST_PROXY`: unset or `false` trusts none; `true` all; a number of hops; otherwise addresses/subnets for express. */
function trustProxy(value: string | undefined): string | number | boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Connection string used by the test suite: TEST_DATABASE_URL, then DATABASE_URL; otherwise tests start the embedded server. */
export function testDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.TEST_DATABASE_URL || env.DATABASE_URL || undefined;
}
