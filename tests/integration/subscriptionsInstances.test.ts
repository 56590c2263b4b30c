import { Redis } from 'ioredis';
import { contextFor, transactional } from '../../src/context';
import { Case } from '../../src/entities';
import type { CaseEventNotice } from '../../src/pubsub/EventBus';
import { PgNotifyEventBus } from '../../src/pubsub/PgNotifyEventBus';
import { RedisEventBus } from '../../src/pubsub/RedisEventBus';
import { CaseEventKind, CaseStatus, OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';
import { CaseService } from '../../src/services/CaseService';
import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { connectWs, flip, settleFeed, waitForSubscribers, type WsClient } from '../helpers/ws';

const SUB = 'subscription($caseId: ID) { caseStatusChanged(caseId: $caseId) { eventId to case { id status } } }';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** Two hub instances on one database, the subscriber on B, the writer on A. */
function twoInstances(env: Record<string, string>, enabled: () => boolean = () => true) {
  const s = {} as { a: TestApp; b: TestApp; notices: CaseEventNotice[]; clients: WsClient[] };
  beforeAll(async () => {
    if (!enabled()) return;
    s.a = await startTestApp({ env });
    s.b = await startTestApp({ env });
    s.notices = [];
    s.b.app.deps.events.subscribe({ notice: (n) => s.notices.push(n), resync: () => undefined });
  });
  afterEach(async () => { await Promise.all(s.clients.splice(0).map((c) => c.dispose())); });
  afterAll(async () => { await s.a?.stop(); await s.b?.stop(); });
  s.clients = [];
  return s;
}

async function scenario(s: ReturnType<typeof twoInstances>) {
  const ds = s.a.app.deps.dataSource;
  const council = await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL);
  const ngo = await createOrg(ds);
  const other = await createOrg(ds);
  const coordinator = await createUser(s.a.app, council, [Role.COORDINATOR]);
  const worker = await createUser(s.a.app, ngo, [Role.CASE_WORKER]);
  const outsider = await createUser(s.a.app, other, [Role.CASE_WORKER]);
  const c = (await createCase(ds, { lead: ngo, status: CaseStatus.IDENTIFIED })).case;
  await settleFeed(s.b.app);
  const base = s.b.app.deps.feed.subscriberCount;
  const subscribe = (token: string) => {
    const client = connectWs(s.b.url, token);
    s.clients.push(client);
    return client.subscribe(SUB, { caseId: c.id });
  };
  const coord = subscribe(coordinator.token);
  const outside = subscribe(outsider.token);
  await waitForSubscribers(s.b.app, base + 2);
  return { ngo, other, coordinator, worker, outsider, c, coord, outside };
}

async function crossInstanceDelivery(s: ReturnType<typeof twoInstances>) {
  const w = await scenario(s);
  // A change made through instance A reaches the subscriber on instance B, woken by the bus.
  const e1 = await flip(s.a.app, w.worker.user, w.c.id);
  await w.coord.untilEvent(e1);
  expect(s.notices.map((n) => s.a.app.deps.tokens.eventIds.encode(n.eventId))).toContain(e1);
  expect(w.coord.changes()[0]).toMatchObject({ eventId: e1, to: 'LOCATED', case: { id: w.c.id, status: 'LOCATED' } });

  // Permission is B's to check, with the facts as they are now: share, then the outsider sees it.
  await CaseService.shareCase(contextFor(s.a.app.deps, w.worker.user), { caseId: w.c.id, organizationId: w.other.id, access: ShareAccess.FULL });
  const e2 = await flip(s.a.app, w.worker.user, w.c.id);
  await w.coord.untilEvent(e2);
  await w.outside.untilEvent(e2);
  expect(w.outside.eventIds()).toEqual([e2]);

  // A rolled-back write through A sends nothing to B.
  await expect(transactional(contextFor(s.a.app.deps, w.worker.user), async (tx) => {
    const row = await tx.em.findOneByOrFail(Case, { id: w.c.id });
    await (CaseService as any).recordEvent(tx, row, CaseEventKind.STATUS_CHANGED, CaseStatus.IDENTIFIED, CaseStatus.LOCATED, null);
    throw new Error('rollback');
  })).rejects.toThrow('rollback');
  const e3 = await flip(s.a.app, w.worker.user, w.c.id);
  await w.coord.untilEvent(e3);
  expect(w.coord.eventIds()).toEqual([e1, e2, e3]);
}

describe('across instances over PostgreSQL LISTEN/NOTIFY', () => {
  const s = twoInstances({ REDIS_URL: '' });

  test('instances use the PostgreSQL transport by default', () => {
    expect(s.b.app.deps.events).toBeInstanceOf(PgNotifyEventBus);
  });

  test('a change through instance A reaches subscribers on instance B, permission-checked, only after commit', async () => {
    await crossInstanceDelivery(s);
  });

  test('the listener reconnects after losing its connection, and what committed meanwhile still arrives', async () => {
    const w = await scenario(s);
    const bus = s.b.app.deps.events as PgNotifyEventBus;
    const pid = (bus as unknown as { client: { processID: number } }).client.processID;
    await s.a.app.deps.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
    const during = await flip(s.a.app, w.worker.user, w.c.id);
    await w.coord.untilEvent(during, 15000);
    const deadline = Date.now() + 10000;
    while ((bus as unknown as { client: { processID: number } | null }).client?.processID === pid || !(bus as unknown as { client: unknown }).client) {
      if (Date.now() > deadline) throw new Error('listener did not reconnect');
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await flip(s.a.app, w.worker.user, w.c.id);
    await w.coord.untilEvent(after);
    expect(s.notices.map((n) => s.a.app.deps.tokens.eventIds.encode(n.eventId))).toContain(after);
    expect(w.coord.eventIds()).toEqual([during, after]);
  });
});

describe('across instances over Redis pub/sub (REDIS_URL)', () => {
  let redisUp = false;
  let why = '';
  beforeAll(async () => {
    const probe = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await probe.connect();
      redisUp = (await probe.ping()) === 'PONG';
    } catch (e) {
      why = (e as Error).message;
    } finally {
      probe.disconnect();
    }
    if (!redisUp) process.stdout.write(`\n[tests] SKIPPED Redis transport tests: no Redis answers at ${REDIS_URL} (${why})\n`);
  });
  const s = twoInstances({ REDIS_URL }, () => redisUp);

  test('instances use the Redis transport when REDIS_URL is set', () => {
    if (!redisUp) return;
    expect(s.b.app.deps.events).toBeInstanceOf(RedisEventBus);
  });

  test('a change through instance A reaches subscribers on instance B, permission-checked, only after commit', async () => {
    if (!redisUp) return;
    await crossInstanceDelivery(s);
  });
});
