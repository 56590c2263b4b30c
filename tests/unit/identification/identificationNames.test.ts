import { birthLevel, parsePartialDate } from '../../../src/identification/compare';
import { jaroWinkler } from '../../../src/identification/jaroWinkler';
import { NameKeys } from '../../../src/identification/names';
import { patronymicStem, skeleton } from '../../../src/identification/skeleton';

const same = (...spellings: string[]) => {
  const skels = spellings.map(skeleton);
  expect(new Set(skels).size).toBe(1);
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
});

describe('birth dates', () => {
  const d = (s: string) => parsePartialDate(s);
  test('levels: exact, swapped, same month, same year, a year off, different, missing', () => {
    expect(birthLevel(d('2014-03-11'), d('2014-03-11'))).toBe(0);
    expect(birthLevel(d('2014-03-11'), d('2014-11-03'))).toBe(1);
    expect(birthLevel(d('2014-03-11'), d('2014-03-20'))).toBe(2);
    expect(birthLevel(d('2014-03-11'), d('2014'))).toBe(3);
    expect(birthLevel(d('2014-03-11'), d('2015-03-11'))).toBe(4);
    expect(birthLevel(d('2014-03-11'), d('2015'))).toBe(4);
    expect(birthLevel(d('2014-03-11'), d('2017-03-11'))).toBe(5);
    expect(birthLevel(d('2014-03-11'), null)).toBe(-1);
  });
});

test('Jaro-Winkler', () => {
  expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
  expect(jaroWinkler('abc', 'abc')).toBe(1);
  expect(jaroWinkler('abc', 'xyz')).toBe(0);
});
