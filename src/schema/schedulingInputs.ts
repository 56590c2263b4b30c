import { ArrayMaxSize, IsInt, IsOptional, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { AvailabilityKind, Discipline } from './enums';

const LANGUAGE = /^[a-z]{2,3}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const WALL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
/** Longest session: eight hours. */
export const MAX_SESSION_MINUTES = 480;

@InputType({ description: 'One session, or a series when `recurrence` is given' })
export class BookSessionInput {
  @Field(() => ID) @IsUUID() childId: string;
  @Field(() => ID) @IsUUID() specialistId: string;
  @Field(() => ID) @IsUUID() roomId: string;
  @Field({ description: 'The (first) start; must be in the future' }) startsAt: Date;
  @Field(() => Int, { description: '1 to 480' }) @IsInt() @Min(1) @Max(MAX_SESSION_MINUTES) durationMinutes: number;
  @Field(() => String, { nullable: true, description: "IANA time zone the series keeps its local time in; default the centre's" })
  @IsOptional() @MaxLength(64) timeZone?: string | null;
  @Field(() => String, { nullable: true, description: 'RRULE value bounded by COUNT or UNTIL, at most a year, e.g. FREQ=WEEKLY;COUNT=10' })
  @IsOptional() @MaxLength(500) recurrence?: string | null;
}

@InputType()
export class ProposeScheduleInput {
  @Field(() => ID) @IsUUID() centreId: string;
  @Field({ description: 'Start of the period (at most 7 days long)' }) from: Date;
  @Field() to: Date;
  @Field(() => Int, { nullable: true, description: 'Solver time budget in milliseconds (100..10000, default 3000); the solver runs off the request thread' })
  @IsOptional() @IsInt() @Min(100) @Max(10000) timeLimitMs?: number | null;
}

@InputType()
export class OpeningHoursInput {
  @Field(() => Int) @IsInt() @Min(1) @Max(7) weekday: number;
  @Field() @Matches(CLOCK, { message: 'opens must be HH:mm' }) opens: string;
  @Field() @Matches(CLOCK, { message: 'closes must be HH:mm' }) closes: string;
}

@InputType()
export class UpdateCentreInput {
  @Field(() => ID) @IsUUID() centreId: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200) name?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(64) timeZone?: string;
  @Field(() => [OpeningHoursInput], { nullable: true }) @IsOptional() @ArrayMaxSize(21) @ValidateNested({ each: true }) openingHours?: OpeningHoursInput[];
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(15) @Max(720) childMaxDailyMinutes?: number;
}

@InputType()
export class CreateRoomInput {
  @Field(() => ID) @IsUUID() centreId: string;
  @Field() @Length(1, 100) name: string;
  @Field() @Length(1, 40) kind: string;
  @Field(() => Int, { nullable: true, defaultValue: 1 }) @IsOptional() @IsInt() @Min(1) @Max(200) capacity?: number;
}

@InputType()
export class CreateSpecialistInput {
  @Field(() => ID) @IsUUID() centreId: string;
  @Field() @Length(1, 200) name: string;
  @Field(() => Discipline) discipline: Discipline;
  @Field(() => [String]) @ArrayMaxSize(10) @Matches(LANGUAGE, { each: true, message: 'languages must be ISO 639 codes such as uk' }) languages: string[];
  @Field(() => Int, { nullable: true, defaultValue: 0 }) @IsOptional() @IsInt() @Min(0) @Max(25) ageMin?: number;
  @Field(() => Int, { nullable: true, defaultValue: 18 }) @IsOptional() @IsInt() @Min(0) @Max(25) ageMax?: number;
  @Field(() => Int, { nullable: true, defaultValue: 20 }) @IsOptional() @IsInt() @Min(1) @Max(200) caseloadCap?: number;
  @Field(() => Int, { nullable: true, defaultValue: 6 }) @IsOptional() @IsInt() @Min(1) @Max(20) sessionsPerDayCap?: number;
  @Field(() => Int, { nullable: true, defaultValue: 10 }) @IsOptional() @IsInt() @Min(0) @Max(240) minBreakMinutes?: number;
  @Field(() => ID, { nullable: true, description: 'Links the profile to a user with the SPECIALIST role' }) @IsOptional() @IsUUID() userId?: string | null;
}

@InputType({ description: 'A recurring working window (or leave) of a specialist at a centre' })
export class AddAvailabilityInput {
  @Field(() => ID) @IsUUID() specialistId: string;
  @Field(() => ID) @IsUUID() centreId: string;
  @Field(() => AvailabilityKind, { nullable: true, defaultValue: AvailabilityKind.AVAILABLE }) kind?: AvailabilityKind;
  @Field({ description: 'RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO,TU,WE' }) @Length(1, 500) recurrence: string;
  @Field({ description: 'Local wall time of the first window, YYYY-MM-DDTHH:mm' }) @Matches(WALL, { message: 'dtstart must be YYYY-MM-DDTHH:mm' }) dtstart: string;
  @Field(() => String, { nullable: true, description: "Default: the centre's time zone" }) @IsOptional() @MaxLength(64) timeZone?: string | null;
  @Field(() => Int) @IsInt() @Min(1) @Max(1440) durationMinutes: number;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(500) note?: string | null;
}

@InputType()
export class CreatePlacementInput {
  @Field(() => ID) @IsUUID() childId: string;
  @Field(() => ID) @IsUUID() centreId: string;
  @Field() @Matches(DATE, { message: 'from must be YYYY-MM-DD' }) from: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE, { message: 'to must be YYYY-MM-DD' }) to?: string | null;
}

@InputType({ description: 'Ends a placement on a date (inclusive), e.g. before the child moves to another centre' })
export class EndPlacementInput {
  @Field(() => ID) @IsUUID() placementId: string;
  @Field({ description: 'Last day of the placement, YYYY-MM-DD' }) @Matches(DATE, { message: 'to must be YYYY-MM-DD' }) to: string;
}

@InputType()
export class CareNeedInput {
  @Field(() => Discipline) discipline: Discipline;
  @Field(() => Int) @IsInt() @Min(1) @Max(7) sessionsPerWeek: number;
  @Field(() => Int) @IsInt() @Min(15) @Max(MAX_SESSION_MINUTES) minutes: number;
}

@InputType()
export class SetCarePlanInput {
  @Field(() => ID) @IsUUID() childId: string;
  @Field(() => ID) @IsUUID() centreId: string;
  @Field(() => [CareNeedInput]) @ArrayMaxSize(10) @ValidateNested({ each: true }) needs: CareNeedInput[];
  @Field() @Matches(DATE, { message: 'from must be YYYY-MM-DD' }) from: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE, { message: 'to must be YYYY-MM-DD' }) to?: string | null;
}
