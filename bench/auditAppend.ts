import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { EntityManager } from 'typeorm';
import { AuditLog } from '../src/audit/AuditLog';
import { CASE_EVENT_ORDER_LOCK } from '../src/services/CaseService';
import { entryHash, GENESIS_HASH } from '../src/audit/chain';
import { valuesHash } from '../src/audit/keys';
import { loadConfig } from '../src/config';
import { createDataSource, runMigrations } from '../src/db/dataSource';
import { benchDatabase } from './lib/ownDatabase';

/*
 * node dist/bench/auditAppend.js [--writers 1,10] [--seconds 3] [--rounds 6]   (needs DATABASE_URL; own database)
 *
 * The audit's own work in a write, without the rest of the write around it: N writers run transactions back to
 * back, each shaped like reportChild's end (a row, the case event lock held to commit, an event row), with nothing more
 * (`none`) or also appending the 3 entries reportChild appends, the
 * way this build does (`hashed`: one bkb_audit_append_hashed statement) or the way the build before did
 * (`guess`: hashed in the hub against the head this process last saw, bkb_audit_append, again after a stale
 * guess). CPU per transaction = this process + its PostgreSQL backends (/proc); modes alternate within each round,
 * order rotating, so the machine's load drifts onto all of them alike. The difference to `none` is what the audit
 * adds to a write; the full write (reportChild) costs 25–30 ms of CPU on this machine (npm run bench:audit).
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
type Mode = 'none' | 'hashed' | 'guess';
const MODES: Mode[] = ['none', 'hashed', 'guess'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The three records reportChild appends (a child and a case, the child's values as the entity holds them). */
function writeRecords(i: number) {
  const actor = { actorId: '00000000-0000-4000-8000-000000000001', organizationId: '00000000-0000-4000-8000-000000000002' };
  const child = {
    id: `0000000${i % 10}-1111-4111-8111-${String(i).padStart(12, '0')}`, givenName: 'Бенч', familyName: 'Тест', patronymic: null, latinName: 'Bench Test',
    aliases: [], birthDate: '2015-01-01', birthDatePrecision: 'EXACT', sex: 'FEMALE', placeOfBirth: null, homeOblast: null, languages: [],
    currentLocation: 'x', healthNotes: null, searchText: 'бенч тест bench test', createdAt: new Date(), updatedAt: new Date(), version: 1,
  };
  const kase = { id: child.id.replace('1111', '2222'), childId: child.id, status: 'REPORTED', priority: 'NORMAL', deportationCircumstances: 'y', version: 1, createdAt: new Date() };
  return [
    { ...actor, operation: 'CREATE', entityType: 'Child', entityId: child.id, fields: ['birthDate', 'birthDatePrecision', 'currentLocation', 'familyName', 'givenName', 'sex'], values: child },
    { ...actor, operation: 'CREATE', entityType: 'Case', entityId: kase.id, fields: ['status', 'priority', 'leadOrganizationId', 'deportationCircumstances'], values: kase },
    { ...actor, operation: 'UPDATE', entityType: 'Case', entityId: kase.id, fields: ['version'], values: { version: 2 } },
  ];
}

async function main() {
  const writers = arg('writers', '1,10').split(',').map(Number);
  const seconds = Number(arg('seconds', '3'));
  const rounds = Number(arg('rounds', '6'));
  const loadStart = os.loadavg();
  const db = await benchDatabase('append');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-bench-append-'));
  const ds = createDataSource({ url: db.url, poolSize: Math.max(...writers) + 1 });
  try {
    await runMigrations(db.url);
    await ds.initialize();
    const config = loadConfig({ ...process.env, DATABASE_URL: db.url, DATA_DIR: dir, LOG_LEVEL: 'warn' });
    const audit = new AuditLog({ config, logger: pino({ level: 'warn' }), dataSource: ds });
    const pids = async () => (await ds.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).map((r: { pid: number }) => r.pid) as number[];
    const backendCpu = (list: number[]) => {
      let ms = 0;
      for (const pid of list) {
        try {
          const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
          ms += (Number(f[11]) + Number(f[12])) * 10;
        } catch { /* ended */ }
      }
      return ms;
    };
    // The append of the build before (commit 1651739): hashes against a guessed head, bkb_audit_append refuses a
    // stale guess and returns the head, the hub hashes again.
    let head = { seq: 0n, hash: GENESIS_HASH };
    let guessStatements = 0;
    const appendGuess = async (em: EntityManager, records: ReturnType<typeof writeRecords>) => {
      const at = new Date().toISOString();
      const hashes = records.map((r) => valuesHash(audit.keys, r.values));
      let h = head;
      for (;;) {
        guessStatements++;
        let seq = h.seq;
        let prev = h.hash;
        const out = records.map((r, i) => {
          seq += 1n;
          const e = { seq: seq.toString(), prevHash: prev, at, actorId: r.actorId, organizationId: r.organizationId, operation: r.operation, entityType: r.entityType, entityId: r.entityId, fields: r.fields, valuesHash: hashes[i] };
          prev = entryHash(e);
          return { ...e, hash: prev };
        });
        const [actual] = await em.query(`SELECT head_seq::text AS seq, head_hash AS hash
          FROM bkb_audit_append($1, $2, $3, $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])`, [
          h.seq.toString(), h.hash, at, out.map((e) => e.actorId), out.map((e) => e.organizationId), out.map((e) => e.operation), out.map((e) => e.entityType),
          out.map((e) => e.entityId), out.map((e) => e.fields.join(',')), out.map((e) => e.valuesHash), out.map((e) => e.hash), out.map(() => null),
        ]);
        if (!actual) {
          head = { seq, hash: prev };
          return;
        }
        h = head = { seq: BigInt(actual.seq), hash: actual.hash };
      }
    };
    let counter = 0;
    // Every transaction has the shape of reportChild's end, in all modes: a row written, [the audit append], the case
    // event order lock (held to commit, as CaseService.recordEvent takes it) and the event row; its commit flushes the WAL.
    await ds.query('CREATE TABLE bench_write (id serial PRIMARY KEY, note text NOT NULL)');
    const tx = (mode: Mode) => ds.transaction(async (em) => {
      await em.query(`INSERT INTO bench_write (note) VALUES ('x')`);
      if (mode !== 'none') {
        const records = writeRecords(counter++);
        if (mode === 'hashed') await audit.append(em, records);
        else await appendGuess(em, records);
      }
      await em.query('SELECT pg_advisory_xact_lock($1::bigint)', [CASE_EVENT_ORDER_LOCK]);
      await em.query(`INSERT INTO bench_write (note) VALUES ('event')`);
    });
    const run = async (mode: Mode, n: number) => {
      const list = await pids();
      const pg0 = backendCpu(list);
      const cpu0 = process.cpuUsage();
      const s0 = audit.stats.statements + guessStatements;
      const a0 = audit.stats.appends;
      let done = 0;
      const until = performance.now() + seconds * 1000;
      await Promise.all(Array.from({ length: n }, async () => {
        while (performance.now() < until) {
          await tx(mode);
          done++;
        }
      }));
      const cpu = process.cpuUsage(cpu0);
      const pg = backendCpu(await pids()) - pg0;
      const appends = mode === 'none' ? 0 : mode === 'hashed' ? audit.stats.appends - a0 : done;
      return { perTx: ((cpu.user + cpu.system) / 1000 + pg) / done, hub: (cpu.user + cpu.system) / 1000 / done, pg: pg / done, tps: done / seconds, statements: appends ? (audit.stats.statements + guessStatements - s0) / appends : 0 };
    };
    const out = (s: string) => process.stdout.write(`${s}\n`);
    out(`audit append alone: ${seconds} s per run, ${rounds} rounds, modes rotating; ${os.cpus().length} cores shared; load at start ${loadStart.map((x) => x.toFixed(1)).join(' ')}`);
    for (const n of writers) {
      for (const m of MODES) await run(m, n); // warm-up
      const res: Record<Mode, Awaited<ReturnType<typeof run>>[]> = { none: [], hashed: [], guess: [] };
      for (let r = 0; r < rounds; r++) {
        const order = [...MODES.slice(r % 3), ...MODES.slice(0, r % 3)];
        if (r % 2) order.reverse();
        for (const m of order) res[m].push(await run(m, n));
      }
      out(`${n} writer(s):`);
      out('mode    tx/s   CPU ms/tx = hub + PostgreSQL   append statements per append');
      for (const m of MODES) {
        const rs = res[m];
        out(`${m.padEnd(7)} ${median(rs.map((x) => x.tps)).toFixed(0).padStart(5)}   ${median(rs.map((x) => x.perTx)).toFixed(3)} = ${median(rs.map((x) => x.hub)).toFixed(3)} + ${median(rs.map((x) => x.pg)).toFixed(3)}   ${median(rs.map((x) => x.statements)).toFixed(2)}`);
      }
      for (const m of ['hashed', 'guess'] as Mode[]) {
        const d = res[m].map((x, i) => x.perTx - res.none[i].perTx);
        const s = [...d].sort((a, b) => a - b);
        out(`${m} − none, paired per round: median ${median(d).toFixed(3)} ms (min ${s[0].toFixed(3)} … max ${s[s.length - 1].toFixed(3)}); hub ${median(res[m].map((x, i) => x.hub - res.none[i].hub)).toFixed(3)}, PostgreSQL ${median(res[m].map((x, i) => x.pg - res.none[i].pg)).toFixed(3)}`);
      }
      const d = res.hashed.map((x, i) => x.perTx - res.guess[i].perTx);
      out(`hashed − guess, paired per round: median ${median(d).toFixed(3)} ms (min ${Math.min(...d).toFixed(3)} … max ${Math.max(...d).toFixed(3)}); hashed cheaper in ${d.filter((x) => x < 0).length} of ${d.length}`);
    }
    out(`load at end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : e}\n`); process.exit(1); });
