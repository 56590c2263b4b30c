/** Ukrainian names for the demo world (Cyrillic; Latin forms come from the national transliteration). */
export const GIVEN_FEMALE = ['Олена', 'Марія', 'Анна', 'Софія', 'Дарина', 'Вікторія', 'Анастасія', 'Юлія', 'Катерина', 'Ірина', 'Оксана', 'Соломія', 'Злата', 'Мирослава', 'Христина', 'Валерія', 'Поліна', 'Діана', 'Аліна', 'Олеся', 'Яна', 'Єва', 'Уляна', 'Ангеліна'];
export const GIVEN_MALE = ['Олександр', 'Андрій', 'Дмитро', 'Максим', 'Іван', 'Богдан', 'Тарас', 'Назар', 'Артем', 'Михайло', 'Денис', 'Владислав', 'Юрій', 'Євген', 'Роман', 'Остап', 'Кирило', 'Матвій', 'Ярослав', 'Данило', 'Тимофій', 'Захар', 'Ілля', 'Григорій'];
/** Family names that have the same form for girls and boys. */
export const FAMILY_COMMON = ['Шевченко', 'Коваленко', 'Бондаренко', 'Ткаченко', 'Кравченко', 'Олійник', 'Мельник', 'Поліщук', 'Лисенко', 'Бойко', 'Ковальчук', 'Савчук', 'Марченко', 'Руденко', 'Мороз', 'Петренко', 'Гончаренко', 'Клименко', 'Павленко', 'Левченко', 'Кузьменко', 'Грищенко', 'Ярош', 'Онищенко'];
/** [masculine, feminine] forms. */
export const FAMILY_GENDERED: [string, string][] = [['Ковальський', 'Ковальська'], ['Савицький', 'Савицька'], ['Білий', 'Біла'], ['Вишневський', 'Вишневська'], ['Заїць', 'Заїць'], ['Соловйов', 'Соловйова']];
/** Fathers' names with [son's, daughter's] patronymic. */
export const PATRONYMICS: [string, string][] = [['Олександрович', 'Олександрівна'], ['Андрійович', 'Андріївна'], ['Іванович', 'Іванівна'], ['Сергійович', 'Сергіївна'], ['Миколайович', 'Миколаївна'], ['Петрович', 'Петрівна'], ['Володимирович', 'Володимирівна'], ['Вікторович', 'Вікторівна'], ['Юрійович', 'Юріївна'], ['Богданович', 'Богданівна']];
/** Russified spellings seen after deportation. */
export const RUSSIFIED: Record<string, string> = { Олена: 'Елена', Марія: 'Мария', Софія: 'София', Дарина: 'Дарья', Анастасія: 'Анастасия', Юлія: 'Юлия', Катерина: 'Екатерина', Ірина: 'Ирина', Олександр: 'Александр', Андрій: 'Андрей', Дмитро: 'Дмитрий', Іван: 'Иван', Михайло: 'Михаил', Денис: 'Денис', Юрій: 'Юрий', Євген: 'Евгений', Кирило: 'Кирилл', Ілля: 'Илья' };
/** Home regions weighted toward the occupied and front-line oblasts the children were taken from. */
export const HOME_OBLASTS = ['Donetsk', 'Donetsk', 'Luhansk', 'Luhansk', 'Kherson', 'Kherson', 'Zaporizhzhia', 'Zaporizhzhia', 'Kharkiv', 'Kharkiv', 'Crimea', 'Mykolaiv', 'Sumy', 'Chernihiv', 'Kyiv Oblast'];
export const TOWNS: Record<string, string[]> = {
  Donetsk: ['Маріуполь', 'Волноваха', 'Бахмут', 'Донецьк'], Luhansk: ['Сєвєродонецьк', 'Лисичанськ', 'Старобільськ'],
  Kherson: ['Херсон', 'Олешки', 'Нова Каховка', 'Скадовськ'], Zaporizhzhia: ['Мелітополь', 'Бердянськ', 'Енергодар'],
  Kharkiv: ['Ізюм', 'Куп’янськ', 'Вовчанськ'], Crimea: ['Сімферополь', 'Джанкой'], Mykolaiv: ['Снігурівка'], Sumy: ['Тростянець'],
  Chernihiv: ['Чернігів'], 'Kyiv Oblast': ['Буча', 'Ірпінь'],
};
export const DESTINATIONS: [string, string][] = [['Moscow Oblast', 'boarding school'], ['Krasnodar Krai', '"health camp"'], ['Rostov Oblast', 'children\'s home'], ['Crimea (occupied)', 'sanatorium'], ['Chechnya', 'cadet school'], ['Tyumen Oblast', 'foster family'], ['Belarus', 'camp']];
export const CIRCUMSTANCES = [
  'Taken from an orphanage during the occupation and moved by bus to the Russian Federation.',
  'Sent to a "recreation camp" with parental consent obtained under pressure; not returned.',
  'Separated from the mother at a filtration point.',
  'Removed from a hospital after the parents were killed; placed with a Russian foster family.',
  'Evacuated by the occupation administration with a school group; contact lost.',
];
export const GUARDIAN_RELATIONS = ['mother', 'father', 'grandmother', 'grandfather', 'aunt', 'legal guardian'];
