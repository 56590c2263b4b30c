import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { print } from 'graphql';
import { CasesNestedDocument, LoginDocument, type CasesNestedQuery, type LoginMutation } from '../tests/generated/graphql';

/*
 * HTTP benchmark: `npm run bench [-- options]`.
 *
 * Runs autocannon against the nested query of the N+1 test (tests/operations/cases.graphql, `CasesNested`):
 *   cases(first: N) { edges { node { child { guardians } leadOrganization shares { organization } events(first: 3) } } }
 * once as a case worker (reads through the CASL → SQL filter) and once as the coordinator (reads everything),
 * on the demo world, and prints both side by side.
 *
 * The hub runs in a child process (bench/lib/benchHub.ts) on a free port: against DATABASE_URL when set
 * (the demo world is seeded when its users are missing; DEMO_SEED=false to skip), otherwise an embedded
 * PostgreSQL under ./data/bench (kept between runs; --tmp for a throw-away directory).
 *
 * Options (or env): --first N (BENCH_FIRST, 20)  --connections N (BENCH_CONNECTIONS, 10)
 *   --duration S (BENCH_DURATION, 10)  --warmup S (BENCH_WARMUP, 3)  --roles case_worker,coordinator (BENCH_ROLES)
 *   --tmp  --data-dir DIR
 * Progress goes to stderr; the table to stdout.
 */

interface Args {
  first: number;
  connections: number;
  duration: number;
  warmup: number;
  roles: string[];
  dataDir: string;
  tmp: boolean;
  password: string;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args {
  const value = (name: string, envName: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0 && argv[i + 1] !== undefined) return argv[i + 1];
    return env[envName] || undefined;
  };
  const num = (name: string, envName: string, fallback: number): number => {
    const raw = value(name, envName);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${raw}"`);
    return n;
  };
  return {
    first: num('first', 'BENCH_FIRST', 20),
    connections: num('connections', 'BENCH_CONNECTIONS', 10),
    duration: num('duration', 'BENCH_DURATION', 10),
    warmup: num('warmup', 'BENCH_WARMUP', 3),
    roles: (value('roles', 'BENCH_ROLES') ?? 'case_worker,coordinator').split(',').map((r) => r.trim()).filter(Boolean),
    dataDir: path.resolve(value('data-dir', 'BENCH_DATA_DIR') ?? path.join('data', 'bench')),
    tmp: argv.includes('--tmp'),
    password: env.DEMO_PASSWORD || 'bkb-demo',
  };
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

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

interface Hub {
  url: string;
  database: string;
  stop(): Promise<void>;
}

/** Forks bench/lib/benchHub.js and waits until it listens. */
async function startHub(dataDir: string): Promise<Hub> {
  const child: ChildProcess = fork(path.join(__dirname, 'lib', 'benchHub.js'), [], {
    env: { ...process.env, BENCH_HUB: JSON.stringify({ dataDir, embeddedPgPort: await freePort() }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = await new Promise<{ url: string; database: string }>((resolve, reject) => {
    child.on('message', (m: { type?: string; url?: string; database?: string }) => {
      if (m?.type === 'ready') resolve({ url: m.url!, database: m.database! });
    });
    void exited.then((code) => reject(new Error(`the hub exited before it was ready (code ${code})`)));
  });
  return {
    ...ready,
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => { progress('hub did not stop in 30 s; sending SIGTERM'); child.kill('SIGTERM'); }, 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface GqlResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post<T>(url: string, body: unknown, token?: string): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return (await res.json()) as GqlResponse<T>;
}

async function login(url: string, email: string, password: string): Promise<string> {
  const res = await post<LoginMutation>(url, { query: print(LoginDocument), variables: { email, password } });
  if (!res.data?.login) throw new Error(`login as ${email} failed: ${res.errors?.map((e) => e.message).join('; ')} (is the demo world seeded? DEMO_PASSWORD?)`);
  return res.data.login.token;
}

interface Row {
  role: string;
  email: string;
  visible: number;
  edges: number;
  bytes: number;
  forbidden: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  requests: number;
  gqlErrors: number;
  non2xx: number;
  socketErrors: number;
}

/** An error code other than FORBIDDEN anywhere in a response body (the query's data has no "code" member). */
const UNEXPECTED_ERROR = /"code":"(?!FORBIDDEN")/;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function cannon(url: string, token: string, body: string, connections: number, duration: number, label: string) {
  const latencies: number[] = [];
  const instance = autocannon({
    url,
    method: 'POST',
    connections,
    duration,
    timeout: 30,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
    // A GraphQL error comes back as 200 with an "errors" member: count those as mismatches, except the
    // FORBIDDEN field errors a reader of a SUMMARY share gets by design (partial data, checked before the run).
    verifyBody: (b) => !b.includes('"errors"') || !UNEXPECTED_ERROR.test(b),
    renderProgressBar: false,
    renderResultsTable: false,
  });
  instance.on('response', (_client, _status, _bytes, responseTime) => { latencies.push(responseTime); });
  let seconds = 0;
  instance.on('tick', (c: { counter: number }) => {
    seconds = Math.min(duration, seconds + 1);
    process.stderr.write(`\r  ${label}: ${seconds}/${duration} s, ${c.counter} req in the last second   `);
  });
  const result = await instance;
  process.stderr.write('\n');
  latencies.sort((a, b) => a - b);
  return { result, latencies };
}

async function benchRole(url: string, role: string, args: Args, body: string): Promise<Row> {
  const email = `${role}@demo.bkb`;
  const token = await login(url, email, args.password);
  // One checked request first: the query must succeed for this role, or the figures would measure errors.
  // FORBIDDEN field errors are expected (sensitive fields of cases shared SUMMARY resolve to null); anything else is not.
  const check = await post<CasesNestedQuery>(url, JSON.parse(body), token);
  const unexpected = (check.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN');
  if (unexpected.length || !check.data) throw new Error(`${role}: the query failed: ${unexpected.map((e) => `${e.extensions?.code} ${e.message}`).join('; ')}`);
  const forbidden = (check.errors ?? []).length;
  const visible = (await post<{ cases: { totalCount: number } }>(url, { query: '{ cases(first: 1) { totalCount } }' }, token)).data?.cases.totalCount ?? 0;
  const edges = check.data?.cases.edges.length ?? 0;
  const bytes = Buffer.byteLength(JSON.stringify(check));
  progress(`${role}: sees ${visible} cases; a response carries ${edges} cases (${(bytes / 1024).toFixed(1)} KiB, ${forbidden} FORBIDDEN fields)`);
  if (args.warmup > 0) await cannon(url, token, body, args.connections, args.warmup, `${role} warm-up`);
  const { result, latencies } = await cannon(url, token, body, args.connections, args.duration, role);
  return {
    role, email, visible, edges, bytes, forbidden,
    rps: result.requests.average,
    p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN,
    requests: result.requests.total,
    gqlErrors: result.mismatches,
    non2xx: result.non2xx,
    socketErrors: result.errors + result.timeouts,
  };
}

function table(rows: Row[]): string {
  const head = ['role', 'cases visible', 'KiB/resp', 'FORBIDDEN fields/resp', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'requests', 'GraphQL errors', 'non-2xx', 'socket errors'];
  const cells = rows.map((r) => [
    r.role, String(r.visible), (r.bytes / 1024).toFixed(1), String(r.forbidden), r.rps.toFixed(1), r.p50.toFixed(1), r.p95.toFixed(1), r.p99.toFixed(1), r.max.toFixed(1),
    String(r.requests), String(r.gqlErrors), String(r.non2xx), String(r.socketErrors),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`, ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), process.env);
  let dataDir = args.dataDir;
  if (args.tmp) {
    const fs = await import('node:fs');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-bench-'));
    fs.chmodSync(dataDir, 0o755); // embedded PostgreSQL may run as another user when we are root
  }
  progress(`starting the hub (${process.env.DATABASE_URL ? 'DATABASE_URL' : `embedded PostgreSQL in ${dataDir}`}; the first run seeds the demo world)…`);
  const hub = await startHub(dataDir);
  let interrupted = false;
  process.on('SIGINT', () => { interrupted = true; void hub.stop().then(() => process.exit(130)); });
  try {
    progress(`hub listening on ${hub.url} (${hub.database})`);
    const body = JSON.stringify({ query: print(CasesNestedDocument), variables: { first: args.first }, operationName: 'CasesNested' });
    const rows: Row[] = [];
    for (const role of args.roles) {
      if (interrupted) break;
      rows.push(await benchRole(hub.url, role, args, body));
    }
    const cpus = os.cpus();
    const out = [
      '',
      `BKB Hub HTTP benchmark: CasesNested(first: ${args.first}) — cases → child → guardians, leadOrganization, shares → organization, events(first: 3)`,
      `${args.connections} connections, ${args.duration} s per role after a ${args.warmup} s warm-up; hub on ${hub.database}; Node ${process.version}.`,
      '',
      table(rows),
      '',
      `Machine: ${cpus.length} CPU core(s) (${cpus[0]?.model.trim() ?? 'unknown'}), shared by the load generator (autocannon), the hub and PostgreSQL.`,
      'The figures compare roles and commits on this machine; they are not the capacity of a deployment.',
      'Latency percentiles are over every response of the measured run. "GraphQL errors" counts responses with an error other than',
      'FORBIDDEN; FORBIDDEN fields (sensitive fields of cases shared SUMMARY with the reader) are by design and listed per response.',
      '',
    ];
    process.stdout.write(out.join('\n'));
    const failed = rows.some((r) => r.gqlErrors + r.non2xx + r.socketErrors > 0);
    if (failed) process.exitCode = 1;
  } finally {
    // autocannon hangs up without waiting for the last responses: let the hub finish them before it closes its pool.
    await new Promise((r) => setTimeout(r, 1500));
    progress('stopping the hub…');
    await hub.stop();
    if (args.tmp) (await import('node:fs')).rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
