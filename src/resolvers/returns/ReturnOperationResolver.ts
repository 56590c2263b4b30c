import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Case, Child, Guardian, GuardianVerification, Organization, ReturnOperation, ReturnOperationChild } from '../../entities';
import { ReturnOperationStatus } from '../../schema/returns/enums';
import {
  AddChildToReturnInput, ChangeReturnOperationStatusInput, CompleteReturnOperationInput, CreateReturnOperationInput,
  RecordDnaResultInput, RecordGuardianVerificationInput, UpdateReturnChildInput, UpdateReturnOperationInput,
} from '../../schema/returns/inputs';
import { returnsLoaders } from '../../services/returns/access';
import { ReturnService } from '../../services/returns/ReturnService';

const nonNull = <T>(xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);

@Resolver(() => ReturnOperation)
export class ReturnOperationResolver {
  @Authorized()
  @Query(() => ReturnOperation, { nullable: true, description: 'A return operation, or null when it does not exist or you may not read it' })
  returnOperation(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ReturnOperation | null> {
    return ReturnService.getOperation(ctx, id);
  }

  @Authorized()
  @Query(() => [ReturnOperation], { description: 'Return operations you may read (council: all; case workers: those their organization runs), newest first' })
  returnOperations(
    @Ctx() ctx: Context,
    @Arg('status', () => ReturnOperationStatus, { nullable: true }) status: ReturnOperationStatus | undefined,
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
  ): Promise<ReturnOperation[]> {
    return ReturnService.listOperations(ctx, status, first);
  }

  @Authorized()
  @Query(() => Int, { description: 'How many return operations you may read' })
  returnOperationCount(@Ctx() ctx: Context, @Arg('status', () => ReturnOperationStatus, { nullable: true }) status: ReturnOperationStatus | undefined): Promise<number> {
    return ReturnService.countOperations(ctx, status);
  }

  @Authorized()
  @Mutation(() => ReturnOperation)
  createReturnOperation(@Ctx() ctx: Context, @Arg('input', () => CreateReturnOperationInput) input: CreateReturnOperationInput): Promise<ReturnOperation> {
    return ReturnService.createOperation(ctx, input);
  }

  @Authorized()
  @Mutation(() => ReturnOperation)
  updateReturnOperation(@Ctx() ctx: Context, @Arg('input', () => UpdateReturnOperationInput) input: UpdateReturnOperationInput): Promise<ReturnOperation> {
    return ReturnService.updateOperation(ctx, input);
  }

  @Authorized()
  @Mutation(() => ReturnOperation)
  changeReturnOperationStatus(@Ctx() ctx: Context, @Arg('input', () => ChangeReturnOperationStatusInput) input: ChangeReturnOperationStatusInput): Promise<ReturnOperation> {
    return ReturnService.changeOperationStatus(ctx, input);
  }

  @Authorized()
  @Mutation(() => ReturnOperation, { description: "Adds a LOCATED child's case; the case becomes RETURN_IN_PROGRESS" })
  addChildToReturnOperation(@Ctx() ctx: Context, @Arg('input', () => AddChildToReturnInput) input: AddChildToReturnInput): Promise<ReturnOperation> {
    return ReturnService.addChild(ctx, input);
  }

  @Authorized()
  @Mutation(() => ReturnOperationChild)
  updateReturnOperationChild(@Ctx() ctx: Context, @Arg('input', () => UpdateReturnChildInput) input: UpdateReturnChildInput): Promise<ReturnOperationChild> {
    return ReturnService.updateChild(ctx, input);
  }

  @Authorized()
  @Mutation(() => ReturnOperation, { description: 'Returned children become RETURNED (verified guardian needed), the others LOCATED, in one transaction' })
  completeReturnOperation(@Ctx() ctx: Context, @Arg('input', () => CompleteReturnOperationInput) input: CompleteReturnOperationInput): Promise<ReturnOperation> {
    return ReturnService.complete(ctx, input);
  }

  @Authorized()
  @Mutation(() => GuardianVerification)
  recordGuardianVerification(@Ctx() ctx: Context, @Arg('input', () => RecordGuardianVerificationInput) input: RecordGuardianVerificationInput): Promise<GuardianVerification> {
    return ReturnService.recordVerification(ctx, input);
  }

  @Authorized()
  @Mutation(() => GuardianVerification)
  recordDnaTestResult(@Ctx() ctx: Context, @Arg('input', () => RecordDnaResultInput) input: RecordDnaResultInput): Promise<GuardianVerification> {
    return ReturnService.recordDnaResult(ctx, input);
  }

  @Authorized()
  @Query(() => [GuardianVerification], { description: "Verifications of a case's receiving guardians (empty unless you may read them)" })
  guardianVerifications(@Ctx() ctx: Context, @Arg('caseId', () => ID) caseId: string): Promise<GuardianVerification[]> {
    return returnsLoaders(ctx).verificationsByCase.load(caseId);
  }

  @FieldResolver(() => [Organization], { description: 'The organizations running the operation' })
  async organizations(@Ctx() ctx: Context, @Root() op: ReturnOperation): Promise<Organization[]> {
    const ids = await returnsLoaders(ctx).organizationIdsByOperation.load(op.id);
    return nonNull(await ctx.loaders.organization.loadMany(ids).then((xs) => xs.map((x) => (x instanceof Error ? null : x))));
  }

  @FieldResolver(() => [ReturnOperationChild])
  children(@Ctx() ctx: Context, @Root() op: ReturnOperation): Promise<ReturnOperationChild[]> {
    return returnsLoaders(ctx).entriesByOperation.load(op.id);
  }
}

@Resolver(() => ReturnOperationChild)
export class ReturnOperationChildResolver {
  @FieldResolver(() => ReturnOperation, { nullable: true })
  operation(@Ctx() ctx: Context, @Root() e: ReturnOperationChild): Promise<ReturnOperation | null> {
    return returnsLoaders(ctx).operation.load(e.operationId);
  }

  @FieldResolver(() => Case, { nullable: true, description: 'The case, if you may read it' })
  case(@Ctx() ctx: Context, @Root() e: ReturnOperationChild): Promise<Case | null> {
    return ctx.loaders.case.load(e.caseId);
  }

  @FieldResolver(() => Child, { nullable: true, description: 'The child, if you may read it' })
  child(@Ctx() ctx: Context, @Root() e: ReturnOperationChild): Promise<Child | null> {
    return ctx.loaders.child.load(e.childId);
  }

  @FieldResolver(() => Guardian, { nullable: true })
  receivingGuardian(@Ctx() ctx: Context, @Root() e: ReturnOperationChild): Promise<Guardian | null> | null {
    return e.receivingGuardianId ? returnsLoaders(ctx).guardian.load(e.receivingGuardianId) : null;
  }
}

@Resolver(() => GuardianVerification)
export class GuardianVerificationResolver {
  @FieldResolver(() => Case, { nullable: true })
  case(@Ctx() ctx: Context, @Root() v: GuardianVerification): Promise<Case | null> {
    return ctx.loaders.case.load(v.caseId);
  }

  @FieldResolver(() => Guardian, { nullable: true })
  guardian(@Ctx() ctx: Context, @Root() v: GuardianVerification): Promise<Guardian | null> | null {
    return v.guardianId ? returnsLoaders(ctx).guardian.load(v.guardianId) : null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'Who verified (the name only for members of the same organization)' })
  verifiedBy(@Ctx() ctx: Context, @Root() v: GuardianVerification): Promise<string | null> | null {
    return v.verifiedById ? returnsLoaders(ctx).userName.load(v.verifiedById) : null;
  }

  @FieldResolver(() => Organization, { nullable: true })
  verifiedByOrganization(@Ctx() ctx: Context, @Root() v: GuardianVerification): Promise<Organization | null> | null {
    return v.verifiedByOrganizationId ? ctx.loaders.organization.load(v.verifiedByOrganizationId) : null;
  }
}
