import type { DataSource } from 'typeorm';
import { CaseStatus, OrganizationKind, Role } from '../../src/schema/enums';
import { createCase, createOrg, createUser } from '../factories';
import { createCentre, createRoom, createSpecialist, placeChild } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { connectWs, settleFeed, waitForSubscribers, type WsClient } from '../helpers/ws';
import { Discipline } from '../../src/schema/enums';
import type { Organization } from '../../src/entities';

let t: TestApp;
let ds: DataSource;
let ngo: Organization;
let token: string;
let coordinatorToken: string;
const clients: WsClient[] = [];

const OP = `id status version route actualHandoverDate organizations { id } children { id outcome outcomeNote escort documents { kind state } case { id status } }`;
const CREATE = `mutation($i: CreateReturnOperationInput!) { createReturnOperation(input: $i) { ${OP} } }`;
const ADD = `mutation($i: AddChildToReturnInput!) { addChildToReturnOperation(input: $i) { ${OP} } }`;
const STATUS = `mutation($i: ChangeReturnOperationStatusInput!) { changeReturnOperationStatus(input: $i) { ${OP} } }`;
const COMPLETE = `mutation($i: CompleteReturnOperationInput!) { completeReturnOperation(input: $i) { ${OP} } }`;
const VERIFY = `mutation($i: RecordGuardianVerificationInput!) { recordGuardianVerification(input: $i) { id status dnaTest documentsSeen verifiedBy } }`;
const DNA = `mutation($i: RecordDnaResultInput!) { recordDnaTestResult(input: $i) { id status dnaTest } }`;
const CHANGE = `mutation($i: ChangeCaseStatusInput!) { changeCaseStatus(input: $i) { id status version } }`;
const PLAN = `query($c: ID!) { reintegrationPlan(caseId: $c) { id version returnedOn items { id kind status mandatory dueDate ownerOrganization { id } } followUps { id months dueDate kind overdue session { id discipline startsAt } } } }`;

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  ngo = await createOrg(ds);
  token = (await createUser(t.app, ngo, [Role.CASE_WORKER])).token;
  coordinatorToken = (await createUser(t.app, await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR])).token;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t.stop();
});

const guardianOf = async (childId: string) => (await ds.query('SELECT id FROM guardian WHERE child_id = $1', [childId]))[0].id as string;
const caseRow = async (id: string) => (await ds.query('SELECT status, version FROM case_file WHERE id = $1', [id]))[0];

async function operationWith(n: number) {
  const cases = [];
  for (let i = 0; i < n; i++) cases.push((await createCase(ds, { lead: ngo, status: CaseStatus.LOCATED })).case);
  const created = await t.gql(CREATE, { i: { name: 'Test return Lastivka', mediator: 'Qatar', route: 'Moscow → Doha → Kyiv', handoverPoint: 'Doha', plannedHandoverDate: '2027-02-01' } }, token);
  expect(created.errors).toBeUndefined();
  let op = created.data!.createReturnOperation;
  expect(op).toMatchObject({ status: 'PLANNING', version: 1, organizations: [{ id: ngo.id }] });
  for (const c of cases) {
    const added = await t.gql(ADD, { i: { operationId: op.id, caseId: c.id, expectedCaseVersion: 1, escort: 'Olena K.', documents: [{ kind: 'passport', state: 'REQUESTED' }] } }, token);
    expect(added.errors).toBeUndefined();
    op = added.data!.addChildToReturnOperation;
  }
  return { op, cases };
}

test('adding a child moves its case LOCATED → RETURN_IN_PROGRESS with one event, delivered live without operation details', async () => {
  await settleFeed(t.app);
  const ws = connectWs(t.url, coordinatorToken);
  clients.push(ws);
  const before = t.app.deps.feed.subscriberCount;
  const sub = ws.subscribe('subscription { caseStatusChanged { eventId from to note case { id status } } }');
  await waitForSubscribers(t.app, before + 1);
  const { op, cases } = await operationWith(1);
  expect(op.children).toHaveLength(1);
  expect(op.children[0]).toMatchObject({ outcome: 'PENDING', escort: 'Olena K.', documents: [{ kind: 'passport', state: 'REQUESTED' }], case: { id: cases[0].id, status: 'RETURN_IN_PROGRESS' } });
  expect(await caseRow(cases[0].id)).toEqual({ status: 'RETURN_IN_PROGRESS', version: 2 });
  const ours = (x: any) => x.case?.id === cases[0].id && x.to === 'RETURN_IN_PROGRESS';
  await sub.until((c) => c.changes().some(ours));
  const change = sub.changes().find(ours)!;
  expect(change).toMatchObject({ from: 'LOCATED', to: 'RETURN_IN_PROGRESS', note: 'Return in progress' });
  expect(JSON.stringify(change)).not.toMatch(/Doha|Lastivka|Qatar/);
});

test('a case in an open operation leaves RETURN_IN_PROGRESS only through the operation', async () => {
  const { cases } = await operationWith(1);
  const r = await t.gql(CHANGE, { i: { caseId: cases[0].id, status: 'LOCATED', expectedVersion: 2 } }, token);
  expect(r.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', reason: 'IN_RETURN_OPERATION' });
  expect(await caseRow(cases[0].id)).toEqual({ status: 'RETURN_IN_PROGRESS', version: 2 });
  const again = await t.gql(ADD, { i: { operationId: (await operationWith(0)).op.id, caseId: cases[0].id, expectedCaseVersion: 2 } }, token);
  expect(again.errors?.[0].extensions?.code).toBe('INVALID_TRANSITION');
});

test('a child whose case is not LOCATED cannot be added, and a stale case version is CONFLICT; nothing is written', async () => {
  const { op } = await operationWith(0);
  const reported = (await createCase(ds, { lead: ngo, status: CaseStatus.REPORTED })).case;
  const bad = await t.gql(ADD, { i: { operationId: op.id, caseId: reported.id, expectedCaseVersion: 1 } }, token);
  expect(bad.errors?.[0].extensions?.code).toBe('INVALID_TRANSITION');
  const located = (await createCase(ds, { lead: ngo, status: CaseStatus.LOCATED })).case;
  const stale = await t.gql(ADD, { i: { operationId: op.id, caseId: located.id, expectedCaseVersion: 7 } }, token);
  expect(stale.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
  expect(await caseRow(located.id)).toEqual({ status: 'LOCATED', version: 1 });
  expect(Number((await ds.query('SELECT count(*) FROM return_operation_child WHERE operation_id = $1', [op.id]))[0].count)).toBe(0);
  const staleOp = await t.gql(STATUS, { i: { operationId: op.id, status: 'APPROVED', expectedVersion: 9 } }, token);
  expect(staleOp.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
});

test('completing: returned children become RETURNED (verified guardian needed), the other LOCATED with its note; all or nothing', async () => {
  const { op, cases } = await operationWith(2);
  const [home, stayed] = cases;
  let v = op.version;
  for (const status of ['APPROVED', 'IN_PROGRESS']) {
    const r = await t.gql(STATUS, { i: { operationId: op.id, status, expectedVersion: v } }, token);
    expect(r.errors).toBeUndefined();
    v = r.data!.changeReturnOperationStatus.version;
  }
  const entryOf = (caseId: string) => op.children.find((e: any) => e.case.id === caseId).id;
  const input = {
    operationId: op.id, expectedVersion: v, actualHandoverDate: new Date().toISOString().slice(0, 10),
    children: [{ entryId: entryOf(home.id), returned: true }, { entryId: entryOf(stayed.id), returned: false, note: 'Moved to another facility before the handover' }],
  };
  // No verified guardian yet: refused, nothing written.
  const refused = await t.gql(COMPLETE, { i: input }, token);
  expect(refused.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', reason: 'GUARDIAN_NOT_VERIFIED' });
  expect(await caseRow(home.id)).toEqual({ status: 'RETURN_IN_PROGRESS', version: 2 });
  expect(await caseRow(stayed.id)).toEqual({ status: 'RETURN_IN_PROGRESS', version: 2 });

  // Verification with a DNA test stays PENDING until the result; NO_MATCH rejects, a new one with MATCH verifies.
  const g = await guardianOf(home.childId);
  const pending = await t.gql(VERIFY, { i: { caseId: home.id, kind: 'GUARDIAN_IDENTITY', guardianId: g, documentsSeen: ['passport', 'birth certificate'], dnaTestRequested: true } }, token);
  expect(pending.data!.recordGuardianVerification).toMatchObject({ status: 'PENDING', dnaTest: 'REQUESTED', verifiedBy: 'Test user' });
  expect((await t.gql(COMPLETE, { i: input }, token)).errors?.[0].extensions?.code).toBe('INVALID_TRANSITION');
  const matched = await t.gql(DNA, { i: { verificationId: pending.data!.recordGuardianVerification.id, result: 'MATCH' } }, token);
  expect(matched.data!.recordDnaTestResult).toMatchObject({ status: 'VERIFIED', dnaTest: 'MATCH' });

  const noNote = await t.gql(COMPLETE, { i: { ...input, children: [input.children[0], { ...input.children[1], note: null }] } }, token);
  expect(noNote.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.children.1.note' });

  const done = await t.gql(COMPLETE, { i: input }, token);
  expect(done.errors).toBeUndefined();
  expect(done.data!.completeReturnOperation.status).toBe('COMPLETED');
  expect(await caseRow(home.id)).toEqual({ status: 'RETURNED', version: 3 });
  expect(await caseRow(stayed.id)).toEqual({ status: 'LOCATED', version: 3 });
  const notes = await ds.query(`SELECT case_id, to_status, note FROM case_event WHERE case_id = ANY($1) AND kind = 'STATUS_CHANGED' ORDER BY id`, [[home.id, stayed.id]]);
  expect(notes.filter((n: any) => n.case_id === stayed.id).at(-1)).toMatchObject({ to_status: 'LOCATED', note: 'Moved to another facility before the handover' });
  expect(notes.filter((n: any) => n.case_id === home.id).at(-1)).toMatchObject({ to_status: 'RETURNED' });

  // The returned child has a plan: default items and follow-ups at 1, 3, 6, 12 months (tasks: not placed at a centre).
  const plan = (await t.gql(PLAN, { c: home.id }, token)).data!.reintegrationPlan;
  expect(plan.items.filter((i: any) => i.mandatory).map((i: any) => i.kind).sort()).toEqual(['DOCUMENTS_RESTORED', 'MEDICAL_CHECK', 'PSYCHOLOGICAL_ASSESSMENT']);
  expect(plan.followUps.map((f: any) => [f.months, f.kind])).toEqual([[1, 'TASK'], [3, 'TASK'], [6, 'TASK'], [12, 'TASK']]);
  expect((await t.gql(PLAN, { c: stayed.id }, token)).data!.reintegrationPlan).toBeNull();
});

test('changeCaseStatus to RETURNED needs a verified guardian or a guardianship-authority decision; AFTERCARE needs the mandatory items done', async () => {
  const { case: c } = await createCase(ds, { lead: ngo, status: CaseStatus.RETURN_IN_PROGRESS });
  const refused = await t.gql(CHANGE, { i: { caseId: c.id, status: 'RETURNED', expectedVersion: 1 } }, token);
  expect(refused.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', reason: 'GUARDIAN_NOT_VERIFIED' });
  expect(await caseRow(c.id)).toEqual({ status: 'RETURN_IN_PROGRESS', version: 1 });
  const missing = await t.gql(VERIFY, { i: { caseId: c.id, kind: 'GUARDIANSHIP_AUTHORITY_DECISION', authorityName: 'Kyiv guardianship service' } }, token);
  expect(missing.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.decisionReference' });
  const decision = await t.gql(VERIFY, { i: { caseId: c.id, kind: 'GUARDIANSHIP_AUTHORITY_DECISION', authorityName: 'Kyiv guardianship service', decisionReference: 'No. 12/2026', decisionDate: '2026-11-01' } }, token);
  expect(decision.data!.recordGuardianVerification.status).toBe('VERIFIED');
  expect((await t.gql(CHANGE, { i: { caseId: c.id, status: 'RETURNED', expectedVersion: 1 } }, token)).errors).toBeUndefined();
  expect((await t.gql(CHANGE, { i: { caseId: c.id, status: 'REINTEGRATION', expectedVersion: 2 } }, token)).errors).toBeUndefined();
  const early = await t.gql(CHANGE, { i: { caseId: c.id, status: 'AFTERCARE', expectedVersion: 3 } }, token);
  expect(early.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', reason: 'MANDATORY_ITEMS_OPEN' });
  const plan = (await t.gql(PLAN, { c: c.id }, token)).data!.reintegrationPlan;
  let version = plan.version;
  const UPDATE = `mutation($i: UpdateReintegrationItemInput!) { updateReintegrationItem(input: $i) { id status } }`;
  const notNeeded = await t.gql(UPDATE, { i: { itemId: plan.items.find((i: any) => i.mandatory).id, status: 'NOT_NEEDED', expectedVersion: version } }, token);
  expect(notNeeded.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.status' });
  const stale = await t.gql(UPDATE, { i: { itemId: plan.items[0].id, status: 'DONE', expectedVersion: version + 5 } }, token);
  expect(stale.errors?.[0].extensions?.code).toBe('CONFLICT');
  for (const item of plan.items.filter((i: any) => i.mandatory)) {
    const r = await t.gql(UPDATE, { i: { itemId: item.id, status: 'DONE', expectedVersion: version } }, token);
    expect(r.errors).toBeUndefined();
    version += 1;
  }
  expect((await t.gql(CHANGE, { i: { caseId: c.id, status: 'AFTERCARE', expectedVersion: 3 } }, token)).data?.changeCaseStatus.status).toBe('AFTERCARE');
});

test('a failed operation sends its children back to LOCATED with a note that names no detail of the operation', async () => {
  const { op, cases } = await operationWith(1);
  const noReason = await t.gql(STATUS, { i: { operationId: op.id, status: 'CANCELLED', expectedVersion: op.version } }, token);
  expect(noReason.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
  const r = await t.gql(STATUS, { i: { operationId: op.id, status: 'CANCELLED', expectedVersion: op.version, reason: 'Mediator withdrew' } }, token);
  expect(r.data!.changeReturnOperationStatus).toMatchObject({ status: 'CANCELLED', children: [{ outcome: 'NOT_RETURNED' }] });
  expect(await caseRow(cases[0].id)).toMatchObject({ status: 'LOCATED' });
  const [e] = await ds.query(`SELECT note FROM case_event WHERE case_id = $1 ORDER BY id DESC LIMIT 1`, [cases[0].id]);
  expect(e.note).toBe('Return cancelled; the child remains located');
  const again = await t.gql(STATUS, { i: { operationId: op.id, status: 'APPROVED', expectedVersion: op.version + 1 } }, token);
  expect(again.errors?.[0].extensions?.code).toBe('INVALID_TRANSITION');
});

test('a child placed at a centre with a social worker gets its follow-ups booked as sessions', async () => {
  const centre = await createCentre(ds, { org: ngo });
  await createRoom(ds, centre);
  await createSpecialist(ds, centre, { discipline: Discipline.SOCIAL_WORKER });
  const { case: c, child } = await createCase(ds, { lead: ngo, status: CaseStatus.RETURN_IN_PROGRESS });
  await placeChild(ds, centre, child, { from: '2026-01-01' });
  await t.gql(VERIFY, { i: { caseId: c.id, kind: 'GUARDIAN_IDENTITY', guardianId: await guardianOf(child.id), documentsSeen: ['passport'] } }, token);
  expect((await t.gql(CHANGE, { i: { caseId: c.id, status: 'RETURNED', expectedVersion: 1 } }, token)).errors).toBeUndefined();
  const plan = (await t.gql(PLAN, { c: c.id }, coordinatorToken)).data!.reintegrationPlan;
  expect(plan.followUps.map((f: any) => f.kind)).toEqual(['SESSION', 'SESSION', 'SESSION', 'SESSION']);
  const sessions = await ds.query(`SELECT discipline, starts_at FROM session WHERE child_id = $1 ORDER BY starts_at`, [child.id]);
  expect(sessions.map((s: any) => s.discipline)).toEqual(['SOCIAL_WORKER', 'SOCIAL_WORKER', 'SOCIAL_WORKER', 'SOCIAL_WORKER']);
  expect(plan.followUps[0].session).toMatchObject({ discipline: 'SOCIAL_WORKER' });
});

test('overdueFollowUps lists the missed visits of an organization, oldest first, and not the done ones', async () => {
  const { case: c } = await createCase(ds, { lead: ngo, status: CaseStatus.RETURN_IN_PROGRESS });
  await t.gql(VERIFY, { i: { caseId: c.id, kind: 'GUARDIANSHIP_AUTHORITY_DECISION', authorityName: 'Authority', decisionReference: 'R-1' } }, token);
  await t.gql(CHANGE, { i: { caseId: c.id, status: 'RETURNED', expectedVersion: 1 } }, token);
  // The return happened 7 months ago: the 1, 3 and 6 month visits are due.
  await ds.query(`UPDATE follow_up SET due_date = due_date - interval '7 months' WHERE case_id = $1`, [c.id]);
  const OVERDUE = `query($o: ID) { overdueFollowUps(organizationId: $o) { id months overdue case { id } } }`;
  const mine = (r: any) => r.data!.overdueFollowUps.filter((f: any) => f.case?.id === c.id);
  const first = await t.gql(OVERDUE, {}, token);
  expect(mine(first).map((f: any) => [f.months, f.overdue])).toEqual([[1, true], [3, true], [6, true]]);
  const done = await t.gql(`mutation($i: CompleteFollowUpInput!) { completeFollowUp(input: $i) { id completedAt overdue } }`, { i: { followUpId: mine(first)[0].id, note: 'Visited; doing well' } }, token);
  expect(done.data!.completeFollowUp.overdue).toBe(false);
  expect(mine(await t.gql(OVERDUE, { o: ngo.id }, coordinatorToken)).map((f: any) => f.months)).toEqual([3, 6]);
});
