import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { benchDatabase } from './lib/ownDatabase';

/*
 * npm run bench:audit [-- --duration S --connections N]   (needs DATABASE_URL; creates and drops its own database)
 *
 * The audit's cost on existing paths, with the demo world: the same load with the audit on and off, alternating
 * (off = the audit's append replaced by a no-op inside this process; the product has no switch for writes).
 *   read:  cases(first: 20) with two sensitive fields per case (deportationCircumstances, child.currentLocation)
 *          as the coordinator: 40 records read, 2 READ entries per request (one per entity type, Case and Child; before
 *          bkb-audit/2 it was 40), group-committed before the response
 *   write: reportChild as a case worker (3 audit entries in the mutation's transaction)
 * Prints requests/s and mean latency of each, and the overhead ratio; and, steadier on a machine shared with other
 * work (where requests/s follows the neighbours' load), the CPU time per request: this process (the hub and the
 * load generator) plus the hub's PostgreSQL backends (from /proc), audit on against off.
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main() {
  const duration = arg('duration', 6);
  const connections = arg('connections', 10);
  const rounds = arg('rounds', 4);
  const db = await benchDatabase('audit');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-bench-audit-'));
  const config = loadConfig({ ...process.env, DATABASE_URL: db.url, DATA_DIR: dir, DEMO_SEED: 'true', LOG_LEVEL: 'warn', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' });
  const app = await createApp(config, { logger: pino({ level: 'warn' }, pino.destination(2)) });
  try {
    process.stderr.write('starting the hub and seeding the demo world…\n');
    const url = await app.start(0);
    const login = async (email: string) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `mutation { login(email: "${email}", password: "${config.demoPassword}") { token } }` }) });
      return ((await r.json()) as any).data.login.token as string;
    };
    const coordinator = await login('coordinator@demo.bkb');
    const worker = await login('case_worker@demo.bkb');
    const read = JSON.stringify({ query: '{ cases(first: 20) { edges { node { id deportationCircumstances child { currentLocation } } } } }' });
    const write = JSON.stringify({ query: 'mutation { reportChild(input: { givenName: "Бенч", familyName: "Тест", birthDate: "2015-01-01", birthDatePrecision: EXACT, sex: FEMALE, priority: NORMAL, currentLocation: "x", deportationCircumstances: "y" }) { id } }' });
    const realAppend = app.deps.audit.append.bind(app.deps.audit);
    const realReads = app.deps.audit.recordReads.bind(app.deps.audit);
    const setAudit = (on: boolean) => {
      (app.deps.audit as any).append = on ? realAppend : async () => [];
      (app.deps.audit as any).recordReads = on ? realReads : async () => undefined;
    };
    // CPU seconds of the database's backends (utime + stime in /proc, in clock ticks of 1/100 s on Linux).
    const backendCpu = async (): Promise<Map<number, number>> => {
      const rows: { pid: number }[] = await app.deps.dataSource.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
      const out = new Map<number, number>();
      for (const { pid } of rows) {
        try {
          const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
          out.set(pid, (Number(f[11]) + Number(f[12])) / 100);
        } catch { /* the backend ended, or PostgreSQL runs elsewhere: not counted */ }
      }
      return out;
    };
    const run = async (body: string, token: string) => {
      const pg0 = await backendCpu();
      const cpu0 = process.cpuUsage();
      const r = await autocannon({ url, method: 'POST', connections, duration, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      const cpu = process.cpuUsage(cpu0);
      const pg1 = await backendCpu();
      let pg = 0;
      for (const [pid, t] of pg1) pg += t - (pg0.get(pid) ?? 0);
      const n = r.requests.total || 1;
      return { rps: r.requests.average, latency: r.latency.average, errors: r.errors + r.non2xx, cpuMs: ((cpu.user + cpu.system) / 1000 + pg * 1000) / n, pgMs: (pg * 1000) / n };
    };
    const results: Record<string, { rps: number[]; latency: number[]; cpuMs: number[]; pgMs: number[] }> = {};
    const note = (k: string, r: { rps: number; latency: number; cpuMs: number; pgMs: number }) => {
      results[k] ??= { rps: [], latency: [], cpuMs: [], pgMs: [] };
      results[k].rps.push(r.rps);
      results[k].latency.push(r.latency);
      results[k].cpuMs.push(r.cpuMs);
      results[k].pgMs.push(r.pgMs);
    };
    // Warm-up, then alternating rounds of each (the order flips every round, so a drift in load falls on both).
    setAudit(true);
    await run(read, coordinator);
    await run(write, worker);
    for (let round = 0; round < rounds; round++) {
      for (const on of round % 2 ? [true, false] : [false, true]) {
        setAudit(on);
        process.stderr.write(`round ${round + 1}: audit ${on ? 'on' : 'off'}…\n`);
        note(`read ${on ? 'on' : 'off'}`, await run(read, coordinator));
        note(`write ${on ? 'on' : 'off'}`, await run(write, worker));
      }
    }
    setAudit(true);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [entries] = await app.deps.dataSource.query('SELECT count(*)::int AS n FROM audit_entry');
    process.stdout.write(`\naudit overhead (${connections} connections, ${duration} s per run, ${rounds} rounds, ${os.cpus().length} cores shared with the load generator; load average ${os.loadavg()[0].toFixed(1)})\n`);
    process.stdout.write('path    audit  req/s   mean latency ms   CPU ms/request (of which PostgreSQL)\n');
    for (const p of ['read', 'write']) {
      for (const on of ['off', 'on']) {
        const r = results[`${p} ${on}`];
        process.stdout.write(`${p.padEnd(7)} ${on.padEnd(6)} ${avg(r.rps).toFixed(0).padStart(6)}  ${avg(r.latency).toFixed(2).padStart(8)}          ${avg(r.cpuMs).toFixed(2).padStart(6)} (${avg(r.pgMs).toFixed(2)})\n`);
      }
      const off = avg(results[`${p} off`].rps);
      const on = avg(results[`${p} on`].rps);
      const cpuOff = avg(results[`${p} off`].cpuMs);
      const cpuOn = avg(results[`${p} on`].cpuMs);
      process.stdout.write(`${p} overhead: ${(((off - on) / off) * 100).toFixed(1)} % fewer requests/s; ${(((cpuOn - cpuOff) / cpuOff) * 100).toFixed(1)} % more CPU per request with the audit\n`);
    }
    process.stdout.write(`audit entries written: ${entries.n}\n`);
  } finally {
    await app.stop();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
