import { editDistance } from './editDistance';
export { editDistance } from './editDistance';
import { jaroWinkler } from './jaroWinkler';
import type { NameKeys } from './names';
import { latinLetters, skeleton, spellingKey, typoKey } from './skeleton';

/** A birth date known to the year, the month or the day. */
export interface PartialDate {
  y: number;
  m: number | null;
  d: number | null;
}

/** One spelling of a person's names with the keys matching works on. */
export interface NameVariant {
  givenName: string;
  familyName: string;
  patronymic: string | null;
  givenSkel: string;
  givenKey: string;
  /** The keys of the names this given name is a one-letter typo of (empty for a name of the table). */
  givenTypoOf: string[];
  /** Whether the given name is a spelling in the equivalence table. */
  givenKnown: boolean;
  familySkel: string;
  /** The surname's spelling key: finer than the skeleton, vowels kept by class. */
  familyKey: string;
  /** The surname's typo key (vowel runs kept letter by letter): one edit there is a typo. */
  familyTypoKey: string;
  patronymicKey: string;
  patronymicSkel: string;
}

/** What is compared about a person, on either side (a reported child has several name variants). */
export interface Person {
  id: string;
  variants: NameVariant[];
  sex: 'FEMALE' | 'MALE' | null;
  birth: PartialDate | null;
  birthText: string | null;
  placeOfBirth: string | null;
  placeSkel: string;
}

/** The compared fields and their graded comparison levels, best first; `null` is a missing value. */
export const FIELDS = [
  { field: 'givenName', levels: ['EXACT', 'EQUIVALENT', 'SIMILAR', 'PARTIAL', 'DIFFERENT'] },
  { field: 'familyName', levels: ['EXACT', 'SKELETON', 'SIMILAR', 'PARTIAL', 'DIFFERENT'] },
  { field: 'patronymic', levels: ['EXACT', 'SIMILAR', 'DIFFERENT'] },
  { field: 'birthDate', levels: ['EXACT', 'DAY_MONTH_SWAPPED', 'SAME_MONTH', 'SAME_YEAR', 'YEAR_SHIFTED', 'NEAR_YEAR', 'DIFFERENT'] },
  { field: 'sex', levels: ['SAME', 'DIFFERENT'] },
  { field: 'placeOfBirth', levels: ['EXACT', 'SIMILAR', 'DIFFERENT'] },
] as const;
export const F_GIVEN = 0;
export const BIRTH_SWAPPED = 1;
export const BIRTH_SAME_MONTH = 2;
/** The same day and month, the year one off. */
export const BIRTH_YEAR_SHIFTED = 4;
export const F_FAMILY = 1;
export const F_PATRONYMIC = 2;
export const F_BIRTH = 3;
export const F_SEX = 4;
export const F_PLACE = 5;
export const GIVEN_PARTIAL = 3;
export const GIVEN_DIFFERENT = 4;
export const FAMILY_SIMILAR = 2;
export const FAMILY_PARTIAL = 3;
export const FAMILY_DIFFERENT = 4;

/** The comparison of one pair: a level per field (-1 = missing) and the values compared. */
export interface Comparison {
  levels: Int8Array;
  variant: NameVariant;
}

// Letter boundaries by hand: `\b` knows only ASCII letters, so "м." and "г." before a Cyrillic name were kept
// and "м. Луганськ" / "г. Луганск" compared as different places.
const PLACE_WORDS = /(?<!\p{L})(м|г|с|смт|село|місто|город|пос|пгт|selo|misto|gorod|m|g|s|smt|obl|oblast|область|обл|район|р-н|rayon|raion)(?!\p{L})\.?/giu;

/** The skeleton of a place name, without "м.", "г.", "село", "область"… */
export function placeSkeleton(place: string | null | undefined): string {
  if (!place) return '';
  const first = place.split(/[,;(]/)[0];
  return skeleton(first.replace(PLACE_WORDS, ' '));
}

/** The sex a patronymic shows (-ович / -ovich / -ovitch, -івна / -овна / -ична), or null. */
export function sexOfPatronymic(patronymic: string | null | undefined): 'FEMALE' | 'MALE' | null {
  const s = patronymic ? latinLetters(patronymic) : '';
  if (/(vi?t?ch|[iy]ch)$/.test(s)) return 'MALE';
  if (/(vna|chna)$/.test(s)) return 'FEMALE';
  return null;
}

/** Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (already validated). */
export function parsePartialDate(text: string | null | undefined): PartialDate | null {
  if (!text) return null;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
  if (!m) return null;
  return { y: Number(m[1]), m: m[2] ? Number(m[2]) : null, d: m[3] ? Number(m[3]) : null };
}

/** A child's birth date as far as its precision says it is known. */
export function childBirth(date: string, precision: string): PartialDate | null {
  const p = parsePartialDate(date);
  if (!p) return null;
  if (precision === 'EXACT') return p;
  if (precision === 'MONTH') return { y: p.y, m: p.m, d: null };
  return { y: p.y, m: null, d: null };
}

/** Builds a name variant with its keys. */
export function nameVariant(keys: NameKeys, givenName: string, familyName: string, patronymic: string | null): NameVariant {
  const givenSkel = skeleton(givenName);
  return {
    givenName, familyName, patronymic,
    givenSkel, givenKey: keys.givenKeyOf(givenName, givenSkel), givenTypoOf: keys.typoOfName(givenName, givenSkel), givenKnown: keys.isKnownSkeleton(givenSkel),
    familySkel: skeleton(familyName), familyKey: spellingKey(familyName), familyTypoKey: typoKey(familyName),
    patronymicKey: patronymic ? keys.patronymicKey(patronymic) : '', patronymicSkel: skeleton(patronymic),
  };
}

function givenLevel(a: NameVariant, b: NameVariant): number {
  if (!a.givenSkel || !b.givenSkel) return -1;
  if (a.givenSkel === b.givenSkel) return 0;
  if (a.givenKey === b.givenKey) return 1;
  // A misspelt name (no name of the table) one letter from a form of the other's name: Актон / Антон, Стпеан / Степан.
  if (b.givenTypoOf.includes(a.givenKey) || a.givenTypoOf.includes(b.givenKey)) return 2;
  const jw = jaroWinkler(a.givenSkel, b.givenSkel);
  // Two names of the table under different keys are different names however alike they look (Денис / Диана,
  // Кіра / Каріна): a brother and sister, never the same child.
  if (a.givenKnown && b.givenKnown) return jw >= 0.8 ? 3 : 4;
  return jw >= 0.92 ? 2 : jw >= 0.8 ? 3 : 4;
}

/**
 * Surnames: the same spelling key (vowels agree by class); the same skeleton only (Мугук / Мігак: every vowel
 * is `a` there, so many surnames share one); one typo apart on the spelling key (5 letters or more); alike (one
 * edit on the skeleton, or Jaro–Winkler ≥ 0.88); different.
 */
function familyLevel(a: NameVariant, b: NameVariant): number {
  if (!a.familySkel || !b.familySkel) return -1;
  if (a.familyKey === b.familyKey) return 0;
  if (a.familySkel === b.familySkel) return 1;
  if (Math.min(a.familyKey.length, b.familyKey.length) >= 5 && editDistance(a.familyKey, b.familyKey, 1) <= 1) return 2;
  if (Math.min(a.familyTypoKey.length, b.familyTypoKey.length) >= 5 && editDistance(a.familyTypoKey, b.familyTypoKey, 1) <= 1) return 2;
  // One edit on the skeleton alone is weaker: Пудишин / Бадожань are `padaxan` / `badaxan`.
  if (Math.min(a.familySkel.length, b.familySkel.length) >= 5 && editDistance(a.familySkel, b.familySkel, 1) <= 1) return 3;
  return jaroWinkler(a.familySkel, b.familySkel) >= 0.88 ? 3 : 4;
}

function patronymicLevel(a: NameVariant, b: NameVariant): number {
  if (!a.patronymicSkel || !b.patronymicSkel) return -1;
  if (a.patronymicKey === b.patronymicKey) return 0;
  return jaroWinkler(a.patronymicSkel, b.patronymicSkel) >= 0.88 ? 1 : 2;
}

export function birthLevel(a: PartialDate | null, b: PartialDate | null): number {
  if (!a || !b) return -1;
  const dy = Math.abs(a.y - b.y);
  const monthsKnown = a.m !== null && b.m !== null;
  const daysKnown = monthsKnown && a.d !== null && b.d !== null;
  if (dy === 0) {
    if (daysKnown && a.m === b.m && a.d === b.d) return 0;
    if (daysKnown && a.m === b.d && a.d === b.m) return 1;
    if (monthsKnown && a.m === b.m) return 2;
    if (!monthsKnown) return 3;
    // Both months known and different (and not a swap): that is a disagreement, not a same-year agreement.
    // Counted as SAME_YEAR it made every namesake of the year look corroborated.
    return 6;
  }
  // A full date whose year is one off (a slip of the year, or the year of arrival): the day and month still agree,
  // which a random pair born a year apart does once in 365. Apart from a year-only ±1, which is barely evidence.
  if (dy === 1 && daysKnown && a.m === b.m && a.d === b.d) return 4;
  if (dy === 1 && (!monthsKnown || (a.m === b.m && !daysKnown))) return 5;
  return 6;
}

/**
 * u of the birth date counted exactly: the share of each level among all pairs (child, trace) whose birth years are
 * both known and at most one apart (the pairs blocking can produce), from the frequencies of the dates (year, month,
 * day as far as known) on either side, the same as `birthLevel` would give pair by pair. Null when there is no such
 * pair. Sampling it was too noisy: the strong levels are rare among random pairs.
 */
export function birthLevelFrequencies(children: (PartialDate | null)[], traces: (PartialDate | null)[]): number[] | null {
  // Counts per year, per (year, month) with the month known, per (year, month) with the day known too, per full date.
  const tally = (dates: (PartialDate | null)[]) => {
    const year = new Map<number, number>();
    const month = new Map<string, number>();
    const dayMonth = new Map<string, number>();
    const full = new Map<string, number>();
    const inc = (m: Map<string | number, number>, k: string | number) => m.set(k, (m.get(k) ?? 0) + 1);
    for (const d of dates) {
      if (!d) continue;
      inc(year as Map<string | number, number>, d.y);
      if (d.m === null) continue;
      inc(month as Map<string | number, number>, `${d.y}-${d.m}`);
      if (d.d === null) continue;
      inc(dayMonth as Map<string | number, number>, `${d.y}-${d.m}`);
      inc(full as Map<string | number, number>, `${d.y}-${d.m}-${d.d}`);
    }
    const monthsOfYear = new Map<number, number>();
    for (const [k, n] of month) monthsOfYear.set(Number(k.split('-')[0]), (monthsOfYear.get(Number(k.split('-')[0])) ?? 0) + n);
    return { year, month, dayMonth, full, monthsOfYear };
  };
  const c = tally(children);
  const t = tally(traces);
  const get = <K>(m: Map<K, number>, k: K) => m.get(k) ?? 0;
  const levels = new Array<number>(7).fill(0);
  let total = 0;
  let yearOnly = 0; // dy = 0, a month unknown on one side
  let monthPairs = 0; // dy = 0, both months known
  let nearYear = 0;
  for (const [y, nc] of c.year) {
    total += nc * (get(t.year, y - 1) + get(t.year, y) + get(t.year, y + 1));
    const mc = get(c.monthsOfYear, y);
    const mt = get(t.monthsOfYear, y);
    monthPairs += mc * mt;
    yearOnly += nc * get(t.year, y) - mc * mt;
    for (const dy of [-1, 1]) nearYear += nc * get(t.year, y + dy) - mc * get(t.monthsOfYear, y + dy);
  }
  if (total === 0) return null;
  let sameMonth = 0;
  for (const [k, nc] of c.month) {
    const [y, m] = k.split('-').map(Number);
    sameMonth += nc * get(t.month, k);
    // A year apart, the same month, a day unknown on one side: NEAR_YEAR.
    for (const dy of [-1, 1]) nearYear += nc * get(t.month, `${y + dy}-${m}`) - get(c.dayMonth, k) * get(t.dayMonth, `${y + dy}-${m}`);
  }
  for (const [k, nc] of c.full) {
    const [y, m, d] = k.split('-').map(Number);
    levels[0] += nc * get(t.full, k);
    if (m !== d) levels[1] += nc * get(t.full, `${y}-${d}-${m}`);
    levels[4] += nc * (get(t.full, `${y - 1}-${m}-${d}`) + get(t.full, `${y + 1}-${m}-${d}`));
  }
  levels[2] = sameMonth - levels[0];
  levels[3] = yearOnly;
  levels[5] = nearYear;
  // Same year, both months known, neither the same month nor a swap; or a year apart and not YEAR_SHIFTED / NEAR_YEAR.
  levels[6] = total - levels.reduce((a, b) => a + b, 0);
  return levels.map((n) => (n + 1) / (total + levels.length));
}

function placeLevel(a: string, b: string): number {
  if (!a || !b) return -1;
  if (a === b) return 0;
  if (a.length >= 4 && b.length >= 4 && (a.includes(b) || b.includes(a))) return 1;
  return jaroWinkler(a, b) >= 0.88 ? 1 : 2;
}

/** Compares a child (its best-matching name variant) with a trace, field by field. */
export function compare(child: Person, trace: Person): Comparison {
  const t = trace.variants[0];
  let best: Int8Array | null = null;
  let bestVariant = child.variants[0];
  let bestRank = Infinity;
  for (const v of child.variants) {
    const g = givenLevel(v, t);
    const f = familyLevel(v, t);
    const p = patronymicLevel(v, t);
    // The variant that agrees best on names (lower level = better; missing counts as middling).
    const rank = (g < 0 ? 2 : g) * 16 + (f < 0 ? 2 : f) * 4 + (p < 0 ? 1 : p);
    if (rank < bestRank) {
      bestRank = rank;
      bestVariant = v;
      best = Int8Array.of(g, f, p, 0, 0, 0);
    }
  }
  const levels = best ?? Int8Array.of(-1, -1, -1, 0, 0, 0);
  levels[F_BIRTH] = birthLevel(child.birth, trace.birth);
  levels[F_SEX] = child.sex && trace.sex ? (child.sex === trace.sex ? 0 : 1) : -1;
  levels[F_PLACE] = placeLevel(child.placeSkel, trace.placeSkel);
  return { levels, variant: bestVariant };
}
