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
 *          as the coordinator: 40 READ entries per request, group-committed before the response
 *   write: reportChild as a case worker (3 audit entries in the mutation's transaction)
 * Prints requests/s and mean latency of each, and the overhead ratio.
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

async function main() {
  const duration = arg('duration', 8);
  const connections = arg('connections', 10);
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
    const run = async (body: string, token: string) => {
      const r = await autocannon({ url, method: 'POST', connections, duration, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      return { rps: r.requests.average, latency: r.latency.average, errors: r.errors + r.non2xx };
    };
    const results: Record<string, { rps: number[]; latency: number[] }> = {};
    const note = (k: string, r: { rps: number; latency: number }) => {
      results[k] ??= { rps: [], latency: [] };
      results[k].rps.push(r.rps);
      results[k].latency.push(r.latency);
    };
    // Warm-up, then two alternating rounds of each.
    setAudit(true);
    await run(read, coordinator);
    for (let round = 0; round < 2; round++) {
      for (const on of [false, true]) {
        setAudit(on);
        process.stderr.write(`round ${round + 1}: audit ${on ? 'on' : 'off'}…\n`);
        note(`read ${on ? 'on' : 'off'}`, await run(read, coordinator));
        note(`write ${on ? 'on' : 'off'}`, await run(write, worker));
      }
    }
    setAudit(true);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [entries] = await app.deps.dataSource.query('SELECT count(*)::int AS n FROM audit_entry');
    process.stdout.write(`\naudit overhead (${connections} connections, ${duration} s per run, 2 rounds, ${os.cpus().length} cores shared with the load generator)\n`);
    process.stdout.write('path    audit  req/s   mean latency ms\n');
    for (const p of ['read', 'write']) {
      for (const on of ['off', 'on']) {
        const r = results[`${p} ${on}`];
        process.stdout.write(`${p.padEnd(7)} ${on.padEnd(6)} ${avg(r.rps).toFixed(0).padStart(6)}  ${avg(r.latency).toFixed(2).padStart(8)}\n`);
      }
      const off = avg(results[`${p} off`].rps);
      const on = avg(results[`${p} on`].rps);
      process.stdout.write(`${p} overhead: ${(((off - on) / off) * 100).toFixed(1)} % fewer requests/s with the audit\n`);
    }
    process.stdout.write(`audit entries written: ${entries.n}\n`);
  } finally {
    await app.stop();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
