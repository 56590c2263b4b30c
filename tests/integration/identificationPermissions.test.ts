import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { CONFIRM, IMPORT, REJECT, randomStem } from '../helpers/identification';
import { startTestApp, type TestApp } from '../helpers/testApp';
import type { Organization } from '../../src/entities';
import { OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';

/**
 * Traces and candidates, role by role, through every path: list and count, single reads, nested fields,
 * federation _entities, foundAt (the current-location rule) and the mutations (refused with nothing written).
 */
let t: TestApp;
let ds: DataSource;
let orgs: Record<'A' | 'B' | 'C' | 'D' | 'council' | 'prosecutor' | 'crpc' | 'bureau', Organization>;
let tokens: Record<string, string>;
let childA: string; // led by A, FULL to B, SUMMARY to C
let recordA: string;
let candA: string;
let candVersion: number;
const source = `Perm registry ${randomStem(6)}`; // unique across runs on a kept database

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  orgs = {
    A: await createOrg(ds), B: await createOrg(ds), C: await createOrg(ds), D: await createOrg(ds),
    council: await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), prosecutor: await createOrg(ds, OrganizationKind.PROSECUTOR),
    crpc: await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR), bureau: await createOrg(ds, OrganizationKind.GOVERNMENT_AGENCY),
  };
  const users: [string, Organization, Role[]][] = [
    ['cwA', orgs.A, [Role.CASE_WORKER]], ['cwB', orgs.B, [Role.CASE_WORKER]], ['cwC', orgs.C, [Role.CASE_WORKER]], ['cwD', orgs.D, [Role.CASE_WORKER]],
    ['coordinator', orgs.council, [Role.COORDINATOR]], ['investigator', orgs.prosecutor, [Role.INVESTIGATOR]],
    ['centreCoordinator', orgs.crpc, [Role.CENTRE_COORDINATOR]], ['specialist', orgs.crpc, [Role.SPECIALIST]],
    ['analyst', orgs.bureau, [Role.ANALYST]], ['orgAdmin', orgs.A, [Role.ORG_ADMIN]],
  ];
  tokens = {};
  for (const [name, org, roles] of users) tokens[name] = (await createUser(t.app, org, roles)).token;
  const stem = randomStem();
  const made = await createCase(ds, {
    lead: orgs.A, givenName: 'Олена', familyName: `${stem}енко`, shares: [{ org: orgs.B, access: ShareAccess.FULL }, { org: orgs.C, access: ShareAccess.SUMMARY }],
  });
  childA = made.child.id;
  // Another organization's case worker imports the trace: importing does not open it to them.
  const res = await t.gql(IMPORT, { input: { source, sourceKind: 'ADOPTION_REGISTRY', records: [
    { externalId: 'p1', givenName: 'Елена', familyName: `${stem}енко`, birthDate: '2014-05-01', sex: 'FEMALE', foundAt: 'Taganrog, family of K.', foundCountry: 'RU' },
  ] } }, tokens.cwD);
  expect(res.errors).toBeUndefined();
  // It was matched with A's child, which D may not read: the count D gets says nothing of it.
  expect(res.data!.importExternalRecords.candidates).toBe(0);
  const [row] = await ds.query(`SELECT m.id, m.version, m.external_record_id FROM match_candidate m WHERE m.child_id = $1`, [childA]);
  candA = row.id;
  candVersion = row.version;
  recordA = row.external_record_id;
});
afterAll(async () => { await t.stop(); });

// Who sees the candidate and the trace: council and prosecutors, the lead organization and its FULL partner.
const SEES: Record<string, boolean> = {
  coordinator: true, investigator: true, cwA: true, cwB: true, cwC: false, cwD: false,
  centreCoordinator: false, specialist: false, analyst: false, orgAdmin: false,
};

describe.each(Object.entries(SEES))('%s', (user, sees) => {
  test('lists and counts', async () => {
    const res = await t.gql(`query($id: ID!, $child: ID!, $src: String!) {
      matchCandidates(filter: { externalRecordId: $id, childId: $child }) { totalCount edges { node { id } } }
      externalRecords(filter: { source: $src }) { totalCount edges { node { id } } }
    }`, { id: recordA, child: childA, src: source }, tokens[user]);
    expect(res.errors).toBeUndefined();
    expect(res.data!.matchCandidates.totalCount).toBe(sees ? 1 : 0);
    expect(res.data!.matchCandidates.edges.map((e: any) => e.node.id)).toEqual(sees ? [candA] : []);
    expect(res.data!.externalRecords.totalCount).toBe(sees ? 1 : 0);
  });

  test('single reads, nested fields and foundAt', async () => {
    const res = await t.gql(`query($c: ID!, $r: ID!) {
      matchCandidate(id: $c) { id child { id } externalRecord { id foundAt } }
      externalRecord(id: $r) { id givenName foundAt linkedChild { id } }
    }`, { c: candA, r: recordA }, tokens[user]);
    if (!sees) {
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ matchCandidate: null, externalRecord: null });
      return;
    }
    expect(res.errors).toBeUndefined();
    expect(res.data!.matchCandidate).toMatchObject({ id: candA, child: { id: childA }, externalRecord: { id: recordA, foundAt: 'Taganrog, family of K.' } });
    expect(res.data!.externalRecord).toMatchObject({ id: recordA, givenName: 'Елена', foundAt: 'Taganrog, family of K.' });
  });

  test('federation _entities', async () => {
    const res = await t.gql(`query($reps: [_Any!]!) { _entities(representations: $reps) {
      ... on MatchCandidate { id band } ... on ExternalRecord { id familyName } } }`,
    { reps: [{ __typename: 'MatchCandidate', id: candA }, { __typename: 'ExternalRecord', id: recordA }] }, tokens[user]);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities.map((e: any) => e?.id ?? null)).toEqual(sees ? [candA, recordA] : [null, null]);
  });
});

test('anonymous: UNAUTHENTICATED on every identification path', async () => {
  for (const q of [
    `{ matchCandidates { totalCount } }`, `{ externalRecords { totalCount } }`,
    `mutation { importExternalRecords(input: { source: "x", sourceKind: TIP, records: [{ externalId: "1", familyName: "X" }] }) { imported } }`,
  ]) {
    const res = await t.gql(q);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  }
  const ent = await t.gql(`query($reps: [_Any!]!) { _entities(representations: $reps) { ... on ExternalRecord { id } } }`, { reps: [{ __typename: 'ExternalRecord', id: recordA }] });
  expect(ent.data?._entities ?? [null]).toEqual([null]);
});

test('foundAt follows the current-location rule: a reader who may not see where a child is gets FORBIDDEN', async () => {
  // A case whose current location its FULL partner reads; then a second role on the same user cannot widen it.
  const res = await t.gql(`query($r: ID!) { externalRecord(id: $r) { id foundAt } }`, { r: recordA }, tokens.cwB);
  expect(res.data!.externalRecord.foundAt).toBe('Taganrog, family of K.');
  // The SUMMARY partner cannot read the child's current location, and does not reach the trace at all.
  const child = await t.gql(`query($id: ID!) { child(id: $id) { id currentLocation } }`, { id: childA }, tokens.cwC);
  expect(child.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const rec = await t.gql(`query($r: ID!) { externalRecord(id: $r) { id foundAt } }`, { r: recordA }, tokens.cwC);
  expect(rec.data!.externalRecord).toBeNull();
});

test('only case workers import; nothing is written for the others', async () => {
  for (const user of ['coordinator', 'investigator', 'centreCoordinator', 'specialist', 'analyst', 'orgAdmin']) {
    const src = `Refused ${user} ${randomStem(2)}`;
    const res = await t.gql(IMPORT, { input: { source: src, sourceKind: 'TIP', records: [{ externalId: '1', familyName: 'Петренко' }] } }, tokens[user]);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM external_record WHERE source = $1', [src]);
    expect(n).toBe(0);
  }
});

test('deciding needs update rights on the case: others get NOT_FOUND or FORBIDDEN and nothing changes', async () => {
  const expected: Record<string, string> = {
    coordinator: 'FORBIDDEN', investigator: 'FORBIDDEN', cwC: 'NOT_FOUND', cwD: 'NOT_FOUND',
    centreCoordinator: 'NOT_FOUND', specialist: 'NOT_FOUND', analyst: 'NOT_FOUND', orgAdmin: 'NOT_FOUND',
  };
  for (const [user, code] of Object.entries(expected)) {
    for (const m of [CONFIRM, REJECT]) {
      const res = await t.gql(m, { input: { id: candA, expectedVersion: candVersion } }, tokens[user]);
      expect([user, res.errors?.[0].extensions?.code]).toEqual([user, code]);
    }
  }
  const [row] = await ds.query('SELECT status, version FROM match_candidate WHERE id = $1', [candA]);
  expect(row).toEqual({ status: 'OPEN', version: candVersion });
  const [rec] = await ds.query('SELECT linked_child_id FROM external_record WHERE id = $1', [recordA]);
  expect(rec.linked_child_id).toBeNull();
  // doNotMatch: the SUMMARY partner may not set it, nor read it.
  const caseQ = await t.gql(`query($id: ID!) { child(id: $id) { case { id version doNotMatch } } }`, { id: childA }, tokens.cwC);
  expect(caseQ.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const c = caseQ.data!.child.case;
  const set = await t.gql(`mutation($i: SetDoNotMatchInput!) { setCaseDoNotMatch(input: $i) { id } }`, { i: { caseId: c.id, doNotMatch: true, expectedVersion: c.version } }, tokens.cwC);
  expect(set.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  // The FULL partner may decide.
  const ok = await t.gql(REJECT, { input: { id: candA, expectedVersion: candVersion, note: 'not her' } }, tokens.cwB);
  expect(ok.data!.rejectMatch.status).toBe('REJECTED');
});

test("a confirm moves Child.version and updatedAt only for readers of the trace's spelling: a SUMMARY partner sees nothing change", async () => {
  // The confirm adds the trace's spelling to the child's aliases, which a SUMMARY partner reads without it. Its version
  // counted that change of the aliases column: it went up at the moment a match was confirmed (the event it is not sent).
  const stem = randomStem(5);
  const made = await createCase(ds, {
    lead: orgs.A, givenName: 'Олена', familyName: `${stem}енко`,
    shares: [{ org: orgs.C, access: ShareAccess.SUMMARY }],
  });
  const src = `Stamp registry ${randomStem(6)}`;
  const imported = await t.gql(IMPORT, { input: { source: src, sourceKind: 'ADOPTION_REGISTRY', records: [
    { externalId: 's1', givenName: 'Елена', familyName: `${stem}енко`, birthDate: '2014-05-01', sex: 'FEMALE' },
  ] } }, tokens.cwA);
  expect(imported.errors).toBeUndefined();
  const [cand] = await ds.query(
    'SELECT m.id, m.version FROM match_candidate m JOIN external_record r ON r.id = m.external_record_id WHERE m.child_id = $1 AND r.source = $2', [made.child.id, src]);
  const read = async (user: string) => {
    const res = await t.gql(`query($id: ID!) { child(id: $id) { version updatedAt aliases } }`, { id: made.child.id }, tokens[user]);
    expect(res.errors).toBeUndefined();
    return res.data!.child as { version: number; updatedAt: string; aliases: string[] };
  };
  const before = { cwC: await read('cwC'), coordinator: await read('coordinator') };
  const ok = await t.gql(CONFIRM, { input: { id: cand.id, expectedVersion: cand.version } }, tokens.cwA);
  expect(ok.data?.confirmMatch.status).toBe('CONFIRMED');
  const spelling = `Елена ${stem}енко`;
  expect((await read('cwA')).aliases).toContain(spelling);
  // The SUMMARY partner: the same aliases, version and update time as before.
  expect(await read('cwC')).toEqual(before.cwC);
  // The council reads the spelling (and the candidates): for it the change shows.
  const council = await read('coordinator');
  expect(council.aliases).toEqual([...before.coordinator.aliases, spelling]);
  expect(council.version).toBe(before.coordinator.version + 1);
  // A later edit of the aliases by the lead (a spelling the family gave) moves the partner's version as before.
  const lead = await t.gql(`query($id: ID!) { child(id: $id) { version aliases } }`, { id: made.child.id }, tokens.cwA);
  const upd = await t.gql(`mutation($i: UpdateChildInput!) { updateChild(input: $i) { id } }`, { i: {
    childId: made.child.id, expectedVersion: lead.data!.child.version, aliases: [...lead.data!.child.aliases, 'Оленка'] } }, tokens.cwA);
  expect(upd.errors).toBeUndefined();
  const after = await read('cwC');
  expect(after.aliases).toEqual(['Оленка']);
  expect(after.version).toBe(before.cwC.version + 1);
});
