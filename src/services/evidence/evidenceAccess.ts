import type { EntityManager } from 'typeorm';
import type { AuditActor, AuditRecord } from '../../audit/AuditLog';
import { CustodyEventKind } from '../../schema/enums';

/**
 * The ACCESSED link of the chain of custody: a user read an evidence item's sensitive details (the fields in
 * SENSITIVE_FIELDS.EvidenceItem: description, source, capture facts, the custody log) through GraphQL. The field
 * guard notes the read only when it was allowed, so a user who may not read an item records nothing. Registered
 * with `AuditLog.onReads`, it commits in the same group-commit transaction as the READ audit entries: one custody
 * event per item and request, naming the fields read (names only, never values). Listing items by kind, title or
 * classification records nothing, so lists do not flood the chain.
 */
export async function recordEvidenceAccess(em: EntityManager, reads: ReadonlyArray<AuditActor & AuditRecord>): Promise<void> {
  const accessed = reads.filter((r) => r.operation === 'READ' && r.entityType === 'EvidenceItem' && r.actorId);
  if (accessed.length === 0) return;
  await em.query(
    `INSERT INTO custody_event (evidence_id, kind, actor_id, organization_id, note)
     SELECT e, $1::custody_event_kind, a, o, n FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[]) AS t(e, a, o, n)`,
    [
      CustodyEventKind.ACCESSED,
      accessed.map((r) => r.entityId), accessed.map((r) => r.actorId), accessed.map((r) => r.organizationId),
      accessed.map((r) => `read ${(r.fields ?? []).join(', ')}`),
    ],
  );
}
