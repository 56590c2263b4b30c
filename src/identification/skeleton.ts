/**
 * Latin "skeletons" of names: one key that a Ukrainian spelling, its Russian form and their romanisations
 * (Ukrainian national, ICAO, BGN/PCGN, GOST, French-style MVD) share, so that Гнатюк, Gnatiuk, Gnatyuk and
 * Gnatiouk, or Савицька, Савицкая and Savitskaya, fall on the same key. Vowel runs collapse to one `a`
 * (Ukrainian і/и/ї vs Russian и/ы/е, akanye, -ська/-ская), г/ґ/х and Latin g/h/kh to `h`, every sibilant
 * (ж ш щ ч; zh sh shch ch tch j) to `x`, ц (ts, tz, c) to `c`, doubled letters to one.
 */

// Cyrillic letters to a plain Latin spelling, only as the first step of the skeleton (not for display).
const CYR: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'ie', ж: 'zh', з: 'z', и: 'y', і: 'i', ї: 'i', й: 'i',
  к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch',
  ш: 'sh', щ: 'shch', ь: '', ъ: '', ю: 'iu', я: 'ia', ё: 'io', ы: 'y', э: 'e',
};

// Scholarly / ISO 9 and Polish letters whose marks carry a sound (š = ш, ż = ж, ł = л); other diacritics are dropped.
const LATIN: Record<string, string> = { š: 'sh', č: 'ch', ž: 'zh', ŝ: 'shch', ĉ: 'ch', ẑ: 'zh', ŝč: 'shch', ż: 'zh', ł: 'l' };

// Latin letters that look like Cyrillic ones (lower case: upper-case B, H, M, T read as в, н, м, т), and back.
const LATIN_LOOKALIKE: Record<string, string> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', y: 'у', x: 'х', i: 'і', k: 'к', m: 'м', t: 'т', b: 'в', h: 'н' };
const CYR_LOOKALIKE: Record<string, string> = Object.fromEntries(Object.entries(LATIN_LOOKALIKE).map(([l, c]) => [c, l]));

/**
 * Lower-case text with look-alike letters put in the script of their word: a Latin о, р or с typed or scanned into a
 * Cyrillic word (Cофия, Маpк) is read as Cyrillic, a Cyrillic one in a Latin word as Latin. A word's script is that of
 * its letters that have no look-alike (ф, и, я; s, v, z), else of most of its letters; a word whose letters of both
 * scripts have no look-alike is left as it is.
 */
export function unconfuse(text: string): string {
  const lower = text.toLowerCase();
  if (!/[a-z]/.test(lower) || !hasCyrillic(lower)) return lower;
  return lower.replace(/[\p{L}\p{M}]+/gu, (word) => {
    let cyr = 0;
    let lat = 0;
    let cyrOwn = 0;
    let latOwn = 0;
    for (const ch of word) {
      if (ch >= 'a' && ch <= 'z') { lat++; if (!LATIN_LOOKALIKE[ch]) latOwn++; }
      else if (ch >= '\u0400' && ch <= '\u04ff') { cyr++; if (!CYR_LOOKALIKE[ch]) cyrOwn++; }
    }
    if (!cyr || !lat || (cyrOwn && latOwn)) return word;
    const toCyrillic = cyrOwn ? true : latOwn ? false : cyr > lat ? true : lat > cyr ? false : null;
    if (toCyrillic === null) return word;
    const map = toCyrillic ? LATIN_LOOKALIKE : CYR_LOOKALIKE;
    let out = '';
    for (const ch of word) out += map[ch] ?? ch;
    return out;
  });
}

/** Lower-case Latin letters for any spelling: Cyrillic transliterated, diacritics and punctuation dropped. */
export function latinLetters(text: string): string {
  // й and ї decompose into и/і plus a mark; map Cyrillic before stripping marks so they stay letters.
  let out = '';
  for (const ch of unconfuse(text)) out += CYR[ch] ?? LATIN[ch] ?? ch;
  return out.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z]/g, '');
}

/**
 * A name's first vowel keeps its class, so that Анна / Яна, Олена / Уляна or Ірина / Орина stay apart:
 * я (ya, ia, ja) and ю (yu, iu, ju, iou) keep their й-sound; е, є and ё (e, ye, ie, yo) are one class; а and о
 * one (akanye: Олександр / Александр); у (u, ou) and і / и (i, y) each their own.
 */
function initialVowel(run: string): string {
  if (/^[yij]a/.test(run)) return 'Ja';
  if (/^[yij]o?u/.test(run)) return 'Ju';
  if (/^[yij]?[eo]/.test(run) && (run[0] !== 'o')) return 'E';
  if (run[0] === 'e') return 'E';
  if (run[0] === 'a' || run[0] === 'o') return run.startsWith('ou') ? 'U' : 'a';
  if (run[0] === 'u') return 'U';
  return 'I';
}

/**
 * Cyrillic consonants that every scheme spells with several Latin letters go straight to the folded class (upper
 * case: X for ж ш щ ч, C for ц, H for г ґ х), so that no two Cyrillic letters read as one Latin sequence: through a
 * Latin spelling first, з+г was "zh" (ж), ц+ч "tsch" (ч), с+ч "sch" (щ), ц+г "tsh", and their romanisations
 * (Nuzguk, Noutstchouk) missed the Cyrillic form.
 */
const CYR_FOLDED: Record<string, string> = { ...CYR, г: 'H', ґ: 'H', х: 'H', ж: 'X', ш: 'X', щ: 'X', ч: 'X', ц: 'C' };

/**
 * Whether a Latin spelling is German or Polish (w, ł, ż, cz: no English or French scheme writes them). There `ch` is х
 * (Charkiw, Chmara: elsewhere it is ч, or French ш) and `j` is always й (Jewhen, Bojko). German "tsch" and Polish "sz"
 * are no sign: French writes ц+ш and the English schemes с+з so.
 */
const GERMAN_OR_POLISH = /w|ł|ż|(?<!t)cz/;

/** Letters of a Polish (ł, ż, ś, ć, ń, cz, sz) or a Czech, scholarly or ISO 9 spelling (č, š, ž, ř, ě, ů). */
const POLISH_OR_CZECH = /ł|ż|ś|ć|ń|(?<!t)cz|(?<!s)sz|[čšžřěů]/;
/** A German spelling (Duden): w or sch, where the others have none. */
const GERMAN = /w|sch/;

/** Whether a text has a Cyrillic letter. */
export function hasCyrillic(text: string): boolean {
  return /[\u0400-\u04ff]/.test(text);
}

/**
 * GOST 7.79-B (System B, the Russian standard's Latin-only transliteration): х is x, щ is shh, ц before e, i, y, j is cz,
 * й is j (Mixail Glushhenko Mixajlovich). Shown by shh, or by an x that is no кс: not the x of Alex-, Olex-, Max-,
 * Felix or an initial Xe- (Xenia), which every English-style spelling writes.
 */
const GOST_X = /(?<![a-z])x(?!e)|(?<=[a-z])(?<!le|ma|li)x/g;
const GOST_779 = new RegExp(`shh|${GOST_X.source}`);

/** The scheme a trace's Latin names show, read together: a record is written in one (see `readInScheme`). */
export type LatinScheme = 'GERMAN' | 'SLAVIC' | 'GOST779' | null;

/**
 * The scheme of a trace's names, from its surname and patronymic (a Western given name such as Andrew has a w of its
 * own) and the marks of a Polish or Czech spelling anywhere: Jaroschenko is German only beside Olegowitsch or
 * Koslowa, and its own letters do not say so.
 */
export function latinSchemeOf(givenName: string | null, familyName: string | null, patronymic: string | null): LatinScheme {
  const latin = (f: string | null) => (f && !hasCyrillic(f) ? f.toLowerCase() : '');
  // Before Polish: GOST 7.79's cz is ц, Polish cz ч; its shh or x says which.
  if (GOST_779.test(`${latin(givenName)} ${latin(familyName)} ${latin(patronymic)}`)) return 'GOST779';
  if (POLISH_OR_CZECH.test(`${latin(givenName)} ${latin(familyName)} ${latin(patronymic)}`)) return 'SLAVIC';
  return GERMAN.test(`${latin(familyName)} ${latin(patronymic)}`) ? 'GERMAN' : null;
}

/**
 * A Latin name read in its record's scheme (`latinSchemeOf`), for the keys only (GOST 7.79-B: see GOST_779): in German, Polish and Czech `j` is
 * always й and `ch` is х (Jaroschenko, Michail, Chmara, which alone read as French ж and English ч); in German `z` is
 * ц (Sawizki, Kusnezow) and a single `s` between vowels is з (с is `ss` there). Cyrillic text, or no scheme, as it is.
 */
export function readInScheme(text: string | null, scheme: LatinScheme): string | null {
  if (!text || !scheme || hasCyrillic(text)) return text;
  // GOST 7.79-B: x is х, shh щ, cz ц, j й (its ch is ч, as the skeleton reads it).
  if (scheme === 'GOST779') return text.toLowerCase().replace(/shh/g, 'shch').replace(GOST_X, 'kh').replace(/cz/g, 'ts').replace(/j/g, 'y');
  let s = text.toLowerCase().replace(/(?<![stc])ch/g, 'kh').replace(/j/g, 'y');
  if (scheme === 'GERMAN') s = s.replace(/(?<![tcs])z/g, 'ts').replace(/(?<=[aeiouy])s(?=[aeiouy])/g, 'z');
  return s;
}

/**
 * Whether a `j` is й (a glide, kept as `j`) rather than French ж (Bajenov, Jeanna, Loujkov, Lijan): at the end after a
 * vowel (Sergej, Nikolaj); in a final -ija / -ije (Marija, Sofija: -ія as German, Polish and Czech write it); at a word's
 * start before u (Jurij, Julija: French writes у as ou, so its ж before у is "jou"); in any final -Vja / -Vje (Maja,
 * Sawizkaja); after any consonant but a first d (Tatjana, Natalja, Ljudmila, Nadja: French has ж after a consonant
 * only in an initial dj, Djamal). Elsewhere (at a word's start, between vowels, before a consonant) it is ж, except in
 * a German or Polish word, where it is always й; a given name read so that is no name of the table is read with й
 * if that is one (NameKeys.givenKeyOf: Jana, Jaroslav). French is one of the schemes Russian records use, so where the two read
 * differently French wins: Bojko without a German or Polish letter is read Божко.
 */
function glideJ(w: string, i: number, germanOrPolish: boolean): boolean {
  if (germanOrPolish) return true;
  const prev = w[i - 1] ?? '';
  if (/[aeiouy]/.test(prev) && i === w.length - 1) return true;
  // A final -Vja / -Vje: -ія, -ая, -йя (Marija, Sawizkaja, Maja); French writes them -iia, -aïa, -aia.
  if (/[aeiouy]/.test(prev) && i === w.length - 2 && /[ae]/.test(w[i + 1])) return true;
  // After a consonant: German, Czech and Polish soft signs and я/ю/є after a consonant (Tatjana, Natalja, Ljudmila,
  // Kostjantyn, Darja, Nadja). French writes ж after a consonant only in dj (дж), in names that start with it (Djamal).
  if (prev && !/[aeiouy]/.test(prev) && !(prev === 'd' && i === 1)) return true;
  return i === 0 && w[i + 1] === 'u';
}

/**
 * A pure function of one string, remembered: the same names come back in every batch and run (a surname is keyed for
 * each of its traces and each child's variant). The cache is emptied when it reaches `size` entries; a text longer than a
 * name (a search, a long place) is computed, not kept, so the cache stays a few megabytes.
 */
function remembered(fn: (text: string) => string, size = 100000): (text: string) => string {
  const cache = new Map<string, string>();
  return (text) => {
    if (text.length > 64) return fn(text);
    let out = cache.get(text);
    if (out === undefined) {
      if (cache.size >= size) cache.clear();
      out = fn(text);
      cache.set(text, out);
    }
    return out;
  };
}

/** Consonants folded as the skeleton folds them; vowels still as spelled. */
const foldConsonants = remembered(foldConsonantsOf);
function foldConsonantsOf(text: string): string {
  let letters = '';
  const lower = unconfuse(text);
  for (const ch of lower) letters += CYR_FOLDED[ch] ?? LATIN[ch] ?? ch;
  // Only a Latin spelling: Cyrillic letters map to single Latin ones (с+з is "sz"), which must not read as Polish.
  const latin = !hasCyrillic(lower);
  const germanOrPolish = latin && GERMAN_OR_POLISH.test(lower);
  return letters.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-zA-Z]/g, '')
    .replace(/x/g, 'ks')
    .replace(/(shch|shtch|chtch|sch|tsch|tch|zh|sh)/g, 'X')
    // Polish szcz (щ), sz (ш), cz (ч), in a Latin spelling; after t they are GOST's ц (tc) or ICAO's ц (ts) before з.
    .replace(/szcz|(?<!t)[sc]z/g, (m) => (latin ? 'X' : m))
    .replace(/ch/g, germanOrPolish ? 'H' : 'X')
    .replace(/j/g, (_m: string, i: number, w: string) => (glideJ(w, i, germanOrPolish) ? 'j' : 'X'))
    .replace(/kh|gh|gu(?=[eiy])/g, 'H')
    // GOST ц is "tc": tck is ц+к, not t+k.
    .replace(/(?<!t)ck|q/g, 'k')
    .replace(/ts|tz|tc|cz|c/g, 'C')
    .replace(/ph/g, 'f')
    .replace(/w/g, 'v')
    .replace(/g|h/g, 'H')
    // A hushing sound after с, т or ц is read as one in Latin (ICAO сч and German щ are both "sch", ц+ч "tsch" is
    // German ч, French т+ш "tch" is ч): one class on either side. Russian speech merges them too (сч, тч).
    .replace(/[stC]+X/g, 'X');
}

/** The skeleton of one name (empty for an empty name). */
export function skeleton(text: string | null | undefined): string {
  return text ? skeletonOf(text) : '';
}
const skeletonOf = remembered((text) => {
  const s = foldConsonants(text)
    .replace(/^[aeiouyj]+/, initialVowel)
    .replace(/[aeiouyj]+/g, 'a')
    .toLowerCase();
  // One letter per run: Vassili / Vasili, Anna / Ana.
  return s.replace(/(.)\1+/g, '$1');
});

/**
 * The class of a vowel run in a spelling key: a softening й-glide (я = ia/ya, ю = iu/yu/iou, є = ie/ye) is
 * dropped, then а, о, е, у (u, ou) and і/и/ы/ї (i, y) are five classes. A run of glides alone (ий, ii, yi) is і.
 */
function vowelClass(run: string): string {
  const core = run.replace(/^[yij]+(?=[aeou])/, '');
  if (core.startsWith('ou')) return 'u';
  const c = core[0];
  return c === 'a' || c === 'o' || c === 'e' || c === 'u' ? c : 'i';
}

/**
 * A finer key than the skeleton: the same folding of consonants, but vowels keep their class, so that Мугук
 * and Мігак, which share the skeleton `mahak`, differ, while Ukrainian, Russian and romanised spellings of one
 * surname still agree (Олійник / Олийнык / Oliinyk / Oliynyk, Савицька / Савицкая / Savitskaya). Two surnames
 * with the same key agree more surely than two with only the same skeleton.
 */
export function spellingKey(text: string | null | undefined): string {
  return text ? spellingKeyOf(text) : '';
}
const spellingKeyOf = remembered((text) => {
  const s = foldConsonants(text)
    // A glide at the start stays before а, о, у (Яна is not Анна; Russian Е- is Ukrainian Є-), elsewhere it only softens the consonant before it.
    .replace(/^[yij](?=[aou])/, 'J')
    .replace(/[aeiouyj]+/g, vowelClass)
    .toLowerCase();
  return s.replace(/(.)\1+/g, '$1');
});

/**
 * A key for telling a typo from another surname: consonants folded as in the spelling key, but a vowel run is not
 * one letter, so a letter dropped between two vowels (Чобазенко / Choazenko) or two letters swapped across a vowel
 * (Шевак / Швеак) stay one edit apart, which on the spelling key they are not. French ou is u; a doubled letter is one,
 * unless `collapse` is false: a letter mistyped as its neighbour (Назар / Наар, Тарас / Тааас) leaves a double, which
 * collapsed is two edits from the name.
 */
export function typoKey(text: string | null | undefined, collapse = true): string {
  if (!text) return '';
  const s = foldConsonants(text)
    .replace(/ou/g, 'u')
    .replace(/[aeiouyj]/g, (c) => (c === 'y' || c === 'j' ? 'i' : c))
    .toLowerCase();
  return collapse ? s.replace(/(.)\1+/g, '$1') : s;
}

/**
 * A looser key of a given name's skeleton, for names outside the equivalence table: the regular differences between a
 * Ukrainian name and its Russian form folded — the first vowel (Омелян / Емельян, Юхим / Ефим, Ярема / Еремей), х, ф
 * and п (Хома / Фома, Трохим / Трофим, Пилип / Филипп, Хведір / Фёдор) and a final vowel (Зосим / Зосима, Самійло /
 * Самуил). Too coarse for names of the table (Павло / Хавло), so only names outside it use it.
 */
export function looseKey(skel: string): string {
  if (!skel) return '';
  const s = skel.replace(/^(ja|ju|[eiu])(?=[^aeiu])/, 'a').replace(/hv/g, 'h').replace(/[fp]/g, 'h');
  return s.length > 3 ? s.replace(/a$/, '') : s;
}

/** A patronymic's stem: the father's name it is made from (Федорівна, Федоровна, Fedorovich → fadar). */
export function patronymicStem(text: string | null | undefined): string {
  const s = skeleton(text);
  return s.replace(/(avax|avna|axna|ax)$/, '') || s;
}

/** A name's skeleton without its final vowel: what a patronymic's stem is compared with (Павло → pavl). */
export function nameStem(skel: string): string {
  return skel.length > 2 ? skel.replace(/a$/, '') : skel;
}

/**
 * Letters a scanner confuses (camp and institution lists read by OCR), each class written as one letter: Cyrillic
 * н/и/й/п/л (with і, ї, ы: the Ukrainian and Russian spellings of one vowel), о/с/е/ё/є, в/з/э, т/г/ґ, ш/щ/ц, ь/ъ/б;
 * Latin l/i/1/| and o/0 (rn and cl are read as m and d before). Capitals are lower-cased first (an upper-case list:
 * ПОЛІНА, КСВАЛЕНКО).
 */
const OCR_CLASSES: [string, string][] = [
  ['нийпліїы', 'N'], ['осеёє', 'O'], ['взэ', 'V'], ['тгґ', 'T'], ['шщц', 'W'], ['ьъб', 'B'], ['li1|', 'L'], ['o0', 'O'],
];
const OCR_FOLD: Record<string, string> = Object.fromEntries(OCR_CLASSES.flatMap(([letters, to]) => [...letters].map((ch) => [ch, to])));

/**
 * A name's OCR-folded form: every letter a scanner confuses replaced by its class (`OCR_CLASSES`), other letters as
 * written (lower case), everything but letters and digits dropped. Two spellings with the same fold differ only by
 * such confusions, however many (Поліна / Попина, Марченко / Марчеико, Коваленко / КСВАЛЕНКО; Kornienko / Komienko).
 * A substitution keeps the length, so the fold is no edit distance: a name one typo away is another level's.
 */
export function ocrKey(text: string | null | undefined): string {
  if (!text) return '';
  return ocrKeyOf(text);
}
const ocrKeyOf = remembered((text) => {
  const s = unconfuse(text.normalize('NFC')).replace(/rn/g, 'm').replace(/cl/g, 'd');
  let out = '';
  for (const ch of s) {
    const f = OCR_FOLD[ch];
    if (f) out += f;
    else if (/[\p{L}\d]/u.test(ch)) out += ch;
  }
  return out;
});
