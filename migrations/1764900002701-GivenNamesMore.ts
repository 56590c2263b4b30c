import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Common Ukrainian given names the first table lacked, with their Russian forms, as a second generator (the bench's
 * `--world alt`) found them: a name outside the table is its own key, so Трохим never met Трофим, Омелян never
 * Емельян, Юхим never Ефим (the given names compared DIFFERENT, the pair looked like a sibling's and was not stored).
 * Влад, the short form of Владислав that Russian records often register as the name, is one of its forms.
 * Each line: the Ukrainian form (the key), then its Russian and other written forms. Names the table already has are
 * left as operators may have edited them (ON CONFLICT DO NOTHING), except Оксана: the first table listed it as a form of
 * Ксенія (its etymology), which made an Оксана and her sister Ксенія one name; it is a name of its own.
 */
const MORE_NAMES = `
Адам Адам
Аркадій Аркадий
Артур Артур
Борис Борис
Веніамін Вениамин
Влас Влас
Гаврило Гавриил Гаврила
Геннадій Геннадий
Герман Герман
Гордій Гордей
Давид Давид Давыд
Дем'ян Демьян Демʼян
Демид Демид
Едуард Эдуард
Еміль Эмиль
Єлисей Елисей
Єфрем Ефрем
Зиновій Зиновий
Іларіон Илларион
Йосип Иосиф Осип
Карпо Карп
Клим Клим
Корній Корней
Кузьма Кузьма
Лаврін Лаврентий
Леонтій Леонтий
Лука Лука
Любомир Любомир
Мар'ян Марьян Марʼян
Мирон Мирон
Мирослав Мирослав
Мстислав Мстислав
Нестор Нестор
Никифор Никифор
Овсій Евсей
Омелян Емельян
Онисим Онисим
Опанас Афанасий Панас
Орест Орест
Платон Платон
Прохор Прохор
Руслан Руслан
Сава Савва
Северин Северин
Тихон Тихон
Трохим Трофим
Устим Устин
Харитон Харитон
Хома Фома
Юхим Ефим
Яким Аким
Ян Ян
Ярема Еремей Ерема
Гнат Ігнат
Владислав Влад
Аліса Алиса
Альбіна Альбина
Амелія Амелия
Аделіна Аделина
Агата Агата
Анжеліка Анжелика
Богдана Богдана
Владислава Владислава
Віолетта Виолетта Віолета
Євдокія Евдокия Явдоха Авдотья
Жанна Жанна
Зінаїда Зинаида
Зоряна Зоряна
Іванна Иванна
Інна Инна
Ілона Илона
Кароліна Каролина
Лариса Лариса
Леся Леся
Лідія Лидия
Мар'яна Марьяна Марʼяна
Марта Марта
Ніна Нина
Оксана Оксана
Дарина Одарка
Параска Прасковья Парасковія
Раїса Раиса
Регіна Регина
Роксолана Роксолана
Руслана Руслана
Сніжана Снежана
Стефанія Стефания
Тамара Тамара
Устина Устинья
Фросина Ефросинья Єфросинія Евфросиния
Ярина Ярина
`;

/** Keys of the lines above that the first table already has (only their other forms are new; `down` keeps them). */
const ALREADY = new Set(['Гнат', 'Владислав', 'Дарина']);

/** (name, canonical, language) rows: the first word of a line is the key, in Ukrainian. */
export function moreNameRows(): [string, string, string][] {
  const rows: [string, string, string][] = [];
  for (const line of MORE_NAMES.trim().split('\n')) {
    const [uk, ...others] = line.trim().split(/\s+/);
    if (!ALREADY.has(uk)) rows.push([uk, uk, 'uk']);
    for (const o of others) if (o !== uk) rows.push([o, uk, /[іїєґ'ʼ]/i.test(o) ? 'uk' : 'ru']);
  }
  return rows;
}

export class GivenNamesMore1764900002701 implements MigrationInterface {
  name = 'GivenNamesMore1764900002701';

  async up(q: QueryRunner): Promise<void> {
    const rows = moreNameRows();
    await q.query(
      `INSERT INTO given_name_equivalence (name, canonical, language) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (name) DO NOTHING`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
    await q.query(`UPDATE given_name_equivalence SET canonical = 'Оксана', language = 'uk' WHERE name = 'Оксана' AND canonical = 'Ксенія'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE given_name_equivalence SET canonical = 'Ксенія', language = 'ru' WHERE name = 'Оксана' AND canonical = 'Оксана'`);
    // Only the rows this migration added and nobody changed since.
    const rows = moreNameRows().filter((r) => r[0] !== 'Оксана');
    await q.query(
      `DELETE FROM given_name_equivalence g USING unnest($1::text[], $2::text[]) AS t(name, canonical) WHERE g.name = t.name AND g.canonical = t.canonical`,
      [rows.map((r) => r[0]), rows.map((r) => r[1])],
    );
  }
}
