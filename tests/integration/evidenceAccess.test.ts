import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { OrganizationKind, Role } from '../../src/schema/enums';

/**
 * ACCESSED custody: reading an evidence item's sensitive details (description, source, capture facts, custody
 * log) through GraphQL is a custody event and a READ audit entry, committed before the response; lists of
 * kind/title/classification record nothing; a user who may not read the item records nothing and learns nothing.
 */
let t: TestApp;
let ds: DataSource;
let dir: string;
const u: Record<string, { id: string; organizationId: string; token: string }> = {};
let restricted: string;
let confidential: string;

const ITEM = 'query($id: ID!) { evidenceItem(id: $id) { id description source capturedBy custody { kind } } }';

async function as(name: string, roles: Role[], kind: OrganizationKind) {
  const org = await createOrg(ds, kind);
  const { user, token } = await createUser(t.app, org, roles);
  u[name] = { id: user.id, organizationId: org.id, token };
}

async function accessed(itemId: string): Promise<{ actor_id: string; organization_id: string; note: string }[]> {
  return ds.query(`SELECT actor_id, organization_id, note FROM custody_event WHERE evidence_id = $1 AND kind = 'ACCESSED' ORDER BY id`, [itemId]);
}

async function reads(itemId: string): Promise<{ actor_id: string; fields: string[] }[]> {
  return ds.query(`SELECT actor_id, fields FROM audit_entry WHERE entity_type = 'EvidenceItem' AND entity_id = $1 AND operation = 'READ' ORDER BY seq`, [itemId]);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-evidence-access-'));
  t = await startTestApp({ env: { DATA_DIR: dir, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0' } });
  ds = t.app.deps.dataSource;
  await as('investigator', [Role.INVESTIGATOR], OrganizationKind.PROSECUTOR);
  await as('investigator2', [Role.INVESTIGATOR], OrganizationKind.PROSECUTOR);
  await as('coordinator', [Role.COORDINATOR], OrganizationKind.COORDINATION_COUNCIL);
  await as('caseWorker', [Role.CASE_WORKER], OrganizationKind.NGO);
  await as('analyst', [Role.ANALYST], OrganizationKind.COORDINATION_COUNCIL);
  await as('orgAdmin', [Role.ORG_ADMIN], OrganizationKind.PROSECUTOR);
  const create = 'mutation($i: CreateEvidenceItemInput!) { createEvidenceItem(input: $i) { id } }';
  const a = await t.gql(create, { i: { kind: 'TESTIMONY_TRANSCRIPT', title: 'Statement A', description: 'what the witness saw', source: 'interview', capturedBy: 'Officer K' } }, u.investigator.token);
  const b = await t.gql(create, { i: { kind: 'PHOTO', title: 'Photo B', description: 'bus at the border', classification: 'CONFIDENTIAL' } }, u.investigator.token);
  expect(a.errors).toBeUndefined();
  expect(b.errors).toBeUndefined();
  restricted = a.data!.createEvidenceItem.id;
  confidential = b.data!.createEvidenceItem.id;
});
afterAll(async () => {
  await t?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('creating an item and listing items by kind, title and classification record no ACCESSED event', async () => {
  const list = await t.gql('{ evidenceItems(first: 50) { totalCount edges { node { id kind title classification sha256 } } } }', {}, u.investigator2.token);
  expect(list.errors).toBeUndefined();
  expect(list.data!.evidenceItems.edges.map((e: any) => e.node.id)).toEqual(expect.arrayContaining([restricted, confidential]));
  expect(await accessed(restricted)).toEqual([]);
  expect(await accessed(confidential)).toEqual([]);
  expect(await reads(restricted)).toEqual([]);
});

test('reading an item\'s details is one ACCESSED event and one READ entry per item and request, committed before the response', async () => {
  const r = await t.gql(ITEM, { id: restricted }, u.investigator2.token);
  expect(r.errors).toBeUndefined();
  expect(r.data!.evidenceItem).toMatchObject({ id: restricted, description: 'what the witness saw', source: 'interview', capturedBy: 'Officer K' });
  // The response is sent after the group commit: both rows are there when it arrives.
  expect(await accessed(restricted)).toEqual([{ actor_id: u.investigator2.id, organization_id: u.investigator2.organizationId, note: 'read capturedBy, custody, description, source' }]);
  expect(await reads(restricted)).toEqual([{ actor_id: u.investigator2.id, fields: ['capturedBy', 'custody', 'description', 'source'] }]);
  // The same read again is a new event; the custody log now shows the first one.
  const again = await t.gql('query($id: ID!) { evidenceItem(id: $id) { custody { kind actorId } } }', { id: restricted }, u.investigator2.token);
  expect(again.data!.evidenceItem.custody).toEqual([{ kind: 'CAPTURED', actorId: u.investigator.id }, { kind: 'ACCESSED', actorId: u.investigator2.id }]);
  expect((await accessed(restricted)).map((e) => e.note)).toEqual(['read capturedBy, custody, description, source', 'read custody']);
});

test('details read through a list are recorded per item, the rest of the list is not', async () => {
  const before = (await accessed(confidential)).length;
  const beforeRestricted = (await accessed(restricted)).length;
  const r = await t.gql('{ evidenceItems(first: 50) { edges { node { id title description } } } }', {}, u.coordinator.token);
  expect(r.errors).toBeUndefined();
  // The council reads CONFIDENTIAL items only: the RESTRICTED one is not in its list and not accessed.
  const ids = r.data!.evidenceItems.edges.map((e: any) => e.node.id);
  expect(ids).toContain(confidential);
  expect(ids).not.toContain(restricted);
  expect(await accessed(confidential)).toHaveLength(before + 1);
  expect((await accessed(confidential)).at(-1)).toEqual({ actor_id: u.coordinator.id, organization_id: u.coordinator.organizationId, note: 'read description' });
  expect(await accessed(restricted)).toHaveLength(beforeRestricted);
});

test('a user who may not read the item records nothing and learns nothing', async () => {
  const custodyBefore = await ds.query('SELECT count(*)::int AS n FROM custody_event');
  const auditBefore = await ds.query('SELECT count(*)::int AS n FROM audit_entry');
  for (const name of ['caseWorker', 'analyst', 'orgAdmin', 'coordinator']) {
    const r = await t.gql(ITEM, { id: restricted }, u[name].token);
    // Null, as for an id that does not exist: no FORBIDDEN that would tell the item is there.
    expect(r.data?.evidenceItem ?? null).toBeNull();
    expect(JSON.stringify(r.errors ?? [])).not.toContain('FORBIDDEN');
    const missing = await t.gql(ITEM, { id: '00000000-0000-4000-8000-000000000000' }, u[name].token);
    expect({ data: missing.data, errors: missing.errors }).toEqual({ data: r.data, errors: r.errors });
  }
  expect(await ds.query('SELECT count(*)::int AS n FROM custody_event')).toEqual(custodyBefore);
  expect(await ds.query('SELECT count(*)::int AS n FROM audit_entry')).toEqual(auditBefore);
});
