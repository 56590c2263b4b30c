import { OrganizationKind, ShareAccess } from '../../src/schema/enums';
import { createCase, createOrg } from '../factories';
import { centreCoordinator, createCentre, placeChild } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { connectWs, type WsClient } from '../helpers/ws';

/**
 * A WebSocket's rights are the user's rights now, not when it connected (issue 8, item 11): each query or
 * mutation over it authenticates again as an HTTP request does, and open connections re-check the whole
 * scope (centres, specialist profile), not only roles and organization.
 */
let t: TestApp;
const clients: WsClient[] = [];
// No periodic re-check here: what the first tests show holds without it.
beforeAll(async () => { t = await startTestApp({ env: { ACCOUNT_RECHECK_SECONDS: '0' } }); });
afterEach(async () => { await Promise.all(clients.splice(0).map((c) => c.dispose())); });
afterAll(async () => { await t.stop(); });

const CHILD = 'query($id: ID!) { child(id: $id) { id healthNotes } }';

async function placedChildAndCoordinator() {
  const ds = t.app.deps.dataSource;
  const crpc = await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR);
  const centre = await createCentre(ds, { org: crpc });
  const { child } = await createCase(ds, { lead: await createOrg(ds), shares: [{ org: crpc, access: ShareAccess.SUMMARY }] });
  await placeChild(ds, centre, child);
  const cc = await centreCoordinator(t.app, [centre]);
  return { ds, centre, child, cc };
}

async function overWs(client: WsClient, query: string, variables: Record<string, unknown>) {
  const c = client.subscribe(query, variables);
  await c.until((x) => x.completed || !!x.error, 5000, 'the query result');
  return c.results[0];
}

test('a query over an open WebSocket sees what HTTP sees now: a centre taken away is gone at once', async () => {
  const { ds, centre, child, cc } = await placedChildAndCoordinator();
  const client = connectWs(t.url, cc.token);
  clients.push(client);
  expect((await overWs(client, CHILD, { id: child.id })).data?.child).toEqual({ id: child.id, healthNotes: 'Asthma' });

  await ds.query('DELETE FROM centre_staff WHERE centre_id = $1 AND user_id = $2', [centre.id, cc.user.id]);
  const http = await t.gql(CHILD, { id: child.id }, cc.token);
  expect(http.data?.child).toBeNull();
  // The same connection, still open (no periodic re-check runs in this app).
  expect((await overWs(client, CHILD, { id: child.id })).data?.child).toBeNull();
});

test('a query from a user deactivated after connecting is UNAUTHENTICATED', async () => {
  const { ds, child, cc } = await placedChildAndCoordinator();
  const client = connectWs(t.url, cc.token);
  clients.push(client);
  expect((await overWs(client, CHILD, { id: child.id })).data?.child?.id).toBe(child.id);
  await ds.query('UPDATE app_user SET active = false WHERE id = $1', [cc.user.id]);
  const c = client.subscribe(CHILD, { id: child.id });
  await c.until((x) => !!x.error || x.results.length > 0, 5000, 'an answer');
  expect((c.error as any)?.[0]?.extensions?.code ?? c.results[0]?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
});

test('an open connection whose centres change is closed by the re-check', async () => {
  const { ds, centre, cc } = await placedChildAndCoordinator();
  const rechecking = await startTestApp({ env: { ACCOUNT_RECHECK_SECONDS: '1' } });
  try {
    const client = connectWs(rechecking.url, cc.token);
    clients.push(client);
    expect((await overWs(client, '{ me { id } }', {})).data?.me).toEqual({ id: cc.user.id });
    await ds.query('DELETE FROM centre_staff WHERE centre_id = $1 AND user_id = $2', [centre.id, cc.user.id]);
    expect(await client.closed).toEqual({ code: 4403, reason: 'Account changed or deactivated: reconnect' });
  } finally {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await rechecking.stop();
  }
});
