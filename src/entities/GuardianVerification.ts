import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { DnaTestStatus, GuardianVerificationKind, VerificationStatus } from '../schema/returns/enums';

/**
 * Before a handover: the receiving guardian's identity and relationship checked (documents seen, by whom,
 * when, a DNA test where needed), or a guardianship authority's decision. A case reaches RETURNED only with
 * a VERIFIED one.
 */
@ObjectType()
@Entity('guardian_verification')
export class GuardianVerification {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'case_id' })
  caseId: string;

  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @Field(() => GuardianVerificationKind)
  @Column({ type: 'enum', enum: GuardianVerificationKind, enumName: 'guardian_verification_kind' })
  kind: GuardianVerificationKind;

  @Column({ type: 'uuid', name: 'guardian_id', nullable: true })
  guardianId: string | null;

  @Field(() => [String], { description: 'Documents seen (passport, birth certificate, …)' })
  @Column({ type: 'text', array: true, name: 'documents_seen', default: () => "'{}'" })
  documentsSeen: string[];

  @Column({ type: 'uuid', name: 'verified_by_id', nullable: true })
  verifiedById: string | null;

  @Column({ type: 'uuid', name: 'verified_by_organization_id', nullable: true })
  verifiedByOrganizationId: string | null;

  @Field()
  @Column({ type: 'timestamptz', name: 'verified_at' })
  verifiedAt: Date;

  @Field(() => DnaTestStatus)
  @Column({ type: 'enum', enum: DnaTestStatus, enumName: 'dna_test_status', name: 'dna_test', default: DnaTestStatus.NOT_REQUESTED })
  dnaTest: DnaTestStatus;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', name: 'dna_result_at', nullable: true })
  dnaResultAt: Date | null;

  @Field(() => String, { nullable: true, description: 'The guardianship authority (for a decision)' })
  @Column({ type: 'text', name: 'authority_name', nullable: true })
  authorityName: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'decision_reference', nullable: true })
  decisionReference: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @Column({ type: 'date', name: 'decision_date', nullable: true })
  decisionDate: string | null;

  @Field(() => VerificationStatus)
  @Column({ type: 'enum', enum: VerificationStatus, enumName: 'verification_status' })
  status: VerificationStatus;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
