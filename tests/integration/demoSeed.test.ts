import type { DataSource } from 'typeorm';
import { DEMO_USERS, seedDemo } from '../../src/db/seed';
import { startTestApp, type TestApp } from '../helpers/testApp';

/** The demo world: one user per role, 300+ children in every status, led by several organizations, shared both ways. */
let t: TestApp;
let ds: DataSource;

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  await seedDemo(ds, { password: 'bkb-demo', besideExistingData: true });
}, 180_000);
afterAll(async () => { await t.stop(); });

test('demo users log in with the demo password and hold their role', async () => {
  for (const u of DEMO_USERS) {
    const res = await t.gql(`mutation($e: String!) { login(email: $e, password: "bkb-demo") { user { email roles organization { kind } } } }`, { e: u.email });
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.user).toMatchObject({ email: u.email, roles: [...u.roles] });
  }
});

test('the world is big and varied enough to demo every role', async () => {
  const [{ children, statuses, leads, summary, full, kinds }] = await ds.query(`SELECT
      (SELECT count(*) FROM child c JOIN case_file f ON f.child_id = c.id JOIN app_user u ON u.id = f.created_by_id WHERE u.email LIKE '%@demo.bkb')::int AS children,
      (SELECT count(DISTINCT status) FROM case_file)::int AS statuses,
      (SELECT count(DISTINCT lead_organization_id) FROM case_file f JOIN app_user u ON u.id = f.created_by_id WHERE u.email LIKE '%@demo.bkb')::int AS leads,
      (SELECT count(*) FROM case_share WHERE access = 'SUMMARY')::int AS summary,
      (SELECT count(*) FROM case_share WHERE access = 'FULL')::int AS full,
      (SELECT count(DISTINCT kind) FROM organization)::int AS kinds`);
  expect(children).toBeGreaterThanOrEqual(300);
  expect(statuses).toBe(8);
  expect(leads).toBeGreaterThanOrEqual(3);
  expect(summary).toBeGreaterThan(10);
  expect(full).toBeGreaterThan(10);
  expect(kinds).toBe(6);
  const names = await ds.query(`SELECT given_name, latin_name FROM child WHERE latin_name IS NOT NULL LIMIT 5`);
  for (const n of names) {
    expect(n.given_name).toMatch(/^[А-ЯІЇЄҐ][а-яіїєґ’']+$/);
    expect(n.latin_name).toMatch(/^[A-Z][a-z]+/);
  }
});

test('each case worker sees exactly its organization’s cases and those shared with it; the coordinator all', async () => {
  const count = async (email: string) => {
    const login = await t.gql(`mutation($e: String!) { login(email: $e, password: "bkb-demo") { token } }`, { e: email });
    return (await t.gql('{ cases { totalCount } }', undefined, login.data!.login.token)).data!.cases.totalCount as number;
  };
  // Other test files share this database: count what the case workers' organizations may see, in SQL.
  const expected = async (email: string) => (await ds.query(
    `SELECT count(*)::int AS n FROM case_file c, app_user u WHERE u.email = $1
        AND (c.lead_organization_id = u.organization_id OR EXISTS (SELECT 1 FROM case_share s WHERE s.case_id = c.id AND s.organization_id = u.organization_id))`,
    [email],
  ))[0].n as number;
  const cw1 = await count('case_worker@demo.bkb');
  const cw2 = await count('case_worker2@demo.bkb');
  expect(cw1).toBe(await expected('case_worker@demo.bkb'));
  expect(cw2).toBe(await expected('case_worker2@demo.bkb'));
  expect(cw1).toBeGreaterThan(100);
  expect(cw2).toBeGreaterThan(100);
  expect(await count('coordinator@demo.bkb')).toBeGreaterThanOrEqual(Math.max(cw1, cw2) + 100);
  expect(await count('analyst@demo.bkb')).toBe(0);
});

test('seeding again does nothing', async () => {
  expect(await seedDemo(ds, { password: 'bkb-demo', besideExistingData: true })).toEqual({ seeded: false, children: 0 });
});
