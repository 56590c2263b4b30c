import 'reflect-metadata';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createOrg, createUser } from '../tests/factories';
import { OrganizationKind, Role } from '../src/schema/enums';
import { benchDatabase } from './lib/ownDatabase';

/*
 * npm run bench:audit-upload [-- --mib 1024]   (needs DATABASE_URL; creates and drops its own database)
 *
 * Streams a generated file of N MiB (default 1 GiB) to POST /evidence/{id}/content and prints the time,
 * throughput, the hub's peak RSS during the upload (sampled every 20 ms; client and hub share this process, so
 * the figure is an upper bound for the hub), and for comparison the time to write the same bytes straight to
 * the same disk with fsync.
 */
const mibArg = process.argv.indexOf('--mib');
const MIB = mibArg >= 0 ? Number(process.argv[mibArg + 1]) : 1024;
const CHUNK = Buffer.alloc(1 << 20);
crypto.randomFillSync(CHUNK);

async function main() {
  const db = await benchDatabase('upload');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-bench-upload-'));
  const config = loadConfig({ ...process.env, DATABASE_URL: db.url, DATA_DIR: dir, DEMO_SEED: 'false', LOG_LEVEL: 'warn', AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0', EVIDENCE_MAX_BYTES: String(8 * 1024 ** 3) });
  const app = await createApp(config, { logger: pino({ level: 'warn' }, pino.destination(2)) });
  try {
    const url = await app.start(0);
    const org = await createOrg(app.deps.dataSource, OrganizationKind.PROSECUTOR);
    const { token } = await createUser(app, org, [Role.INVESTIGATOR]);
    const created = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: 'mutation { createEvidenceItem(input: { kind: VIDEO, title: "bench" }) { id } }' }) });
    const id = ((await created.json()) as any).data.createEvidenceItem.id as string;
    const expected = crypto.createHash('sha256');
    for (let i = 0; i < MIB; i++) expected.update(CHUNK);
    const sha = expected.digest('hex');

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const started = process.hrtime.bigint();
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(url.replace(/\/graphql$/, `/evidence/${id}/content`));
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: {
        authorization: `Bearer ${token}`, 'content-type': 'video/mp4', 'content-length': String(MIB * CHUNK.length), 'x-content-sha256': sha, 'x-file-name': 'bench.mp4',
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
          if (!req.write(CHUNK)) { req.once('drain', pump); return; }
        }
        req.end();
      };
      pump();
    });
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    if (status.status !== 201) throw new Error(`upload failed: ${status.status} ${status.body}`);

    const raw = path.join(dir, 'raw.bin');
    const t0 = process.hrtime.bigint();
    const fd = fs.openSync(raw, 'w');
    for (let i = 0; i < MIB; i++) fs.writeSync(fd, CHUNK);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    const rawSecs = Number(process.hrtime.bigint() - t0) / 1e9;
    fs.unlinkSync(raw);

    process.stdout.write(`upload of ${MIB} MiB: ${secs.toFixed(1)} s, ${(MIB / secs).toFixed(0)} MiB/s (hashed, fsynced, content-addressed)\n`);
    process.stdout.write(`same bytes written straight to disk with fsync: ${rawSecs.toFixed(1)} s, ${(MIB / rawSecs).toFixed(0)} MiB/s\n`);
    process.stdout.write(`RSS before ${(baseline / 2 ** 20).toFixed(0)} MiB, peak during the upload ${(peak / 2 ** 20).toFixed(0)} MiB (+${((peak - baseline) / 2 ** 20).toFixed(0)} MiB; client and hub in one process)\n`);
  } finally {
    await app.stop();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
