import { AbilityBuilder, createMongoAbility, type MongoAbility, type MongoQuery } from '@casl/ability';
import { Role, ShareAccess } from '../schema/enums';

export type Action = 'read' | 'create' | 'update' | 'changeStatus' | 'share' | 'manage' | 'subscribe';
export type SubjectName = 'Case' | 'Child' | 'Guardian' | 'CaseEvent' | 'Organization' | 'User' | 'all';
export type AppAbility = MongoAbility<[Action, SubjectName | object], MongoQuery>;

/** What the ability is built from: the user's roles and organization (and later its centres and assignments). */
export interface Principal {
  id: string;
  organizationId: string;
  roles: Role[];
}

/** Fields of a case visible to an organization it is shared with in SUMMARY. */
export const CASE_SUMMARY_FIELDS = ['id', 'status', 'closeReason', 'version', 'priority', 'child', 'leadOrganization', 'createdAt', 'updatedAt'];
/** Fields of a child visible through a SUMMARY share. */
export const CHILD_SUMMARY_FIELDS = [
  'id', 'givenName', 'familyName', 'patronymic', 'latinName', 'aliases', 'birthDate', 'birthDatePrecision', 'sex', 'homeOblast', 'version', 'createdAt', 'updatedAt',
];
/** Every readable field of a child (GraphQL field names), for roles that see all but a few. */
export const CHILD_FIELDS = [
  ...CHILD_SUMMARY_FIELDS, 'placeOfBirth', 'languages', 'currentLocation', 'healthNotes', 'guardians',
];
export const GUARDIAN_FIELDS = ['id', 'relation', 'name', 'contact', 'verified'];
const without = (fields: string[], ...drop: string[]) => fields.filter((f) => !drop.includes(f));

/** Fields that are sensitive: each is checked on its own, and resolves to null with a FORBIDDEN error when denied. */
export const SENSITIVE_FIELDS = {
  Case: ['deportationCircumstances'],
  Child: ['currentLocation', 'healthNotes'],
  Guardian: ['contact'],
} as const;

/**
 * Builds the CASL ability of one principal. Every condition here must also be expressible in SQL
 * (see caslToSql.ts): plain column equality, `$in`, to-one relations in dot notation and to-many
 * relations with `$elemMatch`.
 */
export function defineAbilityFor(principal: Principal | null): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  if (!principal) return build();
  const org = principal.organizationId;
  can('read', 'Organization');

  for (const role of principal.roles) {
    switch (role) {
      case Role.COORDINATOR:
        // The coordination council sees every case and child, but not health data.
        can(['read', 'subscribe', 'changeStatus'], 'Case');
        can('read', 'CaseEvent');
        can('read', 'Child', without(CHILD_FIELDS, 'healthNotes'));
        can('read', 'Guardian');
        break;
      case Role.CASE_WORKER: {
        const full = { $elemMatch: { organizationId: org, access: ShareAccess.FULL } };
        const summary = { $elemMatch: { organizationId: org, access: ShareAccess.SUMMARY } };
        can('create', ['Case', 'Child']);
        can(['read', 'subscribe', 'update', 'changeStatus', 'share'], 'Case', { leadOrganizationId: org });
        can(['read', 'subscribe', 'update', 'changeStatus'], 'Case', { shares: full });
        can(['read', 'subscribe'], 'Case', CASE_SUMMARY_FIELDS, { shares: summary });
        can('read', 'CaseEvent', { 'case.leadOrganizationId': org });
        can('read', 'CaseEvent', { 'case.shares': full });
        can(['read', 'update'], 'Child', { 'case.leadOrganizationId': org });
        can(['read', 'update'], 'Child', { 'case.shares': full });
        can('read', 'Child', CHILD_SUMMARY_FIELDS, { 'case.shares': summary });
        can('read', 'Guardian', { 'child.case.leadOrganizationId': org });
        can('read', 'Guardian', { 'child.case.shares': full });
        break;
      }
      case Role.INVESTIGATOR:
        // Prosecutors document the crimes: every case with its deportation circumstances, no health data.
        can(['read', 'subscribe'], 'Case');
        can('read', 'CaseEvent');
        can('read', 'Child', without(CHILD_FIELDS, 'healthNotes'));
        can('read', 'Guardian', without(GUARDIAN_FIELDS, 'contact'));
        break;
      case Role.ORG_ADMIN:
        can('manage', 'User', { organizationId: org });
        break;
      case Role.CENTRE_COORDINATOR:
      case Role.SPECIALIST:
      case Role.ANALYST:
        // Centre staff reach children through placements and assignments (scheduling);
        // analysts see aggregate figures only.
        break;
    }
  }
  // Grants list their fields instead of using `cannot`, so that a user holding two roles keeps the union of both.
  return build();
}
