import type { Config } from '../../config';
import type { Context } from '../../context';
import { matchScope, type Bands } from './linkage';

/** Child fields whose change can change a match: names, spellings, birth date, sex, place of birth. */
const MATCHED_FIELDS = ['givenName', 'familyName', 'patronymic', 'latinName', 'aliases', 'birthDate', 'birthDatePrecision', 'sex', 'placeOfBirth'];

/** The band thresholds from configuration. */
export function bandsOf(config: Config): Bands {
  return { likely: config.matchLikelyThreshold, possible: config.matchPossibleThreshold };
}

/**
 * Incremental matching of one reported or updated child, in the caller's transaction: runs when the child is
 * new (`changed` absent) or when one of the matched fields changed.
 */
export async function matchAfterChildChange(tx: Context, childId: string, changed?: string[]): Promise<void> {
  if (changed && !changed.some((f) => MATCHED_FIELDS.includes(f))) return;
  await matchScope(tx.em, { childIds: [childId] }, bandsOf(tx.deps.config));
}
