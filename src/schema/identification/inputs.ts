import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsOptional, IsUUID, Length, MaxLength, Min } from 'class-validator';
import { GraphQLScalarType, Kind } from 'graphql';
import { Field, ID, InputType, Int } from 'type-graphql';
import { ExternalSourceKind, MatchBand, MatchStatus, Sex } from '../enums';

/**
 * A trace's sex as the source gives it: FEMALE, MALE or UNKNOWN, written as the enum value (`sex: MALE`) or a string
 * (`"MALE"` in variables). Any other value is the record's problem, rejected with its index and field like a bad
 * date, while the other records of the call are kept; typed as the enum, one "M" refused the whole call.
 */
export const SexValue = new GraphQLScalarType<string, string>({
  name: 'SexValue',
  description: 'FEMALE, MALE or UNKNOWN (as in the Sex enum); another value rejects the record, not the call',
  serialize: (v) => String(v),
  // Not a string: its type stands for it (checkRecord rejects it; a large object is not serialised to be refused).
  parseValue: (v) => (typeof v === 'string' ? v : `(${Array.isArray(v) ? 'list' : typeof v})`),
  parseLiteral: (ast) => {
    if (ast.kind === Kind.ENUM || ast.kind === Kind.STRING) return ast.value;
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.BOOLEAN) return String(ast.value);
    throw new TypeError(`SexValue is FEMALE, MALE or UNKNOWN, not a ${ast.kind}`);
  },
});

/**
 * One trace as the source writes it. Fields are checked one record at a time by the import (a bad record is
 * rejected with its index and field; the others are kept), so they carry no validation decorators here.
 */
@InputType({ description: 'A trace as written in the source (any script); checked record by record' })
export class ExternalRecordInput {
  // Nullable in the schema so that a record without it is rejected alone (checkRecord: "is required").
  @Field(() => String, { nullable: true, description: "Required. The source's own id: re-importing it updates the record" }) externalId: string;
  @Field(() => String, { nullable: true }) sourceUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) observedAt?: string | null;
  @Field(() => String, { nullable: true }) givenName?: string | null;
  @Field(() => String, { nullable: true }) familyName?: string | null;
  @Field(() => String, { nullable: true }) patronymic?: string | null;
  @Field(() => SexValue, { nullable: true }) sex?: Sex | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD, YYYY-MM or YYYY' }) birthDate?: string | null;
  @Field(() => String, { nullable: true }) placeOfBirth?: string | null;
  @Field(() => String, { nullable: true, description: 'Sensitive: place, institution, region where the child was found' }) foundAt?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2' }) foundCountry?: string | null;
  @Field(() => String, { nullable: true }) notes?: string | null;
}

@InputType()
export class ImportExternalRecordsInput {
  @Field({ description: 'Name of the source; with externalId it identifies a record' }) @Length(1, 200) source: string;
  @Field(() => ExternalSourceKind) sourceKind: ExternalSourceKind;
  @Field(() => [ExternalRecordInput], { description: 'At most 1,000 records per call' }) @ArrayMaxSize(1000) records: ExternalRecordInput[];
}

@InputType()
export class ExternalRecordFilter {
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200) source?: string;
  @Field(() => ExternalSourceKind, { nullable: true }) sourceKind?: ExternalSourceKind;
  @Field(() => Boolean, { nullable: true, description: 'Only traces confirmed as a child (true) or not yet (false)' }) @IsOptional() @IsBoolean() linked?: boolean;
  @Field(() => String, { nullable: true, description: 'Name search: any spelling, any script (compared on the name skeleton)' })
  @IsOptional() @Length(2, 100) search?: string;
}

@InputType()
export class MatchCandidateFilter {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() childId?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() externalRecordId?: string;
  @Field(() => MatchBand, { nullable: true }) @IsOptional() @IsIn(Object.values(MatchBand)) band?: MatchBand;
  @Field(() => MatchStatus, { nullable: true, description: 'Default: OPEN' }) @IsOptional() @IsIn(Object.values(MatchStatus)) status?: MatchStatus;
}

@InputType()
export class DecideMatchInput {
  @Field(() => ID) @IsUUID() id: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(4000) note?: string | null;
  @Field(() => Int, { nullable: true, description: 'The candidate version you reviewed; a changed candidate is refused with CONFLICT' })
  @IsOptional() @IsInt() @Min(1) expectedVersion?: number;
}

@InputType()
export class SetDoNotMatchInput {
  @Field(() => ID) @IsUUID() caseId: string;
  @Field({ description: 'true: leave this child out of matching (e.g. at the family\'s request)' }) @IsBoolean() doNotMatch: boolean;
  @Field(() => Int) @IsInt() @Min(1) expectedVersion: number;
}
