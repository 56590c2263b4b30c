import { CURRENT_PLACE } from './places';
import { editDistance } from './editDistance';
export { editDistance } from './editDistance';
import { jaroWinkler } from './jaroWinkler';
import { sexlessParts, type NameKeys } from './names';
import { hasCyrillic, latinLetters, latinSchemeOf, looseKey, ocrKey, readInScheme, skeleton, spellingKey, typoKey } from './skeleton';

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
  /** The keys of the names this given name is a one-letter typo of (empty for a spelling of the table). */
  givenTypoOf: string[];
  /** Whether the given name is a name of the table (its skeleton is one, and it is no typo of another spelling). */
  givenKnown: boolean;
  /** The given name's loose key (`looseKey`: first vowel, х/ф/п and a final vowel folded). */
  givenLoose: string;
  /** Whether the given name's key comes from its spelling (`NameKeys.isKeyedBySpelling`), not a skeleton's guess. */
  givenSpelled: boolean;
  /** The given name's OCR-folded form (`ocrKey`: letters a scanner confuses as one class). */
  givenOcr: string;
  familySkel: string;
  /** The surname's OCR-folded form. */
  familyOcr: string;
  /** The surname's spelling key: finer than the skeleton, vowels kept by class. */
  familyKey: string;
  /** The surname's typo key (vowel runs kept letter by letter): one edit there is a typo. */
  familyTypoKey: string;
  /** The same with doubled letters kept (Коваль / Кооаль). */
  familyRawTypoKey: string;
  patronymicKey: string;
  patronymicSkel: string;
  /** The spelling keys of a double-barrelled surname's parts (empty for a single surname). */
  familyPartKeys: string[];
  /** The surname is written as its initial ("М." in an adoption databank's "Александр М., 2015-07"). */
  familyInitial: boolean;
  /** A trace's reading with its given and family fields swapped (`swappedNames`). */
  swapped?: boolean;
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
  { field: 'givenName', levels: ['EXACT', 'EQUIVALENT', 'SIMILAR', 'OCR', 'PARTIAL', 'DIFFERENT'] },
  { field: 'familyName', levels: ['EXACT', 'SKELETON', 'SIMILAR', 'OCR', 'PARTIAL', 'DIFFERENT'] },
  { field: 'patronymic', levels: ['EXACT', 'SIMILAR', 'DIFFERENT'] },
  { field: 'birthDate', levels: ['EXACT', 'DAY_MONTH_SWAPPED', 'NEAR_DAY', 'SAME_MONTH', 'SAME_YEAR', 'YEAR_SHIFTED', 'MONTH_YEAR_SHIFTED', 'NEAR_YEAR', 'OTHER_DAY', 'DIFFERENT'] },
  { field: 'sex', levels: ['SAME', 'DIFFERENT'] },
  { field: 'placeOfBirth', levels: ['EXACT', 'SIMILAR', 'DIFFERENT'] },
] as const;
export const F_GIVEN = 0;
export const BIRTH_SWAPPED = 1;
/** Both days known, a few days apart (not the same, not swapped). */
export const BIRTH_NEAR_DAY = 2;
export const BIRTH_SAME_MONTH = 3;
/** The same year, nothing finer known on one side (or only a month that a day/month swap explains). */
export const BIRTH_SAME_YEAR = 4;
/** The same day and month, the year one off. */
export const BIRTH_YEAR_SHIFTED = 5;
/** The same month, the year one off, a day unknown on one side. */
export const BIRTH_MONTH_YEAR_SHIFTED = 6;
export const BIRTH_NEAR_YEAR = 7;
/**
 * The same year and month, both days known and more than `NEAR_DAY_MAX` apart (not a swap): a disagreement on the day.
 * It was SAME_MONTH, which is agreement as far as a side knows the date (a child reported to the month against a full
 * date); u of the mixture was that of the disagreements (most pairs with a month in common have both days), m that of
 * the agreements, so a month-precise child found by its full date weighed 3.6 bits too little.
 */
export const BIRTH_OTHER_DAY = 8;
export const BIRTH_DIFFERENT = 9;
/** How many days apart two full birth dates may be for NEAR_DAY. */
export const NEAR_DAY_MAX = 3;
export const F_FAMILY = 1;
export const F_PATRONYMIC = 2;
export const F_BIRTH = 3;
export const F_SEX = 4;
export const F_PLACE = 5;
export const GIVEN_SIMILAR = 2;
/** The same OCR-folded form (`ocrKey`), not one typo apart: a name misread by a scanner, once or several times. */
export const GIVEN_OCR = 3;
export const GIVEN_PARTIAL = 4;
export const GIVEN_DIFFERENT = 5;
export const FAMILY_SIMILAR = 2;
/** The same OCR-folded form (`ocrKey`), not one typo apart. */
export const FAMILY_OCR = 3;
export const FAMILY_PARTIAL = 4;
export const FAMILY_DIFFERENT = 5;
export const PATRONYMIC_DIFFERENT = 2;

/** The comparison of one pair: a level per field (-1 = missing) and the values compared. */
export interface Comparison {
  levels: Int8Array;
  /** The child's name variant compared. */
  variant: NameVariant;
  /** The trace's reading compared (its second, swapped reading when that agrees better). */
  traceVariant: NameVariant;
}

// Letter boundaries by hand: `\b` knows only ASCII letters, so "м." and "г." before a Cyrillic name were kept
// and "м. Луганськ" / "г. Луганск" compared as different places.
const PLACE_WORDS = /(?<!\p{L})(м|г|с|смт|село|місто|город|пос|пгт|selo|misto|gorod|m|g|s|smt|obl|oblast|область|обл|район|р-н|rayon|raion)(?!\p{L})\.?/giu;

/**
 * The skeleton of a place name, without "м.", "г.", "село", "область"…; a town's former name (Днепропетровск, Жданов,
 * Стаханов) is read as its name today, which Ukrainian reports write (places.ts).
 */
export function placeSkeleton(place: string | null | undefined): string {
  if (!place) return '';
  const first = place.split(/[,;(]/)[0];
  const skel = skeleton(first.replace(PLACE_WORDS, ' '));
  return CURRENT_PLACE.get(skel) ?? skel;
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

/** How many parts a double-barrelled surname may have (Коваленко-Сидоренко: 2; more is no surname but a list). */
const SURNAME_PARTS_MAX = 3;

/**
 * The parts of a double-barrelled surname (Коваленко-Сидоренко, "Kovalenko Sydorenko"); empty for a single one, and
 * for more than `SURNAME_PARTS_MAX` parts (each part is a name variant of the child for blocking: a 100-character
 * "surname" of 25 short words would otherwise add 25).
 */
export function surnameParts(familyName: string | null | undefined): string[] {
  if (!familyName || !/[\s\-‐–—]/.test(familyName)) return [];
  const parts = familyName.split(/\s*[-‐–—]\s*|\s+/).filter((p) => skeleton(p).length >= 3);
  return parts.length > 1 && parts.length <= SURNAME_PARTS_MAX ? parts : [];
}

/**
 * A surname written as its initial: one letter, a dot or not ("М.", "K"), or the two to four letters a romanisation
 * writes for one Cyrillic letter, with a dot ("Sh.", "Ya.", "Shch.", "Дж."). Blocking reads the same condition in SQL
 * (`surnameInitialSql`, linkage.ts; migration 1764900003101 indexes it).
 */
const SURNAME_INITIAL = /^[^\s.]\.?$|^[^\s.]{2,4}\.$/u;

/** `isSurnameInitial` in SQL on the `family_name` of the table aliased `alias` (the partial index's predicate). */
export function surnameInitialSql(alias: string): string {
  return `${alias}.family_name ~ '^[^ .]\\.?$|^[^ .]{2,4}\\.$'`;
}

export function isSurnameInitial(familyName: string | null | undefined): boolean {
  return !!familyName && SURNAME_INITIAL.test(familyName.trim());
}

/** Whether two name variants' surnames are an initial and a surname (or two initials) that begin alike. */
export function surnameInitialAgrees(a: NameVariant, b: NameVariant): boolean {
  return (a.familyInitial || b.familyInitial) && !!a.familySkel && !!b.familySkel && a.familySkel[0] === b.familySkel[0];
}

/** Builds a name variant with its keys. */
export function nameVariant(keys: NameKeys, givenName: string, familyName: string, patronymic: string | null, sex?: 'MALE' | 'FEMALE' | null): NameVariant {
  const givenSkel = skeleton(givenName);
  const givenTypoOf = keys.typoOfName(givenName, givenSkel);
  return {
    givenName, familyName, patronymic,
    // A name whose skeleton is a name of the table but that is spelt as a typo of one is no known name. A short form of
    // a boy's and a girl's name (Саша) takes the key of the one the sex says.
    givenSkel, givenKey: keys.givenKeyOfSex(givenName, givenSkel, sex), givenTypoOf, givenKnown: keys.isKnownSkeleton(givenSkel) && givenTypoOf.length === 0,
    givenLoose: looseKey(givenSkel), givenSpelled: keys.isKeyedBySpelling(givenName), givenOcr: ocrKey(givenName),
    familySkel: skeleton(familyName), familyOcr: ocrKey(familyName), familyKey: spellingKey(familyName), familyTypoKey: typoKey(familyName), familyRawTypoKey: typoKey(familyName, false),
    patronymicKey: patronymic ? keys.patronymicKey(patronymic) : '', patronymicSkel: skeleton(patronymic),
    familyPartKeys: surnameParts(familyName).map(spellingKey), familyInitial: isSurnameInitial(familyName),
  };
}

/**
 * Whether a trace's given and family name are probably written in each other's fields ("SHEVCHENKO Oleksandr" with
 * SHEVCHENKO as the given name): the family field is written as a given name of the table (`NameKeys.isGivenNameSpelling`)
 * and the given field is not, vowels included (`isGivenNameSpellingStrictly`: ЛАЗЕНКО ВАЛЕРІЯ is swapped, though Лазенко
 * has the skeleton of Лізонька). Both, because surnames that are given names too (Мартин, Роман, Назар) are common
 * in the right order. The test is the table's spellings only: a surname is often one letter or a loose key from some
 * name (Коваль / Павло, Ватак / Віктор), and a misread trace only gains a second reading, compared beside the first.
 */
export function swappedNames(keys: NameKeys, givenName: string | null | undefined, familyName: string | null | undefined, givenSkel = skeleton(givenName), familySkel = skeleton(familyName)): boolean {
  if (!givenName?.trim() || !familyName?.trim()) return false;
  return keys.isGivenNameSpelling(familyName, familySkel) && !keys.isGivenNameSpellingStrictly(givenName, givenSkel);
}

/**
 * A name variant of names as a record writes them: Latin names read in the scheme the record shows (`latinSchemeOf`,
 * `readInScheme`: Jaroschenko beside Olegowitsch is German), the values shown as written.
 */
export function writtenVariant(keys: NameKeys, givenName: string | null, familyName: string | null, patronymic: string | null, sex?: 'MALE' | 'FEMALE' | null,
  scheme = latinSchemeOf(givenName, familyName, patronymic)): NameVariant {
  if (!scheme) return nameVariant(keys, givenName ?? '', familyName ?? '', patronymic, sex);
  const v = nameVariant(keys, readInScheme(givenName, scheme) ?? '', readInScheme(familyName, scheme) ?? '', readInScheme(patronymic, scheme), sex);
  return { ...v, givenName: givenName ?? '', familyName: familyName ?? '', patronymic };
}

/**
 * A trace's readings: as written, and for a trace whose names look swapped (`swappedNames`) a second one with the
 * given and family fields exchanged (compared too; the better one counts). Both in the record's scheme.
 */
export function recordVariants(keys: NameKeys, givenName: string | null, familyName: string | null, patronymic: string | null, sex?: 'MALE' | 'FEMALE' | null): NameVariant[] {
  const scheme = latinSchemeOf(givenName, familyName, patronymic);
  const straight = writtenVariant(keys, givenName, familyName, patronymic, sex, scheme);
  if (!swappedNames(keys, readInScheme(givenName, scheme), readInScheme(familyName, scheme), straight.givenSkel, straight.familySkel)) return [straight];
  return [straight, { ...writtenVariant(keys, familyName, givenName, patronymic, sex, scheme), swapped: true }];
}

/** How well two name variants agree (lower is better; a missing name counts as middling) and their levels. */
function nameRank(v: NameVariant, t: NameVariant): { rank: number; g: number; f: number; p: number } {
  const g = givenLevel(v, t);
  const f = familyLevel(v, t);
  const p = patronymicLevel(v, t);
  return { rank: (g < 0 ? 2 : g) * 32 + (f < 0 ? 2 : f) * 4 + (p < 0 ? 1 : p), g, f, p };
}

/** The reading of a trace (index into `traceVariants`) that agrees best with any of a child's variants: ties go to the first. */
export function bestReading(childVariants: NameVariant[], traceVariants: NameVariant[]): number {
  let best = 0;
  let bestRank = Infinity;
  traceVariants.forEach((t, i) => {
    for (const v of childVariants) {
      const { rank } = nameRank(v, t);
      if (rank < bestRank) { bestRank = rank; best = i; }
    }
  });
  return best;
}

/** Two given-name keys of one name: equal, or one the key of a Саша of unknown sex that the other's name has. */
function sameName(a: string, b: string): boolean {
  return a === b || !!sexlessParts(a)?.includes(b) || !!sexlessParts(b)?.includes(a);
}

function givenLevel(a: NameVariant, b: NameVariant): number {
  if (!a.givenSkel || !b.givenSkel) return -1;
  // One skeleton, two names: every vowel is `a` there, and Олена / Алина, Шура / Жора are sisters' and brothers' names,
  // not one name (each written as a spelling of its own name; a spelling the table lacks keeps the skeleton's word).
  if (a.givenSkel === b.givenSkel) return a.givenSpelled && b.givenSpelled && !sameName(a.givenKey, b.givenKey) ? GIVEN_PARTIAL : 0;
  if (a.givenKey === b.givenKey) return 1;
  // A misspelt name (no name of the table) one letter from a form of the other's name: Актон / Антон, Стпеан / Степан.
  if (b.givenTypoOf.includes(a.givenKey) || a.givenTypoOf.includes(b.givenKey)) return GIVEN_SIMILAR;
  // A name outside the table whose loose key is the other's (Охрім / Ефрем, Хведір / Фёдор): a Ukrainian name and its
  // Russian form as far as the regular correspondences go, not a name of the table.
  if (!(a.givenKnown && b.givenKnown) && a.givenLoose === b.givenLoose) return GIVEN_SIMILAR;
  // Letters a scanner confuses, however many (Поліна / Попина, Діана / Диаиа): not when both are names of the table
  // (Анна / Алла, Ніна / Ліна are two names).
  if (!(a.givenKnown && b.givenKnown) && ocrAgrees(a.givenOcr, b.givenOcr)) return GIVEN_OCR;
  const jw = jaroWinkler(a.givenSkel, b.givenSkel);
  // Two names of the table under different keys are different names however alike they look (Денис / Диана,
  // Кіра / Каріна): a brother and sister, never the same child.
  if (a.givenKnown && b.givenKnown) return jw >= 0.8 ? GIVEN_PARTIAL : GIVEN_DIFFERENT;
  return jw >= 0.92 ? GIVEN_SIMILAR : jw >= 0.8 ? GIVEN_PARTIAL : GIVEN_DIFFERENT;
}

/** How long an OCR-folded name must be to count: names of three letters fold alike too often (Лев and Пев are both `NOV`). */
export const OCR_MIN_LENGTH = 4;

/** Two OCR-folded forms (`ocrKey`) of names that differ only by letters a scanner confuses. */
export function ocrAgrees(a: string, b: string): boolean {
  return a.length >= OCR_MIN_LENGTH && a === b;
}

/**
 * One edit apart, the longer of the two 5 letters or more: a letter dropped from a short surname (Сітак / Стак,
 * Кацчук / Кацчк) leaves 4, and asking 5 of both missed every such typo.
 */
function oneTypo(a: string, b: string): boolean {
  return Math.max(a.length, b.length) >= 5 && Math.min(a.length, b.length) >= 4 && editDistance(a, b, 1) <= 1;
}

/**
 * Surnames: the same spelling key (vowels agree by class); the same skeleton only (Мугук / Мігак: every vowel
 * is `a` there, so many surnames share one); one typo apart on the spelling key or a typo key (see `oneTypo`); alike (one
 * edit on the skeleton, or Jaro–Winkler ≥ 0.88); different.
 */
function familyLevel(a: NameVariant, b: NameVariant): number {
  if (!a.familySkel || !b.familySkel) return -1;
  // A surname written as its initial: no level of the model's (it says less than a surname); an initial that agrees
  // is weighed beside the levels (`surnameInitialWeight`, fellegiSunter.ts), a Cyrillic one that differs is another
  // surname, a Latin one that differs may be a scheme's letter for the same (J. is Я in German, ж in French): no weight.
  if (a.familyInitial || b.familyInitial) {
    if (surnameInitialAgrees(a, b)) return -1;
    const initial = a.familyInitial ? a.familyName : b.familyName;
    return hasCyrillic(initial) ? FAMILY_DIFFERENT : -1;
  }
  if (a.familyKey === b.familyKey) return 0;
  if (a.familySkel === b.familySkel) return 1;
  // One side double-barrelled, the other one of its parts (a part dropped by the record, or by the report): it agrees,
  // but less surely than the whole name.
  if (a.familyPartKeys.includes(b.familyKey) || b.familyPartKeys.includes(a.familyKey)) return 1;
  if (oneTypo(a.familyKey, b.familyKey) || oneTypo(a.familyTypoKey, b.familyTypoKey) || oneTypo(a.familyRawTypoKey, b.familyRawTypoKey)) return FAMILY_SIMILAR;
  // Letters a scanner confuses, more than one (Марченко / Марчеико, Кобзенко / КСБЗЕНКС).
  if (ocrAgrees(a.familyOcr, b.familyOcr)) return FAMILY_OCR;
  // One edit on the skeleton alone is weaker: Пудишин / Бадожань are `padaxan` / `badaxan`.
  if (Math.min(a.familySkel.length, b.familySkel.length) >= 5 && editDistance(a.familySkel, b.familySkel, 1) <= 1) return FAMILY_PARTIAL;
  return jaroWinkler(a.familySkel, b.familySkel) >= 0.88 ? FAMILY_PARTIAL : FAMILY_DIFFERENT;
}

function patronymicLevel(a: NameVariant, b: NameVariant): number {
  if (!a.patronymicSkel || !b.patronymicSkel) return -1;
  if (a.patronymicKey === b.patronymicKey) return 0;
  return jaroWinkler(a.patronymicSkel, b.patronymicSkel) >= 0.88 ? 1 : 2;
}

/** A full date on 1 January (a common placeholder for a year-only date). */
export function isJanuaryFirst(p: PartialDate): boolean {
  return p.m === 1 && p.d === 1;
}

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Days since the calendar's start of a full date (arithmetic: `birthLevelFrequencies` calls this millions of times). */
function dayNumber(p: PartialDate): number {
  const y = p.y - 1;
  const leap = (p.y % 4 === 0 && p.y % 100 !== 0) || p.y % 400 === 0;
  return y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + DAYS_BEFORE_MONTH[p.m! - 1] + (leap && p.m! > 2 ? 1 : 0) + p.d!;
}

/**
 * The level of two birth dates, each known to the year, the month or the day. A date known to the month is compared
 * as far as it goes: its month against the other's month, or against the other's day when that day could be a
 * month (a day/month swap: reported "2016-11", traced "2016-12-11" for 12 November), which is no disagreement.
 */
export function birthLevel(a: PartialDate | null, b: PartialDate | null): number {
  if (!a || !b) return -1;
  // 1 January is what many registries write when they know only the year: against another date it says the year only
  // (a child born 27 September 2022 recorded as 2022-01-01 is no disagreement of months). Two such dates still agree.
  if (isJanuaryFirst(a) !== isJanuaryFirst(b)) {
    if (isJanuaryFirst(a)) a = { y: a.y, m: null, d: null };
    else b = { y: b.y, m: null, d: null };
  }
  const dy = Math.abs(a.y - b.y);
  const monthsKnown = a.m !== null && b.m !== null;
  const daysKnown = monthsKnown && a.d !== null && b.d !== null;
  if (dy === 0) {
    if (daysKnown && a.m === b.m && a.d === b.d) return 0;
    if (daysKnown && a.m === b.d && a.d === b.m) return BIRTH_SWAPPED;
    // A slip of a few days (a mistyped day, the date of registration): about as rare among random pairs as an exact date.
    if (daysKnown && Math.abs(dayNumber(a) - dayNumber(b)) <= NEAR_DAY_MAX) return BIRTH_NEAR_DAY;
    if (monthsKnown && a.m === b.m) return daysKnown ? BIRTH_OTHER_DAY : BIRTH_SAME_MONTH;
    if (!monthsKnown) return BIRTH_SAME_YEAR;
    // A month against a full date whose day, read as a month, is that month: the swap a full date would show as
    // DAY_MONTH_SWAPPED. Only the year is sure.
    if (!daysKnown && ((a.d === null && b.d !== null && b.d === a.m) || (b.d === null && a.d !== null && a.d === b.m))) return BIRTH_SAME_YEAR;
    // Both months known and different (and not a swap): that is a disagreement, not a same-year agreement.
    // Counted as SAME_YEAR it made every namesake of the year look corroborated.
    return BIRTH_DIFFERENT;
  }
  // Across New Year: 31 December and 2 January are days apart.
  if (dy === 1 && daysKnown && Math.abs(dayNumber(a) - dayNumber(b)) <= NEAR_DAY_MAX) return BIRTH_NEAR_DAY;
  // A full date whose year is one off (a slip of the year, or the year of arrival): the day and month still agree,
  // which a random pair born a year apart does once in 365. The same with a date known to the month: the month
  // agrees, once in 12. Apart from a year-only ±1, which is barely evidence.
  if (dy === 1 && monthsKnown && a.m === b.m) return daysKnown ? (a.d === b.d ? BIRTH_YEAR_SHIFTED : BIRTH_DIFFERENT) : BIRTH_MONTH_YEAR_SHIFTED;
  if (dy === 1 && !monthsKnown) return BIRTH_NEAR_YEAR;
  return BIRTH_DIFFERENT;
}

/**
 * u of the birth date counted exactly: the share of each level among all pairs (child, trace) whose birth years are
 * both known and at most one apart (the pairs blocking can produce), from the frequencies of the dates (year, month,
 * day as far as known) on either side: every distinct pair of dates is compared with `birthLevel` once and counted as
 * often as it occurs. Null when there is no such pair. Sampling it was too noisy: the strong levels are rare among
 * random pairs.
 */
export function birthLevelFrequencies(children: (PartialDate | null)[], traces: (PartialDate | null)[]): number[] | null {
  // Distinct dates per year with their counts.
  const tally = (dates: (PartialDate | null)[]) => {
    const byYear = new Map<number, Map<string, { date: PartialDate; n: number }>>();
    for (const d of dates) {
      if (!d) continue;
      let year = byYear.get(d.y);
      if (!year) byYear.set(d.y, (year = new Map()));
      const k = `${d.m ?? ''}-${d.d ?? ''}`;
      const e = year.get(k);
      if (e) e.n++;
      else year.set(k, { date: d, n: 1 });
    }
    return new Map([...byYear].map(([y, m]) => [y, [...m.values()]]));
  };
  const c = tally(children);
  const t = tally(traces);
  const levels = new Array<number>(FIELDS[F_BIRTH].levels.length).fill(0);
  let total = 0;
  for (const [y, cs] of c) {
    for (const dy of [-1, 0, 1]) {
      const ts = t.get(y + dy);
      if (!ts) continue;
      for (const a of cs) {
        for (const b of ts) {
          const n = a.n * b.n;
          levels[birthLevel(a.date, b.date)] += n;
          total += n;
        }
      }
    }
  }
  if (total === 0) return null;
  return levels.map((n) => (n + 1) / (total + levels.length));
}

function placeLevel(a: string, b: string): number {
  if (!a || !b) return -1;
  if (a === b) return 0;
  if (a.length >= 4 && b.length >= 4 && (a.includes(b) || b.includes(a))) return 1;
  return jaroWinkler(a, b) >= 0.88 ? 1 : 2;
}

/**
 * Compares a child (its best-matching name variant) with a trace (its best reading: a trace whose names look swapped
 * has two), field by field.
 */
export function compare(child: Person, trace: Person): Comparison {
  let best: Int8Array | null = null;
  let bestVariant = child.variants[0];
  let bestTrace = trace.variants[0];
  let bestRank = Infinity;
  for (const t of trace.variants) {
    for (const v of child.variants) {
      // The variant that agrees best on names (lower level = better; missing counts as middling). The straight reading
      // wins a tie.
      const { rank, g, f, p } = nameRank(v, t);
      if (rank < bestRank) {
        bestRank = rank;
        bestVariant = v;
        bestTrace = t;
        best = Int8Array.of(g, f, p, 0, 0, 0);
      }
    }
  }
  const levels = best ?? Int8Array.of(-1, -1, -1, 0, 0, 0);
  levels[F_BIRTH] = birthLevel(child.birth, trace.birth);
  levels[F_SEX] = child.sex && trace.sex ? (child.sex === trace.sex ? 0 : 1) : -1;
  levels[F_PLACE] = placeLevel(child.placeSkel, trace.placeSkel);
  return { levels, variant: bestVariant, traceVariant: bestTrace };
}
