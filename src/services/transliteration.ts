import { skeleton } from '../identification/skeleton';

// Ukrainian national transliteration (Cabinet of Ministers resolution 55 of 2010): used for passports,
// so it is how a child's name most often appears in Latin documents.
const START: Record<string, string> = { є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' };
const MAP: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'ie', ж: 'zh', з: 'z', и: 'y', і: 'i', ї: 'i', й: 'i',
  к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch',
  ш: 'sh', щ: 'shch', ь: '', ю: 'iu', я: 'ia', "'": '', '’': '', 'ʼ': '',
  // Russian letters, for russified spellings of the same names.
  ё: 'io', ъ: '', ы: 'y', э: 'e',
};

/** Transliterates Cyrillic text to Latin; other characters pass through. */
export function transliterate(text: string): string {
  let out = '';
  let wordStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const lower = ch.toLowerCase();
    // "зг" is written "zgh" so that it is not read as "zh".
    let t = lower === 'г' && text[i - 1]?.toLowerCase() === 'з' ? 'gh' : wordStart && START[lower] !== undefined ? START[lower] : MAP[lower];
    if (t === undefined) t = ch;
    else if (ch !== lower && t.length > 0) t = t[0].toUpperCase() + t.slice(1);
    out += t;
    wordStart = !/[\p{L}'’ʼ]/u.test(ch);
  }
  return out;
}

/**
 * A word's name skeleton as a search token (`~` and the skeleton, at least `SKELETON_SEARCH_MIN` letters): the Latin
 * form that the Ukrainian and Russian spellings of a name and its romanisations share (Ірина, Ирина, Irina, Iryna
 * are all "irana"; Савицька, Савицкая, Savitskaya "savacka"), so that a case is found by the spelling a Russian
 * registry or a partner state wrote. Shorter skeletons would match too much as prefixes (Мель is Малюк's "mal").
 */
export const SKELETON_SEARCH_MIN = 4;
function skeletonToken(word: string): string | null {
  // Names only: the skeleton leaves digits and signs out, so "Ревізія1733" and "Ревізія1734" would share one.
  if (!/^[\p{L}\p{M}'’ʼ.]+$/u.test(word)) return null;
  const skel = skeleton(word);
  return skel.length >= SKELETON_SEARCH_MIN ? `~${skel}` : null;
}

/** Lower-cased text with every spelling (and the transliteration of Cyrillic ones) for name search, and their skeletons. */
export function searchText(parts: (string | null | undefined)[]): string {
  const words = parts.filter((p): p is string => !!p && p.trim().length > 0).map((p) => p.trim().toLowerCase());
  const all = new Set<string>();
  for (const w of words) {
    all.add(w);
    const latin = transliterate(w).toLowerCase();
    if (latin !== w) all.add(latin);
    for (const part of w.split(/[\s-]+/)) {
      const token = skeletonToken(part);
      if (token) all.add(token);
    }
  }
  return [...all].join(' ');
}

/**
 * The search terms a query should match: each word as typed, its transliteration when Cyrillic, and its skeleton
 * token (matched as the beginning of a skeleton of the child's names).
 */
export function searchTerms(query: string): string[][] {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => {
      const latin = transliterate(w).toLowerCase();
      const alternatives = latin !== w ? [w, latin] : [w];
      const token = skeletonToken(w);
      if (token) alternatives.push(token);
      return alternatives;
    });
}
