import { type AvailabilityRule, type OpeningHours, specialistFreeTime } from '../../src/scheduling/availability';
import { isCompatible } from '../../src/scheduling/compatibility';
import type { Interval } from '../../src/scheduling/intervals';
import type { ChildInput, NeedInput, RoomInput, SchedulingProblem, SpecialistInput } from '../../src/scheduling/problem';
import { createRandom } from '../../src/scheduling/random';
import { localToInstant } from '../../src/scheduling/recurrence';

/*
 * A seeded generator of realistic centre weeks: children with care plans in several disciplines and
 * languages, specialists with RRULE working patterns (expanded through the real availability code,
 * across a DST change when the week contains one), existing assignments, busy time and rooms.
 * The same seed and sizes always give the same instance.
 */

/** Sizes and knobs of a generated instance. */
export interface InstanceOptions {
  seed: number;
  children: number;
  specialists: number;
  /** Default: 70% of the specialists, rounded up. */
  rooms?: number;
  /** Default 15. */
  slotMinutes?: number;
  /** Local date of the Monday the week starts on (default 2026-03-23, whose Sunday is the spring DST change in Kyiv). */
  weekStart?: string;
  timeZone?: string;
  /** Restrict the disciplines in play (small instances use three). */
  disciplines?: string[];
  /** Share of needs that already have a specialist (continuity of care), default 0.3. */
  continuityShare?: number;
  /** Add busy time to specialists, children and rooms (default true). */
  busy?: boolean;
  /**
   * `realistic` (default): varied ages, languages and working patterns. `contended`: every specialist serves
   * every child (all ages, uk + ru) but with small caseloads, few sessions a day and part-time patterns, so
   * the instance is decided by capacity, urgency and routine rather than by compatibility.
   */
  profile?: 'realistic' | 'contended';
}

interface DisciplineProfile {
  name: string;
  share: number;
  minutes: number;
  sessions: [number, number];
}

const PROFILES: DisciplineProfile[] = [
  { name: 'PSYCHOLOGIST', share: 0.8, minutes: 50, sessions: [1, 2] },
  { name: 'TEACHER', share: 0.6, minutes: 45, sessions: [2, 4] },
  { name: 'ART_THERAPIST', share: 0.4, minutes: 60, sessions: [1, 1] },
  { name: 'THERAPIST', share: 0.3, minutes: 45, sessions: [1, 2] },
  { name: 'SOCIAL_WORKER', share: 0.3, minutes: 60, sessions: [1, 1] },
];

const OPENING_HOURS: OpeningHours[] = [
  ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '19:00' })),
  { weekday: 6, opens: '09:00', closes: '14:00' },
];

const WORK_PATTERNS: { byday: string; start: string; hours: number }[] = [
  { byday: 'MO,TU,WE,TH,FR', start: '09:00', hours: 8 },
  { byday: 'MO,TU,WE,TH,FR', start: '10:00', hours: 8 },
  { byday: 'MO,TU,WE,TH,FR', start: '08:00', hours: 6 },
  { byday: 'MO,WE,FR', start: '09:00', hours: 8 },
  { byday: 'TU,TH,SA', start: '09:00', hours: 6 },
];

const AGE_RANGES: [number, number][] = [
  [3, 17],
  [3, 10],
  [6, 17],
  [10, 17],
];

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Generates a seeded scheduling problem of the requested size. */
export function generateInstance(options: InstanceOptions): SchedulingProblem {
  const random = createRandom(options.seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const timeZone = options.timeZone ?? 'Europe/Kyiv';
  const weekStart = options.weekStart ?? '2026-03-23';
  const slotMinutes = options.slotMinutes ?? 15;
  const from = localToInstant(`${weekStart}T00:00`, timeZone);
  const to = localToInstant(`${addDays(weekStart, 7)}T00:00`, timeZone);
  const profiles = PROFILES.filter((p) => !options.disciplines || options.disciplines.includes(p.name));
  const withBusy = options.busy ?? true;
  const contended = options.profile === 'contended';

  const children: ChildInput[] = [];
  for (let i = 0; i < options.children; i++) {
    const needs: NeedInput[] = profiles
      .filter((p) => random() < p.share)
      .map((p) => ({ discipline: p.name, minutes: p.minutes, sessionsPerWeek: int(p.sessions[0], p.sessions[1]) }));
    if (needs.length === 0) {
      const p = pick(profiles);
      needs.push({ discipline: p.name, minutes: p.minutes, sessionsPerWeek: p.sessions[0] });
    }
    const r = random();
    const languages = r < 0.82 ? ['uk'] : r < 0.93 ? ['uk', 'ru'] : r < 0.99 ? ['ru'] : ['crh'];
    // A few placements start late in the week or end early.
    const late = random() < 0.15;
    const placement = late
      ? random() < 0.5
        ? { from: new Date(from.getTime() + int(1, 3) * DAY_MS), to: new Date(to.getTime() + 30 * DAY_MS) }
        : { from: new Date(from.getTime() - 60 * DAY_MS), to: new Date(from.getTime() + int(3, 5) * DAY_MS) }
      : { from: new Date(from.getTime() - 30 * DAY_MS), to: new Date(to.getTime() + 60 * DAY_MS) };
    const busy: Interval[] = [];
    if (withBusy && random() < 0.1) {
      const start = localToInstant(`${addDays(weekStart, int(0, 4))}T${pick(['09:00', '11:00', '14:00'])}`, timeZone).getTime();
      busy.push({ start, end: start + 120 * MINUTE_MS });
    }
    children.push({
      id: `child-${i + 1}`,
      ageYears: int(3, 17),
      languages,
      priority: int(1, 5),
      returnedAt: new Date(from.getTime() - int(5, 700) * DAY_MS),
      placement,
      needs,
      busy,
    });
  }

  // Specialists per discipline in proportion to the demanded minutes (largest remainder, at least one each when possible).
  const demand = profiles.map((p) =>
    children.reduce((sum, c) => sum + c.needs.filter((n) => n.discipline === p.name).reduce((s, n) => s + n.minutes * n.sessionsPerWeek, 0), 0),
  );
  const totalDemand = demand.reduce((a, b) => a + b, 0) || 1;
  const quota = demand.map((d) => (d / totalDemand) * options.specialists);
  const counts = quota.map((q) => Math.floor(q));
  const order = quota.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0]);
  for (let k = 0; counts.reduce((a, b) => a + b, 0) < options.specialists; k++) counts[order[k % order.length][1]]++;

  const specialists: SpecialistInput[] = [];
  profiles.forEach((p, di) => {
    for (let k = 0; k < counts[di]; k++) {
      const pattern = contended ? pick(WORK_PATTERNS.slice(2)) : pick(WORK_PATTERNS);
      const rules: AvailabilityRule[] = [
        {
          kind: 'AVAILABLE',
          rrule: `FREQ=WEEKLY;BYDAY=${pattern.byday};UNTIL=20271231T000000Z`,
          dtstart: `2026-01-05T${pattern.start}`,
          tzid: timeZone,
          durationMinutes: pattern.hours * 60,
        },
      ];
      if (withBusy && random() < 0.1) {
        // A day of leave this week.
        rules.push({ kind: 'UNAVAILABLE', rrule: 'FREQ=DAILY;COUNT=1', dtstart: `${addDays(weekStart, int(0, 4))}T00:00`, tzid: timeZone, durationMinutes: 24 * 60 });
      }
      const busy: Interval[] = [];
      if (withBusy && random() < 0.2) {
        const start = localToInstant(`${addDays(weekStart, int(0, 4))}T${pick(['10:00', '12:00', '15:00'])}`, timeZone).getTime();
        busy.push({ start, end: start + 60 * MINUTE_MS });
      }
      const minBreakMinutes = pick([0, 10, 15]);
      const languages = contended ? ['uk', 'ru'] : ['uk', ...(random() < 0.3 ? ['ru'] : []), ...(random() < 0.15 ? ['en'] : [])];
      const [ageMin, ageMax] = contended ? [3, 17] : pick(AGE_RANGES);
      specialists.push({
        id: `spec-${specialists.length + 1}`,
        discipline: p.name,
        languages,
        ageMin,
        ageMax,
        caseloadCap: contended ? int(4, 7) : int(12, 24),
        perDayCap: contended ? int(2, 4) : int(5, 7),
        minBreakMinutes,
        free: specialistFreeTime({ rules, openingHours: OPENING_HOURS, timeZone, busy: [], minBreakMinutes: 0, from, to }),
        busy,
        currentChildren: [],
        load: busy.length,
      });
    }
  });

  // Existing assignments: a share of needs already has a compatible specialist with caseload to spare.
  const continuity = options.continuityShare ?? 0.3;
  for (const c of children) {
    for (const n of c.needs) {
      if (random() >= continuity) continue;
      const options_ = specialists.filter(
        (s) => isCompatible(s, c, n.discipline) && s.currentChildren.length < s.caseloadCap - 1,
      );
      if (options_.length > 0) pick(options_).currentChildren.push(c.id);
    }
  }

  const roomCount = options.rooms ?? Math.ceil(options.specialists * 0.7);
  const rooms: RoomInput[] = Array.from({ length: roomCount }, (_, i) => ({
    id: `room-${i + 1}`,
    kind: i % 3 === 0 ? 'ART_STUDIO' : 'CONSULTATION',
    capacity: i % 3 === 0 ? 6 : 3,
    busy: [],
  }));
  if (withBusy && rooms.length > 2) {
    const start = localToInstant(`${addDays(weekStart, 2)}T12:00`, timeZone).getTime();
    rooms[0].busy.push({ start, end: start + 180 * MINUTE_MS });
  }

  return { centreTimeZone: timeZone, from, to, slotMinutes, children, specialists, rooms, childMaxDailyMinutes: 180 };
}

/** Adds days to a local date `YYYY-MM-DD` (calendar arithmetic, no time zone involved). */
function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
