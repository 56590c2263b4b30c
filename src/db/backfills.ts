import type { DataSource } from 'typeorm';
import { childOwnSearchText } from '../services/CaseService';
import { fillOcrFolds } from '../services/identification/linkage';

/**
 * Data a migration cannot write in SQL, written in TypeScript right after the migration that needs it ran
 * (`migrate`), so that an upgraded hub starts with it. Each is idempotent: it touches only the rows still missing it.
 */
export const BACKFILLS: Record<string, (ds: DataSource) => Promise<number>> = {
  TraceAliases1764900003211: ownSearchText,
  OcrFoldedNames1764900003221: (ds) => fillOcrFolds(ds),
};

/**
 * The search text without the spellings of confirmed traces (`search_text_own`) of the children that migration
 * 1764900003211 found such spellings for: it folds names in TypeScript, so the migration left it NULL ("the same as
 * search_text"), and until the child's next change a SUMMARY partner's name search still found it by the spelling a
 * Russian registry gave it. Returns the number of children written.
 */
export async function ownSearchText(ds: DataSource): Promise<number> {
  let written = 0;
  for (;;) {
    const rows: { id: string; given_name: string; family_name: string; patronymic: string | null; latin_name: string | null; aliases: string[]; trace_aliases: string[] }[] =
      await ds.query(`SELECT id, given_name, family_name, patronymic, latin_name, aliases, trace_aliases FROM child
                       WHERE search_text_own IS NULL AND trace_aliases <> '{}' AND aliases && trace_aliases ORDER BY id LIMIT 500`);
    if (rows.length === 0) return written;
    const texts = rows.map((r) => childOwnSearchText({
      givenName: r.given_name, familyName: r.family_name, patronymic: r.patronymic, latinName: r.latin_name, aliases: r.aliases, traceAliases: r.trace_aliases,
    }));
    await ds.query(`UPDATE child c SET search_text_own = t.text FROM unnest($1::uuid[], $2::text[]) AS t(id, text) WHERE c.id = t.id`, [rows.map((r) => r.id), texts]);
    written += rows.length;
  }
}
