import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-field change counts on cases, children and sessions (issue 8, point 2). `version` and `updated_at` move on every
 * write, including writes a partial reader may not see (a SUMMARY partner, a specialist, the council without
 * health data, a centre coordinator who does not read session notes): shown to it, they would tell it that something hidden changed. `field_changes` records, per
 * column, how many times its value changed and when it last did: `{"status": {"n": 2, "at": "…"}}`. A reader
 * who may read only some fields gets a version and an update time computed from those fields alone
 * (src/auth/access/versions.ts).
 *
 * A trigger keeps it, so every path that writes these rows (services, seeds, scripts, plain SQL) is counted,
 * and only real changes count (`IS DISTINCT FROM`). It always starts from the stored value, so no writer can
 * set it. Bookkeeping columns (version, updated_at, field_changes) are not counted; every other column is, so a
 * column added later is tracked without touching this trigger.
 */
const TABLES = ['case_file', 'child', 'session'];

export class FieldChanges1764900000801 implements MigrationInterface {
  name = 'FieldChanges1764900000801';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN field_changes jsonb NOT NULL DEFAULT '{}'`);
    }
    // Existing cases: their status changes are known from the history (other fields' past changes are not,
    // which only means a partial reader's version starts lower; it still moves only on what it may read).
    await q.query(`UPDATE case_file c SET field_changes = jsonb_build_object('status', jsonb_build_object('n', e.n, 'at', e.at))
                     FROM (SELECT case_id, count(*)::int AS n, max(at) AS at FROM case_event WHERE kind = 'STATUS_CHANGED' GROUP BY case_id) e
                    WHERE e.case_id = c.id`);
    await q.query(`CREATE FUNCTION bkb_count_field_changes() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        skip constant text[] := ARRAY['version', 'updated_at', 'field_changes'];
        old_row jsonb := to_jsonb(OLD) - skip;
        new_row jsonb := to_jsonb(NEW) - skip;
        counts jsonb := OLD.field_changes;
        col text;
      BEGIN
        FOR col IN SELECT key FROM jsonb_each(new_row) WHERE new_row -> key IS DISTINCT FROM old_row -> key LOOP
          counts := jsonb_set(counts, ARRAY[col], jsonb_build_object('n', COALESCE((counts -> col ->> 'n')::int, 0) + 1, 'at', now()));
        END LOOP;
        NEW.field_changes := counts;
        RETURN NEW;
      END $$`);
    for (const table of TABLES) {
      await q.query(`CREATE TRIGGER ${table}_field_changes BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION bkb_count_field_changes()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`DROP TRIGGER ${table}_field_changes ON ${table}`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN field_changes`);
    }
    await q.query('DROP FUNCTION bkb_count_field_changes()');
  }
}
