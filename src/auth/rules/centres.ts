import type { AbilityBuilder } from '@casl/ability';
import { Role } from '../../schema/enums';
import type { AppAbility, Principal } from '../ability';
import { CHILD_FIELDS, CHILD_SPECIALIST_FIELDS, SESSION_SCHEDULE_FIELDS, without } from './fields';

type Can = AbilityBuilder<AppAbility>['can'];

/** What scheduling data a centre-level reader sees (everything but notes lives on Session). */
const SCHEDULING_SUBJECTS = ['Centre', 'Room', 'Specialist', 'AvailabilityRule', 'Placement', 'CarePlan', 'Assignment', 'SessionSeries'] as const;

/** Today as YYYY-MM-DD (UTC), to compare with placement dates. */
const today = () => new Date().toISOString().slice(0, 10);

/**
 * A placement that lasts today, as CASL conditions. Two conditions, not `$or`: CASL's parser takes `$or`
 * inside `$elemMatch` for a field name.
 */
const lastingToday = () => [{ to: null }, { to: { $gte: today() } }];
const placedNow = (centreId: unknown) => lastingToday().map((c) => ({ centreId, ...c }));

/** Rehabilitation centres: the council's view of every schedule, centre coordinators, specialists. */
export function centreRules(can: Can, principal: Principal): void {
  for (const role of principal.roles) {
    switch (role) {
      case Role.COORDINATOR:
        // Schedules of every centre, never the therapy notes.
        can('read', [...SCHEDULING_SUBJECTS]);
        can('read', 'Session', SESSION_SCHEDULE_FIELDS);
        break;
      case Role.CENTRE_COORDINATOR: {
        // Manages its centres' scheduling; reads the children placed there, but not their case
        // (the deportation record lives on the case) and not the specialists' notes.
        const centreId = { $in: principal.centreIds ?? [] };
        can(['read', 'update'], 'Centre', { id: centreId });
        can('manage', ['Room', 'AvailabilityRule', 'Placement', 'CarePlan', 'Assignment'], { centreId });
        can('read', 'SessionSeries', { centreId });
        can('read', 'Specialist', { centres: { $elemMatch: { centreId } } });
        can('update', 'Specialist', { centres: { $elemMatch: { centreId } } });
        can('create', 'Specialist');
        can(['read', 'create', 'update'], 'Session', SESSION_SCHEDULE_FIELDS, { centreId });
        // A placed child, only while the placement lasts and only while the referral stands: the child's case
        // is led by, or shared with, the organization operating that centre (withdrawing it ends the access).
        const byOperator = new Map<string, string[]>();
        for (const id of principal.centreIds ?? []) {
          const operator = principal.centreOperators?.[id];
          if (operator) byOperator.set(operator, [...(byOperator.get(operator) ?? []), id]);
        }
        for (const [operator, centres] of byOperator) {
          for (const placement of placedNow({ $in: centres })) {
            const placements = { $elemMatch: placement };
            for (const referral of [{ leadOrganizationId: operator }, { shares: { $elemMatch: { organizationId: operator } } }]) {
              const onCase = Object.fromEntries(Object.entries(referral).map(([k, v]) => [`case.${k}`, v]));
              const onChildCase = Object.fromEntries(Object.entries(referral).map(([k, v]) => [`child.case.${k}`, v]));
              can('read', 'Child', without(CHILD_FIELDS, 'currentLocation'), { placements, ...onCase });
              can('read', 'Guardian', { 'child.placements': placements, ...onChildCase });
            }
          }
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
        can('read', 'SessionSeries', { sessions: { $elemMatch: { specialistId } } });
        can('update', 'Session', ['notes', 'status'], { specialistId });
        can('read', 'Assignment', { specialistId });
        // A child, only through a standing assignment whose centre the child is placed at today: a replaced
        // assignment or an ended placement ends the access; past or cancelled sessions never grant it.
        // (Assignment.placements are the child's placements at the assignment's centre, see caslToSql.)
        for (const placement of lastingToday()) {
          const assigned = { $elemMatch: { specialistId, placements: { $elemMatch: placement } } };
          can('read', 'Child', CHILD_SPECIALIST_FIELDS, { assignments: assigned });
          can('read', 'CarePlan', { 'child.assignments': assigned });
        }
        break;
      }
      default:
        break;
    }
  }
}

