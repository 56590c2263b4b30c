import { subject } from '@casl/ability';
import { audit } from '../audit/audit';
import { transactional, type Context } from '../context';
import { AvailabilityRule, CarePlan, Centre, Placement, Room, ScheduleProposal, Session, Specialist, SpecialistCentre, User } from '../entities';
import { badInput, conflict, forbidden, notFound } from '../errors';
import { freeSlots as domainFreeSlots, localDateOf, openingHoursIntervals, specialistFreeTime } from '../scheduling/availability';
import { isCompatible } from '../scheduling/compatibility';
import { calendarDateProblem, instantProblem } from '../scheduling/dateRange';
import { intersect, overlaps, type Interval } from '../scheduling/intervals';
import { checkRecurrence, isValidTimeZone } from '../scheduling/recurrence';
import { type Discipline, Role } from '../schema/enums';
import type {
  AddAvailabilityInput, CreatePlacementInput, EndPlacementInput, CreateRoomInput, CreateSpecialistInput, ProposeScheduleInput, SetCarePlanInput, UpdateCentreInput,
} from '../schema/schedulingInputs';
import { MAX_SESSION_MINUTES } from '../schema/schedulingInputs';
import {
  AppliedSchedule, FreeSlot, ProposedAssignment, ProposedSessionView, ScheduleProposalView, ScheduleScore, UnmetNeedView,
} from '../schema/schedulingPayloads';
import { isExclusionViolation } from './BookingService';
import { assertId, requireUser } from './CaseService';
import { whereAccessible } from './loaders';
import { ageOn, asIntervals, busySessions, localDate, openingHoursOf, periodEndInstant, periodStartInstant, rulesBySpecialist, worldFingerprint, yieldToEventLoop } from './schedulingData';
import { loadProblem, storeSolution, writeSolution, type StoredSolution } from './schedulingProblem';
import { solveInWorker } from './solverPool';

const DAY_MS = 86_400_000;
const MAX_LIST_DAYS = 92;
const MAX_SLOT_DAYS = 31;
const MAX_PROPOSAL_DAYS = 7;
/** The solver's time budget when the client names none. */
const DEFAULT_SOLVER_MS = 3000;

function window(from: Date, to: Date, maxDays: number, prefix = ''): void {
  const fromProblem = instantProblem(from);
  if (fromProblem) throw badInput(`${prefix}from`, fromProblem);
  const toProblem = instantProblem(to);
  if (toProblem) throw badInput(`${prefix}to`, toProblem);
  if (to <= from) throw badInput(`${prefix}to`, 'must be after from');
  if (to.getTime() - from.getTime() > maxDays * DAY_MS) throw badInput(`${prefix}to`, `the period is longer than ${maxDays} days`);
}

/** Turns a stored proposal into its GraphQL view. */
function proposalView(p: ScheduleProposal): ScheduleProposalView {
  const s = p.payload as StoredSolution;
  return Object.assign(new ScheduleProposalView(), {
    id: p.id, centreId: p.centreId, from: p.from, to: p.to, appliedAt: p.appliedAt,
    sessions: s.sessions.map((x) => Object.assign(new ProposedSessionView(), { ...x, discipline: x.discipline as Discipline, startsAt: new Date(x.startsAt), endsAt: new Date(x.endsAt) })),
    assignments: s.assignments.map((a) => Object.assign(new ProposedAssignment(), { ...a, discipline: a.discipline as Discipline })),
    unmet: s.unmet.map((u) => Object.assign(new UnmetNeedView(), { ...u, discipline: u.discipline as Discipline })),
    score: Object.assign(new ScheduleScore(), s.score),
  });
}

/** Centres, their people and timetables: reads under CASL in SQL, free slots, the scheduler, and centre management. */
export class SchedulingService {
  static async listCentres(ctx: Context): Promise<Centre[]> {
    requireUser(ctx);
    const qb = ctx.em.createQueryBuilder(Centre, 'ce').orderBy('ce.name').addOrderBy('ce.id');
    return whereAccessible(ctx, qb, 'read', 'Centre', 'ce').getMany();
  }

  static async getCentre(ctx: Context, id: string): Promise<Centre | null> {
    requireUser(ctx);
    assertId(id, 'id');
    return ctx.loaders.scheduling.centre.load(id);
  }

  static async listSpecialists(ctx: Context, centreId: string): Promise<Specialist[]> {
    requireUser(ctx);
    assertId(centreId, 'centreId');
    return ctx.loaders.scheduling.specialistsByCentre.load(centreId);
  }

  /** Sessions at a centre that start in [from, to), in start order. */
  static async listSessions(ctx: Context, centreId: string, from: Date, to: Date): Promise<Session[]> {
    return SchedulingService.sessionsBy(ctx, 'centre_id', centreId, 'centreId', from, to);
  }

  /** A specialist's sessions (every centre) that start in [from, to). */
  static async specialistSchedule(ctx: Context, specialistId: string, from: Date, to: Date): Promise<Session[]> {
    return SchedulingService.sessionsBy(ctx, 'specialist_id', specialistId, 'specialistId', from, to);
  }

  /** Readable sessions with `column` = `id` that start in [from, to), in start order. */
  private static async sessionsBy(ctx: Context, column: 'centre_id' | 'specialist_id', id: string, field: string, from: Date, to: Date): Promise<Session[]> {
    requireUser(ctx);
    assertId(id, field);
    window(from, to, MAX_LIST_DAYS);
    const qb = ctx.em.createQueryBuilder(Session, 's')
      .where(`s.${column} = :id AND s.starts_at >= :from AND s.starts_at < :to`, { id, from, to })
      .orderBy('s.starts_at').addOrderBy('s.id');
    return whereAccessible(ctx, qb, 'read', 'Session', 's').getMany();
  }

  /**
   * Starts (on the centre's 15-minute local grid) at which specialists of a discipline are free for the whole
   * duration: inside their availability and the opening hours, clear of their sessions and breaks and under
   * their daily cap; with a child, only specialists suited to it (language, age), inside its placement and
   * clear of its own sessions.
   */
  static async freeSlots(
    ctx: Context, args: { centreId: string; discipline: Discipline; childId?: string | null; from: Date; to: Date; durationMinutes: number },
  ): Promise<FreeSlot[]> {
    requireUser(ctx);
    assertId(args.centreId, 'centreId');
    if (args.childId != null) assertId(args.childId, 'childId');
    if (!Number.isInteger(args.durationMinutes) || args.durationMinutes < 1 || args.durationMinutes > MAX_SESSION_MINUTES) {
      throw badInput('durationMinutes', `must be between 1 and ${MAX_SESSION_MINUTES}`);
    }
    window(args.from, args.to, MAX_SLOT_DAYS);
    const centre = await ctx.loaders.scheduling.centre.load(args.centreId);
    if (!centre) throw notFound('Centre', args.centreId);
    const tz = centre.timeZone;
    let specialists = (await ctx.loaders.scheduling.specialistsByCentre.load(centre.id)).filter((s) => s.discipline === args.discipline);
    let limit: Interval[] = [{ start: args.from.getTime(), end: args.to.getTime() }];
    let childBusy: Interval[] = [];
    if (args.childId != null) {
      const child = await ctx.loaders.child.load(args.childId);
      if (!child) throw notFound('Child', args.childId);
      const age = ageOn(child.birthDate, localDate(args.from, tz));
      specialists = specialists.filter((s) => isCompatible(s, { ageYears: age, languages: child.languages }, args.discipline));
      const placements = await ctx.em.find(Placement, { where: { childId: child.id, centreId: centre.id } });
      limit = intersect(limit, placements.map((p) => ({
        start: periodStartInstant(p.from, tz),
        end: periodEndInstant(p.to, tz),
      })));
      childBusy = asIntervals(await busySessions(ctx.em, 'child_id', [child.id], args.from, args.to));
    }
    if (specialists.length === 0 || limit.length === 0) return [];
    const lo = new Date(args.from.getTime() - DAY_MS);
    const hi = new Date(args.to.getTime() + DAY_MS);
    const rules = await rulesBySpecialist(ctx.em, centre.id, specialists.map((s) => s.id));
    const busy = await busySessions(ctx.em, 'specialist_id', specialists.map((s) => s.id), lo, hi);
    const dayOf = localDateOf(tz);
    const openingHours = openingHoursOf(centre);
    const open = openingHoursIntervals(openingHours, tz, args.from, args.to);
    const free: { id: string; free: Interval[]; full: Map<string, number> }[] = [];
    for (const s of specialists) {
      // One specialist's expansion per turn of the event loop: a centre with many specialists never holds it.
      await yieldToEventLoop();
      const own = busy.filter((b) => b.ownerId === s.id);
      const perDay = new Map<string, number>();
      for (const b of own) perDay.set(dayOf(b.start), (perDay.get(dayOf(b.start)) ?? 0) + 1);
      const time = specialistFreeTime({
        rules: rules.get(s.id) ?? [], openingHours, open, timeZone: tz, busy: asIntervals(own), minBreakMinutes: s.minBreakMinutes, from: args.from, to: args.to,
      });
      free.push({ id: s.id, free: intersect(time, limit), full: perDay });
    }
    await yieldToEventLoop();
    const byId = new Map(specialists.map((s) => [s.id, s]));
    const durationMs = args.durationMinutes * 60_000;
    const out: FreeSlot[] = [];
    for (const slot of domainFreeSlots({ specialists: free, from: args.from, to: args.to, durationMinutes: args.durationMinutes, stepMinutes: 15, timeZone: tz })) {
      const range = { start: slot.startsAt.getTime(), end: slot.startsAt.getTime() + durationMs };
      if (childBusy.some((b) => overlaps(b, range))) continue;
      const day = dayOf(slot.startsAt.getTime());
      const ids = slot.specialistIds.filter((id) => (free.find((f) => f.id === id)!.full.get(day) ?? 0) < byId.get(id)!.sessionsPerDayCap);
      if (ids.length === 0) continue;
      out.push(Object.assign(new FreeSlot(), { startsAt: slot.startsAt, endsAt: slot.endsAt, specialists: ids.map((id) => byId.get(id)!) }));
      if (out.length >= 2000) break;
    }
    return out;
  }

  /** Proposes a timetable (and assignments) for a centre and a period of at most a week; stores it for review. */
  static async proposeSchedule(ctx: Context, input: ProposeScheduleInput): Promise<ScheduleProposalView> {
    const user = requireUser(ctx);
    assertId(input.centreId, 'input.centreId');
    window(input.from, input.to, MAX_PROPOSAL_DAYS, 'input.');
    const centre = await ctx.loaders.scheduling.centre.load(input.centreId);
    if (!centre) throw notFound('Centre', input.centreId);
    if (!ctx.ability.can('create', subject('Session', { centreId: centre.id }))) throw forbidden('You may not schedule sessions at this centre');
    // The fingerprint is read in the same snapshot as the problem.
    const { problem, fingerprint } = await ctx.deps.dataSource.transaction('REPEATABLE READ', async (em) => ({
      problem: await loadProblem(em, centre.id, input.from, input.to),
      fingerprint: await worldFingerprint(em, centre.id, input.from, input.to),
    }));
    // Off the event loop: other users are served while the solver works (issue 7 §2).
    const solution = await solveInWorker(problem, { timeLimitMs: input.timeLimitMs ?? DEFAULT_SOLVER_MS });
    const saved = await ctx.em.save(ctx.em.create(ScheduleProposal, {
      centreId: centre.id, from: input.from, to: input.to, payload: storeSolution(solution), fingerprint, createdById: user.id, appliedAt: null,
    }));
    ctx.deps.logger.info({ proposal: saved.id, centre: centre.id, sessions: solution.sessions.length, unmet: solution.unmet.length, score: solution.score }, 'schedule proposed');
    return proposalView(saved);
  }

  /**
   * Applies a proposal in one transaction. Refused with CONFLICT, writing nothing, when it was applied
   * already or when anything it was computed from has changed since.
   */
  static async applyScheduleProposal(ctx: Context, id: string): Promise<AppliedSchedule> {
    const user = requireUser(ctx);
    assertId(id, 'id');
    try {
      const result = await transactional(ctx, async (tx) => {
        const p = await tx.em.createQueryBuilder(ScheduleProposal, 'p').setLock('pessimistic_write').where('p.id = :id', { id }).getOne();
        const centre = p ? await tx.loaders.scheduling.centre.load(p.centreId) : null;
        if (!p || !centre) throw notFound('Schedule proposal', id);
        if (!tx.ability.can('create', subject('Session', { centreId: p.centreId }))) throw forbidden('You may not schedule sessions at this centre');
        if (p.appliedAt) throw conflict(`Proposal ${id} was applied at ${p.appliedAt.toISOString()}`);
        // A period that has begun is refused whole, never written in part: sessions would land in the past,
        // and the days left are better proposed again from what happened meanwhile (issue 8 item 13).
        if (p.from.getTime() <= Date.now()) {
          throw conflict(`The proposal's period started at ${p.from.toISOString()}: propose again for the days that are left`, { reason: 'PERIOD_STARTED' });
        }
        // Serialise applications per centre, then compare the world with the one the proposal saw.
        await tx.em.query('SELECT id FROM centre WHERE id = $1 FOR UPDATE', [p.centreId]);
        const now = await worldFingerprint(tx.em, p.centreId, p.from, p.to);
        if (now !== p.fingerprint) throw conflict('The centre\'s schedule, people or plans changed since this proposal was made: propose again', { reason: 'STALE_PROPOSAL' });
        const written = await writeSolution(tx.em, p.centreId, p.payload as StoredSolution, user.id);
        await tx.em.update(ScheduleProposal, { id: p.id }, { appliedAt: new Date() });
        return { proposalId: p.id, ...written };
      });
      const sessions = result.sessionIds.length
        ? await ctx.em.createQueryBuilder(Session, 's').where('s.id IN (:...ids)', { ids: result.sessionIds }).orderBy('s.starts_at').getMany()
        : [];
      return Object.assign(new AppliedSchedule(), { proposalId: result.proposalId, sessions, assignmentsCreated: result.assignmentsWritten });
    } catch (e) {
      if (isExclusionViolation(e)) throw conflict('A session booked meanwhile overlaps the proposal: propose again', { reason: 'STALE_PROPOSAL' });
      throw e;
    }
  }

  // Centre management (centre coordinators, for their centres).

  static async updateCentre(ctx: Context, input: UpdateCentreInput): Promise<Centre> {
    requireUser(ctx);
    const centre = await SchedulingService.writable(ctx, 'update', 'Centre', Centre, input.centreId, 'input.centreId');
    if (input.timeZone != null && !isValidTimeZone(input.timeZone)) throw badInput('input.timeZone', `unknown IANA time zone: ${input.timeZone}`);
    const changes: Partial<Centre> = {};
    if (input.name != null) changes.name = input.name.trim();
    if (input.timeZone != null) changes.timeZone = input.timeZone;
    if (input.openingHours != null) changes.openingHours = input.openingHours.map((h) => ({ weekday: h.weekday, opens: h.opens, closes: h.closes }));
    if (input.childMaxDailyMinutes != null) changes.childMaxDailyMinutes = input.childMaxDailyMinutes;
    if (Object.keys(changes).length === 0) throw badInput('input', 'names no field to change');
    await ctx.em.update(Centre, { id: centre.id }, changes);
    ctx.loaders.scheduling.centre.clear(centre.id);
    return (await ctx.loaders.scheduling.centre.load(centre.id))!;
  }

  static async createRoom(ctx: Context, input: CreateRoomInput): Promise<Room> {
    requireUser(ctx);
    await SchedulingService.centreFor(ctx, 'create', 'Room', input.centreId);
    return ctx.em.save(ctx.em.create(Room, { centreId: input.centreId, name: input.name.trim(), kind: input.kind.trim(), capacity: input.capacity ?? 1 }));
  }

  static async createSpecialist(ctx: Context, input: CreateSpecialistInput): Promise<Specialist> {
    requireUser(ctx);
    const centre = await SchedulingService.centreFor(ctx, 'create', 'Room', input.centreId);
    if (!ctx.ability.can('create', 'Specialist') || !ctx.ability.can('update', subject('Centre', { ...centre }))) throw forbidden('You may not add specialists to this centre');
    if ((input.ageMin ?? 0) > (input.ageMax ?? 18)) throw badInput('input.ageMin', 'is above ageMax');
    if (input.userId) {
      // Linking a login to a profile gives it the profile's children: only staff of the centre's operator,
      // and one answer for every refusal so that the call does not reveal other organizations' users.
      const u = await ctx.em.findOne(User, { where: { id: input.userId } });
      if (!u || !u.roles.includes(Role.SPECIALIST) || u.organizationId !== centre.organizationId) {
        throw badInput('input.userId', 'must be a SPECIALIST user of the organization that operates the centre');
      }
    }
    return transactional(ctx, async (tx) => {
      const s = await tx.em.save(tx.em.create(Specialist, {
        name: input.name.trim(), discipline: input.discipline, languages: input.languages, ageMin: input.ageMin ?? 0, ageMax: input.ageMax ?? 18,
        caseloadCap: input.caseloadCap ?? 20, sessionsPerDayCap: input.sessionsPerDayCap ?? 6, minBreakMinutes: input.minBreakMinutes ?? 10, userId: input.userId ?? null,
      }));
      await tx.em.insert(SpecialistCentre, { specialistId: s.id, centreId: input.centreId });
      return s;
    });
  }

  static async addAvailability(ctx: Context, input: AddAvailabilityInput): Promise<AvailabilityRule> {
    requireUser(ctx);
    const centre = await SchedulingService.centreFor(ctx, 'create', 'AvailabilityRule', input.centreId);
    const specialist = await ctx.loaders.scheduling.specialist.load(input.specialistId);
    if (!specialist) throw notFound('Specialist', input.specialistId);
    if (!(await ctx.em.exists(SpecialistCentre, { where: { specialistId: specialist.id, centreId: centre.id } }))) {
      throw badInput('input.specialistId', 'the specialist does not work at this centre');
    }
    const tz = input.timeZone ?? centre.timeZone;
    if (!isValidTimeZone(tz)) throw badInput('input.timeZone', `unknown IANA time zone: ${tz}`);
    // Availability may be open-ended: every part in range, a start in the programme's years, and at least
    // one occurrence within a year of the start (a rule that can never match is refused, not stored).
    const bad = checkRecurrence(input.recurrence, input.dtstart, tz);
    if (bad) throw badInput(bad.field === 'startsAt' ? 'input.dtstart' : `input.${bad.field}`, bad.message);
    return ctx.em.save(ctx.em.create(AvailabilityRule, {
      specialistId: specialist.id, centreId: centre.id, kind: input.kind, rrule: input.recurrence.trim().replace(/^RRULE:/i, ''), dtstart: input.dtstart, tzid: tz,
      durationMinutes: input.durationMinutes, note: input.note ?? null,
    }));
  }

  static async createPlacement(ctx: Context, input: CreatePlacementInput): Promise<Placement> {
    requireUser(ctx);
    const centre = await SchedulingService.centreFor(ctx, 'create', 'Placement', input.centreId);
    SchedulingService.checkPeriod(input.from, input.to);
    assertId(input.childId, 'input.childId');
    // A placement is what lets centre staff read a child, so it may only follow a referral: the child's case
    // is led by, or shared with, the organization that operates the centre. Absent and not referred look alike.
    const [{ referred }]: { referred: boolean }[] = await ctx.em.query(
      `SELECT EXISTS (SELECT 1 FROM case_file c WHERE c.child_id = $1
          AND (c.lead_organization_id = $2 OR EXISTS (SELECT 1 FROM case_share s WHERE s.case_id = c.id AND s.organization_id = $2))) AS referred`,
      [input.childId, centre.organizationId],
    );
    if (!referred) throw notFound('Child', input.childId);
    return transactional(ctx, async (tx) => {
      // A second, overlapping placement at another centre needs that centre's consent (issue 8 item 12): it is
      // given by someone who also manages placements there, or by that centre ending its placement first
      // (endPlacement). The refusal does not say which centre: the requester may not read that placement.
      // The child's row is locked first: two centres placing the same child at once are serialized, so the second
      // sees the first's placement (locking the overlapping placements alone cannot lock rows not yet written).
      await tx.em.query('SELECT 1 FROM child WHERE id = $1 FOR UPDATE', [input.childId]);
      const overlapping: { centre_id: string }[] = await tx.em.query(
        `SELECT centre_id FROM placement WHERE child_id = $1 AND centre_id <> $2
            AND from_date <= COALESCE($4::date, 'infinity'::date) AND COALESCE(to_date, 'infinity'::date) >= $3::date
          FOR UPDATE`,
        [input.childId, centre.id, input.from, input.to ?? null],
      );
      if (overlapping.some((o) => !tx.ability.can('update', subject('Placement', { centreId: o.centre_id })))) {
        throw conflict('The child is placed at another centre for part of this period: that centre must end its placement first, or place the child here itself', { reason: 'PLACED_ELSEWHERE' });
      }
      const p = await tx.em.save(tx.em.create(Placement, { childId: input.childId, centreId: input.centreId, from: input.from, to: input.to ?? null }));
      audit(tx, { operation: 'CREATE', entityType: 'Placement', entityId: p.id, fields: ['childId', 'centreId', 'from', 'to'], values: input });
      return p;
    });
  }

  /** Ends a placement on a date (inclusive): a transfer to another centre starts after it. Only its centre may. */
  static async endPlacement(ctx: Context, input: EndPlacementInput): Promise<Placement> {
    requireUser(ctx);
    assertId(input.placementId, 'input.placementId');
    const toProblem = calendarDateProblem(input.to);
    if (toProblem) throw badInput('input.to', toProblem);
    return transactional(ctx, async (tx) => {
      const p = await tx.em.createQueryBuilder(Placement, 'p').setLock('pessimistic_write').where('p.id = :id', { id: input.placementId }).getOne();
      if (!p || !tx.ability.can('update', subject('Placement', { ...p }))) {
        throw notFound('Placement', input.placementId);
      }
      if (input.to < p.from) throw badInput('input.to', 'is before the placement started');
      if (p.to !== null && input.to > p.to) throw badInput('input.to', 'is after the placement ends already');
      await tx.em.update(Placement, { id: p.id }, { to: input.to });
      audit(tx, { operation: 'UPDATE', entityType: 'Placement', entityId: p.id, fields: ['to'], values: { to: input.to } });
      return (await tx.em.findOne(Placement, { where: { id: p.id } }))!;
    });
  }

  static async setCarePlan(ctx: Context, input: SetCarePlanInput): Promise<CarePlan> {
    requireUser(ctx);
    await SchedulingService.centreFor(ctx, 'create', 'CarePlan', input.centreId);
    SchedulingService.checkPeriod(input.from, input.to);
    const seen = new Set<string>();
    input.needs.forEach((n, i) => {
      if (seen.has(n.discipline)) throw badInput(`input.needs.${i}.discipline`, 'appears twice');
      seen.add(n.discipline);
    });
    const child = await ctx.loaders.child.load(input.childId);
    if (!child) throw notFound('Child', input.childId);
    const placed = await ctx.em.exists(Placement, { where: { childId: child.id, centreId: input.centreId } });
    if (!placed) throw badInput('input.childId', 'the child is not placed at this centre');
    return transactional(ctx, async (tx) => {
      const plan = await tx.em.save(tx.em.create(CarePlan, {
        childId: child.id, centreId: input.centreId, from: input.from, to: input.to ?? null,
        needs: input.needs.map((n) => ({ discipline: n.discipline, sessionsPerWeek: n.sessionsPerWeek, minutes: n.minutes })),
      }));
      audit(tx, { operation: 'CREATE', entityType: 'CarePlan', entityId: plan.id, fields: ['childId', 'centreId', 'needs', 'from', 'to'], values: input });
      return plan;
    });
  }

  /** A placement's or care plan's period: real calendar dates in the programme's years, `to` not before `from`. */
  private static checkPeriod(from: string, to: string | null | undefined): void {
    const fromProblem = calendarDateProblem(from);
    if (fromProblem) throw badInput('input.from', fromProblem);
    if (to != null) {
      const toProblem = calendarDateProblem(to);
      if (toProblem) throw badInput('input.to', toProblem);
      if (to < from) throw badInput('input.to', 'is before from');
    }
  }

  /** A centre the user may read, checked for `action` on `subjectName` records there. */
  private static async centreFor(ctx: Context, action: 'create' | 'update', subjectName: 'Room' | 'AvailabilityRule' | 'Placement' | 'CarePlan', centreId: string): Promise<Centre> {
    assertId(centreId, 'input.centreId');
    const centre = await ctx.loaders.scheduling.centre.load(centreId);
    if (!centre) throw notFound('Centre', centreId);
    if (!ctx.ability.can(action, subject(subjectName, { centreId }))) throw forbidden(`You may not ${action} ${subjectName} records at this centre`);
    return centre;
  }

  private static async writable<T extends { id: string }>(ctx: Context, action: 'update', subjectName: 'Centre', entity: new () => T, id: string, field: string): Promise<T> {
    assertId(id, field);
    const row = await ctx.em.findOne(entity, { where: { id } as never });
    if (!row || !ctx.ability.can('read', subject(subjectName, { ...row }))) throw notFound(subjectName, id);
    if (!ctx.ability.can(action, subject(subjectName, { ...row }))) throw forbidden(`You may not ${action} this ${subjectName}`);
    return row;
  }
}
