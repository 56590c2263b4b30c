import { BIRTH_NEAR_YEAR, BIRTH_SAME_YEAR, compare, FAMILY_DIFFERENT, FAMILY_SIMILAR, F_BIRTH, F_FAMILY, F_GIVEN, F_PATRONYMIC, GIVEN_DIFFERENT, GIVEN_PARTIAL, nameVariant, parsePartialDate, PATRONYMIC_DIFFERENT, type Person } from '../../../src/identification/compare';
import { DEFAULT_PARAMS, STARTING_MODEL, dependenceAdjustment, fieldWeight, matchWeight, probability, RENAMED_PATRONYMIC_FLOOR, startingParams, tfAdjustment, TYPO_UNIQUE_BONUS, weighPair, type TermFrequencies } from '../../../src/identification/fellegiSunter';
import { NameKeys } from '../../../src/identification/names';
import { floorM, M_FLOOR, trainModel } from '../../../src/services/identification/linkage';

const keys = new NameKeys([
  { name: 'Олександр', canonical: 'Олександр' }, { name: 'Александр', canonical: 'Олександр' },
  { name: 'Іван', canonical: 'Іван' }, { name: 'Иван', canonical: 'Іван' }, { name: 'Петро', canonical: 'Петро' },
  { name: 'Ганна', canonical: 'Ганна' }, { name: 'Анна', canonical: 'Ганна' }, { name: 'Марія', canonical: 'Марія' },
]);
const person = (id: string, given: string, family: string, patronymic: string | null, birth: string | null): Person => ({
  id, variants: [nameVariant(keys, given, family, patronymic)], sex: null, birth: parsePartialDate(birth), birthText: birth, placeOfBirth: null, placeSkel: '',
});
const GIVEN = ['Олександр', 'Іван', 'Петро', 'Ганна', 'Марія'];
const FAMILIES = ['Мельник', 'Гнатюк', 'Шевчук', 'Бондар', 'Савчук', 'Коваль', 'Руденко', 'Лисенко', 'Мороз', 'Марченко'];

/** `n` children, each with one trace of its own (names as reported, the birth date as `traceBirth` gives it), and those pairs. */
function ownTraces(n: number, traceBirth: (i: number, birth: string) => string | null) {
  const children = new Map<string, Person>();
  const records = new Map<string, Person>();
  const pairs: { child_id: string; record_id: string }[] = [];
  for (let i = 0; i < n; i++) {
    const birth = `${2006 + (i % 16)}-0${1 + (i % 9)}-1${i % 10}`;
    children.set(`c${i}`, person(`c${i}`, GIVEN[i % 5], FAMILIES[i % 10], null, birth));
    records.set(`r${i}`, person(`r${i}`, GIVEN[i % 5], FAMILIES[i % 10], null, traceBirth(i, birth)));
    pairs.push({ child_id: `c${i}`, record_id: `r${i}` });
  }
  return { children, records, pairs };
}

describe('scoring model', () => {
  test('a birth date missing on either side weighs log2 of the share of pairs that pass the year condition', () => {
    // Every fourth trace has no date; the others are the child's own.
    const { children, records, pairs } = ownTraces(160, (i, birth) => (i % 4 === 0 ? null : birth));
    // The share of all (child, trace) pairs that blocking's year condition lets through: no date, or born within a year.
    let pass = 0;
    for (const c of children.values()) for (const r of records.values()) if (!r.birth || Math.abs(r.birth.y - c.birth!.y) <= 1) pass++;
    const share = pass / (children.size * records.size);
    const params = trainModel(children, records, pairs, 1);
    expect(params.birthMissing).toBeLessThan(-1);
    expect(params.birthMissing).toBeCloseTo(Math.log2(share), 1);
    expect(fieldWeight(params, F_BIRTH, -1)).toBe(params.birthMissing);
    // Models stored before it, and EM's starting point, weigh a missing date 0 as before.
    expect(fieldWeight(DEFAULT_PARAMS, F_BIRTH, -1)).toBe(0);
  });

  test('the starting model (before a first full run) prices namesakes by the number of children', () => {
    const child = person('c', 'Олександр', 'Мельник', 'Петрович', '2012-05-14');
    const full = compare(child, person('r', 'Александр', 'Мельник', 'Петрович', '2012-05-14')).levels;
    const namesOnly = compare(child, person('r', 'Александр', 'Мельник', null, '2012')).levels;
    const p = (levels: Int8Array, children: number) => probability(matchWeight(startingParams(children), levels));
    // Names, patronymic and birth day agreeing: a match however many children there are.
    expect(p(full, 20000)).toBeGreaterThan(0.99);
    // Names and a birth year only: among 20,000 children a namesake is as likely, among 100 it is not.
    expect(p(namesOnly, 20000)).toBeLessThan(0.5);
    expect(p(namesOnly, 100)).toBeGreaterThan(0.9);
    expect(startingParams(0).lambda).toBeLessThanOrEqual(0.5);
  });

  test('a full run on too few pairs to estimate a model keeps the starting model, not EM\'s hand-set starting point', () => {
    const { children, records, pairs } = ownTraces(20, (_, birth) => birth);
    const params = trainModel(children, records, pairs, 1);
    expect(params).toEqual(startingParams(20));
    expect(params.lambda).not.toBe(DEFAULT_PARAMS.lambda);
    expect(params.m).toEqual(STARTING_MODEL.m);
    // Names and a birth year only, among 20 children: a match, as the starting model says; a namesake with another
    // birth day is not LIKELY-strong.
    const child = person('c', 'Олександр', 'Мельник', null, '2012-05-14');
    expect(probability(matchWeight(params, compare(child, person('r', 'Александр', 'Мельник', null, '2012')).levels))).toBeGreaterThan(0.9);
  });

  test('siblings (surname agrees, given name does not) are left out of training: m of a differing given name stays small', () => {
    const children = new Map<string, Person>();
    const records = new Map<string, Person>();
    const pairs: { child_id: string; record_id: string }[] = [];
    for (let i = 0; i < 200; i++) {
      const family = `${FAMILIES[i % 10]}${'ко'.repeat(1 + Math.floor(i / 10))}`;
      const birth = `${2006 + (i % 16)}-0${1 + (i % 9)}-1${i % 10}`;
      children.set(`c${i}`, person(`c${i}`, GIVEN[i % 5], family, 'Іванович', birth));
      // The child's own trace in Russian, and a twin's: the same surname, patronymic and birth day, another given name.
      records.set(`r${i}`, person(`r${i}`, i % 5 === 0 ? 'Александр' : GIVEN[i % 5], family, 'Иванович', birth));
      records.set(`t${i}`, person(`t${i}`, GIVEN[(i + 2) % 5], family, 'Иванович', birth));
      pairs.push({ child_id: `c${i}`, record_id: `r${i}` }, { child_id: `c${i}`, record_id: `t${i}` });
    }
    expect(compare(children.get('c1')!, records.get('t1')!).levels[F_GIVEN]).toBeGreaterThanOrEqual(GIVEN_PARTIAL);
    const { m } = trainModel(children, records, pairs, 1);
    expect(m[F_GIVEN][GIVEN_PARTIAL] + m[F_GIVEN][GIVEN_DIFFERENT]).toBeLessThan(0.05);
    expect(m[F_GIVEN][0] + m[F_GIVEN][1]).toBeGreaterThan(0.9);
  });

  test('no level of m is left at EM\'s smoothing: a level no match showed is still no veto', () => {
    const row = floorM([0.99999, 0.000005, 0.000005]);
    expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Math.min(...row)).toBeGreaterThan(M_FLOOR * 0.99);
    expect(row[0]).toBeGreaterThan(0.99);
    // A row above the floor is left as it was.
    expect(floorM([0.5, 0.3, 0.2])).toEqual([0.5, 0.3, 0.2]);
  });

  test('a mistyped surname that no other trace spells so weighs more than one other traces share', () => {
    const child = person('c', 'Іван', 'Гнатюченко', null, '2014-03-11');
    const trace = person('r', 'Иван', 'Гнатюкенко', null, '2014-03-11');
    const c = compare(child, trace);
    expect(c.levels[F_FAMILY]).toBe(FAMILY_SIMILAR);
    const t = trace.variants[0];
    const tf = (n: number): TermFrequencies => ({
      family: new Map([[t.familySkel, n]]), familyKey: new Map([[t.familyKey, n]]), given: new Map([[t.givenKey, 50]]), total: 10000,
    });
    expect(tfAdjustment(DEFAULT_PARAMS, c, tf(1))[F_FAMILY]).toBe(TYPO_UNIQUE_BONUS);
    expect(tfAdjustment(DEFAULT_PARAMS, c, tf(3))[F_FAMILY]).toBe(0);
  });

  test('a patronymic that differs with the surname (an adoption) costs no more than the floor; with the surname it costs in full', () => {
    // A model that learnt a differing patronymic as a slip among pairs sharing the surname: about −9 bits.
    const params = { ...DEFAULT_PARAMS, m: DEFAULT_PARAMS.m.map((r, f) => (f === F_PATRONYMIC ? [0.985, 0.013, 0.002] : r)) };
    const differing = fieldWeight(params, F_PATRONYMIC, PATRONYMIC_DIFFERENT);
    expect(differing).toBeLessThan(RENAMED_PATRONYMIC_FLOOR - 4);
    const child = person('c', 'Іван', 'Гнатюченко', 'Петрович', '2014-03-11');
    const renamed = person('r', 'Иван', 'Смирнов', 'Сергеевич', '2014-03-11');
    const c = compare(child, renamed);
    expect([c.levels[F_FAMILY], c.levels[F_PATRONYMIC]]).toEqual([FAMILY_DIFFERENT, PATRONYMIC_DIFFERENT]);
    const adj = dependenceAdjustment(params, c.levels);
    expect(differing + adj[F_PATRONYMIC]).toBeCloseTo(RENAMED_PATRONYMIC_FLOOR, 9);
    expect(adj.filter((_, f) => f !== F_PATRONYMIC).every((x) => x === 0)).toBe(true);
    // weighPair carries it, beside the term-frequency adjustments.
    expect(weighPair(params, null, child, renamed).adj[F_PATRONYMIC]).toBeCloseTo(adj[F_PATRONYMIC], 9);
    // The same surname (a sibling's father, a slip): the full weight.
    const sameSurname = compare(child, person('s', 'Иван', 'Гнатюченко', 'Сергеевич', '2014-03-11'));
    expect(sameSurname.levels[F_PATRONYMIC]).toBe(PATRONYMIC_DIFFERENT);
    expect(dependenceAdjustment(params, sameSurname.levels)[F_PATRONYMIC]).toBe(0);
    // An agreeing patronymic, or a model whose differing patronymic already weighs less than the floor costs: nothing.
    expect(dependenceAdjustment(params, compare(child, person('p', 'Иван', 'Смирнов', 'Петрович', '2014-03-11')).levels)[F_PATRONYMIC]).toBe(0);
    const mild = { ...DEFAULT_PARAMS, m: DEFAULT_PARAMS.m.map((r, f) => (f === F_PATRONYMIC ? [0.5, 0.1, 0.4] : r)) };
    expect(fieldWeight(mild, F_PATRONYMIC, PATRONYMIC_DIFFERENT)).toBeGreaterThan(RENAMED_PATRONYMIC_FLOOR);
    expect(dependenceAdjustment(mild, c.levels)[F_PATRONYMIC]).toBe(0);
  });
});

describe('training: the birth date learnt from every source', () => {
  test('a source without patronymics whose years are often one off teaches NEAR_YEAR its own share among matches', () => {
    const children = new Map<string, Person>();
    const records = new Map<string, Person>();
    const pairs: { child_id: string; record_id: string }[] = [];
    // Surnames of their own (a syllable stem per child), so a pair of names is a match; each child has a registry
    // trace (patronymic, the full date) and a media post (no patronymic, the year from an age: one off for half).
    const syl = ['ба', 'ко', 'ли', 'му', 'ре', 'са', 'ти', 'фе', 'ху', 'ця'];
    for (let i = 0; i < 200; i++) {
      const family = `${syl[i % 10]}${syl[Math.floor(i / 10) % 10]}${syl[Math.floor(i / 100)]}нюк`;
      const year = 2006 + (i % 16);
      const birth = `${year}-0${1 + (i % 9)}-1${i % 10}`;
      children.set(`c${i}`, person(`c${i}`, GIVEN[i % 5], family, 'Іванович', birth));
      records.set(`r${i}`, person(`r${i}`, GIVEN[i % 5], family, 'Иванович', birth));
      records.set(`p${i}`, person(`p${i}`, GIVEN[i % 5], family, null, String(i % 2 === 0 ? year + 1 : year)));
      pairs.push({ child_id: `c${i}`, record_id: `r${i}` }, { child_id: `c${i}`, record_id: `p${i}` });
    }
    const tf: TermFrequencies = { family: new Map(), familyKey: new Map(), given: new Map(), total: records.size };
    for (const r of records.values()) {
      const v = r.variants[0];
      tf.family.set(v.familySkel, (tf.family.get(v.familySkel) ?? 0) + 1);
      tf.familyKey.set(v.familyKey, (tf.familyKey.get(v.familyKey) ?? 0) + 1);
      tf.given.set(v.givenKey, (tf.given.get(v.givenKey) ?? 0) + 1);
    }
    const { m } = trainModel(children, records, pairs, 1, tf);
    // Among the 400 true pairs, 100 are NEAR_YEAR. Pairs that agree on the patronymic (the registry's) never are, and
    // m learnt there alone left NEAR_YEAR at the floor (0.001), a veto of about 7 bits.
    expect(m[F_BIRTH][BIRTH_NEAR_YEAR]).toBeGreaterThan(0.15);
    expect(m[F_BIRTH][BIRTH_NEAR_YEAR]).toBeLessThan(0.35);
    expect(m[F_BIRTH][BIRTH_SAME_YEAR]).toBeGreaterThan(0.15);
    expect(m[F_BIRTH][0]).toBeGreaterThan(0.4);
  });
});
