import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Case, FollowUp, Organization, ReintegrationPlan, ReintegrationPlanItem, Session } from '../../entities';
import { AddReintegrationItemInput, CompleteFollowUpInput, UpdateReintegrationItemInput } from '../../schema/returns/inputs';
import { returnsLoaders } from '../../services/returns/access';
import { ReintegrationService } from '../../services/returns/ReintegrationService';

@Resolver(() => ReintegrationPlan)
export class ReintegrationPlanResolver {
  @Authorized()
  @Query(() => ReintegrationPlan, { nullable: true, description: "A returned child's reintegration plan, or null when there is none you may read" })
  reintegrationPlan(@Ctx() ctx: Context, @Arg('caseId', () => ID) caseId: string): Promise<ReintegrationPlan | null> {
    return ReintegrationService.planForCase(ctx, caseId);
  }

  @Authorized()
  @Query(() => [FollowUp], { description: "Follow-up visits past due and not done, of one organization (default: yours), that you may read" })
  overdueFollowUps(
    @Ctx() ctx: Context,
    @Arg('organizationId', () => ID, { nullable: true }) organizationId: string | undefined,
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
  ): Promise<FollowUp[]> {
    return ReintegrationService.overdueFollowUps(ctx, organizationId, first);
  }

  @Authorized()
  @Mutation(() => ReintegrationPlanItem)
  updateReintegrationItem(@Ctx() ctx: Context, @Arg('input', () => UpdateReintegrationItemInput) input: UpdateReintegrationItemInput): Promise<ReintegrationPlanItem> {
    return ReintegrationService.updateItem(ctx, input);
  }

  @Authorized()
  @Mutation(() => ReintegrationPlanItem)
  addReintegrationItem(@Ctx() ctx: Context, @Arg('input', () => AddReintegrationItemInput) input: AddReintegrationItemInput): Promise<ReintegrationPlanItem> {
    return ReintegrationService.addItem(ctx, input);
  }

  @Authorized()
  @Mutation(() => FollowUp)
  completeFollowUp(@Ctx() ctx: Context, @Arg('input', () => CompleteFollowUpInput) input: CompleteFollowUpInput): Promise<FollowUp> {
    return ReintegrationService.completeFollowUp(ctx, input);
  }

  @Authorized()
  @Mutation(() => [FollowUp], { description: "Books the plan's future follow-up tasks as social-worker sessions where the child is now placed" })
  scheduleFollowUps(@Ctx() ctx: Context, @Arg('planId', () => ID) planId: string): Promise<FollowUp[]> {
    return ReintegrationService.scheduleFollowUps(ctx, planId);
  }

  @FieldResolver(() => Case, { nullable: true })
  case(@Ctx() ctx: Context, @Root() p: ReintegrationPlan): Promise<Case | null> {
    return ctx.loaders.case.load(p.caseId);
  }

  @FieldResolver(() => [ReintegrationPlanItem])
  items(@Ctx() ctx: Context, @Root() p: ReintegrationPlan): Promise<ReintegrationPlanItem[]> {
    return returnsLoaders(ctx).itemsByPlan.load(p.id);
  }

  @FieldResolver(() => [FollowUp])
  followUps(@Ctx() ctx: Context, @Root() p: ReintegrationPlan): Promise<FollowUp[]> {
    return returnsLoaders(ctx).followUpsByPlan.load(p.id);
  }
}

@Resolver(() => ReintegrationPlanItem)
export class ReintegrationItemResolver {
  @FieldResolver(() => Organization, { nullable: true })
  ownerOrganization(@Ctx() ctx: Context, @Root() i: ReintegrationPlanItem): Promise<Organization | null> {
    return ctx.loaders.organization.load(i.ownerOrganizationId);
  }
}

@Resolver(() => FollowUp)
export class FollowUpResolver {
  @FieldResolver(() => Case, { nullable: true, description: 'The case, if you may read it' })
  case(@Ctx() ctx: Context, @Root() f: FollowUp): Promise<Case | null> {
    return ctx.loaders.case.load(f.caseId);
  }

  @FieldResolver(() => Session, { nullable: true, description: 'The social-worker session (kind SESSION), if you may read it' })
  session(@Ctx() ctx: Context, @Root() f: FollowUp): Promise<Session | null> | null {
    return f.sessionId ? returnsLoaders(ctx).session.load(f.sessionId) : null;
  }

  @FieldResolver(() => Organization, { nullable: true })
  ownerOrganization(@Ctx() ctx: Context, @Root() f: FollowUp): Promise<Organization | null> {
    return ctx.loaders.organization.load(f.ownerOrganizationId);
  }

  @FieldResolver(() => Boolean, { description: 'Past its due date and not done' })
  overdue(@Ctx() ctx: Context, @Root() f: FollowUp): Promise<boolean> {
    return ReintegrationService.isOverdue(ctx, f);
  }
}
