import type { EntityManager } from 'typeorm';
import { Centre, Child, Room, Session, Specialist } from '../../entities';
import { localToInstant } from '../../scheduling/recurrence';
import { BookingConflictReason, Discipline, SessionStatus } from '../../schema/enums';
import { bookingConflicts, isExclusionViolation } from '../BookingService';
import { addDays } from '../schedulingData';

/** Local start times tried for a follow-up session, each on the due date and the days after it. */
const HOURS = ['10:00', '14:00'];
const DAYS_AFTER_DUE = 3;
const MINUTES = 60;
/** Most booking checks one follow-up may cost (each is a handful of queries). */
const MAX_ATTEMPTS = 16;

/** YYYY-MM-DD plus whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

/**
 * Books a follow-up visit as a SOCIAL_WORKER session at the centre where the child is placed on the
 * due date, through the same rule and overlap checks as every booking (bookingConflicts), trying the
 * due date and the next days. A follow-up is not a care-plan need, so only that refusal is ignored.
 * Returns null when the child is not placed there then or no slot is free: the caller keeps a dated task.
 */
export async function bookFollowUpSession(em: EntityManager, childId: string, dueDate: string, createdById: string | null): Promise<Session | null> {
  if (dueDate <= new Date().toISOString().slice(0, 10)) return null;
  const placements: { centre_id: string }[] = await em.query(
    `SELECT centre_id FROM placement WHERE child_id = $1 AND from_date <= $2::date AND (to_date IS NULL OR to_date >= $2::date) ORDER BY from_date DESC LIMIT 1`,
    [childId, dueDate],
  );
  if (placements.length === 0) return null;
  const centre = await em.findOneOrFail(Centre, { where: { id: placements[0].centre_id } });
  const child = await em.findOneOrFail(Child, { where: { id: childId } });
  const specialists = await em.createQueryBuilder(Specialist, 's')
    .where('s.discipline = :d', { d: Discipline.SOCIAL_WORKER })
    .andWhere('EXISTS (SELECT 1 FROM specialist_centre sc WHERE sc.specialist_id = s.id AND sc.centre_id = :c)', { c: centre.id })
    .orderBy('s.created_at').addOrderBy('s.id').take(2).getMany();
  const rooms = await em.createQueryBuilder(Room, 'r').where('r.centre_id = :c', { c: centre.id }).orderBy('r.created_at').addOrderBy('r.id').take(2).getMany();
  let attempts = 0;
  for (let day = 0; day <= DAYS_AFTER_DUE; day++) {
    const date = addDays(dueDate, day);
    for (const hour of HOURS) {
      const startsAt = localToInstant(`${date}T${hour}`, centre.timeZone);
      const occurrence = { startsAt, endsAt: new Date(startsAt.getTime() + MINUTES * 60_000) };
      for (const specialist of specialists) {
        for (const room of rooms) {
          if (++attempts > MAX_ATTEMPTS) return null;
          const conflicts = (await bookingConflicts(em, { centre, child, specialist, room }, [occurrence]))
            .filter((c) => c.reason !== BookingConflictReason.NOT_IN_CARE_PLAN);
          if (conflicts.length > 0) continue;
          // A concurrent booking may take the slot between check and insert: lose only this attempt, not the caller's transaction.
          await em.query('SAVEPOINT follow_up_booking');
          try {
            const session = await em.save(em.create(Session, {
              centreId: centre.id, childId, specialistId: specialist.id, roomId: room.id, discipline: Discipline.SOCIAL_WORKER,
              startsAt: occurrence.startsAt, endsAt: occurrence.endsAt, status: SessionStatus.SCHEDULED, seriesId: null, notes: null, createdById,
            }));
            await em.query('RELEASE SAVEPOINT follow_up_booking');
            return session;
          } catch (e) {
            if (!isExclusionViolation(e)) throw e;
            await em.query('ROLLBACK TO SAVEPOINT follow_up_booking');
          }
        }
      }
    }
  }
  return null;
}
