import { Field, ID, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Discipline, SessionStatus } from '../schema/enums';
import type { FieldChanges } from './FieldChanges';

/**
 * One session of a child with a specialist in a room. Every session that is not CANCELLED holds rows in
 * `session_booking` (kept by a trigger), whose exclusion constraint makes double booking impossible.
 */
@ObjectType()
@Entity('session')
@Index('session_centre_starts_idx', ['centreId', 'startsAt'])
@Index('session_specialist_starts_idx', ['specialistId', 'startsAt'])
@Index('session_child_starts_idx', ['childId', 'startsAt'])
@Index('session_series_starts_idx', ['seriesId', 'startsAt'])
export class Session {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'centre_id' })
  centreId: string;

  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @Column({ type: 'uuid', name: 'specialist_id' })
  specialistId: string;

  @Column({ type: 'uuid', name: 'room_id' })
  roomId: string;

  @Field(() => Discipline)
  @Column({ type: 'enum', enum: Discipline, enumName: 'discipline' })
  discipline: Discipline;

  @Field()
  @Column({ type: 'timestamptz', name: 'starts_at' })
  startsAt: Date;

  @Field()
  @Column({ type: 'timestamptz', name: 'ends_at' })
  endsAt: Date;

  @Field(() => SessionStatus)
  @Column({ type: 'enum', enum: SessionStatus, enumName: 'session_status', default: SessionStatus.SCHEDULED })
  status: SessionStatus;

  @Column({ type: 'uuid', name: 'series_id', nullable: true })
  seriesId: string | null;

  /** Sensitive: only the session's own specialist reads and writes them. */
  @Field(() => String, { nullable: true, description: "Sensitive: the specialist's notes; FORBIDDEN to anyone else" })
  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Column({ type: 'uuid', name: 'created_by_id', nullable: true })
  createdById: string | null;

  @Field()
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field({ description: 'Last change; for a reader of only some fields (not the notes), the last change to one of those' })
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;

  /** Changes per column, for readers of only some fields (kept by the database; never written by the app). */
  @Column({ type: 'jsonb', name: 'field_changes', default: () => "'{}'" })
  fieldChanges: FieldChanges;
}
