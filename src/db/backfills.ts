import type { DataSource } from 'typeorm';
import { childOwnSearchText, childSearchText } from '../services/CaseService';
import { fillOcrFolds } from '../services/identification/linkage';

/**
 * Data a migration cannot write in SQL, written in TypeScript right after the migration that needs it ran
 * (`migrate`), so that an upgraded hub starts with it. Each is idempotent: it touches only the rows still missing it.
 */
export const BACKFILLS: Record<string, (ds: DataSource) => Promise<number>> = {
  TraceAliases1764900003211: ownSearchText,
  OcrFoldedNames1764900003221: (ds) => fillOcrFolds(ds),
  SearchTextSkeletons1764900003251: searchSkeletons,
};

/** A child's names as the search texts are made from them, read by the backfills below. */
const CHILD_NAMES = 'id, given_name, family_name, patronymic, latin_name, aliases, trace_aliases';
interface ChildNamesRow { id: string; given_name: string; family_name: string; patronymic: string | null; latin_name: string | null; aliases: string[]; trace_aliases: string[] }
const childNames = (r: ChildNamesRow) => ({
  givenName: r.given_name, familyName: r.family_name, patronymic: r.patronymic, latinName: r.latin_name, aliases: r.aliases, traceAliases: r.trace_aliases,
});

/**
 * The search text without the spellings of confirmed traces (`search_text_own`) of the children that migration
 * 1764900003211 found such spellings for: it folds names in TypeScript, so the migration left it NULL ("the same as
 * search_text"), and until the child's next change a SUMMARY partner's name search still found it by the spelling a
 * Russian registry gave it. Returns the number of children written.
 */
export async function ownSearchText(ds: DataSource): Promise<number> {
  let written = 0;
  for (;;) {
    const rows: ChildNamesRow[] = await ds.query(`SELECT ${CHILD_NAMES} FROM child
                       WHERE search_text_own IS NULL AND trace_aliases <> '{}' AND aliases && trace_aliases ORDER BY id LIMIT 500`);
    if (rows.length === 0) return written;
    const texts = rows.map((r) => childOwnSearchText(childNames(r)));
    await ds.query(`UPDATE child c SET search_text_own = t.text FROM unnest($1::uuid[], $2::text[]) AS t(id, text) WHERE c.id = t.id`, [rows.map((r) => r.id), texts]);
    written += rows.length;
  }
}

/**
 * The search texts of every child written again with the skeleton tokens (migration 1764900003251), in batches by
 * id. A child changed meanwhile (its version moved) is left alone: the change wrote its search text already.
 * Returns the number of children written.
 */
export async function searchSkeletons(ds: DataSource): Promise<number> {
  let written = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: (ChildNamesRow & { version: number })[] = await ds.query(`SELECT ${CHILD_NAMES}, version FROM child WHERE id > $1 ORDER BY id LIMIT 500`, [after]);
    if (rows.length === 0) return written;
    after = rows[rows.length - 1].id;
    const children = rows.map(childNames);
    // An UPDATE answers [rows, row count] through TypeORM.
    const [, n]: [unknown[], number] = await ds.query(
      `UPDATE child c SET search_text = t.text, search_text_own = t.own
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[]) AS t(id, version, text, own)
        WHERE c.id = t.id AND c.version = t.version AND (c.search_text IS DISTINCT FROM t.text OR c.search_text_own IS DISTINCT FROM t.own)`,
      [rows.map((r) => r.id), rows.map((r) => r.version), children.map(childSearchText), children.map(childOwnSearchText)],
    );
    written += n;
  }
}
