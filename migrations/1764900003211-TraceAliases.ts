import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The aliases of a child that came from a confirmed trace (issue 9, permissions). Confirming a match adds the
 * trace's spelling to `child.aliases` (search and matching use it), but traces are read only by those who may read
 * the child's candidates: a SUMMARY partner or centre staff reading `Child.aliases` would otherwise read the
 * name a Russian registry gives the child (often an adoptive surname). `trace_aliases` lists those spellings so that
 * `Child.aliases` leaves them out for such readers. Existing confirmed traces: their spelling as confirm writes it
 * (given, patronymic, family; or read the other way round for a swapped trace), where it is among the aliases.
 *
 * `search_text_own` is the child's search text without those spellings (NULL: the same as `search_text`), which name
 * search matches for the other readers. Written by the services (it folds names in TypeScript); for the children the
 * backfill above marks, by `ownSearchText` (src/db/backfills.ts), which `migrate` runs right after this migration.
 */
export class TraceAliases1764900003211 implements MigrationInterface {
  name = 'TraceAliases1764900003211';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE child ADD COLUMN trace_aliases text[] NOT NULL DEFAULT '{}', ADD COLUMN search_text_own text`);
    await q.query(`UPDATE child c SET trace_aliases = s.spellings
      FROM (SELECT ch.id, array_agg(DISTINCT a ORDER BY a) AS spellings
              FROM child ch CROSS JOIN LATERAL unnest(ch.aliases) AS a
             WHERE EXISTS (SELECT 1 FROM external_record r WHERE r.linked_child_id = ch.id
                             AND a IN (concat_ws(' ', r.given_name, r.patronymic, r.family_name), concat_ws(' ', r.family_name, r.patronymic, r.given_name)))
             GROUP BY ch.id) s
     WHERE s.id = c.id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE child DROP COLUMN trace_aliases, DROP COLUMN search_text_own`);
  }
}
