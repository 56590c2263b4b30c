import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the blocking pass on the given name and the patronymic (issue 9): a child renamed on adoption whose
 * report gives the birth date to the month or the year only shares neither the surname nor the birth day with its
 * trace, which the other passes key on. Indexed on both sides: a full match joins the tables, an import looks up
 * the children of its traces, and a new report the traces of its child.
 */
export class GivenPatronymicIndex1764900003001 implements MigrationInterface {
  name = 'GivenPatronymicIndex1764900003001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX external_record_given_patronymic_idx ON external_record (given_key, patronymic_key)`);
    await q.query(`CREATE INDEX child_name_variant_given_patronymic_idx ON child_name_variant (given_key, patronymic_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX child_name_variant_given_patronymic_idx`);
    await q.query(`DROP INDEX external_record_given_patronymic_idx`);
  }
}
