import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { MatchBand, MatchStatus } from '../schema/enums';

/** One field's part of a match score: its comparison level, its weight and the two values compared. */
@ObjectType({ description: "One field's part of a Fellegi–Sunter score" })
export class MatchExplanation {
  @Field({ description: 'givenName, familyName, patronymic, birthDate, sex or placeOfBirth' }) field: string;
  @Field({ description: 'Comparison level, e.g. EXACT, EQUIVALENT, DAY_MONTH_SWAPPED, DIFFERENT, MISSING' }) level: string;
  @Field(() => Float, { description: 'log2(m/u) of the level: positive for agreement, negative for disagreement' }) weight: number;
  @Field(() => String, { nullable: true, description: "The child's value compared" }) childValue: string | null;
  @Field(() => String, { nullable: true, description: "The trace's value compared" }) recordValue: string | null;
}

/** A proposed pair (reported child, trace) with its score; a person confirms or rejects it. */
@ObjectType({ description: 'A proposed match between a reported child and a trace, decided by a person' })
@Directive('@key(fields: "id")')
@Entity('match_candidate')
export class MatchCandidate {
  @Field(() => ID)
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'child_id' })
  childId: string;

  @Column({ type: 'uuid', name: 'external_record_id' })
  externalRecordId: string;

  @Field(() => Float, { description: 'Fellegi–Sunter match weight (log2 odds, prior included)' })
  @Column({ type: 'double precision' })
  score: number;

  @Field(() => Float, { description: "The pair's own match probability, from the score (POSSIBLE is decided on it; LIKELY on the probability shared with the trace's other candidates: see band)" })
  @Column({ type: 'double precision' })
  probability: number;

  @Field(() => MatchBand, {
    description: "LIKELY when the probability the trace shares with its other candidates (a trace is one child's) reaches MATCH_LIKELY_THRESHOLD and the names allow it (given names agree; another surname only with the birth day and the patronymic or place); else POSSIBLE when the pair's own probability reaches MATCH_POSSIBLE_THRESHOLD. So a POSSIBLE pair may show a probability above the LIKELY threshold: a stronger rival, or names that only a person can judge",
  })
  @Column({ type: 'enum', enum: MatchBand, enumName: 'match_band' })
  band: MatchBand;

  @Field(() => [MatchExplanation])
  @Column({ type: 'jsonb' })
  explanation: MatchExplanation[];

  @Field(() => MatchStatus)
  @Column({ type: 'enum', enum: MatchStatus, enumName: 'match_status', default: MatchStatus.OPEN })
  status: MatchStatus;

  @Field(() => Int, { description: 'Version of the model that scored the pair' })
  @Column({ type: 'int', name: 'model_version' })
  modelVersion: number;

  @Column({ type: 'uuid', name: 'decided_by_id', nullable: true })
  decidedById: string | null;

  @Column({ type: 'uuid', name: 'decided_by_organization_id', nullable: true })
  decidedByOrganizationId: string | null;

  @Field(() => Date, { nullable: true })
  @Column({ type: 'timestamptz', name: 'decided_at', nullable: true })
  decidedAt: Date | null;

  @Field(() => String, { nullable: true })
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Field(() => Int, { description: 'Increments when the candidate changes; send it as expectedVersion to decide' })
  @Column({ type: 'int', default: 1 })
  version: number;

  @Field()
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Field()
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;
}
