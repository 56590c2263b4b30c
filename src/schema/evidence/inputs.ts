import { ArrayMaxSize, ArrayMinSize, IsIn, IsOptional, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { EvidenceClassification, EvidenceKind, IncidentDatePrecision, LegalQualification } from '../enums';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const COUNTRY = /^[A-Z]{2}$/;
const ENTITY_TYPES = ['Case', 'Child', 'Guardian', 'Session', 'Incident', 'EvidenceItem', 'Dossier', 'User', 'Placement', 'CarePlan'];

@InputType({ description: 'A documented deportation or transfer; it concerns one or more cases' })
export class CreateIncidentInput {
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) @IsOptional() @Matches(DATE, { message: 'occurredOn must be YYYY-MM-DD' }) occurredOn?: string | null;
  @Field(() => IncidentDatePrecision, { nullable: true }) @IsOptional() occurredPrecision?: IncidentDatePrecision | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 300) takenFrom?: string | null;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2' }) @IsOptional() @Matches(COUNTRY, { message: 'destinationCountry must be an ISO 3166-1 alpha-2 code' }) destinationCountry?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 300) destinationRegion?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 300) destinationFacility?: string | null;
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(50) @Length(1, 300, { each: true }) responsible?: string[] | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(20000) narrative?: string | null;
  @Field(() => [LegalQualification], { nullable: true }) @IsOptional() @ArrayMaxSize(20) qualifications?: LegalQualification[] | null;
  @Field(() => [ID]) @ArrayMinSize(1) @ArrayMaxSize(500) @IsUUID('all', { each: true }) caseIds: string[];
}

@InputType({ description: 'Metadata of a file or testimony; upload the file with POST /evidence/{id}/content' })
export class CreateEvidenceItemInput {
  @Field(() => EvidenceKind) kind: EvidenceKind;
  @Field() @Length(1, 500) title: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(20000) description?: string | null;
  @Field(() => Date, { nullable: true }) @IsOptional() capturedAt?: Date | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 300) capturedBy?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 300) capturedWith?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 1000) source?: string | null;
  @Field(() => EvidenceClassification, { nullable: true, description: 'Default RESTRICTED' }) @IsOptional() classification?: EvidenceClassification | null;
  @Field(() => [ID], { nullable: true }) @IsOptional() @ArrayMaxSize(100) @IsUUID('all', { each: true }) incidentIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) @IsOptional() @ArrayMaxSize(500) @IsUUID('all', { each: true }) caseIds?: string[] | null;
  @Field(() => ID, { nullable: true, description: 'The original this is derived from (a redacted version, a transcript)' })
  @IsOptional() @IsUUID() derivedFromId?: string | null;
}

@InputType()
export class EvidenceFilter {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() incidentId?: string | null;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() caseId?: string | null;
}

@InputType({ description: 'Hand an item to another organization; its custody passes when a user there acknowledges' })
export class TransferEvidenceInput {
  @Field(() => ID) @IsUUID() evidenceId: string;
  @Field(() => ID) @IsUUID() toOrganizationId: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(2000) note?: string | null;
}

@InputType()
export class AuditTrailFilter {
  @Field(() => String, { nullable: true }) @IsOptional() @IsIn(ENTITY_TYPES) entityType?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 100) entityId?: string | null;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() userId?: string | null;
  @Field(() => Date, { nullable: true }) @IsOptional() from?: Date | null;
  @Field(() => Date, { nullable: true }) @IsOptional() to?: Date | null;
}

/** The most cases one dossier export may name. */
export const MAX_DOSSIER_CASES = 200;

@InputType({ description: 'Either an incident or a list of cases' })
export class ExportDossierInput {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() incidentId?: string | null;
  @Field(() => [ID], { nullable: true }) @IsOptional() @ArrayMinSize(1) @ArrayMaxSize(MAX_DOSSIER_CASES) @IsUUID('all', { each: true }) caseIds?: string[] | null;
}
