import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createApp, type App } from '../../src/app';
import { readEntries } from '../../src/audit/AuditLog';
import { canonicalEntry, entryHash } from '../../src/audit/chain';
import { COPY_ENTRIES_SQL, EntryCopyDecoder } from '../../src/audit/copyEntries';
import { createCase, createOrg, createUser } from '../factories';
import { testConfig } from '../helpers/testApp';
import { createOwnDatabase } from '../helpers/ownDatabase';
import { parseVerifyArgs, runAuditVerify } from '../../scripts/auditVerify';
import { OrganizationKind, Role } from '../../src/schema/enums';

/**
 * `npm run audit:verify` against the attacks of the issue, done with SQL as a superuser would: an edited,
 * a deleted and an inserted entry, and an edit with the trigger disabled and the whole chain recomputed after it.
 * Runs on a database of its own (it breaks the chain on purpose) and restores the rows after each attack.
 */
let app: App;
let db: { url: string; drop: () => Promise<void> };
let dir: string;
let sql: Client;
let url: string;
let firstCheckpoint: number;
let coordinatorToken: string;
/** The cases read together in one request (a batched READ entry, format 2). */
let listedCaseIds: string[];
let secondCheckpoint: number;

const verify = (extra: string[] = []) => runAuditVerify(parseVerifyArgs(['--db', db.url, '--checkpoints', path.join(dir, 'audit-checkpoints'), ...extra], {}), () => undefined);

async function gql(query: string, variables: Record<string, unknown>, token: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: any; errors?: any[] };
}

/** Runs `attack` as a superuser with the triggers off, verifies, then puts every row back as it was. */
async function underAttack(attack: () => Promise<void>) {
  const saved = (await sql.query('SELECT * FROM audit_entry ORDER BY seq')).rows;
  await sql.query('ALTER TABLE audit_entry DISABLE TRIGGER USER');
  try {
    await attack();
    return await verify();
  } finally {
    await sql.query('DELETE FROM audit_entry');
    for (const r of saved) {
      await sql.query('INSERT INTO audit_entry (seq, at, actor_id, organization_id, operation, entity_type, entity_id, fields, values_hash, prev_hash, hash, entity_ids) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)',
        [r.seq, r.at, r.actor_id, r.organization_id, r.operation, r.entity_type, r.entity_id, r.fields, r.values_hash, r.prev_hash, r.hash, r.entity_ids]);
    }
    await sql.query('ALTER TABLE audit_entry ENABLE TRIGGER USER');
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-audit-'));
  db = await createOwnDatabase('auditverify');
  app = await createApp(testConfig({ DATA_DIR: dir, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' }), { databaseUrl: db.url });
  url = await app.start(0);
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  const ds = app.deps.dataSource;
  const lead = await createOrg(ds);
  const worker = await createUser(app, lead, [Role.CASE_WORKER]);
  const coordinator = await createUser(app, await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR]);
  const { case: c } = await createCase(ds, { lead });
  let version = c.version;
  for (const status of ['IDENTIFIED', 'LOCATED']) {
    const r = await gql('mutation($i: ChangeCaseStatusInput!) { changeCaseStatus(input: $i) { version } }', { i: { caseId: c.id, status, expectedVersion: version } }, worker.token);
    version = r.data.changeCaseStatus.version;
  }
  firstCheckpoint = Number((await app.deps.audit.checkpoint()).size);
  for (const status of ['IDENTIFIED', 'LOCATED', 'IDENTIFIED']) {
    const r = await gql('mutation($i: ChangeCaseStatusInput!) { changeCaseStatus(input: $i) { version } }', { i: { caseId: c.id, status, expectedVersion: version } }, coordinator.token);
    version = r.data.changeCaseStatus.version;
  }
  await gql('query($id: ID!) { case(id: $id) { deportationCircumstances } }', { id: c.id }, coordinator.token);
  // Three cases read in one request: one format 2 entry among the format 1 entries before the second checkpoint.
  await createCase(ds, { lead });
  await createCase(ds, { lead });
  const list = await gql('{ cases(first: 20) { edges { node { id deportationCircumstances } } } }', {}, coordinator.token);
  listedCaseIds = list.data.cases.edges.map((e: any) => e.node.id);
  coordinatorToken = coordinator.token;
  secondCheckpoint = Number((await app.deps.audit.checkpoint()).size);
  // One more entry, not yet under a checkpoint.
  await gql('mutation($i: ChangeCaseStatusInput!) { changeCaseStatus(input: $i) { version } }', { i: { caseId: c.id, status: 'LOCATED', expectedVersion: version } }, coordinator.token);
});

afterAll(async () => {
  await sql?.end();
  await app?.stop();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an untouched log verifies: every entry, both checkpoints, one entry not yet signed', async () => {
  expect(firstCheckpoint).toBeGreaterThanOrEqual(2);
  expect(secondCheckpoint).toBeGreaterThan(firstCheckpoint + 2);
  const r = await verify();
  expect(r).toMatchObject({ ok: true, entries: secondCheckpoint + 1, checkpointsVerified: 2, unsignedTail: 1 });
});

test('a log of format 1 and format 2 entries verifies; a request\'s reads of cases are one entry listing every case', async () => {
  expect(listedCaseIds.length).toBe(3);
  const v2 = (await sql.query(`SELECT seq::text AS seq, entity_id, entity_ids, fields FROM audit_entry WHERE entity_ids IS NOT NULL`)).rows;
  expect(v2).toEqual([{ seq: expect.any(String), entity_id: '', entity_ids: listedCaseIds, fields: ['deportationCircumstances'] }]);
  expect(Number(v2[0].seq)).toBeLessThanOrEqual(secondCheckpoint);
  const [{ n }] = (await sql.query(`SELECT count(*)::int AS n FROM audit_entry WHERE entity_ids IS NULL AND operation = 'READ'`)).rows;
  expect(n).toBeGreaterThan(0);
  const entries = await readEntries({ query: async (q: string, p?: unknown[]) => (await sql.query(q, p)).rows }, 0n, 1000);
  const batched = entries.find((e) => e.seq === v2[0].seq)!;
  expect(canonicalEntry(batched).startsWith('["bkb-audit/2",')).toBe(true);
  expect(entryHash(batched)).toBe(batched.hash);
  expect(canonicalEntry(entries[0]).startsWith('["bkb-audit/1",')).toBe(true);
  expect(await verify()).toMatchObject({ ok: true, entries: secondCheckpoint + 1, checkpointsVerified: 2 });
});

test('auditTrail by entityId finds the batched READ entry for each id it lists', async () => {
  const q = 'query($id: String!) { auditTrail(filter: { entityType: "Case", entityId: $id }) { edges { node { seq operation entityId entityIds fields proof { leafIndex } } } } }';
  for (const id of listedCaseIds) {
    const r = await gql(q, { id }, coordinatorToken);
    expect(r.errors).toBeUndefined();
    const reads = r.data.auditTrail.edges.map((e: any) => e.node).filter((n: any) => n.entityIds);
    expect(reads).toEqual([{ seq: expect.any(String), operation: 'READ', entityId: '', entityIds: listedCaseIds, fields: ['deportationCircumstances'], proof: { leafIndex: expect.any(String) } }]);
  }
  const none = await gql(q, { id: crypto.randomUUID() }, coordinatorToken);
  expect(none.data.auditTrail.edges).toEqual([]);
});

test('an edited id list is named: a record dropped from, or swapped within, a batched READ entry', async () => {
  const [{ seq }] = (await sql.query(`SELECT seq::text AS seq FROM audit_entry WHERE entity_ids IS NOT NULL`)).rows;
  let r = await underAttack(async () => { await sql.query(`UPDATE audit_entry SET entity_ids = entity_ids[1:2] WHERE seq = $1`, [seq]); });
  expect(r).toMatchObject({ ok: false, failure: { seq, reason: expect.stringContaining('was edited') } });
  r = await underAttack(async () => { await sql.query(`UPDATE audit_entry SET entity_ids = ARRAY[entity_ids[2], entity_ids[1], entity_ids[3]] WHERE seq = $1`, [seq]); });
  expect(r).toMatchObject({ ok: false, failure: { seq, reason: expect.stringContaining('was edited') } });
  // Turning it into a format 1 entry about one of its records does not verify either.
  r = await underAttack(async () => { await sql.query(`UPDATE audit_entry SET entity_id = entity_ids[1], entity_ids = NULL WHERE seq = $1`, [seq]); });
  expect(r).toMatchObject({ ok: false, failure: { seq, reason: expect.stringContaining('was edited') } });
  expect(await verify()).toMatchObject({ ok: true });
});

test('an edited entry is named', async () => {
  const r = await underAttack(async () => { await sql.query(`UPDATE audit_entry SET operation = 'READ' WHERE seq = 3`); });
  expect(r.ok).toBe(false);
  expect(r.failure?.seq).toBe('3');
  expect(r.failure?.reason).toMatch(/edited/);
});

test('a deleted entry is named', async () => {
  const r = await underAttack(async () => { await sql.query('DELETE FROM audit_entry WHERE seq = 4'); });
  expect(r.failure?.seq).toBe('4');
  expect(r.failure?.reason).toMatch(/missing/);
});

test('deleting the newest signed entries is caught by the checkpoint', async () => {
  const r = await underAttack(async () => { await sql.query('DELETE FROM audit_entry WHERE seq >= $1', [secondCheckpoint]); });
  expect(r.ok).toBe(false);
  expect(r.failure?.checkpointSize).toBe(String(secondCheckpoint));
});

test('an inserted entry is named', async () => {
  const r = await underAttack(async () => {
    await sql.query('UPDATE audit_entry SET seq = seq + 1000000 WHERE seq >= 3');
    await sql.query('UPDATE audit_entry SET seq = seq - 1000000 + 1 WHERE seq > 1000000');
    await sql.query(`INSERT INTO audit_entry (seq, at, operation, entity_type, entity_id, prev_hash, hash)
      SELECT 3, now(), 'READ', 'Case', 'forged', hash, repeat('a', 64) FROM audit_entry WHERE seq = 2`);
  });
  expect(r.ok).toBe(false);
  expect(r.failure?.seq).toBe('3');
});

test('a superuser who disables the trigger, edits an entry and recomputes the chain is caught by the signed checkpoint alone', async () => {
  const target = firstCheckpoint + 2;
  const r = await underAttack(async () => {
    await sql.query(`UPDATE audit_entry SET operation = 'READ', fields = '{status}' WHERE seq = $1`, [target]);
    const rows = (await sql.query(`SELECT seq::text AS seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor_id, organization_id, operation, entity_type, entity_id, entity_ids, fields, values_hash, prev_hash, hash FROM audit_entry WHERE seq >= $1 ORDER BY seq`, [target])).rows;
    let prev = rows[0].prev_hash;
    for (const row of rows) {
      const hash = entryHash({ seq: row.seq, prevHash: prev, at: row.at, actorId: row.actor_id, organizationId: row.organization_id, operation: row.operation, entityType: row.entity_type, entityId: row.entity_id, entityIds: row.entity_ids, fields: row.fields, valuesHash: row.values_hash });
      await sql.query('UPDATE audit_entry SET prev_hash = $2, hash = $3 WHERE seq = $1', [row.seq, prev, hash]);
      prev = hash;
    }
    // The chain in the database is consistent again: without the checkpoints nothing looks wrong.
    const blind = await runAuditVerify(parseVerifyArgs(['--db', db.url, '--checkpoints', path.join(dir, 'empty'), '--public-key', path.join(dir, 'audit-checkpoints', 'public-key.pem')], {}), () => undefined);
    expect(blind.ok).toBe(true);
  });
  expect(r.ok).toBe(false);
  expect(r.failure?.checkpointSize).toBe(String(secondCheckpoint));
  // The rewrite lies between the last checkpoint that still verifies and the first that does not.
  expect(r.failure?.seq).toBe(String(firstCheckpoint + 1));
  expect(Number(r.failure?.seq)).toBeLessThanOrEqual(target);
});

test('the checkpoint table in the database cannot vouch for itself: a re-signed forgery with another key is ignored', async () => {
  // A forger without the key can only sign with their own; the verifier trusts the published public key.
  const r = await verify(['--db-checkpoints']);
  expect(r.ok).toBe(true);
  expect(r.checkpointsVerified).toBeGreaterThanOrEqual(2);
});

test('the log can be verified from an export file too', async () => {
  const file = path.join(dir, 'entries.jsonl');
  await verify(['--export', file]);
  const r = await runAuditVerify(parseVerifyArgs(['--file', file, '--checkpoints', path.join(dir, 'audit-checkpoints')], {}), () => undefined);
  expect(r).toMatchObject({ ok: true, entries: secondCheckpoint + 1 });
});

test('the binary COPY reader decodes every column as the hub wrote it, however the bytes are split', async () => {
  // Entries with every shape of column: users and organizations, a values hash, several fields, no field, non-ASCII ids.
  const actor = { actorId: crypto.randomUUID(), organizationId: crypto.randomUUID() };
  await app.deps.audit.appendNow(actor, [
    { operation: 'UPDATE', entityType: 'Child', entityId: 'Іванко-ß-🙂', fields: ['a', 'b.c', 'd_e'], values: { x: 1 } },
    { operation: 'READ', entityType: 'Case', entityId: 'tab\there "quoted" \\ back', fields: [] },
  ]);
  await app.deps.audit.appendNow({ actorId: null, organizationId: null }, [{ operation: 'EXPORT', entityType: 'Dossier', entityId: 'x', fields: ['status'] }]);
  const expected = await readEntries({ query: (q, p) => app.deps.dataSource.query(q, p) }, 0n, 1_000_000);
  expect(expected.some((e) => e.actorId && e.valuesHash && e.fields.length === 3)).toBe(true);
  expect(expected.some((e) => e.fields.length === 0)).toBe(true);

  // The raw bytes of the COPY, then decoded whole, byte by byte, and in random pieces.
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    sql.query({
      submit: (c: any) => c.query(COPY_ENTRIES_SQL), handleCopyData: (m: any) => chunks.push(Buffer.from(m.chunk)), handleCommandComplete: () => undefined,
      handleError: reject, handleReadyForQuery: () => resolve(),
    } as never);
  });
  const bytes = Buffer.concat(chunks);
  const decode = (pieces: number[]) => {
    const out: unknown[] = [];
    const d = new EntryCopyDecoder((e) => out.push(e));
    let at = 0;
    for (const n of pieces) { d.write(bytes.subarray(at, at + n)); at += n; }
    d.write(bytes.subarray(at));
    expect(d.done).toBe(true);
    return out;
  };
  expect(decode([])).toEqual(expected);
  expect(decode(Array.from({ length: bytes.length }, () => 1))).toEqual(expected);
  const random: number[] = [];
  for (let left = bytes.length; left > 0;) { const n = 1 + Math.floor(Math.random() * 300); random.push(n); left -= n; }
  expect(decode(random)).toEqual(expected);

  // And the verifier reading through it still accepts the log and names a later edit.
  expect((await verify()).ok).toBe(true);
  const r = await underAttack(async () => { await sql.query(`UPDATE audit_entry SET entity_id = 'Іванко' WHERE entity_id = 'Іванко-ß-🙂'`); });
  expect(r.failure?.seq).toBe(expected.find((e) => e.entityId === 'Іванко-ß-🙂')!.seq);
  expect(r.failure?.reason).toMatch(/edited/);
});
