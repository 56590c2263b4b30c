import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The backfills that finished (`src/db/backfills.ts`). A backfill runs after its migration, outside the migration's
 * transaction (it writes in batches); a hub stopped during one recorded the migration and never ran the rest of the
 * backfill. `migrate` now runs every backfill whose migration is applied and that has no row here, and writes the row
 * when it finished; the backfills of migrations that ran before this table (1764900003211, 1764900003221) run once more
 * on the upgrade, touching only the rows still missing their data.
 */
export class BackfillRuns1764900003241 implements MigrationInterface {
  name = 'BackfillRuns1764900003241';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE backfill_run (
      name text PRIMARY KEY,
      rows_written integer NOT NULL,
      finished_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE backfill_run');
  }
}
