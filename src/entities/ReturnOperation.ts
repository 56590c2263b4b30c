import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ReturnOperationStatus } from '../schema/returns/enums';

/**
 * A planned return of one or more children. Among the most sensitive records of the hub (a leaked
 * route or date can stop a return): readable only by the coordination council and the running organizations.
 */
@ObjectType()
@Directive('@key(fields: "id")')
@Entity('return_operation')
export class ReturnOperation {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Field({ description: 'Working name of the operation' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { nullable: true, description: 'Mediating state or organization' })
  @Column({ type: 'text', nullable: true })
  mediator: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  route: string | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', name: 'handover_point', nullable: true })
  handoverPoint: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @Column({ type: 'date', name: 'planned_handover_date', nullable: true })
  plannedHandoverDate: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @Column({ type: 'date', name: 'actual_handover_date', nullable: true })
  actualHandoverDate: string | null;

  @Field(() => ReturnOperationStatus)
  @Column({ type: 'enum', enum: ReturnOperationStatus, enumName: 'return_operation_status', default: ReturnOperationStatus.PLANNING })
  status: ReturnOperationStatus;

  @Field(() => String, { nullable: true, description: 'Why it FAILED or was CANCELLED' })
  @Column({ type: 'text', name: 'status_reason', nullable: true })
  statusReason: string | null;

  @Field(() => Int, { description: 'Increments on every change; send it back as expectedVersion' })
  @Column({ type: 'int', default: 1 })
  version: number;

  @Column({ type: 'uuid', name: 'created_by_id', nullable: true })
  createdById: string | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz', precision: 3, name: 'created_at' })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
