import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/*
 * How long `npm start` (`node dist/src/main.js`, the build made at install) takes to a ready server, in
 * both setups: the embedded PostgreSQL (the default; a temporary DATA_DIR) and an external server
 * (DATABASE_URL, or TEST_DATABASE_URL: a fresh database created on it and dropped at the end). For each,
 * a first start (initdb or an empty database: migrations, demo seed) and then `--runs` further starts on
 * the same data. Prints the seconds from spawn to "listening" and to the first answer of `{ __typename }`,
 * the hub's CPU time to ready, and where the time of a start went (the phases it logs on its `ready` line,
 * src/startTimeline.ts). Free ports; everything it creates is removed.
 *
 *   npm run bench:start                      # embedded, and DATABASE_URL/TEST_DATABASE_URL when set; 3 further starts each
 *   npm run bench:start -- --runs 5 --only embedded
 */
const arg = (name: string) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : undefined; };
// `--main` another build's entry (an older commit's dist/src/main.js) to compare; one that logs no phases gets none printed.
const main = path.resolve(arg('--main') ?? path.join(__dirname, '../src/main.js'));
const runs = Number(arg('--runs')) || 3;
const only = arg('--only');
const adminUrl = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;

type Phase = [name: string, from: number, to: number, cpu: number | null];
interface Start { listening: number; answered: number; cpuMs: number | null; procCpuMs: number | null; phases: Phase[] }

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A process's CPU time (user + system) so far from /proc, in ms (USER_HZ 100); null off Linux. Works for any build, also one that logs no phases. */
function cpuOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function startOnce(env: NodeJS.ProcessEnv): Promise<Start> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  try {
    while (!/listening on (\S+)/.test(out)) {
      if (proc.exitCode !== null) throw new Error(`hub exited:\n${out}`);
      if (performance.now() - t0 > 300_000) throw new Error(`hub did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const listening = (performance.now() - t0) / 1000;
    const procCpuMs = cpuOf(proc.pid!);
    const url = /listening on (\S+)/.exec(out)![1];
    const body = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then((r) => r.json()) as { data?: { __typename?: string } };
    if (body.data?.__typename !== 'Query') throw new Error(`unexpected answer: ${JSON.stringify(body)}`);
    const answered = (performance.now() - t0) / 1000;
    for (const until = performance.now() + 2000; !/"msg":"ready"/.test(out) && performance.now() < until;) await new Promise((r) => setTimeout(r, 10));
    const ready = out.split('\n').map((l) => { try { return JSON.parse(l) as { msg?: string; cpuMs: number; phases: Phase[] }; } catch { return null; } }).find((l) => l?.msg === 'ready');
    return { listening, answered, cpuMs: ready?.cpuMs ?? null, procCpuMs, phases: ready?.phases ?? [] };
  } finally {
    const exited = new Promise((r) => proc.once('exit', r));
    if (proc.exitCode === null) proc.kill('SIGINT');
    await exited;
  }
}

async function series(label: string, env: NodeJS.ProcessEnv): Promise<void> {
  const starts: Start[] = [];
  for (let i = 0; i <= runs; i++) {
    starts.push(await startOnce(env));
    process.stderr.write(`${label}: start ${i + 1}/${runs + 1}: ${starts[i].answered.toFixed(2)} s\n`);
  }
  const again = starts.slice(1);
  const sorted = [...again].sort((a, b) => a.answered - b.answered);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const s = (x: number) => x.toFixed(2);
  const minMedian = (xs: number[]) => { const o = [...xs].sort((x, y) => x - y); return `${o[0]} / ${o[Math.floor((o.length - 1) / 2)]}`; };
  const rows = starts.map((r, i) => `| ${i === 0 ? 'first (empty: migrations, demo seed)' : `again #${i}`} | ${s(r.listening)} | ${s(r.answered)} | ${r.procCpuMs ?? 'n/a'} | ${r.cpuMs ?? 'n/a'} |`);
  const listening = [...again].map((r) => r.listening).sort((x, y) => x - y);
  rows.push(`| **again: min / median** | ${s(listening[0])} / ${s(listening[Math.floor((listening.length - 1) / 2)])} | ${s(sorted[0].answered)} / ${s(median.answered)} | ${median.procCpuMs === null ? 'n/a' : minMedian(again.map((r) => r.procCpuMs!))} | ${median.cpuMs === null ? 'n/a' : minMedian(again.map((r) => r.cpuMs!))} |`);
  const phaseRows = (r: Start) => r.phases.map(([name, from, to, cpu]) => `| ${name} | ${from} | ${to} | ${to - from} | ${cpu ?? 'its own process'} |`).join('\n');
  process.stdout.write(`\n### ${label}\n\n| start | to "listening" (s) | to first answer (s) | hub CPU at "listening" (ms, /proc) | hub CPU to ready (ms, its log) |\n|---|--:|--:|--:|--:|\n${rows.join('\n')}\n`
    + (median.phases.length === 0 ? '\n(this build logs no phases)\n'
      : `\nPhases of the median further start (again #${starts.indexOf(median)}), ms from the process's start; CPU is the hub process's:\n\n`
      + `| phase | from | to | ms | CPU ms |\n|---|--:|--:|--:|--:|\n${phaseRows(median)}\n`
      + `\nPhases of the first start:\n\n| phase | from | to | ms | CPU ms |\n|---|--:|--:|--:|--:|\n${phaseRows(starts[0])}\n`));
}

function baseEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' };
  for (const k of ['DATABASE_URL', 'DEMO_SEED', 'JWT_SECRET', 'NODE_ENV', 'EMBEDDED_PG_PORT', 'REDIS_URL']) delete env[k];
  return env;
}

async function run(): Promise<void> {
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run npm run build (npm ci does it through prepare)`);
  process.stdout.write(`node ${path.relative(process.cwd(), main)} (no compilation at start); ${runs} further starts per setup; ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  if (only !== 'url') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-start-'));
    fs.chmodSync(dataDir, 0o755);
    try {
      const env = baseEnv(dataDir, await freePort());
      env.EMBEDDED_PG_PORT = String(await freePort());
      await series('embedded PostgreSQL (default)', env);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (only !== 'embedded') {
    if (!adminUrl) {
      process.stdout.write('\n(DATABASE_URL setup skipped: set DATABASE_URL or TEST_DATABASE_URL to a server where databases may be created)\n');
      return;
    }
    const name = `bkb_start_${process.pid}`;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-start-'));
    try {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const env = baseEnv(dataDir, await freePort());
      env.DATABASE_URL = url.toString();
      await series(`DATABASE_URL (a new database on ${url.host})`, env);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }
  process.stdout.write(`\nload average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
}

run().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
