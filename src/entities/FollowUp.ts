import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { FollowUpKind } from '../schema/returns/enums';

/** A follow-up visit 1, 3, 6 or 12 months after return: a social-worker session at the centre, or a dated task. */
@ObjectType()
@Entity('follow_up')
export class FollowUp {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'plan_id' })
  planId: string;

  @Column({ type: 'uuid', name: 'case_id' })
  caseId: string;

  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @Field(() => Int, { description: 'Months after return: 1, 3, 6 or 12' })
  @Column({ type: 'int' })
  months: number;

  @Field({ description: 'YYYY-MM-DD' })
  @Column({ type: 'date', name: 'due_date' })
  dueDate: string;

  @Field(() => FollowUpKind)
  @Column({ type: 'enum', enum: FollowUpKind, enumName: 'follow_up_kind' })
  kind: FollowUpKind;

  @Column({ type: 'uuid', name: 'session_id', nullable: true })
  sessionId: string | null;

  @Column({ type: 'uuid', name: 'owner_organization_id' })
  ownerOrganizationId: string;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true })
  completedAt: Date | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
