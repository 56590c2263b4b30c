import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Name search finds a case by any spelling of the child's name that shares its skeleton (Ирина Савицкая, Irina
 * Savitskaya for Ірина Савицька): `child.search_text` (and `search_text_own`) carry a `~skeleton` token per name word
 * (src/services/transliteration.ts). Skeletons are computed in TypeScript, so this migration writes nothing itself:
 * its backfill (`searchSkeletons`, src/db/backfills.ts) rewrites the search text of every child after it, in batches,
 * and resumes on the next start if it was stopped (`backfill_run`). Until it has run a child is found as before.
 */
export class SearchTextSkeletons1764900003251 implements MigrationInterface {
  name = 'SearchTextSkeletons1764900003251';

  async up(_q: QueryRunner): Promise<void> {
    // Nothing in SQL: see the backfill.
  }

  async down(_q: QueryRunner): Promise<void> {
    // The tokens left in search_text match nothing a search without them would not; nothing to undo.
  }
}
