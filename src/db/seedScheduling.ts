import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import {
  AvailabilityRule, CarePlan, Case, CaseEvent, Centre, CentreStaff, Child, Organization, Placement, Room, ScheduleProposal, Specialist, SpecialistCentre, User,
} from '../entities';
import { DateTime } from 'luxon';
import { AvailabilityKind, CaseEventKind, CaseStatus, Discipline, OrganizationKind, Sex } from '../schema/enums';
import { addDays } from '../services/schedulingData';
import { loadProblem, solveProblem, storeSolution, writeSolution } from '../services/schedulingProblem';
import { worldFingerprint } from '../services/schedulingData';
import { searchText, transliterate } from '../services/transliteration';
import { FAMILY_COMMON, GIVEN_FEMALE, GIVEN_MALE } from './demoNames';

export interface SchedulingSeedOptions {
  logger?: Pick<Logger, 'info'>;
  /** "Now" for the demo week (default: the real now). */
  now?: Date;
  /** How many children to place (default 60). */
  children?: number;
  /** Solver budget per centre (default 1000 ms). */
  timeLimitMs?: number;
}

/** A small deterministic PRNG (mulberry32), the same every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)], chance: (p: number) => next() < p };
}

const TZ = 'Europe/Kyiv';
const HOURS = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '19:00' })).concat([{ weekday: 6, opens: '09:00', closes: '14:00' }]);
const CENTRES = [
  { name: 'CRPC Rehabilitation Centre "Kyiv"', oblast: 'Kyiv', rooms: [['Room 1 (therapy)', 'THERAPY'], ['Room 2 (therapy)', 'THERAPY'], ['Art studio', 'ART_STUDIO'], ['Classroom A', 'CLASSROOM'], ['Classroom B', 'CLASSROOM']] },
  { name: 'CRPC Rehabilitation Centre "Lviv"', oblast: 'Lviv', rooms: [['Therapy room', 'THERAPY'], ['Sensory room', 'SENSORY'], ['Art studio', 'ART_STUDIO'], ['Classroom', 'CLASSROOM']] },
] as const;
/** Per centre: discipline, languages, ages, weekly pattern. */
const STAFF: [Discipline, string[], number, number, string][] = [
  [Discipline.PSYCHOLOGIST, ['uk', 'ru'], 3, 18, 'MO,TU,WE,TH,FR'],
  [Discipline.PSYCHOLOGIST, ['uk'], 3, 18, 'MO,TU,WE,TH,FR'],
  [Discipline.PSYCHOLOGIST, ['uk', 'en'], 10, 18, 'MO,WE,FR'],
  [Discipline.THERAPIST, ['uk', 'ru'], 3, 18, 'MO,TU,WE,TH,FR'],
  [Discipline.THERAPIST, ['uk'], 3, 18, 'TU,TH'],
  [Discipline.ART_THERAPIST, ['uk'], 3, 16, 'MO,TU,WE,TH,FR'],
  [Discipline.ART_THERAPIST, ['uk', 'ru'], 5, 18, 'TU,WE,TH'],
  [Discipline.TEACHER, ['uk'], 6, 17, 'MO,TU,WE,TH,FR'],
  [Discipline.TEACHER, ['uk', 'en'], 6, 17, 'MO,TU,WE,TH,FR'],
  [Discipline.SOCIAL_WORKER, ['uk', 'ru'], 0, 18, 'MO,TU,WE,TH,FR'],
];
const SPECIALIST_NAMES = [
  'Олена Коваль', 'Ірина Бондар', 'Тарас Мельник', 'Наталія Шевчук', 'Оксана Ткаченко', 'Марія Кравець', 'Андрій Олійник', 'Юлія Савченко', 'Світлана Руденко', 'Віктор Лисенко',
  'Галина Мороз', 'Ольга Павленко', 'Богдан Гнатюк', 'Леся Марченко', 'Роман Бойко', 'Христина Дячук', 'Софія Іваненко', 'Дмитро Левченко', 'Анна Петренко', 'Василь Козак',
];

/** Monday 00:00 (centre time) of the week holding `now`. */
export function weekStart(now: Date, tz = TZ): Date {
  return DateTime.fromJSDate(now, { zone: tz }).startOf('week').toJSDate();
}

/**
 * Seeds the rehabilitation side of the demo world: two CRPC centres with rooms, twenty specialists with
 * weekly availability (one of them specialist@demo.bkb), about sixty returned children placed there with
 * care plans, and the scheduler's timetable for the current week, applied (past sessions COMPLETED).
 * centre_coordinator@demo.bkb coordinates the first centre. Does nothing when the demo centres exist.
 */
export async function seedScheduling(ds: DataSource, opts: SchedulingSeedOptions = {}): Promise<{ seeded: boolean; sessions: number }> {
  const log = opts.logger ?? { info: () => undefined };
  if (await ds.getRepository(Centre).exists({ where: { name: CENTRES[0].name } })) return { seeded: false, sessions: 0 };
  const started = Date.now();
  const now = opts.now ?? new Date();
  const rnd = prng(20220224);
  const want = opts.children ?? 60;
  const week = weekStart(now);
  const today = DateTime.fromJSDate(now, { zone: TZ }).toISODate()!;

  const centres = await ds.transaction(async (em) => {
    const org = (await em.findOne(Organization, { where: { kind: OrganizationKind.REHABILITATION_CENTRE_OPERATOR }, order: { createdAt: 'ASC' } }))
      ?? (await em.save(em.create(Organization, { name: "Children's Rights Protection Centre (CRPC)", kind: OrganizationKind.REHABILITATION_CENTRE_OPERATOR, country: 'UA' })));
    const coordinator = await em.findOne(User, { where: { email: 'centre_coordinator@demo.bkb' } });
    const specialistUser = await em.findOne(User, { where: { email: 'specialist@demo.bkb' } });
    const made: Centre[] = [];
    let n = 0;
    for (const [ci, c] of CENTRES.entries()) {
      const centre = await em.save(em.create(Centre, { organizationId: org.id, name: c.name, oblast: c.oblast, timeZone: TZ, openingHours: HOURS, childMaxDailyMinutes: 180 }));
      made.push(centre);
      for (const [name, kind] of c.rooms) await em.insert(Room, { centreId: centre.id, name, kind, capacity: kind === 'CLASSROOM' ? 8 : 3 });
      if (ci === 0 && coordinator) await em.insert(CentreStaff, { centreId: centre.id, userId: coordinator.id });
      for (const [discipline, languages, ageMin, ageMax, days] of STAFF) {
        const s = await em.save(em.create(Specialist, {
          name: SPECIALIST_NAMES[n], discipline, languages, ageMin, ageMax, caseloadCap: discipline === Discipline.TEACHER ? 25 : 14,
          sessionsPerDayCap: discipline === Discipline.TEACHER ? 7 : 5, minBreakMinutes: discipline === Discipline.TEACHER ? 5 : 10,
          userId: n === 0 && specialistUser ? specialistUser.id : null,
        }));
        await em.insert(SpecialistCentre, { specialistId: s.id, centreId: centre.id });
        const late = rnd.chance(0.3);
        await em.insert(AvailabilityRule, {
          specialistId: s.id, centreId: centre.id, kind: AvailabilityKind.AVAILABLE, rrule: `FREQ=WEEKLY;BYDAY=${days}`,
          dtstart: late ? '2026-01-05T10:00' : '2026-01-05T09:00', tzid: TZ, durationMinutes: 8 * 60, note: 'Working hours',
        });
        if (n % 7 === 3) {
          // Leave next week: the scheduler and free slots must respect it.
          await em.insert(AvailabilityRule, {
            specialistId: s.id, centreId: centre.id, kind: AvailabilityKind.UNAVAILABLE, rrule: 'FREQ=DAILY;COUNT=5', dtstart: `${addDays(week.toISOString().slice(0, 10), 8)}T00:00`,
            tzid: TZ, durationMinutes: 24 * 60, note: 'Annual leave',
          });
        }
        n++;
      }
    }
    log.info({ centres: made.length, specialists: n }, 'seeding centres, rooms and specialists');

    const children = await returnedChildren(em, want, org, rnd);
    for (const [i, child] of children.entries()) {
      const centre = made[i % made.length];
      const from = addDays(today, -rnd.int(10, 200));
      const to = rnd.chance(0.5) ? null : addDays(today, rnd.int(60, 300));
      // A placement follows a referral: the case is shared (SUMMARY) with the centre's operator.
      await em.query(
        `INSERT INTO case_share (case_id, organization_id, access) SELECT id, $2, 'SUMMARY' FROM case_file
          WHERE child_id = $1 AND lead_organization_id <> $2 ON CONFLICT DO NOTHING`,
        [child.id, org.id],
      );
      await em.insert(Placement, { childId: child.id, centreId: centre.id, from, to });
      const needs = [{ discipline: Discipline.PSYCHOLOGIST, sessionsPerWeek: rnd.int(1, 2), minutes: 50 }];
      if (rnd.chance(0.5)) needs.push({ discipline: Discipline.ART_THERAPIST, sessionsPerWeek: 1, minutes: 60 });
      if (rnd.chance(0.6)) needs.push({ discipline: Discipline.TEACHER, sessionsPerWeek: rnd.int(2, 3), minutes: 45 });
      if (rnd.chance(0.3)) needs.push({ discipline: Discipline.THERAPIST, sessionsPerWeek: 1, minutes: 50 });
      if (rnd.chance(0.2)) needs.push({ discipline: Discipline.SOCIAL_WORKER, sessionsPerWeek: 1, minutes: 45 });
      await em.insert(CarePlan, { childId: child.id, centreId: centre.id, from, to, needs });
    }
    log.info({ children: children.length }, 'seeding placements and care plans');
    return made;
  });

  // The current week's timetable, proposed by the scheduler and applied, one centre at a time.
  let sessions = 0;
  const to = new Date(week.getTime() + 7 * 86_400_000);
  for (const centre of centres) {
    await ds.transaction(async (em) => {
      const problem = await loadProblem(em, centre.id, week, to);
      const solution = solveProblem(problem, { timeLimitMs: opts.timeLimitMs ?? 1000 });
      const stored = storeSolution(solution);
      const fingerprint = await worldFingerprint(em, centre.id, week, to);
      const written = await writeSolution(em, centre.id, stored, null, now);
      await em.insert(ScheduleProposal, { centreId: centre.id, from: week, to, payload: stored, fingerprint, createdById: null, appliedAt: new Date() });
      sessions += written.sessionIds.length;
      log.info({ centre: centre.name, sessions: written.sessionIds.length, unmet: solution.unmet.length, score: { hard: solution.score.hard, medium: solution.score.medium, soft: solution.score.soft } }, 'seeding the week\'s schedule');
    });
  }
  log.info({ sessions, ms: Date.now() - started }, 'rehabilitation centres seeded');
  return { seeded: true, sessions };
}

/** Returned children (RETURNED, REINTEGRATION, AFTERCARE), oldest reports first; creates more when the world has too few. */
async function returnedChildren(em: EntityManager, want: number, org: Organization, rnd: ReturnType<typeof prng>): Promise<Child[]> {
  const found = await em.createQueryBuilder(Child, 'ch')
    .innerJoin('case_file', 'cf', 'cf.child_id = ch.id')
    .where('cf.status IN (:...st)', { st: [CaseStatus.RETURNED, CaseStatus.REINTEGRATION, CaseStatus.AFTERCARE] })
    .orderBy('cf.created_at').addOrderBy('ch.id').limit(want).getMany();
  while (found.length < want) {
    const female = rnd.chance(0.5);
    const given = rnd.pick(female ? GIVEN_FEMALE : GIVEN_MALE);
    const family = rnd.pick(FAMILY_COMMON);
    const child = em.create(Child, {
      givenName: given, familyName: family, patronymic: null, latinName: transliterate(`${given} ${family}`), aliases: [],
      birthDate: `${rnd.int(2010, 2020)}-0${rnd.int(1, 9)}-1${rnd.int(0, 9)}`, sex: female ? Sex.FEMALE : Sex.MALE, languages: rnd.chance(0.6) ? ['uk', 'ru'] : ['uk'],
      homeOblast: 'Kherson',
    });
    child.searchText = searchText([given, family, child.latinName]);
    await em.save(child);
    const c = await em.save(em.create(Case, { childId: child.id, status: CaseStatus.AFTERCARE, leadOrganizationId: org.id, version: 1 }));
    await em.insert(CaseEvent, { caseId: c.id, kind: CaseEventKind.CREATED, from: null, to: CaseStatus.AFTERCARE, note: 'Returned; placed for rehabilitation' });
    found.push(child);
  }
  return found;
}
