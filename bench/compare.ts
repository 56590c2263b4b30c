import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embeddedPostgres';
import {
  HUB_NESTED, HUB_NESTED_OPERATION, PG_NESTED, PG_NESTED_OPERATION, compareTraversals, hubTraversal, pgTraversal, post, type GqlResponse,
} from './lib/compareQueries';
import { forkServer, type ForkedServer } from './lib/forkServer';
import { postgresCpuSampler, type PostgresCpuSampler } from './lib/postgresCpu';
import { ORGANIZATION_SETTING, createRowSecurity, dropRowSecurityRole, removeRowSecurity, rowSecurityRoleName } from './lib/rowSecurity';
import { countsBetween, type ServerStats, type StatementCounts } from './lib/sqlStatementCounter';

/*
 * Side-by-side benchmark of issue 11: `npm run bench:compare [-- options]`.
 *
 * The hub (built from this repository, bench/lib/benchHub.ts) and PostGraphile 5 (amber preset, grafserv;
 * bench/lib/postgraphileServer.ts) run on the SAME fresh database holding the hub's demo world, each in its
 * own process. Two pairs of readers:
 *
 * - the hub's coordinator (reads every case)  vs  PostGraphile without row security (the owner, no settings);
 * - the hub's case worker (CASL → SQL)         vs  PostGraphile as a role under row-level-security policies
 *   that mirror the case worker's visibility (bench/lib/rowSecurity.ts), its organization set per request.
 *
 * Before measuring, both servers walk every case each reader sees with the nested query; the run aborts
 * unless they return the same cases with the same nested rows. Then, per `first` and pair, alternating
 * autocannon rounds (hub, PostGraphile, then PostGraphile, hub, …), and a table with req/s of both, the ratio,
 * p50/p99 of both, SQL statements per request of both (counted at the pg driver in each server process,
 * from a few sequential requests), each server process's CPU time per request and that of the database's
 * PostgreSQL backends (read from /proc when PostgreSQL runs on this machine).
 *
 * Database: the PostgreSQL server of DATABASE_URL or TEST_DATABASE_URL when set (a fresh database is created
 * on it and dropped at the end; --keep keeps it); otherwise an embedded PostgreSQL on a free port in a
 * temporary directory.
 *
 * Options (or env): --duration S (BENCH_DURATION, 10)  --rounds N (BENCH_ROUNDS, 3)  --first 20,50 (BENCH_FIRST)
 *   --warmup S (BENCH_WARMUP, 3)  --connections N (BENCH_CONNECTIONS, 10)  --readers coordinator,case_worker
 *   --sql-samples N (5)  --keep  --quick (a smoke run: 2 s, 1 round, 1 s warm-up, first=20)
 * Progress goes to stderr; the table to stdout. Exit code 2 when the servers do not see the same rows,
 * 1 on any other failure or when a measured response was an error.
 */

interface Args {
  duration: number;
  rounds: number;
  firsts: number[];
  warmup: number;
  connections: number;
  readers: ReaderKey[];
  sqlSamples: number;
  keep: boolean;
  quick: boolean;
  password: string;
}

type ReaderKey = 'coordinator' | 'case_worker';

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args {
  const quick = argv.includes('--quick');
  const value = (name: string, envName?: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0 && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) return argv[i + 1];
    return (envName && env[envName]) || undefined;
  };
  const num = (name: string, envName: string, fallback: number, min = 0): number => {
    const raw = value(name, envName);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got "${raw}"`);
    return n;
  };
  const firsts = (value('first', 'BENCH_FIRST') ?? (quick ? '20' : '20,50')).split(',').map((s) => Number(s.trim()));
  if (firsts.some((n) => !Number.isInteger(n) || n < 1 || n > 100)) throw new Error('--first takes page sizes from 1 to 100, e.g. 20,50');
  const readers = (value('readers', 'BENCH_READERS') ?? 'coordinator,case_worker').split(',').map((s) => s.trim()).filter(Boolean);
  for (const r of readers) if (r !== 'coordinator' && r !== 'case_worker') throw new Error(`--readers: unknown reader "${r}" (coordinator, case_worker)`);
  return {
    duration: num('duration', 'BENCH_DURATION', quick ? 2 : 10, 1),
    rounds: Math.floor(num('rounds', 'BENCH_ROUNDS', quick ? 1 : 3, 1)),
    firsts,
    warmup: num('warmup', 'BENCH_WARMUP', quick ? 1 : 3),
    connections: Math.floor(num('connections', 'BENCH_CONNECTIONS', 10, 1)),
    readers: readers as ReaderKey[],
    sqlSamples: Math.floor(num('sql-samples', 'BENCH_SQL_SAMPLES', 5, 1)),
    keep: argv.includes('--keep'),
    quick,
    password: env.DEMO_PASSWORD || 'bkb-demo',
  };
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

class RowsDiffer extends Error {}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** One side of a comparison: where to send the query and how to authenticate as the reader. */
interface Target {
  server: 'hub' | 'PostGraphile';
  url: string;
  headers: Record<string, string>;
  body: (first: number) => string;
  /** Error codes a response may carry by design (the hub's FORBIDDEN fields of SUMMARY shares). */
  allowedErrorCodes: string[];
  process: ForkedServer<object>;
}

interface Pair {
  reader: ReaderKey;
  label: string;
  hub: Target;
  pg: Target;
}

interface Run {
  requests: number;
  seconds: number;
  latencies: number[];
  cpuMicros: number;
  /** CPU time of the database's PostgreSQL backends over the run, when readable. */
  pgCpuMs: number | null;
  bad: number;
}

interface Measured {
  runs: Run[];
  sql: StatementCounts;
  sqlSamples: number;
}

interface ResultRow {
  pair: Pair;
  first: number;
  hub: Measured;
  pg: Measured;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const cpuOf = (s: ServerStats) => s.cpu.user + s.cpu.system;

/** The body of one response is acceptable: no error, or only the codes this target allows. */
function verifier(allowed: string[]): (body: string) => boolean {
  if (allowed.length === 0) return (b) => !b.includes('"errors"');
  const unexpected = new RegExp(`"code":"(?!(?:${allowed.join('|')})")`);
  return (b) => !b.includes('"errors"') || !unexpected.test(b);
}

/** One autocannon run against a target, with the server process's CPU time over it. */
async function cannon(t: Target, first: number, args: Args, seconds: number, label: string, pgCpu: PostgresCpuSampler | null): Promise<Run> {
  const before = await t.process.stats();
  const pgBefore = pgCpu ? await pgCpu.sample() : null;
  const latencies: number[] = [];
  const instance = autocannon({
    url: t.url,
    method: 'POST',
    connections: args.connections,
    duration: seconds,
    timeout: 30,
    headers: { 'content-type': 'application/json', ...t.headers },
    body: t.body(first),
    verifyBody: verifier(t.allowedErrorCodes),
    renderProgressBar: false,
    renderResultsTable: false,
  });
  instance.on('response', (_c, _s, _b, responseTime) => { latencies.push(responseTime); });
  let tick = 0;
  if (process.stderr.isTTY) {
    instance.on('tick', (c: { counter: number }) => {
      if (tick >= seconds) return;
      tick++;
      process.stderr.write(`\r  ${label}: ${tick}/${seconds} s, ${c.counter} req in the last second   `);
    });
  }
  const result = await instance;
  if (process.stderr.isTTY) process.stderr.write('\n');
  progress(`  ${label}: ${(result.requests.total / result.duration).toFixed(1)} req/s`);
  // autocannon hangs up without waiting for the last responses: let the server finish them before reading its CPU time.
  await new Promise((r) => setTimeout(r, 300));
  const after = await t.process.stats();
  const pgAfter = pgCpu ? await pgCpu.sample() : null;
  return {
    pgCpuMs: pgCpu && pgBefore && pgAfter ? pgCpu.between(pgBefore, pgAfter) : null,
    requests: result.requests.total,
    seconds: result.duration,
    latencies,
    cpuMicros: cpuOf(after) - cpuOf(before),
    bad: result.mismatches + result.non2xx + result.errors + result.timeouts,
  };
}

/** SQL statements per request: a few sequential requests on an otherwise idle server, counted at its driver. */
async function statementsPerRequest(t: Target, first: number, samples: number): Promise<StatementCounts> {
  const send = async () => {
    const res = (await post(t.url, JSON.parse(t.body(first)), t.headers)) as GqlResponse;
    const unexpected = (res.errors ?? []).filter((e) => !t.allowedErrorCodes.includes(e.extensions?.code ?? ''));
    if (unexpected.length || !res.data) throw new Error(`${t.server}: the query failed: ${unexpected.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`);
  };
  await send();
  await send();
  const before = await t.process.stats();
  for (let i = 0; i < samples; i++) await send();
  const after = await t.process.stats();
  if (!before.sql || !after.sql) throw new Error(`${t.server} does not count statements (BENCH_COUNT_SQL)`);
  const d = countsBetween(before.sql, after.sql);
  return { total: d.total / samples, data: d.data / samples, transaction: d.transaction / samples, settings: d.settings / samples, outsideRequests: d.outsideRequests / samples };
}

async function login(url: string, email: string, password: string): Promise<string> {
  const res = await post<{ login: { token: string } }>(url, {
    query: 'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
    variables: { email, password },
  });
  if (!res.data?.login) throw new Error(`login as ${email} failed: ${res.errors?.map((e) => e.message).join('; ')} (DEMO_PASSWORD?)`);
  return res.data.login.token;
}

function summarize(m: Measured) {
  const requests = m.runs.reduce((s, r) => s + r.requests, 0);
  const seconds = m.runs.reduce((s, r) => s + r.seconds, 0);
  const latencies = m.runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const perRound = m.runs.map((r) => r.requests / r.seconds);
  return {
    rps: requests / seconds,
    minRps: Math.min(...perRound),
    maxRps: Math.max(...perRound),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMs: m.runs.reduce((s, r) => s + r.cpuMicros, 0) / 1000 / Math.max(1, requests),
    pgCpuMs: m.runs.every((r) => r.pgCpuMs !== null) ? m.runs.reduce((s, r) => s + (r.pgCpuMs ?? 0), 0) / Math.max(1, requests) : null,
    bad: m.runs.reduce((s, r) => s + r.bad, 0),
    requests,
  };
}

const fmtSql = (c: StatementCounts) => {
  const n = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  return c.total === c.data ? n(c.total) : `${n(c.total)} (${n(c.data)} data)`;
};

function renderTable(head: string[], rows: string[][], leftColumns = 1): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => (i < leftColumns ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < leftColumns ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

function report(results: ResultRow[], args: Args, meta: { database: string; visible: Record<string, number> }): string {
  const head = ['reader', 'first', 'hub req/s', 'PostGraphile req/s', 'hub / PostGraphile', 'hub p50 ms', 'PG p50 ms', 'hub p99 ms', 'PG p99 ms',
    'hub SQL/req', 'PG SQL/req', 'hub CPU ms/req', 'PG CPU ms/req', 'hub PostgreSQL CPU ms/req', 'PG PostgreSQL CPU ms/req'];
  const ms = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
  const rows = results.map((r) => {
    const h = summarize(r.hub);
    const p = summarize(r.pg);
    return [r.pair.label, String(r.first), h.rps.toFixed(1), p.rps.toFixed(1), (h.rps / p.rps).toFixed(2), h.p50.toFixed(1), p.p50.toFixed(1), h.p99.toFixed(1), p.p99.toFixed(1),
      fmtSql(r.hub.sql), fmtSql(r.pg.sql), h.cpuMs.toFixed(2), p.cpuMs.toFixed(2), ms(h.pgCpuMs), ms(p.pgCpuMs)];
  });
  const spread = results.map((r) => {
    const h = summarize(r.hub);
    const p = summarize(r.pg);
    return `  ${r.pair.reader} first=${r.first}: hub ${h.minRps.toFixed(1)}–${h.maxRps.toFixed(1)} req/s over ${r.hub.runs.length} round(s) (${h.requests} requests, ${h.bad} bad); `
      + `PostGraphile ${p.minRps.toFixed(1)}–${p.maxRps.toFixed(1)} (${p.requests} requests, ${p.bad} bad)`;
  });
  const kinds = (c: StatementCounts) => {
    const n = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
    const parts = [`${n(c.data)} data`];
    if (c.transaction) parts.push(`${n(c.transaction)} transaction control`);
    if (c.settings) parts.push(`${n(c.settings)} settings`);
    return `${parts.join(' + ')}${c.outsideRequests ? ` (and ${n(c.outsideRequests)} outside requests meanwhile)` : ''}`;
  };
  const sqlDetail = results.map((r) => `  ${r.pair.reader} first=${r.first}: hub ${kinds(r.hub.sql)}; PostGraphile ${kinds(r.pg.sql)}`);
  const cpus = os.cpus();
  return [
    '',
    'BKB Hub vs PostGraphile 5 — the nested query of issue 11 (cases → child → guardians, lead organization, shares → organization, events first 3)',
    `${args.connections} connections; ${args.rounds} alternating round(s) of ${args.duration} s per server after a ${args.warmup} s warm-up each; ${meta.database}; Node ${process.version}.`,
    `Cases visible: ${Object.entries(meta.visible).map(([k, v]) => `${k} ${v}`).join(', ')} (the same on both servers, checked before measuring).`,
    '',
    renderTable(head, rows),
    '',
    'req/s: requests of all rounds / their seconds; p50/p99: over every response of every round; ratio > 1 means the hub is faster.',
    'SQL/req: statements sent per request, counted at the pg driver (pg.Client#query) in each server process over',
    `${args.sqlSamples} sequential requests; "(n data)" leaves out transaction control and settings (PostGraphile wraps a request with`,
    'pgSettings in BEGIN; set_config(role, organization); …; COMMIT). CPU ms/req: the server process\'s user+system CPU time over',
    'the measured rounds / requests; PostgreSQL CPU ms/req: the same for the database\'s PostgreSQL backends (from /proc; n/a when',
    'PostgreSQL is not on this machine).',
    'Spread of the rounds:',
    ...spread,
    'Statements per request by kind:',
    ...sqlDetail,
    '',
    `Machine: ${cpus.length} CPU core(s) (${cpus[0]?.model.trim() ?? 'unknown'}), shared by autocannon, both servers and PostgreSQL; only one server is under load at a time.`,
    'Compare ratios and commits on one machine; these are not the capacity of a deployment.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), process.env);
  const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      await c.run().catch((e) => progress(`cleanup (${c.name}) failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  };
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress('interrupted: cleaning up (Ctrl-C again to leave at once)…');
    void cleanup().then(() => process.exit(130));
  });

  try {
    // 1. A PostgreSQL server and a fresh database on it.
    let adminUrl = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || '';
    let where: string;
    if (adminUrl) {
      where = `PostgreSQL at ${new URL(adminUrl).host}`;
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-bench-compare-'));
      fs.chmodSync(dir, 0o755); // embedded PostgreSQL may run as another user when we are root
      progress(`starting an embedded PostgreSQL in ${dir}…`);
      const embedded: EmbeddedServer = await startEmbeddedPostgres(path.join(dir, 'pg'), await freePort());
      cleanups.push({ name: 'embedded PostgreSQL', run: async () => { await embedded.stop(); fs.rmSync(dir, { recursive: true, force: true }); } });
      adminUrl = embedded.url;
      where = 'embedded PostgreSQL';
      if (args.keep) progress('--keep: the embedded server\'s directory is removed at the end all the same; set DATABASE_URL to keep the database');
    }
    const dbName = `bkb_bench_cmp_${process.pid}_${Date.now().toString(36)}`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    cleanups.push({ name: 'admin connection', run: () => admin.end() });
    await admin.query(`CREATE DATABASE ${dbName}`);
    const dbUrl = withDatabase(adminUrl, dbName);
    const role = rowSecurityRoleName();
    cleanups.push({
      name: 'bench database',
      run: async () => {
        if (args.keep) {
          const db = new Client({ connectionString: dbUrl });
          await db.connect();
          await removeRowSecurity(db, role).finally(() => db.end());
          progress(`kept the database ${dbName} (${dbUrl.replace(/\/\/[^@]*@/, '//')})`);
          return;
        }
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await dropRowSecurityRole(admin, role);
      },
    });
    const database = `${where}, database ${dbName}`;

    // 2. The hub migrates it and seeds the demo world.
    progress(`starting the hub on ${database} (migrations and the demo world)…`);
    const t0 = Date.now();
    const hub = await forkServer<{ url: string }>('the hub', path.join(__dirname, 'lib', 'benchHub.js'), {
      ...process.env,
      DATABASE_URL: dbUrl,
      DEMO_SEED: 'true',
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
      BENCH_COUNT_SQL: '1',
      // A throw-away signing secret: with DATABASE_URL the hub needs no data directory of its own.
      JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      BENCH_HUB: JSON.stringify({ dataDir: os.tmpdir(), embeddedPgPort: 1 }),
    });
    cleanups.push({ name: 'hub', run: () => hub.stop() });
    progress(`hub ready at ${hub.ready.url} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // 3. Row security for the case worker's mirror, then PostGraphile (after the seed: it introspects the schema).
    const db = new Client({ connectionString: dbUrl });
    await db.connect();
    await createRowSecurity(db, role);
    const org = await db.query<{ organization_id: string }>(`SELECT organization_id FROM app_user WHERE email = 'case_worker@demo.bkb'`);
    await db.end();
    const caseWorkerOrg = org.rows[0]?.organization_id;
    if (!caseWorkerOrg) throw new Error('the demo world has no case_worker@demo.bkb');
    progress(`row-level security for role ${role} created; starting PostGraphile…`);
    const pg = await forkServer<{ openUrl: string; rlsUrl: string }>('PostGraphile', path.join(__dirname, 'lib', 'postgraphileServer.js'), {
      ...process.env,
      BENCH_COUNT_SQL: '1',
      BENCH_PG: JSON.stringify({ connectionString: dbUrl, rlsRole: role, organizationSetting: ORGANIZATION_SETTING }),
    });
    cleanups.push({ name: 'PostGraphile', run: () => pg.stop() });
    progress(`PostGraphile ready: without row security at ${pg.ready.openUrl}, with at ${pg.ready.rlsUrl}`);

    // 4. The pairs of readers.
    const hubTarget = (token: string): Target => ({
      server: 'hub', url: hub.ready.url, headers: { authorization: `Bearer ${token}` }, allowedErrorCodes: ['FORBIDDEN'], process: hub,
      body: (first) => JSON.stringify({ query: HUB_NESTED, variables: { first }, operationName: HUB_NESTED_OPERATION }),
    });
    const pgTarget = (url: string, headers: Record<string, string>): Target => ({
      server: 'PostGraphile', url, headers, allowedErrorCodes: [], process: pg,
      body: (first) => JSON.stringify({ query: PG_NESTED, variables: { first }, operationName: PG_NESTED_OPERATION }),
    });
    const pairs: Pair[] = [];
    for (const reader of args.readers) {
      const token = await login(hub.ready.url, `${reader}@demo.bkb`, args.password);
      pairs.push(reader === 'coordinator'
        ? { reader, label: 'coordinator vs no row security', hub: hubTarget(token), pg: pgTarget(pg.ready.openUrl, {}) }
        : { reader, label: 'case worker (CASL→SQL) vs row-level security', hub: hubTarget(token), pg: pgTarget(pg.ready.rlsUrl, { 'x-bkb-organization': caseWorkerOrg }) });
    }

    // 5. Both servers must see the same rows, or the comparison means nothing.
    const nobody = await post<{ allCaseFiles: { totalCount: number } }>(pg.ready.rlsUrl, { query: '{ allCaseFiles { totalCount } }' });
    if (nobody.data?.allCaseFiles.totalCount !== 0) {
      throw new RowsDiffer(`row security is not in force: PostGraphile's row-security instance shows ${nobody.data?.allCaseFiles.totalCount ?? JSON.stringify(nobody.errors)} cases to a request without an organization`);
    }
    const visible: Record<string, number> = {};
    for (const p of pairs) {
      progress(`checking that both servers see the same rows for the ${p.reader}…`);
      const [h, g] = [await hubTraversal(p.hub.url, p.hub.headers), await pgTraversal(p.pg.url, p.pg.headers)];
      const problems = compareTraversals(h, g);
      if (problems.length) throw new RowsDiffer(`the hub and PostGraphile do not see the same rows for the ${p.reader}:\n  ${problems.join('\n  ')}`);
      visible[p.reader] = h.length;
      const counted = { guardians: h.reduce((s, r) => s + r.guardians.length, 0), shares: h.reduce((s, r) => s + r.shares.length, 0), events: h.reduce((s, r) => s + r.events.length, 0) };
      progress(`  same ${h.length} cases, ${counted.guardians} guardians, ${counted.shares} shares, ${counted.events} events (first 3 per case) on both`);
    }

    // 6. Statements per request, then the alternating rounds.
    const pgCpu = await postgresCpuSampler(admin, dbName, new URL(adminUrl).hostname);
    if (!pgCpu) progress('PostgreSQL\'s CPU time cannot be read on this machine: its column will say n/a');
    const results: ResultRow[] = [];
    for (const first of args.firsts) {
      for (const p of pairs) {
        if (interrupted) return;
        const row: ResultRow = {
          pair: p, first,
          hub: { runs: [], sql: await statementsPerRequest(p.hub, first, args.sqlSamples), sqlSamples: args.sqlSamples },
          pg: { runs: [], sql: await statementsPerRequest(p.pg, first, args.sqlSamples), sqlSamples: args.sqlSamples },
        };
        progress(`${p.reader}, first=${first}: SQL statements per request: hub ${fmtSql(row.hub.sql)}, PostGraphile ${fmtSql(row.pg.sql)}`);
        if (args.warmup > 0) {
          await cannon(p.hub, first, args, args.warmup, `warm-up hub ${p.reader} first=${first}`, null);
          await cannon(p.pg, first, args, args.warmup, `warm-up PostGraphile ${p.reader} first=${first}`, null);
        }
        for (let round = 0; round < args.rounds; round++) {
          const order: ('hub' | 'pg')[] = round % 2 === 0 ? ['hub', 'pg'] : ['pg', 'hub'];
          for (const side of order) {
            if (interrupted) return;
            const run = await cannon(p[side], first, args, args.duration, `round ${round + 1}/${args.rounds} ${p[side].server} ${p.reader} first=${first}`, pgCpu);
            row[side].runs.push(run);
          }
        }
        results.push(row);
      }
    }
    process.stdout.write(report(results, args, { database, visible }));
    if (results.some((r) => summarize(r.hub).bad + summarize(r.pg).bad > 0)) {
      progress('some measured responses were errors (see "bad" above): the figures are not valid');
      process.exitCode = 1;
    }
    if (args.quick) progress('--quick: a smoke run; the figures are not meaningful.');
  } finally {
    // Let the servers finish the responses autocannon hung up on before they close their pools.
    await new Promise((r) => setTimeout(r, 1000));
    progress('stopping the servers and removing the bench database…');
    await cleanup();
  }
}

main().catch((e) => {
  if (e instanceof RowsDiffer) {
    process.stderr.write(`\nbench:compare aborted: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench:compare failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
