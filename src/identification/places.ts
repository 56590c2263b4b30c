import { skeleton } from './skeleton';

/**
 * Towns of Ukraine renamed since 1920, with the names records from the other side still write: Russian registries
 * and occupation authorities use the Soviet names (Днепропетровск, Артёмовск, Стаханов, Красный Луч), and older
 * documents the earlier ones (Жданов, Ворошиловград, Сталино). First the name today, then the former names, in
 * Ukrainian or Russian (the skeleton reads both, and every romanisation of them). A former name shared by two towns
 * (Артемівськ, Кіровськ) is listed for the larger one only.
 */
const RENAMED_PLACES: ReadonlyArray<readonly string[]> = [
  ['Дніпро', 'Днепропетровск', 'Екатеринослав'],
  ['Кропивницький', 'Кировоград', 'Зиновьевск', 'Елисаветград'],
  ['Бахмут', 'Артёмовск'],
  ['Покровськ', 'Красноармейск', 'Червоноармійськ'],
  ['Мирноград', 'Димитров'],
  ['Торецьк', 'Дзержинск'],
  ['Кадіївка', 'Стаханов'],
  ['Хрустальний', 'Красный Луч'],
  ['Довжанськ', 'Свердловск'],
  ['Сорокине', 'Краснодон'],
  ['Голубівка', 'Кировск'],
  ['Кальміуське', 'Комсомольское'],
  ['Горішні Плавні', 'Комсомольск'],
  ['Луганськ', 'Ворошиловград'],
  ['Маріуполь', 'Жданов'],
  ['Донецьк', 'Сталино', 'Юзовка'],
  ['Бердянськ', 'Осипенко'],
  ['Хмельницький', 'Проскуров'],
  ['Івано-Франківськ', 'Станислав', 'Станиславів'],
  ['Кам\u02bcянське', 'Днепродзержинск'],
  ['Олешки', 'Цюрупинск'],
  ['Покров', 'Орджоникидзе'],
  ['Шептицький', 'Червоноград'],
  ['Самар', 'Новомосковск'],
  ['Звягель', 'Новоград-Волынский'],
  ['Переяслав', 'Переяслав-Хмельницкий'],
  ['Святогірськ', 'Славяногорск'],
  ['Бунге', 'Юнокоммунаровск'],
  ['Хрестівка', 'Кировское'],
  ['Залізне', 'Артёмово'],
];

/** The skeleton of each former name → the skeleton of the town's name today. */
export const CURRENT_PLACE: ReadonlyMap<string, string> = new Map(
  RENAMED_PLACES.flatMap(([today, ...former]) => former.map((f) => [skeleton(f), skeleton(today)] as [string, string])),
);
