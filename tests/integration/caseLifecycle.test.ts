import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { verifyGuardian } from '../factories/returns';
import { randomStem } from '../helpers/identification';
import { startTestApp, type TestApp } from '../helpers/testApp';
import type { Organization } from '../../src/entities';
import { CaseStatus, Role } from '../../src/schema/enums';

let t: TestApp;
let ds: DataSource;
let org: Organization;
let token: string;

const CHANGE = `mutation($input: ChangeCaseStatusInput!) { changeCaseStatus(input: $input) { id status closeReason version events(first: 1) { edges { node { kind from to note } } } } }`;
const history = async (caseId: string) => ds.query('SELECT kind, from_status AS "from", to_status AS "to", note FROM case_event WHERE case_id = $1 ORDER BY id', [caseId]);

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  org = await createOrg(ds);
  token = (await createUser(t.app, org, [Role.CASE_WORKER])).token;
});
afterAll(async () => { await t.stop(); });

test('reportChild creates the child, guardians and a REPORTED case with its first event', async () => {
  const res = await t.gql(`mutation($input: ReportChildInput!) { reportChild(input: $input) {
      id status version leadOrganization { id } deportationDate
      child { givenName familyName patronymic latinName birthDate sex homeOblast languages guardians { relation name contact } }
      events { edges { node { kind from to } } } } }`, {
    input: {
      givenName: 'Софія', familyName: 'Коваленко', patronymic: 'Андріївна', sex: 'FEMALE', birthDate: '2013-09-01', homeOblast: 'Kherson',
      languages: ['uk', 'ru'], deportationDate: '2022-10-02', guardians: [{ relation: 'grandmother', name: 'Ганна Коваленко', contact: '+380 67 111 22 33' }],
    },
  }, token);
  expect(res.errors).toBeUndefined();
  const c = res.data!.reportChild;
  expect(c).toMatchObject({ status: 'REPORTED', version: 1, leadOrganization: { id: org.id }, deportationDate: '2022-10-02' });
  expect(c.child).toMatchObject({ givenName: 'Софія', latinName: 'Sofiia Andriivna Kovalenko', birthDate: '2013-09-01', languages: ['uk', 'ru'] });
  expect(c.child.guardians).toEqual([{ relation: 'grandmother', name: 'Ганна Коваленко', contact: '+380 67 111 22 33' }]);
  expect(c.events.edges.map((e: any) => e.node)).toEqual([{ kind: 'CREATED', from: null, to: 'REPORTED' }]);
});

test('the lifecycle moves forward, steps back where the world does, and every change is one event and one version', async () => {
  const { case: c } = await createCase(ds, { lead: org });
  let version = 1;
  for (const status of ['IDENTIFIED', 'LOCATED', 'IDENTIFIED', 'LOCATED', 'RETURN_IN_PROGRESS', 'LOCATED', 'RETURN_IN_PROGRESS', 'RETURNED', 'REINTEGRATION', 'AFTERCARE']) {
    // RETURNED needs a verified receiving guardian; AFTERCARE the plan's mandatory items done (see returnsFlow.test.ts).
    if (status === 'RETURNED') await verifyGuardian(ds, c);
    if (status === 'AFTERCARE') await ds.query(`UPDATE reintegration_item SET status = 'DONE' WHERE plan_id = (SELECT id FROM reintegration_plan WHERE case_id = $1)`, [c.id]);
    const res = await t.gql(CHANGE, { input: { caseId: c.id, status, expectedVersion: version, note: `to ${status}` } }, token);
    expect(res.errors).toBeUndefined();
    version += 1;
    expect(res.data!.changeCaseStatus).toMatchObject({ status, version });
    expect(res.data!.changeCaseStatus.events.edges[0].node).toMatchObject({ kind: 'STATUS_CHANGED', to: status, note: `to ${status}` });
  }
  expect((await history(c.id)).length).toBe(11);
});

test('a transition the lifecycle does not allow is INVALID_TRANSITION and writes nothing', async () => {
  const { case: c } = await createCase(ds, { lead: org });
  const res = await t.gql(CHANGE, { input: { caseId: c.id, status: 'RETURNED', expectedVersion: 1 } }, token);
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'REPORTED', to: 'RETURNED', allowed: ['IDENTIFIED', 'CLOSED'] });
  expect(await history(c.id)).toHaveLength(1);
  expect((await ds.query('SELECT version, status FROM case_file WHERE id = $1', [c.id]))[0]).toEqual({ version: 1, status: 'REPORTED' });
});

test('a stale version is CONFLICT and writes nothing; two racing writers: one wins', async () => {
  const { case: c } = await createCase(ds, { lead: org });
  const ok = await t.gql(CHANGE, { input: { caseId: c.id, status: 'IDENTIFIED', expectedVersion: 1 } }, token);
  expect(ok.data!.changeCaseStatus.version).toBe(2);
  const stale = await t.gql(CHANGE, { input: { caseId: c.id, status: 'CLOSED', closeReason: 'DUPLICATE', expectedVersion: 1 } }, token);
  expect(stale.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
  expect((await ds.query('SELECT status FROM case_file WHERE id = $1', [c.id]))[0].status).toBe('IDENTIFIED');
  const racing = await Promise.all([1, 2, 3, 4].map(() => t.gql(CHANGE, { input: { caseId: c.id, status: 'LOCATED', expectedVersion: 2 } }, token)));
  expect(racing.filter((r) => r.data?.changeCaseStatus).length).toBe(1);
  expect(racing.filter((r) => r.errors?.[0].extensions?.code === 'CONFLICT').length).toBe(3);
  expect(await history(c.id)).toHaveLength(3);
});

test('closing needs a reason; a closed case reopens where it was closed from', async () => {
  const { case: c } = await createCase(ds, { lead: org, status: CaseStatus.LOCATED });
  const noReason = await t.gql(CHANGE, { input: { caseId: c.id, status: 'CLOSED', expectedVersion: 1 } }, token);
  expect(noReason.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.closeReason' });
  const closed = await t.gql(CHANGE, { input: { caseId: c.id, status: 'CLOSED', closeReason: 'REUNITED', expectedVersion: 1 } }, token);
  expect(closed.data!.changeCaseStatus).toMatchObject({ status: 'CLOSED', closeReason: 'REUNITED', version: 2 });
  const wrong = await t.gql(CHANGE, { input: { caseId: c.id, status: 'AFTERCARE', expectedVersion: 2 } }, token);
  expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', allowed: ['LOCATED', 'REPORTED'] });
  const reopened = await t.gql(CHANGE, { input: { caseId: c.id, status: 'LOCATED', expectedVersion: 2 } }, token);
  expect(reopened.data!.changeCaseStatus).toMatchObject({ status: 'LOCATED', closeReason: null, version: 3 });
});

test('the history is append-only in the database itself', async () => {
  const { case: c } = await createCase(ds, { lead: org });
  await expect(ds.query('UPDATE case_event SET note = $2 WHERE case_id = $1', [c.id, 'rewritten'])).rejects.toThrow(/append-only/);
  await expect(ds.query('DELETE FROM case_event WHERE case_id = $1', [c.id])).rejects.toThrow(/append-only/);
});

test('updateCase and updateChild check the version and record the change', async () => {
  const { case: c, child } = await createCase(ds, { lead: org });
  const stem = randomStem(5);
  const upd = await t.gql(`mutation($input: UpdateCaseInput!) { updateCase(input: $input) { version priority lastKnownRegion } }`,
    { input: { caseId: c.id, expectedVersion: 1, priority: 'CRITICAL', lastKnownRegion: 'Rostov Oblast', note: 'new sighting' } }, token);
  expect(upd.data!.updateCase).toEqual({ version: 2, priority: 'CRITICAL', lastKnownRegion: 'Rostov Oblast' });
  expect((await history(c.id)).at(-1)).toEqual({ kind: 'UPDATED', from: 'REPORTED', to: 'REPORTED', note: 'new sighting' });
  const stale = await t.gql(`mutation($input: UpdateCaseInput!) { updateCase(input: $input) { version } }`, { input: { caseId: c.id, expectedVersion: 1, priority: 'LOW' } }, token);
  expect(stale.errors?.[0].extensions?.code).toBe('CONFLICT');
  const ch = await t.gql(`mutation($input: UpdateChildInput!) { updateChild(input: $input) { version aliases healthNotes } }`,
    { input: { childId: child.id, expectedVersion: 1, aliases: [`Софья ${stem}`], healthNotes: 'Needs glasses' } }, token);
  expect(ch.data!.updateChild).toEqual({ version: 2, aliases: [`Софья ${stem}`], healthNotes: 'Needs glasses' });
  // A surname of its own: name search also finds every Софія of the organization by the skeleton of Софья.
  const found = await t.gql(`query($q: String!) { cases(filter: { search: $q }) { totalCount } }`, { q: `Софья ${stem}` }, token);
  expect(found.data!.cases.totalCount).toBe(1);
});
