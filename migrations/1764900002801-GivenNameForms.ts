import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Given-name forms the table lacked (issue 9, a third benchmark world written without reading the matcher): the short
 * forms a media post, a camp list or a child's own account uses (Коля for Микола, Настя for Анастасія, Льоша / Лёша for
 * Олексій), and the Western forms a partner state's register writes (Andrew, Catherine, Helen, Matthew, Katarzyna).
 * Outside the table each was a name of its own, and the pair's given names compared DIFFERENT.
 *
 * Left out on purpose: short forms of more than one name (Саша and Женя are a boy's or a girl's, Слава is Вячеслав,
 * Ярослав, Станіслав…, Валя, Ліна, Ніка, Ася), and forms whose skeleton is already another name's (Даня / Діана,
 * Оля / Алла, Люда / Лідія, Тома / Артем's Тьома, Олечка / Олежка, Льоня / Лена, Helena / Галина): keyed as one
 * name, they would make two names one. Forms the table already keys right (Юля, Надя, Аня, Olga, Daniel) are not
 * listed. Language `uk-short` / `ru-short` / `latin`: NameKeys takes no patronymic stem from them (no patronymic is
 * made from a short or a Western form). Each line: the name's key (its Ukrainian form, already in the table), then
 * its forms.
 */
const FORMS = `
Микола Коля Колька Миколка Колян Nicholas Nicolas Nikolaus
Олексій Льоша Лёша Леша Альоша Алёша Алеша Олексійко
Дмитро Діма Дима Митя Дімка Димка Dimitri Dimitrij
Михайло Міша Миша Михась Мішка Мишка Michael Michel
Володимир Вова Вовка Володя Вовчик Waldemar Włodzimierz
Сергій Сергійко Серьожа Серёжа Сережа Сергейка
Іван Ваня Іванко Ванька Ванечка
Андрій Андрійко Андрюша Андрюха Andrew Andreas Andrzej
Максим Макс Максимко Максимка
Артем Тьома Тёма Артемко Артемка
Кирило Кирюша Кирюха Cyril Cyrille
Данило Данилко Данька
Денис Дениска
Богдан Бодя
Василь Вася Васько Васька
Віктор Вітя Витя Вітьок
Юрій Юрко Юрчик
Павло Паша Павлик Павлуша Paul
Петро Петя Петрик Петрусь Peter Pierre
Григорій Гриша Грицько Grzegorz
Анатолій Толя Толик
Костянтин Костя Костик Constantine Konstanty
Станіслав Стас Стасик
Роман Рома Ромчик
Тимофій Тимоша Тимко Timothy
Ілля Іллюша Илюша Ілюша
Олег Олежик
Георгій Жора Jerzy
Федір Федя Федько
Степан Стьопа Стёпа Степа Stephen Stefan
Ярослав Ярик
Владислав Владик
Борис Боря
Олександр Сашко Шурик Alexander Aleksander
Матвій Матвійко Matthew Mateusz
Яків Jacob Jakob Jakub
Йосип Józef
Євген Eugene Eugen Eugeniusz
Христина Христя Christina
Анастасія Настя Настуся Настенька Настюша Anastazja
Марія Маша Марійка Маруся Машенька Машуня
Катерина Катя Катруся Катюша Катька Catherine Katherine Katharina Katarzyna
Дарина Даша Дашенька Дашуля
Вікторія Віка Вика Вікуся
Софія Соня Софійка Сонечка
Єлизавета Ліза Лиза Лізонька Лізка Elizabeth Elisabeth Elżbieta
Олена Лена Оленка Леночка Helen
Тетяна Таня Танюша Танечка
Наталія Наташа Наталка Натка
Юлія Юлечка
Ірина Іра Ира Ірочка Ирочка Іринка
Світлана Світланка Света Свєта
Ксенія Ксюша
Поліна Поля Полінка
Валерія Лера Лерочка
Людмила Людочка
Надія Надійка
Любов Люба Любочка
Галина Галя Галинка
Ганна Ганнуся Анюта Нюра
Уляна Уля Улянка
Маргарита Рита
Лариса Лара
`;

/** (name, canonical, language) rows. */
export function nameFormRows(): [string, string, string][] {
  const rows: [string, string, string][] = [];
  for (const line of FORMS.trim().split('\n')) {
    const [uk, ...forms] = line.trim().split(/\s+/);
    for (const f of forms) rows.push([f, uk, /^[\p{Script=Latin}]+$/u.test(f) ? 'latin' : /[іїєґ]/i.test(f) ? 'uk-short' : 'ru-short']);
  }
  return rows;
}

export class GivenNameForms1764900002801 implements MigrationInterface {
  name = 'GivenNameForms1764900002801';

  async up(q: QueryRunner): Promise<void> {
    const rows = nameFormRows();
    await q.query(
      `INSERT INTO given_name_equivalence (name, canonical, language) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (name) DO NOTHING`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // Only the rows this migration added and nobody changed since.
    const rows = nameFormRows();
    await q.query(
      `DELETE FROM given_name_equivalence g USING unnest($1::text[], $2::text[], $3::text[]) AS t(name, canonical, language)
        WHERE g.name = t.name AND g.canonical = t.canonical AND g.language = t.language`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
  }
}
