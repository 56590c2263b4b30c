import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A recurring booking: its RRULE anchored at a local DTSTART in TZID; occurrences are materialised as sessions. */
@ObjectType()
@Entity('session_series')
export class SessionSeries {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'centre_id' })
  centreId: string;

  @Field()
  @Column({ type: 'text' })
  rrule: string;

  @Field({ description: 'Local wall time of the first occurrence' })
  @Column({ type: 'text' })
  dtstart: string;

  @Field({ description: 'IANA time zone' })
  @Column({ type: 'text' })
  tzid: string;

  @Field(() => Int)
  @Column({ type: 'int', name: 'duration_minutes' })
  durationMinutes: number;

  @Column({ type: 'uuid', name: 'created_by_id', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
