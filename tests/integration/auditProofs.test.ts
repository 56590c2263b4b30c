import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Client } from 'pg';
import { createApp, type App } from '../../src/app';
import { AuditLog, readEntries } from '../../src/audit/AuditLog';
import { entryHash, inclusionProofs, leafHash, verifyInclusion, type SignedCheckpoint } from '../../src/audit/chain';
import { auditPaths, MIN_STORED_LEVEL } from '../../src/audit/proofs';
import { OrganizationKind, Role } from '../../src/schema/enums';
import { parseVerifyArgs, runAuditVerify } from '../../scripts/auditVerify';
import { createOrg, createUser } from '../factories';
import { createOwnDatabase } from '../helpers/ownDatabase';
import { testConfig } from '../helpers/testApp';

/**
 * O(log n) inclusion proofs from the subtree hashes checkpoints store, against the RFC 6962 definition; and the
 * one-round-trip append (the head a process last saw is a guess the database checks). A database of its own:
 * the tests write hundreds of entries and tamper with the stored nodes.
 */
let app: App;
let db: { url: string; drop: () => Promise<void> };
let dir: string;
let sql: Client;
let url: string;
const checkpoints: SignedCheckpoint[] = [];
const query = (q: string, p?: unknown[]) => app.deps.dataSource.query(q, p);
const SIZES = [1, 2, 3, 255, 256, 257, 511, 512, 513, 700, 1024, 1100];

async function gql(q: string, variables: Record<string, unknown>, token: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: q, variables }) });
  return (await res.json()) as { data?: any; errors?: any[] };
}

/** Appends plain entries until the log has `size` of them. */
async function growTo(size: number) {
  const [{ n }] = await query('SELECT count(*)::int AS n FROM audit_entry');
  for (let have = n; have < size;) {
    const k = Math.min(size - have, 300);
    await app.deps.audit.appendNow({ actorId: null, organizationId: null }, Array.from({ length: k }, (_, i) => ({ operation: 'READ', entityType: 'Case', entityId: `c-${have + i}`, fields: ['status'] })));
    have += k;
  }
}

async function leavesOf(size: number) {
  return (await readEntries({ query }, 0n, size)).map((e) => leafHash(e.hash));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-proofs-'));
  db = await createOwnDatabase('auditproofs');
  app = await createApp(testConfig({ DATA_DIR: dir, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' }), { databaseUrl: db.url });
  url = await app.start(0);
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  for (const size of SIZES) {
    await growTo(size);
    checkpoints.push(await app.deps.audit.checkpoint());
  }
});

afterAll(async () => {
  await sql?.end();
  await app?.stop();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('inclusion proofs from stored subtree hashes', () => {
  test('checkpoints store every complete subtree of 256 leaves and more, and nothing smaller', async () => {
    expect(checkpoints.map((c) => Number(c.size))).toEqual(SIZES);
    const rows: { level: number; n: number }[] = await query('SELECT level, count(*)::int AS n FROM audit_merkle_node GROUP BY level ORDER BY level');
    // 1100 leaves: 4 subtrees of 256, 2 of 512, 1 of 1024.
    expect(rows).toEqual([{ level: MIN_STORED_LEVEL, n: 4 }, { level: 9, n: 2 }, { level: 10, n: 1 }]);
  });

  test('for every checkpoint size, the paths of the first, middle, last and other entries are the RFC 6962 ones and verify offline', async () => {
    const all = await leavesOf(1100);
    for (const c of checkpoints) {
      const size = Number(c.size);
      const leaves = all.slice(0, size);
      const indices = [...new Set([0, Math.floor(size / 2), size - 1, 255, 256, 257, 511, 512, 1023].filter((i) => i < size))];
      const fast = (await auditPaths(query, size, c.root, indices))!;
      const reference = inclusionProofs(leaves, indices);
      for (const i of indices) {
        expect(fast.get(i)).toEqual(reference.get(i));
        // Offline: only the entry hash, the path and the signed root.
        const [e] = await readEntries({ query }, BigInt(i), 1);
        expect(verifyInclusion(e.hash, i, size, fast.get(i)!, c.root)).toBe(true);
      }
    }
  });

  test('every leaf of a tree across the 256 and 512 boundaries', async () => {
    const c = checkpoints.find((x) => x.size === '700')!;
    const indices = Array.from({ length: 700 }, (_, i) => i);
    expect((await auditPaths(query, 700, c.root, indices))!).toEqual(inclusionProofs((await leavesOf(700)), indices));
  });

  test('a tampered proof does not verify: another sibling, one sibling less, another leaf, another index, another root', async () => {
    const c = checkpoints.at(-1)!;
    const size = Number(c.size);
    for (const i of [0, 550, size - 1]) {
      const path = (await auditPaths(query, size, c.root, [i]))!.get(i)!;
      const [e] = await readEntries({ query }, BigInt(i), 1);
      const [other] = await readEntries({ query }, BigInt((i + 1) % size), 1);
      expect(verifyInclusion(e.hash, i, size, path, c.root)).toBe(true);
      for (let k = 0; k < path.length; k++) {
        const bad = [...path];
        bad[k] = crypto.createHash('sha256').update(bad[k]).digest('hex');
        expect(verifyInclusion(e.hash, i, size, bad, c.root)).toBe(false);
      }
      expect(verifyInclusion(e.hash, i, size, path.slice(0, -1), c.root)).toBe(false);
      expect(verifyInclusion(other.hash, i, size, path, c.root)).toBe(false);
      expect(verifyInclusion(e.hash, (i + 1) % size, size, path, c.root)).toBe(false);
      expect(verifyInclusion(e.hash, i, size, path, checkpoints.at(-2)!.root)).toBe(false);
    }
  });

  test('through the API: auditTrail proofs of the first, a middle and the last entry verify against the signed checkpoint', async () => {
    const coordinator = await createUser(app, await createOrg(app.deps.dataSource, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR]);
    const c = checkpoints.at(-1)!;
    for (const id of ['c-0', 'c-550', 'c-1099']) {
      const r = await gql('query($id: String!) { auditTrail(filter: { entityType: "Case", entityId: $id }) { checkpoint { size root publicKey } edges { node { seq hash proof { leafIndex treeSize root path } } } } }', { id }, coordinator.token);
      expect(r.errors).toBeUndefined();
      expect(r.data.auditTrail.checkpoint.size).toBe(c.size);
      const [n] = r.data.auditTrail.edges.map((x: any) => x.node);
      expect(n.proof).toMatchObject({ leafIndex: String(Number(n.seq) - 1), treeSize: c.size, root: c.root });
      expect(n.proof.path.length).toBeLessThanOrEqual(Math.ceil(Math.log2(Number(c.size))));
      expect(verifyInclusion(n.hash, Number(n.proof.leafIndex), Number(n.proof.treeSize), n.proof.path, c.root)).toBe(true);
    }
  });

  test('an altered stored node is refused instead of giving out a proof that would not verify', async () => {
    await sql.query('ALTER TABLE audit_merkle_node DISABLE TRIGGER USER');
    const [saved] = (await sql.query('SELECT hash FROM audit_merkle_node WHERE level = 8 AND idx = 1')).rows;
    try {
      await sql.query(`UPDATE audit_merkle_node SET hash = sha256(hash) WHERE level = 8 AND idx = 1`);
      const c = checkpoints.at(-1)!;
      await expect(auditPaths(query, 1100, c.root, [0])).rejects.toThrow(/does not reach the root/);
      // A leaf whose path does not use that node is still proved.
      expect((await auditPaths(query, 1100, c.root, [1099]))!.get(1099)).toBeDefined();
    } finally {
      await sql.query('UPDATE audit_merkle_node SET hash = $1 WHERE level = 8 AND idx = 1', [saved.hash]);
      await sql.query('ALTER TABLE audit_merkle_node ENABLE TRIGGER USER');
    }
  });

  test('a log whose checkpoints predate the stored nodes: proofs still come (one pass), and the next checkpoint fills the nodes in', async () => {
    const saved = (await sql.query('SELECT level, idx, hash FROM audit_merkle_node ORDER BY level, idx')).rows;
    await sql.query('ALTER TABLE audit_merkle_node DISABLE TRIGGER USER');
    await sql.query('DELETE FROM audit_merkle_node');
    await sql.query('ALTER TABLE audit_merkle_node ENABLE TRIGGER USER');
    const c = checkpoints.at(-1)!;
    expect(await auditPaths(query, 1100, c.root, [0])).toBeNull();
    const coordinator = await createUser(app, await createOrg(app.deps.dataSource, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR]);
    const r = await gql('query { auditTrail(filter: { entityType: "Case", entityId: "c-3" }) { edges { node { hash proof { leafIndex treeSize path } } } } }', {}, coordinator.token);
    const n = r.data.auditTrail.edges[0].node;
    expect(verifyInclusion(n.hash, Number(n.proof.leafIndex), Number(n.proof.treeSize), n.proof.path, c.root)).toBe(true);
    // Nothing new to sign: the checkpoint is the same one, and the nodes are back, identical.
    expect((await app.deps.audit.checkpoint()).size).toBe(c.size);
    expect((await sql.query('SELECT level, idx, hash FROM audit_merkle_node ORDER BY level, idx')).rows).toEqual(saved);
    expect((await auditPaths(query, 1100, c.root, [0]))!.get(0)).toEqual(inclusionProofs(await leavesOf(1100), [0]).get(0));
  });
});

describe('appending in one round trip', () => {
  test('two hub instances on one database, each with a stale idea of the head, and a rolled-back append: the chain stays whole', async () => {
    const other = new AuditLog({ config: app.deps.config, logger: pino({ level: 'silent' }), dataSource: app.deps.dataSource });
    const [{ n: before }] = await query('SELECT count(*)::int AS n FROM audit_entry');
    const actor = { actorId: null, organizationId: null };
    const rec = (id: string) => ({ operation: 'READ', entityType: 'Case', entityId: id, fields: ['status'] });
    // `other` starts from the genesis guess; each instance's guess goes stale as the other writes.
    await other.appendNow(actor, [rec('a1'), rec('a2')]);
    await app.deps.audit.appendNow(actor, [rec('b1')]);
    await other.appendNow(actor, [rec('a3')]);
    // An append inside a transaction that then rolls back leaves a head guess that never committed.
    await expect(app.deps.dataSource.transaction(async (em) => {
      await app.deps.audit.append(em, [{ ...actor, ...rec('rolled-back') }]);
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    await app.deps.audit.appendNow(actor, [rec('b2')]);
    // Concurrent group commits from both instances.
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => app.deps.audit.recordReads(actor, [rec(`r${i}`)])),
      ...Array.from({ length: 10 }, (_, i) => other.recordReads(actor, [rec(`s${i}`)])),
    ]);
    const [{ n: after }] = await query('SELECT count(*)::int AS n FROM audit_entry');
    // Concurrent reads of one actor that share a commit share its entries (one per entity type): every read is
    // listed once, in 5 plain entries and 20 recorded reads however they were grouped.
    const [{ listed }] = await query(`SELECT sum(CASE WHEN entity_ids IS NULL THEN 1 ELSE cardinality(entity_ids) END)::int AS listed FROM audit_entry WHERE seq > $1`, [before]);
    expect(listed).toBe(25);
    const ids = Array.from({ length: 10 }, (_, i) => [`r${i}`, `s${i}`]).flat();
    const [{ each }] = await query(`SELECT array_agg(DISTINCT n)::int[] AS each FROM (SELECT count(*)::int AS n FROM unnest($1::text[]) x(id)
      JOIN audit_entry a ON a.seq > $2 AND (a.entity_id = x.id OR x.id = ANY(a.entity_ids)) GROUP BY x.id) c`, [ids, before]);
    expect(each).toEqual([1]);
    expect(after - before).toBeLessThanOrEqual(25);
    expect((await query(`SELECT 1 FROM audit_entry WHERE entity_id = 'rolled-back'`)).length).toBe(0);
    await app.deps.audit.checkpoint();
    const v = await runAuditVerify(parseVerifyArgs(['--db', db.url, '--checkpoints', path.join(dir, 'audit-checkpoints')], {}), () => undefined);
    expect(v).toMatchObject({ ok: true, entries: after, unsignedTail: 0 });
  });

  test('the function refuses to write against a head that is not the head, and the trigger still checks every row', async () => {
    const [head] = await query('SELECT a.seq::text AS seq, a.hash FROM audit_entry a ORDER BY a.seq DESC LIMIT 1');
    const args = (prevSeq: string, prevHash: string, hash: string) => [prevSeq, prevHash, new Date().toISOString(), [null], [null], ['READ'], ['Case'], ['x'], ['status'], [null], [hash], [null]];
    const call = 'SELECT head_seq::text AS seq, head_hash AS hash FROM bkb_audit_append($1, $2, $3, $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])';
    // A stale head: nothing written, the real head returned.
    expect(await query(call, args(String(Number(head.seq) - 1), head.hash, 'f'.repeat(64)))).toEqual([head]);
    // The real head: the function writes what it is given (it does not hash; the verifier does), linked to the head.
    const before = await query('SELECT count(*)::int AS n FROM audit_entry');
    await sql.query('BEGIN');
    try {
      await sql.query(call, args(head.seq, head.hash, 'f'.repeat(64)));
      const [row] = (await sql.query('SELECT a.seq::text AS seq, a.prev_hash FROM audit_entry a ORDER BY a.seq DESC LIMIT 1')).rows;
      expect(row).toEqual({ seq: String(Number(head.seq) + 1), prev_hash: head.hash });
    } finally {
      await sql.query('ROLLBACK');
    }
    expect(await query('SELECT count(*)::int AS n FROM audit_entry')).toEqual(before);
    // Direct inserts that do not extend the head are refused by the trigger as before.
    await expect(sql.query(`INSERT INTO audit_entry (seq, at, operation, entity_type, entity_id, prev_hash, hash) VALUES ($1, now(), 'READ', 'Case', 'x', $2, $3)`,
      [String(Number(head.seq) + 2), head.hash, 'e'.repeat(64)])).rejects.toThrow(/does not extend the head/);
  });

  test('a group commit of reads waits until no request that may read is running, arrivals included (up to AUDIT_READ_GROUP_MS), and shares one append with them; a lone read never waits', async () => {
    const actor = { actorId: null, organizationId: null };
    const tag = crypto.randomBytes(6).toString('hex');
    const rec = (id: string) => ({ operation: 'READ', entityType: 'Case', entityId: `${id}-${tag}`, fields: ['status'] });
    const logWith = (ms: number) => new AuditLog({ config: { ...app.deps.config, auditReadGroupMs: ms }, logger: pino({ level: 'silent' }), dataSource: app.deps.dataSource });
    const log = logWith(5000);
    // Two requests reading; the first hands its reads over while the second still runs: the flush waits for it.
    const r1 = log.readerStarted();
    const r2 = log.readerStarted();
    const first = log.recordReads(actor, [rec('g1')]);
    log.readerFinished(r1);
    await new Promise((r) => setTimeout(r, 30));
    const second = log.recordReads(actor, [rec('g2')]);
    log.readerFinished(r2);
    await Promise.all([first, second]);
    // One actor's reads in one commit: one entry listing both (bkb-audit/2).
    const rows = await query(`SELECT entity_id, entity_ids FROM audit_entry WHERE entity_id = ANY($1) OR entity_ids && $1 ORDER BY seq`, [[`g1-${tag}`, `g2-${tag}`]]);
    expect(rows).toEqual([{ entity_id: '', entity_ids: [`g1-${tag}`, `g2-${tag}`] }]);
    expect(log.stats.appends).toBe(1);
    // Nobody else reading: the read is appended at once, not after the window of 5 s.
    let t0 = Date.now();
    await log.recordReads(actor, [rec('g3')]);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(log.stats.appends).toBe(2);
    // A reader that starts while a flush waits is waited for too: every request in flight shares the commit.
    await new Promise((r) => setTimeout(r, 20)); // the previous flush has settled: g5 starts a flush of its own
    const r5 = log.readerStarted();
    const r6 = log.readerStarted();
    const fifth = log.recordReads(actor, [rec('g5')]);
    log.readerFinished(r5);
    const late = log.readerStarted(); // arrives while the flush waits for r6
    await new Promise((r) => setTimeout(r, 30));
    const sixth = log.recordReads(actor, [rec('g6')]);
    log.readerFinished(r6);
    await new Promise((r) => setTimeout(r, 30));
    expect(log.stats.appends).toBe(2); // still waiting, for the late one
    const seventh = log.recordReads(actor, [rec('g8')]);
    log.readerFinished(late);
    await Promise.all([fifth, sixth, seventh]);
    expect(log.stats.appends).toBe(3);
    expect(await query(`SELECT entity_ids FROM audit_entry WHERE entity_ids && $1`, [[`g5-${tag}`]])).toEqual([{ entity_ids: [`g5-${tag}`, `g6-${tag}`, `g8-${tag}`] }]);
    // A request that never hands its reads over holds a flush back for the window only.
    const short = logWith(300);
    short.readerStarted();
    t0 = Date.now();
    await short.recordReads(actor, [rec('g4')]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect((await query('SELECT count(*)::int AS n FROM audit_entry WHERE entity_id = $1', [`g4-${tag}`]))[0].n).toBe(1);
    // ... and once: a flush that waited the whole window for it does not leave it for the next flush to wait for.
    t0 = Date.now();
    await short.recordReads(actor, [rec('g7')]);
    expect(Date.now() - t0).toBeLessThan(290);
    // One that arrived while a flush waited the whole window is waited for by the next flush (its window at most),
    // not dropped with those the first one waited for.
    const stuck = short.readerStarted();
    const w1 = short.recordReads(actor, [rec('g9')]);
    await new Promise((r) => setTimeout(r, 100));
    const arrived = short.readerStarted();
    await w1; // the window of 300 ms from the flush's start
    t0 = Date.now();
    const w2 = short.recordReads(actor, [rec('g10')]);
    await new Promise((r) => setTimeout(r, 50));
    expect(short.stats.appends).toBe(3); // g10's flush waits for `arrived`, not for `stuck`
    short.readerFinished(arrived);
    await w2;
    expect(Date.now() - t0).toBeLessThan(290);
    expect(short.stats.appends).toBe(4);
    short.readerFinished(stuck);
  });

  test('a signed-in request counts as a reader from its arrival, and hands its ticket back once its operation proves to select no sensitive field, or with its reads', async () => {
    const coordinator = await createUser(app, await createOrg(app.deps.dataSource, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR]);
    const log = app.deps.audit;
    const calls: string[] = [];
    const started = log.readerStarted.bind(log);
    const finished = log.readerFinished.bind(log);
    // Tickets may be handed back more than once (the response's end hands back whatever is left): the first time counts.
    const running = new Set<number>();
    log.readerStarted = () => { calls.push('start'); const t = started(); running.add(t); return t; };
    log.readerFinished = (t: number) => { if (running.delete(t)) calls.push(`finish ${t}`); finished(t); };
    try {
      const ask = async (q: string) => {
        calls.length = 0;
        const r = await gql(q, {}, coordinator.token);
        expect(r.errors).toBeUndefined();
        // No case to read in this database: the tickets are taken before execution, not by a field read.
        expect(r.data.cases.edges).toEqual([]);
        return [...calls];
      };
      // Counted from its arrival (signed in), given back once its operation is resolved and selects no sensitive field
      // (tests/integration/auditGroupCommit.test.ts: such requests hold no commit back).
      expect(await ask('{ cases(first: 2) { edges { node { id } } } }')).toEqual(['start', expect.stringMatching(/^finish \d+$/)]);
      const direct = await ask('{ cases(first: 2) { edges { node { id deportationCircumstances } } } }');
      expect(direct).toEqual(['start', expect.stringMatching(/^finish \d+$/)]);
      expect(await ask('query { cases(first: 2) { edges { node { ...F } } } } fragment F on Case { id child { currentLocation } }')).toEqual(['start', expect.stringMatching(/^finish \d+$/)]);
      // Not signed in: never counted.
      calls.length = 0;
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ cases(first: 1) { totalCount } }' }) });
      expect(calls).toEqual([]);
    } finally {
      delete (log as Partial<AuditLog>).readerStarted;
      delete (log as Partial<AuditLog>).readerFinished;
    }
  });

  test('a group commit lists each actor\'s reads together, each record once, and keeps actors apart', async () => {
    const tag = crypto.randomBytes(6).toString('hex');
    const log = new AuditLog({ config: { ...app.deps.config, auditReadGroupMs: 5000 }, logger: pino({ level: 'silent' }), dataSource: app.deps.dataSource });
    const [u1, u2] = [crypto.randomUUID(), crypto.randomUUID()];
    const a = { actorId: u1, organizationId: null };
    const b = { actorId: u2, organizationId: null };
    const rd = (type: string, id: string, fields: string[]) => ({ operation: 'READ', entityType: type, entityId: `${id}-${tag}`, fields });
    const holding = log.readerStarted();
    const reads = [
      log.recordReads(a, [rd('Case', 'x', ['deportationCircumstances']), rd('Case', 'y', ['deportationCircumstances']), rd('Child', 'k', ['currentLocation'])]),
      log.recordReads(a, [rd('Case', 'y', ['deportationCircumstances']), rd('Case', 'z', ['deportationCircumstances']), rd('Child', 'k', ['healthNotes'])]),
      log.recordReads(b, [rd('Case', 'x', ['deportationCircumstances'])]),
    ];
    log.readerFinished(holding);
    await Promise.all(reads);
    expect(log.stats.appends).toBe(1);
    const rows = await query(`SELECT actor_id, entity_type, entity_id, entity_ids, fields FROM audit_entry WHERE actor_id = ANY($1::uuid[]) ORDER BY seq`, [[u1, u2]]);
    expect(rows).toEqual([
      { actor_id: u1, entity_type: 'Case', entity_id: '', entity_ids: [`x-${tag}`, `y-${tag}`, `z-${tag}`], fields: ['deportationCircumstances'] },
      { actor_id: u1, entity_type: 'Child', entity_id: `k-${tag}`, entity_ids: null, fields: ['currentLocation', 'healthNotes'] },
      { actor_id: u2, entity_type: 'Case', entity_id: `x-${tag}`, entity_ids: null, fields: ['deportationCircumstances'] },
    ]);
    await app.deps.audit.checkpoint();
    const v = await runAuditVerify(parseVerifyArgs(['--db', db.url, '--checkpoints', path.join(dir, 'audit-checkpoints')], {}), () => undefined);
    expect(v).toMatchObject({ ok: true });
  });
});

describe('appending in one statement, hashed by PostgreSQL (bkb_audit_append_hashed)', () => {
  const HASHED_SIG = 'bkb_audit_append_hashed(text, uuid[], uuid[], text[], text[], text[], text[], text[], text[])';
  const awkward = ['quote " and backslash \\ end', 'controls \u0001\u0008\t\n\u000b\f\r\u001f\u007f', 'Кирилиця Ґґ Її', 'astral 😀 𝕏', 'separators \u2028\u2029 nbsp\u00a0', '[\"json\", null]', '   '];

  test('the database computes exactly the hash chain.ts defines, formats 1 and 2, on awkward text, and the verifier accepts it', async () => {
    const org = await createOrg(app.deps.dataSource, OrganizationKind.NGO);
    const { user } = await createUser(app, org, [Role.INVESTIGATOR]);
    const actor = { actorId: user.id, organizationId: org.id };
    const statements = app.deps.audit.stats.statements;
    const out = await app.deps.audit.appendNow(actor, [
      ...awkward.map((text, i) => ({ operation: `OP ${text}`, entityType: text, entityId: `${text} ${i}`, fields: ['a.b', 'c_1'], values: { text, n: i } })),
      { operation: 'NOFIELDS', entityType: 'Case', entityId: 'x', fields: [] },
    ]);
    const batched = await app.deps.dataSource.transaction((em) => app.deps.audit.append(em, [
      { actorId: null, organizationId: null, operation: 'READ', entityType: 'Child', entityId: '', entityIds: [...awkward.map((t) => t.replace(/,/g, ';')), 'z'], fields: ['currentLocation'], values: ['h1', null] },
      { actorId: null, organizationId: null, operation: 'READ', entityType: 'Case', entityId: '', entityIds: ['one'], fields: [] },
    ]));
    expect(app.deps.audit.stats.statements - statements).toBe(2);
    const all = [...out, ...batched];
    for (let i = 0; i < all.length; i++) {
      expect(all[i].hash).toBe(entryHash(all[i]));
      if (i > 0) expect(all[i].seq).toBe(String(Number(all[i - 1].seq) + 1));
      if (i > 0) expect(all[i].prevHash).toBe(all[i - 1].hash);
    }
    const stored = await readEntries({ query }, BigInt(all[0].seq) - 1n, all.length);
    expect(stored.map((e) => e.hash)).toEqual(all.map((e) => e.hash));
    expect(stored.map((e) => entryHash(e))).toEqual(all.map((e) => e.hash));
    expect(stored[stored.length - 2].entityIds).toHaveLength(awkward.length + 1);
    await app.deps.audit.checkpoint();
    const v = await runAuditVerify(parseVerifyArgs(['--db', db.url, '--checkpoints', path.join(dir, 'audit-checkpoints')], {}), () => undefined);
    expect(v).toMatchObject({ ok: true, unsignedTail: 0 });
  });

  test('concurrent writers take one statement each, never a retry, and the chain stays whole', async () => {
    const other = new AuditLog({ config: app.deps.config, logger: pino({ level: 'silent' }), dataSource: app.deps.dataSource });
    const logs = [app.deps.audit, other];
    const before = logs.map((l) => ({ ...l.stats }));
    const actor = { actorId: null, organizationId: null };
    await Promise.all(Array.from({ length: 12 }, (_, i) => app.deps.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_sleep(0.01)');
      return logs[i % 2].append(em, [1, 2, 3].map((k) => ({ ...actor, operation: 'CREATE', entityType: 'Case', entityId: `w${i}-${k}`, fields: ['status'], values: { k } })));
    })));
    logs.forEach((l, i) => {
      expect(l.stats.appends - before[i].appends).toBe(6);
      expect(l.stats.statements - before[i].statements).toBe(6);
    });
    await app.deps.audit.checkpoint();
    const v = await runAuditVerify(parseVerifyArgs(['--db', db.url, '--checkpoints', path.join(dir, 'audit-checkpoints')], {}), () => undefined);
    expect(v).toMatchObject({ ok: true, unsignedTail: 0 });
  });

  test('an append whose hash the database computed differently is refused and rolls back', async () => {
    const [{ n: before }] = await query('SELECT count(*)::int AS n FROM audit_entry');
    // A stand-in that returns a hash the hub does not compute (DDL in the transaction: rolled back with it).
    await expect(app.deps.dataSource.transaction(async (em) => {
      await em.query(`ALTER FUNCTION ${HASHED_SIG} RENAME TO bkb_audit_append_hashed_real`);
      await em.query(`CREATE FUNCTION ${HASHED_SIG.replace(/\((.*)\)/, '(a text, b uuid[], c uuid[], d text[], e text[], f text[], g text[], h text[], i text[])')}
        RETURNS TABLE (entry_seq bigint, entry_prev text, entry_hash text) LANGUAGE sql AS
        $$ SELECT r.entry_seq, r.entry_prev, md5(r.entry_hash) || md5(r.entry_hash) FROM bkb_audit_append_hashed_real(a, b, c, d, e, f, g, h, i) r $$`);
      await app.deps.audit.append(em, [{ actorId: null, organizationId: null, operation: 'READ', entityType: 'Case', entityId: 'refused', fields: [] }]);
    })).rejects.toThrow(/hashed differently by the database/);
    expect((await query('SELECT count(*)::int AS n FROM audit_entry'))[0].n).toBe(before);
    expect((await query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'bkb_audit_append_hashed_real'`))[0].n).toBe(0);
  });
});
