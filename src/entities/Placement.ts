import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A returned child placed at a centre for a period (dates local to the centre; `to` inclusive, null = open). */
@ObjectType()
@Entity('placement')
export class Placement {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('placement_child_idx')
  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @Index('placement_centre_idx')
  @Column({ type: 'uuid', name: 'centre_id' })
  centreId: string;

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
