import type { EntityManager } from 'typeorm';
import { Centre, Room, Session, Specialist } from '../entities';
import { openingHoursIntervals, specialistFreeTime } from '../scheduling/availability';
import type { ChildInput, SchedulingProblem, Solution, SolveProgress } from '../scheduling/problem';
import { solve } from '../scheduling/solver';
import { SessionStatus } from '../schema/enums';
import { ageOn, asIntervals, busySessions, localDate, openingHoursOf, periodEndInstant, periodStartInstant, rulesBySpecialist, yieldToEventLoop } from './schedulingData';

/*
 * The scheduler's adapter: reads one centre's world for a period into the solver's plain problem, and
 * writes a solution back. Both take an entity manager so that callers choose the transaction; neither
 * checks permissions (the service does, the seed and the CLI run as the operator).
 */

const DAY_MS = 86_400_000;
const PRIORITY: Record<string, number> = { CRITICAL: 1, HIGH: 2, NORMAL: 3, LOW: 4 };
/** The last day a placement without an end may hold sessions, for the solver (beyond any period). */
const OPEN_END = new Date('9999-01-01T00:00:00Z');

/** Reads the scheduling problem of a centre for [from, to): who needs what (minus what is already booked), who can give it, where. */
export async function loadProblem(em: EntityManager, centreId: string, from: Date, to: Date): Promise<SchedulingProblem> {
  const centre = await em.findOneOrFail(Centre, { where: { id: centreId } });
  const tz = centre.timeZone;
  const fromDay = localDate(from, tz);
  const toDay = localDate(new Date(to.getTime() - 1), tz);
  const lo = new Date(from.getTime() - DAY_MS);
  const hi = new Date(to.getTime() + DAY_MS);

  const specialists = await em.createQueryBuilder(Specialist, 'sp')
    .innerJoin('specialist_centre', 'sc', 'sc.specialist_id = sp.id AND sc.centre_id = :centreId', { centreId })
    .orderBy('sp.id').getMany();
  const specIds = specialists.map((s) => s.id);
  const rules = await rulesBySpecialist(em, centreId, specIds);
  const specBusy = await busySessions(em, 'specialist_id', specIds, lo, hi);
  const currentChildren: { specialist_id: string; child_id: string }[] = specIds.length
    ? await em.query('SELECT DISTINCT specialist_id, child_id FROM assignment WHERE specialist_id = ANY($1::uuid[])', [specIds])
    : [];
  const rooms = await em.createQueryBuilder(Room, 'r').where('r.centre_id = :centreId', { centreId }).orderBy('r.id').getMany();
  const roomBusy = await busySessions(em, 'room_id', rooms.map((r) => r.id), lo, hi);

  const placed: {
    child_id: string; birth_date: string; languages: string[]; from_date: string; to_date: string | null;
    priority: string | null; returned_at: Date | null; needs: { discipline: string; sessionsPerWeek: number; minutes: number }[];
  }[] = await em.query(
    `SELECT DISTINCT ON (p.child_id) p.child_id, to_char(ch.birth_date, 'YYYY-MM-DD') AS birth_date, ch.languages,
            to_char(p.from_date, 'YYYY-MM-DD') AS from_date, to_char(p.to_date, 'YYYY-MM-DD') AS to_date,
            cf.priority, (SELECT min(e.at) FROM case_event e WHERE e.case_id = cf.id AND e.to_status = 'RETURNED') AS returned_at,
            cp.needs
       FROM placement p
       JOIN child ch ON ch.id = p.child_id
       LEFT JOIN case_file cf ON cf.child_id = p.child_id
       JOIN LATERAL (SELECT needs FROM care_plan c WHERE c.child_id = p.child_id AND c.centre_id = p.centre_id
                       AND c.from_date <= $3::date AND (c.to_date IS NULL OR c.to_date >= $2::date)
                     ORDER BY c.from_date DESC LIMIT 1) cp ON TRUE
      WHERE p.centre_id = $1 AND p.from_date <= $3::date AND (p.to_date IS NULL OR p.to_date >= $2::date)
      ORDER BY p.child_id, p.from_date DESC`,
    [centreId, fromDay, toDay],
  );
  const childIds = placed.map((c) => c.child_id);
  const childBusy = await busySessions(em, 'child_id', childIds, lo, hi);
  // What is already booked in the period counts toward the week's needs.
  const booked: { child_id: string; discipline: string; n: number }[] = childIds.length
    ? await em.query(
      `SELECT child_id, discipline, count(*)::int AS n FROM session
        WHERE centre_id = $1 AND child_id = ANY($2::uuid[]) AND status <> 'CANCELLED' AND starts_at >= $3 AND starts_at < $4
        GROUP BY child_id, discipline`,
      [centreId, childIds, from, to],
    )
    : [];
  const bookedOf = new Map(booked.map((b) => [`${b.child_id}|${b.discipline}`, b.n]));

  const children: ChildInput[] = placed.map((c) => ({
    id: c.child_id,
    ageYears: ageOn(c.birth_date, fromDay),
    languages: c.languages,
    priority: PRIORITY[c.priority ?? 'NORMAL'] ?? 3,
    returnedAt: c.returned_at ? new Date(c.returned_at) : new Date(Math.max(0, periodStartInstant(c.from_date, tz))),
    placement: {
      from: new Date(Math.max(0, periodStartInstant(c.from_date, tz))),
      to: periodEndInstant(c.to_date, tz) === Number.MAX_SAFE_INTEGER ? OPEN_END : new Date(periodEndInstant(c.to_date, tz)),
    },
    needs: (c.needs ?? [])
      .map((n) => ({ ...n, sessionsPerWeek: n.sessionsPerWeek - (bookedOf.get(`${c.child_id}|${n.discipline}`) ?? 0) }))
      .filter((n) => n.sessionsPerWeek > 0),
    busy: asIntervals(childBusy.filter((b) => b.ownerId === c.child_id)),
  }));

  const openingHours = openingHoursOf(centre);
  const open = specialists.length ? openingHoursIntervals(openingHours, tz, from, to) : [];
  const freeOf = new Map<string, ReturnType<typeof specialistFreeTime>>();
  for (const s of specialists) {
    // One specialist's expansion per turn of the event loop, so other requests are served meanwhile.
    await yieldToEventLoop();
    freeOf.set(s.id, specialistFreeTime({ rules: rules.get(s.id) ?? [], openingHours, open, timeZone: tz, busy: [], minBreakMinutes: 0, from, to }));
  }

  return {
    centreTimeZone: tz,
    from,
    to,
    slotMinutes: 15,
    childMaxDailyMinutes: centre.childMaxDailyMinutes,
    children,
    specialists: specialists.map((s) => {
      const busy = asIntervals(specBusy.filter((b) => b.ownerId === s.id));
      return {
        id: s.id,
        discipline: s.discipline,
        languages: s.languages,
        ageMin: s.ageMin,
        ageMax: s.ageMax,
        caseloadCap: s.caseloadCap,
        perDayCap: s.sessionsPerDayCap,
        minBreakMinutes: s.minBreakMinutes,
        free: freeOf.get(s.id)!,
        busy,
        currentChildren: currentChildren.filter((r) => r.specialist_id === s.id).map((r) => r.child_id),
        load: busy.filter((b) => b.start >= from.getTime() && b.start < to.getTime()).length,
      };
    }),
    rooms: rooms.map((r) => ({ id: r.id, kind: r.kind, capacity: r.capacity, busy: asIntervals(roomBusy.filter((b) => b.ownerId === r.id)) })),
  };
}

/** Runs the solver over a loaded problem. */
export function solveProblem(problem: SchedulingProblem, opts: { timeLimitMs?: number; onProgress?: (p: SolveProgress) => void } = {}): Solution {
  return solve(problem, { timeLimitMs: opts.timeLimitMs ?? 3000, onProgress: opts.onProgress, seed: 1 });
}

/** A solution as JSON (dates as ISO strings) for the proposal table. */
export type StoredSolution = Omit<Solution, 'sessions'> & { sessions: (Omit<Solution['sessions'][number], 'startsAt' | 'endsAt'> & { startsAt: string; endsAt: string })[] };

export function storeSolution(s: Solution): StoredSolution {
  return { ...s, sessions: s.sessions.map((x) => ({ ...x, startsAt: x.startsAt.toISOString(), endsAt: x.endsAt.toISOString() })) };
}

/**
 * Writes a solution: its sessions (the booking constraint still guards every one of them) and its
 * assignments (a changed specialist replaces the old assignment). Returns the new session ids.
 * `completeBefore` marks sessions that ended before that instant COMPLETED (the demo seed's past days).
 */
export async function writeSolution(
  em: EntityManager, centreId: string, solution: StoredSolution, createdById: string | null, completeBefore?: Date,
): Promise<{ sessionIds: string[]; assignmentsWritten: number }> {
  const rows = solution.sessions.map((x) => ({
    centreId, childId: x.childId, specialistId: x.specialistId, roomId: x.roomId, discipline: x.discipline as never,
    startsAt: new Date(x.startsAt), endsAt: new Date(x.endsAt),
    status: completeBefore && new Date(x.endsAt) < completeBefore ? SessionStatus.COMPLETED : SessionStatus.SCHEDULED,
    createdById,
  }));
  const sessionIds: string[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const res = await em.insert(Session, rows.slice(i, i + 500));
    sessionIds.push(...res.identifiers.map((r) => r.id as string));
  }
  let assignmentsWritten = 0;
  const used = new Set(solution.sessions.map((x) => `${x.childId}|${x.specialistId}|${x.discipline}`));
  for (const a of solution.assignments) {
    if (a.kept || !used.has(`${a.childId}|${a.specialistId}|${a.discipline}`)) continue;
    await em.query(
      `INSERT INTO assignment (child_id, centre_id, specialist_id, discipline) VALUES ($1, $2, $3, $4)
       ON CONFLICT (child_id, centre_id, discipline) DO UPDATE SET specialist_id = EXCLUDED.specialist_id`,
      [a.childId, centreId, a.specialistId, a.discipline],
    );
    assignmentsWritten++;
  }
  return { sessionIds, assignmentsWritten };
}
