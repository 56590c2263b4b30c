import type { DataSource } from 'typeorm';
import { contextFor } from '../../src/context';
import type { User } from '../../src/entities';
import { CaseStatus, OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';
import { CaseService } from '../../src/services/CaseService';
import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { flip, liveSubscriptions, settleFeed, type Collector, type WsClient } from '../helpers/ws';

/**
 * A change of rights takes effect for the next event delivered (issue 8, item 11), not at the next periodic
 * re-check: the feed re-reads its subscribers' principals before every batch of events, and an event's share
 * facts are read when it is delivered. The periodic re-check is off here, so nothing else can end them.
 */
const SUB = `subscription($caseId: ID) { caseStatusChanged(caseId: $caseId) { eventId to case { id status } } }`;

let t: TestApp;
let ds: DataSource;
const subs = liveSubscriptions(() => ({ app: t.app, url: t.url }), SUB);
beforeAll(async () => {
  t = await startTestApp({ env: { ACCOUNT_RECHECK_SECONDS: '0' } });
  ds = t.app.deps.dataSource;
});
afterEach(() => subs.disposeAll());
afterAll(async () => { await t.stop(); });

const live = subs.live;

/** A case led by one organization, shared FULL with a partner; a case worker of each, and a council member as a witness. */
async function world() {
  const lead = await createOrg(ds);
  const partner = await createOrg(ds);
  const council = await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL);
  const c = (await createCase(ds, { lead, status: CaseStatus.IDENTIFIED, shares: [{ org: partner, access: ShareAccess.FULL }] })).case;
  return {
    lead, partner, c,
    leadWorker: await createUser(t.app, lead, [Role.CASE_WORKER]),
    partnerWorker: await createUser(t.app, partner, [Role.CASE_WORKER]),
    witness: await createUser(t.app, council, [Role.COORDINATOR]),
  };
}

/** The witness (whose rights did not change) receives the event: it was delivered, just not to the other. */
async function deliveredTo(witness: Collector, eventId: string) {
  await witness.untilEvent(eventId);
}

async function cutOff(who: { client: WsClient; c: Collector }, eventId: string) {
  expect(await who.client.closed).toEqual({ code: 4403, reason: 'Account changed or deactivated: reconnect' });
  expect(who.c.eventIds()).not.toContain(eventId);
  expect((who.c.error as { extensions?: { code?: string } }[] | null)?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
}

test('a share withdrawn: the very next event on the case does not reach the former partner', async () => {
  const w = await world();
  const partner = await live(w.partnerWorker.token, { caseId: w.c.id });
  const witness = await live(w.witness.token, { caseId: w.c.id });
  const before = await flip(t.app, w.leadWorker.user, w.c.id);
  await partner.c.untilEvent(before);

  await CaseService.unshareCase(contextFor(t.app.deps, w.leadWorker.user), { caseId: w.c.id, organizationId: w.partner.id });
  const after = await flip(t.app, w.leadWorker.user, w.c.id);
  await deliveredTo(witness.c, after);
  await settleFeed(t.app);
  expect(partner.c.eventIds()).toEqual([before]);
});

test('a user deactivated: its subscription ends before the next event, and its socket closes', async () => {
  const w = await world();
  const partner = await live(w.partnerWorker.token, { caseId: w.c.id });
  const witness = await live(w.witness.token, { caseId: w.c.id });
  await ds.query('UPDATE app_user SET active = false WHERE id = $1', [w.partnerWorker.user.id]);
  const eventId = await flip(t.app, w.leadWorker.user, w.c.id);
  await deliveredTo(witness.c, eventId);
  await cutOff(partner, eventId);
});

test('a role removed: the next event does not go out on the old role', async () => {
  const w = await world();
  const partner = await live(w.partnerWorker.token, { caseId: w.c.id });
  const witness = await live(w.witness.token, { caseId: w.c.id });
  await ds.query(`UPDATE app_user SET roles = '{ORG_ADMIN}' WHERE id = $1`, [w.partnerWorker.user.id]);
  const eventId = await flip(t.app, w.leadWorker.user, w.c.id);
  await deliveredTo(witness.c, eventId);
  await cutOff(partner, eventId);
});

test('a user moved to another organization: the next event does not go out on the old organization', async () => {
  const w = await world();
  const partner = await live(w.partnerWorker.token, { caseId: w.c.id });
  const witness = await live(w.witness.token, { caseId: w.c.id });
  await ds.query('UPDATE app_user SET organization_id = $2 WHERE id = $1', [w.partnerWorker.user.id, (await createOrg(ds)).id]);
  const eventId = await flip(t.app, w.leadWorker.user, w.c.id);
  await deliveredTo(witness.c, eventId);
  await cutOff(partner, eventId);
});

test('others keep receiving: an unchanged subscriber of the same organization is not cut off', async () => {
  const w = await world();
  const colleague: User = (await createUser(t.app, w.partner, [Role.CASE_WORKER])).user;
  const partner = await live(w.partnerWorker.token, { caseId: w.c.id });
  const other = await live(await t.app.deps.tokens.issue(colleague.id), { caseId: w.c.id });
  await ds.query('UPDATE app_user SET active = false WHERE id = $1', [w.partnerWorker.user.id]);
  const eventId = await flip(t.app, w.leadWorker.user, w.c.id);
  await other.c.untilEvent(eventId);
  await cutOff(partner, eventId);
  const next = await flip(t.app, w.leadWorker.user, w.c.id);
  await other.c.untilEvent(next);
});
