import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The curated Ukrainian↔Russian given-name equivalence table as first shipped: each line is a name's
 * Ukrainian form, then its Russian (and common variant) forms. Operators may add rows later.
 */
const EQUIVALENT_NAMES = `
Олександр Александр
Олексій Алексей
Андрій Андрей
Анатолій Анатолий
Антон Антон
Арсеній Арсений
Артем Артём Артем
Богдан Богдан
Вадим Вадим
Валентин Валентин
Валерій Валерий
Василь Василий
Віктор Виктор
Віталій Виталий
Владислав Владислав
Володимир Владимир
Всеволод Всеволод
В'ячеслав Вячеслав
Гліб Глеб
Георгій Георгий
Юрій Юрий
Єгор Егор
Гнат Игнат
Григорій Григорий
Данило Даниил Данила
Денис Денис
Дмитро Дмитрий
Євген Евгений
Захар Захар
Іван Иван
Ігор Игорь
Ілля Илья
Кирило Кирилл
Костянтин Константин
Лев Лев Левко
Леонід Леонид
Макар Макар
Максим Максим
Марко Марк
Матвій Матвей
Михайло Михаил
Микита Никита
Микола Николай
Назар Назар
Олег Олег
Остап Остап
Павло Павел
Петро Пётр Петр
Роман Роман
Ростислав Ростислав
Савелій Савелий
Святослав Святослав
Семен Семён Семен
Сергій Сергей
Станіслав Станислав
Степан Степан
Тарас Тарас
Тимофій Тимофей
Тимур Тимур
Федір Фёдор Федор
Філіп Филипп Пилип
Юліан Юлиан
Яків Яков
Ярослав Ярослав
Олександра Александра
Аліна Алина
Алла Алла
Анастасія Анастасия
Ангеліна Ангелина
Антоніна Антонина
Аріна Арина
Валентина Валентина
Валерія Валерия
Варвара Варвара
Василина Василиса
Вероніка Вероника
Віра Вера
Вікторія Виктория
Галина Галина
Ганна Анна
Дарина Дарья Дария
Діана Диана
Єва Ева
Євгенія Евгения
Єлизавета Елизавета
Емілія Эмилия
Злата Злата
Зоя Зоя
Ірина Ирина
Каріна Карина
Катерина Екатерина
Кіра Кира
Ксенія Ксения Оксана
Лілія Лилия
Любов Любовь
Людмила Людмила
Маргарита Маргарита
Марина Марина
Марія Мария
Мілана Милана
Мирослава Мирослава
Надія Надежда
Наталія Наталья Наталия
Олена Елена Алёна Алена
Олеся Олеся
Ольга Ольга
Поліна Полина
Світлана Светлана
Соломія Соломия
Софія София Софья
Таїсія Таисия
Тетяна Татьяна
Уляна Ульяна
Христина Кристина
Юлія Юлия
Яна Яна
Ярослава Ярослава
`;

/** Parses the list above into (name, canonical) rows: the canonical form is the Ukrainian one. */
function equivalenceRows(): [string, string, string][] {
  const rows: [string, string, string][] = [];
  for (const line of EQUIVALENT_NAMES.trim().split('\n')) {
    const [uk, ...ru] = line.trim().split(/\s+/);
    rows.push([uk, uk, 'uk']);
    for (const r of ru) if (r !== uk) rows.push([r, uk, 'ru']);
  }
  return rows;
}

/**
 * Identification: traces of children found in external sources, name variants of reported children,
 * the given-name equivalence table, Fellegi–Sunter models and the match candidates people decide on.
 */
export class Identification1764600000001 implements MigrationInterface {
  name = 'Identification1764600000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`ALTER TYPE case_event_kind ADD VALUE IF NOT EXISTS 'MATCH_CONFIRMED'`);
    await q.query(`CREATE TYPE external_source_kind AS ENUM ('ADOPTION_REGISTRY','GUARDIANSHIP_OR_FOSTER','INSTITUTION_OR_CAMP_LIST','MEDIA_OR_SOCIAL','OMBUDSPERSON_LIST','PARTNER_STATE','TIP','OTHER')`);
    await q.query(`CREATE TYPE match_band AS ENUM ('LIKELY','POSSIBLE')`);
    await q.query(`CREATE TYPE match_status AS ENUM ('OPEN','CONFIRMED','REJECTED','SUPERSEDED')`);

    await q.query(`CREATE TABLE external_record (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      source text NOT NULL,
      source_kind external_source_kind NOT NULL,
      external_id text NOT NULL,
      source_url text,
      observed_at date,
      given_name text,
      family_name text,
      patronymic text,
      sex sex,
      birth_date text CHECK (birth_date ~ '^\\d{4}(-\\d{2}(-\\d{2})?)?$'),
      place_of_birth text,
      found_at text,
      found_country text,
      notes text,
      given_skel text NOT NULL DEFAULT '',
      given_key text NOT NULL DEFAULT '',
      family_skel text NOT NULL DEFAULT '',
      patronymic_key text NOT NULL DEFAULT '',
      birth_year int,
      birth_mdkey text,
      content_hash text NOT NULL,
      linked_child_id uuid REFERENCES child(id) ON DELETE SET NULL,
      linked_at timestamptz,
      captured_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      captured_by_organization_id uuid REFERENCES organization(id) ON DELETE SET NULL,
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX external_record_source_key ON external_record (source, external_id)`);
    await q.query(`CREATE INDEX external_record_created_idx ON external_record (created_at, id)`);
    await q.query(`CREATE INDEX external_record_family_idx ON external_record (family_skel)`);
    await q.query(`CREATE INDEX external_record_family_trgm_idx ON external_record USING gin (family_skel gin_trgm_ops)`);
    await q.query(`CREATE INDEX external_record_given_date_idx ON external_record (given_key, birth_mdkey)`);
    await q.query(`CREATE INDEX external_record_given_prefix_idx ON external_record (given_key, left(family_skel, 3))`);
    await q.query(`CREATE INDEX external_record_given_year_idx ON external_record (given_key, birth_year)`);
    await q.query(`CREATE INDEX external_record_linked_idx ON external_record (linked_child_id) WHERE linked_child_id IS NOT NULL`);

    await q.query(`CREATE TABLE child_name_variant (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE CASCADE,
      origin text NOT NULL,
      given_name text NOT NULL,
      family_name text NOT NULL,
      patronymic text,
      given_skel text NOT NULL,
      given_key text NOT NULL,
      family_skel text NOT NULL,
      patronymic_key text NOT NULL,
      birth_year int,
      birth_mdkey text
    )`);
    await q.query(`CREATE INDEX child_name_variant_child_idx ON child_name_variant (child_id)`);
    await q.query(`CREATE INDEX child_name_variant_family_idx ON child_name_variant (family_skel)`);
    await q.query(`CREATE INDEX child_name_variant_family_trgm_idx ON child_name_variant USING gin (family_skel gin_trgm_ops)`);
    await q.query(`CREATE INDEX child_name_variant_given_date_idx ON child_name_variant (given_key, birth_mdkey)`);
    await q.query(`CREATE INDEX child_name_variant_given_year_idx ON child_name_variant (given_key, birth_year)`);

    await q.query(`CREATE TABLE given_name_equivalence (
      name text PRIMARY KEY,
      canonical text NOT NULL,
      language text NOT NULL
    )`);
    const rows = equivalenceRows();
    await q.query(
      `INSERT INTO given_name_equivalence (name, canonical, language) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (name) DO NOTHING`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );

    await q.query(`CREATE TABLE match_model (
      version int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      params jsonb NOT NULL,
      pairs int NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);

    await q.query(`CREATE TABLE match_candidate (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      child_id uuid NOT NULL REFERENCES child(id) ON DELETE CASCADE,
      external_record_id uuid NOT NULL REFERENCES external_record(id) ON DELETE CASCADE,
      score double precision NOT NULL,
      probability double precision NOT NULL,
      band match_band NOT NULL,
      explanation jsonb NOT NULL,
      status match_status NOT NULL DEFAULT 'OPEN',
      model_version int NOT NULL,
      decided_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      decided_by_organization_id uuid REFERENCES organization(id) ON DELETE SET NULL,
      decided_at timestamptz,
      note text,
      version int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX match_candidate_pair_key ON match_candidate (child_id, external_record_id)`);
    await q.query(`CREATE INDEX match_candidate_record_idx ON match_candidate (external_record_id)`);
    await q.query(`CREATE INDEX match_candidate_queue_idx ON match_candidate (status, score DESC, id)`);

    await q.query(`CREATE TABLE case_match_exclusion (
      case_id uuid PRIMARY KEY REFERENCES case_file(id) ON DELETE CASCADE,
      set_by_id uuid REFERENCES app_user(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['case_match_exclusion', 'match_candidate', 'match_model', 'given_name_equivalence', 'child_name_variant', 'external_record']) {
      await q.query(`DROP TABLE ${t}`);
    }
    for (const t of ['match_status', 'match_band', 'external_source_kind']) await q.query(`DROP TYPE ${t}`);
    // MATCH_CONFIRMED stays in case_event_kind: PostgreSQL cannot drop an enum value, and events may carry it.
  }
}
