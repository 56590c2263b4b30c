import { createUnionType, Field, ID, Int, ObjectType } from 'type-graphql';
import { Session, Specialist } from '../entities';
import { BookingConflictReason, ConflictWith, Discipline } from './enums';

/** A start at which some specialists are free for the whole duration. */
@ObjectType()
export class FreeSlot {
  @Field() startsAt: Date;
  @Field() endsAt: Date;
  @Field(() => [Specialist]) specialists: Specialist[];
}

@ObjectType({ description: 'The booking went through: every occurrence is booked' })
export class BookedSessions {
  @Field(() => [Session]) sessions: Session[];
}

@ObjectType({ description: 'Why one occurrence cannot be booked' })
export class BookingConflict {
  @Field({ description: 'The occurrence that cannot be booked' }) startsAt: Date;
  @Field(() => BookingConflictReason) reason: BookingConflictReason;
  @Field(() => ConflictWith, { nullable: true, description: 'Who is already booked, for an overlap' }) with: ConflictWith | null;
  @Field(() => ID, { nullable: true, description: 'The session in the way, for an overlap' }) sessionId: string | null;
  @Field() message: string;
}

@ObjectType({ description: 'Nothing was booked; every refusal is listed' })
export class BookingConflicts {
  @Field(() => [BookingConflict]) conflicts: BookingConflict[];
}

export const BookingResult = createUnionType({
  name: 'BookingResult',
  types: () => [BookedSessions, BookingConflicts] as const,
  resolveType: (value) => ('conflicts' in value ? 'BookingConflicts' : 'BookedSessions'),
});

@ObjectType('ProposedSession')
export class ProposedSessionView {
  childId: string;
  specialistId: string;
  roomId: string;
  @Field(() => Discipline) discipline: Discipline;
  @Field() startsAt: Date;
  @Field() endsAt: Date;
}

@ObjectType()
export class ProposedAssignment {
  childId: string;
  specialistId: string;
  @Field(() => Discipline) discipline: Discipline;
  @Field({ description: 'True when this continues an existing assignment' }) kept: boolean;
}

@ObjectType('UnmetNeed')
export class UnmetNeedView {
  childId: string;
  @Field(() => Discipline) discipline: Discipline;
  @Field(() => Int) missingSessions: number;
  @Field({ description: 'Machine-readable reason, e.g. NO_FREE_TIME' }) code: string;
  @Field() reason: string;
}

@ObjectType('ScoreTerm')
export class ScoreTermView {
  @Field() name: string;
  @Field() value: number;
}

@ObjectType({ description: 'hard: violated constraints (always 0); medium: required minutes left unplaced; soft: weighted soft penalties' })
export class ScheduleScore {
  @Field(() => Int) hard: number;
  @Field() medium: number;
  @Field() soft: number;
  @Field() objective: number;
  @Field(() => [ScoreTermView]) breakdown: ScoreTermView[];
}

@ObjectType('ScheduleProposal', { description: 'A proposed timetable; review it, then applyScheduleProposal(id)' })
export class ScheduleProposalView {
  @Field(() => ID) id: string;
  centreId: string;
  @Field() from: Date;
  @Field() to: Date;
  @Field(() => [ProposedSessionView]) sessions: ProposedSessionView[];
  @Field(() => [ProposedAssignment]) assignments: ProposedAssignment[];
  @Field(() => [UnmetNeedView]) unmet: UnmetNeedView[];
  @Field(() => ScheduleScore) score: ScheduleScore;
  @Field(() => Date, { nullable: true }) appliedAt: Date | null;
}

@ObjectType()
export class AppliedSchedule {
  @Field(() => ID) proposalId: string;
  @Field(() => [Session]) sessions: Session[];
  @Field(() => Int) assignmentsCreated: number;
}
