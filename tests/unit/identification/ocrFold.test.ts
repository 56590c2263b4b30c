import { compare, FAMILY_OCR, FAMILY_PARTIAL, FAMILY_SIMILAR, F_FAMILY, F_GIVEN, GIVEN_OCR, GIVEN_PARTIAL, GIVEN_SIMILAR, nameVariant, ocrAgrees, type Person } from '../../../src/identification/compare';
import { mayBeLikely, isSiblingPattern } from '../../../src/identification/fellegiSunter';
import { NameKeys } from '../../../src/identification/names';
import { ocrKey } from '../../../src/identification/skeleton';

const keys = new NameKeys([
  { name: 'Поліна', canonical: 'Поліна' }, { name: 'Полина', canonical: 'Поліна' },
  { name: 'Діана', canonical: 'Діана' }, { name: 'Диана', canonical: 'Діана' },
  { name: 'Ярослав', canonical: 'Ярослав' }, { name: 'Анна', canonical: 'Анна' }, { name: 'Алла', canonical: 'Алла' },
]);
const person = (id: string, given: string, family: string): Person => ({
  id, variants: [nameVariant(keys, given, family, null)], sex: null, birth: null, birthText: null, placeOfBirth: null, placeSkel: '',
});
const levels = (child: [string, string], trace: [string, string]) => compare(person('c', ...child), person('t', ...trace)).levels;

describe('the OCR fold (letters a scanner confuses as one class)', () => {
  test('confusions in any number and either case fold to the same form', () => {
    expect(ocrKey('Попина')).toBe(ocrKey('Поліна'));
    expect(ocrKey('Марчеико')).toBe(ocrKey('Марченко'));
    expect(ocrKey('КСВАЛЕНКО')).toBe(ocrKey('Коваленко'));
    expect(ocrKey('Диаиа')).toBe(ocrKey('Діана'));
    expect(ocrKey('КСБЗЕНКС')).toBe(ocrKey('Кобзенко'));
    expect(ocrKey('Щевцук')).toBe(ocrKey('Шевчук'.replace('ч', 'ц')));
    // Latin: rn / m, l / 1 / I, O / 0, cl / d.
    expect(ocrKey('Komienko')).toBe(ocrKey('Kornienko'));
    expect(ocrKey('O1ena')).toBe(ocrKey('Olena'));
    expect(ocrKey('K0valenko')).toBe(ocrKey('Kovalenko'));
    expect(ocrKey('Clmytro')).toBe(ocrKey('Dmytro'));
  });

  test('letters a scanner does not confuse stay apart', () => {
    expect(ocrKey('Марченко')).not.toBe(ocrKey('Мирченко'));
    expect(ocrKey('Коваленко')).not.toBe(ocrKey('Коваленка'));
    expect(ocrKey('Кобзенко')).not.toBe(ocrKey('Кобзенк'));
    expect(ocrKey(null)).toBe('');
    // Too short to say anything.
    expect(ocrAgrees(ocrKey('Ян'), ocrKey('Ян'))).toBe(false);
  });

  test('an OCR-equal surname is the OCR level, past the one-typo level', () => {
    // Three and two confusions: no typo level reaches them.
    expect(levels(['Поліна', 'Кобзенко'], ['Поліна', 'КСБЗЕНКС'])[F_FAMILY]).toBe(FAMILY_OCR);
    expect(levels(['Поліна', 'Марченко'], ['Поліна', 'Марчсикс'])[F_FAMILY]).toBe(FAMILY_OCR);
    // One confusion is still a typo (SIMILAR), as before.
    expect(levels(['Поліна', 'Марченко'], ['Поліна', 'Марчеико'])[F_FAMILY]).toBe(FAMILY_SIMILAR);
    expect(levels(['Поліна', 'Марченко'], ['Поліна', 'Марчук'])[F_FAMILY]).toBeGreaterThanOrEqual(FAMILY_PARTIAL);
  });

  test('an OCR-equal given name is the OCR level unless both are names of the table', () => {
    // Two confusions (о/с, л/п): no typo of the name.
    expect(levels(['Ярослав', 'Кобзенко'], ['ЯРССПАВ', 'Кобзенко'])[F_GIVEN]).toBe(GIVEN_OCR);
    // One is a typo (SIMILAR), as before.
    expect(levels(['Діана', 'Кобзенко'], ['Диаиа', 'Кобзенко'])[F_GIVEN]).toBe(GIVEN_SIMILAR);
    // Анна / Алла fold alike, but both are names: two sisters, not a misreading.
    expect(levels(['Анна', 'Кобзенко'], ['Алла', 'Кобзенко'])[F_GIVEN]).toBeGreaterThanOrEqual(GIVEN_PARTIAL);
  });

  test('both names misread may be LIKELY and are no sibling pattern', () => {
    const lv = levels(['Ярослав', 'Кобзенко'], ['Ярсспав', 'КСБЗЕНКС']);
    expect([lv[F_GIVEN], lv[F_FAMILY]]).toEqual([GIVEN_OCR, FAMILY_OCR]);
    expect(isSiblingPattern(lv)).toBe(false);
    expect(mayBeLikely(lv)).toBe(true);
  });
});
