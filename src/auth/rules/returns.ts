import type { AbilityBuilder, MongoQuery } from '@casl/ability';
import { Role, ShareAccess } from '../../schema/enums';
import type { AppAbility, Principal } from '../ability';

/** Every GraphQL field of the return and reintegration types (reads name their fields explicitly). */
export const RETURN_OPERATION_FIELDS = [
  'id', 'name', 'mediator', 'route', 'handoverPoint', 'plannedHandoverDate', 'actualHandoverDate', 'status', 'statusReason', 'version',
  'createdAt', 'updatedAt', 'organizations', 'children',
];
export const RETURN_OPERATION_CHILD_FIELDS = ['id', 'operation', 'case', 'child', 'escort', 'documents', 'outcome', 'outcomeNote', 'receivingGuardian'];
export const GUARDIAN_VERIFICATION_FIELDS = [
  'id', 'case', 'kind', 'guardian', 'documentsSeen', 'verifiedBy', 'verifiedByOrganization', 'verifiedAt', 'dnaTest', 'dnaResultAt',
  'authorityName', 'decisionReference', 'decisionDate', 'status', 'note',
];
export const REINTEGRATION_PLAN_FIELDS = ['id', 'case', 'returnedOn', 'version', 'createdAt', 'updatedAt', 'items', 'followUps'];
export const REINTEGRATION_ITEM_FIELDS = ['id', 'kind', 'title', 'ownerOrganization', 'dueDate', 'status', 'note', 'mandatory', 'updatedAt'];
export const FOLLOW_UP_FIELDS = ['id', 'case', 'months', 'dueDate', 'kind', 'session', 'ownerOrganization', 'completedAt', 'note', 'overdue'];

/**
 * Return operations, reunification, reintegration and statistics.
 * - Operation details (route, dates, handover point, escorts, documents) are read only by the coordination
 *   council and case workers of the organizations running the operation. Partners who read a child's case
 *   see its status (RETURN_IN_PROGRESS) and nothing of the operation.
 * - Guardian verifications and reintegration plans belong to the case: the council reads them; case
 *   workers of the lead organization and of FULL shares read and write them. An item's or follow-up's
 *   owner organization reads (and updates) that item or follow-up.
 * - Statistics: ANALYST and COORDINATOR read suppressed figures; only COORDINATOR may ask for
 *   unsuppressed ones (audited).
 */
export function returnsRules(can: AbilityBuilder<AppAbility>['can'], principal: Principal): void {
  const org = principal.organizationId;
  for (const role of principal.roles) {
    switch (role) {
      case Role.COORDINATOR:
        can(['read', 'create', 'update'], 'ReturnOperation', RETURN_OPERATION_FIELDS);
        can(['read', 'update'], 'ReturnOperationChild', RETURN_OPERATION_CHILD_FIELDS);
        can('read', 'GuardianVerification', GUARDIAN_VERIFICATION_FIELDS);
        can('read', 'ReintegrationPlan', REINTEGRATION_PLAN_FIELDS);
        can('read', 'ReintegrationItem', REINTEGRATION_ITEM_FIELDS);
        can('read', 'FollowUp', FOLLOW_UP_FIELDS);
        can('read', ['Statistics', 'UnsuppressedStatistics']);
        break;
      case Role.CASE_WORKER: {
        const running = { orgs: { $elemMatch: { organizationId: org } } };
        const full = { $elemMatch: { organizationId: org, access: ShareAccess.FULL } };
        can('create', 'ReturnOperation');
        can(['read', 'update'], 'ReturnOperation', RETURN_OPERATION_FIELDS, running);
        can(['read', 'update'], 'ReturnOperationChild', RETURN_OPERATION_CHILD_FIELDS, { 'operation.orgs': { $elemMatch: { organizationId: org } } });
        for (const caseCond of [{ 'case.leadOrganizationId': org }, { 'case.shares': full }] as Record<string, unknown>[]) {
          can(['read', 'create'], 'GuardianVerification', GUARDIAN_VERIFICATION_FIELDS, caseCond as MongoQuery);
          can(['read', 'update'], 'ReintegrationPlan', REINTEGRATION_PLAN_FIELDS, caseCond as MongoQuery);
          can(['read', 'update'], 'FollowUp', FOLLOW_UP_FIELDS, caseCond as MongoQuery);
        }
        can(['read', 'update'], 'ReintegrationItem', REINTEGRATION_ITEM_FIELDS, { 'plan.case.leadOrganizationId': org });
        can(['read', 'update'], 'ReintegrationItem', REINTEGRATION_ITEM_FIELDS, { 'plan.case.shares': full });
        // The organization an item or follow-up is given to works it, without reading the rest of the case.
        can(['read', 'update'], 'ReintegrationItem', REINTEGRATION_ITEM_FIELDS, { ownerOrganizationId: org });
        can(['read', 'update'], 'FollowUp', without(FOLLOW_UP_FIELDS, 'case'), { ownerOrganizationId: org });
        break;
      }
      case Role.ANALYST:
        can('read', 'Statistics');
        break;
      default:
        break;
    }
  }
}

const without = (fields: string[], ...drop: string[]) => fields.filter((f) => !drop.includes(f));
