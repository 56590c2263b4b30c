import { ArrayMaxSize, IsIn, IsInt, IsISO31661Alpha2, IsOptional, IsUUID, Length, Matches, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { BirthDatePrecision, CasePriority, CaseStatus, CloseReason, Sex, ShareAccess } from './enums';
import { OBLASTS } from './oblasts';
import { IsPastDate } from './validators';

const LANGUAGE = /^[a-z]{2,3}$/;
const NAME = 1;
const NAME_MAX = 100;
const TEXT_MAX = 4000;

@InputType()
export class GuardianInput {
  @Field() @Length(1, 60) relation: string;
  @Field() @Length(NAME, 200) name: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(500) contact?: string | null;
  @Field({ nullable: true, defaultValue: false }) verified?: boolean;
}

@InputType({ description: 'A child reported for the first time, and the deportation as far as it is known' })
export class ReportChildInput {
  @Field() @Length(NAME, NAME_MAX) givenName: string;
  @Field() @Length(NAME, NAME_MAX) familyName: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(NAME, NAME_MAX) patronymic?: string | null;
  @Field(() => String, { nullable: true, description: 'Defaults to the national transliteration of the Cyrillic names' })
  @IsOptional() @Length(NAME, 3 * NAME_MAX) latinName?: string | null;
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(20) @Length(NAME, 3 * NAME_MAX, { each: true }) aliases?: string[];
  @Field(() => Sex) sex: Sex;
  @Field({ description: 'YYYY-MM-DD, not in the future' }) @IsPastDate() birthDate: string;
  @Field(() => BirthDatePrecision, { nullable: true, defaultValue: BirthDatePrecision.EXACT }) birthDatePrecision?: BirthDatePrecision;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) placeOfBirth?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsIn(OBLASTS as unknown as string[]) homeOblast?: string | null;
  @Field(() => [String], { nullable: true, description: 'ISO 639 codes, e.g. uk, ru, en' })
  @IsOptional() @ArrayMaxSize(10) @Matches(LANGUAGE, { each: true, message: 'languages must be ISO 639 codes such as uk' }) languages?: string[];
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT_MAX) currentLocation?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT_MAX) healthNotes?: string | null;
  @Field(() => [GuardianInput], { nullable: true }) @IsOptional() @ArrayMaxSize(20) @ValidateNested({ each: true }) guardians?: GuardianInput[];
  @Field(() => CasePriority, { nullable: true, defaultValue: CasePriority.NORMAL }) priority?: CasePriority;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, not in the future' }) @IsOptional() @IsPastDate() deportationDate?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) deportedFrom?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT_MAX) deportationCircumstances?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2' }) @IsOptional() @IsISO31661Alpha2() lastKnownCountry?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) lastKnownRegion?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(300) lastKnownFacility?: string | null;
}

@InputType()
export class CaseFilter {
  @Field(() => CaseStatus, { nullable: true }) status?: CaseStatus;
  @Field(() => [CaseStatus], { nullable: true }) @IsOptional() @ArrayMaxSize(8) statuses?: CaseStatus[];
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() leadOrganizationId?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsIn(OBLASTS as unknown as string[]) homeOblast?: string;
  @Field(() => String, { nullable: true, description: 'Name search over Cyrillic and Latin spellings and aliases' })
  @IsOptional() @Length(2, 100) search?: string;
}

@InputType()
export class ChangeCaseStatusInput {
  @Field(() => ID) @IsUUID() caseId: string;
  @Field(() => CaseStatus) status: CaseStatus;
  @Field(() => CloseReason, { nullable: true, description: 'Required when closing' }) closeReason?: CloseReason | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT_MAX) note?: string | null;
  @Field(() => Int, { description: 'The version the client last saw; a stale one is refused with CONFLICT' })
  @IsInt() @Min(1) expectedVersion: number;
}

@InputType()
export class UpdateCaseInput {
  @Field(() => ID) @IsUUID() caseId: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion: number;
  @Field(() => CasePriority, { nullable: true }) priority?: CasePriority;
  @Field(() => String, { nullable: true }) @IsOptional() @IsPastDate() deportationDate?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) deportedFrom?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT_MAX) deportationCircumstances?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsISO31661Alpha2() lastKnownCountry?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) lastKnownRegion?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(300) lastKnownFacility?: string | null;
  @Field(() => String, { nullable: true, description: 'Recorded in the case history' }) @IsOptional() @MaxLength(TEXT_MAX) note?: string | null;
}

@InputType()
export class UpdateChildInput {
  @Field(() => ID) @IsUUID() childId: string;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion: number;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(NAME, NAME_MAX) givenName?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(NAME, NAME_MAX) familyName?: string;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(NAME, NAME_MAX) patronymic?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(NAME, 3 * NAME_MAX) latinName?: string | null;
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(20) @Length(NAME, 3 * NAME_MAX, { each: true }) aliases?: string[];
  @Field(() => Sex, { nullable: true }) sex?: Sex;
  @Field(() => String, { nullable: true }) @IsOptional() @IsPastDate() birthDate?: string;
  @Field(() => BirthDatePrecision, { nullable: true }) birthDatePrecision?: BirthDatePrecision;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) placeOfBirth?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsIn(OBLASTS as unknown as string[]) homeOblast?: string | null;
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(10) @Matches(LANGUAGE, { each: true, message: 'languages must be ISO 639 codes such as uk' }) languages?: string[];
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT_MAX) currentLocation?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT_MAX) healthNotes?: string | null;
}

@InputType()
export class ShareCaseInput {
  @Field(() => ID) @IsUUID() caseId: string;
  @Field(() => ID) @IsUUID() organizationId: string;
  @Field(() => ShareAccess) access: ShareAccess;
}

@InputType()
export class UnshareCaseInput {
  @Field(() => ID) @IsUUID() caseId: string;
  @Field(() => ID) @IsUUID() organizationId: string;
}

export const PAGE = { max: 100, defaultSize: 20, eventsDefault: 10 } as const;
