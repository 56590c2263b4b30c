import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A new user's first minutes, as a process: `node dist/src/main.js` (what `npm start` runs after building)
 * with no DATABASE_URL starts the embedded PostgreSQL, migrates, seeds with progress, prints the URL and
 * the demo logins; Ctrl-C stops everything; a second start reuses the data. `npm test` builds dist/ first.
 */
const main = path.resolve(__dirname, '../../dist/src/main.js');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-first-start-'));
fs.chmodSync(dataDir, 0o755);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface Running { proc: ChildProcess; output: () => string; url: string }

function spawnHub(port: number, pgPort: number | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' };
  if (pgPort === undefined) delete env.EMBEDDED_PG_PORT;
  else env.EMBEDDED_PG_PORT = String(pgPort);
  delete env.DATABASE_URL;
  delete env.DEMO_SEED;
  delete env.JWT_SECRET;
  delete env.NODE_ENV;
  const proc = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  return { proc, output: () => out };
}

async function start(port: number, pgPort: number | undefined): Promise<Running> {
  const { proc, output } = spawnHub(port, pgPort);
  let out = output();
  const deadline = Date.now() + 120_000;
  while (!/listening on (\S+)/.test(out)) {
    if (proc.exitCode !== null) throw new Error(`hub exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`hub did not start in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
    out = output();
  }
  return { proc, output, url: /listening on (\S+)/.exec(out)![1] };
}

async function waitFor(r: Running, line: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!line.test(r.output())) {
    if (Date.now() > deadline) throw new Error(`no ${line} in:\n${r.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(r: Running): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => r.proc.once('exit', (code) => resolve(code)));
  r.proc.kill('SIGINT');
  return exited;
}

async function login(url: string, email: string) {
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `mutation($e: String!) { login(email: $e, password: "bkb-demo") { token user { roles } } }`, variables: { e: email } }),
  });
  return (await res.json()) as any;
}

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('npm start: embedded PostgreSQL, migrations, demo seed with progress, clean stop, and a second start that reuses the data', async () => {
  expect(fs.existsSync(main)).toBe(true);
  const port = await freePort();
  const pgPort = await freePort();
  const first = await start(port, pgPort);
  expect(first.output()).toMatch(/embedded PostgreSQL started/);
  expect(first.output()).toMatch(/seeding children/);
  expect(first.output()).toMatch(/demo world seeded/);
  for (const email of ['coordinator@demo.bkb', 'case_worker@demo.bkb', 'case_worker2@demo.bkb', 'investigator@demo.bkb', 'centre_coordinator@demo.bkb', 'specialist@demo.bkb', 'analyst@demo.bkb', 'org_admin@demo.bkb']) {
    expect(first.output()).toContain(email);
  }
  const coord = await login(first.url, 'coordinator@demo.bkb');
  expect(coord.data.login.user.roles).toEqual(['COORDINATOR']);
  const cases = await fetch(first.url, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${coord.data.login.token}` },
    body: JSON.stringify({ query: '{ cases { totalCount } }' }),
  }).then((r) => r.json()) as any;
  expect(cases.data.cases.totalCount).toBeGreaterThanOrEqual(300);
  expect(await stop(first)).toBe(0);
  expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  expect(fs.existsSync(path.join(dataDir, 'jwt-secret'))).toBe(true);

  const second = await start(port, pgPort);
  expect(second.output()).not.toMatch(/seeding children/);
  // The start logs where its time went (bench:start prints it); the second compiles no module and looks up
  // no known path: the first saved V8's code cache and its resolutions on its way out (src/compileCache.ts).
  await waitFor(second, /"msg":"ready"/);
  const ready = JSON.parse(second.output().split('\n').find((l) => l.includes('"msg":"ready"'))!) as { ms: number; phases: [string, number, number, number | null][] };
  expect(ready.phases.map((p) => p[0])).toEqual(expect.arrayContaining(['schema (type-graphql, federation)', 'migrations check', 'demo seed (its check, once seeded)', 'listen']));
  expect(ready.phases.find((p) => p[0].startsWith('modules'))![0]).toMatch(/^modules \(\d{3,} from the compile cache, 0 compiled; \d{3,} paths known\)$/);
  // The token from the first run is still valid: the generated secret was kept under DATA_DIR.
  const again = await fetch(second.url, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${coord.data.login.token}` },
    body: JSON.stringify({ query: '{ me { email } cases { totalCount } }' }),
  }).then((r) => r.json()) as any;
  expect(again.data.me.email).toBe('coordinator@demo.bkb');
  expect(again.data.cases.totalCount).toBe(cases.data.cases.totalCount);
  expect(await stop(second)).toBe(0);
}, 300_000);

const postmasterPid = () => {
  try { return Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]); } catch { return null; }
};
const isAlive = (pid: number) => { try { process.kill(pid, 0); return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
const countCases = async (url: string) => {
  const coord = await login(url, 'coordinator@demo.bkb');
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${coord.data.login.token}` },
    body: JSON.stringify({ query: '{ cases { totalCount } }' }),
  }).then((r) => r.json()) as any;
  return res.data.cases.totalCount as number;
};

test('after kill -9 of the hub alone, the next start stops the orphaned PostgreSQL and starts normally', async () => {
  const port = await freePort();
  const pgPort = await freePort();
  const first = await start(port, pgPort);
  const before = await countCases(first.url);
  const exited = new Promise((r) => first.proc.once('exit', r));
  first.proc.kill('SIGKILL');
  await exited;
  const orphan = postmasterPid();
  expect(orphan).toBeGreaterThan(0);
  expect(isAlive(orphan!)).toBe(true);

  const second = await start(port, pgPort);
  expect(second.output()).toMatch(/left running by a hub that did not shut down/);
  expect(isAlive(orphan!)).toBe(false);
  expect(await countCases(second.url)).toBe(before);
  expect(await stop(second)).toBe(0);
  expect(postmasterPid()).toBeNull();
}, 180_000);

test('a taken EMBEDDED_PG_PORT is named with how to choose another, not "undefined"', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const taken = (blocker.address() as net.AddressInfo).port;
  try {
    const { proc, output } = spawnHub(await freePort(), taken);
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code).toBe(1);
    expect(output()).toMatch(new RegExp(`Port ${taken} .*taken`));
    expect(output()).toMatch(/EMBEDDED_PG_PORT/);
    expect(output()).not.toMatch(/failed to start: undefined/);
    expect(postmasterPid()).toBeNull();
  } finally {
    blocker.close();
  }
}, 120_000);

test('without EMBEDDED_PG_PORT, a taken port is replaced by a free one that the data directory keeps', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const taken = (blocker.address() as net.AddressInfo).port;
  const remembered = path.join(dataDir, 'pg-port');
  // Never the default 5433 in tests: the data directory remembers a port, and that one is taken.
  fs.writeFileSync(remembered, `${taken}\n`);
  try {
    const port = await freePort();
    const first = await start(port, undefined);
    expect(first.output()).toMatch(new RegExp(`port ${taken} is taken`));
    const chosen = Number(fs.readFileSync(remembered, 'utf8'));
    expect(chosen).not.toBe(taken);
    expect(first.output()).toContain(`"port":${chosen}`);
    expect(await stop(first)).toBe(0);
    const second = await start(port, undefined);
    expect(second.output()).toContain(`"port":${chosen}`);
    expect(second.output()).not.toMatch(/is taken/);
    expect(await stop(second)).toBe(0);
  } finally {
    blocker.close();
  }
}, 180_000);
