import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Blocking keys of a trace read with its given and family name swapped (issue 9: a partner state or a list writing
 * "SHEVCHENKO Oleksandr" the wrong way round). Set only when the family field reads as a given name of the table and
 * the given field does not (`swappedNames`), NULL otherwise; blocking joins them like the straight keys, through
 * partial indexes (a few traces in a hundred carry them). Filled on import and by `npm run match`, which rewrites
 * stale keys of older rows.
 */
export class RecordSwappedNames1764900002901 implements MigrationInterface {
  name = 'RecordSwappedNames1764900002901';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE external_record ADD COLUMN swap_given_skel text, ADD COLUMN swap_given_key text, ADD COLUMN swap_family_skel text`);
    await q.query(`CREATE INDEX external_record_swap_family_idx ON external_record (swap_family_skel) WHERE swap_given_key IS NOT NULL`);
    await q.query(`CREATE INDEX external_record_swap_given_date_idx ON external_record (swap_given_key, birth_mdkey) WHERE swap_given_key IS NOT NULL`);
    await q.query(`CREATE INDEX external_record_swap_given_year_idx ON external_record (swap_given_key, birth_year) WHERE swap_given_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE external_record DROP COLUMN swap_given_skel, DROP COLUMN swap_given_key, DROP COLUMN swap_family_skel`);
  }
}
