/*
 * Who may work with whom: the one specialist/child compatibility rule. Booking, free slots, the
 * scheduler's candidates, its score and its explanations all call these functions, so they cannot disagree.
 */

/** What the rule needs to know about a specialist. */
export interface CompatibilitySpecialist {
  discipline: string;
  /** ISO 639 codes the specialist works in. */
  languages: readonly string[];
  /** Youngest and oldest age (whole years, inclusive) the specialist works with. */
  ageMin: number;
  ageMax: number;
}

/** What the rule needs to know about a child: its age in whole years on the day in question, and its languages. */
export interface CompatibilityChild {
  ageYears: number;
  languages: readonly string[];
}

/** Why a specialist may not work with a child, most basic first. */
export type Incompatibility = 'DISCIPLINE' | 'LANGUAGE' | 'AGE';

/**
 * True when the specialist and the child share a language. A child with **no listed languages** shares one
 * with every specialist: its languages are not known yet (often the case right after a return), and refusing
 * every specialist would leave the child without care; the centre records the languages once known, and from
 * then on they are enforced. A specialist with no listed languages shares none with a child who has some.
 */
export function sharesLanguage(specialist: Pick<CompatibilitySpecialist, 'languages'>, child: Pick<CompatibilityChild, 'languages'>): boolean {
  return child.languages.length === 0 || specialist.languages.some((l) => child.languages.includes(l));
}

/** True when the child's age lies in the specialist's range (inclusive). */
export function servesAge(specialist: Pick<CompatibilitySpecialist, 'ageMin' | 'ageMax'>, child: Pick<CompatibilityChild, 'ageYears'>): boolean {
  return child.ageYears >= specialist.ageMin && child.ageYears <= specialist.ageMax;
}

/**
 * Every reason the specialist may not work with the child on `discipline` (in the order discipline,
 * language, age); empty when they may. The language rule is {@link sharesLanguage}.
 */
export function incompatibilities(specialist: CompatibilitySpecialist, child: CompatibilityChild, discipline: string): Incompatibility[] {
  const out: Incompatibility[] = [];
  if (specialist.discipline !== discipline) out.push('DISCIPLINE');
  if (!sharesLanguage(specialist, child)) out.push('LANGUAGE');
  if (!servesAge(specialist, child)) out.push('AGE');
  return out;
}

/** True when the specialist may work with the child on `discipline`: same discipline, a shared language (see {@link sharesLanguage}), the age in range. */
export function isCompatible(specialist: CompatibilitySpecialist, child: CompatibilityChild, discipline: string): boolean {
  return specialist.discipline === discipline && sharesLanguage(specialist, child) && servesAge(specialist, child);
}
