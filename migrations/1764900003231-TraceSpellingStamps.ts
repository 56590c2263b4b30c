import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A child's change counts (`field_changes`, migration 1764900000801) with the aliases split as `Child.aliases` shows
 * them (issue 9, permissions): `aliases` counts changes to the spellings that are no confirmed trace's
 * (`trace_aliases`), `trace_spellings` the changes to those that are. A confirm adds the trace's spelling to the
 * aliases; counted as a change of `aliases`, it moved the version and update time of every reader of the aliases,
 * a SUMMARY partner's too, who is not shown that spelling: the stamp told it when a match was confirmed.
 * src/auth/access/versions.ts counts `trace_spellings` for the readers of the child's match candidates.
 *
 * A second trigger after the counting one (triggers fire in the order of their names): where the spellings that are
 * no trace's stayed as they were, it puts back the `aliases` count the first one moved.
 */
export class TraceSpellingStamps1764900003231 implements MigrationInterface {
  name = 'TraceSpellingStamps1764900003231';

  async up(q: QueryRunner): Promise<void> {
    const part = (row: 'OLD' | 'NEW', traces: boolean) =>
      `ARRAY(SELECT x FROM unnest(${row}.aliases) WITH ORDINALITY AS u(x, i) WHERE ${traces ? '' : 'NOT '}(x = ANY(${row}.trace_aliases)) ORDER BY i)`;
    await q.query(`CREATE FUNCTION bkb_count_child_trace_spellings() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        counts jsonb := NEW.field_changes;
      BEGIN
        IF NEW.aliases IS NOT DISTINCT FROM OLD.aliases AND NEW.trace_aliases IS NOT DISTINCT FROM OLD.trace_aliases THEN
          RETURN NEW;
        END IF;
        IF ${part('OLD', false)} IS NOT DISTINCT FROM ${part('NEW', false)} THEN
          counts := CASE WHEN OLD.field_changes ? 'aliases' THEN jsonb_set(counts, '{aliases}', OLD.field_changes -> 'aliases') ELSE counts - 'aliases' END;
        END IF;
        IF ${part('OLD', true)} IS DISTINCT FROM ${part('NEW', true)} THEN
          counts := jsonb_set(counts, '{trace_spellings}',
            jsonb_build_object('n', COALESCE((counts -> 'trace_spellings' ->> 'n')::int, 0) + 1, 'at', now()));
        END IF;
        NEW.field_changes := counts;
        RETURN NEW;
      END $$`);
    await q.query('CREATE TRIGGER child_field_changes_traces BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION bkb_count_child_trace_spellings()');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER child_field_changes_traces ON child');
    await q.query('DROP FUNCTION bkb_count_child_trace_spellings()');
  }
}
