import { Field, Int, ObjectType } from 'type-graphql';
import { EvidenceItem, Incident } from '../../entities';
import { PageInfo } from '../payloads';

@ObjectType()
export class IncidentEdge {
  @Field() cursor: string;
  @Field(() => Incident) node: Incident;
}

@ObjectType()
export class IncidentConnection {
  @Field(() => [IncidentEdge]) edges: IncidentEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int, { description: 'Incidents you may read' }) totalCount: number;
}

@ObjectType()
export class EvidenceEdge {
  @Field() cursor: string;
  @Field(() => EvidenceItem) node: EvidenceItem;
}

@ObjectType()
export class EvidenceConnection {
  @Field(() => [EvidenceEdge]) edges: EvidenceEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => Int, { description: 'Items you may read (others are not counted)' }) totalCount: number;
}

@ObjectType({ description: 'A signed statement of the audit log: its size, Merkle root (RFC 6962) and head hash' })
export class AuditCheckpoint {
  @Field({ description: 'Number of entries covered (entries 1..size)' }) size: string;
  @Field() root: string;
  @Field({ description: 'Hash of entry `size`' }) head: string;
  @Field() at: string;
  @Field({ description: 'SHA-256 of the signing public key (SPKI DER)' }) keyId: string;
  @Field({ description: 'Base64 Ed25519 signature over ["bkb-audit-checkpoint/1", size, root, head, at]' }) signature: string;
  @Field({ description: 'The Ed25519 public key, PEM' }) publicKey: string;
}

@ObjectType({ description: 'RFC 6962 audit path of one entry against a checkpoint' })
export class InclusionProof {
  @Field({ description: '0-based leaf index (seq - 1)' }) leafIndex: string;
  @Field() treeSize: string;
  @Field() root: string;
  @Field(() => [String]) path: string[];
}

@ObjectType({ description: 'One entry of the hash-chained audit log (values are only hashed)' })
export class AuditEntry {
  @Field() seq: string;
  @Field() at: string;
  @Field(() => String, { nullable: true }) actorId: string | null;
  @Field(() => String, { nullable: true }) organizationId: string | null;
  @Field() operation: string;
  @Field() entityType: string;
  @Field({ description: "The record's id; '' in an entry that lists entityIds" }) entityId: string;
  @Field(() => [String], { nullable: true, description: 'The records a batched READ entry (format bkb-audit/2, one per request and entity type) concerns; null in other entries' })
  entityIds?: string[] | null;
  @Field(() => [String]) fields: string[];
  @Field(() => String, { nullable: true, description: 'HMAC-SHA-256 of the values (keyed; no personal data in the log)' }) valuesHash: string | null;
  @Field() prevHash: string;
  @Field() hash: string;
}

@ObjectType()
export class AuditEntryEdge {
  @Field() cursor: string;
  @Field(() => AuditEntry) node: AuditEntry;
}

@ObjectType()
export class AuditTrailConnection {
  @Field(() => [AuditEntryEdge]) edges: AuditEntryEdge[];
  @Field(() => PageInfo) pageInfo: PageInfo;
  @Field(() => AuditCheckpoint, { nullable: true, description: 'The latest checkpoint, which `proof` fields prove against' }) checkpoint: AuditCheckpoint | null;
}

@ObjectType({ description: 'A BagIt bag (RFC 8493) written on the hub for the court' })
export class DossierExport {
  @Field() bagName: string;
  @Field({ description: 'Directory of the bag on the hub' }) path: string;
  @Field(() => Int) evidenceCount: number;
  @Field(() => Int) caseCount: number;
  @Field(() => Int) auditEntryCount: number;
  @Field({ description: 'Payload-Oxum: bytes.files' }) payloadOxum: string;
  @Field(() => AuditCheckpoint) checkpoint: AuditCheckpoint;
}
