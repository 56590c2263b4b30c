import type { EntityManager } from 'typeorm';
import { BIRTH_SAME_YEAR, OCR_MIN_LENGTH, bestReading, birthLevelFrequencies, childBirth, compare, isSurnameInitial, recordVariants, surnameInitialSql, surnameParts, writtenVariant, F_BIRTH, F_FAMILY, F_GIVEN, F_PATRONYMIC, F_PLACE, F_SEX, parsePartialDate, placeSkeleton, sexOfPatronymic, type Comparison, type NameVariant, type PartialDate, type Person } from '../../identification/compare';
import {
  bandOf, DEFAULT_PARAMS, estimateM, fieldWeight, startingParams, fitsFields, isSiblingPattern, mayBeLikely, estimateU, explain, probability, weighComparison, weighPair,
  type MatchModel, type ModelParams, type TermFrequencies,
} from '../../identification/fellegiSunter';
import { NameKeys, sexlessParts, type EquivalenceRow } from '../../identification/names';
import { spellingKey } from '../../identification/skeleton';

/** Thresholds of the bands on the match probability. */
export interface Bands {
  likely: number;
  possible: number;
}

/** Which records a matching run looks at: some children, some traces, or everything. */
export type MatchScope = { childIds: string[] } | { recordIds: string[] } | { all: true };

export interface MatchRunStats {
  pairs: number;
  stored: number;
  likely: number;
  possible: number;
  removed: number;
  modelVersion: number;
}

/** Minimum pg_trgm similarity of two surname skeletons that share their first letters (a typo further on). */
const TRIGRAM_MIN = 0.3;
/** Minimum pg_trgm similarity of two surname skeletons that differ in their first letters (same given name and year). */
const TRIGRAM_FIRST_LETTERS = 0.45;

let cachedKeys: Promise<NameKeys> | null = null;

/** The given-name equivalence table as keys (read once per process; `reload` after editing the table). */
export function loadNameKeys(em: EntityManager, reload = false): Promise<NameKeys> {
  if (!cachedKeys || reload) {
    cachedKeys = em.query('SELECT name, canonical, language FROM given_name_equivalence').then((rows: EquivalenceRow[]) => new NameKeys(rows));
    cachedKeys.catch(() => { cachedKeys = null; });
  }
  return cachedKeys;
}

/** The newest stored model, or the starting model (version 0) before `npm run match` estimated one. */
export async function currentModel(em: EntityManager): Promise<MatchModel> {
  const [row]: { version: number; params: ModelParams }[] = await em.query('SELECT version, params FROM match_model ORDER BY version DESC LIMIT 1');
  // A model estimated before the fields' levels last changed cannot score today's comparisons: the starting
  // model serves until `npm run match` estimates a new one. Its prior depends on the number of children.
  if (row && fitsFields(row.params)) return { version: row.version, ...row.params };
  const [{ n }]: { n: number }[] = await em.query('SELECT count(*)::int AS n FROM child');
  return { version: 0, ...startingParams(n) };
}

/** Month-day key that a day/month swap does not change (`03-11` for 11 March and 3 November). */
export function birthMdKey(b: PartialDate | null): string | null {
  if (!b || b.m === null || b.d === null) return null;
  const [x, y] = b.m <= b.d ? [b.m, b.d] : [b.d, b.m];
  return `${String(x).padStart(2, '0')}-${String(y).padStart(2, '0')}`;
}

/** Splits a full name written in one string into given, patronymic and family name (given first). */
export function splitFullName(full: string): { given: string; patronymic: string | null; family: string } | null {
  const words = full.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return null;
  if (words.length === 2) return { given: words[0], patronymic: null, family: words[1] };
  return { given: words[0], patronymic: words.slice(1, -1).join(' '), family: words[words.length - 1] };
}

interface ChildRow {
  id: string;
  given_name: string;
  family_name: string;
  patronymic: string | null;
  latin_name: string | null;
  aliases: string[];
  birth_date: string;
  birth_date_precision: string;
  sex: string;
  place_of_birth: string | null;
}

interface RecordRow {
  id: string;
  given_name: string | null;
  family_name: string | null;
  patronymic: string | null;
  sex: string | null;
  birth_date: string | null;
  place_of_birth: string | null;
}

const sexOf = (s: string | null): 'FEMALE' | 'MALE' | null => (s === 'FEMALE' || s === 'MALE' ? s : null);

/** Every spelling of a child: as reported, its Latin form, its aliases and the traces confirmed as it. */
function childVariants(keys: NameKeys, c: ChildRow, traces: RecordRow[]): NameVariant[] {
  const out = new Map<string, NameVariant>();
  const sex = sexOf(c.sex);
  const put = (v: NameVariant) => {
    const k = `${v.givenSkel}|${v.familyKey}|${v.patronymicKey}`;
    // An alias or a Latin name with the surname as an initial ("Олександр М.") names nobody: as a variant it would meet
    // every trace of that initial, and read as a missing surname it would hide a different one. The report's own stays.
    if (v.familyInitial && out.size > 0) return;
    if (v.givenSkel && v.familySkel && !out.has(k)) out.set(k, v);
  };
  // An alias or the Latin name is read as a record writes it (a German spelling kept from a confirmed trace, in its scheme).
  const add = (given: string, family: string, patronymic: string | null) => put(writtenVariant(keys, given, family, patronymic, sex));
  add(c.given_name, c.family_name, c.patronymic);
  // A double-barrelled surname is often written with one of its parts only (Коваленко-Сидоренко as Коваленко).
  for (const part of surnameParts(c.family_name)) add(c.given_name, part, c.patronymic);
  for (const full of [c.latin_name, ...(c.aliases ?? [])]) {
    if (!full) continue;
    const parts = splitFullName(full);
    if (parts) add(parts.given, parts.family, parts.patronymic ?? c.patronymic);
    // One word: a surname taken later (adoption) or another spelling of it.
    else add(c.given_name, full.trim(), c.patronymic);
  }
  // A confirmed trace whose names were written the wrong way round lends them in the right fields.
  const own = [...out.values()];
  for (const t of traces) {
    // A surname written as its initial (an adoption databank's "Любомир К.") lends nothing: it names nobody.
    if (isSurnameInitial(t.family_name)) continue;
    const readings = recordVariants(keys, t.given_name ?? c.given_name, t.family_name ?? c.family_name, t.patronymic ?? c.patronymic, sex);
    put(readings[bestReading(own, readings)]);
  }
  // An Олександр or Олександра also carries the key of a Саша whose sex the trace does not tell (NameKeys.sexlessKeyOf).
  for (const v of [...out.values()]) {
    const sexless = keys.sexlessKeyOf(v.givenKey);
    const k = `${sexless}|${v.familyKey}|${v.patronymicKey}`;
    if (sexless && !out.has(k)) out.set(k, { ...v, givenKey: sexless });
  }
  return [...out.values()];
}

function childPerson(keys: NameKeys, c: ChildRow, traces: RecordRow[]): Person {
  const birth = childBirth(c.birth_date, c.birth_date_precision);
  return {
    id: c.id, variants: childVariants(keys, c, traces), sex: sexOf(c.sex), birth,
    birthText: c.birth_date_precision === 'EXACT' ? c.birth_date : c.birth_date_precision === 'MONTH' ? c.birth_date.slice(0, 7) : c.birth_date.slice(0, 4),
    placeOfBirth: c.place_of_birth, placeSkel: placeSkeleton(c.place_of_birth),
  };
}

/**
 * A confirmed trace's names in the right fields, for the child's aliases: read swapped when that reading is the one
 * that agrees with the child (`compare` takes the better reading), else as written.
 */
export async function confirmedNames(em: EntityManager, childId: string, trace: { given_name: string | null; family_name: string | null; patronymic: string | null }): Promise<{ given: string | null; family: string | null }> {
  const keys = await loadNameKeys(em);
  const readings = recordVariants(keys, trace.given_name, trace.family_name, trace.patronymic);
  if (readings.length < 2) return { given: trace.given_name, family: trace.family_name };
  const child = (await loadChildren(em, keys, [childId])).get(childId);
  return child && readings[bestReading(child.variants, readings)].swapped
    ? { given: trace.family_name, family: trace.given_name }
    : { given: trace.given_name, family: trace.family_name };
}

/** A trace as a person to compare (its derived keys are also what is stored on the row). */
export function recordPerson(keys: NameKeys, r: RecordRow): Person {
  // A trace without its sex often shows it in the patronymic.
  const sex = sexOf(r.sex) ?? sexOfPatronymic(r.patronymic);
  return {
    id: r.id,
    variants: recordVariants(keys, r.given_name, r.family_name, r.patronymic, sex),
    sex, birth: parsePartialDate(r.birth_date), birthText: r.birth_date,
    placeOfBirth: r.place_of_birth, placeSkel: placeSkeleton(r.place_of_birth),
  };
}

const CHILD_COLUMNS = `id, given_name, family_name, patronymic, latin_name, aliases, birth_date::text AS birth_date, birth_date_precision::text AS birth_date_precision, sex::text AS sex, place_of_birth`;
const RECORD_COLUMNS = `id, given_name, family_name, patronymic, sex::text AS sex, birth_date, place_of_birth`;

async function loadChildren(em: EntityManager, keys: NameKeys, ids: string[] | null): Promise<Map<string, Person>> {
  const rows: ChildRow[] = ids
    ? await em.query(`SELECT ${CHILD_COLUMNS} FROM child WHERE id = ANY($1::uuid[])`, [ids])
    : await em.query(`SELECT ${CHILD_COLUMNS} FROM child`);
  const traceRows: (RecordRow & { linked_child_id: string })[] = ids
    ? await em.query(`SELECT ${RECORD_COLUMNS}, linked_child_id FROM external_record WHERE linked_child_id = ANY($1::uuid[])`, [ids])
    : await em.query(`SELECT ${RECORD_COLUMNS}, linked_child_id FROM external_record WHERE linked_child_id IS NOT NULL`);
  const byChild = new Map<string, RecordRow[]>();
  for (const t of traceRows) byChild.set(t.linked_child_id, [...(byChild.get(t.linked_child_id) ?? []), t]);
  return new Map(rows.map((c) => [c.id, childPerson(keys, c, byChild.get(c.id) ?? [])]));
}

async function loadRecords(em: EntityManager, keys: NameKeys, ids: string[] | null): Promise<Map<string, Person>> {
  const rows: RecordRow[] = ids
    ? await em.query(`SELECT ${RECORD_COLUMNS} FROM external_record WHERE id = ANY($1::uuid[])`, [ids])
    : await em.query(`SELECT ${RECORD_COLUMNS} FROM external_record WHERE linked_child_id IS NULL`);
  return new Map(rows.map((r) => [r.id, recordPerson(keys, r)]));
}

/** Rewrites the name variants (the blocking keys) of these children, or of every child. */
export async function refreshChildVariants(em: EntityManager, childIds: string[] | null): Promise<Map<string, Person>> {
  const keys = await loadNameKeys(em);
  const people = await loadChildren(em, keys, childIds);
  const ids = [...people.keys()];
  if (childIds) await em.query('DELETE FROM child_name_variant WHERE child_id = ANY($1::uuid[])', [childIds]);
  else await em.query('TRUNCATE child_name_variant');
  const cols: unknown[][] = [[], [], [], [], [], [], [], [], [], [], [], [], []];
  for (const id of ids) {
    const p = people.get(id)!;
    p.variants.forEach((v, i) => {
      const row = [id, i === 0 ? 'REPORTED' : 'VARIANT', v.givenName, v.familyName, v.patronymic, v.givenSkel, v.givenKey, v.familySkel, v.patronymicKey, p.birth?.y ?? null, birthMdKey(p.birth), v.givenOcr, v.familyOcr];
      row.forEach((x, k) => cols[k].push(x));
    });
  }
  for (let start = 0; start < cols[0].length; start += 20000) {
    const slice = cols.map((c) => c.slice(start, start + 20000));
    await em.query(
      `INSERT INTO child_name_variant (child_id, origin, given_name, family_name, patronymic, given_skel, given_key, family_skel, patronymic_key, birth_year, birth_mdkey,
         given_ocr, family_ocr)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::text[],
         $12::text[], $13::text[])`,
      slice,
    );
  }
  return people;
}

/**
 * Candidate pairs, generated in PostgreSQL by blocking: the same surname skeleton within a year and a given
 * name with the same key or initial (common surnames would otherwise pair everyone); the same
 * given-name key and birth day/month (either order) within a year; the same given-name key and a surname
 * skeleton sharing its first three letters with pg_trgm similarity above a floor, or born the same year with a
 * higher similarity (typos early in the surname); the same given-name key and patronymic key within a year when
 * either side lacks the birth day (a child renamed on adoption, reported with the month or year only, against the
 * registry's full date: neither the surname nor the day is there to block on); for a trace that writes the surname as
 * its initial ("Александр М., 2015-07", an adoption databank), the same given-name key, birth year and initial
 * (migration 1764900003101 indexes it). A year-only
 * or missing birth date passes the year tests of the first and third passes. A trace whose names look swapped
 * (`recordVariants`, its keys in the swap_* columns) goes through the first four branches a second time with its swapped keys. Traces already confirmed and children whose case is marked
 * doNotMatch are left out.
 */
export async function blockedPairs(em: EntityManager, scope: MatchScope): Promise<BlockedPair[]> {
  const params: unknown[] = [TRIGRAM_MIN, null, TRIGRAM_FIRST_LETTERS];
  let scopeSql = '$2::uuid[] IS NULL';
  if ('childIds' in scope) {
    params[1] = scope.childIds;
    scopeSql = 'v.child_id = ANY($2::uuid[])';
  } else if ('recordIds' in scope) {
    params[1] = scope.recordIds;
    scopeSql = 'e.id = ANY($2::uuid[])';
  }
  const yearNear = '(e.birth_year IS NULL OR v.birth_year IS NULL OR abs(e.birth_year - v.birth_year) <= 1)';
  // The traces read with their names swapped (swap_* keys: the swapped reading of recordVariants) under the straight keys' names: each branch
  // below runs on them too. Few traces have them, through partial indexes.
  const swapped = `(SELECT id, linked_child_id, birth_year, birth_mdkey, swap_given_skel AS given_skel, swap_given_key AS given_key,
    swap_family_skel AS family_skel FROM external_record WHERE swap_given_key IS NOT NULL)`;
  const branch = (on: string, where: string, scopeParam = '$2', records = 'external_record') =>
    `SELECT v.child_id, e.id AS record_id FROM child_name_variant v JOIN ${records} e ON ${on}
      WHERE ${scopeSql.replace('$2', scopeParam)} AND e.linked_child_id IS NULL AND ${where}`;
  const branches = (on: string, where: string) => `${branch(on, where)}\n       UNION ALL\n       ${branch(on, where, '$2', swapped)}`;
  const exclusion = 'NOT EXISTS (SELECT 1 FROM case_file c JOIN case_match_exclusion x ON x.case_id = c.id WHERE c.child_id = p.child_id)';
  // A fifth pass for a typo in the given name's first letters (Нскита / Микита), which passes 1–4 all key on: the
  // same surname skeleton and birth day (either order) with another initial. Mostly twins, whose given names differ
  // (never stored); they are kept out of training, where they taught EM that a differing given name is common among
  // matches (tried as a wider first pass, it cost precision).
  const typoPairs: BlockedPair[] = await em.query(
    `SELECT DISTINCT p.child_id, p.record_id, true AS typo FROM (
       ${branch('e.family_skel = v.family_skel AND e.birth_mdkey = v.birth_mdkey', `v.family_skel <> '' AND e.given_skel <> '' AND left(e.given_skel, 1) <> left(v.given_skel, 1) AND e.given_key <> v.given_key AND abs(e.birth_year - v.birth_year) <= 1`, '$1')}
     ) p WHERE ${exclusion}`,
    [params[1]],
  );
  const pairs: BlockedPair[] = await em.query(
    `SELECT DISTINCT p.child_id, p.record_id FROM (
       ${branches('e.family_skel = v.family_skel', `v.family_skel <> '' AND ${yearNear} AND (e.given_key = v.given_key OR e.given_skel = '' OR left(e.given_skel, 1) = left(v.given_skel, 1))`)}
       UNION ALL
       ${branches('e.given_key = v.given_key AND e.birth_mdkey = v.birth_mdkey', `v.given_key <> '' AND abs(e.birth_year - v.birth_year) <= 1`)}
       UNION ALL
       ${branches('e.given_key = v.given_key AND left(e.family_skel, 3) = left(v.family_skel, 3)', `v.given_key <> '' AND e.family_skel <> v.family_skel AND ${yearNear} AND similarity(e.family_skel, v.family_skel) >= $1`)}
       UNION ALL
       ${branches('e.given_key = v.given_key AND e.birth_year = v.birth_year', `v.given_key <> '' AND left(e.family_skel, 3) <> left(v.family_skel, 3) AND similarity(e.family_skel, v.family_skel) >= $3`)}
       UNION ALL
       ${branch('e.given_key = v.given_key AND e.patronymic_key = v.patronymic_key', `v.given_key <> '' AND v.patronymic_key <> '' AND e.family_skel <> v.family_skel AND (v.birth_mdkey IS NULL OR length(e.birth_date) = 7) AND abs(e.birth_year - v.birth_year) <= 1`)}
       UNION ALL
       ${branch('e.given_key = v.given_key AND e.birth_year = v.birth_year', `${surnameInitialSql('e')} AND v.given_key <> '' AND left(e.family_skel, 1) = left(v.family_skel, 1)`)}
       UNION ALL
       ${branch('e.family_ocr = v.family_ocr AND e.birth_mdkey = v.birth_mdkey', `length(v.family_ocr) >= ${OCR_MIN_LENGTH} AND abs(e.birth_year - v.birth_year) <= 1`)}
       UNION ALL
       ${branch('e.family_ocr = v.family_ocr AND e.given_ocr = v.given_ocr', `length(v.family_ocr) >= ${OCR_MIN_LENGTH} AND length(v.given_ocr) >= ${OCR_MIN_LENGTH} AND ${yearNear}`)}
     ) p
     WHERE ${exclusion}`,
    params,
  );
  if (!typoPairs.length) return pairs;
  const seen = new Set(pairs.map((p) => `${p.child_id}|${p.record_id}`));
  for (const p of typoPairs) if (!seen.has(`${p.child_id}|${p.record_id}`)) pairs.push(p);
  return pairs;
}

/** A blocked pair; `typo` when only the given-name typo pass found it (kept out of training). */
export interface BlockedPair {
  child_id: string;
  record_id: string;
  typo?: boolean;
}

/**
 * Term frequencies of the surnames and given names of these traces (or of all), counted over every trace. The
 * surname's spelling key is not a column: it is counted from the surnames of the traces that share its skeleton.
 */
export async function termFrequencies(em: EntityManager, records: Map<string, Person> | null): Promise<TermFrequencies> {
  const family = new Map<string, number>();
  const familyKey = new Map<string, number>();
  const given = new Map<string, number>();
  // Every reading of a trace (a swapped one too) is scored with its names' frequencies; a Саша of unknown sex with
  // those of both names.
  const fam = records ? [...new Set([...records.values()].flatMap((r) => r.variants.map((v) => v.familySkel)))] : null;
  const giv = records ? [...new Set([...records.values()].flatMap((r) => r.variants.flatMap((v) => sexlessParts(v.givenKey) ?? [v.givenKey])))] : null;
  const rows1: { k: string; name: string; n: number }[] = fam
    ? await em.query('SELECT family_skel AS k, family_name AS name, count(*)::int AS n FROM external_record WHERE family_skel = ANY($1::text[]) GROUP BY 1, 2', [fam])
    : await em.query('SELECT family_skel AS k, family_name AS name, count(*)::int AS n FROM external_record GROUP BY 1, 2');
  // Every given key is counted, in the scan that also counts the traces (one pass over the table instead of two; a
  // batch's traces name most given keys anyway), and those of other traces are left out below.
  const rows2: { k: string; n: number }[] = await em.query('SELECT given_key AS k, count(*)::int AS n FROM external_record GROUP BY 1');
  const total = rows2.reduce((a, r) => a + r.n, 0);
  const wanted = giv ? new Set(giv) : null;
  for (const r of rows1) {
    family.set(r.k, (family.get(r.k) ?? 0) + r.n);
    const key = spellingKey(r.name);
    familyKey.set(key, (familyKey.get(key) ?? 0) + r.n);
  }
  for (const r of rows2) if (!wanted || wanted.has(r.k)) given.set(r.k, r.n);
  // A surname written as its initial is weighed by how many traces' surnames begin so (surnameInitialWeight).
  let initial: Map<string, number> | undefined;
  if (!records || [...records.values()].some((r) => r.variants.some((v) => v.familyInitial))) {
    const rows3: { k: string; n: number }[] = await em.query(`SELECT left(family_skel, 1) AS k, count(*)::int AS n FROM external_record WHERE family_skel <> '' GROUP BY 1`);
    initial = new Map(rows3.map((r) => [r.k, r.n]));
  }
  return { family, familyKey, given, initial, total };
}

/** A scored pair worth storing. */
export interface ScoredPair {
  childId: string;
  recordId: string;
  score: number;
  probability: number;
  band: 'LIKELY' | 'POSSIBLE';
  explanation: string;
}

/**
 * Scores pairs with the model and keeps those in a band. A trace is of one child at most, so the children
 * competing for the same trace share its odds: a pair's probability is 2^w / (1 + Σ 2^w over every child
 * blocked with that trace whose names agree). LIKELY is decided on that shared probability: a trace whose two
 * best candidates are close is ambiguous and falls to POSSIBLE; a trace with one strong candidate keeps its
 * probability. The stored probability and POSSIBLE stay the pair's own, so a weaker rival is still shown. (A child may have several traces, so
 * there is no such sharing on the child's side.) `pairs` must hold every blocked child of each trace.
 */
export function scorePairs(
  pairs: { child_id: string; record_id: string }[], children: Map<string, Person>, records: Map<string, Person>, model: MatchModel, bands: Bands,
  tf: TermFrequencies | null = null, keep: (childId: string) => boolean = () => true,
): ScoredPair[] {
  const scored: { child: Person; rec: Person; c: ReturnType<typeof compare>; adj: number[]; w: number }[] = [];
  const odds = new Map<string, number>();
  for (const p of pairs) {
    const child = children.get(p.child_id);
    const rec = records.get(p.record_id);
    if (!child || !rec) continue;
    const { c, adj, w } = weighPair(model, tf, child, rec);
    // Rivals are the children that could be LIKELY themselves (names agree). A sibling is none: its weight is
    // inflated by the family fields; nor is a namesake under another surname, which only a person can weigh.
    if (mayBeLikely(c.levels)) odds.set(rec.id, (odds.get(rec.id) ?? 0) + 2 ** Math.min(w, 60));
    scored.push({ child, rec, c, adj, w });
  }
  const out: ScoredPair[] = [];
  for (const { child, rec, c, adj, w } of scored) {
    if (!keep(child.id)) continue;
    const o = 2 ** Math.min(w, 60);
    const prob = probability(w);
    const band = bandOf(c.levels, prob, bands, o / (1 + (odds.get(rec.id) ?? o)));
    if (!band) continue;
    out.push({ childId: child.id, recordId: rec.id, score: Math.round(w * 1000) / 1000, probability: prob, band, explanation: JSON.stringify(explain(model, c, child, rec, adj)) });
  }
  return out;
}

/**
 * Writes the candidates of a run: new pairs are inserted, OPEN ones rescored (their version moves on only
 * when something changed), decided ones (CONFIRMED, REJECTED, SUPERSEDED) are never touched, and OPEN ones
 * of the scope that no longer qualify are removed.
 */
async function storeCandidates(em: EntityManager, scope: MatchScope, unordered: ScoredPair[], modelVersion: number): Promise<{ removed: number }> {
  const CHUNK = 5000;
  // Candidate rows are written in one order, (child, trace), as a confirm locks them: an import, a confirm and an
  // updateChild that re-match overlapping pairs at once took them in the order each scored them and deadlocked.
  const scored = [...unordered].sort((a, b) => (a.childId < b.childId ? -1 : a.childId > b.childId ? 1 : a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0));
  for (let i = 0; i < scored.length; i += CHUNK) {
    const s = scored.slice(i, i + CHUNK);
    await em.query(
      `INSERT INTO match_candidate (child_id, external_record_id, score, probability, band, explanation, model_version)
       SELECT c, r, s, p, b::match_band, x::jsonb, $7 FROM unnest($1::uuid[], $2::uuid[], $3::float8[], $4::float8[], $5::text[], $6::text[]) AS t(c, r, s, p, b, x)
       ON CONFLICT (child_id, external_record_id) DO UPDATE
         SET score = EXCLUDED.score, probability = EXCLUDED.probability, band = EXCLUDED.band, explanation = EXCLUDED.explanation,
             model_version = EXCLUDED.model_version, version = match_candidate.version + 1, updated_at = now()
       WHERE match_candidate.status = 'OPEN'
         AND (match_candidate.score, match_candidate.band, match_candidate.explanation, match_candidate.model_version)
             IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.band, EXCLUDED.explanation, EXCLUDED.model_version)`,
      [s.map((x) => x.childId), s.map((x) => x.recordId), s.map((x) => x.score), s.map((x) => x.probability), s.map((x) => x.band), s.map((x) => x.explanation), modelVersion],
    );
  }
  const scopeSql = 'childIds' in scope ? 'm.child_id = ANY($3::uuid[])' : 'recordIds' in scope ? 'm.external_record_id = ANY($3::uuid[])' : 'TRUE';
  const params: unknown[] = [scored.map((x) => x.childId), scored.map((x) => x.recordId)];
  if ('childIds' in scope) params.push(scope.childIds);
  if ('recordIds' in scope) params.push(scope.recordIds);
  const res = await em.query(
    `WITH kept AS (SELECT * FROM unnest($1::uuid[], $2::uuid[]) AS k(c, r))
     DELETE FROM match_candidate m WHERE m.status = 'OPEN' AND ${scopeSql}
       AND NOT EXISTS (SELECT 1 FROM kept WHERE kept.c = m.child_id AND kept.r = m.external_record_id)`,
    params,
  );
  return { removed: Array.isArray(res) ? Number(res[1] ?? 0) : 0 };
}

/**
 * Incremental matching for new or changed records (traces or children), inside the caller's transaction:
 * blocking in PostgreSQL, scoring with the current model, candidates written.
 */
export async function matchScope(em: EntityManager, scope: MatchScope, bands: Bands): Promise<MatchRunStats> {
  const lap = stepTimer('matchScope');
  const keys = await loadNameKeys(em);
  const model = await currentModel(em);
  if ('childIds' in scope) await refreshChildVariants(em, scope.childIds);
  // Children written without the services (seeds, data loads, rows older than this feature) get their variants now.
  const missing: { id: string }[] = await em.query(
    'SELECT c.id FROM child c WHERE NOT EXISTS (SELECT 1 FROM child_name_variant v WHERE v.child_id = c.id) LIMIT 50000',
  );
  if (missing.length) await refreshChildVariants(em, missing.map((m) => m.id));
  lap(`model+variants(${missing.length})`);
  const pairs = await blockedPairs(em, scope);
  // The other children blocked with these traces compete for them (see scorePairs): scored, not stored here.
  const inScope = 'childIds' in scope ? new Set(scope.childIds) : null;
  const allPairs = inScope && pairs.length ? await blockedPairs(em, { recordIds: [...new Set(pairs.map((p) => p.record_id))] }) : pairs;
  lap(`blocking(${allPairs.length})`);
  const childIds = [...new Set(allPairs.map((p) => p.child_id))];
  const recordIds = [...new Set(allPairs.map((p) => p.record_id))];
  const [children, records] = await Promise.all([loadChildren(em, keys, childIds), loadRecords(em, keys, recordIds)]);
  lap('load');
  const tf = await termFrequencies(em, records);
  lap('tf');
  const scored = scorePairs(allPairs, children, records, model, bands, tf, inScope ? (id) => inScope.has(id) : undefined);
  lap(`score(${scored.length})`);
  const { removed } = await storeCandidates(em, scope, scored, model.version);
  lap('store', true);
  return summary(pairs.length, scored, removed, model.version);
}

/**
 * With BKB_MATCH_TIMING set, a line on stderr per call with the milliseconds of each step (the benchmark's batches),
 * written at the step marked `last`; otherwise a no-op.
 */
export function stepTimer(name: string): (step: string, last?: boolean) => void {
  if (!process.env.BKB_MATCH_TIMING) return () => undefined;
  const t0 = Date.now();
  let before = t0;
  const steps: string[] = [];
  return (step, last = false) => {
    const now = Date.now();
    steps.push(`${step} ${now - before}`);
    before = now;
    if (last) process.stderr.write(`[timing] ${name}: ${steps.join(', ')}; total ${now - t0} ms\n`);
  };
}

function summary(pairs: number, scored: ScoredPair[], removed: number, modelVersion: number): MatchRunStats {
  const likely = scored.filter((s) => s.band === 'LIKELY').length;
  return { pairs, stored: scored.length, likely, possible: scored.length - likely, removed, modelVersion };
}

/** Options of a full run. */
export interface FullRunOptions {
  bands: Bands;
  /** Estimate a new model (u from random pairs, m and λ by EM over the blocked pairs) before scoring. */
  train: boolean;
  progress?: (step: string, detail?: Record<string, unknown>) => void;
  /** Seed of the random pairs that estimate u. */
  seed?: number;
  /** Sees the blocked pairs (the benchmark measures blocking with them). */
  onPairs?: (pairs: { child_id: string; record_id: string }[]) => void;
}

/**
 * The OCR-folded names (`given_ocr` / `family_ocr`, migration 1764900003221) of the traces and children's name variants
 * that lack them, written as matching writes them (`recordPerson`, `refreshChildVariants`): the migration adds them as
 * NULL, and incremental matching (an import, reportChild, updateChild) joins on them, so until a full run an
 * OCR-misread trace of a child reported before was never proposed. Idempotent (a written fold is never NULL: '' for
 * no name); returns the rows written (traces and children).
 */
export async function fillOcrFolds(ds: { transaction<T>(run: (em: EntityManager) => Promise<T>): Promise<T> }): Promise<number> {
  let written = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const n = await ds.transaction(async (em) => {
      const rows: RecordRow[] = await em.query(
        `SELECT ${RECORD_COLUMNS} FROM external_record WHERE family_ocr IS NULL AND id > $1 ORDER BY id LIMIT 2000 FOR UPDATE`, [after]);
      if (rows.length === 0) return 0;
      after = rows[rows.length - 1].id;
      const keys = await loadNameKeys(em);
      const v = rows.map((r) => recordPerson(keys, r).variants[0]);
      await em.query(
        `UPDATE external_record e SET given_ocr = x.go, family_ocr = x.fo FROM unnest($1::uuid[], $2::text[], $3::text[]) AS x(id, go, fo) WHERE e.id = x.id`,
        [rows.map((r) => r.id), v.map((x) => x?.givenOcr ?? ''), v.map((x) => x?.familyOcr ?? '')],
      );
      return rows.length;
    });
    if (n === 0) break;
    written += n;
  }
  for (;;) {
    const n = await ds.transaction(async (em) => {
      const ids: string[] = (await em.query('SELECT DISTINCT child_id FROM child_name_variant WHERE family_ocr IS NULL LIMIT 2000') as { child_id: string }[]).map((r) => r.child_id);
      if (ids.length) await refreshChildVariants(em, ids);
      return ids.length;
    });
    if (n === 0) break;
    written += n;
  }
  return written;
}

/**
 * The unlinked traces, and rewrites the stored blocking keys (name skeletons, given-name and patronymic keys) of
 * those whose keys the code or the equivalence table now computes differently: a trace imported before a change of
 * the skeleton (Cyrillic consonant pairs are folded directly now: Нуцчук) or of the table (Евгений / Євгенія
 * keyed by spelling) kept its old keys, and blocking would miss it. The keys are computed for scoring anyway.
 */
async function loadRecordsRekeyed(em: EntityManager, keys: NameKeys): Promise<{ records: Map<string, Person>; rekeyed: number }> {
  const rows: (RecordRow & { given_skel: string; given_key: string; family_skel: string; patronymic_key: string; swap_given_skel: string | null; swap_given_key: string | null; swap_family_skel: string | null;
    given_ocr: string | null; family_ocr: string | null })[] = await em.query(
    `SELECT ${RECORD_COLUMNS}, given_skel, given_key, family_skel, patronymic_key, swap_given_skel, swap_given_key, swap_family_skel, given_ocr, family_ocr
       FROM external_record WHERE linked_child_id IS NULL`);
  const people = new Map<string, Person>();
  const stale: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
  for (const r of rows) {
    const p = recordPerson(keys, r);
    people.set(r.id, p);
    const v = p.variants[0];
    // The swapped reading's keys (rows imported before they existed have none).
    const w = p.variants[1]?.swapped ? p.variants[1] : null;
    const swap = [w?.givenSkel ?? null, w?.givenKey ?? null, w?.familySkel ?? null];
    if (v.givenSkel !== r.given_skel || v.givenKey !== r.given_key || v.familySkel !== r.family_skel || v.patronymicKey !== r.patronymic_key
      || swap[0] !== r.swap_given_skel || swap[1] !== r.swap_given_key || swap[2] !== r.swap_family_skel
      || v.givenOcr !== r.given_ocr || v.familyOcr !== r.family_ocr) {
      [r.id, v.givenSkel, v.givenKey, v.familySkel, v.patronymicKey, ...swap, v.givenOcr, v.familyOcr].forEach((x, k) => stale[k].push(x));
    }
  }
  for (let start = 0; start < stale[0].length; start += 20000) {
    await em.query(
      `UPDATE external_record e SET given_skel = x.gs, given_key = x.gk, family_skel = x.fs, patronymic_key = x.pk,
         swap_given_skel = x.sgs, swap_given_key = x.sgk, swap_family_skel = x.sfs, given_ocr = x.go, family_ocr = x.fo
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
           AS x(id, gs, gk, fs, pk, sgs, sgk, sfs, go, fo)
        WHERE e.id = x.id`,
      stale.map((c) => c.slice(start, start + 20000)),
    );
  }
  return { records: people, rekeyed: stale[0].length };
}

/** Full matching (`npm run match`): every child against every unlinked trace, optionally with a new model. */

export async function matchAll(em: EntityManager, opts: FullRunOptions): Promise<MatchRunStats & { timings: Record<string, number> }> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const lap = (name: string) => { timings[name] = Date.now() - t0 - Object.values(timings).reduce((a, b) => a + b, 0); };
  // The candidates first, before the name variants (TRUNCATE): a confirm, an import's bump or doNotMatch locks candidate
  // rows and then (re-matching) wants child_name_variant, while this run holds that table and writes every candidate at
  // its end; each waited for the other and one failed on a deadlock. Locked here, they wait for the run before taking
  // any candidate (plain reads go on).
  await em.query('LOCK TABLE match_candidate IN EXCLUSIVE MODE');
  const keys = await loadNameKeys(em, true);
  const children = await refreshChildVariants(em, null);
  await em.query('ANALYZE child_name_variant');
  lap('variants');
  opts.progress?.('variants', { children: children.size });
  const { records, rekeyed } = await loadRecordsRekeyed(em, keys);
  lap('load');
  opts.progress?.('load', { records: records.size, rekeyed });
  const pairs = await blockedPairs(em, { all: true });
  lap('blocking');
  opts.progress?.('blocking', { pairs: pairs.length });
  opts.onPairs?.(pairs);
  let model = await currentModel(em);
  // The term frequencies before the model: training weighs the names with them (refineByModel), as scoring does.
  const tf = await termFrequencies(em, null);
  if (opts.train) {
    const params = trainModel(children, records, pairs, opts.seed ?? 1, tf);
    const [row]: { version: number }[] = await em.query('INSERT INTO match_model (params, pairs) VALUES ($1, $2) RETURNING version', [JSON.stringify(params), pairs.length]);
    model = { version: row.version, ...params };
    lap('train');
    opts.progress?.('model', { version: model.version, lambda: model.lambda });
  }
  const scored = scorePairs(pairs, children, records, model, opts.bands, tf);
  lap('score');
  const { removed } = await storeCandidates(em, { all: true }, scored, model.version);
  lap('store');
  return { ...summary(pairs.length, scored, removed, model.version), timings };
}

/**
 * Least m of any level. EM leaves a level that no likely match shows in the sample at its smoothing (m ~ 1e-5), which
 * makes it a veto of ~17 bits: a patronymic or place that only looks alike (SIMILAR) then weighed 6 bits less than
 * one that differs, and a true pair with one slip in a field the benchmark never garbles could not be found. At
 * 0.001 such a level still weighs −3 to −10 bits.
 */
export const M_FLOOR = 0.001;

export function floorM(row: number[]): number[] {
  const floored = row.map((x) => Math.max(x, M_FLOOR));
  const total = floored.reduce((a, b) => a + b, 0);
  return floored.map((x) => x / total);
}

/** Random pairs (born within a year of each other) whose levels estimate u. */
const RANDOM_PAIRS = 30000;

/**
 * Re-estimates m of the birth date, sex and place of birth by EM over every training pair, with the rest of the
 * score held as it scores: the names with their term-frequency adjustments, the patronymic, the dependence
 * adjustment and the random pair's prior λ. Their first estimate comes from pairs that agree on given name, surname
 * and patronymic, so it is that of the sources that write a patronymic; sources that leave it out have date habits of
 * their own (a year computed from an age, often one off: NEAR_YEAR; the month only: SAME_MONTH) and were left out.
 * Blocking is a function of the pairs' values, so the model's posterior of a blocked pair is its posterior among all
 * pairs, and every blocked pair can weigh in by it: a pair of rare names is almost surely a match, a pair of common
 * names with nothing else is a namesake as often as not. At seed 42 (5,000 / 50,000) m of NEAR_YEAR came out 0.0044
 * in the fresh world and 0.0090 in the blind one (−4.7 and −4.3 bits) where the blocked true pairs show 0.031 and
 * 0.032 (−1.9 and −2.5); re-estimated so, −2.0 and −2.9 (SAME_MONTH in the fresh world 4.1 → 5.1 bits, the truth's 5.0).
 * A differing date, which the first estimate gave the namesakes of the session some m of (−5.7 to −8.3 bits), falls
 * to the floor (−9.5) in the worlds where no true pair shows one.
 * The patronymic is not re-estimated so: there EM takes namesakes whose patronymics differ for matches (m of
 * DIFFERENT from −9.9 to −3 bits at 20,000 / 200,000, LIKELY F1 −0.004).
 */
export function refineByModel(params: ModelParams, pairs: Comparison[], tf: TermFrequencies | null, iterations = 25): ModelParams {
  const fields = [F_BIRTH, F_SEX, F_PLACE];
  // What the rest of the score says of each pair: it does not move while these fields' m does (no adjustment reads them).
  const rest = pairs.map((c) => weighComparison(params, tf, c).w - fields.reduce((w, f) => w + fieldWeight(params, f, c.levels[f]), 0));
  let p = params;
  for (let it = 0; it < iterations; it++) {
    const counts = fields.map((f) => p.m[f].map(() => 0.5)); // smoothing, as estimateM
    pairs.forEach((c, k) => {
      const post = probability(fields.reduce((w, f) => w + fieldWeight(p, f, c.levels[f]), rest[k]));
      fields.forEach((f, i) => { if (c.levels[f] >= 0) counts[i][c.levels[f]] += post; });
    });
    const m = p.m.map((row, f) => {
      const i = fields.indexOf(f);
      if (i < 0) return row;
      const total = counts[i].reduce((a, b) => a + b, 0);
      return floorM(counts[i].map((x) => x / total));
    });
    p = { ...p, m };
  }
  return p;
}

/**
 * Estimates a model: u from random pairs, then m and λ by EM over (a sample of) the blocked pairs, then m of the birth
 * date, sex and place once more under the whole score (`refineByModel`, with the names' term frequencies `tf`).
 */
export function trainModel(children: Map<string, Person>, records: Map<string, Person>, pairs: BlockedPair[], seed: number, tf: TermFrequencies | null = null): ModelParams {
  // In a fixed order (by id): people come from PostgreSQL in no fixed order, and the sample below must not move
  // from one run to the next on the same data.
  const byId = (a: Person, b: Person) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const cs = [...children.values()].sort(byId);
  const rs = [...records.values()].sort(byId);
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // u among the pairs blocking can produce: every blocking pass asks for birth years at most one apart (or
  // unknown), so random pairs are drawn under the same condition, or the birth date would look like evidence.
  const random: Int8Array[] = [];
  let draws = 0;
  if (cs.length && rs.length) {
    for (; draws < 1000000 && random.length < RANDOM_PAIRS; draws++) {
      const c = cs[Math.floor(rnd() * cs.length)];
      const r = rs[Math.floor(rnd() * rs.length)];
      if (c.birth && r.birth && Math.abs(c.birth.y - r.birth.y) > 1) continue;
      random.push(compare(c, r).levels);
    }
  }
  const u = random.length ? estimateU(random) : DEFAULT_PARAMS.u;
  // The birth date's strong levels are rare among random pairs (EXACT about 1 in 1,000: some 25 of 30,000 pairs,
  // so u moved by a third of a bit from run to run, enough to carry a renamed child across 0.5). Their u is counted
  // exactly from the birth dates' frequencies instead, over every pair born within a year of each other.
  if (random.length) {
    const exact = birthLevelFrequencies(cs.map((c) => c.birth), rs.map((r) => r.birth));
    if (exact) u[F_BIRTH] = exact;
  }
  // A pair whose birth date is missing on either side passes the year condition whatever the years: among all
  // pairs it is as common as anywhere, among the pairs that pass the condition 1 / (their share) times more common,
  // so its weight is log2 of that share (about -2 bits), not 0. With 0, "Олександр Шевченко" with no date weighed
  // 2 bits more than the same names born the same year, and namesakes without a date filled POSSIBLE.
  const birthMissing = draws && random.length ? Math.log2(random.length / draws) : 0;
  const sample: Int8Array[] = [];
  const comparisons: Comparison[] = [];
  let compared = 0;
  const step = Math.max(1, Math.floor(pairs.length / 200000));
  for (let i = 0; i < pairs.length; i += step) {
    if (pairs[i].typo) continue;
    const c = children.get(pairs[i].child_id);
    const r = records.get(pairs[i].record_id);
    if (c && r) {
      const cmp = compare(c, r);
      const lv = cmp.levels;
      compared++;
      // Siblings and twins (the surname agrees, the given name does not) are never scored, so they are left out of
      // training too: within a family the fields are not independent, and EM took them for matches whose given names
      // differ (m of a PARTIAL given name 0.55, of EXACT 0.35, where among true matches EXACT is 0.8). They still
      // count in the share of matches that λ is taken from.
      if (isSiblingPattern(lv)) continue;
      sample.push(lv);
      comparisons.push(cmp);
    }
  }
  // Too few pairs to estimate anything (a new hub, a handful of traces): the starting model, as before a first run.
  // It returned EM's hand-set starting point (λ 0.05, a prior among blocked pairs), under which a hub that ran
  // `npm run match` on its first few traces had most of its LIKELY candidates false.
  const prior = startingParams(cs.length);
  if (sample.length < 50) return prior;
  // Two training sessions, as Splink runs them: pairs that agree on the surname estimate the other fields;
  // pairs that agree on given name and birth day estimate the surname. Blocked fields stay fixed in each. A session
  // with too few pairs keeps the starting model's m (not EM's hand-set starting point).
  const start = { ...DEFAULT_PARAMS, u, birthMissing };
  const bySurname = sample.filter((lv) => lv[F_FAMILY] === 0 || lv[F_FAMILY] === 1);
  const byNameAndDay = sample.filter((lv) => lv[F_GIVEN] >= 0 && lv[F_GIVEN] <= 1 && lv[F_BIRTH] >= 0 && lv[F_BIRTH] <= 1);
  const sa = bySurname.length >= 50 ? estimateM(bySurname, u, start, [F_FAMILY]) : { ...start, m: prior.m };
  const sb = byNameAndDay.length >= 50 ? estimateM(byNameAndDay, u, start, [F_GIVEN, F_BIRTH]) : { ...start, m: prior.m };
  // Two tighter sessions for the fields that tell a child from its namesakes. Among pairs that agree on the
  // surname (or on given name and day) most are namesakes of a common name, and EM there learns that a
  // differing birth date or patronymic is common among "matches" (m of DIFFERENT near 0.2), which makes
  // disagreement nearly free. Pairs that agree on given name, surname and patronymic are almost all the same
  // child: they estimate birth date, sex and place; pairs that agree on given name, surname and birth day
  // estimate the patronymic.
  const byNamesAndPatronymic = sample.filter((lv) => lv[F_GIVEN] >= 0 && lv[F_GIVEN] <= 1 && lv[F_FAMILY] === 0 && lv[F_PATRONYMIC] === 0);
  const byNamesAndDay = sample.filter((lv) => lv[F_GIVEN] >= 0 && lv[F_GIVEN] <= 1 && lv[F_FAMILY] === 0 && lv[F_BIRTH] >= 0 && lv[F_BIRTH] <= 1);
  const sc = byNamesAndPatronymic.length >= 50 ? estimateM(byNamesAndPatronymic, u, start, [F_GIVEN, F_FAMILY, F_PATRONYMIC]) : null;
  const sd = byNamesAndDay.length >= 50 ? estimateM(byNamesAndDay, u, start, [F_GIVEN, F_FAMILY, F_BIRTH]) : null;
  const m = sa.m.map((row, f) => {
    if (f === F_FAMILY) return sb.m[f];
    if (f === F_GIVEN) return row;
    if (sc && (f === F_BIRTH || f === F_SEX || f === F_PLACE)) return sc.m[f];
    if (sd && f === F_PATRONYMIC) return sd.m[f];
    if (f === F_BIRTH) return row;
    return row.map((x, l) => (x + sb.m[f][l]) / 2);
  }).map(floorM);
  // λ from a deterministic rule, as Splink estimates it: the share of blocked pairs that agree on given name,
  // surname and birth year. EM's own λ drifts when common surnames fill the blocks.
  const sure = sample.filter((lv) => lv[F_GIVEN] >= 0 && lv[F_GIVEN] <= 1 && lv[F_FAMILY] === 0 && lv[F_BIRTH] >= 0 && lv[F_BIRTH] <= BIRTH_SAME_YEAR).length;
  // λ is the prior of a *random* pair (born within a year of each other) being a match, because u comes from
  // random pairs: the share among blocked pairs would count the names that got a pair blocked twice, once in
  // the prior and once in the weights, and every namesake of a common name would look like a match.
  const matches = (sure / Math.max(1, compared)) * pairs.filter((p) => !p.typo).length;
  const comparable = cs.length * rs.length * (draws ? random.length / draws : 1);
  return refineByModel({ lambda: Math.min(0.5, Math.max(1e-12, matches / Math.max(1, comparable))), m, u, birthMissing }, comparisons, tf);
}
