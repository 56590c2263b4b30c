import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Discipline } from '../schema/enums';

/** One line of a care plan: so many sessions of so many minutes a week with a discipline. */
@ObjectType()
export class CareNeed {
  @Field(() => Discipline) discipline: Discipline;
  @Field(() => Int) sessionsPerWeek: number;
  @Field(() => Int) minutes: number;
}

/** What a child placed at a centre needs, from a date (and until one). */
@ObjectType()
@Entity('care_plan')
export class CarePlan {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('care_plan_child_idx')
  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @Index('care_plan_centre_idx')
  @Column({ type: 'uuid', name: 'centre_id' })
  centreId: string;

  @Field(() => [CareNeed])
  @Column({ type: 'jsonb', default: () => "'[]'" })
  needs: CareNeed[];

  @Field({ description: 'YYYY-MM-DD' })
  @Column({ type: 'date', name: 'from_date' })
  from: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, inclusive; null while open' })
  @Column({ type: 'date', name: 'to_date', nullable: true })
  to: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
