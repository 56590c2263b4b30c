import { editDistance } from './editDistance';
import { looseKey, nameStem, patronymicStem, skeleton, spellingKey, typoKey } from './skeleton';

/** One row of the curated given-name equivalence table: a spelling and the name it is a form of. */
export interface EquivalenceRow {
  name: string;
  canonical: string;
  /** `uk`, `ru`, or a short (`uk-short`, `ru-short`) or Western (`latin`) form, from which no patronymic is made. */
  language?: string;
}

/**
 * Short forms that are a boy's and a girl's name alike (Саша is Олександр or Олександра): a table row has one name,
 * so these are kept here and keyed by the child's sex (NameKeys.givenKeyOfSex), or without a sex by a key of the form
 * that the boys and the girls of either name carry (sexlessKey); every romanisation follows from the
 * skeleton (Sasha, Sacha, Sascha, Shura, Choura, Valya, Walja). Not listed: forms of more than two names (Слава:
 * Вячеслав, Ярослав, Станіслав…), and Женя, whose French romanisation (Jenia) is Жанна's (Jeanna) by every key.
 */
export const SEXED_SHORT_FORMS: ReadonlyArray<[string[], string, string]> = [
  [['Саша', 'Шура'], 'Олександр', 'Олександра'],
  [['Валя'], 'Валентин', 'Валентина'],
];

/**
 * Given-name keys from the curated Ukrainian↔Russian equivalence table (Микола/Николай, Олена/Елена,
 * Ганна/Анна…): two spellings with the same key are forms of one name. A name not in the table is its own key.
 */
export class NameKeys {
  private readonly given = new Map<string, string>();
  private readonly stems = new Map<string, string>();
  /** Each spelling in the table and each of its one-letter deletions → the spellings it comes from (a typo index). */
  private readonly deletions = new Map<string, string[]>();
  /**
   * Skeletons that are spellings of more than one name: every vowel run is `a` there, so Евгений and Євгенія
   * (`evhana`), Валерій and Валерія, Алина and Алена fall on one skeleton. Such a name is keyed by its spelling
   * key (vowels by class: `evheni` / `evhena`) instead; with the skeleton alone the last name of the table won, and
   * every Евгений was keyed as Євгенія, so no Євген ever matched his Russian spelling.
   */
  private readonly ambiguous = new Set<string>();
  /**
   * The same typo index over the spellings' typo keys (vowels kept letter by letter): a typo next to a vowel often
   * merges two vowel runs, which on the skeleton is two edits (Данило / Даниео, Іван / Ииан, Юрій / Yiriy).
   */
  private readonly typoDeletions = new Map<string, string[]>();
  private readonly keyOfTypoKey = new Map<string, string>();
  /** The same over the typo keys with doubled letters kept (`typoKey(name, false)`). */
  private readonly rawTypoDeletions = new Map<string, string[]>();
  private readonly keyOfRawTypoKey = new Map<string, string>();
  private readonly bySpelling = new Map<string, string>();
  /** The loose key of each spelling of the table → its name's key ('' when the spellings of two names share it). */
  private readonly byLooseKey = new Map<string, string>();
  /**
   * Short forms of a boy's and a girl's name (SEXED_SHORT_FORMS), by skeleton → the two names' keys, and the key of
   * the form when the sex is not known (`ANY`, see `sexlessKey`).
   */
  private readonly sexed = new Map<string, { MALE: string; FEMALE: string; ANY: string }>();
  /**
   * The same by spelling key, for a form whose skeleton is a name of the table (Шура and Жора are both `xara`; the
   * vowels tell them apart), and the skeletons that need it.
   */
  private readonly sexedBySpelling = new Map<string, { MALE: string; FEMALE: string; ANY: string }>();
  private readonly sexedSharedSkeletons = new Set<string>();
  /** The boy's and the girl's name's key → the key of their short form without a sex. */
  private readonly sexlessOf = new Map<string, string>();

  constructor(rows: EquivalenceRow[]) {
    // A name's key is its canonical form's skeleton, unless two names' canonical forms share one (Аліна and Олена are
    // both `alana`, Мирон and Мар'ян `maran`, Олеся and Аліса `alasa`): those are keyed by the spelling key (vowels by
    // class), marked so that it is no other name's skeleton. With the skeleton alone an Аліна was EQUIVALENT to an
    // Олена (sisters' names), and every form of either was keyed as one name.
    const canonicalsOf = new Map<string, Set<string>>();
    for (const r of rows) {
      const k = skeleton(r.canonical);
      canonicalsOf.set(k, (canonicalsOf.get(k) ?? new Set()).add(spellingKey(r.canonical)));
    }
    const keyOf = (canonical: string) => {
      const k = skeleton(canonical);
      return canonicalsOf.get(k)!.size > 1 ? `${k}:${spellingKey(canonical)}` : k;
    };
    for (const r of rows) {
      const key = keyOf(r.canonical);
      const skel = skeleton(r.name);
      if (!skel) continue;
      if (!this.given.has(skel)) for (const d of oneDeletion(skel)) this.deletions.set(d, [...(this.deletions.get(d) ?? []), skel]);
      else if (this.given.get(skel) !== key) this.ambiguous.add(skel);
      const tk = typoKey(r.name);
      if (tk && !this.keyOfTypoKey.has(tk)) {
        this.keyOfTypoKey.set(tk, key);
        for (const d of oneDeletion(tk)) this.typoDeletions.set(d, [...(this.typoDeletions.get(d) ?? []), tk]);
      }
      const raw = typoKey(r.name, false);
      if (raw && !this.keyOfRawTypoKey.has(raw)) {
        this.keyOfRawTypoKey.set(raw, key);
        for (const d of oneDeletion(raw)) this.rawTypoDeletions.set(d, [...(this.rawTypoDeletions.get(d) ?? []), raw]);
      }
      const spelling = spellingKey(r.name);
      if (!this.bySpelling.has(spelling)) this.bySpelling.set(spelling, key);
      this.given.set(skel, key);
      const loose = looseKey(skel);
      this.byLooseKey.set(loose, this.byLooseKey.has(loose) && this.byLooseKey.get(loose) !== key ? '' : key);
      // A patronymic is made from the father's name: its stem finds the same key (Миколайович, Николаевич). Not from a
      // short or Western form (Коля, Andrew), whose stem could take another name's.
      if (r.language && r.language !== 'uk' && r.language !== 'ru') continue;
      this.stems.set(skel, key);
      this.stems.set(nameStem(skel), key);
    }
    // Short forms of a boy's and a girl's name alike, keyed by the sex when it is known (see givenKeyOfSex).
    for (const [forms, male, female] of SEXED_SHORT_FORMS) {
      if (!this.given.has(skeleton(male)) || !this.given.has(skeleton(female))) continue;
      const keys = { MALE: this.givenKey(male), FEMALE: this.givenKey(female), ANY: sexlessKey(this.givenKey(male), this.givenKey(female)) };
      this.sexlessOf.set(keys.MALE, keys.ANY);
      this.sexlessOf.set(keys.FEMALE, keys.ANY);
      // By skeleton: every romanisation of the form; a form whose skeleton is a name of the table, by spelling key.
      for (const f of forms) {
        const skel = skeleton(f);
        if (!this.given.has(skel)) this.sexed.set(skel, keys);
        else if (this.bySpelling.get(spellingKey(f)) === undefined) {
          this.sexedBySpelling.set(spellingKey(f), keys);
          this.sexedSharedSkeletons.add(skel);
        }
      }
    }
  }

  /**
   * The key of a given name for a child of `sex`: a short form that is a boy's and a girl's name alike (Саша, Шура,
   * Валя) is the key of the boy's or the girl's name (Олександр / Олександра), or when the sex is not known the key
   * of the form (`sexlessKey`), which a boy and a girl of those names both carry as a variant; otherwise `givenKeyOf`.
   */
  givenKeyOfSex(name: string, skel: string, sex: 'MALE' | 'FEMALE' | null | undefined): string {
    const sexed = this.sexed.get(skel) ?? (this.sexedSharedSkeletons.has(skel) ? this.sexedBySpelling.get(spellingKey(name)) : undefined);
    if (sexed) return sex ? sexed[sex] : sexed.ANY;
    return this.givenKeyOf(name, skel);
  }

  /** The key a Саша of unknown sex has, for a child whose given name has `givenKey` (Олександр, Олександра), if any. */
  sexlessKeyOf(givenKey: string): string | undefined {
    return this.sexlessOf.get(givenKey);
  }

  /** The equivalence key of a given name ('' when absent). */
  givenKey(name: string | null | undefined): string {
    return this.givenKeyOf(name ?? '', skeleton(name));
  }

  /**
   * The equivalence key of a given name whose skeleton is already computed (the costly part). A name outside the table
   * whose loose key (`looseKey`) is that of one name of the table is a form of it (Охрім of Єфрем, Хведір of Федір).
   */
  givenKeyOf(name: string, skel: string): string {
    if (this.ambiguous.has(skel)) return this.bySpelling.get(spellingKey(name)) ?? this.givenKeyOfSkeleton(skel);
    // A Latin j the skeleton read as French ж (at the start, between vowels) that is й in a name of the table: German,
    // Czech and Polish Jana, Jaroslav, Jewhen, Olena as Jelena (the name decides: no name of the table starts with Жа
    // but Жанна, which French writes Jeanne or Janna).
    if (skel && !this.given.has(skel) && /j/i.test(name)) {
      const glide = glideReading(name);
      const alt = skeleton(glide);
      if (alt !== skel && (this.given.has(alt) || this.ambiguous.has(alt))) return this.givenKeyOf(glide, alt);
    }
    if (!skel || this.given.has(skel)) return this.givenKeyOfSkeleton(skel);
    // Outside the table: a form of the one name of the table with its loose key (4 letters or more), unless it is a
    // typo of another name of the table (Оелг is Олег mistyped, not Ольга; Юстина is one letter from Устина, the name
    // its loose key finds, and is keyed as it).
    const loose = looseKey(skel);
    const table = loose.length >= 4 ? this.byLooseKey.get(loose) : undefined;
    if (table && this.typoOfName(name, skel).every((k) => k === table)) return table;
    return this.givenKeyOfSkeleton(skel);
  }

  /**
   * The equivalence key of a given name's skeleton (the skeleton is the costly part: compute it once). A name outside
   * the table is keyed by its loose key (`looseKey`), marked with `~` so that it is no table name's key: the Ukrainian
   * and Russian forms of a name nobody entered still meet (Самійло / Самуил, Зосим / Зосима). See also `givenKeyOf`.
   */
  givenKeyOfSkeleton(skel: string): string {
    return this.given.get(skel) ?? (skel ? `~${looseKey(skel)}` : '');
  }

  /**
   * The keys of the names a given name is one typo away from (a letter dropped, added, changed or two swapped, on
   * the skeleton), when it is no name of the table itself: Актон is Антон mistyped, but Кіра is a name of its own
   * and no typo of Віра. Empty for a known name or a short one.
   */
  typoOf(name: string | null | undefined): string[] {
    return this.typoOfSkeleton(skeleton(name));
  }

  /** `typoOf` for a name's skeleton. */
  typoOfSkeleton(skel: string): string[] {
    if (skel.length < 3 || this.given.has(skel)) return [];
    const out = new Set<string>();
    for (const d of oneDeletion(skel)) {
      for (const known of this.deletions.get(d) ?? []) {
        if (Math.min(known.length, skel.length) >= 3 && editDistance(known, skel, 1) <= 1) out.add(this.given.get(known)!);
      }
    }
    return [...out];
  }

  /**
   * `typoOf` for a name whose skeleton is computed: one edit on the skeleton, or on the typo key (doubled letters
   * collapsed or kept), from a spelling of the table. Empty for a spelling of the table (its spelling key, vowels by
   * class, is one of the table's) or a short name. A misspelling whose skeleton happens to be another name's
   * (Даниео is `dana`, like Діана; Василиа `vasala`, like Василий) still finds the name it is a typo of: taken for
   * the other name, it was a sibling's name and the pair was never proposed.
   */
  typoOfName(name: string, skel: string): string[] {
    if (skel.length < 2 || this.isSpelling(name)) return [];
    const out = new Set(this.typoOfSkeleton(skel));
    const near = (tk: string, index: Map<string, string[]>, keyOf: Map<string, string>) => {
      if (tk.length < 3) return;
      for (const d of oneDeletion(tk)) {
        for (const known of index.get(d) ?? []) {
          if (Math.min(known.length, tk.length) >= 3 && editDistance(known, tk, 1) <= 1) out.add(keyOf.get(known)!);
        }
      }
    };
    near(typoKey(name), this.typoDeletions, this.keyOfTypoKey);
    near(typoKey(name, false), this.rawTypoDeletions, this.keyOfRawTypoKey);
    return [...out];
  }

  /** Whether a given name is written as a spelling of the table is (the same spelling key: vowels by class). */
  isSpelling(name: string): boolean {
    return this.bySpelling.has(spellingKey(name));
  }

  /**
   * Whether a given name's key is its spelling's, not its skeleton's guess: a spelling of the table, or a short form
   * told apart by its spelling (Шура beside Жора). Two such names under different keys are two names even when their
   * skeletons are one (Олена / Алина `alana`, Шура / Жора `xara`).
   */
  isKeyedBySpelling(name: string): boolean {
    const k = spellingKey(name);
    return this.bySpelling.has(k) || this.sexedBySpelling.has(k);
  }

  /** The skeletons that are spellings of more than one name of the table (keyed by spelling key instead). */
  ambiguousSkeletons(): string[] {
    return [...this.ambiguous];
  }

  /**
   * Whether a word is written as a given name of the table: its skeleton is a spelling's (or a short form's of
   * SEXED_SHORT_FORMS), in any script or romanisation the skeleton reads, or with a Latin j read as й (Jaroslav, Jelena). Stricter than `givenKeyOf`, which also keys a
   * name outside the table by its loose key (Охрім as Єфрем): a surname must not pass for a given name that way.
   */
  isGivenNameSpelling(name: string | null | undefined, skel = skeleton(name)): boolean {
    if (!skel) return false;
    // A short form of a boy's and a girl's name (Саша, Валя) is a given name too.
    if (this.given.has(skel) || this.sexed.has(skel)) return true;
    return /j/i.test(name!) && this.given.has(skeleton(glideReading(name!)));
  }

  /**
   * `isGivenNameSpelling` with the vowels too (the spelling key, vowels by class): Лазенко is no given name, though
   * its skeleton is Лізонька's (`lazanka`), nor Павличко Павлик's. For the field a swap would read as the surname.
   */
  isGivenNameSpellingStrictly(name: string | null | undefined, skel = skeleton(name)): boolean {
    if (!name || !this.isGivenNameSpelling(name, skel)) return false;
    if (this.sexed.has(skel) || this.isKeyedBySpelling(name)) return true;
    return /j/i.test(name) && this.isKeyedBySpelling(glideReading(name));
  }

  /** Whether a given name is one of the table's spellings. */
  isKnown(name: string | null | undefined): boolean {
    return this.given.has(skeleton(name));
  }

  /** `isKnown` for a name's skeleton. */
  isKnownSkeleton(skel: string): boolean {
    return this.given.has(skel);
  }

  /** The key of a patronymic: the key of the father's name it is made from ('' when absent). */
  patronymicKey(patronymic: string | null | undefined): string {
    const stem = patronymicStem(patronymic);
    return this.stems.get(stem) ?? stem;
  }
}

/**
 * The key of a short form of a boy's and a girl's name when the sex is not known (a media post's "Саша, 9"): both
 * names' keys, marked with `±` so that it is no name's key. Blocking finds the boys and the girls of either name with
 * it; its frequency is the two names' together (`sexlessParts`).
 */
export function sexlessKey(male: string, female: string): string {
  return `±${male}±${female}`;
}

/** The two names' keys of a `sexlessKey`, or null for any other key. */
export function sexlessParts(key: string): string[] | null {
  return key.startsWith('±') ? key.slice(1).split('±') : null;
}

/** A Latin name with every j read as the glide й (y), as German, Czech and Polish write it: Jana, Jaroslav, Jelena. */
function glideReading(name: string): string {
  return name.replace(/j/g, 'y').replace(/J/g, 'Y');
}

/** A spelling and every spelling one letter shorter: two spellings one edit apart share one of them. */
function oneDeletion(s: string): string[] {
  const out = [s];
  for (let i = 0; i < s.length; i++) out.push(s.slice(0, i) + s.slice(i + 1));
  return out;
}
