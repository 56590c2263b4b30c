import { rng, type Rng, type GenChild, type Surname, type ReportedRow, type TraceRow, type TraceDistortion } from './generate';

/*
 * A third, BLIND world for the linkage benchmark (issue 9): written without reading the matcher, the project's
 * transliteration or the other generators' name tables, so that it measures the matcher on data it was not tuned on.
 * Its own names (Zipf-like frequencies), Ukrainian→Russian name pairs with several Russian forms, diminutives,
 * patronymics, surnames (a common head and a long generated tail), places (with Soviet-era Russian names), its own
 * romanisations (Ukrainian national 2010, ICAO 9303, GOST 52535, BGN/PCGN, GOST 7.79-B, GOST 16876-71, ISO 9 with
 * diacritics, French, German, Polish, Czech, English conventional forms), and traces by source: adoption/guardianship
 * registries, camp/institution lists, media and social posts, ombudsperson lists and partner states, each with its
 * own rates of missing fields, typos, date errors and adoptive names. `how` records what was done, honestly; the
 * extra fields (source, givenForm, birthDetail, …) show in the benchmark's --debug lines.
 */

type Sex = 'MALE' | 'FEMALE';
export interface BlindDistortion extends TraceDistortion {
  source: 'REGISTRY' | 'INSTITUTION' | 'MEDIA' | 'OMBUDSPERSON' | 'PARTNER';
  givenForm: 'STANDARD' | 'VARIANT' | 'DIMINUTIVE' | 'RENAMED' | 'CONVENTIONAL';
  birthDetail: string;
  patronymicAdoptive: boolean;
  namesSwapped: boolean;
  uppercase: boolean;
  familyMissing: boolean;
  reportTypo: boolean;
}

// ---- given names: [Ukrainian, Russian forms (first is the usual), diminutives (Russian)]; order = frequency rank ----
type Given = [string, string[], string[]];
const BOYS: Given[] = [
  ['Олександр', ['Александр'], ['Саша', 'Шура']], ['Максим', ['Максим'], ['Макс']], ['Артем', ['Артём', 'Артем'], ['Тёма']],
  ['Дмитро', ['Дмитрий'], ['Дима']], ['Іван', ['Иван'], ['Ваня']], ['Назар', ['Назар'], []], ['Андрій', ['Андрей'], ['Андрюша']],
  ['Богдан', ['Богдан'], []], ['Михайло', ['Михаил'], ['Миша']], ['Данило', ['Даниил', 'Данила', 'Данило'], ['Даня']],
  ['Владислав', ['Владислав'], ['Влад']], ['Кирило', ['Кирилл', 'Кирил'], []], ['Матвій', ['Матвей'], []], ['Тимофій', ['Тимофей'], ['Тима']],
  ['Денис', ['Денис'], []], ['Євген', ['Евгений'], ['Женя']], ['Ярослав', ['Ярослав'], ['Ярик']], ['Олексій', ['Алексей'], ['Лёша']],
  ['Сергій', ['Сергей'], ['Серёжа']], ['Микола', ['Николай'], ['Коля']], ['Юрій', ['Юрий'], ['Юра']], ['Віктор', ['Виктор'], ['Витя']],
  ['Ілля', ['Илья'], []], ['Роман', ['Роман'], ['Рома']], ['Павло', ['Павел'], ['Паша']], ['Марк', ['Марк'], []], ['Захар', ['Захар'], []],
  ['Єгор', ['Егор'], []], ['Нікіта', ['Никита'], []], ['Давид', ['Давид'], []], ['Тарас', ['Тарас'], []], ['Василь', ['Василий'], ['Вася']],
  ['Петро', ['Пётр', 'Петр'], ['Петя']], ['Арсеній', ['Арсений'], ['Арсюша']], ['Ростислав', ['Ростислав'], ['Ростик']], ['Святослав', ['Святослав'], ['Слава']],
  ['Вадим', ['Вадим'], []], ['Степан', ['Степан'], []], ['Григорій', ['Григорий'], ['Гриша']], ['Федір', ['Фёдор', 'Федор'], ['Федя']],
  ['Олег', ['Олег'], []], ['Ігор', ['Игорь'], []], ['Антон', ['Антон'], []], ['Семен', ['Семён', 'Семен'], ['Сёма']], ['Остап', ['Остап'], []],
  ['Мирослав', ['Мирослав'], []], ['Лев', ['Лев'], ['Лёва']], ['Георгій', ['Георгий'], ['Гоша']], ['Тимур', ['Тимур'], []], ['Всеволод', ['Всеволод'], ['Сева']],
  ['Ілларіон', ['Илларион'], []], ['Зіновій', ['Зиновий'], []], ['Орест', ['Орест'], []], ['Любомир', ['Любомир'], []], ['Радим', ['Радим'], []],
  ['Северин', ['Северин'], []], ['Ярема', ['Ярема', 'Ерёма'], []], ['Устим', ['Устим', 'Устин'], []], ['Гліб', ['Глеб'], []], ['Левко', ['Лев', 'Левко'], []],
];
const GIRLS: Given[] = [
  ['Анастасія', ['Анастасия'], ['Настя']], ['Софія', ['София', 'Софья'], ['Соня']], ['Марія', ['Мария'], ['Маша']], ['Анна', ['Анна'], ['Аня']],
  ['Вікторія', ['Виктория'], ['Вика']], ['Дарина', ['Дарина', 'Дарья'], ['Даша']], ['Поліна', ['Полина'], ['Поля']], ['Єлизавета', ['Елизавета'], ['Лиза']],
  ['Олександра', ['Александра'], ['Саша']], ['Катерина', ['Екатерина'], ['Катя']], ['Юлія', ['Юлия'], ['Юля']], ['Діана', ['Диана'], []],
  ['Ангеліна', ['Ангелина'], ['Геля']], ['Вероніка', ['Вероника'], ['Ника']], ['Злата', ['Злата'], []], ['Мілана', ['Милана'], []],
  ['Соломія', ['Соломия'], []], ['Аліна', ['Алина'], []], ['Ксенія', ['Ксения'], ['Ксюша']], ['Олена', ['Елена'], ['Лена']], ['Ольга', ['Ольга'], ['Оля']],
  ['Тетяна', ['Татьяна'], ['Таня']], ['Наталія', ['Наталья', 'Наталия'], ['Наташа']], ['Ірина', ['Ирина'], ['Ира']], ['Христина', ['Кристина', 'Христина'], []],
  ['Яна', ['Яна'], []], ['Валерія', ['Валерия'], ['Лера']], ['Карина', ['Карина'], []], ['Мирослава', ['Мирослава'], ['Мира']], ['Оксана', ['Оксана'], []],
  ['Євгенія', ['Евгения'], ['Женя']], ['Надія', ['Надежда'], ['Надя']], ['Любов', ['Любовь'], ['Люба']], ['Віра', ['Вера'], []], ['Ганна', ['Анна', 'Ганна'], ['Аня']],
  ['Олеся', ['Олеся'], []], ['Уляна', ['Ульяна'], ['Уля']], ['Кіра', ['Кира'], []], ['Аріна', ['Арина'], []], ['Єва', ['Ева'], []], ['Емілія', ['Эмилия'], []],
  ['Маргарита', ['Маргарита'], ['Рита']], ['Таїсія', ['Таисия'], ['Тая']], ['Стефанія', ['Стефания'], []], ['Ярослава', ['Ярослава'], ['Яся']],
  ['Василина', ['Василина', 'Василиса'], []], ['Зоряна', ['Зоряна'], []], ['Богдана', ['Богдана'], []], ['Лілія', ['Лилия'], ['Лиля']],
  ['Оляна', ['Оляна'], []], ['Орися', ['Орыся', 'Орися'], []], ['Ївга', ['Евгения'], []], ['Мар\u02bcяна', ['Марьяна', 'Марьяна'], []], ['Інна', ['Инна'], []],
];
// Conventional Western forms partner states write (of the Russian usual form).
const CONVENTIONAL: Record<string, string> = {
  Александр: 'Alexander', Мария: 'Maria', София: 'Sophia', Софья: 'Sofia', Дмитрий: 'Dmitry', Евгений: 'Eugene', Юлия: 'Julia',
  Наталья: 'Natalia', Екатерина: 'Katerina', Михаил: 'Michael', Пётр: 'Peter', Павел: 'Paul', Алексей: 'Alexey', Андрей: 'Andrew',
  Елизавета: 'Elizabeth', Виктория: 'Victoria', Анастасия: 'Anastasia', Илья: 'Ilya', Николай: 'Nikolai', Кристина: 'Christina', Елена: 'Helena',
  Даниил: 'Daniel', Давид: 'David', Марк: 'Mark', Ева: 'Eva', Эмилия: 'Emilia', Анна: 'Anna', Ирина: 'Irina', Георгий: 'George',
};

// ---- fathers: [uk patronymic m, f, ru patronymic m, f] ----
const FATHERS: [string, string, string, string][] = [
  ['Олександрович', 'Олександрівна', 'Александрович', 'Александровна'], ['Сергійович', 'Сергіївна', 'Сергеевич', 'Сергеевна'],
  ['Андрійович', 'Андріївна', 'Андреевич', 'Андреевна'], ['Володимирович', 'Володимирівна', 'Владимирович', 'Владимировна'],
  ['Юрійович', 'Юріївна', 'Юрьевич', 'Юрьевна'], ['Олегович', 'Олегівна', 'Олегович', 'Олеговна'], ['Миколайович', 'Миколаївна', 'Николаевич', 'Николаевна'],
  ['Віталійович', 'Віталіївна', 'Витальевич', 'Витальевна'], ['Іванович', 'Іванівна', 'Иванович', 'Ивановна'], ['Васильович', 'Василівна', 'Васильевич', 'Васильевна'],
  ['Петрович', 'Петрівна', 'Петрович', 'Петровна'], ['Вікторович', 'Вікторівна', 'Викторович', 'Викторовна'], ['Дмитрович', 'Дмитрівна', 'Дмитриевич', 'Дмитриевна'],
  ['Ігорович', 'Ігорівна', 'Игоревич', 'Игоревна'], ['Євгенович', 'Євгенівна', 'Евгеньевич', 'Евгеньевна'], ['Олексійович', 'Олексіївна', 'Алексеевич', 'Алексеевна'],
  ['Михайлович', 'Михайлівна', 'Михайлович', 'Михайловна'], ['Анатолійович', 'Анатоліївна', 'Анатольевич', 'Анатольевна'], ['Романович', 'Романівна', 'Романович', 'Романовна'],
  ['Богданович', 'Богданівна', 'Богданович', 'Богдановна'], ['Григорович', 'Григорівна', 'Григорьевич', 'Григорьевна'], ['Федорович', 'Федорівна', 'Фёдорович', 'Фёдоровна'],
  ['Валерійович', 'Валеріївна', 'Валерьевич', 'Валерьевна'], ['Геннадійович', 'Геннадіївна', 'Геннадьевич', 'Геннадьевна'], ['Леонідович', 'Леонідівна', 'Леонидович', 'Леонидовна'],
  ['Павлович', 'Павлівна', 'Павлович', 'Павловна'], ['Ярославович', 'Ярославівна', 'Ярославович', 'Ярославовна'], ['Степанович', 'Степанівна', 'Степанович', 'Степановна'],
  ['Тарасович', 'Тарасівна', 'Тарасович', 'Тарасовна'], ['Русланович', 'Русланівна', 'Русланович', 'Руслановна'], ['Вадимович', 'Вадимівна', 'Вадимович', 'Вадимовна'],
  ['Станіславович', 'Станіславівна', 'Станиславович', 'Станиславовна'], ['Костянтинович', 'Костянтинівна', 'Константинович', 'Константиновна'],
  ['Ілліч', 'Іллівна', 'Ильич', 'Ильинична'], ['Кузьмич', 'Кузьмівна', 'Кузьмич', 'Кузьминична'], ['Артемович', 'Артемівна', 'Артёмович', 'Артёмовна'],
  ['Максимович', 'Максимівна', 'Максимович', 'Максимовна'], ['Денисович', 'Денисівна', 'Денисович', 'Денисовна'], ['Орестович', 'Орестівна', 'Орестович', 'Орестовна'],
  ['Зіновійович', 'Зіновіївна', 'Зиновьевич', 'Зиновьевна'],
];

// ---- places: [Ukrainian, Russian, Russian region, Soviet/Russian-official alternative or ''] ; order = frequency ----
const PLACES: [string, string, string, string][] = [
  ['Маріуполь', 'Мариуполь', 'Донецкая обл.', 'Жданов'], ['Херсон', 'Херсон', 'Херсонская обл.', ''], ['Мелітополь', 'Мелитополь', 'Запорожская обл.', ''],
  ['Бердянськ', 'Бердянск', 'Запорожская обл.', 'Осипенко'], ['Харків', 'Харьков', 'Харьковская обл.', ''], ['Ізюм', 'Изюм', 'Харьковская обл.', ''],
  ['Донецьк', 'Донецк', 'ДНР', 'Сталино'], ['Луганськ', 'Луганск', 'ЛНР', 'Ворошиловград'], ['Сєвєродонецьк', 'Северодонецк', 'ЛНР', ''],
  ['Лисичанськ', 'Лисичанск', 'ЛНР', ''], ['Бахмут', 'Бахмут', 'Донецкая обл.', 'Артёмовск'], ['Нова Каховка', 'Новая Каховка', 'Херсонская обл.', ''],
  ['Енергодар', 'Энергодар', 'Запорожская обл.', ''], ['Куп\u02bcянськ', 'Купянск', 'Харьковская обл.', ''], ['Волноваха', 'Волноваха', 'Донецкая обл.', ''],
  ['Генічеськ', 'Геническ', 'Херсонская обл.', ''], ['Скадовськ', 'Скадовск', 'Херсонская обл.', ''], ['Олешки', 'Алешки', 'Херсонская обл.', 'Цюрупинск'],
  ['Гола Пристань', 'Голая Пристань', 'Херсонская обл.', ''], ['Каховка', 'Каховка', 'Херсонская обл.', ''], ['Токмак', 'Токмак', 'Запорожская обл.', ''],
  ['Пологи', 'Пологи', 'Запорожская обл.', ''], ['Василівка', 'Васильевка', 'Запорожская обл.', ''], ['Старобільськ', 'Старобельск', 'ЛНР', ''],
  ['Рубіжне', 'Рубежное', 'ЛНР', ''], ['Покровськ', 'Покровск', 'Донецкая обл.', 'Красноармейск'], ['Краматорськ', 'Краматорск', 'Донецкая обл.', ''],
  ['Слов\u02bcянськ', 'Славянск', 'Донецкая обл.', ''], ['Вугледар', 'Угледар', 'Донецкая обл.', ''], ['Горлівка', 'Горловка', 'ДНР', ''],
  ['Макіївка', 'Макеевка', 'ДНР', ''], ['Київ', 'Киев', 'Киевская обл.', ''], ['Запоріжжя', 'Запорожье', 'Запорожская обл.', ''],
  ['Миколаїв', 'Николаев', 'Николаевская обл.', ''], ['Чернігів', 'Чернигов', 'Черниговская обл.', ''], ['Суми', 'Сумы', 'Сумская обл.', ''],
  ['Снігурівка', 'Снигирёвка', 'Николаевская обл.', ''], ['Балаклія', 'Балаклея', 'Харьковская обл.', ''], ['Вовчанськ', 'Волчанск', 'Харьковская обл.', ''],
  ['Кремінна', 'Кременная', 'ЛНР', ''], ['Сватове', 'Сватово', 'ЛНР', ''], ['Дніпрорудне', 'Днепрорудное', 'Запорожская обл.', ''],
];

// ---- surnames: a common head (Ukrainian masculine forms) and a generated tail ----
const COMMON = [
  'Мельник', 'Шевченко', 'Бойко', 'Коваленко', 'Бондаренко', 'Ткаченко', 'Кравченко', 'Ковальчук', 'Коваль', 'Олійник', 'Шевчук', 'Поліщук',
  'Лисенко', 'Ткачук', 'Савченко', 'Бондар', 'Марченко', 'Руденко', 'Мороз', 'Мельничук', 'Кравчук', 'Петренко', 'Клименко', 'Павленко',
  'Савчук', 'Кузьменко', 'Левченко', 'Харченко', 'Карпенко', 'Гаврилюк', 'Панченко', 'Приходько', 'Павлюк', 'Гнатюк', 'Сидоренко', 'Романюк',
  'Лук\u02bcяненко', 'Костенко', 'Литвиненко', 'Тимошенко', 'Остапенко', 'Федоренко', 'Гончаренко', 'Кушнір', 'Савицький', 'Мірошниченко',
  'Білоус', 'Сірко', 'Ковальов', 'Білий', 'Лісовий', 'Ліщенко', 'Гребенюк', 'Дідух', 'Яковенко', 'Іваненко', 'Волошин', 'Кіт', 'Головко',
  'Захарченко', 'Вакуленко', 'Собко', 'Нестеренко', 'Зінченко', 'Гуменюк', 'Середа', 'Швець', 'Чорновол', 'Пономаренко', 'Дячук', 'Юрченко',
  'Кривошеєнко', 'Стельмах', 'Бабенко', 'Заїка', 'Ігнатенко', 'Гриценко', 'Тарасенко', 'Мартинюк', 'Онищенко', 'Дем\u02bcяненко', 'Журавель',
  'Іванов', 'Петров', 'Козак', 'Вовк', 'Кисіль', 'Чорний', 'Гордієнко', 'Соловйов', 'Щербина', 'Ярошенко', 'Бережний', 'Пилипенко', 'Вербицький',
  'Городецький', 'Ковалевський', 'Пащенко', 'Мазур', 'Семенюк', 'Гайдамака', 'Фесенко', 'Бровко', 'Сердюк', 'Прокопенко',
];
// Ukrainian → Russian where the letters alone do not tell (ikavism, vowel shifts, official Russian forms).
const SURNAME_RU: Record<string, string> = {
  Кушнір: 'Кушнир', Мірошниченко: 'Мирошниченко', Білоус: 'Белоус', Сірко: 'Серко', Білий: 'Белый', Лісовий: 'Лесовой', Ліщенко: 'Лещенко',
  Дідух: 'Дедух', Кіт: 'Кот', Чорновол: 'Черновол', Чорний: 'Черный', Кисіль: 'Кисель', Вовк: 'Волк', Соловйов: 'Соловьёв', Ковальов: 'Ковалёв',
  Бережний: 'Бережной', Олійник: 'Олейник', Журавель: 'Журавель', Заїка: 'Заика', Кривошеєнко: 'Кривошеенко',
};
const RUSSIAN_SURNAMES = [
  'Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков', 'Алексеев',
  'Лебедев', 'Семёнов', 'Егоров', 'Павлов', 'Козлов', 'Степанов', 'Николаев', 'Орлов', 'Андреев', 'Макаров', 'Никитин', 'Захаров', 'Зайцев',
  'Соловьёв', 'Борисов', 'Яковлев', 'Григорьев', 'Романов', 'Воробьёв', 'Сергеев', 'Кузьмин', 'Фролов', 'Александров', 'Дмитриев', 'Королёв',
  'Гусев', 'Киселёв', 'Ильин', 'Максимов', 'Поляков', 'Сорокин', 'Виноградов', 'Ковалёв', 'Белов', 'Медведев', 'Антонов', 'Тарасов', 'Жуков',
  'Баранов', 'Филиппов', 'Комаров', 'Давыдов', 'Беляев', 'Герасимов', 'Богданов', 'Осипов', 'Сидоров', 'Матвеев', 'Титов', 'Марков', 'Миронов',
  'Крылов', 'Куликов', 'Карпов', 'Власов', 'Мельников', 'Денисов', 'Гаврилов', 'Тихонов', 'Казаков', 'Афанасьев', 'Данилов', 'Савельев',
  'Тимофеев', 'Фомин', 'Чернов', 'Абрамов', 'Мартынов', 'Ефимов', 'Федотов', 'Щербаков', 'Назаров', 'Калинин', 'Исаев', 'Быков', 'Маслов',
  'Родионов', 'Коновалов', 'Лазарев', 'Воронин', 'Климов', 'Филатов', 'Пономарёв', 'Голубев', 'Кудрявцев', 'Прохоров', 'Наумов', 'Потапов',
  'Журавлёв', 'Овчинников', 'Трофимов', 'Леонов', 'Соболев', 'Ермаков', 'Колесников', 'Гончаров', 'Емельянов', 'Никифоров', 'Грачёв', 'Котов',
  'Гришин', 'Ефремов', 'Архипов', 'Громов', 'Кириллов', 'Малышев', 'Панов', 'Моисеев', 'Румянцев', 'Акимов', 'Кондратьев', 'Бирюков', 'Горбунов',
];
const RUSSIAN_FATHERS = FATHERS.filter((f) => !['Тарасович', 'Богданович', 'Ярославович', 'Орестович'].includes(f[0]));

// ---- helpers ----
const pad = (n: number) => String(n).padStart(2, '0');
/** An ISO date, the day clamped to the month's length. */
const isoDate = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(Math.min(d, new Date(Date.UTC(y, m, 0)).getUTCDate()))}`;
const upFirst = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);
/** A Zipf-like pick: rank k (0-based) with weight 1 / (k + 1)^s. */
function zipf<T>(xs: readonly T[], s: number) {
  const w = xs.map((_, k) => 1 / Math.pow(k + 1, s));
  const cum: number[] = [];
  w.reduce((a, b, i) => (cum[i] = a + b), 0);
  const total = cum[cum.length - 1];
  return (r: Rng): T => {
    const x = r.next() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] < x) lo = mid + 1; else hi = mid; }
    return xs[lo];
  };
}
function weighted<T extends string>(r: Rng, w: Record<T, number>): T {
  const entries = Object.entries(w) as [T, number][];
  let x = r.next() * entries.reduce((a, [, v]) => a + v, 0);
  for (const [k, v] of entries) { x -= v; if (x <= 0) return k; }
  return entries[entries.length - 1][0];
}

/** Ukrainian letters → Russian ones, letter by letter (the rest of a russification is in the tables). */
function ukToRuLetters(s: string): string {
  let o = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const lower = c.toLowerCase();
    const up = c !== lower;
    const prev = i > 0 ? s[i - 1].toLowerCase() : '';
    const next = s[i + 1]?.toLowerCase() ?? '';
    let t: string;
    if (lower === 'і') t = 'и';
    else if (lower === 'и') t = 'и';
    else if (lower === 'є') t = i === 0 ? 'е' : 'е';
    else if (lower === 'ї') t = i === 0 ? 'и' : 'и';
    else if (lower === 'ґ') t = 'г';
    else if (lower === 'е') t = i === 0 ? 'э' : 'е';
    else if (lower === 'ь' && next === 'о') t = '';
    else if (lower === 'ь' && prev === 'с' && next === 'к') t = '';
    else if (lower === 'ь' && prev === 'ц' && next === 'к') t = '';
    else if (lower === 'о' && prev === 'ь') t = 'ё';
    else if (lower === 'й' && next === 'о') t = '';
    else if (lower === 'о' && prev === 'й') t = 'ё';
    else if (c === '\u02bc' || c === "'" || c === '’') t = 'ь';
    else t = lower;
    o += up ? t.toUpperCase() : t;
  }
  return o;
}

interface SurnameDef { ukM: string; ukF: string; ruM: string; ruF: string }
function surnameDef(ukM: string): SurnameDef {
  const ruM = SURNAME_RU[ukM] ?? ukToRuLetters(ukM);
  const fem = (s: string, ru: boolean): string => {
    if (/(ський|цький)$/.test(s)) return s.slice(0, -2) + 'а';
    if (/(ский|цкий)$/.test(s)) return s.slice(0, -2) + 'ая';
    if (ru && /(ый|ой)$/.test(s)) return s.slice(0, -2) + 'ая';
    if (!ru && /ий$/.test(s)) return s.slice(0, -2) + 'а';
    if (/(ов|ев|єв|ёв|ин|ін)$/.test(s)) return s + 'а';
    return s;
  };
  return { ukM, ukF: fem(ukM, false), ruM, ruF: fem(ruM, true) };
}
const CONS = ['б', 'в', 'г', 'д', 'з', 'к', 'л', 'м', 'н', 'п', 'р', 'с', 'т', 'х', 'ц', 'ч', 'ш', 'ж', 'ґ', 'щ', 'ф', 'дз'];
const VOW = ['а', 'о', 'у', 'и', 'і', 'е', 'я', 'ю', 'є', 'ї'];
const SUFF = ['енко', 'енко', 'енко', 'ук', 'юк', 'чук', 'ський', 'цький', 'ак', 'як', 'ик', 'ець', 'ич', 'ишин', 'ів', 'ан', 'ко', 'ун', 'ар', 'ій', 'ило', 'ега'];
const consW = zipf(CONS, 0.6);
const vowW = zipf(VOW, 0.9);
function rareSurname(r: Rng): string {
  let s = '';
  const syl = r.chance(0.6) ? 1 : 2;
  for (let k = 0; k < syl; k++) {
    const c = consW(r);
    let v = vowW(r);
    while ('чшщжцґ'.includes(c) && 'яюєї'.includes(v)) v = vowW(r);
    s += c + v;
  }
  if (r.chance(0.4)) s += r.pick(['р', 'л', 'н', 'с', 'в', 'ш', 'т', 'д', 'х']);
  let suf = r.pick(SUFF);
  if (/[аоуиіеяюєї]$/.test(s) && /^[аеиіоуяюєї]/.test(suf)) suf = suf.slice(1) || suf;
  if (suf === 'ій' && !/[аоуиіеяюєї]$/.test(s)) suf = 'ій';
  s = upFirst(s + suf).replace(/ьо/g, 'ьо');
  return s;
}
const commonSurname = zipf(COMMON, 0.9);
const russianSurname = zipf(RUSSIAN_SURNAMES, 0.8);
const boyW = zipf(BOYS, 1.0);
const girlW = zipf(GIRLS, 1.0);
const fatherW = zipf(FATHERS, 0.7);
const placeW = zipf(PLACES, 0.8);

// ---- romanisation (own tables) ----
type Table = Record<string, string>;
const BASE_RU: Table = { а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'i', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: 'ie', ы: 'y', ь: '', э: 'e', ю: 'iu', я: 'ia' };
const SCHEMES: Record<string, Table> = {
  // Russian passports since 2013 (ICAO Doc 9303).
  ICAO: BASE_RU,
  // Russian passports 2006–2010 (GOST R 52535.1-2006).
  GOST52535: { ...BASE_RU, ц: 'tc', ъ: '', ё: 'e' },
  BGN: { ...BASE_RU, й: 'y', ю: 'yu', я: 'ya', ё: 'ë', ъ: '"', ь: "'", э: 'e' },
  GOST779B: { ...BASE_RU, ж: 'zh', х: 'x', ц: 'cz', щ: 'shh', й: 'j', ы: "y'", э: "e'", ю: 'yu', я: 'ya', ё: 'yo', ь: '`', ъ: '``' },
  GOST16876: { ...BASE_RU, х: 'kh', ц: 'c', щ: 'shh', й: 'jj', ю: 'ju', я: 'ja', ё: 'jo', э: 'eh', ъ: "''", ь: "'" },
  ISO9: { ...BASE_RU, ж: 'ž', х: 'h', ц: 'c', ч: 'č', ш: 'š', щ: 'ŝ', й: 'j', ю: 'û', я: 'â', ё: 'ë', э: 'è', ь: 'ʹ', ъ: 'ʺ' },
  FRENCH: { ...BASE_RU, ж: 'j', у: 'ou', х: 'kh', ч: 'tch', ш: 'ch', щ: 'chtch', й: 'ï', ю: 'iou', я: 'ia', ё: 'io', ы: 'y', э: 'e' },
  GERMAN: { ...BASE_RU, в: 'w', ж: 'sh', з: 's', х: 'ch', ц: 'z', ч: 'tsch', ш: 'sch', щ: 'schtsch', й: 'j', ю: 'ju', я: 'ja', ё: 'jo', ы: 'y', э: 'e' },
  POLISH: { ...BASE_RU, в: 'w', ж: 'ż', х: 'ch', ц: 'c', ч: 'cz', ш: 'sz', щ: 'szcz', й: 'j', ю: 'ju', я: 'ja', ё: 'jo', ы: 'y', э: 'e', л: 'ł' },
  CZECH: { ...BASE_RU, ж: 'ž', х: 'ch', ц: 'c', ч: 'č', ш: 'š', щ: 'šč', й: 'j', ю: 'ju', я: 'ja', ё: 'jo', ы: 'y', э: 'e' },
};
const VOWELS_RU = 'аеёиоуыэюяіїє';
function romaniseRu(text: string, scheme: string): string {
  const t = SCHEMES[scheme];
  return text.split(/(\s+|-)/).map((word) => {
    let o = '';
    const w = word.toLowerCase();
    for (let i = 0; i < w.length; i++) {
      const c = w[i];
      const prev = i > 0 ? w[i - 1] : '';
      const next = w[i + 1] ?? '';
      const between = !!prev && !!next && VOWELS_RU.includes(prev) && VOWELS_RU.includes(next);
      const initialOrAfterVowel = i === 0 || VOWELS_RU.includes(prev) || prev === 'ь' || prev === 'ъ';
      let x = t[c] ?? c;
      if (scheme === 'BGN' && c === 'е' && initialOrAfterVowel) x = 'ye';
      if (scheme === 'BGN' && c === 'ё') x = initialOrAfterVowel ? 'yë' : 'ë';
      if ((scheme === 'GERMAN' || scheme === 'POLISH' || scheme === 'CZECH') && c === 'е' && initialOrAfterVowel) x = 'je';
      if (scheme === 'GERMAN' && c === 'с' && between) x = 'ss';
      if (scheme === 'FRENCH' && c === 'с' && between) x = 'ss';
      if (scheme === 'FRENCH' && c === 'й' && !VOWELS_RU.includes(prev)) x = 'i';
      if (scheme === 'FRENCH' && c === 'г' && 'еиэ'.includes(next)) x = 'gu';
      if (scheme === 'FRENCH' && c === 'е' && i === w.length - 1) x = 'ie';
      if (scheme === 'POLISH' && c === 'л' && 'ьеёюяи'.includes(next)) x = 'l';
      if (scheme === 'POLISH' && c === 'и' && 'жшцч'.includes(prev)) x = 'y';
      if (scheme === 'POLISH' && (c === 'ю' || c === 'я' || c === 'ё') && prev && !VOWELS_RU.includes(prev) && prev !== 'ь' && prev !== 'ъ') x = 'i' + x.slice(1);
      if (scheme === 'POLISH' && c === 'ь') x = next && !VOWELS_RU.includes(next) ? 'ś'.slice(0, 0) + '' : '';
      o += x;
    }
    // Word-final -ий / -ый in Western usage: Dmitri, Dmitrij, Dmitriy.
    if (scheme === 'FRENCH' || scheme === 'GERMAN') o = o.replace(/ii$|ij$|iï$/, 'i').replace(/yi$/, 'y');
    return o ? upFirst(o) : word;
  }).join('');
}
/** Ukrainian national transliteration (Cabinet of Ministers resolution 55, 2010), of the Ukrainian spelling. */
const UA: Table = { а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'ie', ж: 'zh', з: 'z', и: 'y', і: 'i', ї: 'i', й: 'i', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ь: '', ю: 'iu', я: 'ia' };
const UA_INITIAL: Table = { є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' };
/** German (Duden) and Polish renderings of Ukrainian spelling, as those states' registries write Ukrainian documents. */
const UA_DE: Table = { ...UA, в: 'w', г: 'h', є: 'je', ж: 'sh', з: 's', и: 'y', ї: 'ji', й: 'j', х: 'ch', ц: 'z', ч: 'tsch', ш: 'sch', щ: 'schtsch', ю: 'ju', я: 'ja' };
const UA_PL: Table = { ...UA, в: 'w', г: 'h', є: 'je', ж: 'ż', и: 'y', ї: 'ji', й: 'j', х: 'ch', ц: 'c', ч: 'cz', ш: 'sz', щ: 'szcz', ю: 'ju', я: 'ja', л: 'ł' };
function romaniseUk(text: string, scheme: 'UA_NATIONAL' | 'UA_GERMAN' | 'UA_POLISH'): string {
  const t = scheme === 'UA_NATIONAL' ? UA : scheme === 'UA_GERMAN' ? UA_DE : UA_PL;
  return text.split(/(\s+|-)/).map((word) => {
    let o = '';
    const w = word.toLowerCase().replace(/[\u02bc'’]/g, '');
    for (let i = 0; i < w.length; i++) {
      const c = w[i];
      let x = t[c] ?? c;
      if (scheme === 'UA_NATIONAL' && i === 0 && UA_INITIAL[c]) x = UA_INITIAL[c];
      if (scheme === 'UA_NATIONAL' && c === 'г' && w[i - 1] === 'з') x = 'gh';
      if (scheme === 'UA_POLISH' && c === 'л' && 'ьєюяі'.includes(w[i + 1] ?? '')) x = 'l';
      if (scheme === 'UA_POLISH' && (c === 'ю' || c === 'я' || c === 'є') && i > 0 && !'аеєиіїоуюяь'.includes(w[i - 1])) x = 'i' + x.slice(1);
      o += x;
    }
    return o ? upFirst(o) : word;
  }).join('');
}

// ---- typos ----
const CYR_CONFUSE: [string, string][] = [['о', 'а'], ['е', 'и'], ['и', 'ы'], ['е', 'ё'], ['ш', 'щ'], ['и', 'й'], ['с', 'з'], ['т', 'д'], ['л', 'н'], ['в', 'ф'], ['ц', 'ч'], ['ь', ''], ['и', 'і']];
const LAT_CONFUSE: [string, string][] = [['i', 'y'], ['y', 'j'], ['k', 'c'], ['ia', 'ya'], ['e', 'ie'], ['s', 'z'], ['ch', 'h'], ['o', 'a'], ['u', 'ou'], ['kh', 'h']];
function typo(word: string, r: Rng): string {
  if (word.length < 3) return word;
  const latin = /[a-z]/i.test(word);
  const kind = r.int(0, 4);
  const i = r.int(1, word.length - 2);
  if (kind === 0) return word.slice(0, i) + word.slice(i + 1); // dropped letter
  if (kind === 1) return word.slice(0, i) + word[i] + word.slice(i); // doubled letter
  if (kind === 2) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2); // transposition
  // by ear: unstressed vowels (akanye), voicing, look-alikes
  const pairs = (latin ? LAT_CONFUSE : CYR_CONFUSE).flatMap(([a, b]) => [[a, b], [b, a]] as [string, string][]).filter(([a]) => a && word.slice(1).toLowerCase().includes(a));
  if (!pairs.length) return word.slice(0, i) + word.slice(i + 1);
  const [a, b] = r.pick(pairs);
  const at = word.toLowerCase().indexOf(a, 1);
  return word.slice(0, at) + b + word.slice(at + a.length);
}

interface BlindChild extends GenChild { givenIndex: Given; surname: SurnameDef; placeRow: [string, string, string, string] }

/** The blind world: `children` reported children, `traces` traces (most of children nobody reported). */
export function generateBlind(seed: number, children: number, traces: number) {
  const r = rng(seed ^ 0x5bd1e995);
  const people: BlindChild[] = [];
  let family = 0;
  const totalPeople = Math.max(children, Math.round(traces / 1.25));
  while (people.length < totalPeople) {
    family++;
    const size = weighted(r, { 1: 52, 2: 22, 3: 13, 4: 7, 5: 4, 6: 2 } as Record<string, number>);
    let sur = surnameDef(r.chance(0.45) ? commonSurname(r) : rareSurname(r));
    let father = fatherW(r);
    const placeRow = placeW(r);
    let year = r.int(2007, 2022);
    let date = isoDate(year, r.int(1, 12), r.int(1, 31));
    const used = new Set<string>();
    for (let k = 0; k < Number(size) && people.length < totalPeople; k++) {
      const sex: Sex = r.chance(0.51) ? 'MALE' : 'FEMALE';
      let g = sex === 'MALE' ? boyW(r) : girlW(r);
      while (used.has(g[0])) g = sex === 'MALE' ? boyW(r) : girlW(r);
      used.add(g[0]);
      if (k > 0) {
        // Twins share the birth date (about 1 in 12 sibling pairs here: twins are over-represented among removed groups).
        if (!r.chance(0.08)) {
          year -= r.int(1, 3);
          date = isoDate(year, r.int(1, 12), r.int(1, 31));
        }
        // Half-siblings: another father (and sometimes his surname).
        if (r.chance(0.1)) { father = fatherW(r); if (r.chance(0.5)) sur = surnameDef(r.chance(0.45) ? commonSurname(r) : rareSurname(r)); }
      }
      const s = sur;
      const surname: Surname = { uk: (x) => (x === 'MALE' ? s.ukM : s.ukF), ru: (x) => (x === 'MALE' ? s.ruM : s.ruF) };
      people.push({
        key: people.length, id: r.uuid(), family, sex, givenUk: g[0], givenRu: g[1][0], familyName: surname, patronymic: father,
        birth: date, place: [placeRow[0], placeRow[1]], reported: false, givenIndex: g, surname: s, placeRow,
      });
    }
  }

  // Reports (Ukrainian side): mostly exact dates; a few typos by whoever filled the form.
  const order = people.map((p) => p.key).sort(() => r.next() - 0.5);
  for (const k of order.slice(0, children)) people[k].reported = true;
  const reportTypo = new Set<number>();
  const reported: ReportedRow[] = people.filter((p) => p.reported).map((p) => {
    const precision = weighted(r, { EXACT: 82, MONTH: 6, YEAR: 12 });
    let familyName = p.familyName.uk(p.sex);
    let givenName = p.givenUk;
    if (r.chance(0.02)) { reportTypo.add(p.key); if (r.chance(0.6)) familyName = typo(familyName, r); else givenName = typo(givenName, r); }
    return {
      id: p.id, givenName, familyName, patronymic: r.chance(0.85) ? p.patronymic[p.sex === 'MALE' ? 0 : 1] : null,
      birthDate: precision === 'EXACT' ? p.birth : precision === 'MONTH' ? `${p.birth.slice(0, 7)}-01` : `${p.birth.slice(0, 4)}-01-01`,
      birthDatePrecision: precision, sex: p.sex, placeOfBirth: r.chance(0.75) ? p.place[0] : null,
    };
  });

  const out: TraceRow[] = [];
  const reportedPeople = people.filter((p) => p.reported);
  const others = people.filter((p) => !p.reported);
  for (const p of reportedPeople) {
    const n = r.chance(0.4) ? 0 : r.chance(0.65) ? 1 : r.int(2, 4);
    for (let i = 0; i < n && out.length < traces; i++) out.push(blindTrace(p, r, out.length, reportTypo.has(p.key)));
  }
  while (out.length < traces) out.push(blindTrace(others.length ? r.pick(others) : r.pick(people), r, out.length, false));
  // Shuffle so that the import order says nothing.
  for (let i = out.length - 1; i > 0; i--) { const j = Math.floor(r.next() * (i + 1)); [out[i], out[j]] = [out[j], out[i]]; }
  return { people: people as GenChild[], reported, traces: out };
}

type Source = BlindDistortion['source'];
const PROFILE: Record<Source, {
  latin: number; ukrainian: number; adoptive: number; renamed: number; diminutive: number; variant: number; familyTypo: number; givenTypo: number;
  patronymic: number; sex: number; place: number; upper: number; swapNames: number; noFamily: number;
  birth: Record<string, number>;
}> = {
  REGISTRY: { latin: 0, ukrainian: 0.02, adoptive: 0.35, renamed: 0.05, diminutive: 0, variant: 0.3, familyTypo: 0.03, givenTypo: 0.02, patronymic: 0.9, sex: 0.97, place: 0.7, upper: 0.1, swapNames: 0, noFamily: 0,
    birth: { EXACT: 86, SWAPPED: 2, DAY_SHIFTED: 3, YEAR_SHIFTED: 2, JAN1: 2, MONTH_ONLY: 1, YEAR_ONLY: 2, MISSING: 2 } },
  INSTITUTION: { latin: 0, ukrainian: 0.05, adoptive: 0.04, renamed: 0, diminutive: 0.05, variant: 0.35, familyTypo: 0.08, givenTypo: 0.05, patronymic: 0.6, sex: 0.8, place: 0.45, upper: 0.3, swapNames: 0.01, noFamily: 0,
    birth: { EXACT: 64, SWAPPED: 6, DAY_SHIFTED: 4, YEAR_SHIFTED: 5, JAN1: 5, MONTH_ONLY: 3, YEAR_ONLY: 9, MISSING: 4 } },
  MEDIA: { latin: 0.05, ukrainian: 0.15, adoptive: 0.1, renamed: 0.02, diminutive: 0.25, variant: 0.3, familyTypo: 0.05, givenTypo: 0.03, patronymic: 0.08, sex: 0.6, place: 0.3, upper: 0, swapNames: 0, noFamily: 0.08,
    birth: { EXACT: 15, AGE: 45, MISSING: 40 } },
  OMBUDSPERSON: { latin: 0, ukrainian: 0.12, adoptive: 0.1, renamed: 0.02, diminutive: 0, variant: 0.3, familyTypo: 0.04, givenTypo: 0.03, patronymic: 0.7, sex: 0.9, place: 0.6, upper: 0.15, swapNames: 0.005, noFamily: 0,
    birth: { EXACT: 74, SWAPPED: 3, YEAR_SHIFTED: 3, JAN1: 2, YEAR_ONLY: 11, MISSING: 7 } },
  PARTNER: { latin: 0.92, ukrainian: 0.35, adoptive: 0.08, renamed: 0.02, diminutive: 0, variant: 0.3, familyTypo: 0.05, givenTypo: 0.04, patronymic: 0.15, sex: 0.9, place: 0.5, upper: 0.4, swapNames: 0.03, noFamily: 0,
    birth: { EXACT: 74, SWAPPED: 8, DAY_SHIFTED: 2, YEAR_SHIFTED: 3, YEAR_ONLY: 7, MISSING: 6 } },
};
const RU_SCHEMES = { ICAO: 35, GOST52535: 8, BGN: 12, GOST779B: 3, GOST16876: 3, ISO9: 3, FRENCH: 10, GERMAN: 10, POLISH: 8, CZECH: 4, ENGLISH: 8 };
const UK_SCHEMES = { UA_NATIONAL: 75, UA_GERMAN: 13, UA_POLISH: 12 };

function blindTrace(p: BlindChild, r: Rng, n: number, reportTypo: boolean): TraceRow {
  const source = weighted<Source>(r, { REGISTRY: 25, INSTITUTION: 30, MEDIA: 15, OMBUDSPERSON: 12, PARTNER: 18 });
  const pr = PROFILE[source];
  const male = p.sex === 'MALE';
  const latin = r.chance(pr.latin);
  const ukrainian = r.chance(pr.ukrainian);
  const adoptive = r.chance(pr.adoptive);
  // Names in the trace's language (Cyrillic for now).
  let givenForm: BlindDistortion['givenForm'] = 'STANDARD';
  let given: string;
  const [gUk, gRu, gDim] = p.givenIndex;
  if (adoptive && r.chance(pr.renamed)) { given = (male ? boyW(r) : girlW(r))[1][0]; givenForm = 'RENAMED'; }
  else if (ukrainian) given = gUk;
  else if (gDim.length && r.chance(pr.diminutive)) { given = r.pick(gDim); givenForm = 'DIMINUTIVE'; }
  else if (gRu.length > 1 && r.chance(pr.variant)) { given = r.pick(gRu.slice(1)); givenForm = 'VARIANT'; }
  else given = gRu[0];
  let family: string | null;
  if (adoptive) { const a = russianSurname(r); family = male ? a : `${a}а`; }
  else family = ukrainian ? p.surname[male ? 'ukM' : 'ukF'] : p.surname[male ? 'ruM' : 'ruF'];
  // Russian registries often drop ё, or write it.
  if (!ukrainian && r.chance(0.5)) { given = given.replace(/ё/g, 'е'); family = family.replace(/ё/g, 'е'); }
  let patronymic: string | null = null;
  let patronymicAdoptive = false;
  if (r.chance(pr.patronymic)) {
    if (adoptive && source === 'REGISTRY' && r.chance(0.5)) { const f = RUSSIAN_FATHERS[r.int(0, RUSSIAN_FATHERS.length - 1)]; patronymic = male ? f[2] : f[3]; patronymicAdoptive = true; }
    else patronymic = ukrainian ? p.patronymic[male ? 0 : 1] : p.patronymic[male ? 2 : 3];
  }
  let familyMissing = false;
  if (r.chance(pr.noFamily)) { family = null; familyMissing = true; }
  // Romanisation.
  let scheme: string | null = null;
  if (latin) {
    if (ukrainian) {
      scheme = weighted(r, UK_SCHEMES);
      const s = scheme as 'UA_NATIONAL' | 'UA_GERMAN' | 'UA_POLISH';
      given = romaniseUk(given, s);
      // An adoptive surname is Russian: the Russian passport's ICAO form.
      family = family && (adoptive ? romaniseRu(family, 'ICAO') : romaniseUk(family, s));
      patronymic = patronymic && romaniseUk(patronymic, s);
    } else {
      scheme = weighted(r, RU_SCHEMES);
      const s = scheme === 'ENGLISH' ? 'BGN' : scheme;
      // English conventional: the Western form of the given name where there is one, BGN otherwise.
      if (scheme === 'ENGLISH' && CONVENTIONAL[given.replace(/е/g, 'е')] && givenForm === 'STANDARD') { given = CONVENTIONAL[given]; givenForm = 'CONVENTIONAL'; }
      else given = romaniseRu(given, s);
      family = family && romaniseRu(family, s);
      patronymic = patronymic && romaniseRu(patronymic, s);
    }
  }
  // Backticks and double quotes (GOST 7.79-B, BGN, GOST 16876 signs) become apostrophes, as data entry keeps them.
  const clean = (x: string) => x.replace(/[`"]+/g, "'").replace(/'+/g, "'");
  given = clean(given);
  family = family && clean(family);
  patronymic = patronymic && clean(patronymic);
  const familyTypo = !!family && r.chance(pr.familyTypo);
  if (familyTypo) family = typo(family!, r);
  const givenTypo = r.chance(pr.givenTypo);
  if (givenTypo) given = typo(given, r);
  const uppercase = r.chance(pr.upper);
  if (uppercase && family) family = family.toUpperCase();
  if (uppercase && latin) { given = given.toUpperCase(); patronymic = patronymic && patronymic.toUpperCase(); }
  const namesSwapped = !!family && r.chance(pr.swapNames);
  if (namesSwapped) [given, family] = [family!, given];

  // Birth date.
  const [y, m, d] = p.birth.split('-').map(Number);
  let kind = weighted(r, pr.birth);
  let birthDate: string | null;
  let birth: TraceDistortion['birth'];
  let birthDetail = kind;
  switch (kind) {
    case 'SWAPPED':
      if (d <= 12 && d !== m) { birthDate = `${y}-${pad(d)}-${pad(m)}`; birth = 'SWAPPED'; }
      else { birthDate = p.birth; birth = 'EXACT'; birthDetail = 'EXACT'; }
      break;
    case 'DAY_SHIFTED': {
      const dt = new Date(Date.UTC(y, m - 1, d + (r.chance(0.5) ? 1 : -1) * r.int(1, 3)));
      birthDate = dt.toISOString().slice(0, 10); birth = 'DAY_SHIFTED'; break;
    }
    case 'YEAR_SHIFTED': birthDate = isoDate(y + (r.chance(0.5) ? 1 : -1), m, d); birth = 'YEAR_SHIFTED'; break;
    // Unknown date written as 1 January (a placeholder that looks exact): no day or month information.
    case 'JAN1': birthDate = `${y}-01-01`; birth = 'YEAR_ONLY'; break;
    case 'MONTH_ONLY': birthDate = `${y}-${pad(m)}`; birth = 'YEAR_ONLY'; break;
    case 'YEAR_ONLY': birthDate = `${y}`; birth = 'YEAR_ONLY'; break;
    // An age in a post ("a 12-year-old"), turned into a year at the post date: one year off about half the time.
    case 'AGE': {
      const off = r.chance(0.45) ? -1 : 0;
      birthDate = `${y + off}`; birth = off ? 'YEAR_SHIFTED' : 'YEAR_ONLY'; birthDetail = off ? 'AGE_YEAR_OFF' : 'AGE';
      break;
    }
    case 'MISSING': birthDate = null; birth = 'MISSING'; break;
    default: birthDate = p.birth; birth = 'EXACT'; kind = 'EXACT';
  }

  // Place of birth.
  let placeOfBirth: string | null = null;
  const hasPlace = r.chance(pr.place);
  if (hasPlace) {
    const [pUk, pRu, region, soviet] = p.placeRow;
    if (latin) placeOfBirth = ukrainian ? romaniseUk(pUk, 'UA_NATIONAL') : romaniseRu(pRu, scheme === 'ENGLISH' || !scheme ? 'BGN' : scheme);
    else if (ukrainian) placeOfBirth = pUk;
    else {
      const form = weighted(r, { plain: 50, town: 20, region: 20, soviet: soviet ? 10 : 0 });
      placeOfBirth = form === 'town' ? `г. ${pRu}` : form === 'region' ? `${pRu}, ${region}` : form === 'soviet' ? soviet : pRu;
    }
  }
  const hasSex = r.chance(pr.sex);
  const how: BlindDistortion = {
    russian: !ukrainian, scheme, adoptive, familyTypo, givenTypo, patronymic: patronymic !== null, birth, sex: hasSex, place: hasPlace,
    source, givenForm, birthDetail, patronymicAdoptive, namesSwapped, uppercase, familyMissing, reportTypo,
  };
  return {
    externalId: `blind-${n}`, givenName: given, familyName: family, patronymic, sex: hasSex ? p.sex : null, birthDate, placeOfBirth,
    foundAt: weighted(r, { 'Ростов-на-Дону': 3, Москва: 3, Таганрог: 2, Краснодар: 2, 'Евпатория': 1, Анапа: 1, Новосибирск: 1, Тюмень: 1 }),
    foundCountry: source === 'PARTNER' ? r.pick(['DE', 'PL', 'FR', 'CZ', 'BY', 'GE']) : 'RU', truth: p.key, how,
  };
}
