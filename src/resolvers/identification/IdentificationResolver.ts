import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import { FieldGuard } from '../../auth/fieldGuard';
import { canReadFoundAt } from '../../auth/identification/traceAccess';
import type { Context } from '../../context';
import { Case, Child, ExternalRecord, MatchCandidate, Organization } from '../../entities';
import { forbidden } from '../../errors';
import { CaseEventActor } from '../../schema/CaseStatusChange';
import {
  DecideMatchInput, ExternalRecordFilter, ImportExternalRecordsInput, MatchCandidateFilter, SetDoNotMatchInput,
} from '../../schema/identification/inputs';
import { ExternalRecordConnection, ImportExternalRecordsPayload, MatchCandidateConnection } from '../../schema/identification/payloads';
import { ExternalRecordService } from '../../services/identification/ExternalRecordService';
import { identificationLoaders } from '../../services/identification/identificationLoaders';
import { MatchService } from '../../services/identification/MatchService';

@ArgsType()
class IdentificationPageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size (capped)' }) first?: number;
  @Field(() => String, { nullable: true }) after?: string;
}

@Resolver(() => ExternalRecord)
export class ExternalRecordResolver {
  @Authorized()
  @Query(() => ExternalRecord, { nullable: true, description: 'A trace, or null when absent or not readable' })
  externalRecord(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<ExternalRecord | null> {
    return ExternalRecordService.get(ctx, id);
  }

  @Authorized()
  @Query(() => ExternalRecordConnection, { description: 'Traces you may read, newest first' })
  externalRecords(
    @Ctx() ctx: Context,
    @Arg('filter', () => ExternalRecordFilter, { nullable: true }) filter: ExternalRecordFilter | undefined,
    @Args(() => IdentificationPageArgs) { first, after }: IdentificationPageArgs,
  ): Promise<ExternalRecordConnection> {
    return ExternalRecordService.list(ctx, filter, first, after);
  }

  @Authorized()
  @Mutation(() => ImportExternalRecordsPayload, { description: 'Import up to 1,000 traces of one source; matched before it returns' })
  importExternalRecords(@Ctx() ctx: Context, @Arg('input', () => ImportExternalRecordsInput) input: ImportExternalRecordsInput): Promise<ImportExternalRecordsPayload> {
    return ExternalRecordService.importRecords(ctx, input);
  }

  @FieldResolver(() => String, { nullable: true, description: "Sensitive: where the child was found; readable like a child's current location" })
  async foundAt(@Ctx() ctx: Context, @Root() r: ExternalRecord): Promise<string | null> {
    if (!(await canReadFoundAt(ctx, r, (id) => identificationLoaders(ctx).traceChildren.load(id)))) throw forbidden('Not allowed to read ExternalRecord.foundAt');
    return r.foundAt;
  }

  @FieldResolver(() => Child, { nullable: true, description: 'The child a person confirmed this trace as, when you may read that match' })
  async linkedChild(@Ctx() ctx: Context, @Root() r: ExternalRecord): Promise<Child | null> {
    if (!r.linkedChildId) return null;
    // Through the confirmed candidate the reader may read (not the child's summary: which child a trace became is
    // the match, which SUMMARY readers and the case workers of a superseded candidate do not see).
    const childId = await identificationLoaders(ctx).linkedChildId.load(r.id);
    return childId ? ctx.loaders.child.load(childId) : null;
  }

  @FieldResolver(() => Organization, { nullable: true, description: 'The organization that imported the trace' })
  capturedByOrganization(@Ctx() ctx: Context, @Root() r: ExternalRecord): Promise<Organization | null> | null {
    return r.capturedByOrganizationId ? ctx.loaders.organization.load(r.capturedByOrganizationId) : null;
  }
}

@Resolver(() => MatchCandidate)
export class MatchCandidateResolver {
  @Authorized()
  @Query(() => MatchCandidateConnection, { description: 'Match candidates you may read, best first (default status OPEN)' })
  matchCandidates(
    @Ctx() ctx: Context,
    @Arg('filter', () => MatchCandidateFilter, { nullable: true }) filter: MatchCandidateFilter | undefined,
    @Args(() => IdentificationPageArgs) { first, after }: IdentificationPageArgs,
  ): Promise<MatchCandidateConnection> {
    return MatchService.list(ctx, filter, first, after);
  }

  @Authorized()
  @Query(() => MatchCandidate, { nullable: true })
  matchCandidate(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<MatchCandidate | null> {
    return MatchService.get(ctx, id);
  }

  @Authorized()
  @Mutation(() => MatchCandidate, { description: "Confirm the trace is the child (needs update rights on the child's case)" })
  confirmMatch(@Ctx() ctx: Context, @Arg('input', () => DecideMatchInput) input: DecideMatchInput): Promise<MatchCandidate> {
    return MatchService.confirm(ctx, input);
  }

  @Authorized()
  @Mutation(() => MatchCandidate, { description: 'Reject the pair: never proposed again for these two records' })
  rejectMatch(@Ctx() ctx: Context, @Arg('input', () => DecideMatchInput) input: DecideMatchInput): Promise<MatchCandidate> {
    return MatchService.reject(ctx, input);
  }

  @FieldResolver(() => Child, { nullable: true })
  child(@Ctx() ctx: Context, @Root() m: MatchCandidate): Promise<Child | null> {
    return ctx.loaders.child.load(m.childId);
  }

  @FieldResolver(() => ExternalRecord, { nullable: true })
  externalRecord(@Ctx() ctx: Context, @Root() m: MatchCandidate): Promise<ExternalRecord | null> {
    return identificationLoaders(ctx).externalRecord.load(m.externalRecordId);
  }

  @FieldResolver(() => CaseEventActor, { nullable: true, description: 'Who decided: the organization; the person only for members of the same organization' })
  async decidedBy(@Ctx() ctx: Context, @Root() m: MatchCandidate): Promise<CaseEventActor | null> {
    if (!m.decidedById && !m.decidedByOrganizationId) return null;
    const displayName = m.decidedById ? await identificationLoaders(ctx).userName.load(m.decidedById) : null;
    return { organizationId: m.decidedByOrganizationId, displayName };
  }
}

@Resolver(() => Case)
export class CaseMatchingResolver {
  @Authorized()
  @Mutation(() => Case, { description: "Leave a case's child out of matching (or take it back in)" })
  setCaseDoNotMatch(@Ctx() ctx: Context, @Arg('input', () => SetDoNotMatchInput) input: SetDoNotMatchInput): Promise<Case> {
    return MatchService.setDoNotMatch(ctx, input);
  }

  @UseMiddleware(FieldGuard)
  @FieldResolver(() => Boolean, { nullable: true, description: 'The child is left out of matching (e.g. at the family\'s request)' })
  doNotMatch(@Ctx() ctx: Context, @Root() c: Case): Promise<boolean> {
    return identificationLoaders(ctx).doNotMatch.load(c.id);
  }
}
