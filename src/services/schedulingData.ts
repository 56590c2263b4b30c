import type { EntityManager } from 'typeorm';
import { AvailabilityRule, Centre } from '../entities';
import type { AvailabilityRule as DomainRule, OpeningHours } from '../scheduling/availability';
import { MAX_YEAR, MIN_YEAR } from '../scheduling/dateRange';
import { instantToLocal, localToInstant } from '../scheduling/recurrence';
import { type Interval, union } from '../scheduling/intervals';

/*
 * Adapters between the database and the pure scheduling code: local dates, ages, rules, busy time.
 * Everything here takes an entity manager so that it runs inside the caller's transaction.
 */

const DAY_MS = 86_400_000;

/**
 * Lets the event loop serve other requests before the next slice of a long computation (free time per
 * specialist, a series' occurrences): no request holds the loop for long (issue 7 §2).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Computes a list of intervals over [from, to) in slices of at most `sliceDays`, with the event loop free
 * between slices, and returns their union. For a `compute` that answers any window with the instants of a
 * fixed set inside it (availability, opening hours), the union equals `compute(from, to)`: a year-long
 * series is checked a month at a time instead of in one 40 ms block.
 */
export async function intervalsInSlices(from: Date, to: Date, sliceDays: number, compute: (from: Date, to: Date) => Interval[]): Promise<Interval[]> {
  const sliceMs = sliceDays * DAY_MS;
  if (to.getTime() - from.getTime() <= sliceMs) return compute(from, to);
  const parts: Interval[] = [];
  for (let a = from.getTime(); a < to.getTime(); a += sliceMs) {
    await yieldToEventLoop();
    parts.push(...compute(new Date(a), new Date(Math.min(a + sliceMs, to.getTime()))));
  }
  return union(parts);
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, tz: string): string {
  return instantToLocal(instant, tz).slice(0, 10);
}

/** Whole years between a birth date and a local date, both YYYY-MM-DD. */
export function ageOn(birthDate: string, date: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = date.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * DAY_MS;
  return new Date(t).toISOString().slice(0, 10);
}

/** Days from date a to date b (both YYYY-MM-DD). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

/** Whether a local date lies in [from, to] (to null = open). */
export function inPeriod(date: string, from: string, to: string | null): boolean {
  return from <= date && (to === null || date <= to);
}

/** The instant a placement (or plan) period starting on local date `from` starts; a date before the programme's first year means "always". */
export function periodStartInstant(from: string, tz: string): number {
  if (Number(from.slice(0, 4)) < MIN_YEAR) return Number.MIN_SAFE_INTEGER;
  return localToInstant(`${from}T00:00`, tz).getTime();
}

/**
 * The instant a placement (or plan) period ending on local date `to` (inclusive) ends; null or a date past the
 * programme's last year (rows stored before dates were range-checked, such as 9999-12-31) mean open-ended.
 */
export function periodEndInstant(to: string | null, tz: string): number {
  if (to === null || Number(to.slice(0, 4)) >= MAX_YEAR) return Number.MAX_SAFE_INTEGER;
  return localToInstant(`${addDays(to, 1)}T00:00`, tz).getTime();
}

/** The domain form of availability rules. */
export function toDomainRules(rules: AvailabilityRule[]): DomainRule[] {
  return rules.map((r) => ({ kind: r.kind, rrule: r.rrule, dtstart: r.dtstart, tzid: r.tzid, durationMinutes: r.durationMinutes }));
}

/** Opening hours of a centre; an empty list means no restriction (open around the clock). */
export function openingHoursOf(centre: Centre): OpeningHours[] {
  if (centre.openingHours?.length) return centre.openingHours;
  return [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' }));
}

/** Availability rules of specialists at a centre, grouped by specialist. */
export async function rulesBySpecialist(em: EntityManager, centreId: string, specialistIds: string[]): Promise<Map<string, DomainRule[]>> {
  const out = new Map<string, DomainRule[]>(specialistIds.map((id) => [id, []]));
  if (specialistIds.length === 0) return out;
  const rows = await em.createQueryBuilder(AvailabilityRule, 'ar')
    .where('ar.centre_id = :centreId AND ar.specialist_id IN (:...ids)', { centreId, ids: specialistIds })
    .orderBy('ar.created_at').getMany();
  for (const r of rows) out.get(r.specialistId)?.push(...toDomainRules([r]));
  return out;
}

/** A participant's non-cancelled sessions in a window, as intervals with their local day (in tz). */
export interface BusyRow {
  id: string;
  ownerId: string;
  start: number;
  end: number;
}

/**
 * Non-cancelled sessions in [from, to) of the given specialists or children (whatever centre), except `excludeIds`.
 * `by` chooses the owner column.
 */
export async function busySessions(
  em: EntityManager, by: 'specialist_id' | 'child_id' | 'room_id', ownerIds: string[], from: Date, to: Date, excludeIds: string[] = [],
): Promise<BusyRow[]> {
  if (ownerIds.length === 0) return [];
  const rows: { id: string; owner: string; starts_at: Date; ends_at: Date }[] = await em.query(
    `SELECT id, ${by} AS owner, starts_at, ends_at FROM session
      WHERE ${by} = ANY($1::uuid[]) AND status <> 'CANCELLED' AND starts_at < $3 AND ends_at > $2
        AND NOT (id = ANY($4::uuid[]))`,
    [ownerIds, from, to, excludeIds],
  );
  return rows.map((r) => ({ id: r.id, ownerId: r.owner, start: new Date(r.starts_at).getTime(), end: new Date(r.ends_at).getTime() }));
}

export function asIntervals(rows: BusyRow[]): Interval[] {
  return rows.map((r) => ({ start: r.start, end: r.end }));
}

/**
 * A digest of everything a proposal for this centre and period depends on: the centre, its rooms,
 * specialists and their availability, placements, care plans, assignments, and every session in the
 * period that involves its rooms, specialists or children. Any change changes the digest.
 */
export async function worldFingerprint(em: EntityManager, centreId: string, from: Date, to: Date): Promise<string> {
  const [row]: { digest: string }[] = await em.query(
    `WITH sp AS (SELECT specialist_id AS id FROM specialist_centre WHERE centre_id = $1),
          ch AS (SELECT DISTINCT child_id AS id FROM placement WHERE centre_id = $1)
     SELECT md5(concat_ws('|',
       (SELECT md5(row(c.*)::text) FROM centre c WHERE c.id = $1),
       (SELECT md5(string_agg(row(r.*)::text, ',' ORDER BY r.id)) FROM room r WHERE r.centre_id = $1),
       (SELECT md5(string_agg(row(s.*)::text, ',' ORDER BY s.id)) FROM specialist s WHERE s.id IN (SELECT id FROM sp)),
       (SELECT md5(string_agg(sc.specialist_id::text, ',' ORDER BY sc.specialist_id)) FROM specialist_centre sc WHERE sc.centre_id = $1),
       (SELECT md5(string_agg(row(a.*)::text, ',' ORDER BY a.id)) FROM availability_rule a WHERE a.centre_id = $1),
       (SELECT md5(string_agg(row(p.*)::text, ',' ORDER BY p.id)) FROM placement p WHERE p.centre_id = $1),
       (SELECT md5(string_agg(row(cp.*)::text, ',' ORDER BY cp.id)) FROM care_plan cp WHERE cp.centre_id = $1),
       (SELECT md5(string_agg(row(asg.id, asg.child_id, asg.specialist_id, asg.discipline)::text, ',' ORDER BY asg.id)) FROM assignment asg
         WHERE asg.specialist_id IN (SELECT id FROM sp) OR asg.child_id IN (SELECT id FROM ch)),
       (SELECT md5(string_agg(row(se.id, se.status, se.starts_at, se.ends_at, se.child_id, se.specialist_id, se.room_id)::text, ',' ORDER BY se.id)) FROM session se
         WHERE se.starts_at < $3 AND se.ends_at > $2
           AND (se.centre_id = $1 OR se.specialist_id IN (SELECT id FROM sp) OR se.child_id IN (SELECT id FROM ch)))
     )) AS digest`,
    [centreId, from, to],
  );
  return row.digest;
}
