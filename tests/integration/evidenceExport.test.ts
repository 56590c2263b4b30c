import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createApp, type App } from '../../src/app';
import { verifyBag } from '../../src/audit/bagVerify';
import { contentPath } from '../../src/services/evidence/evidenceStore';
import { sweepExports } from '../../src/services/evidence/exportSweep';
import { createCase, createOrg, createUser } from '../factories';
import { CREATE_EVIDENCE, CREATE_INCIDENT, upload } from '../factories/evidence';
import { createOwnDatabase } from '../helpers/ownDatabase';
import { testConfig } from '../helpers/testApp';
import { parseVerifyArgs, runAuditVerify } from '../../scripts/auditVerify';
import { OrganizationKind, Role } from '../../src/schema/enums';

/**
 * exportDossier as one unit: a bag exists exactly when its custody events, audit entries and checkpoint
 * committed. A missing original, a bag that cannot be written, a failure at the very last step: the client
 * sees the failure, and nothing of the export is left, in the database or on disk. Exports in parallel each
 * get their own complete bag. On a database of its own, so that counting rows counts only this file's.
 */
let app: App;
let url: string;
let db: { url: string; drop: () => Promise<void> };
let sql: Client;
let dir: string;
const tok: Record<string, string> = {};
const incidents: string[] = [];
const cases: string[] = [];
const items: string[] = [];
let hiddenCase: string;

const EXPORT = 'mutation($i: ExportDossierInput!) { exportDossier(input: $i) { bagName path evidenceCount caseCount auditEntryCount payloadOxum checkpoint { size root } } }';

async function gql(query: string, variables: Record<string, unknown>, token: string, base = url) {
  const res = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, ...((await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] }) };
}

/** Everything an export commits, counted. */
async function exportTraces() {
  const { rows: [r] } = await sql.query(`SELECT
      (SELECT count(*) FROM custody_event WHERE kind = 'EXPORTED')::int AS custody,
      (SELECT count(*) FROM audit_entry WHERE operation = 'EXPORT')::int AS audit,
      (SELECT count(*) FROM audit_entry)::int AS entries,
      (SELECT count(*) FROM audit_checkpoint)::int AS checkpoints`);
  return r as { custody: number; audit: number; entries: number; checkpoints: number };
}

const bagsIn = (exportDir: string) => (fs.existsSync(exportDir) ? fs.readdirSync(exportDir) : []);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-export-'));
  db = await createOwnDatabase('export');
  app = await createApp(testConfig({ DATA_DIR: dir, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' }), { databaseUrl: db.url });
  url = await app.start(0);
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  const ds = app.deps.dataSource;
  const prosecutor = await createOrg(ds, OrganizationKind.PROSECUTOR);
  const ngo = await createOrg(ds);
  tok.investigator = (await createUser(app, prosecutor, [Role.INVESTIGATOR])).token;
  tok.worker = (await createUser(app, ngo, [Role.CASE_WORKER])).token;
  for (let i = 0; i < 3; i++) cases.push((await createCase(ds, { lead: ngo })).case.id);
  // A case the case worker's organization does not lead or share. (Investigators read every case and
  // incident, so for them an id is either readable or unknown; the refusal says 'may not read' for both.)
  hiddenCase = (await createCase(ds, { lead: await createOrg(ds) })).case.id;
  for (let i = 0; i < 3; i++) {
    const inc = await gql(CREATE_INCIDENT, { i: { caseIds: [cases[i]], narrative: `Bus ${i}` } }, tok.investigator);
    expect(inc.errors).toBeUndefined();
    incidents.push(inc.data.createIncident.id);
    const ev = await gql(CREATE_EVIDENCE, { i: { kind: 'DOCUMENT', title: `Order ${i}`, incidentIds: [incidents[i]], caseIds: [cases[i]] } }, tok.investigator);
    items.push(ev.data.createEvidenceItem.id);
    const r = await upload({ url } as never, items[i], Buffer.from(`original ${i} `.repeat(200)), tok.investigator);
    expect(r.status).toBe(201);
  }
});

afterAll(async () => {
  jest.restoreAllMocks();
  await sql?.end();
  await app?.stop();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a failed export leaves nothing behind', () => {
  test('a missing original: CONFLICT naming the item; no custody, audit entry, checkpoint or bag', async () => {
    const sha = (await sql.query('SELECT sha256 FROM evidence_item WHERE id = $1', [items[0]])).rows[0].sha256 as string;
    const file = contentPath(path.join(dir, 'evidence'), sha);
    const before = await exportTraces();
    fs.renameSync(file, `${file}.away`);
    try {
      const r = await gql(EXPORT, { i: { incidentId: incidents[0] } }, tok.investigator);
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'EVIDENCE_FIXITY', evidenceId: items[0] });
      expect(r.errors?.[0].message).toMatch(/missing/);
    } finally {
      fs.renameSync(`${file}.away`, file);
    }
    expect(await exportTraces()).toEqual(before);
    expect(bagsIn(path.join(dir, 'exports'))).toEqual([]);
  });

  test('an original changed on disk: CONFLICT, and nothing committed or left', async () => {
    const sha = (await sql.query('SELECT sha256 FROM evidence_item WHERE id = $1', [items[1]])).rows[0].sha256 as string;
    const file = contentPath(path.join(dir, 'evidence'), sha);
    const before = await exportTraces();
    const saved = fs.readFileSync(file);
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, 'forged');
    try {
      const r = await gql(EXPORT, { i: { caseIds: [cases[1]] } }, tok.investigator);
      expect(r.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'EVIDENCE_FIXITY', evidenceId: items[1] });
    } finally {
      fs.writeFileSync(file, saved);
      fs.chmodSync(file, 0o444);
    }
    expect(await exportTraces()).toEqual(before);
    expect(bagsIn(path.join(dir, 'exports'))).toEqual([]);
  });

  test('a failure at the last step (renaming the complete bag into place): rolled back, the bag removed', async () => {
    const before = await exportTraces();
    const rename = jest.spyOn(fs.promises, 'rename').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' }));
    try {
      const r = await gql(EXPORT, { i: { incidentId: incidents[2] } }, tok.investigator);
      expect(r.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(r.data?.exportDossier ?? null).toBeNull();
      // The bag had been written in full before the failure.
      expect(rename).toHaveBeenCalledTimes(1);
      const partial = rename.mock.calls[0][0] as string;
      expect(partial).toMatch(/\.partial$/);
    } finally {
      rename.mockRestore();
    }
    expect(await exportTraces()).toEqual(before);
    expect(bagsIn(path.join(dir, 'exports'))).toEqual([]);
  });

  test('a bag directory that cannot be written (EXPORT_DIR under a file): the same', async () => {
    const blocker = path.join(dir, 'not-a-directory');
    fs.writeFileSync(blocker, 'x');
    const other = await createApp(testConfig({ DATA_DIR: dir, EXPORT_DIR: path.join(blocker, 'exports'), AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' }), { databaseUrl: db.url });
    const otherUrl = await other.start(0);
    try {
      const before = await exportTraces();
      const r = await gql(EXPORT, { i: { incidentId: incidents[2] } }, tok.investigator, otherUrl);
      expect(r.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(await exportTraces()).toEqual(before);
    } finally {
      await other.stop();
    }
  });
});

describe('input', () => {
  test('bad input is BAD_USER_INPUT naming the field; an unknown id is refused as one the exporter may not read', async () => {
    const code = async (i: unknown, token = tok.investigator) => (await gql(EXPORT, { i }, token)).errors?.[0].extensions;
    const before = await exportTraces();
    expect(await code({})).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
    expect(await code({ incidentId: incidents[0], caseIds: [cases[0]] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
    expect(await code({ caseIds: [] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.caseIds' });
    expect(await code({ caseIds: Array.from({ length: 201 }, () => crypto.randomUUID()) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.caseIds' });
    expect(await code({ caseIds: ['not-an-id'] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.caseIds' });
    expect(await code({ incidentId: 'not-an-id' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.incidentId' });
    expect(await code({ incidentId: crypto.randomUUID() })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.incidentId' });
    expect(await code({ caseIds: [cases[0], crypto.randomUUID()] })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.caseIds' });
    // A case worker may not export at all; the check comes before any id is looked at.
    expect(await code({ caseIds: [hiddenCase] }, tok.worker)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await exportTraces()).toEqual(before);
    // An explicit null for the other one is the same as leaving it out.
    expect(await code({ incidentId: incidents[0], caseIds: null })).toBeUndefined();
  });

  test('the same case twice, once in capitals, is one case', async () => {
    const r = await gql(EXPORT, { i: { caseIds: [cases[2], cases[2].toUpperCase(), cases[2]] } }, tok.investigator);
    expect(r.errors).toBeUndefined();
    expect(r.data.exportDossier).toMatchObject({ caseCount: 1, evidenceCount: 1 });
    expect((await verifyBag(r.data.exportDossier.path)).problems).toEqual([]);
  });
});

describe('exports in parallel', () => {
  test('six at once (three of one incident, the others of other incidents and cases): six distinct, complete, valid bags', async () => {
    const before = await exportTraces();
    const inputs = [
      { incidentId: incidents[0] }, { incidentId: incidents[0] }, { incidentId: incidents[0] },
      { incidentId: incidents[1] }, { caseIds: [cases[2]] }, { caseIds: [cases[0], cases[1]] },
    ];
    const results = await Promise.all(inputs.map((i) => gql(EXPORT, { i }, tok.investigator)));
    for (const r of results) expect(r.errors).toBeUndefined();
    const bags = results.map((r) => r.data.exportDossier);
    expect(new Set(bags.map((b) => b.bagName)).size).toBe(6);
    expect(new Set(bags.map((b) => b.path)).size).toBe(6);
    const trusted = crypto.createPublicKey(fs.readFileSync(path.join(dir, 'audit-checkpoints', 'public-key.pem')));
    for (const [n, b] of bags.entries()) {
      const report = await verifyBag(b.path, { trustedPublicKey: trusted });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.originals).toBe(b.evidenceCount);
      expect(report.checkpoint?.size).toBe(b.checkpoint.size);
      // The bag proves its own export: its Dossier entry is in it, under its checkpoint.
      const entries = fs.readFileSync(path.join(b.path, 'data', 'audit', 'entries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(entries.filter((e) => e.entityType === 'Dossier').map((e) => e.entityId)).toEqual([b.bagName]);
      // Each item's custody log in the bag holds this export.
      for (const id of fs.readdirSync(path.join(b.path, 'data', 'evidence'))) {
        const custody = JSON.parse(fs.readFileSync(path.join(b.path, 'data', 'evidence', id, 'custody.json'), 'utf8'));
        expect(custody.filter((e: any) => e.kind === 'EXPORTED').map((e: any) => e.note)).toContain(b.bagName);
      }
      expect(b.evidenceCount).toBe([1, 1, 1, 1, 1, 2][n]);
    }
    const after = await exportTraces();
    expect(after.custody - before.custody).toBe(7);
    expect(after.audit - before.audit).toBe(7 + 6);
    // Every export signed its own checkpoint.
    expect(after.checkpoints - before.checkpoints).toBe(6);
    expect(bagsIn(path.join(dir, 'exports')).filter((n) => n.endsWith('.partial'))).toEqual([]);
    // The whole chain and every checkpoint (signed inside the exports' transactions) verify independently.
    const verdict = await runAuditVerify(parseVerifyArgs(['--db', db.url, '--checkpoints', path.join(dir, 'audit-checkpoints')], {}), () => undefined);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.ok).toBe(true);
    expect(verdict.checkpointsVerified).toBeGreaterThanOrEqual(6);
  });
});

describe('after a crash', () => {
  const setAge = (p: string, minutes: number) => {
    const t = new Date(Date.now() - minutes * 60_000);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) setAge(path.join(p, e), minutes);
    fs.utimesSync(p, t, t);
  };

  test('at start, a half-written bag is removed and a bag whose export never committed is set aside; committed bags stay', async () => {
    const exportDir = path.join(dir, 'exports');
    const done = await gql(EXPORT, { i: { incidentId: incidents[1] } }, tok.investigator);
    expect(done.errors).toBeUndefined();
    const committed = done.data.exportDossier.bagName as string;
    const plant = (name: string) => {
      fs.mkdirSync(path.join(exportDir, name, 'data', 'evidence'), { recursive: true });
      fs.writeFileSync(path.join(exportDir, name, 'data', 'evidence', 'x.json'), '{}');
    };
    plant('dossier-20261201T000000Z-0123456789ab.partial');
    plant('dossier-20261201T000001Z-aaaaaaaaaaaa');
    plant('dossier-20261201T000002Z-bbbbbbbbbbbb.partial');
    for (const n of ['dossier-20261201T000000Z-0123456789ab.partial', 'dossier-20261201T000001Z-aaaaaaaaaaaa', committed]) setAge(path.join(exportDir, n), 30);
    // The third was written to a minute ago (an export still running on another instance): left alone.
    const other = await createApp(testConfig({ DATA_DIR: dir, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' }), { databaseUrl: db.url });
    await other.start(0);
    await other.stop();
    const left = bagsIn(exportDir);
    expect(left).toContain(committed);
    expect(left).toContain('dossier-20261201T000001Z-aaaaaaaaaaaa.uncommitted');
    expect(left).toContain('dossier-20261201T000002Z-bbbbbbbbbbbb.partial');
    expect(left).not.toContain('dossier-20261201T000000Z-0123456789ab.partial');
    expect(left).not.toContain('dossier-20261201T000001Z-aaaaaaaaaaaa');
    expect((await verifyBag(path.join(exportDir, committed))).problems).toEqual([]);
    // Once it is old enough, the next sweep takes the third too.
    const later = await sweepExports(app.deps.dataSource, exportDir, app.deps.logger, 10 * 60_000, Date.now() + 11 * 60_000);
    expect(later.removedPartial).toEqual(['dossier-20261201T000002Z-bbbbbbbbbbbb.partial']);
    expect(later.quarantined).toEqual([]);
    fs.rmSync(path.join(exportDir, 'dossier-20261201T000001Z-aaaaaaaaaaaa.uncommitted'), { recursive: true });
  });
});
