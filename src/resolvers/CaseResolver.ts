import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Case, CaseEvent, CaseShare, Child, Organization } from '../entities';
import { CaseFilter, ChangeCaseStatusInput, ReportChildInput, ShareCaseInput, UnshareCaseInput, UpdateCaseInput } from '../schema/inputs';
import { CaseConnection, CaseEventConnection } from '../schema/payloads';
import { CaseService } from '../services/CaseService';
import { readerStamps } from '../services/changeStamps';
import { argumentsAt, selectsField, selectsPath } from '../schema/selection';

@ArgsType()
class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (capped)' }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

@Resolver(() => Case)
export class CaseResolver {
  @Authorized()
  @Query(() => Case, { nullable: true, description: 'A case, or null when it does not exist or you may not read it' })
  case(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Case | null> {
    return CaseService.getCase(ctx, id);
  }

  @Authorized()
  @Query(() => CaseConnection)
  cases(
    @Ctx() ctx: Context,
    @Arg('filter', () => CaseFilter, { nullable: true }) filter: CaseFilter | undefined,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CaseConnection> {
    // The COUNT statement only when the query selects totalCount; the lead organizations, the children, their
    // guardians, the organizations of the shares and the first events in the page's statement when the query
    // selects them (issue 11).
    return CaseService.listCases(ctx, filter, first, after, {
      totalCount: selectsField(info, 'totalCount'),
      leadOrganization: selectsPath(info, ['edges', 'node', 'leadOrganization']),
      child: selectsPath(info, ['edges', 'node', 'child']),
      guardians: selectsPath(info, ['edges', 'node', 'child', 'guardians']),
      shareOrganizations: selectsPath(info, ['edges', 'node', 'shares', 'organization']),
      events: argumentsAt(info, ['edges', 'node', 'events'], 'Case', 'events'),
    });
  }

  @Authorized()
  @Mutation(() => Case, { description: 'Report a child: creates the child and its case in REPORTED' })
  reportChild(@Ctx() ctx: Context, @Arg('input', () => ReportChildInput) input: ReportChildInput): Promise<Case> {
    return CaseService.reportChild(ctx, input);
  }

  @Authorized()
  @Mutation(() => Case)
  changeCaseStatus(@Ctx() ctx: Context, @Arg('input', () => ChangeCaseStatusInput) input: ChangeCaseStatusInput): Promise<Case> {
    return CaseService.changeStatus(ctx, input);
  }

  @Authorized()
  @Mutation(() => Case)
  updateCase(@Ctx() ctx: Context, @Arg('input', () => UpdateCaseInput) input: UpdateCaseInput): Promise<Case> {
    return CaseService.updateCase(ctx, input);
  }

  @Authorized()
  @Mutation(() => Case)
  shareCase(@Ctx() ctx: Context, @Arg('input', () => ShareCaseInput) input: ShareCaseInput): Promise<Case> {
    return CaseService.shareCase(ctx, input);
  }

  @Authorized()
  @Mutation(() => Case)
  unshareCase(@Ctx() ctx: Context, @Arg('input', () => UnshareCaseInput) input: UnshareCaseInput): Promise<Case> {
    return CaseService.unshareCase(ctx, input);
  }

  @FieldResolver(() => Child, { nullable: true })
  child(@Ctx() ctx: Context, @Root() c: Case): Promise<Child | null> {
    return ctx.loaders.child.load(c.childId);
  }

  @FieldResolver(() => Organization, { nullable: true })
  leadOrganization(@Ctx() ctx: Context, @Root() c: Case): Promise<Organization | null> {
    return ctx.loaders.organization.load(c.leadOrganizationId);
  }

  @FieldResolver(() => [CaseShare], { nullable: true, description: 'Organizations the case is shared with (FULL readers only)' })
  async shares(@Ctx() ctx: Context, @Root() c: Case): Promise<CaseShare[]> {
    const facts = await ctx.loaders.accessFacts.load(c.childId);
    // childId lets the field guard find the case's access facts already loaded for this case.
    return (facts?.shares ?? []).map((s) => Object.assign(new CaseShare(), {
      caseId: c.id, childId: c.childId, organizationId: s.organizationId, access: s.access, createdAt: s.createdAt ? new Date(s.createdAt) : undefined,
    }));
  }

  @FieldResolver(() => Int)
  async version(@Ctx() ctx: Context, @Root() c: Case): Promise<number> {
    return (await readerStamps(ctx, 'Case', c)).version;
  }

  @FieldResolver(() => Date)
  async updatedAt(@Ctx() ctx: Context, @Root() c: Case): Promise<Date> {
    return (await readerStamps(ctx, 'Case', c)).updatedAt;
  }

  @FieldResolver(() => CaseEventConnection, { nullable: true, description: 'The case history, newest first' })
  events(@Ctx() ctx: Context, @Root() c: Case, @Args(() => PageArgs) { first, after }: PageArgs): Promise<CaseEventConnection> {
    return CaseService.caseEvents(ctx, c, first, after);
  }
}

@Resolver(() => CaseShare)
export class CaseShareResolver {
  @FieldResolver(() => Organization, { nullable: true })
  organization(@Ctx() ctx: Context, @Root() s: CaseShare): Promise<Organization | null> {
    return ctx.loaders.organization.load(s.organizationId);
  }
}

@Resolver(() => CaseEvent)
export class CaseEventResolver {
  @FieldResolver(() => ID, { description: 'Opaque (as eventId in caseStatusChanged): reveals nothing of other cases' })
  id(@Ctx() ctx: Context, @Root() e: CaseEvent): string {
    return ctx.deps.tokens.eventIds.encode(e.id);
  }
}
