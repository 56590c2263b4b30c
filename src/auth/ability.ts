import { AbilityBuilder, createMongoAbility, type MongoAbility, type MongoQuery } from '@casl/ability';
import { Role } from '../schema/enums';
import { caseRules } from './rules/cases';
import { centreRules } from './rules/centres';
import { evidenceRules } from './rules/evidence';
import { identificationRules } from './rules/identification';
import { returnsRules } from './rules/returns';

export {
  CASE_EVENT_SUMMARY_FIELDS, CASE_SUMMARY_FIELDS, CHILD_FIELDS, CHILD_SPECIALIST_FIELDS, CHILD_SUMMARY_FIELDS, GUARDIAN_FIELDS,
  SENSITIVE_FIELDS, SESSION_SCHEDULE_FIELDS,
} from './rules/fields';

export type Action = 'read' | 'create' | 'update' | 'changeStatus' | 'share' | 'manage' | 'subscribe'
  | 'upload' | 'acknowledge';
export type SubjectName =
  | 'Case' | 'Child' | 'Guardian' | 'CaseEvent' | 'CaseShare' | 'Organization' | 'User'
  | 'Centre' | 'Room' | 'Specialist' | 'AvailabilityRule' | 'Placement' | 'CarePlan' | 'Assignment' | 'Session' | 'SessionSeries' | 'all'
  | 'ReturnOperation' | 'ReturnOperationChild' | 'GuardianVerification' | 'ReintegrationPlan' | 'ReintegrationItem' | 'FollowUp' | 'Statistics' | 'UnsuppressedStatistics'
  | 'Incident' | 'EvidenceItem' | 'EvidenceContent' | 'CustodyEvent' | 'AuditEntry' | 'AuditCheckpoint' | 'Dossier'
  | 'ExternalRecord' | 'MatchCandidate';
export type AppAbility = MongoAbility<[Action, SubjectName | object], MongoQuery>;
/** The `can` of an AbilityBuilder: what a rules file `(can, principal) => void` receives. */
export type Can = AbilityBuilder<AppAbility>['can'];

/** What the ability is built from: the user's roles and organization, the centres and the specialist profile it is tied to. */
export interface Principal {
  id: string;
  organizationId: string;
  roles: Role[];
  /** Centres the user coordinates (centre_staff); empty for most users. */
  centreIds?: string[];
  /** The organization operating each of those centres (centre id -> organization id): a referral goes to it. */
  centreOperators?: Record<string, string>;
  /** The specialist profile linked to the user, if any. */
  specialistId?: string | null;
}

/**
 * Builds the CASL ability of one principal: the one place where access is granted. Each feature's rules
 * live in src/auth/rules/<feature>.ts as `(can, principal) => void` and are called here, one line each.
 * Every condition must also be expressible in SQL (see caslToSql.ts): plain column equality, `$in`,
 * to-one relations in dot notation and to-many relations with `$elemMatch`. Reads grant explicit field
 * lists where a role sees less than everything: the field guard hides every field no rule grants.
 */
export function defineAbilityFor(principal: Principal | null): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  if (!principal) return build();
  can('read', 'Organization');
  // Everyone reads their own account (`me`).
  can('read', 'User', { id: principal.id });
  if (principal.roles.includes(Role.ORG_ADMIN)) can('manage', 'User', { organizationId: principal.organizationId });
  // Analysts see aggregate figures only: no rule here grants them a record.

  caseRules(can, principal);
  centreRules(can, principal);

  returnsRules(can, principal);
  evidenceRules(can, principal);
  identificationRules(can, principal);
  // Grants list their fields instead of using `cannot`, so that a user holding two roles keeps the union of both.
  return build();
}
