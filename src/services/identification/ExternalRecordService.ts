import crypto from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { transactional, type Context } from '../../context';
import { ExternalRecord, MatchCandidate } from '../../entities';
import { badInput, forbidden } from '../../errors';
import { parsePartialDate } from '../../identification/compare';
import { patronymicStem, skeleton } from '../../identification/skeleton';
import type { ExternalSourceKind } from '../../schema/enums';
import type { ExternalRecordFilter, ImportExternalRecordsInput } from '../../schema/identification/inputs';
import type { ExternalRecordConnection, ImportExternalRecordsPayload, ImportRejection } from '../../schema/identification/payloads';
import { assertId, pageSize, requireUser } from '../CaseService';
import { whereAccessible } from '../loaders';
import { bandsOf } from './childMatching';
import { identificationLoaders } from './identificationLoaders';
import { birthMdKey, loadNameKeys, matchScope, recordPerson, stepTimer } from './linkage';
import { decodeTimeCursor, timeCursor } from './cursors';
import { checkText } from '../../schema/inputNormaliser';
import { checkRecord, type CleanRecord } from './recordValidation';

/**
 * Upserts checked traces of one source on (source, externalId); a record sent again unchanged is not
 * touched. Returns the ids written and whether each was new.
 */
export async function writeRecords(
  em: EntityManager, by: { source: string; kind: ExternalSourceKind; userId: string | null; organizationId: string | null }, recs: CleanRecord[],
): Promise<{ id: string; inserted: boolean }[]> {
  if (recs.length === 0) return [];
  const keys = await loadNameKeys(em);
  // Rows in one order (by externalId), so that two calls with the same records lock them in the same order: in the
  // order sent, two clients importing one list forwards and backwards deadlocked and one got CONFLICT.
  const sorted = [...recs].sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
  const rows = sorted.map((rec) => {
    const birth = parsePartialDate(rec.birthDate);
    // The blocking keys as matching computes them (recordPerson): the given name's key depends on the sex the trace or
    // its patronymic shows (Саша), which a key of the name alone missed until a full run re-keyed the trace.
    const [v, swapped] = recordPerson(keys, {
      id: '', given_name: rec.givenName, family_name: rec.familyName, patronymic: rec.patronymic, sex: rec.sex, birth_date: rec.birthDate, place_of_birth: rec.placeOfBirth,
    }).variants;
    const hash = crypto.createHash('sha256').update(JSON.stringify([by.kind, rec])).digest('base64url');
    return [
      rec.externalId, rec.sourceUrl, rec.observedAt, rec.givenName, rec.familyName, rec.patronymic, rec.sex, rec.birthDate, rec.placeOfBirth,
      rec.foundAt, rec.foundCountry, rec.notes, v.givenSkel, v.givenKey, v.familySkel,
      v.patronymicKey, birth?.y ?? null, birthMdKey(birth), hash,
      // A trace whose names look swapped: the keys of that reading (see blockedPairs).
      swapped?.givenSkel ?? null, swapped?.givenKey ?? null, swapped?.familySkel ?? null,
      // The OCR-folded names (the blocking pass on letters a scanner confuses).
      v.givenOcr, v.familyOcr,
    ];
  });
  const cols = rows[0].map((_, k) => rows.map((r) => r[k]));
  const written: { id: string; inserted: boolean }[] = await em.query(
    `INSERT INTO external_record (source, source_kind, captured_by_id, captured_by_organization_id,
       external_id, source_url, observed_at, given_name, family_name, patronymic, sex, birth_date, place_of_birth,
       found_at, found_country, notes, given_skel, given_key, family_skel, patronymic_key, birth_year, birth_mdkey, content_hash,
       swap_given_skel, swap_given_key, swap_family_skel, given_ocr, family_ocr)
     SELECT $1, $2::external_source_kind, $3::uuid, $4::uuid, t.*
       FROM unnest($5::text[], $6::text[], $7::date[], $8::text[], $9::text[], $10::text[], $11::sex[], $12::text[], $13::text[],
                   $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::int[], $22::text[], $23::text[],
                   $24::text[], $25::text[], $26::text[], $27::text[], $28::text[]) AS t
     ON CONFLICT (source, external_id) DO UPDATE SET
       source_kind = EXCLUDED.source_kind, source_url = EXCLUDED.source_url, observed_at = EXCLUDED.observed_at,
       given_name = EXCLUDED.given_name, family_name = EXCLUDED.family_name, patronymic = EXCLUDED.patronymic, sex = EXCLUDED.sex,
       birth_date = EXCLUDED.birth_date, place_of_birth = EXCLUDED.place_of_birth, found_at = EXCLUDED.found_at,
       found_country = EXCLUDED.found_country, notes = EXCLUDED.notes, given_skel = EXCLUDED.given_skel, given_key = EXCLUDED.given_key,
       family_skel = EXCLUDED.family_skel, patronymic_key = EXCLUDED.patronymic_key, birth_year = EXCLUDED.birth_year,
       birth_mdkey = EXCLUDED.birth_mdkey, content_hash = EXCLUDED.content_hash, swap_given_skel = EXCLUDED.swap_given_skel,
       swap_given_key = EXCLUDED.swap_given_key, swap_family_skel = EXCLUDED.swap_family_skel,
       given_ocr = EXCLUDED.given_ocr, family_ocr = EXCLUDED.family_ocr,
       version = external_record.version + 1, updated_at = now()
     -- A record sent again as it is stays as it is, unless the call names another kind for the source: a source
     -- imported under the wrong kind and imported again under the right one held both until each record changed.
     WHERE (external_record.content_hash <> EXCLUDED.content_hash OR external_record.source_kind <> EXCLUDED.source_kind)
       -- Only the organization that imported a trace changes it (importers hold no right to update others' traces).
       AND external_record.captured_by_organization_id IS NOT DISTINCT FROM EXCLUDED.captured_by_organization_id
     RETURNING id, (xmax = 0) AS inserted`,
    [by.source, by.kind, by.userId, by.organizationId, ...cols],
  );
  // A changed trace changes its open candidates, even where the score stays (a new foundAt, notes, a place): a person
  // who reviewed the old trace and confirms with that candidate version gets CONFLICT, and matching without a new
  // score (--no-match) still tells the reviewer to look again.
  const changed = written.filter((w) => !w.inserted).map((w) => w.id);
  if (changed.length) {
    await em.query(
      `UPDATE match_candidate SET version = version + 1, updated_at = now()
        WHERE id IN (SELECT id FROM match_candidate WHERE external_record_id = ANY($1::uuid[]) AND status = 'OPEN'
                     ORDER BY child_id, external_record_id FOR UPDATE)`,
      [changed],
    );
  }
  return written;
}

/** Traces: import (validated record by record, upserted on (source, externalId), matched before returning) and reads. */
export class ExternalRecordService {
  /**
   * Imports up to 1,000 traces in one transaction. Bad records are rejected with their index and field, the
   * valid ones are kept; new and changed ones are matched against the reported children before it returns.
   */
  static async importRecords(ctx: Context, input: ImportExternalRecordsInput, opts: { match?: boolean } = {}): Promise<ImportExternalRecordsPayload> {
    const user = requireUser(ctx);
    if (!ctx.ability.can('create', 'ExternalRecord')) throw forbidden('Your roles may not import traces');
    const max = ctx.deps.config.importMaxRecords;
    if (input.records.length > max) throw badInput('input.records', `at most ${max} records per call`);
    // The source through the API's one text check here too: the file import calls this service directly, and stored
    // "Registry  X" (two spaces) and text with control or bidirectional characters where the API stores "Registry X",
    // so one source's records came in twice, under two names.
    const checked = checkText(input.source, 'source');
    if ('problem' in checked) throw badInput('input.source', checked.problem);
    const source = checked.value;
    if (!source) throw badInput('input.source', 'is required');
    if (source.length > 200) throw badInput('input.source', 'must be at most 200 characters');
    const rejected: ImportRejection[] = [];
    const valid: { index: number; rec: CleanRecord }[] = [];
    const seen = new Set<string>();
    input.records.forEach((r, index) => {
      const checked = checkRecord(r);
      if ('field' in checked) {
        rejected.push({ index, field: checked.field, message: checked.message });
      } else if (seen.has(checked.externalId)) {
        rejected.push({ index, field: 'externalId', message: 'appears more than once in this call' });
      } else {
        seen.add(checked.externalId);
        valid.push({ index, rec: checked });
      }
    });
    return transactional(ctx, async (tx) => {
      const lap = stepTimer('import');
      // A trace of this source and externalId that another organization imported is not the caller's to change, and
      // an answer of "updated" or "unchanged" would tell whether the caller guessed its content: it is refused the same
      // way whatever the record holds. Not locked: a trace never changes hands (the upsert leaves its importer and
      // writes only the caller's own), and a lock here deadlocked two organizations importing each other's keys.
      const others = new Set<string>();
      const addOthers = async (ids: string[]) => {
        if (!ids.length) return;
        const rows: { external_id: string }[] = await tx.em.query(
          `SELECT external_id FROM external_record WHERE source = $1 AND external_id = ANY($2::text[])
              AND captured_by_organization_id IS DISTINCT FROM $3::uuid`,
          [source, ids, user.organizationId],
        );
        for (const r of rows) others.add(r.external_id);
      };
      await addOthers(valid.map((v) => v.rec.externalId));
      let mine = valid.filter((v) => !others.has(v.rec.externalId));
      const written = await writeRecords(tx.em, { source, kind: input.sourceKind, userId: user.id, organizationId: user.organizationId }, mine.map((v) => v.rec));
      // Another organization's call may have inserted one of these keys after the check above (the write waited for it
      // to commit and then left the row alone): that record is refused like the others, not counted as unchanged.
      if (written.length < mine.length) {
        await addOthers(mine.map((v) => v.rec.externalId));
        mine = mine.filter((v) => !others.has(v.rec.externalId));
      }
      for (const v of valid) if (others.has(v.rec.externalId)) rejected.push({ index: v.index, field: 'externalId', message: 'was imported by another organization: only it may change that record' });
      rejected.sort((a, b) => a.index - b.index);
      lap('write');
      const imported = written.filter((w) => w.inserted).length;
      let candidates = 0;
      // A bulk load may leave matching to one full run afterwards (`npm run import:records -- --no-match`).
      if (written.length && opts.match !== false) {
        const recordIds = written.map((w) => w.id);
        const stats = await matchScope(tx.em, { recordIds }, bandsOf(tx.deps.config));
        // Only the candidates the importer may read: a count of all of them would tell a case worker that children
        // of that name are reported in cases it cannot see (import a made-up trace, read the count).
        if (stats.stored) {
          const qb = tx.em.createQueryBuilder(MatchCandidate, 'm').where('m.external_record_id IN (:...recordIds)', { recordIds }).andWhere(`m.status = 'OPEN'`);
          candidates = await whereAccessible(tx, qb, 'read', 'MatchCandidate', 'm').getCount();
        }
      }
      lap('match', true);
      return { imported, updated: written.length - imported, unchanged: mine.length - written.length, rejected, candidates };
    });
  }

  static async get(ctx: Context, id: string): Promise<ExternalRecord | null> {
    requireUser(ctx);
    assertId(id, 'id');
    return identificationLoaders(ctx).externalRecord.load(id);
  }

  /** A page of the traces the reader may see, newest first, with the total count under the same filter. */
  static async list(ctx: Context, filter: ExternalRecordFilter | undefined, first: number | undefined, after: string | undefined): Promise<ExternalRecordConnection> {
    requireUser(ctx);
    const limit = pageSize(first, 20, ctx.deps.config.maxPageSize);
    const qb = ctx.em.createQueryBuilder(ExternalRecord, 'r');
    if (filter?.source) qb.andWhere('r.source = :source', { source: filter.source });
    if (filter?.sourceKind) qb.andWhere('r.source_kind = :kind', { kind: filter.sourceKind });
    if (filter?.linked !== undefined && filter.linked !== null) qb.andWhere(filter.linked ? 'r.linked_child_id IS NOT NULL' : 'r.linked_child_id IS NULL');
    if (filter?.search) {
      const words = filter.search.split(/\s+/).filter((w) => skeleton(w));
      if (words.length === 0) throw badInput('filter.search', 'names no letters');
      // A word shaped like a patronymic (Федоровна, Fedorovna, Федорівна) may also be the trace's patronymic, compared
      // by its key as matching does: names are written with it ("Ирина Федоровна Савицкая"), and a search with the
      // patronymic, where every word had to begin the given or the family name, found nothing.
      const keys = words.some((w) => patronymicStem(w) !== skeleton(w)) ? await loadNameKeys(ctx.em) : null;
      words.forEach((w, i) => {
        const skel = skeleton(w);
        const pk = keys && patronymicStem(w) !== skel ? keys.patronymicKey(w) : '';
        qb.andWhere(`(r.family_skel LIKE :w${i} OR r.given_skel LIKE :w${i}${pk ? ` OR r.patronymic_key = :p${i}` : ''})`, { [`w${i}`]: `${skel}%`, [`p${i}`]: pk });
      });
    }
    whereAccessible(ctx, qb, 'read', 'ExternalRecord', 'r');
    const totalCount = await qb.clone().getCount();
    if (after) {
      const { at, id } = decodeTimeCursor(after);
      qb.andWhere('(r.created_at, r.id) < (:at, :rid)', { at, rid: id });
    }
    const rows = await qb.orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'DESC').take(limit + 1).getMany();
    const page = rows.slice(0, limit);
    const loader = identificationLoaders(ctx).externalRecord;
    for (const r of page) loader.prime(r.id, r);
    const edges = page.map((node) => ({ node, cursor: timeCursor(node.createdAt, node.id) }));
    return { edges, totalCount, pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
