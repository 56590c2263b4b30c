import { Client } from 'pg';
test('db', async () => {
  const c = new Client({ connectionString: process.env.BKB_TEST_DB_URL });
  await c.connect();
  const r = await c.query('select count(*)::int n from case_file');
  expect(r.rows[0].n).toBe(0);
  await c.end();
});
