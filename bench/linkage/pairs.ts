import fs from 'node:fs';
import type { DataSource } from 'typeorm';
import { FIELDS, type PartialDate, type Person } from '../../src/identification/compare';
import { editDistance } from '../../src/identification/editDistance';
import { isSiblingPattern, mayBeLikely, weighPair } from '../../src/identification/fellegiSunter';
import { jaroWinkler } from '../../src/identification/jaroWinkler';
import { currentModel, loadNameKeys, recordPerson, refreshChildVariants, termFrequencies, type BlockedPair } from '../../src/services/identification/linkage';

/**
 * `--pairs FILE`: every blocked pair as a CSV row, for measuring what a model could reach on the same pairs (the
 * ceiling in docs/identification.md): the truth (`y`), whether only the given-name typo pass blocked it, the level
 * of each field (-1 missing), the term-frequency adjustments, the weight the stored model gives it, whether its
 * names may be LIKELY and whether it is a sibling pattern; then what the levels leave out: the frequencies the
 * adjustments use, the child's number of name variants, each side's birth-date precision (-1 none, 0 year, 1 month,
 * 2 day), Jaro–Winkler of the given-name and surname skeletons, the edit distance of the surname spelling keys, the
 * skeleton's length, how many traces share the trace's given-name key and surname spelling key (and birth year),
 * how many children share the child's, and the birth dates' distance in days and years. `FILE.meta` holds the
 * model and the number of true pairs (blocked or not). Written after the full match, from its database.
 */
export async function writePairs(ds: DataSource, blocked: BlockedPair[], isTrue: (childId: string, recordId: string) => boolean, truePairs: number, file: string): Promise<void> {
  const em = ds.manager;
  const keys = await loadNameKeys(em);
  const children = await refreshChildVariants(em, null);
  const rows = await em.query('SELECT id, given_name, family_name, patronymic, sex::text AS sex, birth_date, place_of_birth FROM external_record WHERE linked_child_id IS NULL');
  const records = new Map<string, Person>();
  for (const r of rows) records.set(r.id, recordPerson(keys, r));
  const model = await currentModel(em);
  const tf = await termFrequencies(em, null);
  const count = new Map<string, number>();
  const inc = (k: string) => count.set(k, (count.get(k) ?? 0) + 1);
  for (const r of records.values()) {
    const v = r.variants[0];
    inc(`t|${v.givenKey}|${v.familyKey}`);
    inc(`ty|${v.givenKey}|${v.familyKey}|${r.birth?.y ?? ''}`);
  }
  for (const c of children.values()) inc(`c|${c.variants[0].givenKey}|${c.variants[0].familyKey}`);
  const day = (b: PartialDate | null) => (b && b.m !== null && b.d !== null ? Date.UTC(b.y, b.m - 1, b.d) / 86400000 : NaN);
  const precision = (b: PartialDate | null) => (b ? (b.d !== null ? 2 : b.m !== null ? 1 : 0) : -1);
  const out = fs.createWriteStream(file);
  out.write(['child', 'rec', 'y', 'typo', ...FIELDS.map((f) => `l_${f.field}`), ...FIELDS.map((f) => `a_${f.field}`), 'w', 'elig', 'sib',
    'fq_given', 'fq_fkey', 'fq_fskel', 'nvar', 'cbirthprec', 'rbirthprec', 'jwg', 'jwf', 'edf', 'flen', 'jt2', 'jt3', 'jc2', 'dday', 'dyear'].join(','));
  for (const p of blocked) {
    const c = children.get(p.child_id);
    const r = records.get(p.record_id);
    if (!c || !r) continue;
    const { c: cmp, adj, w } = weighPair(model, tf, c, r);
    const t = r.variants[0];
    const v = cmp.variant;
    out.write(`\n${[p.child_id, p.record_id, isTrue(p.child_id, p.record_id) ? 1 : 0, p.typo ? 1 : 0, ...cmp.levels, ...adj.map((x) => x.toFixed(3)), w.toFixed(3),
      mayBeLikely(cmp.levels) ? 1 : 0, isSiblingPattern(cmp.levels) ? 1 : 0,
      tf.given.get(t.givenKey) ?? 0, tf.familyKey.get(t.familyKey) ?? 0, tf.family.get(t.familySkel) ?? 0, c.variants.length, precision(c.birth), precision(r.birth),
      jaroWinkler(v.givenSkel, t.givenSkel).toFixed(3), jaroWinkler(v.familySkel, t.familySkel).toFixed(3), editDistance(v.familyKey, t.familyKey), t.familySkel.length,
      count.get(`t|${t.givenKey}|${t.familyKey}`) ?? 0, count.get(`ty|${t.givenKey}|${t.familyKey}|${r.birth?.y ?? ''}`) ?? 0, count.get(`c|${v.givenKey}|${v.familyKey}`) ?? 0,
      Math.abs(day(c.birth) - day(r.birth)), c.birth && r.birth ? r.birth.y - c.birth.y : NaN].join(',')}`);
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  fs.writeFileSync(`${file}.meta`, JSON.stringify({ total: truePairs, lambda: model.lambda, m: model.m, u: model.u, birthMissing: model.birthMissing }));
}
