import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { CREATE_EVIDENCE, CREATE_INCIDENT, download, upload } from '../factories/evidence';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { contentPath } from '../../src/services/evidence/evidenceStore';
import { verifyCheckpointSignature, verifyInclusion } from '../../src/audit/chain';
import { OrganizationKind, Role } from '../../src/schema/enums';

/** Incidents, evidence items, streamed upload and download, custody, and the audit trail with proofs, from the outside. */
let t: TestApp;
let ds: DataSource;
let dir: string;
const tok: Record<string, string> = {};
let caseId: string;
let prosecutor: Awaited<ReturnType<typeof createOrg>>;

/**
 * Validates a bag with the Library of Congress's bagit-python: an implementation of RFC 8493 that shares no code
 * with ours. Full validation: structure, bagit.txt, every manifest and tag manifest, completeness both ways,
 * Payload-Oxum, every checksum. It is not a dependency of the hub and is not in this repository (PyPI is not
 * reachable from the build machines, Debian 12 has no python3-bagit, npm has no working validator): the tests use
 * an installed `bagit` module, or a checkout named by BAGIT_PYTHON_PATH (the directory holding `bagit/`), and say
 * plainly when neither is there.
 */
function bagitEnv(): NodeJS.ProcessEnv {
  const extra = process.env.BAGIT_PYTHON_PATH;
  return extra ? { ...process.env, PYTHONPATH: [extra, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) } : process.env;
}
const locAvailable = (() => {
  const { spawnSync } = jest.requireActual('node:child_process') as typeof import('node:child_process');
  return spawnSync('python3', ['-c', 'import bagit'], { encoding: 'utf8', env: bagitEnv() }).status === 0;
})();
if (!locAvailable) {
  // eslint-disable-next-line no-console
  console.log('bagit-python not found (python3 -c "import bagit"; BAGIT_PYTHON_PATH): the Library of Congress validator tests are skipped; sha256sum and bag:verify still run');
}
const locTest = locAvailable ? test : test.skip;

function locValidate(bag: string): { valid: boolean; errors: string[] } {
  const { spawnSync } = jest.requireActual('node:child_process') as typeof import('node:child_process');
  const script = [
    'import bagit, json, sys',
    'try:',
    '    bagit.Bag(sys.argv[1]).validate()',
    '    print(json.dumps({"valid": True, "errors": []}))',
    'except bagit.BagValidationError as e:',
    '    print(json.dumps({"valid": False, "errors": [str(e)] + [str(d) for d in e.details]}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, bag], { encoding: 'utf8', env: bagitEnv() });
  if (r.status !== 0) throw new Error(`bagit-python did not run: ${r.error ?? r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-evidence-'));
  t = await startTestApp({ env: { DATA_DIR: dir, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0', EVIDENCE_MAX_BYTES: '100000' } });
  ds = t.app.deps.dataSource;
  prosecutor = await createOrg(ds, OrganizationKind.PROSECUTOR);
  const ngo = await createOrg(ds);
  caseId = (await createCase(ds, { lead: ngo })).case.id;
  tok.investigator = (await createUser(t.app, prosecutor, [Role.INVESTIGATOR])).token;
  tok.investigator2 = (await createUser(t.app, await createOrg(ds, OrganizationKind.PROSECUTOR), [Role.INVESTIGATOR])).token;
  tok.coordinator = (await createUser(t.app, await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR])).token;
});
afterAll(async () => {
  await t?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('incident → evidence → upload → download', () => {
  let itemId: string;
  const bytes = Buffer.from('%PDF-1.4 statement of a witness\n'.repeat(100));
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');

  test('an investigator records an incident and an item; the item starts RESTRICTED with a CAPTURED event', async () => {
    const inc = await t.gql(CREATE_INCIDENT, { i: { caseIds: [caseId], occurredOn: '2022-10-07', takenFrom: 'Kherson', destinationCountry: 'RU', qualifications: ['UNLAWFUL_DEPORTATION'], responsible: ['Unit 1'] } }, tok.investigator);
    expect(inc.errors).toBeUndefined();
    expect(inc.data!.createIncident.cases).toEqual([{ id: caseId }]);
    const ev = await t.gql(CREATE_EVIDENCE, { i: { kind: 'DOCUMENT', title: 'Witness statement', incidentIds: [inc.data!.createIncident.id], caseIds: [caseId] } }, tok.investigator);
    expect(ev.errors).toBeUndefined();
    expect(ev.data!.createEvidenceItem).toMatchObject({ classification: 'RESTRICTED', sha256: null, custody: [{ kind: 'CAPTURED' }] });
    itemId = ev.data!.createEvidenceItem.id;
  });

  test('a declared hash that does not match is refused and nothing is linked', async () => {
    const r = await upload(t, itemId, bytes, tok.investigator, { 'x-content-sha256': 'a'.repeat(64) });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('BAD_USER_INPUT');
    const q = await t.gql('query($id: ID!) { evidenceItem(id: $id) { sha256 custody { kind } } }', { id: itemId }, tok.investigator);
    // Reading the custody log (as createEvidenceItem's answer did) is itself an ACCESSED event (evidenceAccess.test.ts).
    expect(q.data!.evidenceItem).toEqual({ sha256: null, custody: [{ kind: 'CAPTURED' }, { kind: 'ACCESSED' }] });
  });

  test('too large an upload is refused with 413', async () => {
    const r = await upload(t, itemId, Buffer.alloc(100001), tok.investigator);
    expect(r.status).toBe(413);
  });

  test('the upload is hashed while it streams and stored content-addressed, read-only', async () => {
    const r = await upload(t, itemId, bytes, tok.investigator, { 'content-digest': `sha-256=:${Buffer.from(sha, 'hex').toString('base64')}:` });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ sha256: sha, sizeBytes: bytes.length, originalFileName: 'statement.pdf', mediaType: 'application/pdf' });
    const file = contentPath(path.join(dir, 'evidence'), sha);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.statSync(file).mode & 0o222).toBe(0);
  });

  test('an original is never replaced: a second upload is refused', async () => {
    const r = await upload(t, itemId, Buffer.from('other bytes'), tok.investigator);
    expect(r.status).toBe(409);
  });

  test('download returns the same bytes with their digest, and is a custody and audit event', async () => {
    const r = await download(t, itemId, tok.investigator2);
    expect(r.status).toBe(200);
    expect(r.body.equals(bytes)).toBe(true);
    expect(r.headers.get('x-content-sha256')).toBe(sha);
    const q = await t.gql('query($id: ID!) { evidenceItem(id: $id) { custody { kind sha256 } } }', { id: itemId }, tok.investigator);
    expect(q.data!.evidenceItem.custody.map((c: any) => c.kind).filter((k: string) => k !== 'ACCESSED')).toEqual(['CAPTURED', 'RECEIVED', 'DOWNLOADED']);
    const trail = await t.gql('query($id: String!) { auditTrail(filter: { entityType: "EvidenceItem", entityId: $id }) { edges { node { operation fields valuesHash } } } }', { id: itemId }, tok.investigator);
    expect(trail.errors).toBeUndefined();
    expect(trail.data!.auditTrail.edges.map((e: any) => e.node.operation).filter((o: string) => o !== 'READ')).toEqual(['CREATE', 'UPLOAD', 'DOWNLOAD']);
    // Values are only hashed: the file name does not appear in the log.
    expect(JSON.stringify(trail.data)).not.toContain('statement.pdf');
  });

  test('a derived copy is a new item pointing at its original', async () => {
    const ev = await t.gql('mutation($i: CreateEvidenceItemInput!) { createEvidenceItem(input: $i) { id derivedFrom { id } } }', { i: { kind: 'DOCUMENT', title: 'Redacted statement', derivedFromId: itemId } }, tok.investigator);
    expect(ev.data!.createEvidenceItem.derivedFrom).toEqual({ id: itemId });
  });

  test('a transfer passes custody only when the receiving organization acknowledges', async () => {
    const otherOrg = await createOrg(ds, OrganizationKind.PROSECUTOR);
    const receiver = await createUser(t.app, otherOrg, [Role.INVESTIGATOR]);
    const tr = await t.gql('mutation($i: TransferEvidenceInput!) { transferEvidence(input: $i) { pendingTransferTo { id } custodianOrganization { id } } }', { i: { evidenceId: itemId, toOrganizationId: otherOrg.id } }, tok.investigator);
    expect(tr.errors).toBeUndefined();
    expect(tr.data!.transferEvidence).toEqual({ pendingTransferTo: { id: otherOrg.id }, custodianOrganization: { id: prosecutor.id } });
    const wrong = await t.gql('mutation($id: ID!) { acknowledgeEvidenceTransfer(evidenceId: $id) { id } }', { id: itemId }, tok.investigator2);
    expect(wrong.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const ack = await t.gql('mutation($id: ID!) { acknowledgeEvidenceTransfer(evidenceId: $id) { custodianOrganization { id } pendingTransferTo { id } custody { kind } } }', { id: itemId }, receiver.token);
    expect(ack.errors).toBeUndefined();
    expect(ack.data!.acknowledgeEvidenceTransfer.custodianOrganization).toEqual({ id: otherOrg.id });
    expect(ack.data!.acknowledgeEvidenceTransfer.custody.map((c: any) => c.kind).slice(-2)).toEqual(['TRANSFERRED', 'TRANSFER_ACKNOWLEDGED']);
  });

  test('bad input names the field and writes nothing', async () => {
    const before = await ds.query('SELECT count(*)::int AS n FROM evidence_item');
    const r = await t.gql(CREATE_EVIDENCE, { i: { kind: 'PHOTO', title: '', caseIds: [caseId] } }, tok.investigator);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.title' });
    const r2 = await t.gql(CREATE_EVIDENCE, { i: { kind: 'PHOTO', title: 'x', caseIds: [crypto.randomUUID()] } }, tok.investigator);
    expect(r2.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.caseIds' });
    expect(await ds.query('SELECT count(*)::int AS n FROM evidence_item')).toEqual(before);
  });
});

describe('audit trail, checkpoints and inclusion proofs', () => {
  test('case writes are audited in the same transaction; a checkpoint signs them and proofs verify', async () => {
    const lead = await createOrg(ds);
    const worker = await createUser(t.app, lead, [Role.CASE_WORKER]);
    const rep = await t.gql('mutation { reportChild(input: { givenName: "Олена", familyName: "Тест", birthDate: "2015-01-01", birthDatePrecision: EXACT, sex: FEMALE, priority: HIGH }) { id version } }', undefined, worker.token);
    expect(rep.errors).toBeUndefined();
    const id = rep.data!.reportChild.id;
    await t.gql('mutation($i: ChangeCaseStatusInput!) { changeCaseStatus(input: $i) { id } }', { i: { caseId: id, status: 'IDENTIFIED', expectedVersion: 1 } }, worker.token);
    const cp = await t.gql('mutation { createAuditCheckpoint { size root head signature publicKey at keyId } }', undefined, tok.coordinator);
    expect(cp.errors).toBeUndefined();
    const c = cp.data!.createAuditCheckpoint;
    expect(verifyCheckpointSignature(c, crypto.createPublicKey(c.publicKey))).toBe(true);
    const trail = await t.gql('query($id: String!) { auditTrail(filter: { entityType: "Case", entityId: $id }) { edges { node { seq operation hash actorId proof { leafIndex treeSize root path } } } } }', { id }, tok.investigator);
    expect(trail.errors).toBeUndefined();
    const nodes = trail.data!.auditTrail.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.operation)).toEqual(['CREATE', 'CHANGE_STATUS']);
    expect(nodes[0].actorId).toBe(worker.user.id);
    for (const n of nodes) {
      expect(n.proof.root).toBe(c.root);
      expect(verifyInclusion(n.hash, Number(n.proof.leafIndex), Number(n.proof.treeSize), n.proof.path, c.root)).toBe(true);
    }
    // The published copy outside the database.
    const published = JSON.parse(fs.readFileSync(path.join(dir, 'audit-checkpoints', `checkpoint-${c.size.padStart(12, '0')}.json`), 'utf8'));
    expect(published.root).toBe(c.root);
  });

  test('a refused write leaves no audit entry; the chain stays gap-free', async () => {
    const [{ n: before }] = await ds.query('SELECT count(*)::int AS n FROM audit_entry');
    const r = await t.gql('mutation($i: ChangeCaseStatusInput!) { changeCaseStatus(input: $i) { id } }', { i: { caseId, status: 'CLOSED', expectedVersion: 99, closeReason: 'OTHER' } }, tok.coordinator);
    expect(r.errors?.[0].extensions?.code).toBe('CONFLICT');
    const [{ n: after, max }] = await ds.query('SELECT count(*)::int AS n, max(seq)::int AS max FROM audit_entry');
    expect(after).toBe(before);
    expect(max).toBe(after);
  });

  test('reading a sensitive field appends a READ entry naming the fields', async () => {
    const r = await t.gql('query($id: ID!) { case(id: $id) { deportationCircumstances child { currentLocation } } }', { id: caseId }, tok.coordinator);
    expect(r.errors).toBeUndefined();
    const rows = await ds.query(`SELECT entity_type, fields FROM audit_entry WHERE operation = 'READ' AND entity_type IN ('Case', 'Child') ORDER BY seq DESC LIMIT 2`);
    expect(rows).toEqual(expect.arrayContaining([{ entity_type: 'Case', fields: ['deportationCircumstances'] }, { entity_type: 'Child', fields: ['currentLocation'] }]));
  });

  test('the application cannot UPDATE, DELETE or TRUNCATE audit entries, checkpoints or custody', async () => {
    await expect(ds.query(`UPDATE audit_entry SET operation = 'X' WHERE seq = 1`)).rejects.toThrow(/append-only/);
    await expect(ds.query('DELETE FROM audit_entry WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(ds.query('TRUNCATE audit_entry')).rejects.toThrow(/append-only/);
    await expect(ds.query('DELETE FROM audit_checkpoint')).rejects.toThrow(/append-only/);
    await expect(ds.query('UPDATE custody_event SET note = $1', ['x'])).rejects.toThrow(/append-only/);
    // Nor insert an entry that does not extend the head.
    await expect(ds.query(`INSERT INTO audit_entry (seq, at, operation, entity_type, entity_id, prev_hash, hash) VALUES (1000000, now(), 'X', 'Case', 'x', repeat('0', 64), repeat('0', 64))`)).rejects.toThrow(/does not extend/);
  });
});

describe('export for the court and fixity', () => {
  let incidentId: string;
  let bagPath: string;
  const original = Buffer.from('photo bytes of a deportation order');

  beforeAll(async () => {
    const inc = await t.gql(CREATE_INCIDENT, { i: { caseIds: [caseId], narrative: 'Bus from Kherson' } }, tok.investigator);
    incidentId = inc.data!.createIncident.id;
    const ev = await t.gql(CREATE_EVIDENCE, { i: { kind: 'PHOTO', title: 'Order', incidentIds: [incidentId] } }, tok.investigator);
    const r = await upload(t, ev.data!.createEvidenceItem.id, original, tok.investigator, { 'x-file-name': encodeURIComponent('наказ №1.jpg'), 'content-type': 'image/jpeg' });
    expect(r.status).toBe(201);
  });

  test('only investigators export', async () => {
    const r = await t.gql('mutation($i: ExportDossierInput!) { exportDossier(input: $i) { bagName } }', { i: { incidentId } }, tok.coordinator);
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await t.gql('mutation($i: ExportDossierInput!) { exportDossier(input: $i) { bagName } }', { i: { incidentId, caseIds: [caseId] } }, tok.investigator);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
  });

  test('exportDossier writes a BagIt bag that our verifier and an independent one accept, and is a custody event', async () => {
    // The case read together with another in one request: one batched READ entry (bkb-audit/2) lists both.
    const other = (await createCase(ds, { lead: await createOrg(ds) })).case.id;
    const both = await t.gql('query($a: ID!, $b: ID!) { a: case(id: $a) { deportationCircumstances } b: case(id: $b) { deportationCircumstances } }', { a: caseId, b: other }, tok.investigator);
    expect(both.errors).toBeUndefined();
    const r = await t.gql('mutation($i: ExportDossierInput!) { exportDossier(input: $i) { bagName path evidenceCount caseCount auditEntryCount payloadOxum checkpoint { size root } } }', { i: { incidentId } }, tok.investigator);
    expect(r.errors).toBeUndefined();
    const x = r.data!.exportDossier;
    // The item of the incident, and the earlier item about the same case.
    expect(x).toMatchObject({ evidenceCount: 2, caseCount: 1 });
    expect(x.auditEntryCount).toBeGreaterThan(3);
    bagPath = x.path;
    const { verifyBag } = jest.requireActual('../../src/audit/bagVerify') as typeof import('../../src/audit/bagVerify');
    const report = await verifyBag(bagPath, { trustedPublicKey: crypto.createPublicKey(fs.readFileSync(path.join(dir, 'audit-checkpoints', 'public-key.pem'))) });
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, originals: 2, auditEntries: x.auditEntryCount });
    // The batched entry is in the bag, found by the exported case's id inside its list.
    const exported = fs.readFileSync(path.join(bagPath, 'data', 'audit', 'entries.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(exported.filter((e) => e.entityIds)).toEqual([expect.objectContaining({ operation: 'READ', entityType: 'Case', entityId: '', entityIds: [caseId, other], fields: ['deportationCircumstances'] })]);
    // The records follow the investigator's permissions: no health notes.
    const caseFile = fs.readdirSync(path.join(bagPath, 'data', 'records', 'cases'))[0];
    const record = JSON.parse(fs.readFileSync(path.join(bagPath, 'data', 'records', 'cases', caseFile), 'utf8'));
    expect(record.case.deportationCircumstances).toBe('Taken from a school');
    expect(record.child).not.toHaveProperty('healthNotes');
    // The export is in the item's custody log.
    const custody = fs.readdirSync(path.join(bagPath, 'data', 'evidence')).map((id) => JSON.parse(fs.readFileSync(path.join(bagPath, 'data', 'evidence', id, 'custody.json'), 'utf8')));
    expect(custody[0].map((e: any) => e.kind)).toContain('EXPORTED');
  });

  test('an independent tool checks every manifest line (sha256sum -c)', () => {
    const { execFileSync } = jest.requireActual('node:child_process') as typeof import('node:child_process');
    execFileSync('sha256sum', ['--quiet', '--strict', '-c', 'manifest-sha256.txt'], { cwd: bagPath });
    execFileSync('sha256sum', ['--quiet', '--strict', '-c', 'tagmanifest-sha256.txt'], { cwd: bagPath });
  });

  locTest('the Library of Congress\'s bagit-python validator accepts the bag', () => {
    expect(locValidate(bagPath)).toEqual({ valid: true, errors: [] });
  });

  locTest('the Library of Congress\'s validator refuses a tampered bag: a changed original, a missing or an added payload file, a changed tag file', () => {
    const tampered = (name: string, change: (copy: string) => void) => {
      const copy = `${bagPath}-loc-${name}`;
      fs.cpSync(bagPath, copy, { recursive: true });
      change(copy);
      return locValidate(copy);
    };
    const original = (copy: string) => {
      const evId = fs.readdirSync(path.join(copy, 'data', 'evidence')).sort()[0];
      const dirOf = path.join(copy, 'data', 'evidence', evId, 'original');
      return path.join(dirOf, fs.readdirSync(dirOf)[0]);
    };
    // Same size, one byte changed: only the checksum can tell.
    const changed = tampered('changed', (copy) => {
      const f = original(copy);
      const bytes = fs.readFileSync(f);
      bytes[0] ^= 1;
      fs.chmodSync(f, 0o644);
      fs.writeFileSync(f, bytes);
    });
    expect(changed.valid).toBe(false);
    expect(changed.errors.join('\n')).toMatch(/data\/evidence\/[^ ]+\/original\/[^ ]+ sha256 validation failed/);
    const missing = tampered('missing', (copy) => fs.rmSync(original(copy)));
    expect(missing.valid).toBe(false);
    const added = tampered('added', (copy) => fs.writeFileSync(path.join(copy, 'data', 'records', 'extra.json'), '{}'));
    expect(added.valid).toBe(false);
    const info = tampered('info', (copy) => {
      const f = path.join(copy, 'bag-info.txt');
      fs.chmodSync(f, 0o644);
      fs.appendFileSync(f, 'Internal-Sender-Description: forged\n');
    });
    expect(info.valid).toBe(false);
    expect(info.errors.join('\n')).toMatch(/bag-info\.txt/);
  });

  test('bag:verify catches a changed original and a changed audit entry', async () => {
    const { verifyBag } = jest.requireActual('../../src/audit/bagVerify') as typeof import('../../src/audit/bagVerify');
    const copy = `${bagPath}-tampered`;
    fs.cpSync(bagPath, copy, { recursive: true });
    const evId = fs.readdirSync(path.join(copy, 'data', 'evidence'))[0];
    const origDir = path.join(copy, 'data', 'evidence', evId, 'original');
    const f = path.join(origDir, fs.readdirSync(origDir)[0]);
    fs.chmodSync(f, 0o644);
    fs.writeFileSync(f, 'forged');
    const lines = fs.readFileSync(path.join(copy, 'data', 'audit', 'entries.jsonl'), 'utf8').split('\n');
    lines[0] = lines[0].replace('"operation":"', '"operation":"X');
    // And a batched READ entry with a record dropped from its list.
    const batched = lines.findIndex((l) => l.includes('"entityIds":['));
    expect(batched).toBeGreaterThan(0);
    const e = JSON.parse(lines[batched]);
    lines[batched] = JSON.stringify({ ...e, entityIds: e.entityIds.slice(1) });
    fs.writeFileSync(path.join(copy, 'data', 'audit', 'entries.jsonl'), lines.join('\n'));
    const report = await verifyBag(copy);
    expect(report.problems).toContain(`audit entry ${e.seq}: its content does not give its hash`);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/original.*does not match its SHA-256/);
    expect(report.problems.join('\n')).toMatch(/audit entry \d+: its content does not give its hash/);
  });

  test('fixity re-hashes every original and reports a changed or missing file by item', async () => {
    const { runFixity } = jest.requireActual('../../src/services/evidence/fixity') as typeof import('../../src/services/evidence/fixity');
    const store = path.join(dir, 'evidence');
    // The suite's database also holds items of other test files, stored in their own directories: look at ours.
    const ours = <T extends { expected: string }>(failed: T[]) => failed.filter((f) => fs.existsSync(contentPath(store, f.expected)) || f.expected === sha);
    const sha = crypto.createHash('sha256').update(original).digest('hex');
    const ok = await runFixity(ds, t.app.deps.audit, store);
    expect(ours(ok.failed)).toEqual([]);
    expect(ok.checked).toBeGreaterThanOrEqual(2);
    const file = contentPath(store, sha);
    fs.renameSync(file, `${file}.moved`);
    try {
      const r = await runFixity(ds, t.app.deps.audit, store);
      const mine = ours(r.failed);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ problem: 'MISSING', expected: sha });
      const [row] = await ds.query(`SELECT ok, note FROM custody_event WHERE evidence_id = $1 AND kind = 'FIXITY_CHECKED' ORDER BY id DESC LIMIT 1`, [mine[0].evidenceId]);
      expect(row).toEqual({ ok: false, note: 'FAILED: file missing' });
    } finally {
      fs.renameSync(`${file}.moved`, file);
    }
  });
});
