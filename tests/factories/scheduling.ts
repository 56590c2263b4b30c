import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { App } from '../../src/app';
import {
  AvailabilityRule, CarePlan, Centre, CentreStaff, Child, Organization, Placement, Room, Session, Specialist, SpecialistCentre, User,
} from '../../src/entities';
import { AvailabilityKind, Discipline, OrganizationKind, Role, SessionStatus } from '../../src/schema/enums';
import { createOrg, createUser } from './index';

const uniq = () => crypto.randomBytes(4).toString('hex');

/** Monday to Friday 08:00-20:00, Saturday 09:00-14:00. */
export const WEEK_HOURS = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '20:00' })).concat([{ weekday: 6, opens: '09:00', closes: '14:00' }]);

/** A centre (with its own operator organization unless given), open around the clock unless hours are given. */
export async function createCentre(ds: DataSource, opts: { org?: Organization; timeZone?: string; openingHours?: Centre['openingHours']; childMaxDailyMinutes?: number } = {}): Promise<Centre> {
  const org = opts.org ?? (await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR));
  return ds.getRepository(Centre).save({
    organizationId: org.id, name: `Centre ${uniq()}`, oblast: 'Kyiv', timeZone: opts.timeZone ?? 'Europe/Kyiv',
    openingHours: opts.openingHours ?? [], childMaxDailyMinutes: opts.childMaxDailyMinutes ?? 240,
  });
}

export async function createRoom(ds: DataSource, centre: Centre, kind = 'THERAPY'): Promise<Room> {
  return ds.getRepository(Room).save({ centreId: centre.id, name: `Room ${uniq()}`, kind, capacity: 2 });
}

export interface SpecialistSpec {
  discipline?: Discipline;
  languages?: string[];
  ageMin?: number;
  ageMax?: number;
  caseloadCap?: number;
  sessionsPerDayCap?: number;
  minBreakMinutes?: number;
  /** Availability rules; default: every day around the clock. */
  availability?: { rrule: string; dtstart: string; durationMinutes: number; kind?: AvailabilityKind }[];
}

/** A specialist working at a centre, with availability there. */
export async function createSpecialist(ds: DataSource, centre: Centre, spec: SpecialistSpec = {}): Promise<Specialist> {
  const s = await ds.getRepository(Specialist).save({
    name: `Specialist ${uniq()}`, discipline: spec.discipline ?? Discipline.PSYCHOLOGIST, languages: spec.languages ?? ['uk'],
    ageMin: spec.ageMin ?? 0, ageMax: spec.ageMax ?? 18, caseloadCap: spec.caseloadCap ?? 20, sessionsPerDayCap: spec.sessionsPerDayCap ?? 8,
    minBreakMinutes: spec.minBreakMinutes ?? 0, userId: null,
  });
  await ds.getRepository(SpecialistCentre).insert({ specialistId: s.id, centreId: centre.id });
  const rules = spec.availability ?? [{ rrule: 'FREQ=DAILY', dtstart: '2026-01-01T00:00', durationMinutes: 1440 }];
  for (const r of rules) {
    await ds.getRepository(AvailabilityRule).insert({
      specialistId: s.id, centreId: centre.id, kind: r.kind ?? AvailabilityKind.AVAILABLE, rrule: r.rrule, dtstart: r.dtstart, tzid: centre.timeZone, durationMinutes: r.durationMinutes,
    });
  }
  return s;
}

/**
 * Places a child at a centre with a care plan (default: psychologist 2 × 50 min a week), open-ended from
 * 2026-01-01, after referring its case to the centre's operator.
 */
export async function placeChild(
  ds: DataSource, centre: Centre, child: Child,
  opts: { from?: string; to?: string | null; needs?: { discipline: Discipline; sessionsPerWeek: number; minutes: number }[]; referral?: boolean } = {},
): Promise<{ placement: Placement; carePlan: CarePlan }> {
  const from = opts.from ?? '2026-01-01';
  // A placement stands on a referral: the case is led by, or shared with, the centre's operator (as
  // createPlacement requires). Written here unless the test is about its absence (referral: false).
  if (opts.referral !== false) {
    await ds.query(
      `INSERT INTO case_share (case_id, organization_id, access)
       SELECT c.id, $2, 'SUMMARY' FROM case_file c WHERE c.child_id = $1 AND c.lead_organization_id <> $2
       ON CONFLICT DO NOTHING`,
      [child.id, centre.organizationId],
    );
  }
  const placement = await ds.getRepository(Placement).save({ childId: child.id, centreId: centre.id, from, to: opts.to ?? null });
  const carePlan = await ds.getRepository(CarePlan).save({
    childId: child.id, centreId: centre.id, from, to: opts.to ?? null,
    needs: opts.needs ?? [{ discipline: Discipline.PSYCHOLOGIST, sessionsPerWeek: 2, minutes: 50 }],
  });
  return { placement, carePlan };
}

/** A centre coordinator of these centres. */
export async function centreCoordinator(app: App, centres: Centre[]): Promise<{ user: User; token: string }> {
  const org = await app.deps.dataSource.getRepository(Organization).findOneByOrFail({ id: centres[0].organizationId });
  const u = await createUser(app, org, [Role.CENTRE_COORDINATOR]);
  for (const c of centres) await app.deps.dataSource.getRepository(CentreStaff).insert({ centreId: c.id, userId: u.user.id });
  return u;
}

/** A user with the SPECIALIST role linked to this specialist profile. */
export async function specialistUser(app: App, centre: Centre, specialist: Specialist): Promise<{ user: User; token: string }> {
  const org = await app.deps.dataSource.getRepository(Organization).findOneByOrFail({ id: centre.organizationId });
  const u = await createUser(app, org, [Role.SPECIALIST]);
  await app.deps.dataSource.getRepository(Specialist).update({ id: specialist.id }, { userId: u.user.id });
  return u;
}

/** A session written straight to the database (the booking trigger still guards it). */
export async function createSession(
  ds: DataSource, p: { centre: Centre; child: Child; specialist: Specialist; room: Room; startsAt: Date; minutes?: number; status?: SessionStatus; notes?: string | null },
): Promise<Session> {
  return ds.getRepository(Session).save({
    centreId: p.centre.id, childId: p.child.id, specialistId: p.specialist.id, roomId: p.room.id, discipline: p.specialist.discipline,
    startsAt: p.startsAt, endsAt: new Date(p.startsAt.getTime() + (p.minutes ?? 50) * 60_000), status: p.status ?? SessionStatus.SCHEDULED,
    seriesId: null, notes: p.notes ?? null, createdById: null,
  });
}
