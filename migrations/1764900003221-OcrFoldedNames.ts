import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OCR-folded names for blocking (issue 9): traces read by OCR from scanned camp and institution lists confuse letters
 * in both names at once (Поліна Марченко as "Попина Марчеико"), past the one-typo levels and every key blocking joins on.
 * `given_ocr` / `family_ocr` hold `ocrKey` of the names (src/identification/skeleton.ts: confusable letters as one
 * class) on the traces and the children's name variants; blocking pairs the same folded surname with the same birth day
 * (either order), or the same folded surname and given name within a year. NULL on the rows that exist: `migrate` writes
 * them right after this migration (fillOcrFolds, src/db/backfills.ts), as matching computes them.
 */
export class OcrFoldedNames1764900003221 implements MigrationInterface {
  name = 'OcrFoldedNames1764900003221';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE external_record ADD COLUMN given_ocr text, ADD COLUMN family_ocr text`);
    await q.query(`ALTER TABLE child_name_variant ADD COLUMN given_ocr text, ADD COLUMN family_ocr text`);
    await q.query(`CREATE INDEX external_record_ocr_date_idx ON external_record (family_ocr, birth_mdkey)`);
    await q.query(`CREATE INDEX external_record_ocr_names_idx ON external_record (family_ocr, given_ocr)`);
    await q.query(`CREATE INDEX child_name_variant_ocr_date_idx ON child_name_variant (family_ocr, birth_mdkey)`);
    await q.query(`CREATE INDEX child_name_variant_ocr_names_idx ON child_name_variant (family_ocr, given_ocr)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE child_name_variant DROP COLUMN given_ocr, DROP COLUMN family_ocr`);
    await q.query(`ALTER TABLE external_record DROP COLUMN given_ocr, DROP COLUMN family_ocr`);
  }
}
