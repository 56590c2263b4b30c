import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Client } from 'pg';
import { AuditLog } from '../src/audit/AuditLog';
import { entryHash, GENESIS_HASH } from '../src/audit/chain';
import { loadConfig } from '../src/config';
import { createDataSource, runMigrations } from '../src/db/dataSource';
import { parseVerifyArgs, runAuditVerify } from '../scripts/auditVerify';
import { benchDatabase } from './lib/ownDatabase';

/*
 * npm run bench:audit-verify [-- --entries 1000000]   (needs DATABASE_URL; creates and drops its own database)
 *
 * Fills the audit log with N chained entries (through the same insert trigger as the hub), signs checkpoints
 * every 100,000 entries, then times `audit:verify` over the whole log. Target: 1,000,000 entries in under 60 s.
 */
const nArg = process.argv.indexOf('--entries');
const N = nArg >= 0 ? Number(process.argv[nArg + 1]) : 1_000_000;

async function main() {
  const db = await benchDatabase('verify');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-bench-verify-'));
  try {
    await runMigrations(db.url);
    const config = loadConfig({ ...process.env, DATABASE_URL: db.url, DATA_DIR: dir, LOG_LEVEL: 'warn' });
    const ds = createDataSource({ url: db.url, poolSize: 2 });
    await ds.initialize();
    const audit = new AuditLog({ config, logger: pino({ level: 'warn' }), dataSource: ds });
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    const t0 = Date.now();
    let prev = GENESIS_HASH;
    const batch = 20000;
    const at = new Date('2026-12-01T00:00:00.000Z');
    for (let from = 1; from <= N; from += batch) {
      const cols: string[][] = Array.from({ length: 8 }, () => []);
      for (let s = from; s < Math.min(N + 1, from + batch); s++) {
        const e = {
          seq: String(s), prevHash: prev, at: new Date(at.getTime() + s).toISOString(), actorId: null, organizationId: null,
          operation: s % 3 ? 'READ' : 'UPDATE', entityType: 'Case', entityId: `case-${s % 5000}`, fields: ['status'], valuesHash: null,
        };
        const hash = entryHash(e);
        [e.seq, e.at, e.operation, e.entityType, e.entityId, 'status', e.prevHash, hash].forEach((v, i) => cols[i].push(v));
        prev = hash;
      }
      await sql.query(`INSERT INTO audit_entry (seq, at, operation, entity_type, entity_id, fields, prev_hash, hash)
        SELECT s, a, o, t, i, string_to_array(f, ','), p, h FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS x(s, a, o, t, i, f, p, h) ORDER BY s`, cols);
      if ((from - 1 + batch) % 100000 === 0 || from + batch > N) {
        await audit.checkpoint();
        process.stderr.write(`\r${Math.min(N, from + batch - 1)} entries`);
      }
    }
    process.stderr.write(`\nfilled and checkpointed in ${((Date.now() - t0) / 1000).toFixed(0)} s; verifying…\n`);
    await sql.end();
    await ds.destroy();
    const started = Date.now();
    const cpu0 = process.cpuUsage();
    const r = await runAuditVerify(parseVerifyArgs(['--db', db.url, '--checkpoints', path.join(dir, 'audit-checkpoints')], {}));
    const secs = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(`audit:verify over ${r.entries} entries and ${r.checkpointsVerified} checkpoints: ${secs.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU in the verifier (${r.ok ? 'OK' : 'FAILED'}); RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores\n`);
  } finally {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
