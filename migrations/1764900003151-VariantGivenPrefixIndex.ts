import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The children's side of the blocking pass on the given name and the surname's first three letters (issue 9), as
 * external_record has it: without it, an import's 1,000 traces were joined to every child's name variant by sorting
 * them all (a merge join, 0.1 s of a batch at 20,000 children) instead of looking up each trace's few.
 */
export class VariantGivenPrefixIndex1764900003151 implements MigrationInterface {
  name = 'VariantGivenPrefixIndex1764900003151';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX child_name_variant_given_prefix_idx ON child_name_variant (given_key, left(family_skel, 3))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX child_name_variant_given_prefix_idx`);
  }
}
