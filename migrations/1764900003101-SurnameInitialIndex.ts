import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index for the blocking pass on a surname written as its initial (issue 9): an adoption databank publishes a child
 * as "Александр М., 2015-07" (the given name, the surname's first letter, the birth month and year). Such a trace
 * shares no surname with its child, and no birth day; it is blocked on the given name's key, the birth year and the
 * initial. Partial: few traces are written so, and a new report looks up only those. The predicate is
 * `surnameInitialSql` of src/identification/compare.ts, written out (a migration does not change with the code); the
 * blocking query must use the same text for the planner to use the index.
 */
export class SurnameInitialIndex1764900003101 implements MigrationInterface {
  name = 'SurnameInitialIndex1764900003101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX external_record_surname_initial_idx ON external_record (given_key, birth_year)
      WHERE family_name ~ '^[^ .]\\.?$|^[^ .]{2,4}\\.$'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX external_record_surname_initial_idx`);
  }
}
