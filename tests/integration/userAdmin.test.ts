import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { onAccessChanged } from '../../src/auth/accessChanges';
import { OrganizationKind, Role } from '../../src/schema/enums';
import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';

/**
 * setUserRoles / setUserActive: ORG_ADMIN of the user's own organization only, within the roles its kind of
 * organization may grant, never on themselves; one transaction with an audit entry; the user's next request
 * runs with the new rights; every other caller gets FORBIDDEN, NOT_FOUND or UNAUTHENTICATED and changes nothing.
 */
let t: TestApp;
let ds: DataSource;
type Who = { id: string; organizationId: string; token: string };
const u: Record<string, Who> = {};
let ngo: Awaited<ReturnType<typeof createOrg>>;
let caseId: string;
const changed: string[] = [];
let unsubscribe: () => void;

const SET_ROLES = 'mutation($u: ID!, $r: [Role!]!) { setUserRoles(userId: $u, roles: $r) { id roles active organization { id } } }';
const SET_ACTIVE = 'mutation($u: ID!, $a: Boolean!) { setUserActive(userId: $u, active: $a) { id roles active } }';
const READ_CASE = 'query($id: ID!) { case(id: $id) { id } }';

async function user(name: string, org: Awaited<ReturnType<typeof createOrg>>, roles: Role[]) {
  const { user: row, token } = await createUser(t.app, org, roles);
  u[name] = { id: row.id, organizationId: org.id, token };
}

async function auditOf(userId: string): Promise<{ operation: string; fields: string[]; actor_id: string; values_hash: string | null }[]> {
  return ds.query(`SELECT operation, fields, actor_id, values_hash FROM audit_entry WHERE entity_type = 'User' AND entity_id = $1 ORDER BY seq`, [userId]);
}

async function rolesOf(userId: string): Promise<{ roles: string[]; active: boolean }> {
  const [r] = await ds.query('SELECT roles::text[] AS roles, active FROM app_user WHERE id = $1', [userId]);
  return r;
}

const code = (r: { errors?: { extensions?: Record<string, any> }[] }) => r.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  ngo = await createOrg(ds, OrganizationKind.NGO);
  const otherNgo = await createOrg(ds, OrganizationKind.NGO);
  caseId = (await createCase(ds, { lead: ngo })).case.id;
  await user('admin', ngo, [Role.ORG_ADMIN]);
  await user('admin2', ngo, [Role.ORG_ADMIN]);
  await user('worker', ngo, [Role.CASE_WORKER]);
  await user('target', ngo, [Role.CASE_WORKER]);
  await user('colleague', ngo, [Role.CASE_WORKER]);
  await user('otherAdmin', otherNgo, [Role.ORG_ADMIN]);
  await user('investigator', await createOrg(ds, OrganizationKind.PROSECUTOR), [Role.INVESTIGATOR]);
  await user('coordinator', await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR]);
  unsubscribe = onAccessChanged((id) => changed.push(id));
});
afterAll(async () => {
  unsubscribe?.();
  await t?.stop();
});

test('an org admin replaces a user\'s roles: one audit entry without the values, and the user\'s next request has the new rights', async () => {
  expect((await t.gql(READ_CASE, { id: caseId }, u.target.token)).data!.case).toEqual({ id: caseId });
  changed.length = 0;
  const listen = new Client({ connectionString: process.env.BKB_TEST_DB_URL });
  await listen.connect();
  const notices: string[] = [];
  listen.on('notification', (n) => { if (n.channel === 'bkb_access_changed') notices.push(n.payload ?? ''); });
  await listen.query('LISTEN bkb_access_changed');
  try {
    const r = await t.gql(SET_ROLES, { u: u.target.id, r: ['ANALYST', 'ANALYST'] }, u.admin.token);
    expect(r.errors).toBeUndefined();
    expect(r.data!.setUserRoles).toEqual({ id: u.target.id, roles: ['ANALYST'], active: true, organization: { id: ngo.id } });
    expect(await rolesOf(u.target.id)).toEqual({ roles: ['ANALYST'], active: true });
    const entries = await auditOf(u.target.id);
    expect(entries).toEqual([{ operation: 'SET_ROLES', fields: ['roles'], actor_id: u.admin.id, values_hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    // Same token, next request: the analyst reads no case.
    const after = await t.gql(READ_CASE, { id: caseId }, u.target.token);
    expect(after.data?.case ?? null).toBeNull();
    // This instance's listeners were told after commit, and other instances through NOTIFY.
    expect(changed).toEqual([u.target.id]);
    for (let i = 0; i < 50 && notices.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(notices).toEqual([u.target.id]);
  } finally {
    await listen.end();
  }
  // Back to case work: the case is readable again on the next request.
  const back = await t.gql(SET_ROLES, { u: u.target.id, r: ['CASE_WORKER'] }, u.admin.token);
  expect(back.data!.setUserRoles.roles).toEqual(['CASE_WORKER']);
  expect((await t.gql(READ_CASE, { id: caseId }, u.target.token)).data!.case).toEqual({ id: caseId });
  expect((await auditOf(u.target.id)).map((e) => e.operation)).toEqual(['SET_ROLES', 'SET_ROLES']);
  // Setting the roles the user already has changes nothing and records nothing.
  changed.length = 0;
  expect((await t.gql(SET_ROLES, { u: u.target.id, r: ['CASE_WORKER'] }, u.admin.token)).errors).toBeUndefined();
  expect(await auditOf(u.target.id)).toHaveLength(2);
  expect(changed).toEqual([]);
});

test('roles outside what the organization\'s kind may grant, and one\'s own roles, are refused and nothing is written', async () => {
  changed.length = 0;
  const before = await auditOf(u.target.id);
  for (const roles of [['INVESTIGATOR'], ['CASE_WORKER', 'COORDINATOR'], ['SPECIALIST']]) {
    const r = await t.gql(SET_ROLES, { u: u.target.id, r: roles }, u.admin.token);
    expect(code(r)).toBe('FORBIDDEN');
    expect(r.errors![0].extensions!.roles).toEqual(roles.filter((x) => x !== 'CASE_WORKER'));
  }
  const self = await t.gql(SET_ROLES, { u: u.admin.id, r: ['ORG_ADMIN', 'CASE_WORKER'] }, u.admin.token);
  expect(code(self)).toBe('FORBIDDEN');
  expect(await rolesOf(u.target.id)).toEqual({ roles: ['CASE_WORKER'], active: true });
  expect(await rolesOf(u.admin.id)).toEqual({ roles: ['ORG_ADMIN'], active: true });
  expect(await auditOf(u.target.id)).toEqual(before);
  expect(await auditOf(u.admin.id)).toEqual([]);
  expect(changed).toEqual([]);
  // Another admin of the same organization may change the first one's roles.
  const peer = await t.gql(SET_ROLES, { u: u.admin2.id, r: ['ORG_ADMIN', 'ANALYST'] }, u.admin.token);
  expect(peer.data!.setUserRoles.roles).toEqual(['ANALYST', 'ORG_ADMIN']);
});

test('deactivation: the user\'s token stops working at its next request; reactivation restores them; nobody deactivates themselves', async () => {
  const r = await t.gql(SET_ACTIVE, { u: u.colleague.id, a: false }, u.admin.token);
  expect(r.errors).toBeUndefined();
  expect(r.data!.setUserActive).toEqual({ id: u.colleague.id, roles: ['CASE_WORKER'], active: false });
  const next = await t.gql(READ_CASE, { id: caseId }, u.colleague.token);
  expect(code(next)).toBe('UNAUTHENTICATED');
  expect((await auditOf(u.colleague.id)).map((e) => [e.operation, e.fields])).toEqual([['SET_ACTIVE', ['active']]]);
  const again = await t.gql(SET_ACTIVE, { u: u.colleague.id, a: true }, u.admin.token);
  expect(again.data!.setUserActive.active).toBe(true);
  expect((await t.gql(READ_CASE, { id: caseId }, u.colleague.token)).data!.case).toEqual({ id: caseId });
  expect((await auditOf(u.colleague.id)).map((e) => e.operation)).toEqual(['SET_ACTIVE', 'SET_ACTIVE']);

  const self = await t.gql(SET_ACTIVE, { u: u.admin.id, a: false }, u.admin.token);
  expect(code(self)).toBe('FORBIDDEN');
  expect(await rolesOf(u.admin.id)).toEqual({ roles: ['ORG_ADMIN'], active: true });
  expect(await auditOf(u.admin.id)).toEqual([]);
});

test('other roles get FORBIDDEN, other organizations\' admins NOT_FOUND (as for no such user), and nothing changes', async () => {
  const before = { roles: await rolesOf(u.target.id), audit: await auditOf(u.target.id) };
  for (const name of ['worker', 'investigator', 'coordinator']) {
    expect(code(await t.gql(SET_ROLES, { u: u.target.id, r: ['ANALYST'] }, u[name].token))).toBe('FORBIDDEN');
    expect(code(await t.gql(SET_ACTIVE, { u: u.target.id, a: false }, u[name].token))).toBe('FORBIDDEN');
  }
  const foreign = await t.gql(SET_ROLES, { u: u.target.id, r: ['ANALYST'] }, u.otherAdmin.token);
  const missing = await t.gql(SET_ROLES, { u: '00000000-0000-4000-8000-000000000000', r: ['ANALYST'] }, u.otherAdmin.token);
  expect(code(foreign)).toBe('NOT_FOUND');
  expect(foreign.errors![0].message).toBe(missing.errors![0].message.replace('00000000-0000-4000-8000-000000000000', u.target.id));
  expect(code(await t.gql(SET_ACTIVE, { u: u.target.id, a: false }, u.otherAdmin.token))).toBe('NOT_FOUND');
  expect(code(await t.gql(SET_ROLES, { u: u.target.id, r: ['ANALYST'] }))).toBe('UNAUTHENTICATED');
  expect(code(await t.gql(SET_ACTIVE, { u: 'not-an-id', a: false }, u.admin.token))).toBe('BAD_USER_INPUT');
  expect(code(await t.gql(SET_ROLES, { u: u.target.id, r: ['EMPEROR'] }, u.admin.token))).toBe('BAD_USER_INPUT');
  expect({ roles: await rolesOf(u.target.id), audit: await auditOf(u.target.id) }).toEqual(before);
});
