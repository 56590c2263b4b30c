import { transliterate } from '../../src/services/transliteration';

/*
 * A seeded generator of Ukrainian-side reports and Russian-side traces with known truth: russified given
 * names, surnames and patronymics, the Russian romanisation schemes (ICAO, BGN/PCGN, GOST 52535, French-style
 * MVD) and the Ukrainian national one, typos, birth dates swapped, shifted a year, year-only or missing,
 * adoptive surnames, families of siblings and twins, and traces of children nobody reported.
 */

export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
    uuid: () => {
      const h = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}
export type Rng = ReturnType<typeof rng>;

// [Ukrainian, Russian]
const BOYS: [string, string][] = [
  ['Олександр', 'Александр'], ['Микола', 'Николай'], ['Іван', 'Иван'], ['Андрій', 'Андрей'], ['Сергій', 'Сергей'], ['Дмитро', 'Дмитрий'],
  ['Михайло', 'Михаил'], ['Павло', 'Павел'], ['Петро', 'Пётр'], ['Олексій', 'Алексей'], ['Юрій', 'Юрий'], ['Євген', 'Евгений'],
  ['Василь', 'Василий'], ['Григорій', 'Григорий'], ['Федір', 'Фёдор'], ['Тимофій', 'Тимофей'], ['Матвій', 'Матвей'], ['Максим', 'Максим'],
  ['Артем', 'Артём'], ['Богдан', 'Богдан'], ['Владислав', 'Владислав'], ['Віталій', 'Виталий'], ['Віктор', 'Виктор'], ['Денис', 'Денис'],
  ['Данило', 'Даниил'], ['Кирило', 'Кирилл'], ['Костянтин', 'Константин'], ['Назар', 'Назар'], ['Роман', 'Роман'], ['Ростислав', 'Ростислав'],
  ['Святослав', 'Святослав'], ['Степан', 'Степан'], ['Тарас', 'Тарас'], ['Ярослав', 'Ярослав'], ['Яків', 'Яков'], ['Захар', 'Захар'],
  ['Антон', 'Антон'], ['Арсеній', 'Арсений'], ['Гліб', 'Глеб'], ['Ілля', 'Илья'], ['Олег', 'Олег'], ['Ігор', 'Игорь'], ['Володимир', 'Владимир'],
  ['Микита', 'Никита'], ['Марко', 'Марк'], ['Єгор', 'Егор'], ['Семен', 'Семён'], ['Георгій', 'Георгий'],
];
const GIRLS: [string, string][] = [
  ['Олена', 'Елена'], ['Ганна', 'Анна'], ['Наталія', 'Наталья'], ['Марія', 'Мария'], ['Катерина', 'Екатерина'], ['Ольга', 'Ольга'],
  ['Тетяна', 'Татьяна'], ['Ірина', 'Ирина'], ['Юлія', 'Юлия'], ['Софія', 'София'], ['Дарина', 'Дарья'], ['Анастасія', 'Анастасия'],
  ['Вікторія', 'Виктория'], ['Поліна', 'Полина'], ['Аліна', 'Алина'], ['Єлизавета', 'Елизавета'], ['Христина', 'Кристина'], ['Олександра', 'Александра'],
  ['Валентина', 'Валентина'], ['Світлана', 'Светлана'], ['Надія', 'Надежда'], ['Віра', 'Вера'], ['Галина', 'Галина'], ['Яна', 'Яна'],
  ['Злата', 'Злата'], ['Мілана', 'Милана'], ['Варвара', 'Варвара'], ['Уляна', 'Ульяна'], ['Соломія', 'Соломия'], ['Василина', 'Василиса'],
  ['Євгенія', 'Евгения'], ['Ксенія', 'Ксения'], ['Діана', 'Диана'], ['Вероніка', 'Вероника'], ['Лілія', 'Лилия'], ['Маргарита', 'Маргарита'],
  ['Кіра', 'Кира'], ['Таїсія', 'Таисия'], ['Мирослава', 'Мирослава'], ['Ангеліна', 'Ангелина'], ['Аріна', 'Арина'], ['Каріна', 'Карина'], ['Марина', 'Марина'],
];
// Father's name → patronymic [uk male, uk female, ru male, ru female]
const FATHERS: [string, string, string, string][] = [
  ['Олександрович', 'Олександрівна', 'Александрович', 'Александровна'], ['Миколайович', 'Миколаївна', 'Николаевич', 'Николаевна'],
  ['Іванович', 'Іванівна', 'Иванович', 'Ивановна'], ['Сергійович', 'Сергіївна', 'Сергеевич', 'Сергеевна'],
  ['Андрійович', 'Андріївна', 'Андреевич', 'Андреевна'], ['Володимирович', 'Володимирівна', 'Владимирович', 'Владимировна'],
  ['Петрович', 'Петрівна', 'Петрович', 'Петровна'], ['Васильович', 'Василівна', 'Васильевич', 'Васильевна'],
  ['Юрійович', 'Юріївна', 'Юрьевич', 'Юрьевна'], ['Вікторович', 'Вікторівна', 'Викторович', 'Викторовна'],
  ['Олегович', 'Олегівна', 'Олегович', 'Олеговна'], ['Дмитрович', 'Дмитрівна', 'Дмитриевич', 'Дмитриевна'],
  ['Михайлович', 'Михайлівна', 'Михайлович', 'Михайловна'], ['Павлович', 'Павлівна', 'Павлович', 'Павловна'],
  ['Федорович', 'Федорівна', 'Федорович', 'Федоровна'], ['Григорович', 'Григорівна', 'Григорьевич', 'Григорьевна'],
  ['Богданович', 'Богданівна', 'Богданович', 'Богдановна'], ['Романович', 'Романівна', 'Романович', 'Романовна'],
  ['Ігорович', 'Ігорівна', 'Игоревич', 'Игоревна'], ['Анатолійович', 'Анатоліївна', 'Анатольевич', 'Анатольевна'],
];
const PLACES: [string, string][] = [
  ['м. Херсон', 'г. Херсон'], ['м. Маріуполь', 'г. Мариуполь'], ['м. Мелітополь', 'г. Мелитополь'], ['м. Бердянськ', 'г. Бердянск'],
  ['м. Нова Каховка', 'г. Новая Каховка'], ['м. Енергодар', 'г. Энергодар'], ['м. Ізюм', 'г. Изюм'], ["м. Куп'янськ", 'г. Купянск'],
  ['м. Сєвєродонецьк', 'г. Северодонецк'], ['м. Лисичанськ', 'г. Лисичанск'], ['м. Харків', 'г. Харьков'], ['м. Донецьк', 'г. Донецк'],
  ['м. Луганськ', 'г. Луганск'], ['м. Горлівка', 'г. Горловка'], ['м. Макіївка', 'г. Макеевка'], ['м. Олешки', 'г. Алешки'],
  ['м. Скадовськ', 'г. Скадовск'], ['м. Генічеськ', 'г. Геническ'], ['м. Токмак', 'г. Токмак'], ['м. Волноваха', 'г. Волноваха'],
  ['м. Краматорськ', 'г. Краматорск'], ['м. Антрацит', 'г. Антрацит'], ['м. Каховка', 'г. Каховка'], ['с. Чорнобаївка', 'с. Чернобаевка'],
];
const COMMON = ['Мельник', 'Шевченко', 'Бойко', 'Коваленко', 'Бондаренко', 'Ткаченко', 'Кравченко', 'Ковальчук', 'Коваль', 'Олійник', 'Шевчук',
  'Поліщук', 'Лисенко', 'Бондар', 'Марченко', 'Руденко', 'Мороз', 'Савченко', 'Петренко', 'Павленко', 'Кравчук', 'Левченко', 'Гнатюк', 'Романенко'];
const C = 'бвгдзклмнпрстхцчшж';
const V = 'аоуиіе';
const SUFFIXES = ['енко', 'ук', 'юк', 'чук', 'ський', 'ак', 'ець', 'ич', 'ишин', 'ань'];

/** Russian spelling of a Ukrainian word (letters, not grammar: the suffixes are handled by the caller). */
function russify(uk: string, r: Rng): string {
  return uk.replace(/і/g, 'и').replace(/І/g, 'И').replace(/ї/g, 'и').replace(/є/g, 'е').replace(/Є/g, 'Е').replace(/ґ/g, 'г').replace(/'/g, '')
    .replace(/(?<=[бвдзклмнпрстфх])и/g, () => (r.chance(0.3) ? 'ы' : 'и'));
}

export interface Surname {
  uk: (sex: Sex) => string;
  ru: (sex: Sex, r: Rng) => string;
}
type Sex = 'MALE' | 'FEMALE';

function surname(r: Rng): Surname {
  if (r.chance(0.25)) {
    const s = r.pick(COMMON);
    return { uk: () => s, ru: (_sex, rr) => russify(s, rr) };
  }
  let root = '';
  for (let i = 0, n = r.int(1, 2); i < n; i++) root += r.pick(C.split('')) + r.pick(V.split(''));
  root += r.pick(C.split(''));
  root = root[0].toUpperCase() + root.slice(1);
  const suffix = r.pick(SUFFIXES);
  const rootRu = russify(root, r);
  if (suffix === 'ський') {
    return { uk: (sex) => `${root}${sex === 'MALE' ? 'ський' : 'ська'}`, ru: (sex) => `${rootRu}${sex === 'MALE' ? 'ский' : 'ская'}` };
  }
  const ruSuffix = suffix === 'ець' ? 'ец' : suffix === 'ань' ? 'ань' : suffix;
  return { uk: () => `${root}${suffix}`, ru: () => `${rootRu}${ruSuffix}` };
}

// Romanisation of Russian Cyrillic by scheme.
const BASE: Record<string, string> = { а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'i', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: 'ie', ы: 'y', ь: '', э: 'e', ю: 'iu', я: 'ia', і: 'i', ї: 'i', є: 'ie', ґ: 'g' };
const SCHEMES: Record<string, Record<string, string>> = {
  ICAO: BASE,
  BGN: { ...BASE, й: 'y', ю: 'yu', я: 'ya', ъ: '', ё: 'ye' },
  GOST: { ...BASE, ц: 'tc', ъ: '' },
  FRENCH: { ...BASE, ж: 'j', у: 'ou', х: 'kh', ч: 'tch', ш: 'ch', щ: 'chtch', ю: 'iou', я: 'ia', й: 'ï', ъ: '' },
};
export const SCHEME_NAMES = ['ICAO', 'BGN', 'GOST', 'FRENCH', 'UA_NATIONAL'] as const;

/** Romanises a Russian spelling under a scheme (BGN: е is ye at a word's start and after a vowel). */
export function romanise(text: string, scheme: (typeof SCHEME_NAMES)[number]): string {
  if (scheme === 'UA_NATIONAL') return transliterate(text);
  const map = SCHEMES[scheme];
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const lower = ch.toLowerCase();
    let t = map[lower];
    if (t === undefined) { out += ch; continue; }
    const prev = text[i - 1]?.toLowerCase() ?? ' ';
    if (scheme === 'BGN' && lower === 'е' && /[\sаеёиоуыэюяьъ]/.test(prev)) t = 'ye';
    if (scheme === 'FRENCH' && lower === 'г' && /[еиыэ]/.test(text[i + 1]?.toLowerCase() ?? '')) t = 'gu';
    if (scheme === 'FRENCH' && lower === 'с' && /[аеиоуыэюя]/.test(prev) && /[аеиоуыэюя]/.test(text[i + 1]?.toLowerCase() ?? '')) t = 'ss';
    out += ch !== lower && t ? t[0].toUpperCase() + t.slice(1) : t;
  }
  return out;
}

function typo(word: string, r: Rng): string {
  if (word.length < 4) return word;
  const i = r.int(1, word.length - 2);
  const kind = r.int(0, 2);
  if (kind === 0) return word.slice(0, i) + word.slice(i + 1);
  if (kind === 1) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  const letters = /[a-z]/i.test(word) ? 'aeioukntrs' : 'аеоинтрскл';
  return word.slice(0, i) + r.pick(letters.split('')) + word.slice(i + 1);
}

export interface GenChild {
  key: number;
  id: string;
  family: number;
  sex: Sex;
  givenUk: string;
  givenRu: string;
  familyName: Surname;
  patronymic: [string, string, string, string];
  birth: string;
  place: [string, string];
  reported: boolean;
}

export interface ReportedRow {
  id: string;
  givenName: string;
  familyName: string;
  patronymic: string | null;
  birthDate: string;
  birthDatePrecision: 'EXACT' | 'MONTH' | 'YEAR';
  sex: Sex;
  placeOfBirth: string | null;
}

export interface TraceRow {
  externalId: string;
  givenName: string | null;
  familyName: string | null;
  patronymic: string | null;
  sex: Sex | null;
  birthDate: string | null;
  placeOfBirth: string | null;
  foundAt: string;
  foundCountry: string;
  /** Truth: the generated child it is a trace of. */
  truth: number;
  /** Truth: how the trace was distorted (for the benchmark's breakdown of missed matches; never imported). */
  how: TraceDistortion;
}

/** What the generator did to a trace. */
export interface TraceDistortion {
  russian: boolean;
  /** The romanisation (SCHEME_NAMES here; the alt world has more), or null for Cyrillic. */
  scheme: string | null;
  adoptive: boolean;
  familyTypo: boolean;
  givenTypo: boolean;
  patronymic: boolean;
  birth: 'EXACT' | 'SWAPPED' | 'YEAR_SHIFTED' | 'YEAR_ONLY' | 'MISSING' | 'DAY_SHIFTED';
  sex: boolean;
  place: boolean;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Generates the world: `children` reported children and `traces` traces (most of children nobody reported). */
export function generate(seed: number, children: number, traces: number) {
  const r = rng(seed);
  const people: GenChild[] = [];
  let family = 0;
  // Families: the reported children, their unreported siblings and as many unreported others as the traces need.
  const totalPeople = Math.max(children, Math.round(traces / 1.1));
  while (people.length < totalPeople) {
    family++;
    const size = r.chance(0.3) ? r.int(2, 4) : 1;
    const fam = surname(r);
    const father = r.pick(FATHERS);
    const place = r.pick(PLACES);
    const year = r.int(2006, 2021);
    let date = `${year}-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}`;
    const namesInFamily = new Set<string>();
    for (let k = 0; k < size && people.length < totalPeople; k++) {
      const sex: Sex = r.chance(0.5) ? 'MALE' : 'FEMALE';
      // Parents do not give two of their children the same name: siblings' names are drawn without replacement.
      let [givenUk, givenRu] = r.pick(sex === 'MALE' ? BOYS : GIRLS);
      while (namesInFamily.has(givenUk)) [givenUk, givenRu] = r.pick(sex === 'MALE' ? BOYS : GIRLS);
      namesInFamily.add(givenUk);
      // Twins share the birth date; other siblings are born a year or more apart.
      if (k > 0 && !r.chance(0.25)) date = `${Number(date.slice(0, 4)) - r.int(1, 4)}-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}`;
      people.push({ key: people.length, id: r.uuid(), family, sex, givenUk, givenRu, familyName: fam, patronymic: father, birth: date, place, reported: false });
    }
  }
  const { reported, traces: out } = reportAndTrace(people, r, children, traces, { exact: 0.85, patronymic: 0.9, place: 0.8, noTrace: 0.35, oneTrace: 0.7, maxTraces: 3 }, (p, n) => trace(p, r, n));
  return { people, reported, traces: out };
}

/**
 * Marks `children` people at random as reported (so that some siblings are reported and some are not), writes their
 * reports, then the traces: every reported child has 0 to `maxTraces`, the rest go to people nobody reported. Each
 * world gives its own shares and its own `trace`.
 */
export function reportAndTrace(
  people: GenChild[], r: Rng, children: number, traces: number,
  share: { exact: number; patronymic: number; place: number; noTrace: number; oneTrace: number; maxTraces: number },
  trace: (p: GenChild, n: number) => TraceRow,
): { reported: ReportedRow[]; traces: TraceRow[] } {
  const order = people.map((p) => p.key).sort(() => r.next() - 0.5);
  for (const k of order.slice(0, children)) people[k].reported = true;
  const reported: ReportedRow[] = people.filter((p) => p.reported).map((p) => {
    const precision = r.chance(share.exact) ? 'EXACT' : r.chance(0.5) ? 'MONTH' : 'YEAR';
    return {
      id: p.id, givenName: p.givenUk, familyName: p.familyName.uk(p.sex), patronymic: r.chance(share.patronymic) ? p.patronymic[p.sex === 'MALE' ? 0 : 1] : null,
      birthDate: precision === 'EXACT' ? p.birth : precision === 'MONTH' ? `${p.birth.slice(0, 7)}-01` : `${p.birth.slice(0, 4)}-01-01`,
      birthDatePrecision: precision, sex: p.sex, placeOfBirth: r.chance(share.place) ? p.place[0] : null,
    };
  });
  const out: TraceRow[] = [];
  const reportedPeople = people.filter((p) => p.reported);
  const others = people.filter((p) => !p.reported);
  for (const p of reportedPeople) {
    const n = r.chance(share.noTrace) ? 0 : r.chance(share.oneTrace) ? 1 : r.int(2, share.maxTraces);
    for (let i = 0; i < n && out.length < traces; i++) out.push(trace(p, out.length));
  }
  while (out.length < traces) out.push(trace(others.length ? r.pick(others) : r.pick(people), out.length));
  return { reported, traces: out };
}

function trace(p: GenChild, r: Rng, n: number): TraceRow {
  const russian = r.chance(0.85);
  let given = russian ? p.givenRu : p.givenUk;
  let fam = russian ? p.familyName.ru(p.sex, r) : p.familyName.uk(p.sex);
  const adoptive = r.chance(0.03);
  if (adoptive) fam = surname(r).ru(p.sex, r); // adoptive surname
  let patronymic: string | null = r.chance(0.55) ? p.patronymic[(russian ? 2 : 0) + (p.sex === 'MALE' ? 0 : 1)] : null;
  let scheme: (typeof SCHEME_NAMES)[number] | null = null;
  if (r.chance(0.35)) {
    scheme = russian ? r.pick(['ICAO', 'BGN', 'GOST', 'FRENCH'] as const) : 'UA_NATIONAL';
    given = romanise(given, scheme);
    fam = romanise(fam, scheme);
    if (patronymic) patronymic = romanise(patronymic, scheme);
  }
  const familyTypo = r.chance(0.06);
  if (familyTypo) fam = typo(fam, r);
  const givenTypo = r.chance(0.03);
  if (givenTypo) given = typo(given, r);
  const [y, m, d] = p.birth.split('-').map(Number);
  let birth: string | null;
  let birthKind: TraceDistortion['birth'];
  const roll = r.next();
  if (roll < 0.6) [birth, birthKind] = [p.birth, 'EXACT'];
  else if (roll < 0.68) [birth, birthKind] = d <= 12 ? [`${y}-${pad(d)}-${pad(m)}`, 'SWAPPED'] : [p.birth, 'EXACT'];
  else if (roll < 0.75) [birth, birthKind] = [`${y + (r.chance(0.5) ? 1 : -1)}-${pad(m)}-${pad(d)}`, 'YEAR_SHIFTED'];
  else if (roll < 0.87) [birth, birthKind] = [String(y), 'YEAR_ONLY'];
  else if (roll < 0.95) [birth, birthKind] = [null, 'MISSING'];
  else [birth, birthKind] = [`${y}-${pad(m)}-${pad(Math.min(28, Math.max(1, d + r.int(-3, 3))))}`, 'DAY_SHIFTED'];
  const sex = r.chance(0.7) ? p.sex : null;
  const place = r.chance(0.5) ? p.place[1] : null;
  return {
    externalId: `t${n}`, givenName: given, familyName: fam, patronymic, sex, birthDate: birth,
    placeOfBirth: place, foundAt: `Institution ${r.int(1, 400)}`, foundCountry: 'RU', truth: p.key,
    how: { russian, scheme, adoptive, familyTypo, givenTypo, patronymic: patronymic !== null, birth: birthKind, sex: sex !== null, place: place !== null },
  };
}
