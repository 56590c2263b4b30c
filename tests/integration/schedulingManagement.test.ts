import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { centreCoordinator, createCentre, createRoom, createSession, createSpecialist, placeChild, specialistUser } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import type { Centre, Organization } from '../../src/entities';
import { CHILD_SPECIALIST_FIELDS } from '../../src/auth/ability';
import { OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';

/**
 * Centre management cannot be used to reach records: a placement needs a referral, a login can only be
 * linked to a profile by its own organization's centres, care plans and availability stay inside one centre,
 * and a specialist reads only its field list of a child.
 */
let t: TestApp;
let ds: DataSource;
let crpc: Organization;
let ngo: Organization;
let A: Centre;
let B: Centre;
let ccA: string;

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  crpc = await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR);
  ngo = await createOrg(ds);
  A = await createCentre(ds, { org: crpc });
  B = await createCentre(ds, { org: crpc });
  ccA = (await centreCoordinator(t.app, [A, B])).token;
});
afterAll(async () => { await t.stop(); });

const PLACE = `mutation($i: CreatePlacementInput!) { createPlacement(input: $i) { id child { id healthNotes } } }`;
const READ = `query($id: ID!) { child(id: $id) { id healthNotes guardians { contact } } }`;

test('a child can be placed only after its case is referred to the centre operator; before, nothing is revealed or written', async () => {
  const { child, case: c } = await createCase(ds, { lead: ngo, healthNotes: 'Confidential' });
  const before = await t.gql(PLACE, { i: { childId: child.id, centreId: A.id, from: '2026-01-01' } }, ccA);
  expect(before.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  const absent = await t.gql(PLACE, { i: { childId: '00000000-0000-4000-8000-000000000000', centreId: A.id, from: '2026-01-01' } }, ccA);
  expect(absent.errors?.[0].message.replace(/\S+ was/, 'X was')).toBe(before.errors?.[0].message.replace(/\S+ was/, 'X was'));
  expect((await ds.query('SELECT count(*)::int AS n FROM placement WHERE child_id = $1', [child.id]))[0].n).toBe(0);
  expect((await t.gql(READ, { id: child.id }, ccA)).data!.child).toBeNull();

  await ds.query(`INSERT INTO case_share (case_id, organization_id, access) VALUES ($1, $2, 'SUMMARY')`, [c.id, crpc.id]);
  const placed = await t.gql(PLACE, { i: { childId: child.id, centreId: A.id, from: '2026-01-01' } }, ccA);
  expect(placed.errors).toBeUndefined();
  expect(placed.data!.createPlacement.child).toEqual({ id: child.id, healthNotes: 'Confidential' });
});

test('a login is linked to a specialist profile only by a centre of the same organization', async () => {
  const CREATE = `mutation($i: CreateSpecialistInput!) { createSpecialist(input: $i) { id } }`;
  const input = { centreId: A.id, name: 'Психолог', discipline: 'PSYCHOLOGIST', languages: ['uk'] };
  const stranger = await createUser(t.app, ngo, [Role.SPECIALIST]);
  const refused = await t.gql(CREATE, { i: { ...input, userId: stranger.user.id } }, ccA);
  expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.userId' });
  const nobody = await t.gql(CREATE, { i: { ...input, userId: '00000000-0000-4000-8000-000000000000' } }, ccA);
  expect(nobody.errors?.[0].message).toBe(refused.errors?.[0].message);
  expect((await ds.query('SELECT count(*)::int AS n FROM specialist WHERE user_id = $1', [stranger.user.id]))[0].n).toBe(0);
  const colleague = await createUser(t.app, crpc, [Role.SPECIALIST]);
  const ok = await t.gql(CREATE, { i: { ...input, userId: colleague.user.id } }, ccA);
  expect(ok.errors).toBeUndefined();
});

test('care plans and availability stay inside the centre they are written for', async () => {
  const { child } = await createCase(ds, { lead: ngo });
  await placeChild(ds, B, child);
  const plan = await t.gql(`mutation($i: SetCarePlanInput!) { setCarePlan(input: $i) { id } }`,
    { i: { childId: child.id, centreId: A.id, from: '2026-01-01', needs: [{ discipline: 'TEACHER', sessionsPerWeek: 2, minutes: 45 }] } }, ccA);
  expect(plan.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.childId' });
  const atB = await createSpecialist(ds, B);
  const avail = await t.gql(`mutation($i: AddAvailabilityInput!) { addAvailability(input: $i) { id } }`,
    { i: { specialistId: atB.id, centreId: A.id, recurrence: 'FREQ=WEEKLY;BYDAY=MO', dtstart: '2026-01-05T09:00', durationMinutes: 120 } }, ccA);
  expect(avail.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.specialistId' });
  expect((await ds.query('SELECT count(*)::int AS n FROM availability_rule WHERE specialist_id = $1 AND centre_id = $2', [atB.id, A.id]))[0].n).toBe(0);
});

test('a specialist reads only its field list of a child: every other field is FORBIDDEN', async () => {
  const { child } = await createCase(ds, { lead: ngo, homeOblast: 'Kherson' });
  await placeChild(ds, A, child);
  const s = await createSpecialist(ds, A);
  const room = await createRoom(ds, A);
  await createSession(ds, { centre: A, child, specialist: s, room, startsAt: new Date('2027-05-04T08:00:00Z') });
  // A specialist reads a child through its assignment (a session alone grants nothing).
  await ds.query('INSERT INTO assignment (child_id, centre_id, specialist_id, discipline) VALUES ($1, $2, $3, $4)', [child.id, A.id, s.id, s.discipline]);
  const token = (await specialistUser(t.app, A, s)).token;
  const type = await t.gql(`{ __type(name: "Child") { fields { name type { kind ofType { kind ofType { kind ofType { kind } } } } } } }`, undefined, token);
  const leafKind = (ty: any): string => (ty.ofType ? leafKind(ty.ofType) : ty.kind);
  const scalars = type.data!.__type.fields.filter((f: any) => ['SCALAR', 'ENUM'].includes(leafKind(f.type))).map((f: any) => f.name as string);
  const res = await t.gql(`query($id: ID!) { child(id: $id) { ${scalars.join(' ')} } }`, { id: child.id }, token);
  expect(res.data!.child.id).toBe(child.id);
  const forbidden = (res.errors ?? []).map((e: any) => e.path.at(-1)).sort();
  expect(forbidden).toEqual(scalars.filter((f: string) => !CHILD_SPECIALIST_FIELDS.includes(f)).sort());
  for (const f of forbidden) expect(res.data!.child[f]).toBeNull();
  expect(forbidden).toEqual(expect.arrayContaining(['homeOblast', 'aliases', 'healthNotes', 'currentLocation']));
});

test('SUMMARY share holders of the operator do not read cases through it', async () => {
  const { case: c } = await createCase(ds, { lead: ngo, shares: [{ org: crpc, access: ShareAccess.SUMMARY }] });
  expect((await t.gql('query($id: ID!) { case(id: $id) { id } }', { id: c.id }, ccA)).data!.case).toBeNull();
});

test('a booking conflict with a session at a centre the user cannot see says only BUSY_ELSEWHERE, with no id or detail', async () => {
  const BOOK = `mutation($i: BookSessionInput!) { bookSession(input: $i) { __typename ... on BookingConflicts { conflicts { reason with sessionId message } } } }`;
  const { child } = await createCase(ds, { lead: ngo });
  await placeChild(ds, A, child);
  await placeChild(ds, B, child);
  const [sA, rA, sB, rB] = [await createSpecialist(ds, A), await createRoom(ds, A), await createSpecialist(ds, B), await createRoom(ds, B)];
  const at = new Date(Date.now() + 30 * 86400000);
  at.setUTCHours(9, 0, 0, 0);
  const atB = await createSession(ds, { centre: B, child, specialist: sB, room: rB, startsAt: at });
  const onlyA = (await centreCoordinator(t.app, [A])).token;
  const input = { childId: child.id, specialistId: sA.id, roomId: rA.id, startsAt: at.toISOString(), durationMinutes: 50 };
  const foreign = await t.gql(BOOK, { i: input }, onlyA);
  expect(foreign.data!.bookSession.conflicts).toContainEqual({ reason: 'BUSY_ELSEWHERE', with: 'CHILD', sessionId: null, message: 'the child is busy elsewhere at that time' });
  expect(JSON.stringify(foreign.data)).not.toContain(atB.id);
  expect(foreign.data!.bookSession.conflicts.map((c: any) => c.reason)).not.toContain('CHILD_BUSY');
  // A coordinator of both centres may read the other session: it is named.
  const both = await t.gql(BOOK, { i: input }, ccA);
  expect(both.data!.bookSession.conflicts).toContainEqual(expect.objectContaining({ reason: 'CHILD_BUSY', with: 'CHILD', sessionId: atB.id }));
});

test('a centre coordinator reads a placed child only while the placement lasts', async () => {
  const iso = (days: number) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
  const READ_CHILD = `query($id: ID!) { child(id: $id) { id guardians { name } } }`;
  const ended = (await createCase(ds, { lead: ngo })).child;
  const current = (await createCase(ds, { lead: ngo })).child;
  const openEnded = (await createCase(ds, { lead: ngo })).child;
  await placeChild(ds, A, ended, { from: iso(-200), to: iso(-2) });
  await placeChild(ds, A, current, { from: iso(-200), to: iso(30) });
  await placeChild(ds, A, openEnded, { from: iso(-200), to: null });
  const onlyA = (await centreCoordinator(t.app, [A])).token;
  const res = await t.gql(`query($a: ID!, $b: ID!, $c: ID!) { a: child(id: $a) { id } b: child(id: $b) { id guardians { name } } c: child(id: $c) { id } }`,
    { a: ended.id, b: current.id, c: openEnded.id }, onlyA);
  expect(res.errors).toBeUndefined();
  expect(res.data).toEqual({ a: null, b: { id: current.id, guardians: [{ name: 'Мати' }] }, c: { id: openEnded.id } });
  const guardians = await t.gql(READ_CHILD, { id: ended.id }, onlyA);
  expect(guardians.data!.child).toBeNull();
  // The same rule, evaluated in memory on a field: the ended child's placement row is listed, its child is not readable.
  const centre = await t.gql(`query($id: ID!) { centre(id: $id) { placements { child { id } } } }`, { id: A.id }, onlyA);
  const seen = centre.data!.centre.placements.map((p: any) => p.child?.id ?? null);
  expect(seen).toContain(current.id);
  expect(seen).not.toContain(ended.id);
});
