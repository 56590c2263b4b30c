import type { AbilityBuilder } from '@casl/ability';
import { Role, ShareAccess } from '../../schema/enums';
import type { AppAbility, Principal } from '../ability';

/** Every GraphQL field of ExternalRecord (foundAt is further checked like a child's current location). */
export const EXTERNAL_RECORD_FIELDS = [
  'id', 'source', 'sourceKind', 'externalId', 'sourceUrl', 'observedAt', 'givenName', 'familyName', 'patronymic', 'sex', 'birthDate',
  'placeOfBirth', 'foundAt', 'foundCountry', 'notes', 'linkedChild', 'linkedAt', 'capturedByOrganization', 'capturedAt', 'updatedAt', 'version',
];
/** Every GraphQL field of MatchCandidate. */
export const MATCH_CANDIDATE_FIELDS = [
  'id', 'child', 'externalRecord', 'score', 'probability', 'band', 'explanation', 'status', 'modelVersion', 'decidedBy', 'decidedAt', 'note',
  'version', 'createdAt', 'updatedAt',
];

/**
 * Traces are children's records. The coordination council and prosecutors read every trace and candidate;
 * a case worker reads the candidates of the children it reads in FULL (its own cases and FULL shares) and
 * the traces in them, and imports traces. SUMMARY readers, centre staff, analysts and organization admins
 * see none. Confirming or rejecting needs update rights on the child's case (checked on the Case).
 */
export function identificationRules(can: AbilityBuilder<AppAbility>['can'], principal: Principal): void {
  const org = principal.organizationId;
  for (const role of principal.roles) {
    switch (role) {
      case Role.COORDINATOR:
      case Role.INVESTIGATOR:
        can('read', 'ExternalRecord', EXTERNAL_RECORD_FIELDS);
        can('read', 'MatchCandidate', MATCH_CANDIDATE_FIELDS);
        break;
      case Role.CASE_WORKER: {
        const full = { $elemMatch: { organizationId: org, access: ShareAccess.FULL } };
        can('create', 'ExternalRecord');
        const readInFull: Record<string, unknown>[] = [{ 'child.case.leadOrganizationId': org }, { 'child.case.shares': full }];
        for (const childReadInFull of readInFull) {
          can('read', 'MatchCandidate', MATCH_CANDIDATE_FIELDS, childReadInFull);
          can('read', 'ExternalRecord', EXTERNAL_RECORD_FIELDS, { candidates: { $elemMatch: childReadInFull } });
        }
        break;
      }
      default:
        break;
    }
  }
}
