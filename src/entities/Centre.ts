import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Opening hours of a centre for one ISO weekday (1 = Monday), local wall times. */
@ObjectType()
export class OpeningHours {
  @Field(() => Int, { description: 'ISO weekday, 1 = Monday … 7 = Sunday' }) weekday: number;
  @Field({ description: 'HH:mm, local to the centre' }) opens: string;
  @Field({ description: 'HH:mm (24:00 allowed), local to the centre' }) closes: string;
}

/** A CRPC rehabilitation centre: operated by an organization, in one IANA time zone, with opening hours. */
@ObjectType()
@Entity('centre')
export class Centre {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('centre_organization_idx')
  @Column({ type: 'uuid', name: 'organization_id' })
  organizationId: string;

  @Field()
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  oblast: string | null;

  @Field({ description: 'IANA time zone; opening hours and weekly routines are local to it' })
  @Column({ type: 'text', name: 'time_zone', default: 'Europe/Kyiv' })
  timeZone: string;

  @Field(() => [OpeningHours])
  @Column({ type: 'jsonb', name: 'opening_hours', default: () => "'[]'" })
  openingHours: OpeningHours[];

  @Field(() => Int, { description: "Most session minutes a child has in one local day" })
  @Column({ type: 'int', name: 'child_max_daily_minutes', default: 240 })
  childMaxDailyMinutes: number;

  @Field()
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
