import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { AvailabilityKind } from '../schema/enums';

/** A recurring window (RRULE + local DTSTART + TZID + duration) when a specialist works at a centre, or is away. */
@ObjectType()
@Entity('availability_rule')
@Index('availability_rule_specialist_idx', ['specialistId', 'centreId'])
export class AvailabilityRule {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'specialist_id' })
  specialistId: string;

  @Index('availability_rule_centre_idx')
  @Column({ type: 'uuid', name: 'centre_id' })
  centreId: string;

  @Field(() => AvailabilityKind)
  @Column({ type: 'enum', enum: AvailabilityKind, enumName: 'availability_kind', default: AvailabilityKind.AVAILABLE })
  kind: AvailabilityKind;

  @Field({ description: 'RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO,TU' })
  @Column({ type: 'text' })
  rrule: string;

  @Field({ description: 'Local wall time of the first window, YYYY-MM-DDTHH:mm' })
  @Column({ type: 'text' })
  dtstart: string;

  @Field({ description: 'IANA time zone of dtstart' })
  @Column({ type: 'text', default: 'Europe/Kyiv' })
  tzid: string;

  @Field(() => Int)
  @Column({ type: 'int', name: 'duration_minutes' })
  durationMinutes: number;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
