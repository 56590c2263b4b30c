import { AbilityBuilder, createMongoAbility, type MongoAbility, type MongoQuery } from '@casl/ability';
import { Role, ShareAccess } from '../schema/enums';
import { identificationRules } from './rules/identification';

export type Action = 'read' | 'create' | 'update' | 'changeStatus' | 'share' | 'manage' | 'subscribe';
export type SubjectName =
  | 'Case' | 'Child' | 'Guardian' | 'CaseEvent' | 'Organization' | 'User'
  | 'Centre' | 'Room' | 'Specialist' | 'AvailabilityRule' | 'Placement' | 'CarePlan' | 'Assignment' | 'Session' | 'all'
  | 'ExternalRecord' | 'MatchCandidate';
export type AppAbility = MongoAbility<[Action, SubjectName | object], MongoQuery>;

/** What the ability is built from: the user's roles and organization (and later its centres and assignments). */
export interface Principal {
  id: string;
  organizationId: string;
  roles: Role[];
  /** Centres the user coordinates (centre_staff); empty for most users. */
  centreIds?: string[];
  /** The specialist profile linked to the user, if any. */
  specialistId?: string | null;
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
/** Today as YYYY-MM-DD (UTC), to compare with placement dates. */
const today = () => new Date().toISOString().slice(0, 10);

/** What a specialist reads about the children assigned to them: name, age, languages (and, separately, the care plan). */
export const CHILD_SPECIALIST_FIELDS = [
  'id', 'givenName', 'familyName', 'patronymic', 'latinName', 'birthDate', 'birthDatePrecision', 'sex', 'languages', 'version',
];
/** Every field of a session but the specialist's notes. */
export const SESSION_SCHEDULE_FIELDS = [
  'id', 'child', 'specialist', 'room', 'centre', 'discipline', 'startsAt', 'endsAt', 'status', 'series', 'createdAt', 'updatedAt',
];
/** What scheduling data a centre-level reader sees (everything but notes lives on Session). */
const SCHEDULING_SUBJECTS = ['Centre', 'Room', 'Specialist', 'AvailabilityRule', 'Placement', 'CarePlan', 'Assignment'] as const;

/** Fields that are sensitive: each is checked on its own, and resolves to null with a FORBIDDEN error when denied. */
export const SENSITIVE_FIELDS = {
  Case: ['deportationCircumstances'],
  Child: ['currentLocation', 'healthNotes'],
  Guardian: ['contact'],
  Session: ['notes'],
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
        // Schedules of every centre, never the therapy notes.
        can('read', [...SCHEDULING_SUBJECTS]);
        can('read', 'Session', SESSION_SCHEDULE_FIELDS);
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
      case Role.CENTRE_COORDINATOR: {
        // Manages its centres' scheduling; reads the children placed there, but not their case
        // (the deportation record lives on the case) and not the specialists' notes.
        const centreId = { $in: principal.centreIds ?? [] };
        can(['read', 'update'], 'Centre', { id: centreId });
        can('manage', ['Room', 'AvailabilityRule', 'Placement', 'CarePlan', 'Assignment'], { centreId });
        can('read', 'Specialist', { centres: { $elemMatch: { centreId } } });
        can('update', 'Specialist', { centres: { $elemMatch: { centreId } } });
        can('create', 'Specialist');
        can(['read', 'create', 'update'], 'Session', SESSION_SCHEDULE_FIELDS, { centreId });
        // Only while the child is placed there: a placement that has ended no longer opens the record.
        // (Two rules, not `$or`: CASL's parser takes `$or` inside `$elemMatch` for a field name.)
        for (const placedNow of [{ $elemMatch: { centreId, to: null } }, { $elemMatch: { centreId, to: { $gte: today() } } }]) {
          can('read', 'Child', without(CHILD_FIELDS, 'currentLocation'), { placements: placedNow });
          can('read', 'Guardian', { 'child.placements': placedNow });
        }
        break;
      }
      case Role.SPECIALIST: {
        const specialistId = principal.specialistId;
        if (!specialistId) break;
        // Their own profile, availability and sessions (with notes, which only they read and write),
        // the centres and rooms they work in, and the children they work with.
        can('read', 'Specialist', { id: specialistId });
        can('read', 'AvailabilityRule', { specialistId });
        can('read', 'Centre', { specialists: { $elemMatch: { specialistId } } });
        can('read', 'Room', { 'centre.specialists': { $elemMatch: { specialistId } } });
        can('read', 'Session', { specialistId });
        can('update', 'Session', ['notes', 'status'], { specialistId });
        can('read', 'Assignment', { specialistId });
        can('read', 'Child', CHILD_SPECIALIST_FIELDS, { assignments: { $elemMatch: { specialistId } } });
        can('read', 'Child', CHILD_SPECIALIST_FIELDS, { sessions: { $elemMatch: { specialistId } } });
        can('read', 'CarePlan', { 'child.assignments': { $elemMatch: { specialistId } } });
        break;
      }
      case Role.ANALYST:
        // Analysts see aggregate figures only.
        break;
    }
  }
  identificationRules(can, principal);
  // Grants list their fields instead of using `cannot`, so that a user holding two roles keeps the union of both.
  return build();
}
