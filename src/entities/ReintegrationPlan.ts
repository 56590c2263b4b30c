import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** The reintegration plan of a returned child: items with owners and due dates, and follow-up visits. */
@ObjectType()
@Entity('reintegration_plan')
export class ReintegrationPlan {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'case_id' })
  caseId: string;

  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @Field({ description: 'YYYY-MM-DD: the day the child came back (follow-ups count from it)' })
  @Column({ type: 'date', name: 'returned_on' })
  returnedOn: string;

  @Field(() => Int)
  @Column({ type: 'int', default: 1 })
  version: number;

  @Field()
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
