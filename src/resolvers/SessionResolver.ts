import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { Centre, Child, Room, Session, SessionSeries, Specialist } from '../entities';
import { SeriesScope } from '../schema/enums';
import { BookSessionInput } from '../schema/schedulingInputs';
import { BookingResult, type BookedSessions, type BookingConflicts } from '../schema/schedulingPayloads';
import { BookingService } from '../services/BookingService';
import { SchedulingService } from '../services/SchedulingService';
import { readerStamps } from '../services/changeStamps';

@Resolver(() => Session)
export class SessionResolver {
  @Authorized()
  @Query(() => [Session], { description: 'Sessions at a centre starting in [from, to) (at most 92 days)' })
  sessions(@Ctx() ctx: Context, @Arg('centreId', () => ID) centreId: string, @Arg('from') from: Date, @Arg('to') to: Date): Promise<Session[]> {
    return SchedulingService.listSessions(ctx, centreId, from, to);
  }

  @Authorized()
  @Query(() => [Session], { description: "A specialist's sessions starting in [from, to), at every centre" })
  specialistSchedule(@Ctx() ctx: Context, @Arg('specialistId', () => ID) specialistId: string, @Arg('from') from: Date, @Arg('to') to: Date): Promise<Session[]> {
    return SchedulingService.specialistSchedule(ctx, specialistId, from, to);
  }

  @Authorized()
  @Mutation(() => BookingResult, { description: 'Books a session or a whole series (all or nothing); conflicts are a result, not an error' })
  bookSession(@Ctx() ctx: Context, @Arg('input', () => BookSessionInput) input: BookSessionInput): Promise<BookedSessions | BookingConflicts> {
    return BookingService.bookSession(ctx, input);
  }

  @Authorized()
  @Mutation(() => [Session], { description: 'Cancels this occurrence, this and the following ones, or the series' })
  cancelSession(
    @Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('scope', () => SeriesScope, { defaultValue: SeriesScope.THIS }) scope: SeriesScope,
  ): Promise<Session[]> {
    return BookingService.cancelSession(ctx, id, scope);
  }

  @Authorized()
  @Mutation(() => BookingResult, { description: 'Moves this occurrence (or the following ones, or the series) keeping local times across DST' })
  rescheduleSession(
    @Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('startsAt') startsAt: Date,
    @Arg('scope', () => SeriesScope, { defaultValue: SeriesScope.THIS }) scope: SeriesScope,
  ): Promise<BookedSessions | BookingConflicts> {
    return BookingService.rescheduleSession(ctx, id, startsAt, scope);
  }

  @Authorized()
  @Mutation(() => Session)
  completeSession(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Session> {
    return BookingService.completeSession(ctx, id);
  }

  @Authorized()
  @Mutation(() => Session)
  markNoShow(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Session> {
    return BookingService.markNoShow(ctx, id);
  }

  @Authorized()
  @Mutation(() => Session, { description: "Writes the session's notes (its own specialist only)" })
  updateSessionNotes(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('notes', () => String, { nullable: true }) notes: string | null): Promise<Session> {
    return BookingService.updateNotes(ctx, id, notes);
  }

  @FieldResolver(() => Date)
  async updatedAt(@Ctx() ctx: Context, @Root() s: Session): Promise<Date> {
    return (await readerStamps(ctx, 'Session', s)).updatedAt;
  }

  @FieldResolver(() => Child, { nullable: true })
  child(@Ctx() ctx: Context, @Root() s: Session): Promise<Child | null> {
    return ctx.loaders.child.load(s.childId);
  }

  @FieldResolver(() => Specialist, { nullable: true })
  specialist(@Ctx() ctx: Context, @Root() s: Session): Promise<Specialist | null> {
    return ctx.loaders.scheduling.specialist.load(s.specialistId);
  }

  @FieldResolver(() => Room, { nullable: true })
  room(@Ctx() ctx: Context, @Root() s: Session): Promise<Room | null> {
    return ctx.loaders.scheduling.room.load(s.roomId);
  }

  @FieldResolver(() => Centre, { nullable: true })
  centre(@Ctx() ctx: Context, @Root() s: Session): Promise<Centre | null> {
    return ctx.loaders.scheduling.centre.load(s.centreId);
  }

  @FieldResolver(() => SessionSeries, { nullable: true })
  series(@Ctx() ctx: Context, @Root() s: Session): Promise<SessionSeries | null> {
    return s.seriesId ? ctx.loaders.scheduling.series.load(s.seriesId) : Promise.resolve(null);
  }
}
