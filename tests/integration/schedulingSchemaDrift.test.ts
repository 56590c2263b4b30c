import type { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../helpers/testApp';

/**
 * The scheduling entities describe what the hand-written migration creates, so that a generated migration
 * (`typeorm migration:generate`, i.e. the schema builder's diff) keeps it, in particular the exclusion
 * constraint that forbids double booking (declared with @Exclusion on SessionBooking).
 */
let t: TestApp;
let ds: DataSource;
beforeAll(async () => { t = await startTestApp(); ds = t.app.deps.dataSource; });
afterAll(async () => { await t.stop(); });

const TABLES = ['centre', 'centre_staff', 'room', 'specialist', 'specialist_centre', 'availability_rule', 'placement', 'care_plan', 'assignment', 'session_series', 'session', 'session_booking', 'schedule_proposal'];

test('a generated migration keeps the booking table, its exclusion constraint, every column and index', async () => {
  const { upQueries } = await ds.driver.createSchemaBuilder().log();
  const ours = upQueries.map((q) => q.query).filter((q) => TABLES.some((tb) => new RegExp(`"${tb}"`).test(q)));
  // Foreign keys and CHECKs are not declared on the entities (as in the core tables), so a generated
  // migration would list them; everything else must match exactly.
  const rest = ours.filter((q) => !/DROP CONSTRAINT "[a-z_]+(_fkey|_check|_chk)"$/.test(q));
  expect(rest).toEqual([]);
  expect(ours.filter((q) => /session_booking_no_overlap|EXCLUDE|INDEX|COLUMN/.test(q))).toEqual([]);
});

test('the exclusion constraint is in place, deferrable, over half-open ranges', async () => {
  const [c] = await ds.query(`SELECT pg_get_constraintdef(oid) AS def, condeferrable FROM pg_constraint WHERE conname = 'session_booking_no_overlap'`);
  expect(c.def).toBe('EXCLUDE USING gist (participant_kind WITH =, participant_id WITH =, during WITH &&) DEFERRABLE');
  expect(c.condeferrable).toBe(true);
});
