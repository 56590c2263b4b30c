import { bestReading, isSurnameInitial, recordVariants, swappedNames, surnameInitialSql, F_FAMILY, F_GIVEN, BIRTH_DIFFERENT, BIRTH_MONTH_YEAR_SHIFTED, BIRTH_OTHER_DAY, BIRTH_NEAR_DAY, BIRTH_NEAR_YEAR, BIRTH_SAME_MONTH, BIRTH_SAME_YEAR, BIRTH_YEAR_SHIFTED, birthLevel, birthLevelFrequencies, compare, F_BIRTH, FAMILY_DIFFERENT, FAMILY_SIMILAR, FIELDS, GIVEN_PARTIAL, nameVariant, parsePartialDate, placeSkeleton, sexOfPatronymic, surnameParts, type Person } from '../../../src/identification/compare';
import { isSiblingPattern, mayBeLikely } from '../../../src/identification/fellegiSunter';
import { jaroWinkler } from '../../../src/identification/jaroWinkler';
import { NameKeys } from '../../../src/identification/names';
import { moreNameRows } from '../../../migrations/1764900002701-GivenNamesMore';
import { nameFormRows } from '../../../migrations/1764900002801-GivenNameForms';
import { SurnameInitialIndex1764900003101 } from '../../../migrations/1764900003101-SurnameInitialIndex';
import { latinSchemeOf, looseKey, patronymicStem, readInScheme, skeleton, spellingKey, unconfuse } from '../../../src/identification/skeleton';

const same = (...spellings: string[]) => {
  const skels = spellings.map(skeleton);
  expect(new Set(skels).size).toBe(1);
};
/** One skeleton and one spelling key. */
const both = (...spellings: string[]) => {
  same(...spellings);
  expect(new Set(spellings.map(spellingKey)).size).toBe(1);
};

describe('skeleton', () => {
  test('Ukrainian, Russian and the romanisation schemes share one skeleton', () => {
    same('Гнатюк', 'Hnatiuk', 'Gnatyuk', 'Gnatiouk');
    same('Баженов', 'Bazhenov', 'Bajenov');
    same('Сергей', 'Sergey', 'Sergei', 'Sergej', 'Sergueï');
    same('Кузнецов', 'Kuznetsov', 'Kuznetcov');
    same('Савицька', 'Савицкая', 'Savytska', 'Savitskaya', 'Savitskaia');
    same('Олександр', 'Александр', 'Oleksandr', 'Aleksandr', 'Alexandr');
    same('Шевченко', 'Shevchenko', 'Chevtchenko', 'Ševčenko');
    same('Жанна', 'Zhanna');
    same('Олена', 'Olena', 'Alena');
    same('Елена', 'Yelena', 'Elena', 'Ielena');
    same('Яна', 'Yana', 'Iana');
    same('Юлія', 'Юлия', 'Yuliia', 'Iouliia', 'Yuliya');
    same('Щербак', 'Shcherbak', 'Chtcherbak', 'Scherbak');
    same('Коваленко', 'Kovalenko', 'Kowalenko');
    same('Харченко', 'Kharchenko', 'Harchenko');
    same('Василь', 'Vasyl', 'Vassil');
  });

  test('two Cyrillic consonants never read as one Latin sequence, in any scheme', () => {
    // Through a Latin spelling first, з+г was "zh", ц+ч "tsch", с+ч "sch": the Cyrillic form missed its romanisations.
    both('Нуцчук', 'Nutschuk', 'Noutstchouk', 'Nutcchuk');
    both('Розгон', 'Rozgon', 'Rozghon');
    both('Бесчасний', 'Beschasnyi', 'Bestchasny');
    both('Лужков', 'Luzhkov', 'Loujkov');
    both('Кацко', 'Katcko', 'Katsko');
    expect(skeleton('Нузгук')).not.toBe(skeleton('Нужук'));
  });

  test('capitals, Latin look-alike letters in a Cyrillic word and Cyrillic ones in a Latin word change nothing', () => {
    both('Шевченко', 'ШЕВЧЕНКО', 'SHEVCHENKO', 'Шeвченкo');
    // Latin C, i, p, o, a inside Cyrillic words; Cyrillic о and а inside Latin ones.
    both('Софія', 'Cофия', 'Софiя', 'Sоfiia', 'Sofiia');
    both('Марк', 'Маpк', 'МAРК');
    both('Панченко', 'ПAНЧЕНКО', 'Pаnchenko');
    expect(unconfuse('Cофия')).toBe('софия');
    expect(unconfuse('Sоfiia')).toBe('sofiia');
    // A word whose letters of both scripts have no look-alike is left as written.
    expect(unconfuse('Jуля')).toBe('jуля');
  });

  test('Polish and German spellings of Ukrainian and Russian names', () => {
    both('Шевченко', 'Szewczenko', 'Schewtschenko');
    both('Щербак', 'Szczerbak', 'Schtscherbak');
    both('Михайло', 'Mychajło', 'Mykhailo');
    both('Жук', 'Żuk', 'Zhuk', 'Jouk');
    both('Олена', 'Ołena', 'Olena');
    // ch is х in a German or Polish word (w, ł, ż, cz), ч elsewhere.
    both('Харків', 'Charkiw', 'Kharkiv');
    both('Чорновол', 'Tschornowol', 'Czornowoł', 'Chornovol');
    // j is й where French ж cannot be: German and Polish words, a final -ija, Ju- at the start.
    both('Євген', 'Jewhen', 'Yevhen');
    both('Ковальчук', 'Kowalczuk', 'Kovalchuk');
    both('Юрій', 'Jurij', 'Yurii', 'Iouri');
    both('Марія', 'Marija', 'Mariya');
    // French ж stays: before a vowel at the start, between vowels, before a consonant.
    both('Лужков', 'Loujkov', 'Luzhkov');
    both('Лижан', 'Lijan', 'Lyzhan');
    both('Мажська', 'Majskaia', 'Mazhska');
    both('Шецшук', 'Chetschouk', 'Shetsshuk');
    same('Жанна', 'Jeanna', 'Zhanna');
    // Where French and German read a j differently, French (a scheme Russian records use) wins: Bojko is Божко.
    expect(skeleton('Bojko')).toBe(skeleton('Божко'));
  });

  test('a j after a consonant, or in a final -Vja, is й without any other German or Czech sign; an initial dj is дж', () => {
    same('Тетяна', 'Татьяна', 'Tatjana', 'Tatiana');
    same('Наталія', 'Наталья', 'Natalja', 'Natalia');
    same('Людмила', 'Ljudmila', 'Lyudmila');
    same('Костянтин', 'Kostjantyn', 'Kostiantyn');
    same('Дарья', 'Darja', 'Daria');
    same('Надя', 'Nadja', 'Nadia');
    same('Дегуцкая', 'Degutskaja', 'Degutskaia');
    same('Майя', 'Maja', 'Maia');
    same('Джамал', 'Djamal', 'Dzhamal');
    expect(skeleton('Tatjana')).not.toBe(skeleton('Тетжана'));
  });

  test('passport romanisations: Ukrainian of 1996–2010, Russian of 2010–2013 and since 2014', () => {
    same('Олександр', 'Olexandr', 'Oleksandr');
    same('Юрій', 'Yuriy', 'Iurii');
    same('Єременко', 'Yeremenko', 'Ieremenko');
    // Russian 2010–2013: й y, ц tc; since 2014 (ICAO): й i, ц ts, ъ ie.
    same('Андрей', 'Andrey', 'Andrei');
    same('Кузнецова', 'Kuznetcova', 'Kuznetsova');
    same('Подъячев', 'Podieiachev', 'Podyachev');
    same('Семён', 'Semen', 'Semyon', 'Семен');
  });

  test('different names keep different skeletons', () => {
    expect(skeleton('Коваленко')).not.toBe(skeleton('Коваль'));
    expect(skeleton('Марія')).not.toBe(skeleton('Марина'));
    expect(skeleton('Іван')).not.toBe(skeleton('Ірина'));
    expect(skeleton('Анна')).not.toBe(skeleton('Яна'));
    expect(skeleton('Олена')).not.toBe(skeleton('Уляна'));
  });

  test('a patronymic stem is the father\'s name, in either language', () => {
    expect(patronymicStem('Федорівна')).toBe(patronymicStem('Федоровна'));
    expect(patronymicStem('Fedorovich')).toBe(patronymicStem('Федорович'));
    expect(patronymicStem('Олександрович')).toBe(patronymicStem('Aleksandrovich'));
  });
});

describe('given-name keys from the equivalence table', () => {
  const keys = new NameKeys([
    { name: 'Микола', canonical: 'Микола' }, { name: 'Николай', canonical: 'Микола' },
    { name: 'Ганна', canonical: 'Ганна' }, { name: 'Анна', canonical: 'Ганна' },
    { name: 'Павло', canonical: 'Павло' }, { name: 'Павел', canonical: 'Павло' },
  ]);

  test('Ukrainian and Russian forms, in any script, share a key', () => {
    expect(keys.givenKey('Николай')).toBe(keys.givenKey('Микола'));
    expect(keys.givenKey('Nikolay')).toBe(keys.givenKey('Mykola'));
    expect(keys.givenKey('Anna')).toBe(keys.givenKey('Ганна'));
    expect(keys.givenKey('Павел')).toBe(keys.givenKey('Pavlo'));
    expect(keys.givenKey('Іван')).not.toBe(keys.givenKey('Микола'));
  });

  test('patronymics made from equivalent names share a key', () => {
    expect(keys.patronymicKey('Миколайович')).toBe(keys.patronymicKey('Николаевич'));
    expect(keys.patronymicKey('Павлівна')).toBe(keys.patronymicKey('Pavlovna'));
    expect(keys.patronymicKey('Миколаївна')).not.toBe(keys.patronymicKey('Павлівна'));
  });

  test('a skeleton shared by two names of the table (Евгений / Євгенія) is told apart by its spelling key', () => {
    // The table's order as seeded: the man's name first, the woman's later (with the skeleton alone it won).
    const k = new NameKeys([
      { name: 'Євген', canonical: 'Євген' }, { name: 'Евгений', canonical: 'Євген' },
      { name: 'Євгенія', canonical: 'Євгенія' }, { name: 'Евгения', canonical: 'Євгенія' },
      { name: 'Аліна', canonical: 'Аліна' }, { name: 'Алина', canonical: 'Аліна' },
      { name: 'Олена', canonical: 'Олена' }, { name: 'Елена', canonical: 'Олена' }, { name: 'Алена', canonical: 'Олена' },
    ]);
    for (const n of ['Евгений', 'Evgenii', 'Yevgeniy', 'Evgueni']) expect([n, k.givenKey(n)]).toEqual([n, k.givenKey('Євген')]);
    for (const n of ['Евгения', 'Evgeniia', 'Yevgeniya', 'Євгенія']) expect([n, k.givenKey(n)]).toEqual([n, k.givenKey('Євгенія')]);
    expect(k.givenKey('Євген')).not.toBe(k.givenKey('Євгенія'));
    expect(k.givenKey('Алина')).toBe(k.givenKey('Аліна'));
    expect(k.givenKey('Алена')).toBe(k.givenKey('Олена'));
    expect(k.givenKey('Alena')).toBe(k.givenKey('Олена'));
    // Аліна and Олена share the skeleton `alana` as names too: two names, not one.
    expect(k.givenKey('Аліна')).not.toBe(k.givenKey('Олена'));
    expect(k.givenKey('Alina')).not.toBe(k.givenKey('Alyona'));
  });

  test('two names of one skeleton compare as two names, not EXACT; a spelling the table lacks keeps the skeleton', () => {
    const k = new NameKeys([
      { name: 'Аліна', canonical: 'Аліна' }, { name: 'Алина', canonical: 'Аліна' },
      { name: 'Олена', canonical: 'Олена' }, { name: 'Елена', canonical: 'Олена' }, { name: 'Алена', canonical: 'Олена' },
    ]);
    const given = (a: string, b: string) => compare(
      { id: 'c', variants: [nameVariant(k, a, 'Щербина', null)], sex: null, birth: null, birthText: null, placeOfBirth: null, placeSkel: '' },
      { id: 't', variants: [nameVariant(k, b, 'Щербина', null)], sex: null, birth: null, birthText: null, placeOfBirth: null, placeSkel: '' },
    ).levels[F_GIVEN];
    expect(skeleton('Олена')).toBe(skeleton('Алина'));
    expect(given('Олена', 'Алина')).toBe(GIVEN_PARTIAL);
    expect(given('Аліна', 'Alena')).toBe(GIVEN_PARTIAL);
    expect(given('Олена', 'Olena')).toBe(0);
    expect(given('Аліна', 'Алина')).toBe(0);
    expect(given('Олена', 'Елена')).toBe(1);
    // Not a spelling of the table: the skeleton's word stands (EXACT), as before.
    expect(given('Олена', 'Oliena')).toBe(0);
  });

  test('names whose canonical forms share a skeleton are keyed apart, each with its forms', () => {
    const k = new NameKeys([
      { name: 'Мирон', canonical: 'Мирон' }, { name: "Мар'ян", canonical: "Мар'ян" }, { name: 'Марьян', canonical: "Мар'ян" },
      { name: 'Олеся', canonical: 'Олеся' }, { name: 'Аліса', canonical: 'Аліса' }, { name: 'Алиса', canonical: 'Аліса' },
      { name: 'Марина', canonical: 'Марина' }, { name: "Мар'яна", canonical: "Мар'яна" }, { name: 'Марьяна', canonical: "Мар'яна" },
    ]);
    expect(k.givenKey('Мирон')).not.toBe(k.givenKey("Мар'ян"));
    expect(k.givenKey('Maryan')).toBe(k.givenKey("Мар'ян"));
    expect(k.givenKey('Myron')).toBe(k.givenKey('Мирон'));
    expect(k.givenKey('Олеся')).not.toBe(k.givenKey('Аліса'));
    expect(k.givenKey('Alisa')).toBe(k.givenKey('Аліса'));
    expect(k.givenKey('Марина')).not.toBe(k.givenKey('Марьяна'));
    expect(k.givenKey('Mariana')).toBe(k.givenKey("Мар'яна"));
  });

  test('names outside the table meet their Russian forms by the loose key; typos of table names do not', () => {
    expect(looseKey(skeleton('Омелян'))).toBe(looseKey(skeleton('Емельян')));
    expect(looseKey(skeleton('Хома'))).toBe(looseKey(skeleton('Фома')));
    expect(looseKey(skeleton('Зосим'))).toBe(looseKey(skeleton('Зосима')));
    expect(looseKey(skeleton('Самійло'))).toBe(looseKey(skeleton('Samuil')));
    expect(looseKey(skeleton('Текля'))).not.toBe(looseKey(skeleton('Фекла')));
    const k = new NameKeys([
      { name: 'Єфрем', canonical: 'Єфрем' }, { name: 'Ефрем', canonical: 'Єфрем' }, { name: 'Федір', canonical: 'Федір' }, { name: 'Федор', canonical: 'Федір' },
      { name: 'Олег', canonical: 'Олег' }, { name: 'Ольга', canonical: 'Ольга' },
    ]);
    // Both outside the table: one loose key, marked as no table name's.
    expect(k.givenKey('Самійло')).toBe(k.givenKey('Самуил'));
    expect(k.givenKey('Самійло').startsWith('~')).toBe(true);
    // One in the table: the other is a form of it.
    expect(k.givenKey('Охрім')).toBe(k.givenKey('Ефрем'));
    expect(k.givenKey('Хведір')).toBe(k.givenKey('Fedor'));
    // A typo of a table name is not folded into another (Оелг is Олег mistyped; its loose key is Ольга's).
    expect(k.givenKey('Оелг')).not.toBe(k.givenKey('Ольга'));
    // One letter from the very name its loose key finds: keyed as it (Юстина / Устина).
    const u = new NameKeys([{ name: 'Устина', canonical: 'Устина' }, { name: 'Устинья', canonical: 'Устина' }]);
    expect(u.givenKey('Юстина')).toBe(u.givenKey('Устинья'));
    const p = (given: string): Person => ({ id: given, variants: [nameVariant(k, given, 'Бойко', null)], sex: null, birth: null, birthText: null, placeOfBirth: null, placeSkel: '' });
    expect(compare(p('Самійло'), p('Самуил')).levels[0]).toBe(1);
    expect(compare(p('Охрім'), p('Ефрем')).levels[0]).toBe(1);
    expect(compare(p('Олег'), p('Ольга')).levels[0]).toBeGreaterThan(2);
  });

  test('the names added to the table find their Russian forms; Оксана is no Ксенія', () => {
    const k = new NameKeys([
      // From the first table: Ксенія and the keys the new rows add forms to.
      { name: 'Ксенія', canonical: 'Ксенія' }, { name: 'Ксения', canonical: 'Ксенія' }, { name: 'Владислав', canonical: 'Владислав' },
      { name: 'Гнат', canonical: 'Гнат' }, { name: 'Дарина', canonical: 'Дарина' },
      ...moreNameRows().map(([name, canonical]) => ({ name, canonical })),
    ]);
    const pairs = [['Трохим', 'Трофим'], ['Омелян', 'Емельян'], ['Хома', 'Фома'], ['Юхим', 'Ефим'], ['Овсій', 'Евсей'], ['Опанас', 'Афанасий'],
      ['Йосип', 'Иосиф'], ['Гордій', 'Гордей'], ['Яким', 'Аким'], ['Ярема', 'Еремей'], ['Устим', 'Устин'], ['Фросина', 'Ефросинья'],
      ['Євдокія', 'Евдокия'], ['Євдокія', 'Явдоха'], ['Любов', 'Любовь'], ['Стефанія', 'Стефания'], ['Трохим', 'Trofim'], ['Омелян', 'Yemelyan'],
      ['Владислав', 'Влад'], ['Гнат', 'Ігнат'], ['Дарина', 'Одарка']];
    for (const [uk, ru] of pairs) expect([uk, ru, k.givenKey(ru)]).toEqual([uk, ru, k.givenKey(uk)]);
    expect(k.givenKey('Оксана')).not.toBe(k.givenKey('Ксения'));
    expect(k.patronymicKey('Трохимович')).toBe(k.patronymicKey('Трофимович'));
  });

  test('short and Western forms find their name; a name that has them keeps its own key and its patronymics', () => {
    const canonicals = [...new Set(nameFormRows().map((r) => r[1]))];
    const table = [
      ...canonicals.map((c) => ({ name: c, canonical: c, language: 'uk' })),
      { name: 'Анна', canonical: 'Ганна', language: 'ru' }, { name: 'Николай', canonical: 'Микола', language: 'ru' },
      ...nameFormRows().map(([name, canonical, language]) => ({ name, canonical, language })),
    ];
    const k = new NameKeys(table);
    const pairs = [['Микола', 'Коля'], ['Микола', 'Kolya'], ['Анастасія', 'Настя'], ['Анастасія', 'Nastia'], ['Олексій', 'Лёша'], ['Олексій', 'Alyosha'],
      ['Катерина', 'Катя'], ['Катерина', 'Katarzyna'], ['Катерина', 'Catherine'], ['Андрій', 'Andrew'], ['Єлизавета', 'Elizabeth'],
      ['Дмитро', 'Дима'], ['Михайло', 'Миша'], ['Марія', 'Маша'], ['Ганна', 'Анюта'], ['Вікторія', 'Вика'], ['Олександр', 'Сашко']];
    for (const [name, form] of pairs) expect([name, form, k.givenKey(form)]).toEqual([name, form, k.givenKey(name)]);
    // Маша and Миша share a skeleton: told apart by the spelling key.
    expect(k.givenKey('Маша')).not.toBe(k.givenKey('Миша'));
    // Every canonical name is still its own key, and no short form lends its stem to a patronymic.
    for (const c of canonicals) expect(k.givenKey(c)).toBe(new NameKeys(canonicals.map((x) => ({ name: x, canonical: x }))).givenKey(c));
    expect(k.patronymicKey('Миколайович')).toBe(k.patronymicKey('Николаевич'));
    expect(k.patronymicKey('Пашович')).not.toBe(k.givenKey('Павло'));
  });

  test('a short form of a boy\'s and a girl\'s name is the one the sex says, in any romanisation; without a sex, neither', () => {
    const k = new NameKeys(['Олександр', 'Олександра', 'Валентин', 'Валентина', 'Жанна'].map((n) => ({ name: n, canonical: n })));
    for (const form of ['Саша', 'Sasha', 'Sacha', 'Sascha', 'Шура', 'Choura']) {
      expect([form, k.givenKeyOfSex(form, skeleton(form), 'MALE')]).toEqual([form, k.givenKey('Олександр')]);
      expect([form, k.givenKeyOfSex(form, skeleton(form), 'FEMALE')]).toEqual([form, k.givenKey('Олександра')]);
      expect(k.givenKeyOfSex(form, skeleton(form), null)).not.toBe(k.givenKey('Олександр'));
      expect(k.givenKeyOfSex(form, skeleton(form), null)).not.toBe(k.givenKey('Олександра'));
    }
    expect(k.givenKeyOfSex('Walja', skeleton('Walja'), 'FEMALE')).toBe(k.givenKey('Валентина'));
    // Jeanna (French Жанна) stays Жанна whatever the sex.
    expect(k.givenKeyOfSex('Jeanna', skeleton('Jeanna'), 'FEMALE')).toBe(k.givenKey('Жанна'));
  });

  test('a given name whose j the skeleton reads as French ж takes the name of the table it is with й', () => {
    const k = new NameKeys([{ name: 'Ярослав', canonical: 'Ярослав' }, { name: 'Єгор', canonical: 'Єгор' }, { name: 'Жанна', canonical: 'Жанна' }]);
    expect(k.givenKey('Jaroslav')).toBe(k.givenKey('Ярослав'));
    expect(k.givenKey('Jegor')).toBe(k.givenKey('Єгор'));
    expect(k.givenKey('Jeanna')).toBe(k.givenKey('Жанна'));
  });
});

describe('birth dates', () => {
  const d = (s: string) => parsePartialDate(s);
  test('levels: exact, swapped, days apart, same month, same year, a year off, different, missing', () => {
    expect(birthLevel(d('2014-03-11'), d('2014-03-11'))).toBe(0);
    expect(birthLevel(d('2014-03-11'), d('2014-11-03'))).toBe(1);
    expect(birthLevel(d('2014-03-11'), d('2014-03-14'))).toBe(BIRTH_NEAR_DAY);
    // Days apart across a month's and a year's end.
    expect(birthLevel(d('2014-02-27'), d('2014-03-01'))).toBe(BIRTH_NEAR_DAY);
    expect(birthLevel(d('2014-12-31'), d('2015-01-02'))).toBe(BIRTH_NEAR_DAY);
    // Both days known and apart: a disagreement on the day, not the agreement a month-precise date shows.
    expect(birthLevel(d('2014-03-11'), d('2014-03-20'))).toBe(BIRTH_OTHER_DAY);
    expect(birthLevel(d('2014-03'), d('2014-03-20'))).toBe(BIRTH_SAME_MONTH);
    expect(birthLevel(d('2014-03-11'), d('2014'))).toBe(BIRTH_SAME_YEAR);
    // A date known to the month against a full date with day and month swapped (12 November read as 11 December).
    expect(birthLevel(d('2016-11'), d('2016-12-11'))).toBe(BIRTH_SAME_YEAR);
    expect(birthLevel(d('2016-12-11'), d('2016-11'))).toBe(BIRTH_SAME_YEAR);
    expect(birthLevel(d('2016-11'), d('2016-12-13'))).toBe(BIRTH_DIFFERENT);
    expect(birthLevel(d('2014-03-11'), d('2015-03-11'))).toBe(BIRTH_YEAR_SHIFTED);
    expect(birthLevel(d('2014-03'), d('2015-03-11'))).toBe(BIRTH_MONTH_YEAR_SHIFTED);
    expect(birthLevel(d('2014-03-11'), d('2015'))).toBe(BIRTH_NEAR_YEAR);
    expect(birthLevel(d('2014-03-11'), d('2015-04-11'))).toBe(BIRTH_DIFFERENT);
    expect(birthLevel(d('2014-03-11'), d('2015-03-12'))).toBe(BIRTH_DIFFERENT);
    expect(birthLevel(d('2014-03-11'), d('2017-03-11'))).toBe(BIRTH_DIFFERENT);
    expect(birthLevel(d('2014-03-11'), null)).toBe(-1);
  });

  test('1 January against another date of the year is a year-only placeholder', () => {
    expect(birthLevel(d('2022-09-27'), d('2022-01-01'))).toBe(BIRTH_SAME_YEAR);
    expect(birthLevel(d('2022-01-01'), d('2022-09-27'))).toBe(BIRTH_SAME_YEAR);
    expect(birthLevel(d('2022-09'), d('2022-01-01'))).toBe(BIRTH_SAME_YEAR);
    expect(birthLevel(d('2021-09-27'), d('2022-01-01'))).toBe(BIRTH_NEAR_YEAR);
    expect(birthLevel(d('2022-01-01'), d('2022-01-01'))).toBe(0);
    expect(birthLevel(d('2019-09-27'), d('2022-01-01'))).toBe(BIRTH_DIFFERENT);
  });

  test('u of the birth date counted from the dates\' frequencies equals the level shares over every pair', () => {
    // A small world with every precision, swaps, a year off and missing dates; compared pair by pair.
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const date = () => {
      const k = rnd(10);
      if (k === 0) return null;
      const y = 2010 + rnd(4);
      const m = 1 + rnd(4);
      if (k === 1) return { y, m: null, d: null };
      if (k === 2) return { y, m, d: null };
      return { y, m, d: 1 + rnd(5) };
    };
    const cs = Array.from({ length: 300 }, date);
    const ts = Array.from({ length: 400 }, date);
    const counts = new Array<number>(FIELDS[F_BIRTH].levels.length).fill(0);
    let total = 0;
    for (const a of cs) for (const b of ts) {
      if (!a || !b || Math.abs(a.y - b.y) > 1) continue;
      counts[birthLevel(a, b)]++;
      total++;
    }
    const u = birthLevelFrequencies(cs, ts)!;
    expect(counts.filter((n) => n > 0)).toHaveLength(counts.length);
    u.forEach((x, l) => expect(x).toBeCloseTo((counts[l] + 1) / (total + counts.length), 12));
    expect(birthLevelFrequencies([null], ts)).toBeNull();
  });
});

test('Jaro-Winkler', () => {
  expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
  expect(jaroWinkler('abc', 'abc')).toBe(1);
  expect(jaroWinkler('abc', 'xyz')).toBe(0);
});

describe('surname spelling keys', () => {
  test('Ukrainian, Russian and romanised spellings of one surname share a spelling key', () => {
    const one = (...xs: string[]) => expect(new Set(xs.map(spellingKey)).size).toBe(1);
    one('Олійник', 'Олийнык', 'Oliinyk', 'Oliynyk');
    one('Савицька', 'Савицкая', 'Savytska', 'Savitskaya', 'Savitskaia');
    one('Гнатюк', 'Hnatiuk', 'Gnatyuk', 'Gnatiouk');
    one('Шевченко', 'Shevchenko', 'Chevtchenko', 'Ševčenko');
    one('Поліщук', 'Полищук', 'Polishchuk', 'Polichtchouk');
    one('Євтушенко', 'Евтушенко', 'Yevtushenko', 'Ievtouchenko');
  });

  test('surnames that only share a skeleton keep different spelling keys', () => {
    expect(skeleton('Мугук')).toBe(skeleton('Мігак'));
    expect(spellingKey('Мугук')).not.toBe(spellingKey('Мігак'));
    expect(spellingKey('Молюк')).not.toBe(spellingKey('Мулюк'));
    expect(spellingKey('Яременко')).not.toBe(spellingKey('Аременко'));
  });

  const ivan = new NameKeys([{ name: 'Іван', canonical: 'Іван' }]);
  const p = (family: string): Person => ({ id: 'x', variants: [nameVariant(ivan, 'Іван', family, null)], sex: null, birth: null, birthText: null, placeOfBirth: null, placeSkel: '' });
  const family = (a: string, b: string) => compare(p(a), p(b)).levels[1];

  test('a double-barrelled surname against one of its parts agrees (SKELETON), against another surname not', () => {
    expect(surnameParts('Коваленко-Сидоренко')).toEqual(['Коваленко', 'Сидоренко']);
    expect(surnameParts('Kovalenko - Sydorenko')).toEqual(['Kovalenko', 'Sydorenko']);
    expect(surnameParts('Коваленко')).toEqual([]);
    // More parts than a double-barrelled surname has: a list, not parts (no variant per word).
    expect(surnameParts('Коваленко-Сидоренко-Петренко')).toHaveLength(3);
    expect(surnameParts('Коваленко Сидоренко Петренко Мельник')).toEqual([]);
    expect(family('Коваленко-Сидоренко', 'Сидоренко')).toBe(1);
    expect(family('Kovalenko', 'Коваленко-Сидоренко')).toBe(1);
    expect(family('Коваленко-Сидоренко', 'Бондаренко')).toBe(FAMILY_DIFFERENT);
  });

  test('a typo that merges two vowel runs is still one edit on the typo key: SIMILAR', () => {
    // On the spelling key these are two edits (xobazenko / xozenko, xevak / xvek): the typo key keeps them one.
    expect(family('Чобазенко', 'Choazenko')).toBe(2);
    expect(family('Шевак', 'Швеак')).toBe(2);
    expect(family('Рачюк', 'Rachyuk')).toBe(0);
    // Two surnames apart by more than a letter stay apart.
    expect(family('Чобазенко', 'Чорнобаєнко')).toBeGreaterThan(2);
    expect(family('Шевак', 'Шулік')).toBeGreaterThan(2);
  });

  test('a letter dropped from a short surname, or mistyped as its neighbour, is one typo: SIMILAR', () => {
    // Four letters left of five: asking five of both missed them.
    expect(family('Сітак', 'Стак')).toBe(2);
    expect(family('Кацчук', 'Кацчк')).toBe(2);
    // A doubled letter from a typo (Кооаль): collapsed, it was two edits from Коваль.
    expect(family('Коваль', 'Кооаль')).toBe(2);
    // Two surnames two edits apart are no typo.
    expect(family('Бутак', 'Бутко')).toBeGreaterThan(FAMILY_SIMILAR);
  });
});

describe('given-name typos', () => {
  const keys = new NameKeys([
    { name: 'Антон', canonical: 'Антон' }, { name: 'Степан', canonical: 'Степан' },
    { name: 'Віра', canonical: 'Віра' }, { name: 'Вера', canonical: 'Віра' }, { name: 'Кіра', canonical: 'Кіра' },
    { name: 'Данило', canonical: 'Данило' }, { name: 'Даниил', canonical: 'Данило' },
  ]);
  const v = (given: string) => nameVariant(keys, given, 'Мельник', null);
  const child = (given: string): Person => ({ id: 'c', variants: [v(given)], sex: null, birth: null, birthText: null, placeOfBirth: null, placeSkel: '' });

  test('a misspelt name is one letter from a form of the name; a name of the table is no typo of another', () => {
    expect(keys.typoOf('Актон')).toEqual([keys.givenKey('Антон')]);
    expect(keys.typoOf('Стпеан')).toEqual([keys.givenKey('Степан')]);
    expect(keys.typoOf('Днаиил')).toEqual([keys.givenKey('Данило')]);
    expect(keys.typoOf('Кіра')).toEqual([]);
    expect(keys.typoOf('Віра')).toEqual([]);
  });

  test('levels: a typo is SIMILAR, a sibling\'s lookalike name is not', () => {
    expect(compare(child('Антон'), child('Актон')).levels[0]).toBe(2);
    expect(compare(child('Віра'), child('Кіра')).levels[0]).toBeGreaterThanOrEqual(GIVEN_PARTIAL);
  });

  test('a typo that merges two vowel runs is one edit on the typo key: still a typo of the name', () => {
    // On the skeleton these are two edits (Данило `danala` / Даниео `dana`); the typo key keeps vowels letter by letter.
    expect(keys.typoOfName('Даниео', skeleton('Даниео'))).toEqual([keys.givenKey('Данило')]);
    expect(compare(child('Данило'), child('Даниео')).levels[0]).toBe(2);
    // A name of the table is still no typo of another, and a name two letters off is none.
    expect(keys.typoOfName('Кіра', skeleton('Кіра'))).toEqual([]);
    expect(keys.typoOfName('Дамиео', skeleton('Дамиео'))).toEqual([]);
  });

  test('a typo whose skeleton is another name of the table is still a typo of its own name, not that name', () => {
    const withDiana = new NameKeys([
      { name: 'Данило', canonical: 'Данило' }, { name: 'Діана', canonical: 'Діана' }, { name: 'Назар', canonical: 'Назар' },
      { name: 'Василина', canonical: 'Василина' }, { name: 'Василь', canonical: 'Василь' }, { name: 'Василий', canonical: 'Василь' },
    ]);
    const w = (given: string): Person => ({ id: 'c', variants: [nameVariant(withDiana, given, 'Мельник', null)], sex: null, birth: null, birthText: null, placeOfBirth: null, placeSkel: '' });
    // Даниео has the skeleton of Діана (`dana`), Василиа that of Василий: taken for those names they were a sibling's.
    expect(skeleton('Даниео')).toBe(skeleton('Діана'));
    expect(compare(w('Данило'), w('Даниео')).levels[0]).toBe(2);
    expect(compare(w('Василина'), w('Василиа')).levels[0]).toBe(2);
    // A letter mistyped as its neighbour leaves a double (Наар), two edits from Назар once collapsed.
    expect(compare(w('Назар'), w('Наар')).levels[0]).toBe(2);
    // The names of the table themselves are no typos of each other: Діана is no Данило.
    expect(withDiana.typoOfName('Діана', skeleton('Діана'))).toEqual([]);
    expect(compare(w('Данило'), w('Діана')).levels[0]).toBeGreaterThanOrEqual(GIVEN_PARTIAL);
    expect(withDiana.typoOfName('Diana', skeleton('Diana'))).toEqual([]);
  });
});

describe('given and family name written the wrong way round', () => {
  const keys = new NameKeys([
    { name: 'Олександр', canonical: 'Олександр' }, { name: 'Александр', canonical: 'Олександр' }, { name: 'Іван', canonical: 'Іван' },
    { name: 'Роман', canonical: 'Роман' }, { name: 'Мартин', canonical: 'Мартин' }, { name: 'Тетяна', canonical: 'Тетяна' },
    { name: 'Олександра', canonical: 'Олександра' }, { name: 'Валерія', canonical: 'Валерія' },
    { name: 'Лізонька', canonical: 'Єлизавета', language: 'uk-short' },
  ]);
  const person = (variants: ReturnType<typeof nameVariant>[]): Person => ({ id: 'x', variants, sex: null, birth: null, birthText: null, placeOfBirth: null, placeSkel: '' });

  test('a family field that is a given name, beside a given field that is none, reads as swapped', () => {
    expect(swappedNames(keys, 'Kovalenko', 'Oleksandr')).toBe(true);
    expect(swappedNames(keys, 'КОВАЛЕНКО', 'Александр')).toBe(true);
    // A German j is й (Tatjana), as when it is a given name.
    expect(swappedNames(keys, 'Bojko', 'Tatjana')).toBe(true);
    // A short form of a boy's and a girl's name is a given name too.
    expect(swappedNames(keys, 'Гаврилюк', 'Саша')).toBe(true);
    // A surname with a short form's skeleton (Лазенко / Лізонька, `lazanka`) is no given name: its vowels are not.
    expect(swappedNames(keys, 'ЛАЗЕНКО', 'ВАЛЕРІЯ')).toBe(true);
    expect(swappedNames(keys, 'Lazenko', 'Valeriia')).toBe(true);
    expect(swappedNames(keys, 'Лізонька', 'Валерія')).toBe(false);
  });

  test('a surname that is also a given name, in the right order, is not misread; nor a name without the other', () => {
    expect(swappedNames(keys, 'Ivan', 'Martyn')).toBe(false);
    expect(swappedNames(keys, 'Іван', 'Роман')).toBe(false);
    // Both fields given names: nothing says which is which.
    expect(swappedNames(keys, 'Roman', 'Ivan')).toBe(false);
    expect(swappedNames(keys, 'Oleksandr', 'Kovalenko')).toBe(false);
    expect(swappedNames(keys, null, 'Oleksandr')).toBe(false);
    expect(swappedNames(keys, 'Kovalenko', ' ')).toBe(false);
    expect(recordVariants(keys, 'Ivan', 'Roman', null)).toHaveLength(1);
  });

  test('a swapped trace is compared on its swapped reading, which agrees; the straight reading wins a straight child', () => {
    const trace = person(recordVariants(keys, 'Kovalenko', 'Oleksandr', null));
    expect(trace.variants.map((v) => [v.givenName, v.familyName, !!v.swapped])).toEqual([['Kovalenko', 'Oleksandr', false], ['Oleksandr', 'Kovalenko', true]]);
    const child = person([nameVariant(keys, 'Олександр', 'Коваленко', null)]);
    const c = compare(child, trace);
    expect([c.levels[0], c.levels[1]]).toEqual([0, 0]);
    expect(c.traceVariant.swapped).toBe(true);
    expect(bestReading(child.variants, trace.variants)).toBe(1);
    // A trace read straight keeps its straight reading when both agree as well (a tie).
    const straight = person(recordVariants(keys, 'Kovalenko', 'Oleksandr', null));
    const namesake = person([nameVariant(keys, 'Kovalenko', 'Oleksandr', null)]);
    expect(compare(namesake, straight).traceVariant.swapped).toBeFalsy();
  });
});

describe('a record read in its scheme', () => {
  const read = (g: string | null, f: string | null, p: string | null) => {
    const scheme = latinSchemeOf(g, f, p);
    return { scheme, keys: [g, f, p].map((x) => skeleton(readInScheme(x, scheme))) };
  };

  test('a German record (w or sch in the surname or patronymic): j is й, ch is х, z is ц, s between vowels is з', () => {
    expect(read('Michail', 'Jaroschenko', 'Olegowitsch')).toEqual({ scheme: 'GERMAN', keys: [skeleton('Михаил'), skeleton('Ярошенко'), skeleton('Олегович')] });
    expect(read('Jana', 'Sawizkaja', null).keys).toEqual([skeleton('Яна'), skeleton('Савицкая'), '']);
    expect(read('Lisa', 'Chmara', 'Iwanowna').keys.slice(0, 2)).toEqual([skeleton('Лиза'), skeleton('Хмара')]);
    // Alone, the same words read as French and English spell them (ж, ч): the record decides.
    expect(skeleton('Jaroschenko')).not.toBe(skeleton('Ярошенко'));
    expect(skeleton('Michail')).not.toBe(skeleton('Михаил'));
  });

  test('a Polish or Czech mark anywhere makes the record Slavic; a Western given name with a w does not make it German', () => {
    expect(read('Roman', 'Olejnik', 'Wiktorowicz')).toMatchObject({ scheme: 'SLAVIC', keys: [skeleton('Роман'), skeleton('Олейник'), expect.any(String)] });
    expect(read('Jaroslav', 'Chomenko', 'Petrovič').keys.slice(0, 2)).toEqual([skeleton('Ярослав'), skeleton('Хоменко')]);
    expect(read('Andrew', 'Kozlov', null).scheme).toBeNull();
    expect(read('Andrew', 'Kozlov', null).keys[1]).toBe(skeleton('Козлов'));
    // French and English records are left as they are (Jeanna is Жанна, Tchaikovski's ch is ч).
    expect(read('Jeanna', 'Tchaikovskaia', null)).toEqual({ scheme: null, keys: [skeleton('Jeanna'), skeleton('Tchaikovskaia'), ''] });
    // Cyrillic fields are never rewritten.
    expect(readInScheme('Жанна', 'GERMAN')).toBe('Жанна');
  });

  test('a GOST 7.79-B record (shh, or an x that is no кс): x is х, shh щ, cz ц, j й; Alex-, Max-, Xenia keep their кс', () => {
    expect(read('Aleksandr', 'Glushhenko', 'Mixajlovich')).toEqual({ scheme: 'GOST779', keys: [skeleton('Александр'), skeleton('Глущенко'), skeleton('Михайлович')] });
    expect(read('Mixail', 'Marchenko', null).keys.slice(0, 2)).toEqual([skeleton('Михаил'), skeleton('Марченко')]);
    expect(read('Maxim', 'Zaxarchenko', null)).toMatchObject({ scheme: 'GOST779', keys: [skeleton('Максим'), skeleton('Захарченко'), ''] });
    // cz without shh or x is Polish ч, as before.
    expect(read('Darya', 'Czybulya', 'Sergeevna').scheme).toBe('SLAVIC');
    expect(read('Oksana', 'Czybulya', 'Shhurovna').keys[1]).toBe(skeleton('Цибуля'));
    // English-style x is кс: not GOST.
    for (const [g, f] of [['Alexandr', 'Marchenko'], ['Olexandr', 'Kovalenko'], ['Xenia', 'Petrenko'], ['Maxym', 'Lysenko'], ['Felix', 'Kravets']]) {
      expect([g, f, read(g, f, null).scheme]).toEqual([g, f, null]);
    }
    expect(skeleton('Mixail')).not.toBe(skeleton('Михаил'));
  });

  test('the values shown stay as written', () => {
    const names = new NameKeys([{ name: 'Михайло', canonical: 'Михайло' }, { name: 'Михаил', canonical: 'Михайло' }]);
    const [v] = recordVariants(names, 'Michail', 'JAROSCHENKO', 'Olegowitsch');
    expect(v.givenKey).toBe(names.givenKey('Михаил'));
    expect([v.givenName, v.familyName, v.patronymic]).toEqual(['Michail', 'JAROSCHENKO', 'Olegowitsch']);
    expect(v.familySkel).toBe(skeleton('Ярошенко'));
  });
});

describe('places and sex', () => {
  test('"м.", "г.", "с." are dropped before Cyrillic place names too', () => {
    expect(placeSkeleton('м. Луганськ')).toBe(placeSkeleton('г. Луганск'));
    expect(placeSkeleton('с. Чорнобаївка')).toBe(placeSkeleton('Чернобаевка'));
    expect(placeSkeleton('Смоленск')).not.toBe(placeSkeleton('Ленск'));
  });

  test('a town\'s former name, in any script, is the town today', () => {
    expect(placeSkeleton('г. Днепропетровск')).toBe(placeSkeleton('м. Дніпро'));
    expect(placeSkeleton('Zhdanov')).toBe(placeSkeleton('Маріуполь'));
    expect(placeSkeleton('Артёмовск, Донецкая обл.')).toBe(placeSkeleton('Бахмут'));
    expect(placeSkeleton('Krasnyy Luch')).toBe(placeSkeleton('Хрустальний'));
    expect(placeSkeleton('Ворошиловград')).toBe(placeSkeleton('Luhansk'));
    // Two towns' former names stay two towns, and a town never renamed keeps its own name.
    expect(placeSkeleton('Комсомольск')).not.toBe(placeSkeleton('Комсомольское'));
    expect(placeSkeleton('Краматорск')).toBe(placeSkeleton('Краматорськ'));
    expect(placeSkeleton('Краматорск')).not.toBe(placeSkeleton('Бахмут'));
  });

  test('a patronymic shows the sex', () => {
    expect(sexOfPatronymic('Богданович')).toBe('MALE');
    expect(sexOfPatronymic('Igorevitch')).toBe('MALE');
    expect(sexOfPatronymic('Богданівна')).toBe('FEMALE');
    expect(sexOfPatronymic('Anatolyevna')).toBe('FEMALE');
    expect(sexOfPatronymic('Петров')).toBeNull();
  });
});

describe('who may be LIKELY', () => {
  // given, family, patronymic, birth, sex, place
  const lv = (...l: number[]) => Int8Array.from(l);
  test('a renamed child: surname differs, given name, birth day and patronymic or place agree', () => {
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, 0, 0, 0, -1))).toBe(true);
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, -1, 1, -1, 0))).toBe(true);
    // Only the given name and the birth day: a namesake as likely as a renamed child, for a person to weigh.
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, -1, 0, 0, -1))).toBe(false);
    // The same day and month a year off still shows the birth day; a year-only ±1 does not.
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, 0, BIRTH_YEAR_SHIFTED, 0, 0))).toBe(true);
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, 0, BIRTH_NEAR_YEAR, 0, 0))).toBe(false);
  });
  test('a renamed child known to the month on one side needs the month, the patronymic and the place', () => {
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, 0, BIRTH_SAME_MONTH, 0, 0))).toBe(true);
    expect(mayBeLikely(lv(1, FAMILY_DIFFERENT, 0, BIRTH_SAME_MONTH, -1, 1))).toBe(true);
    // The patronymic or the place alone, or a year only, or a month a year off: for a person to weigh.
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, 0, BIRTH_SAME_MONTH, 0, -1))).toBe(false);
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, -1, BIRTH_SAME_MONTH, 0, 0))).toBe(false);
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, 1, BIRTH_SAME_MONTH, 0, 0))).toBe(false);
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, 0, BIRTH_SAME_YEAR, 0, 0))).toBe(false);
    expect(mayBeLikely(lv(0, FAMILY_DIFFERENT, 0, BIRTH_MONTH_YEAR_SHIFTED, 0, 0))).toBe(false);
    // A sibling under another surname still differs in the given name.
    expect(mayBeLikely(lv(GIVEN_PARTIAL, FAMILY_DIFFERENT, 0, BIRTH_SAME_MONTH, 0, 0))).toBe(false);
  });
  test('a sibling (given names differ, surname agrees) never is', () => {
    expect(mayBeLikely(lv(GIVEN_PARTIAL, 0, 0, 0, 0, 0))).toBe(false);
    expect(isSiblingPattern(lv(GIVEN_PARTIAL, 0, 0, 0, 0, 0))).toBe(true);
  });
});

describe('a surname written as its initial', () => {
  const keys = new NameKeys([{ name: 'Олександр', canonical: 'Олександр' }, { name: 'Александр', canonical: 'Олександр' }]);
  const family = (child: string, trace: string) => compare(
    { id: 'c', variants: [nameVariant(keys, 'Олександр', child, null)], sex: null, birth: null, birthText: null, placeOfBirth: null, placeSkel: '' },
    { id: 't', variants: [nameVariant(keys, 'Александр', trace, null)], sex: null, birth: null, birthText: null, placeOfBirth: null, placeSkel: '' },
  ).levels[F_FAMILY];

  test('one letter (a dot or not) or a romanisation\'s letters with a dot; not a short surname', () => {
    for (const s of ['М.', 'K', 'Sh.', 'Shch.', 'Ya.', 'Дж.']) expect([s, isSurnameInitial(s)]).toEqual([s, true]);
    for (const s of ['Ус', 'Кім', 'Sh', 'Петров', 'A. B.', '']) expect([s, isSurnameInitial(s)]).toEqual([s, false]);
  });

  test('agrees (no level: weighed beside the model) on the first letter in any script; a Cyrillic initial that differs is another surname, a Latin one weighs nothing', () => {
    expect(family('Мельник', 'М.')).toBe(-1);
    expect(family('Мельник', 'M')).toBe(-1);
    expect(family('Шевченко', 'Sh.')).toBe(-1);
    expect(family('Гнатюк', 'H.')).toBe(-1);
    expect(family('Мельник', 'К.')).toBe(FAMILY_DIFFERENT);
    // German J. for Я: the skeleton reads J as French ж; it says nothing either way.
    expect(family('Яковенко', 'J.')).toBe(-1);
  });

  test('the index of migration 1764900003101 is on the condition blocking uses', async () => {
    const sql: string[] = [];
    await new SurnameInitialIndex1764900003101().up({ query: async (q: string) => { sql.push(q); } } as never);
    expect(sql[0]).toContain(`WHERE ${surnameInitialSql('x').replace('x.', '')}`);
  });
});
