import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Discipline } from '../schema/enums';

/** A psychologist, therapist, teacher… working at one or more centres, optionally linked to a user. */
@ObjectType()
@Entity('specialist')
export class Specialist {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('specialist_user_key', { unique: true })
  @Column({ type: 'uuid', name: 'user_id', nullable: true })
  userId: string | null;

  @Field()
  @Column({ type: 'text', name: 'full_name' })
  name: string;

  @Field(() => Discipline)
  @Column({ type: 'enum', enum: Discipline, enumName: 'discipline' })
  discipline: Discipline;

  @Field(() => [String], { description: 'ISO 639 codes' })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  languages: string[];

  @Field(() => Int, { description: 'Youngest age served (years)' })
  @Column({ type: 'int', name: 'age_min', default: 0 })
  ageMin: number;

  @Field(() => Int, { description: 'Oldest age served (years)' })
  @Column({ type: 'int', name: 'age_max', default: 18 })
  ageMax: number;

  @Field(() => Int, { description: 'Most distinct children at once' })
  @Column({ type: 'int', name: 'caseload_cap', default: 20 })
  caseloadCap: number;

  @Field(() => Int)
  @Column({ type: 'int', name: 'sessions_per_day_cap', default: 6 })
  sessionsPerDayCap: number;

  @Field(() => Int, { description: 'Minutes needed between two sessions' })
  @Column({ type: 'int', name: 'min_break_minutes', default: 10 })
  minBreakMinutes: number;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
