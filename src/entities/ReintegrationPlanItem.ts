import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ReintegrationItemKind, ReintegrationItemStatus } from '../schema/returns/enums';

/** One item of a reintegration plan (medical check, school enrolment, …); mandatory ones gate AFTERCARE. */
@ObjectType('ReintegrationItem')
@Entity('reintegration_item')
export class ReintegrationPlanItem {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('reintegration_item_plan_idx')
  @Column({ type: 'uuid', name: 'plan_id' })
  planId: string;

  @Field(() => ReintegrationItemKind)
  @Column({ type: 'enum', enum: ReintegrationItemKind, enumName: 'reintegration_item_kind' })
  kind: ReintegrationItemKind;

  @Field()
  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'uuid', name: 'owner_organization_id' })
  ownerOrganizationId: string;

  @Field({ description: 'YYYY-MM-DD' })
  @Column({ type: 'date', name: 'due_date' })
  dueDate: string;

  @Field(() => ReintegrationItemStatus)
  @Column({ type: 'enum', enum: ReintegrationItemStatus, enumName: 'reintegration_item_status', default: ReintegrationItemStatus.OPEN })
  status: ReintegrationItemStatus;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Field({ description: 'Must be DONE before the case moves to AFTERCARE' })
  @Column({ type: 'boolean', default: false })
  mandatory: boolean;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
