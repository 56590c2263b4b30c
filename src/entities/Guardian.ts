import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Child } from './Child';

/** A parent, relative or legal guardian of a child; contact details are sensitive. */
@ObjectType()
@Entity('guardian')
export class Guardian {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('guardian_child_idx')
  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @ManyToOne(() => Child, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'child_id' })
  child?: Child;

  @Field({ description: 'mother, father, grandmother, legal guardian, …' })
  @Column({ type: 'text' })
  relation: string;

  @Field()
  @Column({ type: 'text' })
  name: string;

  /** Sensitive. */
  @Field(() => String, { nullable: true, description: 'Sensitive: FORBIDDEN unless the reader may see it' })
  @Column({ type: 'text', nullable: true })
  contact: string | null;

  @Field()
  @Column({ type: 'boolean', default: false })
  verified: boolean;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
