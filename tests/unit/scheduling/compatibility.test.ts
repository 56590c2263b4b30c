import { incompatibilities, isCompatible, sharesLanguage } from '../../../src/scheduling/compatibility';
import { isCompatible as problemCompatible } from '../../../src/scheduling/problem';

const psych = { discipline: 'PSYCHOLOGIST', languages: ['uk', 'ru'], ageMin: 6, ageMax: 12 };

describe('the one specialist/child compatibility rule', () => {
  it('needs the discipline, a shared language and the age range', () => {
    expect(isCompatible(psych, { ageYears: 8, languages: ['uk'] }, 'PSYCHOLOGIST')).toBe(true);
    expect(incompatibilities(psych, { ageYears: 8, languages: ['uk'] }, 'TEACHER')).toEqual(['DISCIPLINE']);
    expect(incompatibilities(psych, { ageYears: 8, languages: ['en'] }, 'PSYCHOLOGIST')).toEqual(['LANGUAGE']);
    expect(incompatibilities(psych, { ageYears: 13, languages: ['uk'] }, 'PSYCHOLOGIST')).toEqual(['AGE']);
    expect(incompatibilities(psych, { ageYears: 5, languages: ['en'] }, 'TEACHER')).toEqual(['DISCIPLINE', 'LANGUAGE', 'AGE']);
    // The range is inclusive at both ends.
    expect(isCompatible(psych, { ageYears: 6, languages: ['ru'] }, 'PSYCHOLOGIST')).toBe(true);
    expect(isCompatible(psych, { ageYears: 12, languages: ['ru'] }, 'PSYCHOLOGIST')).toBe(true);
  });

  it('a child with no listed languages shares one with every specialist; a specialist with none shares none', () => {
    expect(sharesLanguage(psych, { languages: [] })).toBe(true);
    expect(sharesLanguage({ languages: [] }, { languages: [] })).toBe(true);
    expect(sharesLanguage({ languages: [] }, { languages: ['uk'] })).toBe(false);
  });

  it('the scheduler uses the same rule (it used to reject a child with no languages)', () => {
    const child = { id: 'c', ageYears: 8, languages: [] as string[], priority: 3, returnedAt: new Date(), placement: { from: new Date(), to: new Date() }, needs: [], busy: [] };
    const spec = { id: 's', ...psych, caseloadCap: 10, perDayCap: 5, minBreakMinutes: 10, free: [], busy: [], currentChildren: [], load: 0 };
    expect(problemCompatible(spec, child, { discipline: 'PSYCHOLOGIST', sessionsPerWeek: 1, minutes: 50 })).toBe(true);
  });
});
