import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A room of a centre; one session at a time. */
@ObjectType()
@Entity('room')
export class Room {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('room_centre_idx')
  @Column({ type: 'uuid', name: 'centre_id' })
  centreId: string;

  @Field()
  @Column({ type: 'text' })
  name: string;

  @Field({ description: 'e.g. THERAPY, ART_STUDIO, CLASSROOM' })
  @Column({ type: 'text' })
  kind: string;

  @Field(() => Int)
  @Column({ type: 'int', default: 1 })
  capacity: number;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
