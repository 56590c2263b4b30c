import { rng, type Rng, type GenChild, type Surname, type ReportedRow, type TraceRow, type TraceDistortion } from './generate';

/*
 * A fourth, FRESH world for the linkage benchmark (issue 9), written without reading the matcher, the project's
 * transliteration or the other generators (only generate.ts's exported types and `rng`). Its own tables and code:
 * Ukrainian given names with rough 2005-2022 frequencies and their Russian forms and diminutives, patronymics,
 * surnames (a common head plus generated root+suffix ones, with eastern-Ukrainian Russian-shaped ones), russification
 * of surnames (-ський→-ский/-ская, -ець→-ец, -ій→-ий, і→и, є→е, ї→и, '→ь, Лисенко→Лысенко, Білоус→Белоус), places of
 * the occupied and front-line regions with their Russian (and Russian-era) names, and romanisations: ICAO 9303,
 * BGN/PCGN, GOST 7.79-B (apostrophes dropped), French-style MVD, German (Duden), Polish, English popular/conventional
 * from the Russian form; Ukrainian national 2010 and Polish from the Ukrainian form.
 *
 * People come in families (one surname, one father's name, usually one home town): 1 child 55 %, 2 28 %, 3 12 %,
 * 4 5 %; 10 % of families with 2+ children have twins (same birth date). A reporting family reports each child with
 * p 0.85 (the rest are hard negatives), and other families report nobody. Each reported child has 0 traces 33 %,
 * 1 35 %, 2 18 %, 3 9 %, 4-5 5 %; the remaining traces (most) are of unreported children (1-4 each).
 * Per child, once: 15 % are adopted or in guardianship under a Russian surname (of them 50 % a new patronymic, 20 % a
 * changed birth date, 35 % a Russian birthplace, 5 % a new given name); the Russian given form is chosen once per child
 * (e.g. Софья or София) and varies by source with p 0.1.
 * Reports (Ukrainian Cyrillic, by the family): birth date exact 86 %, month 8 %, year 6 %; patronymic 82 %; place 75 %
 * (5 % of them with "м." or the oblast); a typo in the surname 2 %, in the given name 1 %.
 * Traces by source (share of traces):
 *  - REGISTRY 18 %: Russian guardianship/adoption registries: full Russian name; for an adopted child 80 % show the
 *    adoptive identity; patronymic 85 %, place 60 %; date exact, else day shifted 4 %, swapped 2 %, year ±1 2 %,
 *    missing 2 %; surname typo 3 %, given 1 %.
 *  - DATABANK 12 %: the federal adoption databank: given name, the surname's initial written as the family name
 *    ("К."), birth month and year only (YYYY-MM), sex; nothing else.
 *  - INSTITUTION 28 %: camp and institution lists: original names (Russian; 10 % in the Ukrainian spelling), surname
 *    in capitals 30 %, everything in capitals 10 %, surname typo 8 %, given typo 4 %, OCR confusions 5 %, surname and
 *    given name swapped 2 %; date exact 74 %, day/month swapped 6 % (when the day is ≤ 12), year ±1 3 %, day shifted 4 %,
 *    year only 6 %, missing 7 %; patronymic 65 %, place 35 %, sex 85 %; a diminutive 2 %, the other Russian form 6 %.
 *  - MEDIA 14 %: posts (70 % Russian, 30 % Ukrainian): a short form 45 % (Ukrainian 25 %), no surname 35 %, the
 *    adoptive surname for half the adopted; an age instead of a date 75 % (the year derived from it, one off when the
 *    birthday had not yet come), exact date otherwise; place 50 %, sex 70 %, patronymic 5 %.
 *  - OMBUDSPERSON 12 %: lists (half Russian, half Ukrainian spelling): full names, patronymic 88 %, exact date 93 %
 *    (month 3 %, day shifted 2 %, swapped 2 %), place 70 %, typos 2 %.
 *  - PARTNER 16 %: partner states' records, romanised: from the Russian form 75 % (ICAO 30, BGN 10, GOST 7.79 5,
 *    French 10, German 10, Polish 10, English 10), from the Ukrainian 25 % (national 2010 18, Polish 7); family and
 *    given name swapped 10 %, surname in capitals 40 %, patronymic as a middle name 15 %, date exact 88 %, swapped 6 %,
 *    year only 3 %, missing 3 %; place 30 %, sex 90 %, a Latin typo 3 %.
 * A later trace of a child re-posts an earlier one (same fields, another id) with p 0.06 (`duplicate`).
 * `how` records what was done: the bench's fields, plus source, givenForm, familyForm, birthDetail, etc. A month-only
 * date (databank) is `birth: 'YEAR_ONLY'` with birthDetail 'MONTH'; an age-derived year is 'YEAR_ONLY' with 'AGE' or
 * 'AGE_OFF_BY_ONE'; an adoptive registry's changed date is DAY_SHIFTED/YEAR_SHIFTED with birthDetail 'ADOPTIVE'.
 * GenChild.patronymic is [Ukrainian male form, Ukrainian female form, Russian male, Russian female] of the father's name.
 */

type Sex = 'MALE' | 'FEMALE';
type Source = 'REGISTRY' | 'DATABANK' | 'INSTITUTION' | 'MEDIA' | 'OMBUDSPERSON' | 'PARTNER';
export interface FreshDistortion extends TraceDistortion {
  source: Source;
  givenForm: 'STANDARD' | 'VARIANT' | 'DIMINUTIVE' | 'RENAMED';
  familyForm: 'FULL' | 'INITIAL' | 'MISSING' | 'SWAPPED_WITH_GIVEN';
  birthDetail: string;
  patronymicAdoptive: boolean;
  placeRussian: boolean;
  uppercase: 'NONE' | 'SURNAME' | 'ALL';
  ocr: boolean;
  duplicate: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Given names: [weight, Ukrainian, Russian forms (first usual), Russian diminutives, Ukrainian diminutives]
type Given = [number, string, string[], string[], string[]];
const GIRLS: Given[] = [
  [100, 'Софія', ['София', 'Софья'], ['Соня'], ['Соня', 'Софійка']], [90, 'Анна', ['Анна'], ['Аня'], ['Аня', 'Ганнуся']],
  [85, 'Марія', ['Мария', 'Марья'], ['Маша'], ['Марійка', 'Маша']], [80, 'Вікторія', ['Виктория'], ['Вика'], ['Віка']],
  [75, 'Анастасія', ['Анастасия'], ['Настя'], ['Настя']], [60, 'Дарина', ['Дарина', 'Дарья'], ['Даша'], ['Даринка']],
  [55, 'Злата', ['Злата'], ['Злата'], ['Златка']], [50, 'Поліна', ['Полина'], ['Поля'], ['Поля']],
  [50, 'Єлизавета', ['Елизавета'], ['Лиза'], ['Ліза']], [45, 'Катерина', ['Екатерина'], ['Катя'], ['Катя']],
  [40, 'Олександра', ['Александра'], ['Саша'], ['Саша']], [35, 'Діана', ['Диана'], ['Диана'], ['Діана']],
  [35, 'Аліна', ['Алина'], ['Алина'], ['Аліна']], [35, 'Валерія', ['Валерия'], ['Лера'], ['Лера']],
  [30, 'Ярослава', ['Ярослава'], ['Слава'], ['Ярця']], [30, 'Христина', ['Кристина', 'Христина'], ['Кристина'], ['Христя']],
  [30, 'Юлія', ['Юлия'], ['Юля'], ['Юля']], [25, 'Ірина', ['Ирина'], ['Ира'], ['Іра']], [22, 'Олена', ['Елена'], ['Лена'], ['Оленка']],
  [30, 'Мілана', ['Милана'], ['Милана'], ['Мілана']], [28, 'Вероніка', ['Вероника'], ['Ника'], ['Ніка']],
  [25, 'Ангеліна', ['Ангелина'], ['Геля'], ['Ангеліна']], [25, 'Кіра', ['Кира'], ['Кира'], ['Кіра']],
  [20, 'Емілія', ['Эмилия', 'Эмилия'], ['Эмилия'], ['Емілія']], [18, 'Амелія', ['Амелия'], ['Амелия'], ['Амелія']],
  [18, 'Евеліна', ['Эвелина', 'Эвелина'], ['Эвелина'], ['Евеліна']], [22, 'Яна', ['Яна'], ['Яна'], ['Яна']],
  [20, 'Ксенія', ['Ксения'], ['Ксюша'], ['Ксюша']], [18, 'Марина', ['Марина'], ['Марина'], ['Марина']],
  [12, 'Надія', ['Надежда'], ['Надя'], ['Надя']], [12, 'Тетяна', ['Татьяна'], ['Таня'], ['Таня']],
  [14, 'Наталія', ['Наталья', 'Наталия'], ['Наташа'], ['Наталка']], [12, 'Ольга', ['Ольга'], ['Оля'], ['Оля']],
  [15, 'Василина', ['Василина'], ['Василина'], ['Василинка']], [15, 'Соломія', ['Соломия'], ['Соломия'], ['Соля']],
  [14, 'Уляна', ['Ульяна'], ['Уля'], ['Уляна']], [14, 'Мирослава', ['Мирослава'], ['Мира'], ['Мирося']],
  [20, 'Аліса', ['Алиса'], ['Алиса'], ['Аліса']], [20, 'Єва', ['Ева'], ['Ева'], ['Єва']],
  [12, 'Маргарита', ['Маргарита'], ['Рита'], ['Рита']], [15, 'Карина', ['Карина'], ['Карина'], ['Карина']],
  [10, 'Людмила', ['Людмила'], ['Люда'], ['Люда']], [10, 'Владислава', ['Владислава'], ['Влада'], ['Влада']],
  [12, 'Арина', ['Арина'], ['Арина'], ['Аріна']], [10, 'Богдана', ['Богдана'], ['Богдана'], ['Богданка']],
];
const BOYS: Given[] = [
  [100, 'Олександр', ['Александр'], ['Саша'], ['Саша', 'Сашко']], [90, 'Максим', ['Максим'], ['Макс'], ['Макс']],
  [85, 'Артем', ['Артём', 'Артем'], ['Тёма'], ['Тема']], [75, 'Матвій', ['Матвей'], ['Матвей'], ['Матвійко']],
  [70, 'Дмитро', ['Дмитрий'], ['Дима'], ['Дімка']], [60, 'Назар', ['Назар'], ['Назар'], ['Назарчик']],
  [55, 'Тимофій', ['Тимофей'], ['Тима'], ['Тимко']], [55, 'Іван', ['Иван'], ['Ваня'], ['Івасик']],
  [50, 'Михайло', ['Михаил'], ['Миша'], ['Михась']], [50, 'Данило', ['Даниил', 'Данила', 'Данил'], ['Даня'], ['Даня']],
  [45, 'Андрій', ['Андрей'], ['Андрюша'], ['Андрійко']], [45, 'Богдан', ['Богдан'], ['Богдан'], ['Богданчик']],
  [40, 'Кирило', ['Кирилл'], ['Кирюша'], ['Кирюша']], [40, 'Владислав', ['Владислав'], ['Влад'], ['Влад']],
  [35, 'Марк', ['Марк'], ['Марк'], ['Марко']], [35, 'Давид', ['Давид'], ['Давид'], ['Давидко']],
  [35, 'Ярослав', ['Ярослав'], ['Ярик'], ['Ярчик']], [30, 'Денис', ['Денис'], ['Денис'], ['Дениско']],
  [30, 'Микита', ['Никита'], ['Никита'], ['Микитка']], [28, 'Захар', ['Захар'], ['Захар'], ['Захарко']],
  [28, 'Єгор', ['Егор'], ['Егор'], ['Єгорка']], [28, 'Ілля', ['Илья'], ['Илюша'], ['Іллюша']],
  [25, 'Роман', ['Роман'], ['Рома'], ['Ромко']], [22, 'Євген', ['Евгений'], ['Женя'], ['Женя']],
  [25, 'Святослав', ['Святослав'], ['Свят'], ['Святик']], [18, 'Віктор', ['Виктор'], ['Витя'], ['Вітя']],
  [18, 'Сергій', ['Сергей'], ['Серёжа'], ['Сергійко']], [22, 'Олексій', ['Алексей'], ['Лёша'], ['Льоша']],
  [18, 'Павло', ['Павел'], ['Паша'], ['Павлик']], [18, 'Степан', ['Степан'], ['Стёпа'], ['Стефко']],
  [15, 'Вадим', ['Вадим'], ['Вадик'], ['Вадик']], [18, 'Ростислав', ['Ростислав'], ['Ростик'], ['Ростик']],
  [15, 'Юрій', ['Юрий'], ['Юра'], ['Юрко']], [15, 'Костянтин', ['Константин'], ['Костя'], ['Костя']],
  [18, 'Арсеній', ['Арсений'], ['Арсений'], ['Арсенчик']], [12, 'Олег', ['Олег'], ['Олег'], ['Олежко']],
  [10, 'Георгій', ['Георгий'], ['Гоша'], ['Жора']], [14, 'Тарас', ['Тарас'], ['Тарас'], ['Тарасик']],
  [14, 'Мирон', ['Мирон'], ['Мирон'], ['Мирось']], [12, 'Микола', ['Николай'], ['Коля'], ['Миколка']],
  [10, 'Василь', ['Василий'], ['Вася'], ['Василько']], [10, 'Петро', ['Пётр', 'Петр'], ['Петя'], ['Петрик']],
  [8, 'Федір', ['Фёдор', 'Федор'], ['Федя'], ['Федько']], [10, 'Ілля', ['Илья'], ['Илья'], ['Ілля']],
  [12, 'Олег', ['Олег'], ['Олег'], ['Олег']], [10, 'Всеволод', ['Всеволод'], ['Сева'], ['Сева']],
];
// Father's names: [weight, Ukrainian name, uk m., uk f., ru m., ru f.]
const FATHERS: [number, string, string, string, string, string][] = [
  [100, 'Олександр', 'Олександрович', 'Олександрівна', 'Александрович', 'Александровна'],
  [90, 'Сергій', 'Сергійович', 'Сергіївна', 'Сергеевич', 'Сергеевна'],
  [80, 'Андрій', 'Андрійович', 'Андріївна', 'Андреевич', 'Андреевна'],
  [75, 'Володимир', 'Володимирович', 'Володимирівна', 'Владимирович', 'Владимировна'],
  [60, 'Віталій', 'Віталійович', 'Віталіївна', 'Витальевич', 'Витальевна'],
  [65, 'Дмитро', 'Дмитрович', 'Дмитрівна', 'Дмитриевич', 'Дмитриевна'],
  [55, 'Олег', 'Олегович', 'Олегівна', 'Олегович', 'Олеговна'],
  [55, 'Юрій', 'Юрійович', 'Юріївна', 'Юрьевич', 'Юрьевна'],
  [55, 'Віктор', 'Вікторович', 'Вікторівна', 'Викторович', 'Викторовна'],
  [50, 'Іван', 'Іванович', 'Іванівна', 'Иванович', 'Ивановна'],
  [50, 'Микола', 'Миколайович', 'Миколаївна', 'Николаевич', 'Николаевна'],
  [45, 'Василь', 'Васильович', 'Василівна', 'Васильевич', 'Васильевна'],
  [45, 'Олексій', 'Олексійович', 'Олексіївна', 'Алексеевич', 'Алексеевна'],
  [45, 'Михайло', 'Михайлович', 'Михайлівна', 'Михайлович', 'Михайловна'],
  [40, 'Ігор', 'Ігорович', 'Ігорівна', 'Игоревич', 'Игоревна'],
  [35, 'Руслан', 'Русланович', 'Русланівна', 'Русланович', 'Руслановна'],
  [35, 'Роман', 'Романович', 'Романівна', 'Романович', 'Романовна'],
  [35, 'Євген', 'Євгенович', 'Євгенівна', 'Евгеньевич', 'Евгеньевна'],
  [30, 'Валерій', 'Валерійович', 'Валеріївна', 'Валерьевич', 'Валерьевна'],
  [30, 'Анатолій', 'Анатолійович', 'Анатоліївна', 'Анатольевич', 'Анатольевна'],
  [30, 'Максим', 'Максимович', 'Максимівна', 'Максимович', 'Максимовна'],
  [25, 'Петро', 'Петрович', 'Петрівна', 'Петрович', 'Петровна'],
  [20, 'Федір', 'Федорович', 'Федорівна', 'Федорович', 'Федоровна'],
  [20, 'Григорій', 'Григорович', 'Григорівна', 'Григорьевич', 'Григорьевна'],
  [25, 'Богдан', 'Богданович', 'Богданівна', 'Богданович', 'Богдановна'],
  [20, 'Ярослав', 'Ярославович', 'Ярославівна', 'Ярославович', 'Ярославовна'],
  [15, 'Тарас', 'Тарасович', 'Тарасівна', 'Тарасович', 'Тарасовна'],
  [15, 'Степан', 'Степанович', 'Степанівна', 'Степанович', 'Степановна'],
  [20, 'Павло', 'Павлович', 'Павлівна', 'Павлович', 'Павловна'],
  [25, 'Денис', 'Денисович', 'Денисівна', 'Денисович', 'Денисовна'],
  [25, 'Артем', 'Артемович', 'Артемівна', 'Артёмович', 'Артёмовна'],
  [20, 'Вадим', 'Вадимович', 'Вадимівна', 'Вадимович', 'Вадимовна'],
  [20, 'Костянтин', 'Костянтинович', 'Костянтинівна', 'Константинович', 'Константиновна'],
  [15, 'Станіслав', 'Станіславович', 'Станіславівна', 'Станиславович', 'Станиславовна'],
  [15, 'Геннадій', 'Геннадійович', 'Геннадіївна', 'Геннадьевич', 'Геннадьевна'],
];

// Surnames: a common head (Ukrainian spelling; 'ADJ' marks adjectival -ський/-цький/-ий, 'OV' -ов/-ев/-ин).
const COMMON = [
  'Мельник', 'Шевченко', 'Бойко', 'Коваленко', 'Бондаренко', 'Ткаченко', 'Ковальчук', 'Кравченко', 'Олійник', 'Шевчук',
  'Коваль', 'Поліщук', 'Бондар', 'Ткачук', 'Марченко', 'Лисенко', 'Мороз', 'Руденко', 'Савченко', 'Петренко', 'Клименко',
  'Павленко', 'Кравець', 'Кузьменко', 'Савчук', 'Романюк', 'Гнатюк', 'Левченко', 'Карпенко', 'Юрченко', 'Мартинюк',
  'Литвиненко', 'Кушнір', 'Сидоренко', 'Приходько', 'Васильченко', 'Гончаренко', 'Вакуленко', 'Зінченко', 'Мельничук',
  'Іваненко', 'Пономаренко', 'Білоус', 'Степаненко', 'Савицький', 'Ковальський', 'Заїка', 'Дорошенко', 'Гончар', 'Білик',
  "Лук'яненко", 'Гаврилюк', 'Онищенко', 'Головко', 'Антонюк', 'Коломієць', 'Костенко', 'Остапенко', 'Тимошенко',
  'Захарченко', 'Яковенко', 'Нестеренко', 'Прокопенко', 'Панченко', 'Волошин', 'Черненко', 'Кириленко', 'Андрущенко',
  'Стасюк', 'Пилипенко', 'Федоренко', 'Бабенко', 'Гуменюк', 'Назаренко', 'Ігнатенко', 'Данилюк', 'Максименко', 'Кулик',
  'Гордієнко', 'Швець', 'Кучер', 'Гребенюк', 'Пархоменко', 'Ярошенко', 'Хоменко', 'Демченко', 'Сорока', 'Вовк', 'Литвин',
  'Рибак', 'Дяченко', 'Костюк', 'Тарасенко', 'Процишин', 'Федоришин', 'Лісовий', 'Білий', 'Сірий', 'Кравчишин',
  'Іванов', 'Попов', 'Петров', 'Козлов', 'Новіков', 'Соколов', 'Морозов', 'Волков', 'Лебедєв', 'Кузнєцов', 'Смирнов',
  'Бєлов', 'Ільїн', 'Бородін', 'Зайцев', 'Павлов', 'Медведєв', 'Соловйов', 'Дудник', 'Кобзар', 'Чорновол', 'Рудь',
  'Заїченко', 'Дзюба', 'Гриценко', 'Осадчий', 'Гайдук', 'Лозовий', 'Бурлака', 'Пащенко', 'Жук', 'Чумак', 'Ляшенко',
  'Якименко', 'Герасименко', 'Тищенко', 'Щербак', 'Щербина', 'Куценко', 'Гладкий', 'Педченко', 'Довгань', 'Яременко',
  'Сивоконь', 'Ничипорук', 'Ївченко', "Дем'яненко", 'Мирошниченко', 'Сергієнко', 'Кондратюк', 'Лещенко', 'Зубко',
];
const ROOTS = [
  'Бараб', 'Бевз', 'Бож', 'Вдов', 'Гарб', 'Глущ', 'Гриц', 'Гуз', 'Дац', 'Дмитр', 'Жур', 'Зоз', 'Кир', 'Кобз', 'Лаз', 'Лев',
  'Ляш', 'Мазур', 'Мах', 'Мац', 'Мись', 'Нагорн', 'Остап', 'Пан', 'Прот', 'Рев', 'Рудн', 'Сав', 'Сач', 'Семен', 'Стах', 'Тищ',
  'Філ', 'Харч', 'Хом', 'Цап', 'Чуб', 'Шал', 'Шост', 'Юхим', 'Ярем', 'Яцен', 'Бакал', 'Волош', 'Гайв', 'Гнид', 'Дорош',
  'Задор', 'Іщ', 'Карпл', 'Клим', 'Кост', 'Кравц', 'Кулин', 'Лесь', 'Луц', 'Март', 'Мисл', 'Небор', 'Олекс', 'Пасічн',
  'Подол', 'Рожк', 'Сидор', 'Слобод', 'Стец', 'Сушк', 'Тимч', 'Трох', 'Федь', 'Фом', 'Хар', 'Цвік', 'Черед', 'Шап', 'Штан',
  'Бут', 'Гол', 'Горб', 'Грин', 'Дуб', 'Зав', 'Книш', 'Корн', 'Кот', 'Кушн', 'Лук', 'Мирош', 'Нест', 'Оліфір', 'Пил',
  'Рак', 'Руд', 'Сем', 'Сир', 'Тар', 'Ус', 'Хрущ', 'Шкур', 'Ющ', 'Янк',
];
const SUFFIXES: [number, string][] = [
  [30, 'енко'], [12, 'ук'], [8, 'юк'], [8, 'чук'], [6, 'ський'], [3, 'цький'], [6, 'ич'], [4, 'ович'], [5, 'ак'],
  [5, 'ко'], [4, 'ець'], [3, 'ар'], [4, 'ишин'], [3, 'ан'], [2, 'ів'], [3, 'ун'],
];
const ADOPTIVE = [
  'Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов',
  'Волков', 'Алексеев', 'Лебедев', 'Семёнов', 'Егоров', 'Павлов', 'Козлов', 'Степанов', 'Николаев', 'Орлов', 'Андреев',
  'Макаров', 'Никитин', 'Захаров', 'Зайцев', 'Соловьёв', 'Борисов', 'Яковлев', 'Григорьев', 'Романов', 'Воробьёв',
  'Сергеев', 'Кузьмин', 'Фролов', 'Александров', 'Дмитриев', 'Королёв', 'Гусев', 'Киселёв', 'Ильин', 'Максимов',
  'Поляков', 'Сорокин', 'Виноградов', 'Ковалёв', 'Белов', 'Медведев', 'Антонов', 'Тарасов', 'Жуков', 'Баранов',
  'Филиппов', 'Комаров', 'Давыдов', 'Беляев', 'Герасимов', 'Богданов', 'Осипов', 'Сидоров', 'Матвеев', 'Титов',
  'Марков', 'Миронов', 'Крылов', 'Куликов', 'Карпов', 'Власов', 'Мельников', 'Денисов', 'Гаврилов', 'Тихонов',
];
const RU_FATHERS = FATHERS.filter((f) => ['Олександр', 'Сергій', 'Андрій', 'Володимир', 'Дмитро', 'Олексій', 'Євген', 'Микола', 'Михайло', 'Ігор', 'Іван', 'Юрій', 'Павло', 'Максим', 'Денис', 'Роман'].includes(f[1]));

// Places: [weight, Ukrainian, Russian (the Russian-era name where the occupiers use one)]
const PLACES: [number, string, string][] = [
  [100, 'Маріуполь', 'Мариуполь'], [60, 'Херсон', 'Херсон'], [45, 'Мелітополь', 'Мелитополь'], [35, 'Бердянськ', 'Бердянск'],
  [50, 'Донецьк', 'Донецк'], [40, 'Луганськ', 'Луганск'], [20, 'Ізюм', 'Изюм'], [15, 'Каховка', 'Каховка'],
  [20, 'Нова Каховка', 'Новая Каховка'], [18, 'Енергодар', 'Энергодар'], [10, 'Токмак', 'Токмак'], [12, 'Генічеськ', 'Геническ'],
  [10, 'Скадовськ', 'Скадовск'], [10, 'Олешки', 'Алёшки'], [8, 'Гола Пристань', 'Голая Пристань'], [30, 'Макіївка', 'Макеевка'],
  [30, 'Горлівка', 'Горловка'], [12, 'Єнакієве', 'Енакиево'], [15, 'Алчевськ', 'Алчевск'], [20, 'Сєвєродонецьк', 'Северодонецк'],
  [18, 'Лисичанськ', 'Лисичанск'], [10, 'Рубіжне', 'Рубежное'], [12, 'Кадіївка', 'Стаханов'], [8, 'Хрустальний', 'Красный Луч'],
  [8, 'Довжанськ', 'Свердловск'], [8, 'Сорокине', 'Краснодон'], [8, 'Чистякове', 'Торез'], [12, 'Бахмут', 'Артёмовск'],
  [10, 'Волноваха', 'Волноваха'], [10, "Куп'янськ", 'Купянск'], [8, 'Вовчанськ', 'Волчанск'], [8, 'Балаклія', 'Балаклея'],
  [25, 'Харків', 'Харьков'], [20, 'Запоріжжя', 'Запорожье'], [15, 'Миколаїв', 'Николаев'], [8, 'Дніпрорудне', 'Днепрорудное'],
  [8, 'Василівка', 'Васильевка'], [8, 'Пологи', 'Пологи'], [8, 'Новоазовськ', 'Новоазовск'], [10, 'Харцизьк', 'Харцызск'],
  [8, 'Шахтарськ', 'Шахтёрск'], [6, 'Сватове', 'Сватово'], [6, 'Старобільськ', 'Старобельск'], [12, 'Краматорськ', 'Краматорск'],
  [10, 'Сімферополь', 'Симферополь'], [6, 'Мангуш', 'Мангуш'], [6, 'Приморськ', 'Приморск'], [5, 'Чаплинка', 'Чаплинка'],
];
const OBLAST: Record<string, string> = {
  'Маріуполь': 'Донецька обл.', 'Донецьк': 'Донецька обл.', 'Херсон': 'Херсонська обл.', 'Мелітополь': 'Запорізька обл.',
  'Бердянськ': 'Запорізька обл.', 'Луганськ': 'Луганська обл.', 'Ізюм': 'Харківська обл.', 'Каховка': 'Херсонська обл.',
};
const RU_CITIES = ['Москва', 'Подольск', 'Ростов-на-Дону', 'Таганрог', 'Краснодар', 'Воронеж', 'Белгород', 'Курск', 'Новосибирск', 'Омск', 'Тюмень', 'Калуга', 'Донецк', 'Луганск', 'Мариуполь', 'Симферополь'];
const RU_FOUND = ['Детский дом «Солнышко», Донецк', 'Республиканский центр, Ростов-на-Дону', 'лагерь «Артек», Гурзуф', 'лагерь «Лучистый», Евпатория',
  'СРЦН, Таганрог', 'санаторий «Сосновый бор»', 'Дом ребёнка, Херсон', 'Школа-интернат №1, Макеевка', 'лагерь «Медвежонок», Геленджик',
  'Центр содействия семейному воспитанию, Москва', 'Подольск, Московская обл.', 'Белгородская обл.', 'Ростовская обл.', 'Краснодарский край', 'Омская обл.'];
const PARTNER_COUNTRIES = ['DE', 'PL', 'FR', 'GB', 'CZ', 'IT', 'LT', 'NL', 'AT', 'US', 'CA', 'IL', 'TR', 'GE', 'BY'];

// ---------------------------------------------------------------------------------------------------------------
function weighted<T extends [number, ...unknown[]]>(xs: readonly T[]): (r: Rng) => T {
  const total = xs.reduce((a, x) => a + x[0], 0);
  return (r) => {
    let v = r.next() * total;
    for (const x of xs) { v -= x[0]; if (v < 0) return x; }
    return xs[xs.length - 1];
  };
}
const pickGirl = weighted(GIRLS);
const pickBoy = weighted(BOYS);
const pickFather = weighted(FATHERS);
const pickPlace = weighted(PLACES);
const pickSuffix = weighted(SUFFIXES);
// Zipf-like head: rank i gets weight 1/(i+3).
const pickCommon = weighted(COMMON.map((s, i): [number, string] => [1 / (i + 3), s]));

/** A sex-dependent Ukrainian surname from its masculine (or invariant) form. */
function ukFeminine(m: string): string {
  if (/ий$/.test(m)) return m.slice(0, -2) + 'а'; // Савицький → Савицька, Осадчий → Осадча, Білий → Біла
  if (/(ов|ев|єв|ін|їн)$/.test(m)) return m + 'а';
  return m; // -енко, -ук, -ич, -ець, -ишин … do not change
}
const SPECIAL_RU: [RegExp, string][] = [[/^Лис/, 'Лыс'], [/^Риб/, 'Рыб'], [/^Біл/, 'Бел'], [/^Сір/, 'Сер'], [/^Лісов/, 'Лесов'], [/^Чорн/, 'Черн']];
/** The Russian spelling of a Ukrainian surname (masculine base); `variant`: a clerk's letter-by-letter copy instead of the usual form. */
function russifySurname(m: string, variant: boolean): string {
  let s = m;
  // the usual Russian spelling (Лысенко, Белоус); the variant copies the Ukrainian letters (Лисенко, Билоус)
  if (!variant) for (const [re, to] of SPECIAL_RU) s = s.replace(re, to);
  s = s.replace(/ський$/, 'ский').replace(/цький$/, 'цкий').replace(/зький$/, 'зкий');
  s = s.replace(/ець$/, 'ец').replace(/ів$/, 'ив').replace(/ій$/, 'ИЙ'); // -ій → -ий (marked so the -ий rule below skips it)
  if (!/(ский|цкий|зкий)$/.test(s)) s = s.replace(/овий$/, 'овой').replace(/([^кгхжшчщ])ий$/, '$1ый');
  s = s.replace(/ИЙ$/, 'ий');
  s = s.replace(/ьов$/, 'ёв').replace(/йов$/, 'ьёв');
  s = s.replace(/([аеиоуяюєії])ї/g, '$1и').replace(/ї/g, variant ? 'и' : 'и');
  s = s.replace(/ій(?=[а-я])/g, 'ей');
  s = s.replace(/'(?=[яюєї])/g, 'ь').replace(/'/g, '');
  s = s.replace(/є/g, 'е').replace(/Є/g, 'Е').replace(/і/g, 'и').replace(/І/g, 'И').replace(/ґ/g, 'г').replace(/Ґ/g, 'Г');
  s = s.replace(/^Ї/, 'И');
  return s;
}
function ruFeminine(m: string): string {
  if (/(ский|цкий|зкий)$/.test(m)) return m.slice(0, -2) + 'ая';
  if (/(ый|ой)$/.test(m)) return m.slice(0, -2) + 'ая';
  if (/ий$/.test(m) && /[кгхжшчщ]ий$/.test(m)) return m.slice(0, -2) + 'ая';
  if (/ий$/.test(m)) return m.slice(0, -2) + 'яя';
  if (/(ов|ев|ёв|ин|ын)$/.test(m)) return m + 'а';
  return m;
}
function makeSurname(r: Rng): { uk: string; ruVariant: boolean } {
  if (r.chance(0.55)) return { uk: pickCommon(r)[1], ruVariant: r.chance(0.1) };
  const root = r.pick(ROOTS);
  let suf = pickSuffix(r)[1];
  // keep the joins pronounceable: no -чук/-юк after a consonant cluster or a velar/hushing consonant, no -ич after a hushing one
  const cluster = /[^аеєиіїоуюя][^аеєиіїоуюяь]$/.test(root);
  if ((suf === 'чук' || suf === 'юк') && (cluster || /[кгхчшщжц]$/.test(root))) suf = r.chance(0.6) ? 'енко' : 'ук';
  if (/[чщшж]$/.test(root) && (suf === 'ич' || suf === 'ович' || suf === 'ишин' || suf === 'ський')) suf = 'енко';
  if ((suf === 'ко' || suf === 'ар' || suf === 'ець') && cluster) suf = 'енко';
  if (suf === 'цький') suf = 'ський'; // the roots end in a consonant: Задорський, not Задорцький
  if (suf === 'ський' && cluster) suf = 'енко';
  if (/ь$/.test(root) && suf !== 'енко' && suf !== 'ко') suf = 'ко';
  if (/ь$/.test(root) && suf === 'енко') return { uk: root.slice(0, -1) + suf, ruVariant: r.chance(0.1) };
  return { uk: root + suf, ruVariant: r.chance(0.1) };
}

// ---------------------------------------------------------------------------------------------------------------
// Romanisation: per scheme a letter table plus context rules, word by word.
const VOWELS_RU = 'аеёиоуыэюяіїєАЕЁИОУЫЭЮЯІЇЄ';
type Ctx = { prev: string; next: string; start: boolean; end: boolean };
type Scheme = (c: string, x: Ctx) => string | null;
const base: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'i', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o',
  п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e',
  ю: 'iu', я: 'ia', і: 'i', ї: 'i', є: 'ie', ґ: 'g', "'": '',
};
const isIn = (set: string, ch: string) => ch !== '' && set.includes(ch);
const soft = (x: Ctx) => x.start || isIn(VOWELS_RU, x.prev) || isIn('ъь\'', x.prev);
const SCHEMES: Record<string, Scheme> = {
  ICAO: (c) => ({ ъ: 'ie' } as Record<string, string>)[c] ?? null,
  BGN: (c, x) => {
    if (c === 'е' || c === 'ё') return soft(x) ? 'ye' : 'e';
    return ({ й: 'y', ю: 'yu', я: 'ya' } as Record<string, string>)[c] ?? null;
  },
  GOST779: (c, x) => {
    if (c === 'ц') return isIn('еиыйeiyj', x.next) ? 'c' : 'cz';
    return ({ ё: 'yo', й: 'j', х: 'x', щ: 'shh', ю: 'yu', я: 'ya' } as Record<string, string>)[c] ?? null;
  },
  FRENCH: (c, x) => {
    if (c === 'с' && isIn(VOWELS_RU, x.prev) && isIn(VOWELS_RU, x.next)) return 'ss';
    if (c === 'й' && x.end && x.prev === 'и') return '';
    if (c === 'г' && isIn('еиыё', x.next)) return 'gu';
    if (c === 'е' && soft(x) && !x.start) return 'ie';
    return ({ ё: 'io', ж: 'j', у: 'ou', ч: 'tch', ш: 'ch', щ: 'chtch', ю: 'iou', я: 'ia', х: 'kh' } as Record<string, string>)[c] ?? null;
  },
  GERMAN: (c, x) => {
    if (c === 'с') return isIn(VOWELS_RU, x.prev) && isIn(VOWELS_RU, x.next) ? 'ss' : 's';
    if (c === 'е') return soft(x) ? 'je' : 'e';
    if (c === 'ё') return isIn('жшчщ', x.prev) ? 'o' : 'jo';
    if (c === 'й') return x.end && x.prev === 'и' ? 'j' : 'i';
    return ({ в: 'w', ж: 'sh', з: 's', х: 'ch', ц: 'z', ч: 'tsch', ш: 'sch', щ: 'schtsch', ю: 'ju', я: 'ja', ы: 'y' } as Record<string, string>)[c] ?? null;
  },
  POLISH: (c, x) => {
    const afterHard = isIn('жшцчщ', x.prev);
    const afterCons = !soft(x);
    const iot = (v: string) => (soft(x) ? 'j' + v : x.prev === 'л' ? v : afterHard ? v : 'i' + v);
    switch (c) {
      case 'л': return isIn('ьеёиюяіє', x.next) ? 'l' : 'ł';
      case 'е': return soft(x) ? 'je' : afterHard || x.prev === 'л' || x.prev === 'х' ? 'e' : 'ie'; // Cherson, not Chierson
      case 'є': return soft(x) ? 'je' : afterCons ? 'ie' : 'je';
      case 'ё': return iot('o');
      case 'ю': return iot('u');
      case 'я': return iot('a');
      case 'и': return isIn('жшц', x.prev) ? 'y' : 'i';
      case 'ї': return 'ji';
      case 'в': return 'w';
      case 'ж': return 'ż';
      case 'ц': return 'c';
      case 'ч': return 'cz';
      case 'ш': return 'sz';
      case 'щ': return 'szcz';
      case 'х': return 'ch';
      case 'й': return 'j';
      case 'ь': return '';
      default: return null;
    }
  },
  ENGLISH: (c, x) => {
    if (c === 'й') return x.end && isIn('иы', x.prev) ? '' : 'y';
    if (c === 'и' && x.end === false && x.next === 'й' ) return x.start ? 'i' : 'y';
    if (c === 'е') return x.start ? 'ye' : 'e';
    if (c === 'ё') return isIn('жшчщ', x.prev) ? 'o' : 'yo';
    if (c === 'я') return x.prev === 'и' || x.prev === 'ь' ? 'a' : 'ya';
    if (c === 'ь') return x.next === 'я' ? 'i' : '';
    return ({ ю: 'yu', х: 'kh' } as Record<string, string>)[c] ?? null;
  },
  UA_NATIONAL: (c, x) => {
    if (x.start) {
      const init = ({ є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' } as Record<string, string>)[c];
      if (init) return init;
    }
    if (c === 'г' && x.prev === 'з') return 'gh';
    return ({ г: 'h', и: 'y', є: 'ie', ї: 'i', й: 'i', ю: 'iu', я: 'ia' } as Record<string, string>)[c] ?? null;
  },
  UA_POLISH: (c, x) => {
    if (c === 'г') return 'h';
    if (c === 'и') return 'y';
    if (c === 'і') return 'i';
    if (c === "'") return 'j';
    if (c === 'е') return 'e';
    if (c === 'л' && x.next === 'и') return 'ł';
    return SCHEMES.POLISH(c, { ...x, prev: x.prev === "'" ? 'ъ' : x.prev });
  },
};
/** English conventional forms of some Russian given names. */
const ENGLISH_CONVENTIONAL: Record<string, string> = {
  Александр: 'Alexander', Алексей: 'Alexey', Александра: 'Alexandra', Мария: 'Maria', Виктория: 'Victoria', Юлия: 'Julia',
  Наталья: 'Natalia', Кристина: 'Christina', Софья: 'Sofia', София: 'Sofia', Анастасия: 'Anastasia', Дарья: 'Daria',
  Ксения: 'Ksenia', Евгений: 'Evgeny', Дмитрий: 'Dmitry', Юрий: 'Yury', Елизавета: 'Elizaveta', Екатерина: 'Ekaterina',
};

function romanise(text: string, scheme: string): string {
  if (scheme === 'ENGLISH' && ENGLISH_CONVENTIONAL[text]) return ENGLISH_CONVENTIONAL[text];
  const rule = SCHEMES[scheme];
  let out = '';
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const orig = chars[i];
    const c = orig.toLowerCase();
    const prev = i > 0 ? chars[i - 1].toLowerCase() : '';
    const next = i + 1 < chars.length ? chars[i + 1].toLowerCase() : '';
    const start = i === 0 || /[\s-]/.test(prev);
    const end = i + 1 === chars.length || /[\s-]/.test(next);
    if ((scheme === 'GERMAN' || scheme === 'ENGLISH') && c === 'к' && next === 'с') { out += orig === c ? 'x' : 'X'; i++; continue; }
    let t = rule(c, { prev: start ? '' : prev, next, start, end });
    if (t === null) t = base[c] ?? c;
    if (orig !== c && t.length) {
      const word = chars.slice(i).join('').split(/[\s-]/)[0];
      const allCaps = word.length > 1 && word === word.toUpperCase();
      t = allCaps ? t.toUpperCase() : t[0].toUpperCase() + t.slice(1);
    }
    out += t;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Typos and OCR
const KB_CYR = ['йцукенгшщзхъ', 'фывапролджэ', 'ячсмитьбю'];
const KB_LAT = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
function neighbour(c: string, rows: string[], r: Rng): string {
  for (let y = 0; y < rows.length; y++) {
    const x = rows[y].indexOf(c);
    if (x < 0) continue;
    const opts: string[] = [];
    if (x > 0) opts.push(rows[y][x - 1]);
    if (x + 1 < rows[y].length) opts.push(rows[y][x + 1]);
    if (y > 0 && rows[y - 1][x]) opts.push(rows[y - 1][x]);
    if (y + 1 < rows.length && rows[y + 1][x]) opts.push(rows[y + 1][x]);
    return r.pick(opts);
  }
  return c;
}
const VOWEL_SWAP: Record<string, string> = { о: 'а', а: 'о', е: 'и', и: 'е', і: 'и', ы: 'и', я: 'е', є: 'е' };
function typo(s: string, r: Rng): string {
  const chars = [...s];
  if (chars.length < 3) return s;
  const latin = /[a-z]/i.test(s);
  const i = r.int(1, chars.length - 1); // the first letter is usually right
  const lower = chars[i].toLowerCase();
  const isUpper = chars[i] !== lower;
  const kind = r.int(0, 4);
  const up = (x: string) => (isUpper ? x.toUpperCase() : x);
  if (kind === 0) chars[i] = up(neighbour(lower, latin ? KB_LAT : KB_CYR, r));
  else if (kind === 1) chars.splice(i, 1);
  else if (kind === 2) chars.splice(i, 0, chars[i]);
  else if (kind === 3 && i + 1 < chars.length) [chars[i], chars[i + 1]] = [chars[i + 1], chars[i]];
  else if (!latin && VOWEL_SWAP[lower]) chars[i] = up(VOWEL_SWAP[lower]);
  else chars.splice(i, 1);
  return chars.join('');
}
const OCR: Record<string, string[]> = { и: ['н', 'й'], н: ['и'], ш: ['щ'], щ: ['ш'], п: ['л', 'н'], л: ['п'], е: ['с', 'ё'], т: ['г'], ц: ['щ'], ь: ['ъ', 'б'], й: ['и'], в: ['з'], о: ['с'], з: ['э'] };
function ocr(s: string, r: Rng): string {
  const chars = [...s];
  const spots = chars.map((c, i) => (OCR[c.toLowerCase()] ? i : -1)).filter((i) => i > 0);
  if (!spots.length) return s;
  const n = r.chance(0.3) ? 2 : 1;
  for (let k = 0; k < n; k++) {
    const i = r.pick(spots);
    const lower = [...s][i].toLowerCase();
    const to = r.pick(OCR[lower]);
    chars[i] = [...s][i] === lower ? to : to.toUpperCase();
  }
  return chars.join('');
}

// ---------------------------------------------------------------------------------------------------------------
interface Person {
  child: GenChild;
  given: Given;
  ruGiven: string; // the Russian form chosen for this child
  ukSurname: string; // masculine Ukrainian base
  ruSurname: string; // masculine Russian base
  father: (typeof FATHERS)[number];
  place: (typeof PLACES)[number];
  adopt: null | { surname: string; patronymic: string | null; birth: string | null; birthKind: 'DAY_SHIFTED' | 'YEAR_SHIFTED' | null; place: string | null; given: string | null };
  traces: TraceRow[];
}

const pad = (n: number) => String(n).padStart(2, '0');
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
function addDays(iso: string, d: number): string {
  const t = new Date(`${iso}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + d);
  return t.toISOString().slice(0, 10);
}
function birthYear(r: Rng): number {
  // deported children: mostly born 2007-2019; the tails 2005-2006 and 2020-2022 lighter
  const v = r.next();
  if (v < 0.06) return r.int(2005, 2006);
  if (v < 0.92) return r.int(2007, 2019);
  return r.int(2020, 2022);
}
function randomDate(r: Rng, y: number): string {
  const m = r.int(1, 12);
  return `${y}-${pad(m)}-${pad(r.int(1, daysIn(y, m)))}`;
}

export function generateFresh(seed: number, children: number, traces: number) {
  const r = rng(seed ^ 0x5f4e3d);
  const people: GenChild[] = [];
  const persons: Person[] = [];
  const reported: ReportedRow[] = [];
  let familyNo = 0;

  const newPerson = (fam: number, sur: { uk: string; ruVariant: boolean }, father: (typeof FATHERS)[number], place: (typeof PLACES)[number], sex: Sex, birth: string, avoid: Set<string>): Person => {
    let given = sex === 'FEMALE' ? pickGirl(r) : pickBoy(r);
    for (let k = 0; k < 10 && avoid.has(given[1]); k++) given = sex === 'FEMALE' ? pickGirl(r) : pickBoy(r);
    avoid.add(given[1]);
    const ruGiven = given[2].length > 1 && r.chance(0.3) ? given[2][1] : given[2][0];
    const ukSurname = sur.uk;
    const ruSurname = russifySurname(ukSurname, sur.ruVariant);
    const surname: Surname = {
      uk: (s) => (s === 'FEMALE' ? ukFeminine(ukSurname) : ukSurname),
      ru: (s) => (s === 'FEMALE' ? ruFeminine(ruSurname) : ruSurname),
    };
    const child: GenChild = {
      key: people.length, id: r.uuid(), family: fam, sex, givenUk: given[1], givenRu: ruGiven, familyName: surname,
      patronymic: [father[2], father[3], father[4], father[5]], birth, place: [place[1], place[2]], reported: false,
    };
    let adopt: Person['adopt'] = null;
    if (r.chance(0.15)) {
      const ad = r.pick(ADOPTIVE);
      let ab: string | null = null;
      let birthKind: 'DAY_SHIFTED' | 'YEAR_SHIFTED' | null = null;
      if (r.chance(0.2)) {
        if (r.chance(0.7)) { ab = addDays(birth, r.pick([-1, 1]) * r.int(1, 120)); birthKind = 'DAY_SHIFTED'; }
        else { const y = Number(birth.slice(0, 4)) + r.pick([-1, 1]); ab = `${y}${birth.slice(4, 8)}${pad(Math.min(Number(birth.slice(8)), daysIn(y, Number(birth.slice(5, 7)))))}`; birthKind = 'YEAR_SHIFTED'; }
      }
      const pf = r.chance(0.5) ? r.pick(RU_FATHERS) : null;
      const newGiven = r.chance(0.05) ? (sex === 'FEMALE' ? pickGirl(r) : pickBoy(r))[2][0] : null;
      adopt = {
        surname: sex === 'FEMALE' ? ad + 'а' : ad, patronymic: pf ? (sex === 'FEMALE' ? pf[5] : pf[4]) : null, birth: ab, birthKind,
        place: r.chance(0.35) ? r.pick(RU_CITIES) : null, given: newGiven && newGiven !== ruGiven ? newGiven : null,
      };
    }
    const p: Person = { child, given, ruGiven, ukSurname, ruSurname, father, place, adopt, traces: [] };
    people.push(child);
    persons.push(p);
    return p;
  };

  const newFamily = (): Person[] => {
    const fam = familyNo++;
    const sur = makeSurname(r);
    const father = pickFather(r);
    const place = pickPlace(r);
    const v = r.next();
    const size = v < 0.55 ? 1 : v < 0.83 ? 2 : v < 0.95 ? 3 : 4;
    const avoid = new Set<string>();
    const out: Person[] = [];
    let y = birthYear(r);
    const twins = size >= 2 && r.chance(0.1) ? r.int(0, size - 2) : -1;
    let last = '';
    for (let i = 0; i < size; i++) {
      const sex: Sex = r.chance(0.5) ? 'FEMALE' : 'MALE';
      let birth: string;
      if (i === twins + 1 && twins >= 0) birth = last;
      else {
        if (i > 0) y = Math.min(2022, y + r.int(1, 6));
        birth = randomDate(r, y);
      }
      last = birth;
      out.push(newPerson(fam, sur, father, r.chance(0.9) ? place : pickPlace(r), sex, birth, avoid));
    }
    return out;
  };

  // ---- reports ----
  const report = (p: Person): ReportedRow => {
    const c = p.child;
    let given = p.given[1];
    let fam = c.familyName.uk(c.sex);
    if (r.chance(0.02)) fam = typo(fam, r);
    if (r.chance(0.01)) given = typo(given, r);
    const v = r.next();
    const precision: ReportedRow['birthDatePrecision'] = v < 0.86 ? 'EXACT' : v < 0.94 ? 'MONTH' : 'YEAR';
    const birthDate = precision === 'EXACT' ? c.birth : precision === 'MONTH' ? `${c.birth.slice(0, 8)}01` : `${c.birth.slice(0, 4)}-01-01`;
    let place: string | null = null;
    if (r.chance(0.75)) {
      place = p.place[1];
      if (r.chance(0.05)) place = r.chance(0.6) ? `м. ${place}` : `${place}, ${OBLAST[place] ?? 'Донецька обл.'}`;
    }
    return {
      id: c.id, givenName: given, familyName: fam, patronymic: r.chance(0.82) ? (c.sex === 'FEMALE' ? c.patronymic[1] : c.patronymic[0]) : null,
      birthDate, birthDatePrecision: precision, sex: c.sex, placeOfBirth: place,
    };
  };
  while (reported.length < children) {
    for (const p of newFamily()) {
      if (reported.length < children && r.chance(0.85)) { p.child.reported = true; reported.push(report(p)); }
    }
  }
  const reportedFamilies = familyNo;

  // ---- traces ----
  const traceRows: TraceRow[] = [];
  const SOURCES = weighted<[number, Source]>([[18, 'REGISTRY'], [12, 'DATABANK'], [28, 'INSTITUTION'], [14, 'MEDIA'], [12, 'OMBUDSPERSON'], [16, 'PARTNER']]);
  const RU_SCHEMES = weighted<[number, string]>([[30, 'ICAO'], [10, 'BGN'], [5, 'GOST779'], [10, 'FRENCH'], [10, 'GERMAN'], [10, 'POLISH'], [10, 'ENGLISH']]);
  const observed = (): Date => new Date(Date.UTC(2022, 3, 1) + r.int(0, 1185) * 86400000);

  const makeTrace = (p: Person): TraceRow => {
    const c = p.child;
    const source = SOURCES(r)[1];
    const fem = c.sex === 'FEMALE';
    const how: FreshDistortion = {
      russian: true, scheme: null, adoptive: false, familyTypo: false, givenTypo: false, patronymic: false, birth: 'EXACT', sex: true, place: false,
      source, givenForm: 'STANDARD', familyForm: 'FULL', birthDetail: 'EXACT', patronymicAdoptive: false, placeRussian: false, uppercase: 'NONE', ocr: false, duplicate: false,
    };
    // name pieces in the trace's language
    let ukrainian = false;
    if (source === 'INSTITUTION') ukrainian = r.chance(0.1);
    else if (source === 'MEDIA') ukrainian = r.chance(0.3);
    else if (source === 'OMBUDSPERSON') ukrainian = r.chance(0.5);
    let scheme: string | null = null;
    if (source === 'PARTNER') {
      if (r.chance(0.25)) { ukrainian = true; scheme = r.chance(0.72) ? 'UA_NATIONAL' : 'UA_POLISH'; }
      else scheme = RU_SCHEMES(r)[1];
    }
    how.russian = !ukrainian;
    how.scheme = scheme;
    // adoptive identity: registries show it mostly, media sometimes, others use the original
    const useAdopt = p.adopt !== null && (source === 'REGISTRY' ? r.chance(0.8) : source === 'MEDIA' ? r.chance(0.5) : source === 'DATABANK' ? false : source === 'PARTNER' ? r.chance(0.2) : false) && !ukrainian;
    let given: string;
    if (ukrainian) given = p.given[1];
    else {
      given = p.ruGiven;
      if (r.chance(0.1) && p.given[2].length > 1) { const alt = p.given[2].find((g) => g !== p.ruGiven)!; if (alt) { given = alt; how.givenForm = 'VARIANT'; } }
    }
    if (useAdopt && p.adopt!.given) { given = p.adopt!.given; how.givenForm = 'RENAMED'; }
    let family: string | null = ukrainian ? c.familyName.uk(c.sex) : c.familyName.ru(c.sex, r);
    if (useAdopt) { family = p.adopt!.surname; how.adoptive = true; }
    let patronymic: string | null = ukrainian ? (fem ? c.patronymic[1] : c.patronymic[0]) : fem ? c.patronymic[3] : c.patronymic[2];
    if (useAdopt && p.adopt!.patronymic) { patronymic = p.adopt!.patronymic; how.patronymicAdoptive = true; }
    let birth: string | null = c.birth;
    if (useAdopt && p.adopt!.birth && source === 'REGISTRY') { birth = p.adopt!.birth; how.birth = p.adopt!.birthKind!; how.birthDetail = 'ADOPTIVE'; }
    let place: string | null = ukrainian ? p.place[1] : p.place[2];
    if (useAdopt && p.adopt!.place && source === 'REGISTRY') { place = p.adopt!.place; how.placeRussian = true; }
    let sex: Sex | null = c.sex;
    let foundAt = r.pick(RU_FOUND);
    let foundCountry = 'RU';

    const dim = () => { given = ukrainian ? r.pick(p.given[4]) : r.pick(p.given[3]); if (given !== (ukrainian ? p.given[1] : p.ruGiven)) how.givenForm = 'DIMINUTIVE'; };
    const dateErr = (swap: number, yearShift: number, dayShift: number, yearOnly: number, missing: number) => {
      if (how.birth !== 'EXACT' || !birth) return;
      const v = r.next();
      const d = Number(birth.slice(8, 10));
      const m = Number(birth.slice(5, 7));
      if (v < swap) {
        if (d <= 12 && d !== m) { birth = `${birth.slice(0, 4)}-${pad(d)}-${pad(m)}`; how.birth = 'SWAPPED'; how.birthDetail = 'SWAPPED'; }
      } else if (v < swap + yearShift) {
        const y = Number(birth.slice(0, 4)) + r.pick([-1, 1]);
        birth = `${y}-${pad(m)}-${pad(Math.min(d, daysIn(y, m)))}`; how.birth = 'YEAR_SHIFTED'; how.birthDetail = 'YEAR_SHIFTED';
      } else if (v < swap + yearShift + dayShift) {
        birth = addDays(birth, r.pick([-1, 1]) * r.int(1, 10)); how.birth = 'DAY_SHIFTED'; how.birthDetail = 'DAY_SHIFTED';
      } else if (v < swap + yearShift + dayShift + yearOnly) {
        birth = birth.slice(0, 4); how.birth = 'YEAR_ONLY'; how.birthDetail = 'YEAR';
      } else if (v < swap + yearShift + dayShift + yearOnly + missing) {
        birth = null; how.birth = 'MISSING'; how.birthDetail = 'MISSING';
      }
    };

    switch (source) {
      case 'REGISTRY':
        if (!r.chance(0.85)) patronymic = null;
        if (!r.chance(0.6)) place = null;
        dateErr(0.02, 0.02, 0.04, 0, 0.02);
        if (family && r.chance(0.03)) { family = typo(family, r); how.familyTypo = true; }
        if (r.chance(0.01)) { given = typo(given, r); how.givenTypo = true; }
        foundAt = r.pick(['Ростовская обл.', 'Московская обл.', 'Краснодарский край', 'Белгородская обл.', 'Воронежская обл.', 'Тюменская обл.', 'Новосибирская обл.', '«ДНР»', '«ЛНР»']);
        break;
      case 'DATABANK':
        family = family ? `${[...family][0]}.` : null;
        how.familyForm = 'INITIAL';
        patronymic = null;
        place = null;
        birth = birth!.slice(0, 7);
        how.birth = 'YEAR_ONLY'; how.birthDetail = 'MONTH';
        foundAt = r.pick(['Ростовская обл.', 'Московская обл.', 'Краснодарский край', 'Омская обл.', 'Курская обл.', '«ДНР»']);
        break;
      case 'INSTITUTION': {
        const g = r.next();
        if (g < 0.02) dim();
        if (!r.chance(0.65)) patronymic = null;
        if (!r.chance(0.35)) place = null;
        if (!r.chance(0.85)) sex = null;
        dateErr(0.06, 0.03, 0.04, 0.06, 0.07);
        if (family && r.chance(0.08)) { family = typo(family, r); how.familyTypo = true; }
        if (r.chance(0.04)) { given = typo(given, r); how.givenTypo = true; }
        if (r.chance(0.05)) {
          how.ocr = true;
          if (family) family = ocr(family, r);
          if (r.chance(0.5)) given = ocr(given, r);
        }
        const u = r.next();
        if (u < 0.1) { how.uppercase = 'ALL'; family = family?.toUpperCase() ?? null; given = given.toUpperCase(); patronymic = patronymic?.toUpperCase() ?? null; }
        else if (u < 0.4) { how.uppercase = 'SURNAME'; family = family?.toUpperCase() ?? null; }
        if (r.chance(0.02)) { [family, given] = [given, family!]; how.familyForm = 'SWAPPED_WITH_GIVEN'; }
        break;
      }
      case 'MEDIA': {
        if (r.chance(ukrainian ? 0.25 : 0.45)) dim();
        if (r.chance(0.35)) { family = null; how.familyForm = 'MISSING'; }
        if (!r.chance(0.05)) patronymic = null;
        if (!r.chance(0.5)) place = null;
        if (!r.chance(0.7)) sex = null;
        if (r.chance(0.75)) {
          const obs = observed();
          const b = new Date(`${c.birth}T00:00:00Z`);
          let age = obs.getUTCFullYear() - b.getUTCFullYear();
          if (obs.getUTCMonth() < b.getUTCMonth() || (obs.getUTCMonth() === b.getUTCMonth() && obs.getUTCDate() < b.getUTCDate())) age--;
          if (age < 0) age = 0;
          const y = obs.getUTCFullYear() - age;
          birth = String(y); how.birth = 'YEAR_ONLY'; how.birthDetail = y === b.getUTCFullYear() ? 'AGE' : 'AGE_OFF_BY_ONE';
        }
        foundAt = ukrainian ? r.pick(['Telegram', 'Facebook', 'Суспільне', 'Українська правда']) : r.pick(['ВКонтакте', 'Telegram', 'РИА Новости', 'местная газета', 'Одноклассники']);
        foundCountry = ukrainian ? 'UA' : 'RU';
        break;
      }
      case 'OMBUDSPERSON':
        if (!r.chance(0.88)) patronymic = null;
        if (!r.chance(0.7)) place = null;
        {
          const v = r.next();
          if (v < 0.03 && birth) { birth = birth.slice(0, 7); how.birth = 'YEAR_ONLY'; how.birthDetail = 'MONTH'; }
          else dateErr(0.02 / 0.97, 0, 0.02 / 0.97, 0, 0);
        }
        if (family && r.chance(0.02)) { family = typo(family, r); how.familyTypo = true; }
        if (r.chance(0.01)) { given = typo(given, r); how.givenTypo = true; }
        foundAt = ukrainian ? 'Уповноважений ВРУ з прав людини' : 'Уполномоченный по правам ребёнка РФ';
        foundCountry = ukrainian ? 'UA' : 'RU';
        break;
      case 'PARTNER': {
        const withPatr = r.chance(0.15);
        given = romanise(given, scheme!);
        family = family ? romanise(family, scheme!) : null;
        patronymic = withPatr && patronymic ? romanise(patronymic, scheme!) : null;
        place = r.chance(0.3) && place ? romanise(place, scheme!) : null;
        if (!r.chance(0.9)) sex = null;
        {
          const v = r.next();
          if (v < 0.03) { birth = birth!.slice(0, 4); how.birth = 'YEAR_ONLY'; how.birthDetail = 'YEAR'; }
          else if (v < 0.06) { birth = null; how.birth = 'MISSING'; how.birthDetail = 'MISSING'; }
          else dateErr(0.06 / 0.94, 0, 0, 0, 0);
        }
        if (r.chance(0.03)) { if (r.chance(0.5) && family) { family = typo(family, r); how.familyTypo = true; } else { given = typo(given, r); how.givenTypo = true; } }
        if (family && r.chance(0.4)) { family = family.toUpperCase(); how.uppercase = 'SURNAME'; }
        if (family && r.chance(0.1)) { [family, given] = [given, family]; how.familyForm = 'SWAPPED_WITH_GIVEN'; }
        foundCountry = r.pick(PARTNER_COUNTRIES);
        foundAt = `${foundCountry} authorities`;
        if (foundCountry === 'BY') foundAt = 'лагерь «Дубрава», Беларусь';
        break;
      }
    }
    how.patronymic = patronymic !== null;
    how.place = place !== null;
    how.sex = sex !== null;
    if (how.birth === 'EXACT' && birth && birth !== c.birth) how.birthDetail = 'CHANGED';
    return { externalId: '', givenName: given, familyName: family, patronymic, sex, birthDate: birth, placeOfBirth: place, foundAt, foundCountry, truth: c.key, how };
  };
  const addTraces = (p: Person, n: number) => {
    for (let k = 0; k < n && traceRows.length < traces; k++) {
      let t: TraceRow;
      if (p.traces.length && r.chance(0.06)) {
        const prev = r.pick(p.traces);
        t = { ...prev, how: { ...(prev.how as FreshDistortion), duplicate: true } as FreshDistortion };
      } else t = makeTrace(p);
      p.traces.push(t);
      traceRows.push(t);
    }
  };
  const reportedCount = () => { const v = r.next(); return v < 0.33 ? 0 : v < 0.68 ? 1 : v < 0.86 ? 2 : v < 0.95 ? 3 : r.int(4, 5); };
  const otherCount = () => { const v = r.next(); return v < 0.6 ? 1 : v < 0.85 ? 2 : v < 0.95 ? 3 : 4; };
  // Reported children and their unreported siblings first; then families nobody reported, until the traces are in.
  for (const p of [...persons]) addTraces(p, p.child.reported ? reportedCount() : otherCount());
  while (traceRows.length < traces) for (const p of newFamily()) addTraces(p, otherCount());

  // Shuffle (Fisher–Yates) and number.
  for (let i = traceRows.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [traceRows[i], traceRows[j]] = [traceRows[j], traceRows[i]];
  }
  traceRows.forEach((t, i) => { t.externalId = `fresh-${seed}-${i + 1}`; });
  void reportedFamilies;
  return { people, reported, traces: traceRows };
}
