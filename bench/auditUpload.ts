import 'reflect-metadata';
import { execFileSync, fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createOrg, createUser } from '../tests/factories';
import { OrganizationKind, Role } from '../src/schema/enums';
import { benchDatabase } from './lib/ownDatabase';

/*
 * npm run bench:audit-upload [-- --mib 1024 --runs 1 --profile FILE.cpuprofile]
 *   (needs DATABASE_URL; creates and drops its own database)
 *
 * Streams a generated file of N MiB (default 1 GiB) to POST /evidence/{id}/content from a client in a child
 * process (as a real client is: another process, usually another machine), and prints per run: the wall time
 * and MiB/s seen by the client (first byte sent to 201 received: hashed, fsynced, content-addressed, recorded),
 * the hub's CPU time (user and system, and per GiB), its garbage collections by kind (count and pause time: a
 * body read through Node's HTTP parser is a new external Buffer per 64 KiB chunk; the raw body reader avoids them,
 * see docs/icc.md), and the hub's peak RSS
 * (sampled every 20 ms, the hub alone). For comparison it runs
 * `dd if=/dev/zero bs=1M count=N conv=fsync` to the same directory before and after the uploads: the raw disk
 * speed at that moment (on a shared machine it moves a lot within a minute, hence both).
 * `--profile` writes a CPU profile of the hub covering the uploads only, and prints its top functions.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const MIB = Number(arg('--mib') ?? 1024);
const RUNS = Number(arg('--runs') ?? 1);
const PROFILE = arg('--profile');

type ClientResult = { status: number; body: string; secs: number };

/** The client side (child process): generates the bytes, declares their hash, streams them, times the upload. */
async function client(url: string, token: string): Promise<void> {
  const chunk = Buffer.alloc(1 << 20);
  crypto.randomFillSync(chunk);
  const expected = crypto.createHash('sha256');
  for (let i = 0; i < MIB; i++) expected.update(chunk);
  const sha = expected.digest('hex');
  process.send!({ ready: true });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const started = process.hrtime.bigint();
  const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: {
      authorization: `Bearer ${token}`, 'content-type': 'video/mp4', 'content-length': String(MIB * chunk.length), 'x-content-sha256': sha, 'x-file-name': 'bench.mp4',
    } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < MIB) {
        sent++;
        if (!req.write(chunk)) { req.once('drain', pump); return; }
      }
      req.end();
    };
    pump();
  });
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  process.send!({ ...result, secs } satisfies ClientResult, () => process.exit(0));
}

/** Runs one upload from a child process; the hub's CPU time and peak RSS are sampled while it runs. */
async function upload(url: string, token: string): Promise<ClientResult & { cpuSecs: number; userSecs: number; sysSecs: number; rssBefore: number; rssPeak: number; gc: string }> {
  const child = fork(__filename, ['--client', url, token, '--mib', String(MIB)], { stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => { child.once('message', () => resolve()); child.once('error', reject); });
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage.rss()); }, 20);
  // The hub's garbage collections during the upload: how many of each kind and their pause time.
  const gcs = { minor: [0, 0], major: [0, 0], incremental: [0, 0], weak: [0, 0] };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail: { kind: number } }).detail.kind;
      const k = kind === perfConstants.NODE_PERFORMANCE_GC_MINOR ? 'minor' : kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR ? 'major' : kind === perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL ? 'incremental' : 'weak';
      gcs[k][0]++;
      gcs[k][1] += e.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  child.send('go');
  const result = await new Promise<ClientResult>((resolve, reject) => {
    child.once('message', (m) => resolve(m as ClientResult));
    child.once('exit', (code) => reject(new Error(`upload client exited with ${code}`)));
  });
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  observer.disconnect();
  const gc = Object.entries(gcs).filter(([, [n]]) => n > 0).map(([k, [n, ms]]) => `${n} ${k} ${ms.toFixed(0)} ms`).join(', ');
  return { ...result, cpuSecs: (cpu.user + cpu.system) / 1e6, userSecs: cpu.user / 1e6, sysSecs: cpu.system / 1e6, rssBefore, rssPeak, gc };
}

/** `dd … conv=fsync` of N MiB into `dir`: seconds. */
function dd(dir: string): number {
  const file = path.join(dir, 'dd.bin');
  const t0 = process.hrtime.bigint();
  execFileSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${MIB}`, 'conv=fsync'], { stdio: 'ignore' });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  fs.unlinkSync(file);
  return secs;
}

function topFunctions(profile: { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] }, n: number): string[] {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byName = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const t = self.get(node.id) ?? 0;
    total += t;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '')}:${f.lineNumber + 1}`;
    byName.set(key, (byName.get(key) ?? 0) + t);
  }
  return [...byName].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, t]) => `${(100 * t / total).toFixed(1).padStart(5)} %  ${k}`);
}

async function main() {
  const db = await benchDatabase('upload');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-bench-upload-'));
  const config = loadConfig({ ...process.env, DATABASE_URL: db.url, DATA_DIR: dir, DEMO_SEED: 'false', LOG_LEVEL: 'warn', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0', EVIDENCE_MAX_BYTES: String(8 * 1024 ** 3) });
  const app = await createApp(config, { logger: pino({ level: 'warn' }, pino.destination(2)) });
  try {
    const url = await app.start(0);
    const org = await createOrg(app.deps.dataSource, OrganizationKind.PROSECUTOR);
    const { token } = await createUser(app, org, [Role.INVESTIGATOR]);
    const ddBefore = dd(dir);
    process.stdout.write(`dd conv=fsync of ${MIB} MiB before: ${ddBefore.toFixed(1)} s, ${(MIB / ddBefore).toFixed(0)} MiB/s\n`);
    const session = PROFILE ? new Session() : null;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    for (let run = 1; run <= RUNS; run++) {
      const created = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: 'mutation { createEvidenceItem(input: { kind: VIDEO, title: "bench" }) { id } }' }) });
      const id = ((await created.json()) as any).data.createEvidenceItem.id as string;
      const r = await upload(url.replace(/\/graphql$/, `/evidence/${id}/content`), token);
      if (r.status !== 201) throw new Error(`upload failed: ${r.status} ${r.body}`);
      process.stdout.write(`upload ${run} of ${MIB} MiB: ${r.secs.toFixed(1)} s, ${(MIB / r.secs).toFixed(0)} MiB/s (hashed, fsynced, content-addressed); hub CPU ${r.cpuSecs.toFixed(2)} s (user ${r.userSecs.toFixed(2)}, system ${r.sysSecs.toFixed(2)}; ${(r.cpuSecs * 1024 / MIB).toFixed(2)} s per GiB); hub GC: ${r.gc || 'none'}; hub RSS ${(r.rssBefore / 2 ** 20).toFixed(0)} MiB before, ${(r.rssPeak / 2 ** 20).toFixed(0)} MiB peak (+${((r.rssPeak - r.rssBefore) / 2 ** 20).toFixed(0)} MiB)\n`);
    }
    if (session && PROFILE) {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(PROFILE, JSON.stringify(profile));
      process.stdout.write(`CPU profile of the hub during the uploads: ${PROFILE}; top self time:\n${topFunctions(profile as any, 12).join('\n')}\n`);
      session.disconnect();
    }
    const ddAfter = dd(dir);
    process.stdout.write(`dd conv=fsync of ${MIB} MiB after: ${ddAfter.toFixed(1)} s, ${(MIB / ddAfter).toFixed(0)} MiB/s\n`);
    process.stdout.write(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs\n`);
  } finally {
    await app.stop();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--client') {
  client(process.argv[3], process.argv[4]).catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
} else {
  main().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
}
