import type { DataSource } from 'typeorm';
import { installStatementCounter, recentStatements, resetStatementCounts, uninstallStatementCounter } from '../../bench/lib/sqlStatementCounter';
import type { PrincipalCache } from '../../src/auth/principalCache';
import type { PrincipalRow } from '../../src/context';
import { PgNotifyEventBus } from '../../src/pubsub/PgNotifyEventBus';
import { OrganizationKind, Role } from '../../src/schema/enums';
import { createOrg, createUser } from '../factories';
import { centreCoordinator, createCentre } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';

/*
 * The principal cache (issue 11, src/auth/principalCache.ts): two hub instances on one database. A principal is
 * kept between requests, and every change of what it is built from (through either instance, or plain SQL)
 * applies to the very next request on both.
 */

let a: TestApp;
let b: TestApp;
let ds: DataSource;

beforeAll(async () => {
  installStatementCounter({ keepText: 50 });
  a = await startTestApp();
  b = await startTestApp();
  ds = a.app.deps.dataSource;
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  uninstallStatementCounter();
});

const cache = (t: TestApp) => t.app.deps.principals as PrincipalCache<PrincipalRow>;
const ME = '{ me { id roles } }';

async function pair() {
  const org = await createOrg(ds);
  const admin = await createUser(a.app, org, [Role.ORG_ADMIN]);
  const worker = await createUser(a.app, org, [Role.CASE_WORKER]);
  return { org, admin, worker };
}

test('a principal is kept between requests: the second request sends no account statement', async () => {
  const { worker } = await pair();
  expect(cache(b)).toBeDefined();
  await b.gql(ME, {}, worker.token);
  const hits = cache(b).stats.hits;
  resetStatementCounts();
  const again = await b.gql(ME, {}, worker.token);
  expect(again.data).toEqual({ me: { id: worker.user.id, roles: ['CASE_WORKER'] } });
  expect(cache(b).stats.hits).toBe(hits + 1);
  const texts = recentStatements().filter((s) => !s.startsWith('[outside a request]'));
  expect(texts.filter((s) => /FROM app_user/i.test(s))).toEqual([]);
});

test('concurrent requests: at most one barrier each (shared when they arrive within one), and each sees a change committed before it arrived', async () => {
  const { worker } = await pair();
  await b.gql(ME, {}, worker.token);
  const bus = b.app.deps.events as PgNotifyEventBus;
  const sent = bus.barriersSent;
  const hits = cache(b).stats.hits;
  const answers = await Promise.all(Array.from({ length: 40 }, () => b.gql(ME, {}, worker.token)));
  for (const r of answers) expect(r.data?.me?.roles).toEqual(['CASE_WORKER']);
  expect(cache(b).stats.hits - hits).toBe(40);
  // Never more barriers than requests: requests that arrive while one is queued share it (how many do depends on
  // timing: a barrier answers in a fraction of a millisecond, so on an idle server most requests get their own).
  expect(bus.barriersSent - sent).toBeGreaterThan(0);
  expect(bus.barriersSent - sent).toBeLessThanOrEqual(40);
  await ds.query(`UPDATE app_user SET roles = '{ANALYST}' WHERE id = $1`, [worker.user.id]);
  const after = await Promise.all(Array.from({ length: 20 }, () => b.gql(ME, {}, worker.token)));
  for (const r of after) expect(r.data?.me?.roles).toEqual(['ANALYST']);
});

test('roles changed through instance A: the next request on instance B has the new roles', async () => {
  const { admin, worker } = await pair();
  for (let i = 0; i < 2; i++) expect((await b.gql(ME, {}, worker.token)).data).toEqual({ me: { id: worker.user.id, roles: ['CASE_WORKER'] } });
  const set = await a.gql('mutation ($id: ID!) { setUserRoles(userId: $id, roles: [ANALYST]) { roles } }', { id: worker.user.id }, admin.token);
  expect(set.errors).toBeUndefined();
  // No wait: the very next request on B.
  expect((await b.gql(ME, {}, worker.token)).data).toEqual({ me: { id: worker.user.id, roles: ['ANALYST'] } });
  // And on A.
  expect((await a.gql(ME, {}, worker.token)).data).toEqual({ me: { id: worker.user.id, roles: ['ANALYST'] } });
});

test('deactivated through instance A: the next request on instance B is UNAUTHENTICATED', async () => {
  const { admin, worker } = await pair();
  for (let i = 0; i < 2; i++) expect((await b.gql(ME, {}, worker.token)).data?.me?.id).toBe(worker.user.id);
  const set = await a.gql('mutation ($id: ID!) { setUserActive(userId: $id, active: false) { active } }', { id: worker.user.id }, admin.token);
  expect(set.errors).toBeUndefined();
  const gone = await b.gql(ME, {}, worker.token);
  expect(gone.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  // Reactivated: back on the next request.
  await a.gql('mutation ($id: ID!) { setUserActive(userId: $id, active: true) { active } }', { id: worker.user.id }, admin.token);
  expect((await b.gql(ME, {}, worker.token)).data?.me?.id).toBe(worker.user.id);
});

test('changes made in plain SQL, many times over, each apply to the very next request on both instances', async () => {
  const { worker } = await pair();
  const roles = ['ANALYST', 'CASE_WORKER'];
  for (let i = 0; i < 20; i++) {
    const role = roles[i % 2];
    await ds.query(`UPDATE app_user SET roles = $2::user_role[] WHERE id = $1`, [worker.user.id, [role]]);
    const [onA, onB] = await Promise.all([a.gql(ME, {}, worker.token), b.gql(ME, {}, worker.token)]);
    expect(onA.data?.me?.roles).toEqual([role]);
    expect(onB.data?.me?.roles).toEqual([role]);
    // A cached request in between, so that the next change has an entry to drop.
    expect((await b.gql(ME, {}, worker.token)).data?.me?.roles).toEqual([role]);
  }
});

test('centre staff, specialist profiles and centre operators drop the users they concern', async () => {
  const org = await createOrg(ds, OrganizationKind.NGO);
  const centre = await createCentre(ds, { org });
  const other = await createCentre(ds, { org });
  const cc = await centreCoordinator(a.app, [centre]);
  const seen = async () => {
    await b.gql(ME, {}, cc.token);
    await b.gql(ME, {}, cc.token);
  };
  const dropped = async (change: () => Promise<unknown>) => {
    await seen();
    const misses = cache(b).stats.misses;
    await change();
    await b.gql(ME, {}, cc.token);
    return cache(b).stats.misses - misses;
  };
  expect(await dropped(() => ds.query('INSERT INTO centre_staff (centre_id, user_id) VALUES ($1, $2)', [other.id, cc.user.id]))).toBe(1);
  expect(await dropped(() => ds.query('DELETE FROM centre_staff WHERE centre_id = $1 AND user_id = $2', [other.id, cc.user.id]))).toBe(1);
  const newOperator = await createOrg(ds);
  expect(await dropped(() => ds.query('UPDATE centre SET organization_id = $2 WHERE id = $1', [centre.id, newOperator.id]))).toBe(1);
  // A write that changes nothing of a principal (the password) keeps it.
  expect(await dropped(() => ds.query(`UPDATE app_user SET password_hash = 'y' WHERE id = $1`, [cc.user.id]))).toBe(0);
});

test('without the LISTEN connection nothing is kept: every request reads the account until it is back', async () => {
  const { worker } = await pair();
  await b.gql(ME, {}, worker.token);
  await b.gql(ME, {}, worker.token);
  expect(cache(b).size).toBeGreaterThan(0);
  const bus = b.app.deps.events as PgNotifyEventBus;
  expect(bus).toBeInstanceOf(PgNotifyEventBus);
  const pid = (bus as unknown as { client: { processID: number } }).client.processID;
  await ds.query('SELECT pg_terminate_backend($1)', [pid]);
  for (let i = 0; i < 100 && bus.principalsWatched; i++) await new Promise((r) => setTimeout(r, 20));
  expect(bus.principalsWatched).toBe(false);
  expect(cache(b).size).toBe(0);
  // A change while nobody listens is still seen.
  await ds.query(`UPDATE app_user SET roles = '{ANALYST}' WHERE id = $1`, [worker.user.id]);
  const misses = cache(b).stats.misses;
  expect((await b.gql(ME, {}, worker.token)).data?.me?.roles).toEqual(['ANALYST']);
  expect((await b.gql(ME, {}, worker.token)).data?.me?.roles).toEqual(['ANALYST']);
  expect(cache(b).stats.misses).toBe(misses + 2);
  // Reconnected (backoff from 100 ms): kept again, and changes drop it again.
  for (let i = 0; i < 200 && !bus.principalsWatched; i++) await new Promise((r) => setTimeout(r, 25));
  expect(bus.principalsWatched).toBe(true);
  await b.gql(ME, {}, worker.token);
  const hits = cache(b).stats.hits;
  await b.gql(ME, {}, worker.token);
  expect(cache(b).stats.hits).toBe(hits + 1);
  await ds.query(`UPDATE app_user SET roles = '{CASE_WORKER}' WHERE id = $1`, [worker.user.id]);
  expect((await b.gql(ME, {}, worker.token)).data?.me?.roles).toEqual(['CASE_WORKER']);
});

test('PRINCIPAL_CACHE_SECONDS=0 turns it off', async () => {
  const off = await startTestApp({ env: { PRINCIPAL_CACHE_SECONDS: '0' } });
  try {
    expect(off.app.deps.principals).toBeUndefined();
    const { worker } = await pair();
    expect((await off.gql(ME, {}, worker.token)).data?.me?.id).toBe(worker.user.id);
  } finally {
    await off.stop();
  }
});
