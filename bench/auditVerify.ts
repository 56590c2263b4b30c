import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Client } from 'pg';
import { AuditLog } from '../src/audit/AuditLog';
import { entryHash, GENESIS_HASH, inclusionProofs, leafHash, verifyInclusion } from '../src/audit/chain';
import { auditPaths } from '../src/audit/proofs';
import { loadConfig } from '../src/config';
import { createDataSource, runMigrations } from '../src/db/dataSource';
import { parseVerifyArgs, runAuditVerify } from '../scripts/auditVerify';
import { benchDatabase } from './lib/ownDatabase';

/*
 * npm run bench:audit-verify [-- --entries 1000000]   (needs DATABASE_URL; creates and drops its own database)
 *
 * Fills the audit log with N chained entries (through the same insert trigger as the hub), signs checkpoints
 * every 100,000 entries, then times `audit:verify` over the whole log. Target: 1,000,000 entries in under 60 s.
 * Then times inclusion proofs of the first, middle and last entry against the last checkpoint: from the stored
 * subtree hashes (what auditTrail and exports use) and, for comparison, by the former pass over every leaf.
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
    await benchProofs(db.url);
  } finally {
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Inclusion proofs at the log's full size: stored subtree hashes (O(log n)) against one pass over all leaves. */
async function benchProofs(url: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const query = async (q: string, p?: unknown[]) => (await client.query(q, p as unknown[])).rows;
    const [c] = await query('SELECT c.size::text AS size, c.root FROM audit_checkpoint c ORDER BY c.size DESC LIMIT 1');
    const size = Number(c.size);
    const hashOf = async (i: number) => (await query('SELECT hash FROM audit_entry WHERE seq = $1', [i + 1]))[0].hash as string;
    const [{ nodes }] = await query('SELECT count(*)::int AS nodes FROM audit_merkle_node');
    for (const [name, i] of [['first', 0], ['middle', Math.floor(size / 2)], ['last', size - 1]] as const) {
      const t0 = process.hrtime.bigint();
      const path = (await auditPaths(query, size, c.root, [i]))!.get(i)!;
      const t1 = process.hrtime.bigint();
      const hash = await hashOf(i);
      const t2 = process.hrtime.bigint();
      const ok = verifyInclusion(hash, i, size, path, c.root);
      const t3 = process.hrtime.bigint();
      process.stdout.write(`proof of the ${name} entry (leaf ${i} of ${size}, ${path.length} hashes): computed in ${(Number(t1 - t0) / 1e6).toFixed(1)} ms from ${nodes} stored subtree hashes, verified offline in ${(Number(t3 - t2) / 1e6).toFixed(2)} ms (${ok ? 'OK' : 'FAILED'})\n`);
    }
    const t0 = process.hrtime.bigint();
    const leaves: Buffer[] = [];
    for (let from = 0; from < size; from += 100000) {
      for (const r of await query('SELECT hash FROM audit_entry WHERE seq > $1 AND seq <= $2 ORDER BY seq', [from, Math.min(size, from + 100000)])) leaves.push(leafHash(r.hash));
    }
    const linear = inclusionProofs(leaves, [0, Math.floor(size / 2), size - 1]);
    process.stdout.write(`for comparison, the former pass over every leaf: ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)} ms for the same three proofs (${linear.size} paths)\n`);
  } finally {
    await client.end();
  }
}

main().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
