import { Args, ArgsType, Ctx, Field, FieldResolver, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../context';
import { Case, Organization } from '../entities';
import { CaseEventActor, CaseStatusChange } from '../schema/CaseStatusChange';
import { CaseEventKind } from '../schema/enums';
import { CaseSubscriptionService, type CaseStatusChangedArgs } from '../services/CaseSubscriptionService';

@ArgsType()
class CaseStatusChangedArgsType implements CaseStatusChangedArgs {
  @Field(() => ID, { nullable: true, description: 'Only this case' }) caseId?: string;
  @Field(() => ID, { nullable: true, description: 'Only cases led by or shared with this organization' }) organizationId?: string;
  @Field(() => ID, { nullable: true, description: 'First deliver the events after this one (missed while away), then live ones' }) afterEventId?: string;
  @Field(() => [CaseEventKind], { nullable: true, description: 'Event kinds to deliver; default CREATED and STATUS_CHANGED' }) kinds?: CaseEventKind[];
}

@Resolver(() => CaseStatusChange)
export class CaseSubscriptionResolver {
  @Subscription(() => CaseStatusChange, {
    description: 'Committed changes of the cases you may read, checked per event; over graphql-ws',
    subscribe: ({ context, args }) => CaseSubscriptionService.subscribe(context as Context, args as CaseStatusChangedArgs),
  })
  caseStatusChanged(@Root() change: CaseStatusChange, @Args(() => CaseStatusChangedArgsType) _args: CaseStatusChangedArgsType): CaseStatusChange {
    return change;
  }

  @FieldResolver(() => Case, { nullable: true, description: 'The case as it is now, with your field permissions' })
  case(@Ctx() ctx: Context, @Root() change: CaseStatusChange): Promise<Case | null> {
    return ctx.loaders.case.load(change.source.case.id);
  }

  @FieldResolver(() => String, { nullable: true, description: 'FORBIDDEN unless you may read the case history' })
  note(@Ctx() ctx: Context, @Root() change: CaseStatusChange): string | null {
    return CaseSubscriptionService.note(ctx, change);
  }

  @FieldResolver(() => CaseEventActor, { nullable: true, description: 'FORBIDDEN unless you may read the case history' })
  actor(@Ctx() ctx: Context, @Root() change: CaseStatusChange): CaseEventActor | null {
    return CaseSubscriptionService.actor(ctx, change);
  }
}

@Resolver(() => CaseEventActor)
export class CaseEventActorResolver {
  @FieldResolver(() => Organization, { nullable: true })
  organization(@Ctx() ctx: Context, @Root() actor: CaseEventActor): Promise<Organization | null> | null {
    return CaseSubscriptionService.actorOrganization(ctx, actor);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Only for members of the same organization (else FORBIDDEN)' })
  displayName(@Ctx() ctx: Context, @Root() actor: CaseEventActor): string | null {
    return CaseSubscriptionService.actorName(ctx, actor);
  }
}
