import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { centreCoordinator, createCentre, createRoom, createSession, createSpecialist, placeChild, specialistUser } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import type { Case, Centre, Child, Room, Session, Specialist } from '../../src/entities';
import { OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';

/**
 * Who sees and changes what on the rehabilitation side, through every path: list, single, nested, mutation.
 * Centre A: specialists S1 (a user) and S2; child X (assigned to S1) and Y (with S2). Centre B: child Z.
 */
let t: TestApp;
let ds: DataSource;
let A: Centre;
let B: Centre;
let roomA: Room;
let S1: Specialist;
let S2: Specialist;
let X: Child;
let Y: Child;
let caseX: Case;
let sX: Session;
let sY: Session;
let sZ: Session;
const tok: Record<string, string> = {};

const WEEK = { from: '2027-05-03T00:00:00.000Z', to: '2027-05-10T00:00:00.000Z' };
const SESSIONS = `query($c: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { sessions(centreId: $c, from: $from, to: $to) { id status child { id } notes } }`;
const SCHEDULE = `query($s: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { specialistSchedule(specialistId: $s, from: $from, to: $to) { id notes } }`;

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  const crpc = await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR);
  A = await createCentre(ds, { org: crpc });
  B = await createCentre(ds, { org: crpc });
  roomA = await createRoom(ds, A);
  const roomB = await createRoom(ds, B);
  S1 = await createSpecialist(ds, A);
  S2 = await createSpecialist(ds, A);
  const SB = await createSpecialist(ds, B);
  const lead = await createOrg(ds);
  // Each child is referred to the centres' operator (shared with it), as a placement requires.
  const referral = [{ org: crpc, access: ShareAccess.SUMMARY }];
  const x = await createCase(ds, { lead, deportationCircumstances: 'Taken from a school', shares: referral });
  X = x.child;
  caseX = x.case;
  Y = (await createCase(ds, { lead, shares: referral })).child;
  const Z = (await createCase(ds, { lead, shares: referral })).child;
  await placeChild(ds, A, X);
  await placeChild(ds, A, Y);
  await placeChild(ds, B, Z);
  await ds.query('INSERT INTO assignment (child_id, centre_id, specialist_id, discipline) VALUES ($1, $2, $3, $5), ($4, $2, $6, $5)', [X.id, A.id, S1.id, Y.id, 'PSYCHOLOGIST', S2.id]);
  sX = await createSession(ds, { centre: A, child: X, specialist: S1, room: roomA, startsAt: new Date('2027-05-04T08:00:00Z'), notes: 'X talked about home' });
  sY = await createSession(ds, { centre: A, child: Y, specialist: S2, room: roomA, startsAt: new Date('2027-05-04T10:00:00Z'), notes: 'Y drew a house' });
  sZ = await createSession(ds, { centre: B, child: Z, specialist: SB, room: roomB, startsAt: new Date('2027-05-04T08:00:00Z'), notes: 'Z' });
  tok.ccA = (await centreCoordinator(t.app, [A])).token;
  tok.ccB = (await centreCoordinator(t.app, [B])).token;
  tok.s1 = (await specialistUser(t.app, A, S1)).token;
  tok.unlinkedSpecialist = (await createUser(t.app, crpc, [Role.SPECIALIST])).token;
  tok.coordinator = (await createUser(t.app, await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR])).token;
  tok.caseWorker = (await createUser(t.app, lead, [Role.CASE_WORKER])).token;
  tok.investigator = (await createUser(t.app, await createOrg(ds, OrganizationKind.PROSECUTOR), [Role.INVESTIGATOR])).token;
  tok.analyst = (await createUser(t.app, await createOrg(ds), [Role.ANALYST])).token;
  tok.orgAdmin = (await createUser(t.app, crpc, [Role.ORG_ADMIN])).token;
});
afterAll(async () => { await t.stop(); });

const ours = (ids: string[]) => ids.filter((id) => [A.id, B.id].includes(id)).sort();

describe('centres: list, single, nested', () => {
  test.each([
    ['ccA', ['A']], ['ccB', ['B']], ['s1', ['A']], ['coordinator', ['A', 'B']],
    ['unlinkedSpecialist', []], ['caseWorker', []], ['investigator', []], ['analyst', []], ['orgAdmin', []],
  ])('%s sees %j', async (who, expected) => {
    const ids = expected.map((k) => (k === 'A' ? A.id : B.id)).sort();
    const list = await t.gql('{ centres { id } }', undefined, tok[who]);
    expect(list.errors).toBeUndefined();
    expect(ours(list.data?.centres.map((c: any) => c.id))).toEqual(ids);
    const single = await t.gql('query($id: ID!) { centre(id: $id) { id } }', { id: A.id }, tok[who]);
    expect(single.data?.centre?.id ?? null).toBe(ids.includes(A.id) ? A.id : null);
  });

  test('nested: the centre coordinator sees its placements and care plans with the children; the specialist only its own children', async () => {
    const Q = `query($id: ID!) { centre(id: $id) { rooms { id } specialists { id } placements { child { id givenName } } carePlans { child { id } needs { discipline } } } }`;
    const cc = (await t.gql(Q, { id: A.id }, tok.ccA)).data?.centre;
    expect(cc.placements.map((p: any) => p.child.id).sort()).toEqual([X.id, Y.id].sort());
    expect(cc.carePlans).toHaveLength(2);
    expect(cc.specialists.map((s: any) => s.id).sort()).toEqual([S1.id, S2.id].sort());
    const sp = (await t.gql(Q, { id: A.id }, tok.s1)).data?.centre;
    expect(sp.rooms).toHaveLength(1);
    expect(sp.specialists.map((s: any) => s.id)).toEqual([S1.id]);
    expect(sp.placements).toEqual([]);
    expect(sp.carePlans.map((c: any) => c.child.id)).toEqual([X.id]);
  });
});

describe('children', () => {
  const CHILD = '{ id givenName languages healthNotes currentLocation guardians { name } case { id deportationCircumstances } carePlans { needs { discipline } } }';
  test('the centre coordinator reads children placed at its centre, with health but not location, case or deportation', async () => {
    const res = await t.gql(`query($id: ID!) { child(id: $id) ${CHILD} }`, { id: X.id }, tok.ccA);
    expect(res.data?.child).toMatchObject({ id: X.id, languages: ['uk'], healthNotes: 'Asthma', currentLocation: null, case: null, guardians: [{ name: 'Мати' }] });
    expect(res.errors?.map((e) => e.path?.join('.'))).toEqual(['child.currentLocation']);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql('query($id: ID!) { case(id: $id) { id } }', { id: caseX.id }, tok.ccA)).data?.case).toBeNull();
    expect((await t.gql('query($id: ID!) { child(id: $id) { id } }', { id: X.id }, tok.ccB)).data?.child).toBeNull();
  });

  test('the specialist reads its assigned child: name, age, languages, care plan; nothing else', async () => {
    const res = await t.gql(`query($id: ID!) { child(id: $id) ${CHILD} }`, { id: X.id }, tok.s1);
    expect(res.data?.child).toMatchObject({ id: X.id, languages: ['uk'], healthNotes: null, currentLocation: null, guardians: null, case: null, carePlans: [{ needs: [{ discipline: 'PSYCHOLOGIST' }] }] });
    expect(res.errors?.map((e) => e.path?.join('.')).sort()).toEqual(['child.currentLocation', 'child.guardians', 'child.healthNotes']);
    expect((await t.gql('query($id: ID!) { child(id: $id) { id } }', { id: Y.id }, tok.s1)).data?.child).toBeNull();
  });
});

describe('sessions and notes', () => {
  test('the centre coordinator lists its centre sessions without notes; nothing of another centre', async () => {
    const res = await t.gql(SESSIONS, { c: A.id, ...WEEK }, tok.ccA);
    expect(res.data?.sessions.map((s: any) => s.id).sort()).toEqual([sX.id, sY.id].sort());
    expect(res.data?.sessions.every((s: any) => s.notes === null)).toBe(true);
    expect(res.errors?.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.at(-1) === 'notes')).toBe(true);
    expect((await t.gql(SESSIONS, { c: B.id, ...WEEK }, tok.ccA)).data?.sessions).toEqual([]);
  });

  test('the council coordinator reads every schedule, never the notes', async () => {
    const res = await t.gql(SESSIONS, { c: A.id, ...WEEK }, tok.coordinator);
    expect(res.data?.sessions).toHaveLength(2);
    expect(res.errors).toHaveLength(2);
    const z = await t.gql(SCHEDULE, { s: sZ.specialistId, ...WEEK }, tok.coordinator);
    expect(z.data?.specialistSchedule).toEqual([{ id: sZ.id, notes: null }]);
  });

  test('the specialist reads and writes its own sessions and notes, nothing of a colleague', async () => {
    const own = await t.gql(SESSIONS, { c: A.id, ...WEEK }, tok.s1);
    expect(own.errors).toBeUndefined();
    expect(own.data?.sessions).toEqual([{ id: sX.id, status: 'SCHEDULED', child: { id: X.id }, notes: 'X talked about home' }]);
    expect((await t.gql(SCHEDULE, { s: S2.id, ...WEEK }, tok.s1)).data?.specialistSchedule).toEqual([]);
    const NOTES = 'mutation($id: ID!, $n: String) { updateSessionNotes(id: $id, notes: $n) { id notes } }';
    expect((await t.gql(NOTES, { id: sX.id, n: 'Better today' }, tok.s1)).data?.updateSessionNotes.notes).toBe('Better today');
    expect((await t.gql(NOTES, { id: sY.id, n: 'x' }, tok.s1)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(NOTES, { id: sX.id, n: 'x' }, tok.ccA)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(NOTES, { id: sX.id, n: 'x' }, tok.coordinator)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const [{ notes }] = await ds.query('SELECT notes FROM session WHERE id = $1', [sX.id]);
    expect(notes).toBe('Better today');
  });

  test.each(['caseWorker', 'investigator', 'analyst', 'orgAdmin', 'unlinkedSpecialist', 'ccB'])('%s sees no session of centre A by any path', async (who) => {
    expect((await t.gql(SESSIONS, { c: A.id, ...WEEK }, tok[who])).data?.sessions).toEqual([]);
    expect((await t.gql(SCHEDULE, { s: S1.id, ...WEEK }, tok[who])).data?.specialistSchedule).toEqual([]);
    expect((await t.gql('query($c: ID!) { specialists(centreId: $c) { id } }', { c: A.id }, tok[who])).data?.specialists).toEqual([]);
  });
});

describe('mutations check before writing', () => {
  const BOOK = `mutation($input: BookSessionInput!) { bookSession(input: $input) { __typename } }`;
  const input = () => ({ childId: Y.id, specialistId: S2.id, roomId: roomA.id, startsAt: '2027-05-05T08:00:00.000Z', durationMinutes: 50 });
  test.each([
    ['ccB', 'NOT_FOUND'], ['caseWorker', 'NOT_FOUND'], ['s1', 'FORBIDDEN'], ['coordinator', 'FORBIDDEN'], ['analyst', 'NOT_FOUND'],
  ])('bookSession at centre A by %s: %s, nothing written', async (who, code) => {
    const res = await t.gql(BOOK, { input: input() }, tok[who]);
    expect(res.errors?.[0].extensions?.code).toBe(code);
    expect(Number((await ds.query(`SELECT count(*) AS n FROM session WHERE child_id = $1`, [Y.id]))[0].n)).toBe(1);
  });

  test.each([
    ['ccB', 'NOT_FOUND'], ['s1', 'FORBIDDEN'], ['coordinator', 'FORBIDDEN'], ['caseWorker', 'NOT_FOUND'],
  ])('cancel and reschedule by %s: %s, nothing changed', async (who, code) => {
    expect((await t.gql('mutation($id: ID!) { cancelSession(id: $id, scope: THIS) { id } }', { id: sX.id }, tok[who])).errors?.[0].extensions?.code).toBe(code);
    expect((await t.gql('mutation($id: ID!) { rescheduleSession(id: $id, startsAt: "2027-05-06T08:00:00Z", scope: THIS) { __typename } }', { id: sX.id }, tok[who])).errors?.[0].extensions?.code).toBe(code);
    const [{ status, starts_at }] = await ds.query('SELECT status, starts_at FROM session WHERE id = $1', [sX.id]);
    expect([status, new Date(starts_at).toISOString()]).toEqual(['SCHEDULED', '2027-05-04T08:00:00.000Z']);
  });

  test.each([['ccB', 'NOT_FOUND'], ['coordinator', 'FORBIDDEN'], ['s1', 'FORBIDDEN'], ['caseWorker', 'NOT_FOUND']])('proposeSchedule for centre A by %s: %s', async (who, code) => {
    const res = await t.gql('mutation($c: ID!) { proposeSchedule(input: { centreId: $c, from: "2027-05-03T00:00:00Z", to: "2027-05-10T00:00:00Z" }) { id } }', { c: A.id }, tok[who]);
    expect(res.errors?.[0].extensions?.code).toBe(code);
  });

  test('applyScheduleProposal of centre A by another centre: NOT_FOUND, nothing written', async () => {
    const p = await t.gql('mutation($c: ID!) { proposeSchedule(input: { centreId: $c, from: "2027-06-07T00:00:00Z", to: "2027-06-14T00:00:00Z", timeLimitMs: 200 }) { id sessions { startsAt } } }', { c: A.id }, tok.ccA);
    expect(p.data?.proposeSchedule.sessions.length).toBeGreaterThan(0);
    const res = await t.gql('mutation($id: ID!) { applyScheduleProposal(id: $id) { proposalId } }', { id: p.data?.proposeSchedule.id }, tok.ccB);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(Number((await ds.query(`SELECT count(*) AS n FROM session WHERE centre_id = $1 AND starts_at >= '2027-06-07'`, [A.id]))[0].n)).toBe(0);
  });

  test('freeSlots and management of centre A by others', async () => {
    const FREE = 'query($c: ID!) { freeSlots(centreId: $c, discipline: PSYCHOLOGIST, from: "2027-05-03T00:00:00Z", to: "2027-05-04T00:00:00Z", durationMinutes: 50) { startsAt } }';
    expect((await t.gql(FREE, { c: A.id }, tok.caseWorker)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(FREE, { c: A.id }, tok.ccA)).data?.freeSlots.length).toBeGreaterThan(0);
    const ROOM = 'mutation($c: ID!) { createRoom(input: { centreId: $c, name: "Extra", kind: "THERAPY" }) { id } }';
    expect((await t.gql(ROOM, { c: A.id }, tok.ccB)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(ROOM, { c: A.id }, tok.coordinator)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(ROOM, { c: A.id }, tok.ccA)).data?.createRoom.id).toBeDefined();
  });
});
