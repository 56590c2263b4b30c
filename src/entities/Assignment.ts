import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Discipline } from '../schema/enums';

/** Continuity of care: the specialist who works with a child for a discipline at a centre. */
@ObjectType()
@Entity('assignment')
@Index('assignment_child_discipline_key', ['childId', 'centreId', 'discipline'], { unique: true })
export class Assignment {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @Index('assignment_centre_idx')
  @Column({ type: 'uuid', name: 'centre_id' })
  centreId: string;

  @Index('assignment_specialist_idx')
  @Column({ type: 'uuid', name: 'specialist_id' })
  specialistId: string;

  @Field(() => Discipline)
  @Column({ type: 'enum', enum: Discipline, enumName: 'discipline' })
  discipline: Discipline;

  @Field()
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
