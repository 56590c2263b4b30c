import { Directive, Field, Float, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { EvidenceClassification, EvidenceKind } from '../schema/enums';

/** A file or a testimony documenting incidents or cases; its original is stored content-addressed and never changed. */
@ObjectType()
@Directive('@key(fields: "id")')
@Entity('evidence_item')
export class EvidenceItem {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field(() => EvidenceKind)
  @Column({ type: 'enum', enum: EvidenceKind, enumName: 'evidence_kind' })
  kind: EvidenceKind;

  @Field()
  @Column({ type: 'text' })
  title: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', name: 'captured_at', nullable: true })
  capturedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Who captured it (person or unit)' })
  @Column({ type: 'text', name: 'captured_by', nullable: true })
  capturedBy: string | null;

  @Field(() => String, { nullable: true, description: 'With what (device, software)' })
  @Column({ type: 'text', name: 'captured_with', nullable: true })
  capturedWith: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  source: string | null;

  @Field(() => EvidenceClassification)
  @Column({ type: 'enum', enum: EvidenceClassification, enumName: 'evidence_classification', default: EvidenceClassification.RESTRICTED })
  classification: EvidenceClassification;

  @Column({ type: 'uuid', name: 'captured_by_organization_id' })
  capturedByOrganizationId: string;

  @Column({ type: 'uuid', name: 'custodian_organization_id' })
  custodianOrganizationId: string;

  @Column({ type: 'uuid', name: 'pending_transfer_to_id', nullable: true })
  pendingTransferToId: string | null;

  @Column({ type: 'uuid', name: 'created_by_id', nullable: true })
  createdById: string | null;

  @Column({ type: 'uuid', name: 'derived_from_id', nullable: true })
  derivedFromId: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'original_file_name', nullable: true })
  originalFileName: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'media_type', nullable: true })
  mediaType: string | null;

  @Field(() => Float, { nullable: true, description: 'Bytes' })
  @Column({ type: 'bigint', name: 'size_bytes', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  sizeBytes: number | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 (hex) the hub computed while the original streamed in' })
  @Column({ type: 'char', length: 64, nullable: true })
  sha256: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', name: 'content_stored_at', nullable: true })
  contentStoredAt: Date | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'created_at' })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
