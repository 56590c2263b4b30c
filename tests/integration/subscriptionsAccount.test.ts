import { CaseStatus, OrganizationKind, Role } from '../../src/schema/enums';
import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { connectWs, flip, settleFeed, waitForSubscribers } from '../helpers/ws';

/**
 * A WebSocket authenticates once; HTTP checks the user on every request. Open connections re-check their
 * users, so a deactivated user, or one whose roles changed, stops receiving case data.
 */
let t: TestApp;
beforeAll(async () => { t = await startTestApp({ env: { ACCOUNT_RECHECK_SECONDS: '1' } }); });
afterAll(async () => { await t.stop(); });

const SUB = 'subscription { caseStatusChanged { eventId case { id deportationCircumstances } } }';

test.each([
  ['deactivated', 'UPDATE app_user SET active = false WHERE id = $1'],
  ['demoted to analyst', `UPDATE app_user SET roles = '{ANALYST}' WHERE id = $1`],
])('a coordinator %s while subscribed is cut off, and nothing more reaches it', async (_what, change) => {
  const ds = t.app.deps.dataSource;
  const lead = await createOrg(ds);
  const writer = (await createUser(t.app, lead, [Role.CASE_WORKER])).user;
  const { user, token } = await createUser(t.app, await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR]);
  const c0 = (await createCase(ds, { lead, status: CaseStatus.IDENTIFIED })).case;
  await settleFeed(t.app);
  const base = t.app.deps.feed.subscriberCount;
  const c = connectWs(t.url, token);
  const sub = c.subscribe(SUB);
  await waitForSubscribers(t.app, base + 1);
  const before = await flip(t.app, writer, c0.id);
  await sub.untilEvent(before);

  await ds.query(change, [user.id]);
  expect(await c.closed).toEqual({ code: 4403, reason: 'Account changed or deactivated: reconnect' });
  expect((sub.error as any)?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  const after = await flip(t.app, writer, c0.id);
  await settleFeed(t.app);
  expect(sub.eventIds()).toContain(before);
  expect(sub.eventIds()).not.toContain(after);
  expect(t.app.deps.feed.subscriberCount).toBe(base);
  await c.dispose();
});
