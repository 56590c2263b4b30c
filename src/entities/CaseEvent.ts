import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CaseEventKind, CaseStatus } from '../schema/enums';
import { Case } from './Case';

/**
 * One entry of a case's append-only history. The id is a database sequence, so it orders events
 * across all cases and a subscriber can resume after it.
 */
@ObjectType()
@Entity('case_event')
@Index('case_event_case_idx', ['caseId', 'id'])
export class CaseEvent {
  @Field(() => ID)
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'uuid', name: 'case_id' })
  caseId: string;

  @ManyToOne(() => Case, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'case_id' })
  case?: Case;

  @Field(() => CaseEventKind)
  @Column({ type: 'enum', enum: CaseEventKind, enumName: 'case_event_kind' })
  kind: CaseEventKind;

  @Field(() => CaseStatus, { nullable: true })
  @Column({ type: 'enum', enum: CaseStatus, enumName: 'case_status', name: 'from_status', nullable: true })
  from: CaseStatus | null;

  @Field(() => CaseStatus)
  @Column({ type: 'enum', enum: CaseStatus, enumName: 'case_status', name: 'to_status' })
  to: CaseStatus;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'uuid', name: 'actor_id', nullable: true })
  actorId: string | null;

  @Column({ type: 'uuid', name: 'organization_id', nullable: true })
  organizationId: string | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz', name: 'at' })
  at: Date;
}
