import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { centreCoordinator, createCentre, createRoom, createSession, createSpecialist, placeChild, specialistUser } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import type { Case, Child, Organization } from '../../src/entities';
import { CaseStatus, OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';

/**
 * Issue 8, point 2: a reader of only some fields (a SUMMARY partner; the council, which does not read health
 * data) must not learn that something hidden changed. `version`, `updatedAt` and everything else it sees stay
 * the same when a hidden field or the share list changes, and move when a field it may read changes. Writers
 * keep the stored version (they send it back as expectedVersion).
 */
let t: TestApp;
let ds: DataSource;
let lead: Organization;
let partner: Organization;
let other: Organization;
let tokens: Record<'lead' | 'partner' | 'coordinator', string>;
let c: Case;
let child: Child;

const VIEW = `query($id: ID!) { case(id: $id) {
  id status closeReason version priority createdAt updatedAt leadOrganization { id name }
  child { id givenName familyName patronymic latinName aliases birthDate birthDatePrecision sex homeOblast version createdAt updatedAt }
} }`;
const LIST = `query($search: String!) { cases(filter: { search: $search }, first: 10) { totalCount edges { cursor node { id version updatedAt child { version updatedAt } } } } }`;
const VERSIONS = `query($id: ID!) { case(id: $id) { version updatedAt child { id version updatedAt } } }`;
const UPDATE_CASE = `mutation($i: UpdateCaseInput!) { updateCase(input: $i) { version } }`;
const UPDATE_CHILD = `mutation($i: UpdateChildInput!) { updateChild(input: $i) { version } }`;
const SHARE = `mutation($i: ShareCaseInput!) { shareCase(input: $i) { version } }`;
const UNSHARE = `mutation($i: UnshareCaseInput!) { unshareCase(input: $i) { version } }`;
const STATUS = `mutation($i: ChangeCaseStatusInput!) { changeCaseStatus(input: $i) { version status } }`;

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  lead = await createOrg(ds);
  partner = await createOrg(ds);
  other = await createOrg(ds);
  const council = await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL);
  tokens = {
    lead: (await createUser(t.app, lead, [Role.CASE_WORKER])).token,
    partner: (await createUser(t.app, partner, [Role.CASE_WORKER])).token,
    coordinator: (await createUser(t.app, council, [Role.COORDINATOR])).token,
  };
});
// Each test works on a case of its own.
beforeEach(async () => {
  ({ case: c, child } = await createCase(ds, { lead, familyName: `Версія${Date.now()}`, status: CaseStatus.IDENTIFIED, shares: [{ org: partner, access: ShareAccess.SUMMARY }] }));
});
afterAll(async () => { await t.stop(); });

/** What the lead (a writer) reads: the stored versions, which it sends back. */
async function stored() {
  const r = await t.gql(VERSIONS, { id: c.id }, tokens.lead);
  expect(r.errors).toBeUndefined();
  return { caseVersion: r.data!.case.version as number, childVersion: r.data!.case.child.version as number };
}

/** Everything the SUMMARY partner sees of the case, single and in a list (no FORBIDDEN expected on these fields). */
async function partnerView() {
  const single = await t.gql(VIEW, { id: c.id }, tokens.partner);
  expect(single.errors).toBeUndefined();
  const list = await t.gql(LIST, { search: child.familyName }, tokens.partner);
  expect(list.errors).toBeUndefined();
  return { single: single.data, list: list.data };
}

async function ok(query: string, i: Record<string, unknown>, token = tokens.lead) {
  const r = await t.gql(query, { i }, token);
  expect(r.errors).toBeUndefined();
  return r.data!;
}

test('hidden edits and share changes move nothing a SUMMARY partner sees; a summary field moves version and updatedAt', async () => {
  const before = await partnerView();
  expect(before.single!.case.version).toBe(1);
  const writerBefore = await stored();

  // Hidden fields of the case, of the child, and the share list: the writer's version moves at each step.
  let v = writerBefore.caseVersion;
  await ok(UPDATE_CASE, { caseId: c.id, expectedVersion: v++, deportationCircumstances: 'Moved to a camp in Crimea', lastKnownRegion: 'Crimea' });
  await ok(UPDATE_CHILD, { childId: child.id, expectedVersion: writerBefore.childVersion, healthNotes: 'Needs an inhaler', currentLocation: 'Yevpatoria', placeOfBirth: 'Oleshky', languages: ['uk', 'ru'] });
  await ok(SHARE, { caseId: c.id, organizationId: other.id, access: ShareAccess.FULL });
  v++;
  await ok(UNSHARE, { caseId: c.id, organizationId: other.id });
  v++;
  const writerAfter = await stored();
  expect(writerAfter).toEqual({ caseVersion: v, childVersion: writerBefore.childVersion + 1 });

  expect(await partnerView()).toEqual(before);

  // A field the partner reads: the case's priority, then its status, then the child's name.
  await ok(UPDATE_CASE, { caseId: c.id, expectedVersion: v++, priority: 'HIGH' });
  const afterPriority = await partnerView();
  expect(afterPriority.single!.case.version).toBe(2);
  expect(new Date(afterPriority.single!.case.updatedAt).getTime()).toBeGreaterThan(new Date(before.single!.case.updatedAt).getTime());
  expect(afterPriority.single!.case.child).toEqual(before.single!.case.child);

  await ok(STATUS, { caseId: c.id, expectedVersion: v++, status: CaseStatus.LOCATED });
  expect((await partnerView()).single!.case.version).toBe(3);

  await ok(UPDATE_CHILD, { childId: child.id, expectedVersion: writerAfter.childVersion, givenName: 'Оксана' });
  const afterName = (await partnerView()).single!.case.child;
  expect(afterName.version).toBe(2);
  expect(new Date(afterName.updatedAt).getTime()).toBeGreaterThan(new Date(before.single!.case.child.updatedAt).getTime());
  // The list shows the same numbers as the single read.
  const listed = (await partnerView()).list!.cases.edges[0].node;
  expect(listed).toMatchObject({ version: 3, child: { version: 2 } });
});

test('the partner cannot write, so its number is never an expected version; the writer\'s stored one works', async () => {
  await ok(UPDATE_CASE, { caseId: c.id, expectedVersion: 1, deportedFrom: 'Nova Kakhovka' });
  const seen = (await t.gql(VERSIONS, { id: c.id }, tokens.partner)).data!.case.version;
  const refused = await t.gql(UPDATE_CASE, { i: { caseId: c.id, expectedVersion: seen, priority: 'LOW' } }, tokens.partner);
  expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const { caseVersion } = await stored();
  expect(caseVersion).not.toBe(seen);
  await ok(UPDATE_CASE, { caseId: c.id, expectedVersion: caseVersion, priority: 'LOW' });
});

test('the council reads the stored case version (it changes statuses with it) but not health-note edits through the child\'s', async () => {
  await ok(UPDATE_CHILD, { childId: child.id, expectedVersion: 1, currentLocation: 'Anapa' });
  const before = (await t.gql(VERSIONS, { id: c.id }, tokens.coordinator)).data!.case;
  const writer = await stored();
  expect(before.version).toBe(writer.caseVersion);
  // The council reads the current location, not the health notes: the child's number is its own.
  expect(before.child.version).toBe(2);
  expect(writer.childVersion).toBe(2);
  await ok(UPDATE_CHILD, { childId: child.id, expectedVersion: writer.childVersion, healthNotes: 'Asthma, controlled' });
  const after = (await t.gql(VERSIONS, { id: c.id }, tokens.coordinator)).data!.case;
  expect(after.child).toEqual(before.child);
  expect((await stored()).childVersion).toBe(3);
  await ok(STATUS, { caseId: c.id, expectedVersion: after.version, status: CaseStatus.LOCATED }, tokens.coordinator);
});

describe('sessions: the council and the centre coordinator do not read notes, nor learn when they were written', () => {
  const SESSIONS = `query($c: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { sessions(centreId: $c, from: $from, to: $to) { id status startsAt updatedAt } }`;
  const NOTES = `mutation($id: ID!, $notes: String) { updateSessionNotes(id: $id, notes: $notes) { id notes updatedAt } }`;
  const COMPLETE = `mutation($id: ID!) { completeSession(id: $id) { id status } }`;

  test('notes move nothing they see; a status change moves updatedAt; the specialist sees its own writes', async () => {
    const operator = await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR);
    const centre = await createCentre(ds, { org: operator });
    const room = await createRoom(ds, centre);
    const specialist = await createSpecialist(ds, centre);
    const kid = (await createCase(ds, { lead })).child;
    await placeChild(ds, centre, kid);
    const startsAt = new Date(Date.now() - 2 * 3600_000);
    const session = await createSession(ds, { centre, child: kid, specialist, room, startsAt });
    const cc = (await centreCoordinator(t.app, [centre])).token;
    const own = (await specialistUser(t.app, centre, specialist)).token;
    const window = { c: centre.id, from: new Date(startsAt.getTime() - 3600_000).toISOString(), to: new Date(startsAt.getTime() + 3600_000).toISOString() };
    const seen = async (token: string) => {
      const r = await t.gql(SESSIONS, window, token);
      expect(r.errors).toBeUndefined();
      return r.data!.sessions;
    };
    const before = { council: await seen(tokens.coordinator), centre: await seen(cc) };
    expect(before.council).toHaveLength(1);

    const wrote = await t.gql(NOTES, { id: session.id, notes: 'Talked about home; first drawing of the family' }, own);
    expect(wrote.errors).toBeUndefined();
    expect(new Date(wrote.data!.updateSessionNotes.updatedAt).getTime()).toBeGreaterThan(new Date(before.council[0].updatedAt).getTime());
    expect({ council: await seen(tokens.coordinator), centre: await seen(cc) }).toEqual(before);

    const done = await t.gql(COMPLETE, { id: session.id }, cc);
    expect(done.errors).toBeUndefined();
    const after = await seen(tokens.coordinator);
    expect(after[0].status).toBe('COMPLETED');
    expect(new Date(after[0].updatedAt).getTime()).toBeGreaterThan(new Date(before.council[0].updatedAt).getTime());
  });
});
