import type { DataSource } from 'typeorm';
import { seedDemo } from '../../src/db/seed';
import { seedScheduling, weekStart } from '../../src/db/seedScheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';

/** The rehabilitation side of the demo world: centres, specialists, placed children, an applied week. */
let t: TestApp;
let ds: DataSource;
let seedMs = 0;

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  const started = Date.now();
  await seedDemo(ds, { password: 'bkb-demo', besideExistingData: true }); // includes seedScheduling (a no-op when another file seeded first)
  await seedScheduling(ds);
  seedMs = Date.now() - started;
}, 180_000);
afterAll(async () => { await t.stop(); });

const login = async (email: string) => (await t.gql('mutation($e: String!) { login(email: $e, password: "bkb-demo") { token } }', { e: email })).data!.login.token as string;

test('two centres with rooms, twenty specialists, sixty placed children with care plans, this week applied', async () => {
  const week = weekStart(new Date());
  const [row] = await ds.query(`
    WITH c AS (SELECT id FROM centre WHERE name LIKE 'CRPC Rehabilitation Centre%')
    SELECT (SELECT count(*) FROM c)::int AS centres,
           (SELECT count(*) FROM room WHERE centre_id IN (SELECT id FROM c))::int AS rooms,
           (SELECT count(DISTINCT specialist_id) FROM specialist_centre WHERE centre_id IN (SELECT id FROM c))::int AS specialists,
           (SELECT count(DISTINCT child_id) FROM placement WHERE centre_id IN (SELECT id FROM c))::int AS children,
           (SELECT count(*) FROM care_plan WHERE centre_id IN (SELECT id FROM c))::int AS plans,
           (SELECT count(*) FROM session WHERE centre_id IN (SELECT id FROM c) AND starts_at >= $1 AND starts_at < $1::timestamptz + interval '7 days')::int AS sessions,
           (SELECT count(*) FROM schedule_proposal WHERE centre_id IN (SELECT id FROM c) AND applied_at IS NOT NULL)::int AS applied`, [week]);
  expect(row).toMatchObject({ centres: 2, specialists: 20, children: 60, plans: 60, applied: 2 });
  expect(row.rooms).toBeGreaterThanOrEqual(8);
  expect(row.sessions).toBeGreaterThan(150);
  process.stdout.write(`[demo seed] ${seedMs} ms for the whole demo world; ${row.sessions} sessions this week\n`);
});

test('centre_coordinator@demo.bkb coordinates one centre; specialist@demo.bkb sees its own week', async () => {
  const cc = await login('centre_coordinator@demo.bkb');
  const centres = await t.gql('{ centres { id name rooms { id } specialists { id } placements { child { id givenName } from to } carePlans { child { id } needs { discipline sessionsPerWeek minutes } } } }', undefined, cc);
  expect(centres.errors).toBeUndefined();
  expect(centres.data?.centres).toHaveLength(1);
  const [c] = centres.data?.centres;
  expect(c.placements).toHaveLength(30);
  expect(c.placements.every((p: any) => p.child?.givenName)).toBe(true);
  expect(c.specialists).toHaveLength(10);

  const sp = await login('specialist@demo.bkb');
  const me = await t.gql('{ centres { id specialists { id } } }', undefined, sp);
  const specialistId = me.data?.centres[0].specialists[0].id;
  const week = weekStart(new Date());
  const sched = await t.gql('query($s: ID!, $f: DateTimeISO!, $t: DateTimeISO!) { specialistSchedule(specialistId: $s, from: $f, to: $t) { id startsAt status child { givenName } } }',
    { s: specialistId, f: week.toISOString(), t: new Date(week.getTime() + 7 * 86_400_000).toISOString() }, sp);
  expect(sched.errors).toBeUndefined();
  expect(sched.data?.specialistSchedule.length).toBeGreaterThan(3);
});
