import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ReturnChildOutcome, ReturnDocumentState } from '../schema/returns/enums';

/** A document a child needs for the return (passport, birth certificate, exit permit…) and how far it has got. */
@ObjectType()
export class ReturnDocument {
  @Field() kind: string;
  @Field(() => ReturnDocumentState) state: ReturnDocumentState;
  @Field(() => String, { nullable: true }) note?: string | null;
}

/** One child in a return operation: its case, escort, documents, the outcome and the receiving guardian. */
@ObjectType()
@Entity('return_operation_child')
export class ReturnOperationChild {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('return_operation_child_operation_idx')
  @Column({ type: 'uuid', name: 'operation_id' })
  operationId: string;

  @Column({ type: 'uuid', name: 'case_id' })
  caseId: string;

  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @Field(() => String, { nullable: true, description: 'Who accompanies the child' })
  @Column({ type: 'text', nullable: true })
  escort: string | null;

  @Field(() => [ReturnDocument])
  @Column({ type: 'jsonb', default: () => "'[]'" })
  documents: ReturnDocument[];

  @Field(() => ReturnChildOutcome)
  @Column({ type: 'enum', enum: ReturnChildOutcome, enumName: 'return_child_outcome', default: ReturnChildOutcome.PENDING })
  outcome: ReturnChildOutcome;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'outcome_note', nullable: true })
  outcomeNote: string | null;

  @Column({ type: 'uuid', name: 'receiving_guardian_id', nullable: true })
  receivingGuardianId: string | null;

  /** True while the operation is open: a case sits in one active operation at most. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
