import { subject } from '@casl/ability';
import type { EntityManager } from 'typeorm';
import { audit } from '../audit/audit';
import { transactional, type Context } from '../context';
import { Centre, Child, Room, Session, SessionSeries, Specialist } from '../entities';
import { appError, badInput, conflict, forbidden, notFound } from '../errors';
import { expandAvailability, localDateOf, openingHoursIntervals } from '../scheduling/availability';
import { servesAge, sharesLanguage } from '../scheduling/compatibility';
import { instantProblem } from '../scheduling/dateRange';
import { containsInterval } from '../scheduling/intervals';
import { instantToLocal, isValidTimeZone, localToInstant, validateRecurrence } from '../scheduling/recurrence';
import { BookingConflictReason, ConflictWith, type Discipline, SeriesScope, SessionStatus } from '../schema/enums';
import { type BookSessionInput, MAX_SESSION_MINUTES } from '../schema/schedulingInputs';
import { BookedSessions, BookingConflict, BookingConflicts } from '../schema/schedulingPayloads';
import { assertId, requireUser } from './CaseService';
import { whereAccessible } from './loaders';
import { addDays, ageOn, busySessions, daysBetween, inPeriod, intervalsInSlices, openingHoursOf, rulesBySpecialist, yieldToEventLoop } from './schedulingData';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Occurrences of a series checked per turn of the event loop (a year of daily sessions is 366). */
const OCCURRENCES_PER_TURN = 64;
/** Days of availability or opening hours expanded per turn of the event loop. */
const SLICE_DAYS = 31;

/** One occurrence to book (or to move to). */
export interface Occurrence {
  startsAt: Date;
  endsAt: Date;
}

/** Who and where: the records a booking is about. */
export interface BookingParties {
  centre: Centre;
  child: Child;
  specialist: Specialist;
  room: Room;
}

/** True for PostgreSQL's exclusion_violation (a concurrent overlapping booking won). */
export function isExclusionViolation(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string } };
  return err?.code === '23P01' || err?.driverError?.code === '23P01';
}

function refusal(o: Occurrence, reason: BookingConflictReason, message: string, withWho: ConflictWith | null = null, sessionId: string | null = null): BookingConflict {
  return Object.assign(new BookingConflict(), { startsAt: o.startsAt, reason, message, with: withWho, sessionId });
}

const BUSY_REASON: Record<ConflictWith, BookingConflictReason> = {
  [ConflictWith.SPECIALIST]: BookingConflictReason.SPECIALIST_BUSY,
  [ConflictWith.CHILD]: BookingConflictReason.CHILD_BUSY,
  [ConflictWith.ROOM]: BookingConflictReason.ROOM_BUSY,
};

/**
 * Everything that stands in the way of booking these occurrences: the rules (centre, care plan, language,
 * age, placement, opening hours, availability, caps, a child's daily load) and overlaps with existing
 * bookings. `excludeIds` are sessions being moved (they do not collide with themselves). Empty = bookable.
 */
export async function bookingConflicts(em: EntityManager, p: BookingParties, occurrences: Occurrence[], excludeIds: string[] = []): Promise<BookingConflict[]> {
  if (occurrences.length === 0) return [];
  const out: BookingConflict[] = [];
  const { centre, child, specialist, room } = p;
  const tz = centre.timeZone;
  const first = occurrences[0];
  const discipline = specialist.discipline as Discipline;

  if (room.centreId !== centre.id) throw badInput('input.roomId', 'is not a room of the centre');
  const [{ works }]: { works: boolean }[] = await em.query(
    'SELECT EXISTS (SELECT 1 FROM specialist_centre WHERE specialist_id = $1 AND centre_id = $2) AS works', [specialist.id, centre.id],
  );
  if (!works) out.push(refusal(first, BookingConflictReason.SPECIALIST_NOT_AT_CENTRE, `${specialist.name} does not work at ${centre.name}`));
  if (!sharesLanguage(specialist, child)) {
    out.push(refusal(first, BookingConflictReason.NO_SHARED_LANGUAGE, `${specialist.name} speaks ${specialist.languages.join(', ') || 'no listed language'}; the child speaks ${child.languages.join(', ')}`));
  }

  const placements: { from_date: string; to_date: string | null }[] = await em.query(
    `SELECT to_char(from_date, 'YYYY-MM-DD') AS from_date, to_char(to_date, 'YYYY-MM-DD') AS to_date FROM placement WHERE child_id = $1 AND centre_id = $2`, [child.id, centre.id],
  );
  const plans: { from_date: string; to_date: string | null; needs: { discipline: string }[] }[] = await em.query(
    `SELECT to_char(from_date, 'YYYY-MM-DD') AS from_date, to_char(to_date, 'YYYY-MM-DD') AS to_date, needs FROM care_plan WHERE child_id = $1 AND centre_id = $2`, [child.id, centre.id],
  );

  const lo = new Date(Math.min(...occurrences.map((o) => o.startsAt.getTime())) - DAY_MS);
  const hi = new Date(Math.max(...occurrences.map((o) => o.endsAt.getTime())) + DAY_MS);
  const rules = (await rulesBySpecialist(em, centre.id, [specialist.id])).get(specialist.id) ?? [];
  // A series spans up to a year: availability and opening hours are expanded a month at a time, with the
  // event loop free between months.
  const available = await intervalsInSlices(lo, hi, SLICE_DAYS, (a, b) => expandAvailability(rules, a, b));
  const open = await intervalsInSlices(lo, hi, SLICE_DAYS, (a, b) => openingHoursIntervals(openingHoursOf(centre), tz, a, b));
  const dayOf = localDateOf(tz);

  // Caseload: a child new to this specialist must fit under the cap.
  const [{ children, has }]: { children: number; has: boolean }[] = await em.query(
    `SELECT count(DISTINCT child_id)::int AS children, bool_or(child_id = $2) AS has FROM assignment WHERE specialist_id = $1`, [specialist.id, child.id],
  );
  if (!has && children >= specialist.caseloadCap) {
    out.push(refusal(first, BookingConflictReason.CASELOAD_FULL, `${specialist.name} already works with ${children} children (cap ${specialist.caseloadCap})`));
  }

  // Per local day: the specialist's sessions and the child's minutes, including what is being booked.
  const specDay = new Map<string, number>();
  for (const b of await busySessions(em, 'specialist_id', [specialist.id], lo, hi, excludeIds)) {
    const d = dayOf(b.start);
    specDay.set(d, (specDay.get(d) ?? 0) + 1);
  }
  const childDay = new Map<string, number>();
  for (const b of await busySessions(em, 'child_id', [child.id], lo, hi, excludeIds)) {
    const d = dayOf(b.start);
    childDay.set(d, (childDay.get(d) ?? 0) + (b.end - b.start) / MINUTE_MS);
  }

  for (const [i, o] of occurrences.entries()) {
    if (i > 0 && i % OCCURRENCES_PER_TURN === 0) await yieldToEventLoop();
    const day = dayOf(o.startsAt.getTime());
    const lastDay = dayOf(o.endsAt.getTime() - 1);
    const slot = { start: o.startsAt.getTime(), end: o.endsAt.getTime() };
    if (!plans.some((cp) => inPeriod(day, cp.from_date, cp.to_date) && cp.needs.some((n) => n.discipline === discipline))) {
      out.push(refusal(o, BookingConflictReason.NOT_IN_CARE_PLAN, `the child's care plan at ${centre.name} on ${day} has no ${discipline}`));
    }
    const age = ageOn(child.birthDate, day);
    if (!servesAge(specialist, { ageYears: age })) {
      out.push(refusal(o, BookingConflictReason.AGE_OUT_OF_RANGE, `the child is ${age}; ${specialist.name} works with ages ${specialist.ageMin}-${specialist.ageMax}`));
    }
    if (!placements.some((pl) => inPeriod(day, pl.from_date, pl.to_date) && inPeriod(lastDay, pl.from_date, pl.to_date))) {
      out.push(refusal(o, BookingConflictReason.OUTSIDE_PLACEMENT, `the child is not placed at ${centre.name} on ${day}`));
    }
    if (!containsInterval(open, slot)) {
      out.push(refusal(o, BookingConflictReason.OUTSIDE_OPENING_HOURS, `${centre.name} is closed at ${instantToLocal(o.startsAt, tz)} (${tz})`));
    } else if (!containsInterval(available, slot)) {
      out.push(refusal(o, BookingConflictReason.OUTSIDE_AVAILABILITY, `${specialist.name} is not available at ${instantToLocal(o.startsAt, tz)} (${tz})`));
    }
    const count = (specDay.get(day) ?? 0) + 1;
    specDay.set(day, count);
    if (count > specialist.sessionsPerDayCap) {
      // No count: it includes sessions at other centres, which this centre is not told about.
      out.push(refusal(o, BookingConflictReason.DAILY_CAP_REACHED, `${specialist.name} would exceed the cap of ${specialist.sessionsPerDayCap} sessions on ${day} (sessions at every centre count)`));
    }
    const minutes = (childDay.get(day) ?? 0) + (slot.end - slot.start) / MINUTE_MS;
    childDay.set(day, minutes);
    if (minutes > centre.childMaxDailyMinutes) {
      out.push(refusal(o, BookingConflictReason.CHILD_DAILY_LOAD, `the child's sessions on ${day} would exceed ${centre.childMaxDailyMinutes} minutes (sessions at every centre count)`));
    }
  }

  // Overlaps, with the same ranges as the exclusion constraint (the specialist's includes the break).
  const overlaps: { kind: ConflictWith; session_id: string; idx: string }[] = await em.query(
    `SELECT b.participant_kind AS kind, b.session_id, o.idx
       FROM unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS o(s, e, idx)
       JOIN session_booking b ON
            (b.participant_kind = 'SPECIALIST' AND b.participant_id = $3 AND b.during && tstzrange(o.s, o.e + make_interval(mins => $6), '[)'))
         OR (b.participant_kind = 'CHILD' AND b.participant_id = $4 AND b.during && tstzrange(o.s, o.e, '[)'))
         OR (b.participant_kind = 'ROOM' AND b.participant_id = $5 AND b.during && tstzrange(o.s, o.e, '[)'))
      WHERE NOT (b.session_id = ANY($7::uuid[]))
      ORDER BY o.idx, b.participant_kind`,
    [occurrences.map((o) => o.startsAt), occurrences.map((o) => o.endsAt), specialist.id, child.id, room.id, specialist.minBreakMinutes, excludeIds],
  );
  const who = { SPECIALIST: specialist.name, CHILD: 'the child', ROOM: room.name } as const;
  for (const r of overlaps) {
    const o = occurrences[Number(r.idx) - 1];
    out.push(refusal(o, BUSY_REASON[r.kind], `${who[r.kind]} is already booked at ${instantToLocal(o.startsAt, tz)} (${tz})`, r.kind, r.session_id));
  }
  return out.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}

/** Bookings: single sessions and series, moves, cancellations and outcomes, all atomic and overlap-free by construction. */
export class BookingService {
  /**
   * Books a session, or every occurrence of a series, in one transaction: all or nothing. Rules and overlaps
   * are checked first; the exclusion constraint settles races (the loser gets its conflicts).
   */
  static async bookSession(ctx: Context, input: BookSessionInput): Promise<BookedSessions | BookingConflicts> {
    const user = requireUser(ctx);
    for (const f of ['childId', 'specialistId', 'roomId'] as const) assertId(input[f], `input.${f}`);
    if (!Number.isInteger(input.durationMinutes) || input.durationMinutes < 1 || input.durationMinutes > MAX_SESSION_MINUTES) {
      throw badInput('input.durationMinutes', `must be between 1 and ${MAX_SESSION_MINUTES}`);
    }
    const startProblem = instantProblem(input.startsAt);
    if (startProblem) throw badInput('input.startsAt', startProblem);
    if (input.startsAt.getTime() < Date.now()) throw badInput('input.startsAt', 'is in the past');
    if (input.timeZone != null && !isValidTimeZone(input.timeZone)) throw badInput('input.timeZone', `unknown IANA time zone: ${input.timeZone}`);

    const parties = await BookingService.parties(ctx, input);
    const tz = input.timeZone ?? parties.centre.timeZone;
    const durationMs = input.durationMinutes * MINUTE_MS;
    let starts = [input.startsAt];
    let dtstart: string | null = null;
    if (input.recurrence != null) {
      dtstart = instantToLocal(input.startsAt, tz);
      const v = validateRecurrence(input.recurrence, dtstart, tz, { maxSpanDays: 366, maxCount: 366 });
      if (!v.ok) throw badInput(`input.${v.error.field}`, v.error.message);
      starts = v.occurrences;
      if (starts[0].getTime() < Date.now()) throw badInput('input.startsAt', 'the first occurrence is in the past');
    }
    const occurrences = starts.map((s) => ({ startsAt: s, endsAt: new Date(s.getTime() + durationMs) }));

    const attempt = () => transactional(ctx, async (tx) => {
      const conflicts = await bookingConflicts(tx.em, parties, occurrences);
      if (conflicts.length) return Object.assign(new BookingConflicts(), { conflicts });
      let seriesId: string | null = null;
      if (input.recurrence != null) {
        const series = await tx.em.save(tx.em.create(SessionSeries, {
          centreId: parties.centre.id, rrule: input.recurrence.trim().replace(/^RRULE:/i, ''), dtstart: dtstart!, tzid: tz, durationMinutes: input.durationMinutes, createdById: user.id,
        }));
        seriesId = series.id;
      }
      const rows = occurrences.map((o) => ({
        centreId: parties.centre.id, childId: parties.child.id, specialistId: parties.specialist.id, roomId: parties.room.id,
        discipline: parties.specialist.discipline, startsAt: o.startsAt, endsAt: o.endsAt, status: SessionStatus.SCHEDULED, seriesId, createdById: user.id,
      }));
      const ids: string[] = [];
      for (let i = 0; i < rows.length; i += 500) {
        const res = await tx.em.insert(Session, rows.slice(i, i + 500));
        ids.push(...res.identifiers.map((r) => r.id as string));
      }
      // Continuity of care: the first specialist of a discipline becomes the child's assigned one.
      await tx.em.query(
        `INSERT INTO assignment (child_id, centre_id, specialist_id, discipline) VALUES ($1, $2, $3, $4)
         ON CONFLICT (child_id, centre_id, discipline) DO NOTHING`,
        [parties.child.id, parties.centre.id, parties.specialist.id, parties.specialist.discipline],
      );
      const sessions = await tx.em.createQueryBuilder(Session, 's').where('s.id IN (:...ids)', { ids }).orderBy('s.starts_at').getMany();
      audit(tx, { operation: 'BOOK_SESSIONS', entityType: 'Child', entityId: parties.child.id, fields: ['sessions'], values: { ids, seriesId } });
      return Object.assign(new BookedSessions(), { sessions });
    });
    return BookingService.settleRace(ctx, attempt, () => bookingConflicts(ctx.em, parties, occurrences));
  }

  /** Cancels one occurrence, this and the following ones, or the whole series (scheduled ones only). */
  static async cancelSession(ctx: Context, id: string, scope: SeriesScope): Promise<Session[]> {
    requireUser(ctx);
    assertId(id, 'id');
    const ids = await transactional(ctx, async (tx) => {
      const s = await BookingService.lockForWrite(tx, id, 'startsAt');
      if (s.status !== SessionStatus.SCHEDULED) throw appError('INVALID_TRANSITION', `A ${s.status} session cannot be cancelled`, { from: s.status, to: SessionStatus.CANCELLED });
      const targets = await BookingService.scopeOf(tx, s, scope);
      await tx.em.createQueryBuilder().update(Session).set({ status: SessionStatus.CANCELLED }).where('id IN (:...ids)', { ids: targets.map((t) => t.id) }).execute();
      audit(tx, { operation: 'CANCEL_SESSIONS', entityType: 'Child', entityId: s.childId, fields: ['sessions'], values: { ids: targets.map((t) => t.id) } });
      return targets.map((t) => t.id);
    });
    return ctx.em.createQueryBuilder(Session, 's').where('s.id IN (:...ids)', { ids }).orderBy('s.starts_at').getMany();
  }

  /**
   * Moves one occurrence, or this and the following ones, or the whole series. Occurrences keep their local
   * time of day in the series' time zone across DST; the day shifts by as many local days as this one moves.
   */
  static async rescheduleSession(ctx: Context, id: string, startsAt: Date, scope: SeriesScope): Promise<BookedSessions | BookingConflicts> {
    requireUser(ctx);
    assertId(id, 'id');
    const startProblem = instantProblem(startsAt);
    if (startProblem) throw badInput('startsAt', startProblem);
    if (startsAt.getTime() < Date.now()) throw badInput('startsAt', 'is in the past');
    let recheck: (() => Promise<BookingConflict[]>) | null = null;
    const attempt = () => transactional(ctx, async (tx) => {
      const s = await BookingService.lockForWrite(tx, id, 'startsAt');
      if (s.status !== SessionStatus.SCHEDULED) throw appError('INVALID_TRANSITION', `A ${s.status} session cannot be moved`, { from: s.status, to: s.status });
      const parties = await BookingService.partiesOf(tx.em, s);
      const series = s.seriesId ? await tx.em.findOne(SessionSeries, { where: { id: s.seriesId } }) : null;
      const tz = series?.tzid ?? parties.centre.timeZone;
      const targets = await BookingService.scopeOf(tx, s, scope);
      const oldLocal = instantToLocal(s.startsAt, tz);
      const newLocal = instantToLocal(startsAt, tz);
      const dayShift = daysBetween(oldLocal.slice(0, 10), newLocal.slice(0, 10));
      const moved = targets.map((t) => {
        const start = t.id === s.id ? startsAt : localToInstant(`${addDays(instantToLocal(t.startsAt, tz).slice(0, 10), dayShift)}T${newLocal.slice(11)}`, tz);
        return { id: t.id, startsAt: start, endsAt: new Date(start.getTime() + (t.endsAt.getTime() - t.startsAt.getTime())) };
      });
      if (moved.some((m) => m.startsAt.getTime() < Date.now())) throw badInput('startsAt', 'would move an occurrence into the past');
      const excluded = targets.map((t) => t.id);
      recheck = () => bookingConflicts(ctx.em, parties, moved, excluded);
      const conflicts = await bookingConflicts(tx.em, parties, moved, excluded);
      if (conflicts.length) return Object.assign(new BookingConflicts(), { conflicts });
      // Occurrences may pass over one another while they move; the constraint is checked at commit.
      await tx.em.query('SET CONSTRAINTS session_booking_no_overlap DEFERRED');
      for (const m of moved) await tx.em.update(Session, { id: m.id }, { startsAt: m.startsAt, endsAt: m.endsAt });
      if (series && scope !== SeriesScope.THIS && targets.length > 0) {
        const dtstart = instantToLocal(moved[0].startsAt, tz);
        if (scope === SeriesScope.SERIES) {
          await tx.em.update(SessionSeries, { id: series.id }, { dtstart });
        } else {
          // The moved tail becomes a series of its own; the head keeps the old rule.
          const tail = await tx.em.save(tx.em.create(SessionSeries, { ...series, id: undefined, dtstart, createdAt: undefined }));
          await tx.em.update(Session, moved.map((m) => m.id), { seriesId: tail.id });
        }
      }
      // Surface a lost race here, inside the transaction, rather than at COMMIT.
      await tx.em.query('SET CONSTRAINTS session_booking_no_overlap IMMEDIATE');
      const sessions = await tx.em.createQueryBuilder(Session, 'x').where('x.id IN (:...ids)', { ids: excluded }).orderBy('x.starts_at').getMany();
      return Object.assign(new BookedSessions(), { sessions });
    });
    return BookingService.settleRace(ctx, attempt, () => (recheck ? recheck() : Promise.resolve([])));
  }

  /** Records that a session took place. */
  static completeSession(ctx: Context, id: string): Promise<Session> {
    return BookingService.outcome(ctx, id, SessionStatus.COMPLETED);
  }

  /** Records that the child did not come. */
  static markNoShow(ctx: Context, id: string): Promise<Session> {
    return BookingService.outcome(ctx, id, SessionStatus.NO_SHOW);
  }

  /** Writes the notes of a session: only its own specialist may. */
  static async updateNotes(ctx: Context, id: string, given: string | null | undefined): Promise<Session> {
    requireUser(ctx);
    const notes = given ?? null; // an omitted argument arrives as undefined
    assertId(id, 'id');
    if (notes !== null && notes.length > 20000) throw badInput('notes', 'is longer than 20000 characters');
    await transactional(ctx, async (tx) => {
      const s = await BookingService.lockForWrite(tx, id, 'notes');
      await tx.em.update(Session, { id: s.id }, { notes });
      audit(tx, { operation: 'UPDATE', entityType: 'Session', entityId: s.id, fields: ['notes'], values: { notes } });
    });
    return (await ctx.em.findOne(Session, { where: { id } }))!;
  }

  private static async outcome(ctx: Context, id: string, to: SessionStatus): Promise<Session> {
    requireUser(ctx);
    assertId(id, 'id');
    await transactional(ctx, async (tx) => {
      const s = await BookingService.lockForWrite(tx, id, 'status');
      if (s.status !== SessionStatus.SCHEDULED) throw appError('INVALID_TRANSITION', `A ${s.status} session cannot become ${to}`, { from: s.status, to });
      if (s.startsAt.getTime() > Date.now()) throw badInput('id', 'the session has not started yet');
      await tx.em.update(Session, { id: s.id }, { status: to });
      audit(tx, { operation: 'UPDATE', entityType: 'Session', entityId: s.id, fields: ['status'], values: { status: to } });
    });
    return (await ctx.em.findOne(Session, { where: { id } }))!;
  }

  /**
   * Runs a booking attempt; when a concurrent booking won the race (exclusion violation), reports the
   * conflicts as they now stand. Nothing of the losing attempt is written.
   */
  private static async settleRace(
    ctx: Context, attempt: () => Promise<BookedSessions | BookingConflicts>, recheck: () => Promise<BookingConflict[]>,
  ): Promise<BookedSessions | BookingConflicts> {
    try {
      return await BookingService.withoutForeignSessions(ctx, await attempt());
    } catch (e) {
      if (!isExclusionViolation(e)) throw e;
      ctx.deps.logger.info({ user: ctx.user?.id }, 'booking lost the race to a concurrent one (exclusion constraint)');
      const conflicts = await recheck();
      if (conflicts.length) return BookingService.withoutForeignSessions(ctx, Object.assign(new BookingConflicts(), { conflicts }));
      // The winner has gone again (cancelled meanwhile): report the collision rather than guess.
      throw conflict('A concurrent booking took this time; try again');
    }
  }

  /**
   * A conflict may be with a session the user may not read (the child's or the specialist's session at
   * another centre): it still blocks the time, but is reported only as BUSY_ELSEWHERE, with no session id
   * and nothing about that session (issue 8 item 9).
   */
  private static async withoutForeignSessions<T extends BookedSessions | BookingConflicts>(ctx: Context, result: T): Promise<T> {
    if (!(result instanceof BookingConflicts)) return result;
    const ids = [...new Set(result.conflicts.map((c) => c.sessionId).filter((id): id is string => !!id))];
    if (ids.length === 0) return result;
    const qb = ctx.deps.dataSource.manager.createQueryBuilder(Session, 's').select('s.id', 'id').where('s.id IN (:...ids)', { ids });
    const readable = new Set((await whereAccessible(ctx, qb, 'read', 'Session', 's').getRawMany()).map((r: { id: string }) => r.id));
    for (const c of result.conflicts) {
      if (!c.sessionId || readable.has(c.sessionId)) continue;
      c.sessionId = null;
      c.reason = BookingConflictReason.BUSY_ELSEWHERE;
      c.message = `${c.with === ConflictWith.CHILD ? 'the child' : 'the specialist'} is busy elsewhere at that time`;
    }
    return result;
  }

  /** Loads and checks the parties of a new booking: the user must be able to create sessions at the room's centre and read the child and specialist. */
  private static async parties(ctx: Context, input: BookSessionInput): Promise<BookingParties> {
    const room = await ctx.em.findOne(Room, { where: { id: input.roomId } });
    const centre = room ? await ctx.em.findOne(Centre, { where: { id: room.centreId } }) : null;
    if (!room || !centre || !(await ctx.loaders.scheduling.room.load(room.id))) throw notFound('Room', input.roomId);
    if (!ctx.ability.can('create', subject('Session', { centreId: centre.id, childId: input.childId, specialistId: input.specialistId }))) {
      throw forbidden('You may not book sessions at this centre');
    }
    const child = await ctx.loaders.child.load(input.childId);
    if (!child) throw notFound('Child', input.childId);
    const specialist = await ctx.loaders.scheduling.specialist.load(input.specialistId);
    if (!specialist) throw notFound('Specialist', input.specialistId);
    return { centre, child, specialist, room };
  }

  /** The parties of an existing session (unfiltered: the session itself was checked). */
  private static async partiesOf(em: EntityManager, s: Session): Promise<BookingParties> {
    const [centre, child, specialist, room] = await Promise.all([
      em.findOneOrFail(Centre, { where: { id: s.centreId } }),
      em.findOneOrFail(Child, { where: { id: s.childId } }),
      em.findOneOrFail(Specialist, { where: { id: s.specialistId } }),
      em.findOneOrFail(Room, { where: { id: s.roomId } }),
    ]);
    return { centre, child, specialist, room };
  }

  /** Locks a session and checks, before anything is written, that the user may read it (else NOT_FOUND) and change `field` (else FORBIDDEN). */
  private static async lockForWrite(tx: Context, id: string, field: 'startsAt' | 'status' | 'notes'): Promise<Session> {
    const s = await tx.em.createQueryBuilder(Session, 's').setLock('pessimistic_write').where('s.id = :id', { id }).getOne();
    const subj = s && subject('Session', { ...s });
    if (!s || !tx.ability.can('read', subj!)) throw notFound('Session', id);
    if (!tx.ability.can('update', subj!, field)) throw forbidden(`You may not change this session's ${field}`);
    return s;
  }

  /** The scheduled sessions a scope names, in start order (locked). */
  private static async scopeOf(tx: Context, s: Session, scope: SeriesScope): Promise<Session[]> {
    if (scope === SeriesScope.THIS || !s.seriesId) return [s];
    const qb = tx.em.createQueryBuilder(Session, 'x').setLock('pessimistic_write')
      .where('x.series_id = :series AND x.status = :st', { series: s.seriesId, st: SessionStatus.SCHEDULED });
    if (scope === SeriesScope.FOLLOWING) qb.andWhere('x.starts_at >= :at', { at: s.startsAt });
    else qb.andWhere('(x.starts_at >= now() OR x.id = :id)', { id: s.id });
    return qb.orderBy('x.starts_at').getMany();
  }
}
