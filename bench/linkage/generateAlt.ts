import { transliterate } from '../../src/services/transliteration';
import { reportAndTrace, rng, romanise, type GenChild, type Rng, type Surname, type TraceDistortion, type TraceRow } from './generate';

/*
 * `--world alt`: a second generator, written to differ from `generate.ts` where a reviewer's own generator could, so
 * that the matcher is measured on names, spellings and formats it was not tuned on: other given names (many of them
 * outside the curated equivalence table, with Russian forms that change letters: Трохим / Трофим, Омелян / Емельян),
 * real-looking surnames of every common shape (-ський / -ский, -цький / -цкий, -ич, -ук, -ко, -ів, adjectival Білий /
 * Белый, apostrophes Мар'янчук / Марьянчук, double-barrelled) with Zipf-like frequencies instead of a quarter of the
 * families in 24 names, more romanisations (German Schewtschenko, Polish Szewczenko, the Ukrainian passports of
 * 1996–2010, the Russian passports of 2010–2013 and of 2014 on), upper-case exports, Latin look-alike letters inside
 * Cyrillic words, ё written е, placeholder dates (1 January for a year-only date), and places written several ways.
 * Dates stay ISO (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`): the import API accepts nothing else.
 */

type Sex = 'MALE' | 'FEMALE';
const pad = (n: number) => String(n).padStart(2, '0');

/** Weighted pick: weights ∝ 1 / (rank + 2) (Zipf-like), so a few names are common and most are rare. */
function zipf<T>(r: Rng, xs: readonly T[], s = 1): T {
  let total = 0;
  for (let i = 0; i < xs.length; i++) total += 1 / (i + 2) ** s;
  let x = r.next() * total;
  for (let i = 0; i < xs.length; i++) {
    x -= 1 / (i + 2) ** s;
    if (x <= 0) return xs[i];
  }
  return xs[xs.length - 1];
}

// [Ukrainian, Russian], by rough frequency among children born 2006–2021. Many are not in the curated table.
const BOYS: [string, string][] = [
  ['Артем', 'Артем'], ['Максим', 'Максим'], ['Олександр', 'Александр'], ['Дмитро', 'Дмитрий'], ['Назар', 'Назар'], ['Владислав', 'Владислав'],
  ['Богдан', 'Богдан'], ['Кирило', 'Кирилл'], ['Давид', 'Давид'], ['Марк', 'Марк'], ['Тимур', 'Тимур'], ['Матвій', 'Матвей'],
  ['Денис', 'Денис'], ['Данило', 'Даниил'], ['Ярослав', 'Ярослав'], ['Владислав', 'Влад'], ['Вадим', 'Вадим'], ['Руслан', 'Руслан'],
  ['Ілля', 'Илья'], ['Іван', 'Иван'], ['Олег', 'Олег'], ['Остап', 'Остап'], ['Лука', 'Лука'], ['Всеволод', 'Всеволод'],
  ['Тимофій', 'Тимофей'], ['Ростислав', 'Ростислав'], ['Едуард', 'Эдуард'], ['Віталій', 'Виталий'], ['Вʼячеслав', 'Вячеслав'], ['Георгій', 'Георгий'],
  ['Нестор', 'Нестор'], ['Устим', 'Устин'], ['Платон', 'Платон'], ['Мирон', 'Мирон'], ['Тихон', 'Тихон'], ['Гордій', 'Гордей'],
  ['Пилип', 'Филипп'], ['Омелян', 'Емельян'], ['Хома', 'Фома'], ['Трохим', 'Трофим'], ['Юхим', 'Ефим'],
  ['Овсій', 'Евсей'], ['Опанас', 'Афанасий'], ['Йосип', 'Иосиф'], ['Яким', 'Аким'], ['Ярема', 'Еремей'], ['Гаврило', 'Гавриил'],
  ['Кузьма', 'Кузьма'], ['Лаврін', 'Лаврентий'], ['Дем\'ян', 'Демьян'], ['Мар\'ян', 'Марьян'], ['Орест', 'Орест'], ['Северин', 'Северин'],
  ['Аркадій', 'Аркадий'], ['Геннадій', 'Геннадий'], ['Борис', 'Борис'], ['Зиновій', 'Зиновий'], ['Корній', 'Корней'], ['Прохор', 'Прохор'],
  ['Єлисей', 'Елисей'], ['Яромир', 'Яромир'], ['Любомир', 'Любомир'], ['Ігнат', 'Игнат'], ['Савва', 'Савва'], ['Веніамін', 'Вениамин'],
];
// Pairs kept out of the equivalence table on purpose (and never to be added to it: they measure how names nobody
// entered fare), spliced into the lists above at a middling frequency: Ukrainian folk forms against their Russian names.
const OUTSIDE_BOYS: [string, string][] = [
  ['Самійло', 'Самуил'], ['Мусій', 'Моисей'], ['Євстахій', 'Евстафий'], ['Зосим', 'Зосима'], ['Охрім', 'Ефрем'], ['Хведір', 'Федор'],
  ['Олекса', 'Алексей'], ['Ничипір', 'Никифор'], ['Мелетій', 'Мелетий'], ['Ізяслав', 'Изяслав'],
];
const OUTSIDE_GIRLS: [string, string][] = [
  ['Юстина', 'Устинья'], ['Текля', 'Фекла'], ['Меланія', 'Мелания'], ['Доброслава', 'Доброслава'], ['Палагна', 'Пелагея'],
];
BOYS.splice(10, 0, ...OUTSIDE_BOYS);
const GIRLS: [string, string][] = [
  ['Софія', 'София'], ['Анна', 'Анна'], ['Вікторія', 'Виктория'], ['Марія', 'Мария'], ['Анастасія', 'Анастасия'], ['Дарина', 'Дарина'],
  ['Соломія', 'Соломия'], ['Єва', 'Ева'], ['Злата', 'Злата'], ['Поліна', 'Полина'], ['Вероніка', 'Вероника'], ['Олександра', 'Александра'],
  ['Оксана', 'Оксана'], ['Зоряна', 'Зоряна'], ['Любов', 'Любовь'], ['Ярина', 'Ярина'], ['Стефанія', 'Стефания'], ['Євдокія', 'Евдокия'],
  ['Фросина', 'Ефросинья'], ['Мар\'яна', 'Марьяна'], ['Іванна', 'Иванна'], ['Богдана', 'Богдана'], ['Аліса', 'Алиса'], ['Амелія', 'Амелия'],
  ['Емілія', 'Эмилия'], ['Мілана', 'Милана'], ['Ангеліна', 'Ангелина'], ['Катерина', 'Екатерина'], ['Кароліна', 'Каролина'], ['Ніна', 'Нина'],
  ['Лідія', 'Лидия'], ['Тамара', 'Тамара'], ['Лариса', 'Лариса'], ['Інна', 'Инна'], ['Жанна', 'Жанна'], ['Зінаїда', 'Зинаида'],
  ['Раїса', 'Раиса'], ['Марта', 'Марта'], ['Леся', 'Леся'], ['Орися', 'Орися'], ['Устина', 'Устинья'], ['Параска', 'Прасковья'],
  ['Явдоха', 'Евдокия'], ['Одарка', 'Дарья'], ['Сніжана', 'Снежана'], ['Владислава', 'Владислава'], ['Агата', 'Агата'], ['Аделіна', 'Аделина'],
  ['Руслана', 'Руслана'], ['Роксолана', 'Роксолана'], ['Ганна', 'Анна'], ['Олена', 'Елена'], ['Ірина', 'Ирина'], ['Наталія', 'Наталья'],
];
GIRLS.splice(10, 0, ...OUTSIDE_GIRLS);
// Father: [uk male, uk female, ru male, ru female] patronymics.
const FATHERS: [string, string, string, string][] = [
  ['Олександрович', 'Олександрівна', 'Александрович', 'Александровна'], ['Сергійович', 'Сергіївна', 'Сергеевич', 'Сергеевна'],
  ['Остапович', 'Остапівна', 'Остапович', 'Остаповна'], ['Трохимович', 'Трохимівна', 'Трофимович', 'Трофимовна'],
  ['Юхимович', 'Юхимівна', 'Ефимович', 'Ефимовна'], ['Опанасович', 'Опанасівна', 'Афанасьевич', 'Афанасьевна'],
  ['Омелянович', 'Омелянівна', 'Емельянович', 'Емельяновна'], ['Хомич', 'Хомівна', 'Фомич', 'Фоминична'],
  ['Пилипович', 'Пилипівна', 'Филиппович', 'Филипповна'], ['Йосипович', 'Йосипівна', 'Иосифович', 'Иосифовна'],
  ['Ілліч', 'Іллівна', 'Ильич', 'Ильинична'], ['Лукич', 'Луківна', 'Лукич', 'Лукинична'], ['Несторович', 'Несторівна', 'Несторович', 'Несторовна'],
  ['Гордійович', 'Гордіївна', 'Гордеевич', 'Гордеевна'], ['Всеволодович', 'Всеволодівна', 'Всеволодович', 'Всеволодовна'],
  ['Степанович', 'Степанівна', 'Степанович', 'Степановна'], ['Тарасович', 'Тарасівна', 'Тарасович', 'Тарасовна'],
  ['Русланович', 'Русланівна', 'Русланович', 'Руслановна'], ['Вадимович', 'Вадимівна', 'Вадимович', 'Вадимовна'],
  ['Анатолійович', 'Анатоліївна', 'Анатольевич', 'Анатольевна'], ['Миколайович', 'Миколаївна', 'Николаевич', 'Николаевна'],
  ['Вʼячеславович', 'Вʼячеславівна', 'Вячеславович', 'Вячеславовна'], ['Геннадійович', 'Геннадіївна', 'Геннадьевич', 'Геннадьевна'],
  ['Борисович', 'Борисівна', 'Борисович', 'Борисовна'], ['Якович', 'Яківна', 'Яковлевич', 'Яковлевна'],
];
// [Ukrainian, Russian, romanised in a Russian record] place forms.
const PLACES: [string, string, string][] = [
  ['м. Херсон', 'г. Херсон', 'Kherson'], ['Маріуполь', 'г.Мариуполь', 'Mariupol'], ['м.Мелітополь', 'Мелитополь', 'Melitopol'],
  ['м. Бердянськ', 'г. Бердянск', 'Berdyansk'], ['смт Велика Олександрівка', 'пгт Великая Александровка', 'Velikaya Aleksandrovka'],
  ['м. Енергодар', 'г. Энергодар', 'Energodar'], ['с. Кам\'янка', 'с. Каменка', 'Kamenka'], ['м. Вовчанськ', 'г. Волчанск', 'Volchansk'],
  ['м. Сєвєродонецьк', 'г. Северодонецк', 'Severodonetsk'], ['м. Рубіжне', 'г. Рубежное', 'Rubezhnoye'], ['м. Харків', 'г. Харьков', 'Kharkov'],
  ['м. Донецьк', 'г. Донецк', 'Donetsk'], ['м. Луганськ', 'г. Луганск', 'Lugansk'], ['м. Горлівка', 'г. Горловка', 'Gorlovka'],
  ['м. Олешки', 'г. Алешки', 'Aleshki'], ['м. Гола Пристань', 'г. Голая Пристань', 'Golaya Pristan'], ['м. Генічеськ', 'г. Геническ', 'Genichesk'],
  ['м. Пологи', 'г. Пологи', 'Pologi'], ['м. Волноваха', 'г. Волноваха', 'Volnovakha'], ['м. Щастя', 'г. Счастье', 'Schastye'],
  ['м. Свердловськ', 'г. Свердловск', 'Sverdlovsk'], ['м. Алчевськ', 'г. Алчевск', 'Alchevsk'], ['м. Ясинувата', 'г. Ясиноватая', 'Yasinovataya'],
  ['м. Дебальцеве', 'г. Дебальцево', 'Debaltsevo'], ['м. Новоазовськ', 'г. Новоазовск', 'Novoazovsk'], ['м. Василівка', 'г. Васильевка', 'Vasilyevka'],
];

// Real surnames by rough frequency: [uk, ru] (the female forms are derived by shape).
const REAL: [string, string][] = [
  ['Мельник', 'Мельник'], ['Шевченко', 'Шевченко'], ['Бойко', 'Бойко'], ['Ткаченко', 'Ткаченко'], ['Кравченко', 'Кравченко'], ['Коваленко', 'Коваленко'],
  ['Олійник', 'Олейник'], ['Шевчук', 'Шевчук'], ['Коваль', 'Коваль'], ['Поліщук', 'Полищук'], ['Бондаренко', 'Бондаренко'], ['Ткачук', 'Ткачук'],
  ['Лисенко', 'Лысенко'], ['Мороз', 'Мороз'], ['Марченко', 'Марченко'], ['Руденко', 'Руденко'], ['Савченко', 'Савченко'], ['Петренко', 'Петренко'],
  ['Клименко', 'Клименко'], ['Павленко', 'Павленко'], ['Кравчук', 'Кравчук'], ['Кузьменко', 'Кузьменко'], ['Пономаренко', 'Пономаренко'], ['Савчук', 'Савчук'],
  ['Василенко', 'Василенко'], ['Левченко', 'Левченко'], ['Харченко', 'Харченко'], ['Карпенко', 'Карпенко'], ['Гончаренко', 'Гончаренко'], ['Романенко', 'Романенко'],
  ['Мартинюк', 'Мартынюк'], ['Вакуленко', 'Вакуленко'], ['Гребенюк', 'Гребенюк'], ['Литвиненко', 'Литвиненко'], ['Ярошенко', 'Ярошенко'], ['Панченко', 'Панченко'],
  ['Білий', 'Белый'], ['Сірий', 'Серый'], ['Довгий', 'Долгий'], ['Вʼялий', 'Вялый'], ['Мар\'янчук', 'Марьянчук'], ['Дем\'яненко', 'Демьяненко'],
  ['Солов\'як', 'Соловьяк'], ['П\'ятаченко', 'Пятаченко'], ['Хмельницький', 'Хмельницкий'], ['Заплітний', 'Заплетный'], ['Гнатів', 'Гнатив'], ['Іванів', 'Иванив'],
  ['Бабич', 'Бабич'], ['Дашкевич', 'Дашкевич'], ['Юркевич', 'Юркевич'], ['Гаврилюк', 'Гаврилюк'], ['Ковальський', 'Ковальский'], ['Вишневський', 'Вишневский'],
  ['Заблоцький', 'Заблоцкий'], ['Жовтоцький', 'Жовтоцкий'], ['Іваненко', 'Иваненко'], ['Іванов', 'Иванов'], ['Петров', 'Петров'], ['Сидоренко', 'Сидоренко'],
  ['Кучер', 'Кучер'], ['Щербак', 'Щербак'], ['Щербина', 'Щербина'], ['Чорновол', 'Черновол'], ['Чорний', 'Черный'], ['Яковенко', 'Яковенко'],
  ['Єременко', 'Еременко'], ['Ющенко', 'Ющенко'], ['Їжакевич', 'Ижакевич'], ['Гуменюк', 'Гуменюк'], ['Зінченко', 'Зинченко'], ['Тимошенко', 'Тимошенко'],
];
const C = 'бвгдзклмнпрстфхцчшжщ';
const V = 'аоуиіеяю';
const SUFFIXES = ['енко', 'енко', 'ко', 'ук', 'юк', 'чук', 'ський', 'цький', 'ич', 'евич', 'ак', 'ець', 'ів', 'ин', 'ишин', 'ий', 'ов', 'ан', 'ар'];

/** Russian spelling of a Ukrainian word: letters only (і → и, и → ы or и, є → е, ї → и, ґ → г, the apostrophe → ь or nothing). */
function russify(uk: string, r: Rng): string {
  return uk.replace(/[іІ]/g, (c) => (c === 'і' ? 'и' : 'И')).replace(/ї/g, 'и').replace(/Ї/g, 'И').replace(/є/g, 'е').replace(/Є/g, 'Е')
    .replace(/ґ/g, 'г').replace(/['’ʼ]/g, () => (r.chance(0.7) ? 'ь' : ''))
    .replace(/(?<=[бвдзлмнпрстфх])и/g, () => (r.chance(0.5) ? 'ы' : 'и'));
}

/** A surname's female form (Ukrainian or Russian) by its shape. */
function female(s: string, ru: boolean): string {
  if (/ський$|цький$/.test(s)) return s.replace(/ий$/, 'а');
  if (/ский$|цкий$/.test(s)) return s.replace(/ий$/, 'ая');
  if (/[иі]й$/.test(s)) return s.replace(/[иі]й$/, ru ? 'ая' : 'а');
  if (/ый$/.test(s)) return s.replace(/ый$/, 'ая');
  if (/(ов|ев|ин)$/.test(s) && (ru || /(ов|ев|ин)$/.test(s))) return `${s}а`;
  return s;
}

function surname(r: Rng): Surname {
  // About 15 % of families carry one of the real surnames above (Zipf), the rest rarer ones.
  let uk: string;
  let ruBase: string | null = null;
  if (r.chance(0.15)) [uk, ruBase] = zipf(r, REAL, 0.8);
  else {
    let root = '';
    for (let i = 0, n = r.int(1, 2); i < n; i++) root += r.pick(C.split('')) + r.pick(V.split(''));
    root += r.pick(C.split(''));
    if (r.chance(0.04)) root = root.slice(0, 1) + '\'' + 'я' + root.slice(1);
    uk = root[0].toUpperCase() + root.slice(1) + r.pick(SUFFIXES);
    uk = uk.replace(/([цчшщжй])и/g, '$1і').replace(/^(.)['’]/, '$1');
  }
  // Double-barrelled, rarely.
  let second: [string, string] | null = null;
  if (r.chance(0.01)) second = r.pick(REAL);
  const ruOf = (rr: Rng) => ruBase ?? russify(uk, rr).replace(/ський$/, 'ский').replace(/цький$/, 'цкий').replace(/ець$/, 'ец');
  const ukF = (sex: Sex) => (sex === 'MALE' ? uk : female(uk, false)) + (second ? `-${sex === 'MALE' ? second[0] : female(second[0], false)}` : '');
  return {
    uk: ukF,
    ru: (sex, rr) => {
      const base = ruOf(rr);
      const main = sex === 'MALE' ? base : female(base, true);
      if (!second) return main;
      // A Russian record keeps both parts, or only the first.
      if (rr.chance(0.3)) return main;
      return `${main}-${sex === 'MALE' ? second[1] : female(second[1], true)}`;
    },
  };
}

// More romanisations: of the Russian form (German Duden, Russian passports 2010–2013 and since 2014) and of the
// Ukrainian form (Polish, German, Ukrainian passports 1996–2010).
const RU_2010: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r',
  с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'tc', ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};
const RU_2014: Record<string, string> = { ...RU_2010, й: 'i', ц: 'ts', ъ: 'ie', ю: 'iu', я: 'ia' };
const DE_RU: Record<string, string> = {
  а: 'a', б: 'b', в: 'w', г: 'g', д: 'd', е: 'e', ё: 'jo', ж: 'sch', з: 's', и: 'i', й: 'j', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r',
  с: 's', т: 't', у: 'u', ф: 'f', х: 'ch', ц: 'z', ч: 'tsch', ш: 'sch', щ: 'schtsch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'ju', я: 'ja',
};
const DE_UK: Record<string, string> = { ...DE_RU, г: 'h', ґ: 'g', и: 'y', і: 'i', ї: 'ji', є: 'je', '\'': '', 'ʼ': '', '’': '' };
const PL_UK: Record<string, string> = {
  а: 'a', б: 'b', в: 'w', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'je', ж: 'ż', з: 'z', и: 'y', і: 'i', ї: 'ji', й: 'j', к: 'k', л: 'ł', м: 'm', н: 'n',
  о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'ch', ц: 'c', ч: 'cz', ш: 'sz', щ: 'szcz', ь: '', ю: 'ju', я: 'ja', '\'': '', 'ʼ': '', '’': '',
};
const UA_1996: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'ye', ж: 'zh', з: 'z', и: 'y', і: 'i', ї: 'yi', й: 'y', к: 'k', л: 'l', м: 'm', н: 'n',
  о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ь: '', ю: 'yu', я: 'ya', '\'': '', 'ʼ': '', '’': '',
};
const VOWELS = 'аеёиоуыэюяіїє';

function romaniseWith(text: string, map: Record<string, string>, scheme: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const lower = ch.toLowerCase();
    let t = map[lower];
    if (t === undefined) { out += ch; continue; }
    const prev = text[i - 1]?.toLowerCase() ?? ' ';
    const next = text[i + 1]?.toLowerCase() ?? ' ';
    const afterVowel = VOWELS.includes(prev) || prev === ' ' || prev === '-' || prev === 'ь' || prev === 'ъ' || i === 0;
    // German and Polish write я ю є е after a consonant with i (ia, iu, ie) and the glide at a word's start or after a vowel.
    if ((scheme === 'GERMAN' || scheme === 'POLISH') && /[яюєё]/.test(lower) && !afterVowel) t = `i${t.slice(1)}`;
    if (scheme === 'GERMAN' && lower === 'е' && afterVowel && map === DE_RU) t = 'je';
    if (scheme === 'GERMAN' && lower === 'с' && VOWELS.includes(prev) && VOWELS.includes(next)) t = 'ss';
    // Polish л is l before і, є, ю, я, ь; ł elsewhere. 1996 Ukrainian passports: ye/yi/yu/ya everywhere.
    if (scheme === 'POLISH' && lower === 'л' && /[ієюяь]/.test(next)) t = 'l';
    if (scheme === 'POLISH' && lower === 'ь' && /[нсцз]/.test(prev)) t = '';
    if (scheme === 'UA_1996' && lower === 'к' && next === 'с') { out += ch === lower ? 'x' : 'X'; i++; continue; }
    out += ch !== lower && t ? t[0].toUpperCase() + t.slice(1) : t;
  }
  return out;
}

export const ALT_SCHEMES_RU = ['ICAO', 'BGN', 'GOST', 'FRENCH', 'RU_PASSPORT_2010', 'RU_PASSPORT_2014', 'GERMAN'] as const;
export const ALT_SCHEMES_UK = ['UA_NATIONAL', 'UA_PASSPORT_1996', 'POLISH', 'GERMAN'] as const;

function romaniseAlt(text: string, scheme: string, russian: boolean): string {
  switch (scheme) {
    case 'ICAO': case 'BGN': case 'GOST': case 'FRENCH': return romanise(text, scheme);
    case 'UA_NATIONAL': return transliterate(text);
    case 'RU_PASSPORT_2010': return romaniseWith(text, RU_2010, scheme);
    case 'RU_PASSPORT_2014': return romaniseWith(text, RU_2014, scheme);
    case 'GERMAN': return romaniseWith(text, russian ? DE_RU : DE_UK, scheme);
    case 'POLISH': return romaniseWith(text, PL_UK, scheme);
    case 'UA_PASSPORT_1996': return romaniseWith(text, UA_1996, scheme);
    default: throw new Error(scheme);
  }
}

// Cyrillic letters and the Latin letters that look like them (lower and upper case).
const HOMOGLYPHS: Record<string, string> = { а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', к: 'k', А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', І: 'I' };

/** One or two Cyrillic letters replaced by their Latin look-alikes (a scan or a hand-typed list). */
function homoglyph(word: string, r: Rng): string {
  const at = [...word].map((c, i) => (HOMOGLYPHS[c] ? i : -1)).filter((i) => i >= 0);
  if (!at.length) return word;
  const chars = [...word];
  for (let k = 0, n = r.int(1, 2); k < n; k++) {
    const i = r.pick(at);
    chars[i] = HOMOGLYPHS[chars[i]] ?? chars[i];
  }
  return chars.join('');
}

function typo(word: string, r: Rng): string {
  if (word.length < 4) return word;
  const i = r.int(1, word.length - 2);
  const kind = r.int(0, 3);
  if (kind === 0) return word.slice(0, i) + word.slice(i + 1);
  if (kind === 1) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  if (kind === 2) return word.slice(0, i) + word[i] + word.slice(i);
  const letters = /[a-z]/i.test(word) ? 'aeiouynltrs' : 'аеоиунлтрсв';
  return word.slice(0, i) + r.pick(letters.split('')) + word.slice(i + 1);
}

/** Generates the alt world: same shape as `generate`. */
export function generateAlt(seed: number, children: number, traces: number) {
  const r = rng(seed ^ 0x5bd1e995);
  const people: GenChild[] = [];
  const places = new Map<GenChild, [string, string, string]>();
  let family = 0;
  const totalPeople = Math.max(children, Math.round(traces / 1.2));
  while (people.length < totalPeople) {
    family++;
    const size = r.chance(0.35) ? (r.chance(0.7) ? 2 : r.int(3, 5)) : 1;
    const fam = surname(r);
    const father = zipf(r, FATHERS, 0.7);
    const place = zipf(r, PLACES, 0.6);
    let date = `${r.int(2005, 2022)}-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}`;
    const names = new Set<string>();
    for (let k = 0; k < size && people.length < totalPeople; k++) {
      const sex: Sex = r.chance(0.51) ? 'MALE' : 'FEMALE';
      const list = sex === 'MALE' ? BOYS : GIRLS;
      let [givenUk, givenRu] = zipf(r, list, 0.9);
      while (names.has(givenUk)) [givenUk, givenRu] = zipf(r, list, 0.9);
      names.add(givenUk);
      // Twins share the date; other siblings are born 1–5 years apart, all of them children (2004 or later).
      if (k > 0 && !r.chance(0.2)) {
        const y0 = Number(date.slice(0, 4));
        const y = y0 - 5 >= 2004 && r.chance(0.5) ? y0 - r.int(1, 5) : y0 + 5 <= 2022 ? y0 + r.int(1, 5) : y0 - r.int(1, 5);
        date = `${y}-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}`;
      }
      const p: GenChild = { key: people.length, id: r.uuid(), family, sex, givenUk, givenRu, familyName: fam, patronymic: father, birth: date, place: [place[0], place[1]], reported: false };
      places.set(p, place);
      people.push(p);
    }
  }
  const { reported, traces: out } = reportAndTrace(people, r, children, traces, { exact: 0.8, patronymic: 0.85, place: 0.75, noTrace: 0.4, oneTrace: 0.65, maxTraces: 4 },
    (p, n) => trace(p, places.get(p)!, r, n));
  return { people, reported, traces: out };
}

function trace(p: GenChild, place: [string, string, string], r: Rng, n: number): TraceRow {
  const russian = r.chance(0.8);
  let given = russian ? p.givenRu : p.givenUk;
  let fam = russian ? p.familyName.ru(p.sex, r) : p.familyName.uk(p.sex);
  const adoptive = r.chance(0.04);
  if (adoptive) fam = surname(r).ru(p.sex, r);
  let patronymic: string | null = r.chance(0.5) ? p.patronymic[(russian ? 2 : 0) + (p.sex === 'MALE' ? 0 : 1)] : null;
  // ё is mostly written е.
  if (r.chance(0.7)) { given = given.replace(/ё/g, 'е'); fam = fam.replace(/ё/g, 'е'); }
  let scheme: string | null = null;
  let romanised = false;
  if (r.chance(0.3)) {
    scheme = russian ? r.pick(ALT_SCHEMES_RU) : r.pick(ALT_SCHEMES_UK);
    given = romaniseAlt(given, scheme, russian);
    fam = romaniseAlt(fam, scheme, russian);
    if (patronymic) patronymic = romaniseAlt(patronymic, scheme, russian);
    romanised = true;
  }
  const familyTypo = r.chance(0.05);
  if (familyTypo) fam = typo(fam, r);
  const givenTypo = r.chance(0.03);
  if (givenTypo) given = typo(given, r);
  // Scanned or hand-typed Cyrillic lists: Latin look-alikes inside a Cyrillic word.
  if (!romanised && r.chance(0.03)) {
    fam = homoglyph(fam, r);
    if (r.chance(0.5)) given = homoglyph(given, r);
  }
  // Registry exports in capitals, and stray spaces.
  if (r.chance(0.2)) {
    given = given.toUpperCase();
    fam = fam.toUpperCase();
    if (patronymic) patronymic = patronymic.toUpperCase();
  }
  if (r.chance(0.05)) fam = `  ${fam.replace(/-/g, ' - ')} `;
  const [y, m, d] = p.birth.split('-').map(Number);
  let birth: string | null;
  let kind: TraceDistortion['birth'];
  const roll = r.next();
  if (roll < 0.55) [birth, kind] = [p.birth, 'EXACT'];
  else if (roll < 0.62) [birth, kind] = d <= 12 ? [`${y}-${pad(d)}-${pad(m)}`, 'SWAPPED'] : [p.birth, 'EXACT'];
  else if (roll < 0.68) [birth, kind] = [`${y + (r.chance(0.5) ? 1 : -1)}-${pad(m)}-${pad(d)}`, 'YEAR_SHIFTED'];
  // A year-only date, written as the year or as 1 January of it (a registry's placeholder).
  else if (roll < 0.76) [birth, kind] = [String(y), 'YEAR_ONLY'];
  else if (roll < 0.82) [birth, kind] = [`${y}-01-01`, 'YEAR_ONLY'];
  else if (roll < 0.85) [birth, kind] = [`${y}-${pad(m)}`, 'YEAR_ONLY'];
  else if (roll < 0.93) [birth, kind] = [null, 'MISSING'];
  else [birth, kind] = [`${y}-${pad(m)}-${pad(Math.min(28, Math.max(1, d + r.int(-2, 2))))}`, 'DAY_SHIFTED'];
  const sex = r.chance(0.6) ? p.sex : null;
  const placeRoll = r.next();
  const placeText = placeRoll < 0.35 ? place[1] : placeRoll < 0.45 ? place[2] : placeRoll < 0.5 ? place[0] : null;
  return {
    externalId: `a${n}`, givenName: given, familyName: fam, patronymic, sex, birthDate: birth,
    placeOfBirth: placeText, foundAt: `Учреждение ${r.int(1, 500)}`, foundCountry: 'RU', truth: p.key,
    how: { russian, scheme, adoptive, familyTypo, givenTypo, patronymic: patronymic !== null, birth: kind, sex: sex !== null, place: placeText !== null },
  };
}
