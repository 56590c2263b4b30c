import { TokenService } from '../../src/auth/tokens';
import { CaseStatus, Role } from '../../src/schema/enums';
import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { connectWs, flip, RawSocket, settleFeed, waitForSubscribers } from '../helpers/ws';

const SUB = 'subscription { caseStatusChanged { eventId to case { id } } }';

let t: TestApp;
let token: string;
const sockets: RawSocket[] = [];
const raw = () => {
  const s = new RawSocket(t.url);
  sockets.push(s);
  return s;
};
const init = (s: RawSocket, tok: string | null = token) => s.send({ type: 'connection_init', payload: tok ? { Authorization: `Bearer ${tok}` } : {} });

beforeAll(async () => {
  t = await startTestApp({ env: { MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', MAX_CONNECTIONS_PER_USER: '2', MAX_QUERY_DEPTH: '4', MAX_QUERY_COMPLEXITY: '15' } });
  const org = await createOrg(t.app.deps.dataSource);
  token = (await createUser(t.app, org, [Role.COORDINATOR])).token;
});
afterEach(() => { for (const s of sockets.splice(0)) s.close(); });
afterAll(async () => { await t.stop(); });

describe('graphql-transport-ws conformance (raw ws client)', () => {
  test('acknowledges an authenticated connection_init and answers ping with pong', async () => {
    const s = raw();
    await s.opened;
    expect(s.ws.protocol).toBe('graphql-transport-ws');
    init(s);
    await s.message('connection_ack');
    s.send({ type: 'ping', payload: { n: 1 } });
    expect(await s.message('pong')).toEqual({ type: 'pong', payload: { n: 1 } });
  });

  test('4408 when connection_init does not come in time', async () => {
    const s = raw();
    await s.opened;
    expect(await s.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
  });

  test('4429 on a second connection_init', async () => {
    const s = raw();
    await s.opened;
    init(s);
    await s.message('connection_ack');
    init(s);
    expect(await s.closed).toEqual({ code: 4429, reason: 'Too many initialisation requests' });
  });

  test('4401 on subscribe before the acknowledgement', async () => {
    const s = raw();
    await s.opened;
    s.send({ id: '1', type: 'subscribe', payload: { query: SUB } });
    expect(await s.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
  });

  test('4409 on a duplicate operation id', async () => {
    const s = raw();
    await s.opened;
    init(s);
    await s.message('connection_ack');
    s.send({ id: 'a', type: 'subscribe', payload: { query: SUB } });
    s.send({ id: 'a', type: 'subscribe', payload: { query: SUB } });
    expect(await s.closed).toEqual({ code: 4409, reason: 'Subscriber for a already exists' });
  });

  test.each([
    ['not JSON', '{nope'],
    ['a subscribe without id', JSON.stringify({ type: 'subscribe', payload: { query: SUB } })],
    ['an unknown type', JSON.stringify({ type: 'hello' })],
  ])('4400 on a malformed message (%s)', async (_what, msg) => {
    const s = raw();
    await s.opened;
    init(s);
    await s.message('connection_ack');
    s.send(msg);
    expect((await s.closed).code).toBe(4400);
  });

  test('4403 without a token or with a bad one', async () => {
    for (const tok of [null, 'not-a-jwt', await new TokenService('another-secret', 60).issue('00000000-0000-0000-0000-000000000000')]) {
      const s = raw();
      await s.opened;
      init(s, tok);
      expect(await s.closed).toEqual({ code: 4403, reason: 'Forbidden' });
    }
  });

  test('a query over the socket passes the same validation as HTTP', async () => {
    const s = raw();
    await s.opened;
    init(s);
    await s.message('connection_ack');
    s.send({ id: 'q', type: 'subscribe', payload: { query: '{ me { id organization { id } } }' } });
    const next = await s.message('next');
    expect(next.payload.errors).toBeUndefined();
    s.send({ id: 'bad', type: 'subscribe', payload: { query: '{ nope }' } });
    const err = await s.message('error');
    expect(err).toMatchObject({ id: 'bad', payload: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
  });
});

describe('live delivery', () => {
  test('a live event is one next message in graphql-ws\'s exact form; after complete, nothing more for that id', async () => {
    const org = await createOrg(t.app.deps.dataSource);
    const { user, token: tok } = await createUser(t.app, org, [Role.COORDINATOR]);
    const c0 = (await createCase(t.app.deps.dataSource, { lead: org, status: CaseStatus.IDENTIFIED })).case;
    await settleFeed(t.app);
    const base = t.app.deps.feed.subscriberCount;
    const s = raw();
    const texts: string[] = [];
    s.ws.on('message', (d) => texts.push(d.toString()));
    await s.opened;
    init(s, tok);
    await s.message('connection_ack');
    const query = 'subscription($id: ID) { caseStatusChanged(caseId: $id) { eventId to case { id } } }';
    for (const id of ['one', 'two']) s.send({ id, type: 'subscribe', payload: { query, variables: { id: c0.id } } });
    await waitForSubscribers(t.app, base + 2);
    const until = async (pred: () => boolean, what: string) => {
      for (const deadline = Date.now() + 5000; !pred();) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(texts)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const next = (id: string, eventId: string, to: CaseStatus) => JSON.stringify({
      id, type: 'next', payload: { data: { caseStatusChanged: { eventId, to, case: { id: c0.id } } } },
    });

    const e1 = await flip(t.app, user, c0.id);
    await until(() => texts.filter((x) => x.includes(`"eventId":"${e1}"`)).length === 2, `event ${e1} twice`);
    expect(texts.filter((x) => x.includes(`"eventId":"${e1}"`)).sort()).toEqual([next('one', e1, CaseStatus.LOCATED), next('two', e1, CaseStatus.LOCATED)]);

    s.send({ id: 'one', type: 'complete' });
    await waitForSubscribers(t.app, base + 1).catch(() => undefined);
    const e2 = await flip(t.app, user, c0.id);
    await until(() => texts.some((x) => x.includes(`"eventId":"${e2}"`)), `event ${e2}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(texts.filter((x) => x.includes(`"eventId":"${e2}"`))).toEqual([next('two', e2, CaseStatus.IDENTIFIED)]);
    // The client completed 'one': the server sends nothing more for it, not even a complete.
    expect(texts.filter((x) => JSON.parse(x).id === 'one')).toEqual([next('one', e1, CaseStatus.LOCATED)]);
    expect(t.app.deps.feed.subscriberCount).toBe(base + 1);
    s.close();
    await s.closed;
    await until(() => t.app.deps.feed.subscriberCount === base, 'the subscriptions to end with the socket');
  });
});

describe('limits', () => {
  test('subscriptions per connection: the one over the limit fails with TOO_MANY_REQUESTS', async () => {
    const c = connectWs(t.url, token);
    try {
      await settleFeed(t.app);
      const base = t.app.deps.feed.subscriberCount;
      const a = c.subscribe(SUB);
      const b = c.subscribe(SUB);
      await waitForSubscribers(t.app, base + 2);
      const over = c.subscribe(SUB);
      await over.until((x) => !!x.error);
      expect((over.error as any)[0]).toMatchObject({ extensions: { code: 'TOO_MANY_REQUESTS', maximum: 2 } });
      expect((over.error as any)[0].message).toMatch(/at most 2/);
      // Completing one frees a slot.
      a.unsubscribe();
      await new Promise((r) => setTimeout(r, 100));
      const again = c.subscribe(SUB);
      await waitForSubscribers(t.app, base + 2);
      expect(again.error).toBeNull();
      b.unsubscribe();
    } finally {
      await c.dispose();
    }
  });

  test('connections per user: the one over the limit is closed with 4429 and a reason', async () => {
    const org = await createOrg(t.app.deps.dataSource);
    const { token: tok } = await createUser(t.app, org, [Role.COORDINATOR]);
    const socks = [raw(), raw()];
    for (const s of socks) { await s.opened; init(s, tok); await s.message('connection_ack'); }
    const third = raw();
    await third.opened;
    init(third, tok);
    expect(await third.closed).toEqual({ code: 4429, reason: 'Too many connections for this user (at most 2)' });
    // Closing one lets the next one in.
    socks[0].close();
    await socks[0].closed;
    await new Promise((r) => setTimeout(r, 50));
    const fourth = raw();
    await fourth.opened;
    init(fourth, tok);
    await fourth.message('connection_ack');
  });

  test('depth and complexity limits apply to subscriptions', async () => {
    const s = raw();
    await s.opened;
    init(s);
    await s.message('connection_ack');
    s.send({ id: 'deep', type: 'subscribe', payload: { query: 'subscription { caseStatusChanged { case { events(first: 1) { edges { node { id } } } } } }' } });
    const deep = await s.message('error');
    expect(deep).toMatchObject({ id: 'deep', payload: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    expect(deep.payload[0].message).toMatch(/exceeds maximum operation depth/);
    s.send({ id: 'big', type: 'subscribe', payload: { query: 'subscription { caseStatusChanged { case { shares { organization { id name kind country } } child { familyName givenName guardians { id name relation contact verified } } } } }' } });
    await new Promise((r) => setTimeout(r, 200));
    const big = s.messages.find((m) => m.id === 'big');
    expect(big).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(big.payload[0].message).toMatch(/too complex/);
  });
});

describe('token expiry', () => {
  test('an expiring token ends the subscription with UNAUTHENTICATED and closes the socket with 4403', async () => {
    const org = await createOrg(t.app.deps.dataSource);
    const { user } = await createUser(t.app, org, [Role.CASE_WORKER]);
    const c0 = (await createCase(t.app.deps.dataSource, { lead: org, status: CaseStatus.IDENTIFIED })).case;
    const shortLived = await new TokenService('test-secret-not-for-production', 2).issue(user.id);
    await settleFeed(t.app);
    const base = t.app.deps.feed.subscriberCount;
    const c = connectWs(t.url, shortLived);
    const sub = c.subscribe(SUB);
    await waitForSubscribers(t.app, base + 1);
    const e = await flip(t.app, user, c0.id);
    await sub.untilEvent(e);
    await sub.until((x) => !!x.error, 5000, 'the expiry error');
    expect((sub.error as any)[0]).toMatchObject({ message: 'Token expired: log in again', extensions: { code: 'UNAUTHENTICATED' } });
    expect(await c.closed).toEqual({ code: 4403, reason: 'Token expired: reconnect with a fresh token' });
    expect(t.app.deps.feed.subscriberCount).toBe(base);
    await c.dispose();
  });
});
