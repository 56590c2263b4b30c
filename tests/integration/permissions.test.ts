import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import type { Case, Organization } from '../../src/entities';
import { CaseStatus, OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';

/**
 * For each role: what it sees, and that it sees nothing else, through every path that reaches a case
 * (list, count, single, nested, batch load, federation _entities), and what it may change.
 */
let t: TestApp;
let ds: DataSource;
const tag = `Перм${crypto.randomBytes(3).toString('hex')}`;
let orgs: Record<'A' | 'B' | 'C' | 'D' | 'council' | 'prosecutor' | 'crpc' | 'bureau', Organization>;
let tokens: Record<string, string>;
let c1: Case; // led by A, FULL to B, SUMMARY to C
let c2: Case; // led by B
let c3: Case; // led by D

const CASES_Q = `query($search: String!) { cases(filter: { search: $search }, first: 50) { totalCount edges { node { id } } } }`;

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
  c1 = (await createCase(ds, { lead: orgs.A, familyName: `${tag}Один`, status: CaseStatus.LOCATED, shares: [{ org: orgs.B, access: ShareAccess.FULL }, { org: orgs.C, access: ShareAccess.SUMMARY }] })).case;
  c2 = (await createCase(ds, { lead: orgs.B, familyName: `${tag}Два` })).case;
  c3 = (await createCase(ds, { lead: orgs.D, familyName: `${tag}Три` })).case;
});
afterAll(async () => { await t.stop(); });

const EXPECTED: Record<string, string[]> = {
  coordinator: ['c1', 'c2', 'c3'],
  investigator: ['c1', 'c2', 'c3'],
  cwA: ['c1'],
  cwB: ['c1', 'c2'],
  cwC: ['c1'],
  cwD: ['c3'],
  centreCoordinator: [],
  specialist: [],
  analyst: [],
  orgAdmin: [],
};

const idsOf = (names: string[]) => names.map((n) => ({ c1, c2, c3 }[n as 'c1']!.id)).sort();

describe.each(Object.entries(EXPECTED))('%s', (user, visible) => {
  test('list and count show exactly the readable cases', async () => {
    const res = await t.gql(CASES_Q, { search: tag }, tokens[user]);
    expect(res.errors).toBeUndefined();
    expect(res.data!.cases.edges.map((e: any) => e.node.id).sort()).toEqual(idsOf(visible));
    expect(res.data!.cases.totalCount).toBe(visible.length);
  });

  test('single reads and one batched request return null for the rest', async () => {
    const res = await t.gql(`query($a: ID!, $b: ID!, $c: ID!) { a: case(id: $a) { id } b: case(id: $b) { id } c: case(id: $c) { id } }`, { a: c1.id, b: c2.id, c: c3.id }, tokens[user]);
    expect(res.errors).toBeUndefined();
    const got = ['a', 'b', 'c'].map((k, i) => (res.data![k] ? `c${i + 1}` : null)).filter(Boolean);
    expect(got).toEqual(visible);
  });

  test('children and nested paths show the same set', async () => {
    const children = await ds.query('SELECT id, child_id FROM case_file WHERE id = ANY($1)', [[c1.id, c2.id, c3.id]]);
    const childOf = (c: Case) => children.find((r: any) => r.id === c.id).child_id;
    const res = await t.gql(
      `query($a: ID!, $b: ID!, $c: ID!) { a: child(id: $a) { id case { id child { id } } } b: child(id: $b) { id case { id } } c: child(id: $c) { id case { id } } }`,
      { a: childOf(c1), b: childOf(c2), c: childOf(c3) }, tokens[user],
    );
    expect(res.errors).toBeUndefined();
    const got = ['a', 'b', 'c'].map((k, i) => (res.data![k] ? `c${i + 1}` : null)).filter(Boolean);
    expect(got).toEqual(visible);
    for (const k of ['a', 'b', 'c']) if (res.data![k]) expect(res.data![k].case).not.toBeNull();
  });

  test('federation _entities resolves only readable entities', async () => {
    const res = await t.gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Case { id status } } }`,
      { r: [c1, c2, c3].map((c) => ({ __typename: 'Case', id: c.id })) }, tokens[user],
    );
    expect(res.errors).toBeUndefined();
    const got = res.data!._entities.map((e: any, i: number) => (e ? `c${i + 1}` : null)).filter(Boolean);
    expect(got).toEqual(visible);
  });
});

test('without a token every path is UNAUTHENTICATED and _entities gives nothing', async () => {
  const list = await t.gql(CASES_Q, { search: tag });
  expect(list.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  expect(list.data).toBeNull();
  const single = await t.gql('query($id: ID!) { case(id: $id) { id } }', { id: c1.id });
  expect(single.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  const ent = await t.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Case { id } } }', { r: [{ __typename: 'Case', id: c1.id }] });
  expect(ent.data?._entities).toEqual([null]);
  const bad = await t.gql('{ me { id } }', undefined, 'not-a-token');
  expect(bad.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
});

describe('field rules', () => {
  const FULL_Q = `query($id: ID!) { case(id: $id) { id status deportationDate deportationCircumstances shares { access }
      child { givenName birthDate languages currentLocation healthNotes guardians { name contact } } } }`;
  const forbiddenPaths = (res: any) => (res.errors ?? []).filter((e: any) => e.extensions?.code === 'FORBIDDEN').map((e: any) => e.path.join('.')).sort();

  test('SUMMARY share: only the summary fields, FORBIDDEN at each other path', async () => {
    const res = await t.gql(FULL_Q, { id: c1.id }, tokens.cwC);
    expect(res.data!.case).toMatchObject({ id: c1.id, status: 'LOCATED', deportationDate: null, deportationCircumstances: null, shares: null });
    expect(res.data!.case.child).toMatchObject({ birthDate: '2014-05-01', languages: null, currentLocation: null, healthNotes: null, guardians: null });
    expect(forbiddenPaths(res)).toEqual([
      'case.child.currentLocation', 'case.child.guardians', 'case.child.healthNotes', 'case.child.languages',
      'case.deportationCircumstances', 'case.deportationDate', 'case.shares',
    ]);
  });

  test('FULL share and lead: everything, health included', async () => {
    for (const who of ['cwA', 'cwB']) {
      const res = await t.gql(FULL_Q, { id: c1.id }, tokens[who]);
      expect(res.errors).toBeUndefined();
      expect(res.data!.case.child.healthNotes).toBe('Asthma');
      expect(res.data!.case.child.guardians[0].contact).toMatch(/^\+380/);
      expect(res.data!.case.deportationCircumstances).toBe('Taken from a school');
    }
  });

  test('coordinator: everything but health notes', async () => {
    const res = await t.gql(FULL_Q, { id: c1.id }, tokens.coordinator);
    expect(forbiddenPaths(res)).toEqual(['case.child.healthNotes']);
    expect(res.data!.case.child.currentLocation).toBe('Rostov Oblast');
    expect(res.data!.case.child.guardians[0].contact).toMatch(/^\+380/);
  });

  test('investigator: deportation circumstances, but no health notes or guardian contacts', async () => {
    const res = await t.gql(FULL_Q, { id: c1.id }, tokens.investigator);
    expect(res.data!.case.deportationCircumstances).toBe('Taken from a school');
    expect(forbiddenPaths(res)).toEqual(['case.child.guardians.0.contact', 'case.child.healthNotes']);
  });

  test('field rules hold inside _entities too', async () => {
    const res = await t.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Child { id healthNotes } ... on Case { id deportationDate } } }`,
      { r: [{ __typename: 'Case', id: c1.id }] }, tokens.cwC);
    expect(res.data!._entities[0]).toEqual({ id: c1.id, deportationDate: null });
    expect(forbiddenPaths(res)).toEqual(['_entities.0.deportationDate']);
  });
});

describe('mutations are checked before anything is written', () => {
  const CHANGE = `mutation($input: ChangeCaseStatusInput!) { changeCaseStatus(input: $input) { id status version } }`;
  const state = async (id: string) => (await ds.query('SELECT c.version, c.status, (SELECT count(*)::int FROM case_event e WHERE e.case_id = c.id) AS events FROM case_file c WHERE c.id = $1', [id]))[0];

  test.each([
    ['cwC', 'FORBIDDEN'], ['cwD', 'NOT_FOUND'], ['investigator', 'FORBIDDEN'], ['analyst', 'NOT_FOUND'], ['centreCoordinator', 'NOT_FOUND'], ['orgAdmin', 'NOT_FOUND'],
  ])('%s may not change the status of a case it cannot work (%s)', async (who, code) => {
    const before = await state(c1.id);
    const res = await t.gql(CHANGE, { input: { caseId: c1.id, status: 'RETURN_IN_PROGRESS', expectedVersion: before.version } }, tokens[who]);
    expect(res.errors?.[0].extensions?.code).toBe(code);
    expect(await state(c1.id)).toEqual(before);
  });

  test('a FULL partner and the coordinator may change the status', async () => {
    const { case: c } = await createCase(ds, { lead: orgs.A, familyName: `${tag}Чотири`, shares: [{ org: orgs.B, access: ShareAccess.FULL }] });
    const r1 = await t.gql(CHANGE, { input: { caseId: c.id, status: 'IDENTIFIED', expectedVersion: 1 } }, tokens.cwB);
    expect(r1.data?.changeCaseStatus).toMatchObject({ status: 'IDENTIFIED', version: 2 });
    const r2 = await t.gql(CHANGE, { input: { caseId: c.id, status: 'LOCATED', expectedVersion: 2 } }, tokens.coordinator);
    expect(r2.data?.changeCaseStatus).toMatchObject({ status: 'LOCATED', version: 3 });
  });

  test('only the lead organization shares; nothing is written otherwise', async () => {
    const SHARE = `mutation($input: ShareCaseInput!) { shareCase(input: $input) { id shares { access organization { id } } } }`;
    const before = await state(c1.id);
    const denied = await t.gql(SHARE, { input: { caseId: c1.id, organizationId: orgs.D.id, access: 'FULL' } }, tokens.cwB);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await state(c1.id)).toEqual(before);
    const shares = await ds.query('SELECT count(*)::int AS n FROM case_share WHERE case_id = $1', [c1.id]);
    expect(shares[0].n).toBe(2);
  });

  test('sharing and unsharing changes who can read, and bumps the version', async () => {
    const { case: c } = await createCase(ds, { lead: orgs.A, familyName: `${tag}Пять` });
    const SHARE = `mutation($input: ShareCaseInput!) { shareCase(input: $input) { version shares { access createdAt organization { id } } } }`;
    const READ = `query($id: ID!) { case(id: $id) { id } }`;
    expect((await t.gql(READ, { id: c.id }, tokens.cwD)).data!.case).toBeNull();
    const shared = await t.gql(SHARE, { input: { caseId: c.id, organizationId: orgs.D.id, access: 'SUMMARY' } }, tokens.cwA);
    expect(shared.data!.shareCase).toEqual({ version: 2, shares: [{ access: 'SUMMARY', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), organization: { id: orgs.D.id } }] });
    expect((await t.gql(READ, { id: c.id }, tokens.cwD)).data!.case).toEqual({ id: c.id });
    const unshared = await t.gql(`mutation($input: UnshareCaseInput!) { unshareCase(input: $input) { version shares { access } } }`, { input: { caseId: c.id, organizationId: orgs.D.id } }, tokens.cwA);
    expect(unshared.data!.unshareCase).toEqual({ version: 3, shares: [] });
    expect((await t.gql(READ, { id: c.id }, tokens.cwD)).data!.case).toBeNull();
  });

  test('the coordinator may not edit a child; analysts may not report one', async () => {
    const child = (await ds.query('SELECT child_id FROM case_file WHERE id = $1', [c1.id]))[0].child_id;
    const upd = await t.gql(`mutation($input: UpdateChildInput!) { updateChild(input: $input) { id } }`, { input: { childId: child, expectedVersion: 1, givenName: 'Змінено' } }, tokens.coordinator);
    expect(upd.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const rep = await t.gql(`mutation($input: ReportChildInput!) { reportChild(input: $input) { id } }`, { input: { givenName: 'А', familyName: 'Б', sex: 'MALE', birthDate: '2015-01-01' } }, tokens.analyst);
    expect(rep.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
