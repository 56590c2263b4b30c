import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsOptional, IsUUID, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import {
  DnaTestStatus, GuardianVerificationKind, ReintegrationItemKind, ReintegrationItemStatus, ReturnDocumentState, ReturnOperationStatus,
} from './enums';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TEXT = 2000;

@InputType()
export class ReturnDocumentInput {
  @Field({ description: 'passport, birth certificate, exit permit, …' }) @Length(1, 100) kind: string;
  @Field(() => ReturnDocumentState) state: ReturnDocumentState;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(500) note?: string | null;
}

@InputType()
export class CreateReturnOperationInput {
  @Field() @Length(1, 200) name: string;
  @Field(() => String, { nullable: true, description: 'Mediating state or organization' }) @IsOptional() @MaxLength(300) mediator?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT) route?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(500) handoverPoint?: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) @IsOptional() @Matches(DATE) plannedHandoverDate?: string | null;
  @Field(() => [ID], { nullable: true, description: "Organizations running it (the creator's is always one)" })
  @IsOptional() @ArrayMaxSize(10) @IsUUID('all', { each: true }) organizationIds?: string[];
}

@InputType()
export class UpdateReturnOperationInput {
  @Field(() => ID) @IsUUID() operationId: string;
  @Field(() => Int) @IsInt() expectedVersion: number;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 200) name?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(300) mediator?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT) route?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(500) handoverPoint?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE) plannedHandoverDate?: string | null;
}

@InputType({ description: 'PLANNING → APPROVED → IN_PROGRESS; FAILED (from IN_PROGRESS) or CANCELLED need a reason. COMPLETED: completeReturnOperation' })
export class ChangeReturnOperationStatusInput {
  @Field(() => ID) @IsUUID() operationId: string;
  @Field(() => ReturnOperationStatus) status: ReturnOperationStatus;
  @Field(() => Int) @IsInt() expectedVersion: number;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, TEXT) reason?: string | null;
}

@InputType({ description: "Adds a LOCATED child's case; the case moves to RETURN_IN_PROGRESS" })
export class AddChildToReturnInput {
  @Field(() => ID) @IsUUID() operationId: string;
  @Field(() => ID) @IsUUID() caseId: string;
  @Field(() => Int, { description: "The case's version" }) @IsInt() expectedCaseVersion: number;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(300) escort?: string | null;
  @Field(() => [ReturnDocumentInput], { nullable: true }) @IsOptional() @ArrayMaxSize(20) @ValidateNested({ each: true }) documents?: ReturnDocumentInput[];
}

@InputType()
export class UpdateReturnChildInput {
  @Field(() => ID) @IsUUID() entryId: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(300) escort?: string | null;
  @Field(() => [ReturnDocumentInput], { nullable: true }) @IsOptional() @ArrayMaxSize(20) @ValidateNested({ each: true }) documents?: ReturnDocumentInput[];
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() receivingGuardianId?: string | null;
}

@InputType()
export class ReturnChildOutcomeInput {
  @Field(() => ID) @IsUUID() entryId: string;
  @Field({ description: 'true: handed over; false: did not come back (a note is required)' }) returned: boolean;
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, TEXT) note?: string | null;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() receivingGuardianId?: string | null;
}

@InputType({ description: 'Every child of the operation, once: returned ones become RETURNED, the others LOCATED, in one transaction' })
export class CompleteReturnOperationInput {
  @Field(() => ID) @IsUUID() operationId: string;
  @Field(() => Int) @IsInt() expectedVersion: number;
  @Field({ description: 'YYYY-MM-DD' }) @Matches(DATE) actualHandoverDate: string;
  @Field(() => [ReturnChildOutcomeInput]) @ArrayMinSize(1) @ArrayMaxSize(200) @ValidateNested({ each: true }) children: ReturnChildOutcomeInput[];
}

@InputType()
export class RecordGuardianVerificationInput {
  @Field(() => ID) @IsUUID() caseId: string;
  @Field(() => GuardianVerificationKind) kind: GuardianVerificationKind;
  @Field(() => ID, { nullable: true, description: 'The guardian (GUARDIAN_IDENTITY)' }) @IsOptional() @IsUUID() guardianId?: string | null;
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(20) @Length(1, 200, { each: true }) documentsSeen?: string[];
  @Field({ nullable: true, defaultValue: false, description: 'A DNA test was requested; the verification stays PENDING until its result' }) dnaTestRequested?: boolean;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(300) authorityName?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) decisionReference?: string | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) @IsOptional() @Matches(DATE) decisionDate?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT) note?: string | null;
}

@InputType()
export class RecordDnaResultInput {
  @Field(() => ID) @IsUUID() verificationId: string;
  @Field(() => DnaTestStatus, { description: 'MATCH or NO_MATCH' }) @IsIn([DnaTestStatus.MATCH, DnaTestStatus.NO_MATCH]) result: DnaTestStatus;
}

@InputType()
export class UpdateReintegrationItemInput {
  @Field(() => ID) @IsUUID() itemId: string;
  @Field(() => Int, { description: "The plan's version" }) @IsInt() expectedVersion: number;
  @Field(() => ReintegrationItemStatus, { nullable: true }) @IsOptional() status?: ReintegrationItemStatus | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT) note?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @Matches(DATE) dueDate?: string | null;
}

@InputType()
export class AddReintegrationItemInput {
  @Field(() => ID) @IsUUID() planId: string;
  @Field(() => Int) @IsInt() expectedVersion: number;
  @Field(() => ReintegrationItemKind) kind: ReintegrationItemKind;
  @Field() @Length(1, 200) title: string;
  @Field(() => ID) @IsUUID() ownerOrganizationId: string;
  @Field() @Matches(DATE) dueDate: string;
  @Field({ nullable: true, defaultValue: false }) mandatory?: boolean;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT) note?: string | null;
}

@InputType()
export class CompleteFollowUpInput {
  @Field(() => ID) @IsUUID() followUpId: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(TEXT) note?: string | null;
}

export const FOLLOW_UP_MONTHS = [1, 3, 6, 12] as const;
