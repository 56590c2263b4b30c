import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Centre, Child, Room, Specialist } from '../entities';
import { ProposeScheduleInput } from '../schema/schedulingInputs';
import { AppliedSchedule, ProposedAssignment, ProposedSessionView, ScheduleProposalView, UnmetNeedView } from '../schema/schedulingPayloads';
import { SchedulingService } from '../services/SchedulingService';

@Resolver(() => ScheduleProposalView)
export class ScheduleResolver {
  @Authorized()
  @Mutation(() => ScheduleProposalView, { description: 'Proposes a timetable for a centre and a period (at most 7 days); nothing is booked until applied' })
  proposeSchedule(@Ctx() ctx: Context, @Arg('input', () => ProposeScheduleInput) input: ProposeScheduleInput): Promise<ScheduleProposalView> {
    return SchedulingService.proposeSchedule(ctx, input);
  }

  @Authorized()
  @Mutation(() => AppliedSchedule, { description: 'Books a proposal in one transaction; CONFLICT (nothing written) when the world changed since' })
  applyScheduleProposal(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<AppliedSchedule> {
    return SchedulingService.applyScheduleProposal(ctx, id);
  }

  @FieldResolver(() => Centre, { nullable: true })
  centre(@Ctx() ctx: Context, @Root() p: ScheduleProposalView): Promise<Centre | null> {
    return ctx.loaders.scheduling.centre.load(p.centreId);
  }
}

@Resolver(() => ProposedSessionView)
export class ProposedSessionResolver {
  @FieldResolver(() => Child, { nullable: true })
  child(@Ctx() ctx: Context, @Root() s: ProposedSessionView): Promise<Child | null> {
    return ctx.loaders.child.load(s.childId);
  }

  @FieldResolver(() => Specialist, { nullable: true })
  specialist(@Ctx() ctx: Context, @Root() s: ProposedSessionView): Promise<Specialist | null> {
    return ctx.loaders.scheduling.specialist.load(s.specialistId);
  }

  @FieldResolver(() => Room, { nullable: true })
  room(@Ctx() ctx: Context, @Root() s: ProposedSessionView): Promise<Room | null> {
    return ctx.loaders.scheduling.room.load(s.roomId);
  }
}

@Resolver(() => ProposedAssignment)
export class ProposedAssignmentResolver {
  @FieldResolver(() => Child, { nullable: true })
  child(@Ctx() ctx: Context, @Root() a: ProposedAssignment): Promise<Child | null> {
    return ctx.loaders.child.load(a.childId);
  }

  @FieldResolver(() => Specialist, { nullable: true })
  specialist(@Ctx() ctx: Context, @Root() a: ProposedAssignment): Promise<Specialist | null> {
    return ctx.loaders.scheduling.specialist.load(a.specialistId);
  }
}

@Resolver(() => UnmetNeedView)
export class UnmetNeedResolver {
  @FieldResolver(() => Child, { nullable: true })
  child(@Ctx() ctx: Context, @Root() u: UnmetNeedView): Promise<Child | null> {
    return ctx.loaders.child.load(u.childId);
  }
}
