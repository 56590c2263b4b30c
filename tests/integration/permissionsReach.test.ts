import type { DataSource } from 'typeorm';
import { contextFor } from '../../src/context';
import type { Centre, Child, Room, Specialist } from '../../src/entities';
import { OrganizationKind, Role, SessionStatus, ShareAccess } from '../../src/schema/enums';
import { CaseService } from '../../src/services/CaseService';
import { createCase, createOrg, createUser } from '../factories';
import { centreCoordinator, createCentre, createRoom, createSession, createSpecialist, placeChild, specialistUser } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';

/**
 * How centre staff reach a child, and when that ends (issue 8, items 1, 10 and 14): a placement needs the
 * referral to stand; a specialist reads a child only through a standing assignment at a centre the child is
 * placed at today, and only the documented fields.
 */
let t: TestApp;
let ds: DataSource;
let crpc: Awaited<ReturnType<typeof createOrg>>;
let A: Centre;
let room: Room;
beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  crpc = await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR);
  A = await createCentre(ds, { org: crpc });
  room = await createRoom(ds, A);
});
afterAll(async () => { await t.stop(); });

const CHILD = 'query($id: ID!) { child(id: $id) { id healthNotes guardians { contact } } }';
const PLACED = 'query($c: ID!) { centre(id: $c) { placements { child { id } } carePlans { child { id } } } }';
const SPECIALIST_CHILD = 'query($id: ID!) { child(id: $id) { id givenName familyName latinName birthDate languages carePlans { id } } }';

/** A child whose case an NGO leads and has referred (shared) to the centres' operator, placed at A. */
async function referredChild(access = ShareAccess.SUMMARY) {
  const lead = await createOrg(ds);
  const leadWorker = await createUser(t.app, lead, [Role.CASE_WORKER]);
  const { case: c, child } = await createCase(ds, { lead, shares: [{ org: crpc, access }] });
  await placeChild(ds, A, child);
  return { lead, leadWorker, case: c, child };
}

describe('a centre coordinator reads a placed child only while the referral stands', () => {
  test.each([ShareAccess.SUMMARY, ShareAccess.FULL])('unsharing (%s) from the operator ends the access on every path', async (access) => {
    const cc = await centreCoordinator(t.app, [A]);
    const x = await referredChild(access);
    const before = await t.gql(CHILD, { id: x.child.id }, cc.token);
    expect(before.data?.child).toEqual({ id: x.child.id, healthNotes: 'Asthma', guardians: [{ contact: '+380 50 000 00 00' }] });

    await CaseService.unshareCase(contextFor(t.app.deps, x.leadWorker.user), { caseId: x.case.id, organizationId: crpc.id });

    const after = await t.gql(CHILD, { id: x.child.id }, cc.token);
    expect(after.data?.child).toBeNull();
    const nested = await t.gql(PLACED, { c: A.id }, cc.token);
    const placed = nested.data?.centre.placements.filter((p: any) => p.child?.id === x.child.id);
    expect(placed).toEqual([]);
    expect(nested.data?.centre.carePlans.find((p: any) => p.child?.id === x.child.id)).toBeUndefined();
    const ent = await t.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Child { id healthNotes } } }', { r: [{ __typename: 'Child', id: x.child.id }] }, cc.token);
    expect(ent.data?._entities).toEqual([null]);
  });

  test('a case the operator leads needs no share', async () => {
    const cc = await centreCoordinator(t.app, [A]);
    const { child } = await createCase(ds, { lead: crpc });
    await placeChild(ds, A, child);
    expect((await t.gql(CHILD, { id: child.id }, cc.token)).data?.child?.id).toBe(child.id);
  });
});

describe('a specialist reads a child only through a standing assignment', () => {
  let S1: Specialist;
  let S2: Specialist;
  let token: string;
  beforeAll(async () => {
    S1 = await createSpecialist(ds, A);
    S2 = await createSpecialist(ds, A);
    token = (await specialistUser(t.app, A, S1)).token;
  });
  const assign = (child: Child, s: Specialist) =>
    ds.query('INSERT INTO assignment (child_id, centre_id, specialist_id, discipline) VALUES ($1, $2, $3, $4)', [child.id, A.id, s.id, 'PSYCHOLOGIST']);

  test('assigned and placed: the documented fields, nothing more', async () => {
    const x = await referredChild();
    await assign(x.child, S1);
    const res = await t.gql(SPECIALIST_CHILD, { id: x.child.id }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data?.child).toMatchObject({ id: x.child.id, languages: ['uk'], birthDate: '2014-05-01' });
    expect(res.data?.child.carePlans).toHaveLength(1);
    const extra = await t.gql('query($id: ID!) { child(id: $id) { id sex patronymic homeOblast aliases placeOfBirth } }', { id: x.child.id }, token);
    expect(extra.data?.child).toMatchObject({ id: x.child.id, sex: 'FEMALE', patronymic: null, homeOblast: null, aliases: null, placeOfBirth: null });
    expect(extra.errors?.map((e) => [e.extensions?.code, e.path?.join('.')]).sort()).toEqual([
      ['FORBIDDEN', 'child.aliases'], ['FORBIDDEN', 'child.homeOblast'], ['FORBIDDEN', 'child.patronymic'], ['FORBIDDEN', 'child.placeOfBirth'],
    ]);
  });

  test('past and cancelled sessions without an assignment grant nothing', async () => {
    const past = await referredChild();
    const cancelled = await referredChild();
    await createSession(ds, { centre: A, child: past.child, specialist: S1, room, startsAt: new Date('2026-02-03T08:00:00Z'), status: SessionStatus.COMPLETED });
    await createSession(ds, { centre: A, child: cancelled.child, specialist: S1, room, startsAt: new Date('2027-02-03T08:00:00Z'), status: SessionStatus.CANCELLED });
    for (const x of [past, cancelled]) {
      expect((await t.gql(SPECIALIST_CHILD, { id: x.child.id }, token)).data?.child).toBeNull();
    }
  });

  test('a replaced assignment or an ended placement ends the access, also to the care plan', async () => {
    const replaced = await referredChild();
    await assign(replaced.child, S1);
    expect((await t.gql(SPECIALIST_CHILD, { id: replaced.child.id }, token)).data?.child?.id).toBe(replaced.child.id);
    await ds.query('UPDATE assignment SET specialist_id = $1 WHERE child_id = $2', [S2.id, replaced.child.id]);
    expect((await t.gql(SPECIALIST_CHILD, { id: replaced.child.id }, token)).data?.child).toBeNull();

    const left = await referredChild();
    await assign(left.child, S1);
    await ds.query(`UPDATE placement SET to_date = current_date - 1 WHERE child_id = $1`, [left.child.id]);
    expect((await t.gql(SPECIALIST_CHILD, { id: left.child.id }, token)).data?.child).toBeNull();
    const plans = await t.gql('query($c: ID!) { centre(id: $c) { carePlans { child { id } } } }', { c: A.id }, token);
    expect(plans.data?.centre.carePlans.map((p: any) => p.child?.id)).not.toContain(left.child.id);
  });
});
