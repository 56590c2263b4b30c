import { subject } from '@casl/ability';
import type { Case, CaseEvent, Child } from '../../entities';
import type { AppAbility } from '../ability';
import { caseFactsOf, type AccessFacts } from './accessFacts';

/** A committed case event with the facts its permission checks look at (the live feed's snapshot has them). */
export interface CaseEventFacts {
  event: Pick<CaseEvent, 'id' | 'kind'>;
  case: Case;
  /** The case's lead organization and shares as they are now (at delivery). */
  facts: AccessFacts;
}

/** The CASL subject of the event's case with its current shares, as every rule on Case expects it. */
export function caseSubjectOf(s: CaseEventFacts) {
  return subject('Case', { ...s.case, shares: s.facts.shares });
}

/** The CASL subject of the event itself (its kind and its case's facts), as the rules on CaseEvent expect it. */
function eventSubjectOf(s: CaseEventFacts) {
  return subject('CaseEvent', { id: s.event.id, caseId: s.case.id, kind: s.event.kind, case: caseFactsOf(s.facts) });
}

/**
 * Whether a reader receives this event at all: it may read the case, and the event (a SUMMARY reader only
 * status events: edits and share changes would tell it what its summary hides).
 */
export function mayReceive(ability: AppAbility, s: CaseEventFacts): boolean {
  return ability.can('read', caseSubjectOf(s)) && ability.can('read', eventSubjectOf(s));
}

/** Whether a reader may read the case's history (the event's note and actor), as over HTTP for CaseEvent. */
export function canReadHistory(ability: AppAbility, s: CaseEventFacts): boolean {
  return ability.can('read', eventSubjectOf(s), 'note');
}

/**
 * The `organizationId` filter of a subscription, testing only what the reader may read: a case matches by
 * its lead (a summary field) for any reader, by its share list only for readers of `Case.shares` (a
 * SUMMARY partner must not learn who else has the case).
 */
export function matchesOrganization(ability: AppAbility, s: CaseEventFacts, organizationId: string): boolean {
  if (organizationId === s.facts.leadOrganizationId && ability.can('read', caseSubjectOf(s), 'leadOrganization')) return true;
  return s.facts.shares.some((x) => x.organizationId === organizationId) && ability.can('read', caseSubjectOf(s), 'shares');
}

/**
 * Whether a reader may read the event's child, judged by its case alone. Only used to prime a loader: a
 * false answer costs a query through the CASL-filtered loader, never a wrong read (centre staff, who reach
 * children through placements, do not subscribe to case events).
 */
export function mayReadChildByCase(ability: AppAbility, s: CaseEventFacts, child: Child): boolean {
  return ability.can('read', subject('Child', { ...child, case: caseFactsOf(s.facts) }));
}
