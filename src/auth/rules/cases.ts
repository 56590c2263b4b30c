import type { AbilityBuilder } from '@casl/ability';
import { CaseEventKind, Role, ShareAccess } from '../../schema/enums';
import type { AppAbility, Principal } from '../ability';
import { CASE_EVENT_SUMMARY_FIELDS, CASE_SUMMARY_FIELDS, CHILD_FIELDS, CHILD_SUMMARY_FIELDS, GUARDIAN_FIELDS, without } from './fields';

type Can = AbilityBuilder<AppAbility>['can'];

/** Events a SUMMARY reader may know about: that a case exists and its status moved, nothing of edits or shares. */
export const SUMMARY_EVENT_KINDS = [CaseEventKind.CREATED, CaseEventKind.STATUS_CHANGED];

/** Cases, children, guardians and case history: the coordination council, case workers, investigators. */
export function caseRules(can: Can, principal: Principal): void {
  const org = principal.organizationId;
  for (const role of principal.roles) {
    switch (role) {
      case Role.COORDINATOR:
        // The coordination council sees every case and child, but not health data.
        can(['read', 'subscribe', 'changeStatus'], 'Case');
        can('read', ['CaseEvent', 'CaseShare']);
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
        can('read', ['CaseEvent', 'CaseShare'], { 'case.leadOrganizationId': org });
        can('read', ['CaseEvent', 'CaseShare'], { 'case.shares': full });
        can('read', 'CaseEvent', CASE_EVENT_SUMMARY_FIELDS, { 'case.shares': summary, kind: { $in: SUMMARY_EVENT_KINDS } });
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
        can('read', ['CaseEvent', 'CaseShare']);
        can('read', 'Child', without(CHILD_FIELDS, 'healthNotes'));
        can('read', 'Guardian', without(GUARDIAN_FIELDS, 'contact'));
        break;
      default:
        break;
    }
  }
}
