import { IsIn, IsInt, IsISO31661Alpha2, IsOptional, Max, Min } from 'class-validator';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CaseStatus, Sex } from '../enums';
import { OBLASTS } from '../oblasts';

/** What a statistics table counts cases by. */
export enum StatisticsDimension {
  STATUS = 'STATUS',
  HOME_OBLAST = 'HOME_OBLAST',
  AGE_BAND = 'AGE_BAND',
  SEX = 'SEX',
  DEPORTATION_YEAR = 'DEPORTATION_YEAR',
  LAST_KNOWN_COUNTRY = 'LAST_KNOWN_COUNTRY',
  RETURN_MONTH = 'RETURN_MONTH',
}
registerEnumType(StatisticsDimension, { name: 'StatisticsDimension', description: 'RETURN_MONTH: YYYY-MM of the return, NOT_RETURNED for the others' });

export const AGE_BANDS = ['0-5', '6-11', '12-17', '18+'] as const;

@InputType({ description: 'At most ONE field: a filter on more would let two queries be subtracted to recover suppressed cells' })
export class StatisticsFilter {
  @Field(() => CaseStatus, { nullable: true }) status?: CaseStatus;
  @Field(() => String, { nullable: true }) @IsOptional() @IsIn(OBLASTS as unknown as string[]) homeOblast?: string;
  @Field(() => String, { nullable: true, description: 'One of 0-5, 6-11, 12-17, 18+ (age today)' }) @IsOptional() @IsIn(AGE_BANDS as unknown as string[]) ageBand?: string;
  @Field(() => Sex, { nullable: true }) sex?: Sex;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(2000) @Max(2100) deportationYear?: number;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2' }) @IsOptional() @IsISO31661Alpha2() lastKnownCountry?: string;
}

@ObjectType()
export class StatisticsCell {
  @Field() key: string;
  @Field(() => Int, { nullable: true, description: 'null when suppressed' }) count: number | null;
  @Field() suppressed: boolean;
}

@ObjectType()
export class StatisticsTable {
  @Field(() => StatisticsDimension) dimension: StatisticsDimension;
  @Field(() => Int, { nullable: true, description: 'Cases in the (filtered) population; null when suppressed' }) total: number | null;
  @Field() totalSuppressed: boolean;
  @Field(() => [StatisticsCell]) cells: StatisticsCell[];
}

@ObjectType({ description: 'Days between two steps of a case: median and quartiles; null when too few cases to publish' })
export class DurationStatistic {
  @Field({ description: 'REPORT_TO_IDENTIFICATION or LOCATION_TO_RETURN' }) measure: string;
  @Field(() => Float, { nullable: true }) medianDays: number | null;
  @Field(() => Float, { nullable: true }) q1Days: number | null;
  @Field(() => Float, { nullable: true }) q3Days: number | null;
  @Field() suppressed: boolean;
}

@ObjectType({ description: 'Aggregate figures safe to publish: small cells suppressed, with secondary suppression' })
export class Statistics {
  @Field(() => Int, { description: 'Smallest count published' }) threshold: number;
  @Field({ description: 'false only for an audited unsuppressed request' }) suppressionApplied: boolean;
  @Field(() => Int, { nullable: true }) total: number | null;
  @Field() totalSuppressed: boolean;
  @Field(() => [StatisticsTable]) tables: StatisticsTable[];
  @Field(() => [DurationStatistic]) durations: DurationStatistic[];
}
