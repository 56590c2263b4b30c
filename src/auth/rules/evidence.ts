import type { AbilityBuilder } from '@casl/ability';
import { EvidenceClassification, Role } from '../../schema/enums';
import type { AppAbility, Principal } from '../ability';

/** Every GraphQL field of an incident. */
export const INCIDENT_FIELDS = [
  'id', 'occurredOn', 'occurredPrecision', 'takenFrom', 'destinationCountry', 'destinationRegion', 'destinationFacility', 'responsible',
  'narrative', 'qualifications', 'version', 'createdAt', 'updatedAt', 'cases', 'evidence', 'organization',
];
/** Every GraphQL field of an evidence item. */
export const EVIDENCE_FIELDS = [
  'id', 'kind', 'title', 'description', 'capturedAt', 'capturedBy', 'capturedWith', 'source', 'classification', 'originalFileName', 'mediaType',
  'sizeBytes', 'sha256', 'contentStoredAt', 'createdAt', 'updatedAt', 'incidents', 'cases', 'derivedFrom', 'custody',
  'capturedByOrganization', 'custodianOrganization', 'pendingTransferTo',
];
export const CUSTODY_FIELDS = ['id', 'kind', 'at', 'ok', 'sha256', 'note', 'actorId', 'organization', 'toOrganization'];
export const AUDIT_ENTRY_FIELDS = ['seq', 'at', 'actorId', 'organizationId', 'operation', 'entityType', 'entityId', 'entityIds', 'fields', 'valuesHash', 'prevHash', 'hash', 'proof'];

/**
 * ICC documentation. Evidence is read by investigators (all of it), by the coordination council (not
 * RESTRICTED items) and by the organization that captured or holds it; nobody else learns an item exists.
 * Content (the original file) is for investigators and the capturing/holding organization only.
 */
export function evidenceRules(can: AbilityBuilder<AppAbility>['can'], principal: Principal): void {
  const org = principal.organizationId;
  const roles = principal.roles;
  const ownOrg: Record<string, string>[] = [{ capturedByOrganizationId: org }, { custodianOrganizationId: org }, { pendingTransferToId: org }];
  if (roles.includes(Role.INVESTIGATOR)) {
    can(['read', 'create', 'update'], 'Incident', INCIDENT_FIELDS);
    can(['read', 'create'], 'EvidenceItem', EVIDENCE_FIELDS);
    can('read', 'EvidenceContent');
    can('read', 'CustodyEvent', CUSTODY_FIELDS);
    can('create', 'Dossier');
  }
  if (roles.includes(Role.COORDINATOR)) {
    can('read', 'Incident', INCIDENT_FIELDS);
    can('read', 'EvidenceItem', EVIDENCE_FIELDS, { classification: EvidenceClassification.CONFIDENTIAL });
    can('read', 'CustodyEvent', CUSTODY_FIELDS);
  }
  if (roles.includes(Role.INVESTIGATOR) || roles.includes(Role.COORDINATOR)) {
    can('read', 'AuditEntry', AUDIT_ENTRY_FIELDS);
    can('create', 'AuditCheckpoint');
  }
  if (roles.includes(Role.CASE_WORKER)) {
    can('create', 'EvidenceItem');
    can('read', 'CustodyEvent', CUSTODY_FIELDS);
  }
  if (roles.some((r) => r === Role.INVESTIGATOR || r === Role.COORDINATOR || r === Role.CASE_WORKER)) {
    for (const cond of ownOrg) {
      can('read', 'EvidenceItem', EVIDENCE_FIELDS, cond);
      can('read', 'EvidenceContent', cond);
    }
    // The holder uploads the original, derives copies and hands the item over.
    can(['update', 'upload'], 'EvidenceItem', { custodianOrganizationId: org });
    can('acknowledge', 'EvidenceItem', { pendingTransferToId: org });
  }
}
