import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case worker's read filter asks, per case row, "does the reader's organization hold a FULL (SUMMARY) share
 * of this case": `EXISTS (SELECT 1 FROM case_share s WHERE s.case_id = c.id AND s.organization_id = $org AND
 * s.access = $a)`. With (organization_id, access) the probe read every share of that organization and access
 * and filtered on case_id (44-46 index entries per probe on the demo world, the plan PostgreSQL picks before the
 * table is analyzed); with case_id as the third column it is one index entry. The old index is a prefix of the
 * new one, so it goes (every query it served, the organization's shares of one access, uses the new one).
 */
export class CaseShareProbe1764900001601 implements MigrationInterface {
  name = 'CaseShareProbe1764900001601';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX case_share_org_access_case_idx ON case_share (organization_id, access, case_id)`);
    await q.query(`DROP INDEX case_share_org_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX case_share_org_idx ON case_share (organization_id, access)`);
    await q.query(`DROP INDEX case_share_org_access_case_idx`);
  }
}
