import 'reflect-metadata';
import { fork } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { benchDatabase } from './lib/ownDatabase';

/*
 * npm run bench:audit [-- --duration S --connections N --rounds R]   (needs DATABASE_URL; creates and drops its own database)
 *
 * The audit's cost on existing paths, with the demo world: the same load with the audit on and off, alternating
 * (off = the audit's append and recordReads replaced by no-ops inside this process, and the per-request noting of
 * sensitive reads switched off; the product has no switch for writes).
 *   read:  cases(first: 20) with two sensitive fields per case (deportationCircumstances, child.currentLocation)
 *          as the coordinator: 40 records read, 2 READ entries per request (one per entity type, Case and Child; before
 *          bkb-audit/2 it was 40), group-committed with other requests' reads before the response
 *   write: reportChild as a case worker (3 audit entries in the mutation's transaction)
 *
 * On a machine shared with other work, requests/s follows the neighbours' load more than the audit. The figure to
 * read is CPU time per request: the hub (this process; the load generator runs in a child process of its own) plus
 * the hub's PostgreSQL backends (from /proc). Each round runs off and on back to back for one path (the order flips
 * every round), and the bench reports the median and spread of the paired differences on − off, round by round, so
 * that a drift in the machine's load falls on both halves of a pair and a single noisy run cannot carry the result.
 *
 * `--profile DIR` writes a CPU profile of the hub for each measured run (not the seeding or warm-up) to
 * DIR/<path>-<on|off>-<round>.cpuprofile, with its request count in DIR/runs.json, to compare self time per request.
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

interface Run { appends: number; statements: number; rps: number; latency: number; bad: number; requests: number; hubMs: number; pgMs: number; cpuMs: number }

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
};
const median = (xs: number[]) => quantile(xs, 0.5);
const sd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

async function main() {
  const duration = arg('duration', 5);
  const connections = arg('connections', 10);
  const rounds = arg('rounds', 10);
  // For profiles (node --cpu-prof): `--paths read` and `--modes on` run only those.
  const list = (name: string, all: string[]) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1].split(',') : all;
  };
  const paths = list('paths', ['read', 'write']) as ('read' | 'write')[];
  const modes = list('modes', ['off', 'on']).map((m) => m === 'on');
  const profileDir = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : undefined;
  const session = profileDir ? new Session() : undefined;
  if (session) {
    fs.mkdirSync(profileDir!, { recursive: true });
    session.connect();
    await session.post('Profiler.enable');
  }
  const profiled: { file: string; requests: number }[] = [];
  const loadStart = os.loadavg();
  const db = await benchDatabase('audit');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-bench-audit-'));
  const config = loadConfig({ ...process.env, DATABASE_URL: db.url, DATA_DIR: dir, DEMO_SEED: 'true', LOG_LEVEL: 'warn', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' });
  const app = await createApp(config, { logger: pino({ level: 'warn' }, pino.destination(2)) });
  const loader = fork(path.join(__dirname, 'lib', 'loadChild.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    process.stderr.write('starting the hub and seeding the demo world…\n');
    const url = await app.start(0);
    const login = async (email: string) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `mutation { login(email: "${email}", password: "${config.demoPassword}") { token } }` }) });
      return ((await r.json()) as any).data.login.token as string;
    };
    const coordinator = await login('coordinator@demo.bkb');
    const worker = await login('case_worker@demo.bkb');
    const bodies = {
      read: { token: coordinator, body: JSON.stringify({ query: '{ cases(first: 20) { edges { node { id deportationCircumstances child { currentLocation } } } } }' }) },
      write: { token: worker, body: JSON.stringify({ query: 'mutation { reportChild(input: { givenName: "Бенч", familyName: "Тест", birthDate: "2015-01-01", birthDatePrecision: EXACT, sex: FEMALE, priority: NORMAL, currentLocation: "x", deportationCircumstances: "y" }) { id } }' }) },
    };
    const audit = app.deps.audit as any;
    const realAppend = audit.append;
    const realReads = audit.recordReads;
    const readsNoted = app.deps.config.auditReads;
    const setAudit = (on: boolean) => {
      if (on) {
        delete audit.append;
        delete audit.recordReads;
      } else {
        audit.append = async () => [];
        audit.recordReads = async () => undefined;
      }
      (app.deps.config as any).auditReads = on ? readsNoted : false;
      if (on && (audit.append !== realAppend || audit.recordReads !== realReads)) throw new Error('bench: the audit was not restored');
    };
    // CPU milliseconds of the database's backends (utime + stime in /proc, in clock ticks of 1/100 s on Linux).
    const backendCpu = async (): Promise<Map<number, number>> => {
      const rows: { pid: number }[] = await app.deps.dataSource.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
      const out = new Map<number, number>();
      for (const { pid } of rows) {
        try {
          const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
          out.set(pid, (Number(f[11]) + Number(f[12])) * 10);
        } catch { /* the backend ended, or PostgreSQL runs elsewhere: not counted */ }
      }
      return out;
    };
    // Counters of appends and their statements (an older build without them counts nothing).
    const auditStats = (): { appends: number; statements: number } => (app.deps.audit as any).stats ?? { appends: 0, statements: 0 };
    // The group commit's own counters over the measured runs with the audit on (an older build has none).
    const GROUP_KEYS = ['readGroups', 'readRequests', 'waits', 'windowsExpired', 'waitedMs'] as const;
    const groupStats: Record<string, Record<(typeof GROUP_KEYS)[number], number>> = {};
    let nextId = 1;
    const load = (options: object) => new Promise<{ total: number; rps: number; latency: number; bad: number }>((resolve) => {
      const id = nextId++;
      const onMessage = (m: { id: number; result: any }) => {
        if (m.id !== id) return;
        loader.off('message', onMessage);
        resolve(m.result);
      };
      loader.on('message', onMessage);
      loader.send({ id, options });
    });
    // The hub's CPU without requests (timers, pools; ms per second of wall time), measured before and after the
    // rounds and taken off every run: otherwise it is shared among the run's requests, and a mode that serves fewer
    // requests per second looks dearer per request for that reason alone.
    const idleRates: number[] = [];
    const idle = async () => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      await new Promise((res) => setTimeout(res, 3000));
      const cpu = process.cpuUsage(cpu0);
      idleRates.push((cpu.user + cpu.system) / (performance.now() - t0));
    };
    const idleRate = () => idleRates.reduce((a, b) => a + b, 0) / idleRates.length;
    // Writes served, counted by the rows they create: autocannon hangs up on the requests in flight when a run ends,
    // which the hub still serves (their CPU is in the run's) but autocannon does not count; ~10 a run, 5–8 % of a
    // write run's requests, and a larger share in the slower mode (the audit on): a bias, and noise, in CPU per request.
    const writesDone = async (): Promise<number> => (await app.deps.dataSource.query('SELECT count(*)::int AS n FROM case_file'))[0].n;
    const run = async (p: keyof typeof bodies, profileAs?: string): Promise<Run> => {
      const { token, body } = bodies[p];
      if (session && profileAs) await session.post('Profiler.start');
      const w0 = p === 'write' ? await writesDone() : 0;
      const pg0 = await backendCpu();
      const s0 = { ...auditStats() };
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const r = await load({ url, method: 'POST', connections, duration, timeout: 30, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      // autocannon hangs up without waiting for the last responses: let the hub finish them before reading CPU times.
      await new Promise((res) => setTimeout(res, 1000));
      const cpu = process.cpuUsage(cpu0);
      const wall = performance.now() - t0;
      if (session && profileAs) {
        const { profile } = await session.post('Profiler.stop');
        fs.writeFileSync(path.join(profileDir!, `${profileAs}.cpuprofile`), JSON.stringify(profile));
        profiled.push({ file: `${profileAs}.cpuprofile`, requests: r.total });
        fs.writeFileSync(path.join(profileDir!, 'runs.json'), JSON.stringify(profiled, null, 1));
      }
      const pg1 = await backendCpu();
      let pg = 0;
      for (const [pid, t] of pg1) pg += t - (pg0.get(pid) ?? 0);
      const n = (p === 'write' ? (await writesDone()) - w0 : r.total) || 1;
      const hubMs = ((cpu.user + cpu.system) / 1000 - (idleRates.length ? (idleRate() * wall) / 1000 : 0)) / n;
      const st = auditStats();
      return { appends: (st.appends - s0.appends) / n, statements: (st.statements - s0.statements) / n, rps: r.rps, latency: r.latency, bad: r.bad, requests: r.total, hubMs, pgMs: pg / n, cpuMs: hubMs + pg / n };
    };
    const results: Record<string, Run[]> = {};
    // Warm-up of both paths in both modes.
    for (const on of modes) {
      setAudit(on);
      for (const p of paths) await run(p);
    }
    await idle();
    for (let round = 0; round < rounds; round++) {
      for (const p of paths) {
        for (const on of round % 2 ? [...modes].reverse() : modes) {
          setAudit(on);
          const g0 = { ...auditStats() } as Record<string, number>;
          const r = await run(p, `${p}-${on ? 'on' : 'off'}-${round + 1}`);
          const g1 = auditStats() as Record<string, number>;
          if (on) for (const k of GROUP_KEYS) ((groupStats[p] ??= { readGroups: 0, readRequests: 0, waits: 0, windowsExpired: 0, waitedMs: 0 })[k] += (g1[k] ?? 0) - (g0[k] ?? 0));
          (results[`${p} ${on ? 'on' : 'off'}`] ??= []).push(r);
          process.stderr.write(`round ${round + 1}/${rounds} ${p} audit ${on ? 'on ' : 'off'}: ${r.rps.toFixed(0)} req/s, CPU ${r.cpuMs.toFixed(2)} ms/request (hub ${r.hubMs.toFixed(2)}, PostgreSQL ${r.pgMs.toFixed(2)})${r.bad ? `, ${r.bad} bad responses` : ''}; load ${os.loadavg()[0].toFixed(1)}\n`);
        }
      }
    }
    await idle();
    setAudit(true);
    if (modes.length < 2) return;
    const [entries] = await app.deps.dataSource.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE operation = 'READ')::int AS reads,
              count(DISTINCT at) FILTER (WHERE operation = 'READ')::int AS read_appends FROM audit_entry`);
    const loadEnd = os.loadavg();
    const f = (x: number, d = 2) => x.toFixed(d);
    const out = (s: string) => process.stdout.write(`${s}\n`);
    out(`\naudit overhead: ${connections} connections, ${duration} s per run, ${rounds} rounds of off/on pairs per path (order flipping), ${os.cpus().length} cores shared with other work`);
    out(`load average (1/5/15 min) at start ${loadStart.map((x) => f(x, 1)).join(' ')}, at end ${loadEnd.map((x) => f(x, 1)).join(' ')}`);
    out(`hub CPU without requests: ${idleRates.map((x) => f(x)).join(' and ')} ms/s before the rounds (taken off each run's CPU time) and after them`);
    out('medians over the rounds:');
    out('path   audit  req/s  latency ms  CPU ms/request = hub + PostgreSQL');
    for (const p of paths) {
      for (const on of ['off', 'on']) {
        const rs = results[`${p} ${on}`];
        out(`${p.padEnd(6)} ${on.padEnd(5)} ${f(median(rs.map((r) => r.rps)), 0).padStart(6)}  ${f(median(rs.map((r) => r.latency))).padStart(10)}  ${f(median(rs.map((r) => r.cpuMs))).padStart(6)} = ${f(median(rs.map((r) => r.hubMs)))} + ${f(median(rs.map((r) => r.pgMs)))}`);
      }
    }
    out('paired differences (on − off, per round), CPU per request: median [interquartile range] (min … max)');
    for (const p of paths) {
      const off = results[`${p} off`];
      const on = results[`${p} on`];
      const d = on.map((r, i) => r.cpuMs - off[i].cpuMs);
      const dHub = on.map((r, i) => r.hubMs - off[i].hubMs);
      const dPg = on.map((r, i) => r.pgMs - off[i].pgMs);
      const pct = on.map((r, i) => ((r.cpuMs - off[i].cpuMs) / off[i].cpuMs) * 100);
      const rps = on.map((r, i) => ((r.rps - off[i].rps) / off[i].rps) * 100);
      const bad = [...on, ...off].reduce((a, r) => a + r.bad, 0);
      const range = (xs: number[], unit: string, d2 = 2) => `${f(median(xs), d2)}${unit} [${f(quantile(xs, 0.25), d2)} … ${f(quantile(xs, 0.75), d2)}] (${f(Math.min(...xs), d2)} … ${f(Math.max(...xs), d2)})`;
      out(`${p}: CPU ${range(d, ' ms')}; hub ${range(dHub, ' ms')}; PostgreSQL ${range(dPg, ' ms')}`);
      // Rounds 2k and 2k+1 run off, on, on, off: the mean of their two differences cancels a linear drift of the
      // machine's load (or of the tables' growth) across the four runs, which a single pair carries whole.
      const blocks = Array.from({ length: Math.floor(pct.length / 2) }, (_, k) => (pct[2 * k] + pct[2 * k + 1]) / 2);
      if (blocks.length > 1) out(`${p}: CPU per off-on-on-off block of two rounds: ${range(blocks, ' %', 1)}; mean ${f(blocks.reduce((a, b) => a + b, 0) / blocks.length, 1)} % ± ${f(sd(blocks) / Math.sqrt(blocks.length), 1)} (standard error over ${blocks.length} blocks)`);
      out(`${p}: per request with the audit on: ${f(on.reduce((a, r) => a + r.appends * r.requests, 0) / on.reduce((a, r) => a + r.requests, 0), 3)} appends, ${f(on.reduce((a, r) => a + r.statements * r.requests, 0) / on.reduce((a, r) => a + r.requests, 0), 3)} append statements`);
      const g = groupStats[p];
      if (g && g.readGroups > 0) {
        out(`${p}: group commits of reads: ${f(g.readRequests / g.readGroups)} requests each; ${g.waits} of ${g.readGroups} waited for running requests, ${f(g.waits ? g.waitedMs / g.waits : 0, 1)} ms on average, ${g.windowsExpired} the whole window (AUDIT_READ_GROUP_MS=${app.deps.config.auditReadGroupMs})`);
      }
      out(`${p}: CPU ${range(pct, ' %', 1)}; on > off in ${d.filter((x) => x > 0).length} of ${d.length} rounds; req/s ${range(rps, ' %', 1)}${bad ? `; ${bad} bad responses` : ''}`);
    }
    out(`audit entries written: ${entries.n}, READ entries ${entries.reads} in ≈${entries.read_appends} appends (distinct timestamps) for ${(results['read on'] ?? []).reduce((a, r) => a + r.requests, 0)} read requests with the audit on (and the warm-up's)`);
  } finally {
    session?.disconnect();
    loader.disconnect();
    await app.stop();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
