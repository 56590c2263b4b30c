import type { DataSource } from 'typeorm';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCase, createOrg, createUser } from '../factories';
import { centreCoordinator, createCentre, createSpecialist, specialistUser } from '../factories/scheduling';
import { CREATE_EVIDENCE, CREATE_INCIDENT, download, upload } from '../factories/evidence';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';

/**
 * Who learns that evidence exists, through every path: list, count, single, nested (case, incident), federation
 * `_entities`, download, audit trail, export; and mutations refused with nothing written.
 * Case X is led by NGO "lead", shared FULL with "full" and SUMMARY with "summary". Incident I concerns X.
 * R: RESTRICTED, captured by the prosecutor. C: CONFIDENTIAL, captured by "lead". L: RESTRICTED, captured by "lead".
 */
let t: TestApp;
let ds: DataSource;
let dir: string;
const tok: Record<string, string | undefined> = {};
const id: Record<string, string> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-evperm-'));
  t = await startTestApp({ env: { DATA_DIR: dir, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' } });
  ds = t.app.deps.dataSource;
  const prosecutor = await createOrg(ds, OrganizationKind.PROSECUTOR);
  const lead = await createOrg(ds);
  const full = await createOrg(ds);
  const summary = await createOrg(ds);
  const crpc = await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR);
  const x = await createCase(ds, { lead, shares: [{ org: full, access: ShareAccess.FULL }, { org: summary, access: ShareAccess.SUMMARY }] });
  id.X = x.case.id;
  tok.investigator = (await createUser(t.app, prosecutor, [Role.INVESTIGATOR])).token;
  tok.coordinator = (await createUser(t.app, await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR])).token;
  tok.lead = (await createUser(t.app, lead, [Role.CASE_WORKER])).token;
  tok.full = (await createUser(t.app, full, [Role.CASE_WORKER])).token;
  tok.summary = (await createUser(t.app, summary, [Role.CASE_WORKER])).token;
  tok.other = (await createUser(t.app, await createOrg(ds), [Role.CASE_WORKER])).token;
  const centre = await createCentre(ds, { org: crpc });
  tok.centreCoordinator = (await centreCoordinator(t.app, [centre])).token;
  tok.specialist = (await specialistUser(t.app, centre, await createSpecialist(ds, centre))).token;
  tok.analyst = (await createUser(t.app, lead, [Role.ANALYST])).token;
  tok.orgAdmin = (await createUser(t.app, lead, [Role.ORG_ADMIN])).token;
  tok.anonymous = undefined;

  id.I = (await t.gql(CREATE_INCIDENT, { i: { caseIds: [id.X] } }, tok.investigator)).data!.createIncident.id;
  id.R = (await t.gql(CREATE_EVIDENCE, { i: { kind: 'VIDEO', title: 'R', incidentIds: [id.I], caseIds: [id.X] } }, tok.investigator)).data!.createEvidenceItem.id;
  id.C = (await t.gql(CREATE_EVIDENCE, { i: { kind: 'PHOTO', title: 'C', caseIds: [id.X], classification: 'CONFIDENTIAL' } }, tok.lead)).data!.createEvidenceItem.id;
  id.L = (await t.gql(CREATE_EVIDENCE, { i: { kind: 'AUDIO', title: 'L', caseIds: [id.X] } }, tok.lead)).data!.createEvidenceItem.id;
  expect((await upload(t, id.R, Buffer.from('R bytes'), tok.investigator)).status).toBe(201);
  expect((await upload(t, id.C, Buffer.from('C bytes'), tok.lead)).status).toBe(201);
  expect((await upload(t, id.L, Buffer.from('L bytes'), tok.lead)).status).toBe(201);
  // The incident links evidence of both organizations.
  await ds.query('INSERT INTO evidence_incident (evidence_id, incident_id) VALUES ($1, $3), ($2, $3)', [id.C, id.L, id.I]);
});
afterAll(async () => {
  await t?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ALL = ['R', 'C', 'L'];
const SEES: [string, string[], boolean, string[]][] = [
  // who, items seen, sees incident I, items whose content they may download
  ['investigator', ['R', 'C', 'L'], true, ['R', 'C', 'L']],
  ['coordinator', ['C'], true, []],
  ['lead', ['C', 'L'], false, ['C', 'L']],
  ['full', [], false, []],
  ['summary', [], false, []],
  ['other', [], false, []],
  ['centreCoordinator', [], false, []],
  ['specialist', [], false, []],
  ['analyst', [], false, []],
  ['orgAdmin', [], false, []],
];
const names = (ids: string[]) => ids.map((v) => Object.keys(id).find((k) => id[k] === v)).filter((k): k is string => ALL.includes(k!)).sort();

describe.each(SEES)('%s', (who, items, seesIncident, content) => {
  test('list and count', async () => {
    const r = await t.gql('{ evidenceItems(first: 100) { totalCount edges { node { id } } } incidents { totalCount edges { node { id } } } }', undefined, tok[who]);
    expect(r.errors).toBeUndefined();
    const mine = names(r.data!.evidenceItems.edges.map((e: any) => e.node.id));
    expect(mine).toEqual([...items].sort());
    // Counts see only what the list sees (items from other test files aside, this suite's data is its own database's only evidence).
    expect(r.data!.evidenceItems.totalCount).toBe(r.data!.evidenceItems.edges.length);
    expect(r.data!.incidents.edges.some((e: any) => e.node.id === id.I)).toBe(seesIncident);
    const filtered = await t.gql('query($c: ID!) { evidenceItems(filter: { caseId: $c }) { totalCount } }', { c: id.X }, tok[who]);
    expect(filtered.data!.evidenceItems.totalCount).toBe(items.length);
  });

  test('single and federation _entities', async () => {
    for (const k of ALL) {
      const single = await t.gql('query($id: ID!) { evidenceItem(id: $id) { id } }', { id: id[k] }, tok[who]);
      expect(single.data!.evidenceItem?.id ?? null).toBe(items.includes(k) ? id[k] : null);
      const ent = await t.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on EvidenceItem { id title } } }', { r: [{ __typename: 'EvidenceItem', id: id[k] }] }, tok[who]);
      expect(ent.data!._entities[0]?.id ?? null).toBe(items.includes(k) ? id[k] : null);
    }
    const inc = await t.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Incident { id } } }', { r: [{ __typename: 'Incident', id: id.I }] }, tok[who]);
    expect(inc.data!._entities[0]?.id ?? null).toBe(seesIncident ? id.I : null);
  });

  test('nested: a case\'s and an incident\'s evidence', async () => {
    const r = await t.gql('query($id: ID!) { case(id: $id) { evidence { id } incidents { id evidence { id } } } }', { id: id.X }, tok[who]);
    if (r.data?.case && r.data.case.evidence === null) {
      // A summary reader reads the case but not its evidence or incidents: null with FORBIDDEN, nothing listed.
      expect(r.data.case.incidents).toBeNull();
      expect(r.errors!.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      expect(items).toEqual([]);
    } else if (r.data?.case) {
      expect(names(r.data.case.evidence.map((e: any) => e.id))).toEqual([...items].sort());
      expect(r.data.case.incidents.map((i: any) => i.id)).toEqual(seesIncident ? [id.I] : []);
      for (const i of r.data.case.incidents) expect(names(i.evidence.map((e: any) => e.id))).toEqual([...items].sort());
    }
    if (seesIncident) {
      const i = await t.gql('query($id: ID!) { incident(id: $id) { evidence { id } cases { id } } }', { id: id.I }, tok[who]);
      expect(names(i.data!.incident.evidence.map((e: any) => e.id))).toEqual([...items].sort());
    }
  });

  test('download', async () => {
    for (const k of ALL) {
      const r = await download(t, id[k], tok[who]);
      const expected = content.includes(k) ? 200 : items.includes(k) ? 403 : 404;
      expect([k, r.status]).toEqual([k, expected]);
      if (expected === 200) expect(r.body.toString()).toBe(`${k} bytes`);
    }
  });

  test('audit trail', async () => {
    const r = await t.gql('query($e: String!) { auditTrail(filter: { entityType: "EvidenceItem", entityId: $e }) { edges { node { seq } } } }', { e: id.R }, tok[who]);
    if (['investigator', 'coordinator'].includes(who)) {
      expect(r.errors).toBeUndefined();
      // Entries about an item the reader may not see are not returned either.
      expect(r.data!.auditTrail.edges.length > 0).toBe(items.includes('R'));
    } else {
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });

  test('mutations the role may not make are refused with nothing written', async () => {
    const count = async () => (await ds.query('SELECT (SELECT count(*) FROM evidence_item) + (SELECT count(*) FROM incident) + (SELECT count(*) FROM custody_event) AS n'))[0].n;
    const before = await count();
    if (who !== 'investigator') {
      const r = await t.gql(CREATE_INCIDENT, { i: { caseIds: [id.X] } }, tok[who]);
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const x = await t.gql('mutation($i: ExportDossierInput!) { exportDossier(input: $i) { bagName } }', { i: { caseIds: [id.X] } }, tok[who]);
      expect(x.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    if (!['investigator', 'lead', 'full', 'summary', 'other'].includes(who)) {
      const r = await t.gql(CREATE_EVIDENCE, { i: { kind: 'OTHER', title: 'x' } }, tok[who]);
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    // Transfer an item held by another organization: not visible = NOT_FOUND, visible = FORBIDDEN.
    const target = who === 'lead' ? 'R' : 'C';
    const tr = await t.gql('mutation($i: TransferEvidenceInput!) { transferEvidence(input: $i) { id } }', { i: { evidenceId: id[target], toOrganizationId: (await ds.query('SELECT id FROM organization LIMIT 1'))[0].id } }, tok[who]);
    if (who !== 'lead' && who !== 'investigator') expect(tr.errors?.[0].extensions?.code).toBe(items.includes(target) ? 'FORBIDDEN' : 'NOT_FOUND');
    if (who === 'investigator' || who === 'lead') expect(tr.errors?.[0].extensions?.code).toMatch(/FORBIDDEN|NOT_FOUND/);
    // Nobody but the holder uploads: another original for an item is refused either way.
    const up = await upload(t, id.L, Buffer.from('replacement'), tok[who]);
    expect(up.status).toBe(who === 'anonymous' ? 401 : who === 'lead' ? 409 : items.includes('L') ? 403 : 404);
    expect(await count()).toBe(before);
  });
});

describe('a batched READ entry (bkb-audit/2) about evidence', () => {
  test('is in the trail only of a reader who may read every item it lists, with one ACCESSED event per item', async () => {
    // Entries after this mark that list R: other writers of this database (earlier files' hubs) may append meanwhile.
    const [{ mark }] = await ds.query('SELECT COALESCE(max(seq), 0)::text AS mark FROM audit_entry');
    const read = await t.gql('query($r: ID!, $c: ID!) { r: evidenceItem(id: $r) { description } c: evidenceItem(id: $c) { description } }', { r: id.R, c: id.C }, tok.investigator);
    expect(read.errors).toBeUndefined();
    const [entry] = await ds.query(
      `SELECT seq::text AS seq, entity_ids FROM audit_entry WHERE entity_type = 'EvidenceItem' AND entity_ids IS NOT NULL AND seq > $1 AND $2 = ANY(entity_ids) ORDER BY seq DESC LIMIT 1`,
      [mark, id.R],
    );
    expect([...entry.entity_ids].sort()).toEqual([id.R, id.C].sort());
    const q = 'query($e: String!) { auditTrail(filter: { entityType: "EvidenceItem", entityId: $e }) { edges { node { seq entityIds } } } }';
    const seqs = async (who: string) => (await t.gql(q, { e: id.C }, tok[who])).data!.auditTrail.edges.map((e: any) => e.node.seq);
    expect(await seqs('investigator')).toContain(entry.seq);
    // The coordinator may read C but not R: the entry would tell of R.
    const coordinator = await seqs('coordinator');
    expect(coordinator.length).toBeGreaterThan(0);
    expect(coordinator).not.toContain(entry.seq);
    const accessed = await ds.query(`SELECT evidence_id FROM custody_event WHERE kind = 'ACCESSED' AND evidence_id = ANY($1::uuid[]) AND note = 'read description'`, [[id.R, id.C]]);
    expect(accessed.map((a: { evidence_id: string }) => a.evidence_id).sort()).toEqual([id.R, id.C].sort());
  });
});

describe('anonymous', () => {
  test('gets nothing through GraphQL or the content endpoints', async () => {
    const r = await t.gql('{ evidenceItems { totalCount } }');
    expect(r.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const e = await t.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on EvidenceItem { id } } }', { r: [{ __typename: 'EvidenceItem', id: id.R }] });
    expect(e.data?._entities?.[0] ?? null).toBeNull();
    expect((await download(t, id.R, undefined)).status).toBe(401);
    expect((await upload(t, id.R, Buffer.from('x'), undefined)).status).toBe(401);
  });
});
