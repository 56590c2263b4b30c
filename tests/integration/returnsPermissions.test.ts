import type { DataSource } from 'typeorm';
import type { Case, ReturnOperation } from '../../src/entities';
import { CaseStatus, Discipline, OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';
import { createCase, createOrg, createUser } from '../factories';
import { createReturnOperation, verifyGuardian } from '../factories/returns';
import { centreCoordinator, createCentre, createSpecialist, placeChild, specialistUser } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { connectWs, settleFeed, waitForSubscribers, type WsClient } from '../helpers/ws';

/**
 * Who reads and changes return operations, guardian verifications and reintegration plans, through every
 * path: list, count, single, nested, federation _entities, live events, and mutations (refused, nothing written).
 * The operation is run by the lead NGO and the international office; its case is shared FULL with one
 * partner and SUMMARY with another.
 */
let t: TestApp;
let ds: DataSource;
let op: ReturnOperation;
let opCase: Case;
let planCase: Case;
let planId: string;
const tok: Record<string, string> = {};
const clients: WsClient[] = [];

const LIST = `{ returnOperations { id route } returnOperationCount }`;
const SINGLE = `query($id: ID!) { returnOperation(id: $id) { id route handoverPoint children { escort case { id } child { id } } organizations { id } } }`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on ReturnOperation { id route } } }`;
const PLAN = `query($c: ID!) { reintegrationPlan(caseId: $c) { id items { id title } followUps { id } } guardianVerifications(caseId: $c) { id documentsSeen } }`;
const CASE = `query($id: ID!) { case(id: $id) { id status } }`;

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  const lead = await createOrg(ds);
  const intl = await createOrg(ds, OrganizationKind.INTERNATIONAL_ORGANISATION);
  const fullPartner = await createOrg(ds);
  const summaryPartner = await createOrg(ds);
  const crpc = await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR);
  const shares = [{ org: fullPartner, access: ShareAccess.FULL }, { org: summaryPartner, access: ShareAccess.SUMMARY }];
  opCase = (await createCase(ds, { lead, status: CaseStatus.RETURN_IN_PROGRESS, shares })).case;
  op = await createReturnOperation(ds, [lead, intl], { cases: [opCase], route: 'Secret route via Minsk' });
  const p = await createCase(ds, { lead, status: CaseStatus.RETURN_IN_PROGRESS, shares });
  planCase = p.case;
  await verifyGuardian(ds, planCase);
  const centre = await createCentre(ds, { org: crpc });
  const spec = await createSpecialist(ds, centre, { discipline: Discipline.PSYCHOLOGIST });
  await placeChild(ds, centre, p.child);
  tok.coordinator = (await createUser(t.app, await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR])).token;
  tok.lead = (await createUser(t.app, lead, [Role.CASE_WORKER])).token;
  tok.intl = (await createUser(t.app, intl, [Role.CASE_WORKER])).token;
  tok.full = (await createUser(t.app, fullPartner, [Role.CASE_WORKER])).token;
  tok.summary = (await createUser(t.app, summaryPartner, [Role.CASE_WORKER])).token;
  tok.unrelated = (await createUser(t.app, await createOrg(ds), [Role.CASE_WORKER])).token;
  tok.investigator = (await createUser(t.app, await createOrg(ds, OrganizationKind.PROSECUTOR), [Role.INVESTIGATOR])).token;
  tok.centreCoordinator = (await centreCoordinator(t.app, [centre])).token;
  tok.specialist = (await specialistUser(t.app, centre, spec)).token;
  tok.analyst = (await createUser(t.app, await createOrg(ds, OrganizationKind.GOVERNMENT_AGENCY), [Role.ANALYST])).token;
  tok.orgAdmin = (await createUser(t.app, lead, [Role.ORG_ADMIN])).token;
  // The plan is made by the real transition (RETURNED), as the lead.
  const r = await t.gql(`mutation($i: ChangeCaseStatusInput!) { changeCaseStatus(input: $i) { id } }`, { i: { caseId: planCase.id, status: 'RETURNED', expectedVersion: 1 } }, tok.lead);
  expect(r.errors).toBeUndefined();
  planId = (await ds.query('SELECT id FROM reintegration_plan WHERE case_id = $1', [planCase.id]))[0].id;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await t.stop();
});

const ALL = ['coordinator', 'lead', 'intl', 'full', 'summary', 'unrelated', 'investigator', 'centreCoordinator', 'specialist', 'analyst', 'orgAdmin'];
const OPERATION_READERS = ['coordinator', 'lead', 'intl'];
const PLAN_READERS = ['coordinator', 'lead', 'full'];
const CASE_READERS = ['coordinator', 'lead', 'full', 'summary', 'investigator'];

describe('return operation details: only the council and the running organizations', () => {
  test.each(ALL)('%s: list, count, single, nested, _entities', async (who) => {
    const reads = OPERATION_READERS.includes(who);
    const list = await t.gql(LIST, undefined, tok[who]);
    expect(list.errors).toBeUndefined();
    const ids = list.data!.returnOperations.map((o: any) => o.id);
    expect(ids.includes(op.id)).toBe(reads);
    if (!reads) expect(list.data!.returnOperationCount).toBe(0);
    const single = await t.gql(SINGLE, { id: op.id }, tok[who]);
    expect(single.errors).toBeUndefined();
    if (reads) {
      expect(single.data!.returnOperation).toMatchObject({ route: 'Secret route via Minsk', children: [{ escort: 'Escort A' }] });
      // The international office runs the operation but is not on the case: it sees the entry, not the case or child.
      const nested = single.data!.returnOperation.children[0];
      expect(nested.case?.id ?? null).toBe(who === 'intl' ? null : opCase.id);
      expect(nested.child?.id ?? null).toBe(who === 'intl' ? null : opCase.childId);
    } else {
      expect(single.data!.returnOperation).toBeNull();
    }
    const ent = await t.gql(ENTITIES, { r: [{ __typename: 'ReturnOperation', id: op.id }] }, tok[who]);
    expect(ent.data!._entities).toEqual([reads ? { id: op.id, route: 'Secret route via Minsk' } : null]);
    expect(JSON.stringify([list, single, ent]).includes('Secret route') === reads).toBe(true);
  });

  test.each(CASE_READERS)('%s reads the case as RETURN_IN_PROGRESS, and nothing more of the return unless running it', async (who) => {
    const c = await t.gql(CASE, { id: opCase.id }, tok[who]);
    expect(c.data!.case).toEqual({ id: opCase.id, status: 'RETURN_IN_PROGRESS' });
  });

  test('anonymous: UNAUTHENTICATED everywhere, _entities resolves nothing', async () => {
    expect((await t.gql(LIST)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(SINGLE, { id: op.id })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(ENTITIES, { r: [{ __typename: 'ReturnOperation', id: op.id }] })).data?._entities ?? [null]).toEqual([null]);
  });

  test('a partner subscribed to the case sees the case go RETURN_IN_PROGRESS, with no detail of the operation', async () => {
    const { case: c } = await createCase(ds, { lead: (await ds.query('SELECT lead_organization_id AS id FROM case_file WHERE id = $1', [opCase.id]))[0], status: CaseStatus.LOCATED, shares: [{ org: { id: (await ds.query(`SELECT organization_id AS id FROM case_share WHERE case_id = $1 AND access = 'FULL'`, [opCase.id]))[0].id } as never, access: ShareAccess.FULL }] });
    await settleFeed(t.app);
    const ws = connectWs(t.url, tok.full);
    clients.push(ws);
    const before = t.app.deps.feed.subscriberCount;
    const sub = ws.subscribe(`subscription($c: ID) { caseStatusChanged(caseId: $c) { from to note case { id status } } }`, { c: c.id });
    await waitForSubscribers(t.app, before + 1);
    const added = await t.gql(`mutation($i: AddChildToReturnInput!) { addChildToReturnOperation(input: $i) { id } }`, { i: { operationId: op.id, caseId: c.id, expectedCaseVersion: 1 } }, tok.lead);
    expect(added.errors).toBeUndefined();
    await sub.until((x) => x.changes().some((ch) => ch.to === 'RETURN_IN_PROGRESS'));
    const change = sub.changes().find((ch) => ch.to === 'RETURN_IN_PROGRESS')!;
    expect(change).toEqual({ from: 'LOCATED', to: 'RETURN_IN_PROGRESS', note: 'Return in progress', case: { id: c.id, status: 'RETURN_IN_PROGRESS' } });
    expect(JSON.stringify(sub.results)).not.toMatch(/Secret route|Escort|Minsk/);
  });
});

describe('mutations on an operation are refused, with nothing written', () => {
  const snapshot = async () => (await ds.query(`SELECT o.version, o.status, (SELECT count(*) FROM return_operation_child e WHERE e.operation_id = o.id)::int AS n FROM return_operation o WHERE o.id = $1`, [op.id]))[0];

  test.each(ALL.filter((w) => !OPERATION_READERS.includes(w)))('%s cannot change, extend or complete it (NOT_FOUND: it is not theirs to see)', async (who) => {
    const before = await snapshot();
    const { case: located } = await createCase(ds, { lead: await createOrg(ds), status: CaseStatus.LOCATED });
    const tries = [
      t.gql(`mutation($i: ChangeReturnOperationStatusInput!) { changeReturnOperationStatus(input: $i) { id } }`, { i: { operationId: op.id, status: 'APPROVED', expectedVersion: before.version } }, tok[who]),
      t.gql(`mutation($i: UpdateReturnOperationInput!) { updateReturnOperation(input: $i) { id } }`, { i: { operationId: op.id, expectedVersion: before.version, route: 'x' } }, tok[who]),
      t.gql(`mutation($i: AddChildToReturnInput!) { addChildToReturnOperation(input: $i) { id } }`, { i: { operationId: op.id, caseId: located.id, expectedCaseVersion: 1 } }, tok[who]),
    ];
    for (const r of await Promise.all(tries)) expect(r.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(await snapshot()).toEqual(before);
    expect((await ds.query('SELECT status FROM case_file WHERE id = $1', [located.id]))[0].status).toBe('LOCATED');
  });

  test.each([['analyst'], ['investigator'], ['orgAdmin'], ['centreCoordinator'], ['specialist']])('%s may not plan a return operation', async (who) => {
    const r = await t.gql(`mutation { createReturnOperation(input: { name: "x" }) { id } }`, undefined, tok[who]);
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('verifications and reintegration plans follow the case (lead and FULL), not the summary', () => {
  test.each(ALL)('%s: reintegrationPlan and guardianVerifications', async (who) => {
    const r = await t.gql(PLAN, { c: planCase.id }, tok[who]);
    expect(r.errors).toBeUndefined();
    const reads = PLAN_READERS.includes(who);
    expect(r.data!.reintegrationPlan?.id ?? null).toBe(reads ? planId : null);
    if (reads) expect(r.data!.reintegrationPlan.items.length).toBeGreaterThan(0);
    expect(r.data!.guardianVerifications.length > 0).toBe(reads);
  });

  test.each(ALL.filter((w) => !['lead', 'full'].includes(w)))('%s cannot verify guardians, change plan items or follow-ups; nothing is written', async (who) => {
    const [g] = await ds.query('SELECT id FROM guardian WHERE child_id = $1', [planCase.childId]);
    const [item] = await ds.query('SELECT id, status FROM reintegration_item WHERE plan_id = $1 ORDER BY id LIMIT 1', [planId]);
    const [fu] = await ds.query('SELECT id FROM follow_up WHERE plan_id = $1 ORDER BY months LIMIT 1', [planId]);
    const before = (await ds.query('SELECT (SELECT count(*) FROM guardian_verification WHERE case_id = $1)::int AS v, (SELECT version FROM reintegration_plan WHERE id = $2) AS pv, (SELECT count(*) FROM follow_up WHERE plan_id = $2 AND completed_at IS NOT NULL)::int AS done', [planCase.id, planId]))[0];
    const v = await t.gql(`mutation($i: RecordGuardianVerificationInput!) { recordGuardianVerification(input: $i) { id } }`, { i: { caseId: planCase.id, kind: 'GUARDIAN_IDENTITY', guardianId: g.id, documentsSeen: ['passport'] } }, tok[who]);
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(v.errors?.[0].extensions?.code);
    const i = await t.gql(`mutation($i: UpdateReintegrationItemInput!) { updateReintegrationItem(input: $i) { id } }`, { i: { itemId: item.id, status: 'DONE', expectedVersion: before.pv } }, tok[who]);
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(i.errors?.[0].extensions?.code);
    const f = await t.gql(`mutation($i: CompleteFollowUpInput!) { completeFollowUp(input: $i) { id } }`, { i: { followUpId: fu.id } }, tok[who]);
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(f.errors?.[0].extensions?.code);
    const after = (await ds.query('SELECT (SELECT count(*) FROM guardian_verification WHERE case_id = $1)::int AS v, (SELECT version FROM reintegration_plan WHERE id = $2) AS pv, (SELECT count(*) FROM follow_up WHERE plan_id = $2 AND completed_at IS NOT NULL)::int AS done', [planCase.id, planId]))[0];
    expect(after).toEqual(before);
  });

  test('overdueFollowUps of another organization shows a case worker nothing', async () => {
    await ds.query(`UPDATE follow_up SET due_date = CURRENT_DATE - 10 WHERE plan_id = $1 AND months = 1`, [planId]);
    const leadOrg = (await ds.query('SELECT lead_organization_id AS id FROM case_file WHERE id = $1', [planCase.id]))[0].id;
    const q = `query($o: ID) { overdueFollowUps(organizationId: $o) { id case { id } } }`;
    expect((await t.gql(q, { o: leadOrg }, tok.lead)).data!.overdueFollowUps.length).toBe(1);
    expect((await t.gql(q, { o: leadOrg }, tok.coordinator)).data!.overdueFollowUps.length).toBe(1);
    for (const who of ['unrelated', 'summary', 'investigator', 'analyst', 'intl']) expect((await t.gql(q, { o: leadOrg }, tok[who])).data!.overdueFollowUps).toEqual([]);
  });
});
