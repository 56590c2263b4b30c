import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createCase, createOrg } from '../factories';
import { centreCoordinator, createCentre, createRoom, createSession, createSpecialist, placeChild, WEEK_HOURS } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import type { Centre, Child, Room, Specialist } from '../../src/entities';
import { Discipline, OrganizationKind, SessionStatus } from '../../src/schema/enums';

/**
 * Bookings through GraphQL against a real PostgreSQL: single and recurring, every refusal reason, the
 * exclusion constraint under 50 concurrent bookings, DST-stable series, cancel/reschedule scopes, outcomes.
 * Times are asserted as UTC instants, so the file passes whatever the process's TZ.
 */
let t: TestApp;
let ds: DataSource;
let centre: Centre;
let room: Room;
let room2: Room;
let psych: Specialist;
let child: Child;
let token: string;
let coordinatorId: string;

const BOOK = `mutation($input: BookSessionInput!) { bookSession(input: $input) {
  __typename
  ... on BookedSessions { sessions { id startsAt endsAt status discipline series { id rrule tzid } child { id } specialist { id } room { id } } }
  ... on BookingConflicts { conflicts { startsAt reason with sessionId message } }
} }`;

/** A weekday (Kyiv) far enough ahead: 2027-02-01 is a Monday, before any DST change of 2027. */
const at = (isoUtc: string) => new Date(isoUtc);
let seq = 0;
/** A fresh hour on a distinct future day for each test, so tests do not collide (Kyiv is UTC+2 in winter). */
function freshDay(): string {
  const d = new Date(Date.UTC(2027, 0, 4) + (seq++) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

async function newChild(extra: Parameters<typeof placeChild>[3] = {}): Promise<Child> {
  const { child: c } = await createCase(ds, { lead: await createOrg(ds) });
  await placeChild(ds, centre, c, extra);
  return c;
}

async function book(input: Record<string, unknown>, tok = token) {
  return t.gql(BOOK, { input: { childId: child.id, specialistId: psych.id, roomId: room.id, durationMinutes: 50, ...input } }, tok);
}

const countSessions = async (childId: string) => Number((await ds.query('SELECT count(*) AS n FROM session WHERE child_id = $1', [childId]))[0].n);

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  centre = await createCentre(ds, { org: await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR) });
  room = await createRoom(ds, centre);
  room2 = await createRoom(ds, centre);
  psych = await createSpecialist(ds, centre, { minBreakMinutes: 10 });
  child = await newChild({ needs: [{ discipline: Discipline.PSYCHOLOGIST, sessionsPerWeek: 5, minutes: 50 }] });
  const cc = await centreCoordinator(t.app, [centre]);
  token = cc.token;
  coordinatorId = cc.user.id;
});
afterAll(async () => { await t.stop(); });

describe('single bookings', () => {
  test('books a session, creates the assignment, and the same slot then conflicts with the session in the way', async () => {
    const day = freshDay();
    const res = await book({ startsAt: `${day}T08:00:00.000Z` });
    expect(res.errors).toBeUndefined();
    expect(res.data?.bookSession.__typename).toBe('BookedSessions');
    const [s] = res.data?.bookSession.sessions;
    expect(s).toMatchObject({ startsAt: `${day}T08:00:00.000Z`, endsAt: `${day}T08:50:00.000Z`, status: 'SCHEDULED', discipline: 'PSYCHOLOGIST', series: null });
    const [asg] = await ds.query('SELECT specialist_id FROM assignment WHERE child_id = $1', [child.id]);
    expect(asg.specialist_id).toBe(psych.id);

    const again = await book({ startsAt: `${day}T08:30:00.000Z`, roomId: room2.id });
    expect(again.data?.bookSession.__typename).toBe('BookingConflicts');
    const kinds = again.data?.bookSession.conflicts.map((c: any) => [c.reason, c.with, c.sessionId]);
    expect(kinds).toEqual(expect.arrayContaining([['SPECIALIST_BUSY', 'SPECIALIST', s.id], ['CHILD_BUSY', 'CHILD', s.id]]));
  });

  test('half-open ranges: back-to-back is fine for the child and the room, the specialist needs the break', async () => {
    const day = freshDay();
    const other = await createSpecialist(ds, centre, { minBreakMinutes: 0 });
    expect((await book({ startsAt: `${day}T08:00:00.000Z` })).data?.bookSession.__typename).toBe('BookedSessions');
    // Same room and child right after, another specialist: touching ranges do not overlap.
    const touching = await book({ startsAt: `${day}T08:50:00.000Z`, specialistId: other.id });
    expect(touching.data?.bookSession.__typename).toBe('BookedSessions');
    // The first specialist has a 10-minute break: 5 minutes after the other session ends is too soon.
    const c2 = await newChild();
    const tooSoon = await t.gql(BOOK, { input: { childId: c2.id, specialistId: psych.id, roomId: room2.id, startsAt: `${day}T08:55:00.000Z`, durationMinutes: 30 } }, token);
    expect(tooSoon.data?.bookSession.conflicts).toEqual([expect.objectContaining({ reason: 'SPECIALIST_BUSY', with: 'SPECIALIST' })]);
    const afterBreak = await t.gql(BOOK, { input: { childId: c2.id, specialistId: psych.id, roomId: room2.id, startsAt: `${day}T09:00:00.000Z`, durationMinutes: 30 } }, token);
    expect(afterBreak.data?.bookSession.__typename).toBe('BookedSessions');
  });

  test('the database refuses an overlapping session whoever writes it (exclusion constraint, SQLSTATE 23P01)', async () => {
    const day = freshDay();
    const c = await newChild();
    await createSession(ds, { centre, child: c, specialist: psych, room, startsAt: at(`${day}T10:00:00Z`) });
    await expect(createSession(ds, { centre, child: c, specialist: psych, room: room2, startsAt: at(`${day}T10:20:00Z`) }))
      .rejects.toMatchObject({ driverError: expect.objectContaining({ code: '23P01' }) });
    // A cancelled session holds no time.
    const cancelled = await createSession(ds, { centre, child: c, specialist: psych, room, startsAt: at(`${day}T12:00:00Z`), status: SessionStatus.CANCELLED });
    expect(cancelled.id).toBeDefined();
    await createSession(ds, { centre, child: c, specialist: psych, room, startsAt: at(`${day}T12:00:00Z`) });
  });

  test('50 concurrent conflicting bookings: exactly one wins, the 49 others get conflicts naming it', async () => {
    const day = freshDay();
    const children: Child[] = [];
    for (let i = 0; i < 50; i++) children.push(await newChild());
    const rooms = [room, room2];
    const races = jest.spyOn(t.app.deps.logger, 'info');
    const results = await Promise.all(children.map((c, i) => t.gql(BOOK, {
      input: { childId: c.id, specialistId: psych.id, roomId: rooms[i % 2].id, startsAt: `${day}T14:00:00.000Z`, durationMinutes: 50 },
    }, token)));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    const won = results.filter((r) => r.data?.bookSession.__typename === 'BookedSessions');
    const lost = results.filter((r) => r.data?.bookSession.__typename === 'BookingConflicts');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    const winner = won[0].data?.bookSession.sessions[0].id;
    for (const r of lost) {
      expect(r.data?.bookSession.conflicts).toEqual(expect.arrayContaining([expect.objectContaining({ with: 'SPECIALIST', sessionId: winner })]));
    }
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM session WHERE specialist_id = $1 AND starts_at = $2`, [psych.id, `${day}T14:00:00Z`]);
    expect(n).toBe(1);
    const lostRaces = races.mock.calls.filter((c) => String(c[1]).includes('lost the race')).length;
    races.mockRestore();
    process.stdout.write(`[50 concurrent bookings] 1 booked, 49 conflicts; ${lostRaces} of them settled by the exclusion constraint, ${49 - lostRaces} by the pre-check\n`);
  });

  test('a booking that races an uncommitted overlapping one waits for it, then reports the conflict (23P01 path)', async () => {
    const day = freshDay();
    const [c1, c2] = [await newChild(), await newChild()];
    const other = new Client({ connectionString: process.env.BKB_TEST_DB_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      const [{ id }] = (await other.query(
        `INSERT INTO session (centre_id, child_id, specialist_id, room_id, discipline, starts_at, ends_at) VALUES ($1, $2, $3, $4, 'PSYCHOLOGIST', $5, $6) RETURNING id`,
        [centre.id, c1.id, psych.id, room.id, `${day}T11:00:00Z`, `${day}T11:50:00Z`],
      )).rows;
      // Not yet committed: the pre-check cannot see it, so the booking reaches the constraint and waits there.
      const pending = t.gql(BOOK, { input: { childId: c2.id, specialistId: psych.id, roomId: room2.id, startsAt: `${day}T11:30:00.000Z`, durationMinutes: 50 } }, token);
      await new Promise((r) => setTimeout(r, 500));
      await other.query('COMMIT');
      const res = await pending;
      expect(res.errors).toBeUndefined();
      expect(res.data?.bookSession.conflicts).toEqual([expect.objectContaining({ reason: 'SPECIALIST_BUSY', with: 'SPECIALIST', sessionId: id })]);
      expect(await countSessions(c2.id)).toBe(0);
    } finally {
      await other.end();
    }
  });
});

describe('refusals name their reason, and nothing is written', () => {
  test.each([
    ['NOT_IN_CARE_PLAN', async () => ({ specialistId: (await createSpecialist(ds, centre, { discipline: Discipline.TEACHER })).id })],
    ['NO_SHARED_LANGUAGE', async () => ({ specialistId: (await createSpecialist(ds, centre, { languages: ['en'] })).id })],
    ['AGE_OUT_OF_RANGE', async () => ({ specialistId: (await createSpecialist(ds, centre, { ageMin: 0, ageMax: 6 })).id })],
    ['SPECIALIST_NOT_AT_CENTRE', async () => {
      // The coordinator also runs the other centre, so it may see that specialist, who does not work here.
      const elsewhere = await createCentre(ds);
      await ds.query('INSERT INTO centre_staff (centre_id, user_id) VALUES ($1, $2)', [elsewhere.id, coordinatorId]);
      return { specialistId: (await createSpecialist(ds, elsewhere)).id };
    }],
    ['CASELOAD_FULL', async () => {
      const s = await createSpecialist(ds, centre, { caseloadCap: 1 });
      const other = await newChild();
      await ds.query('INSERT INTO assignment (child_id, centre_id, specialist_id, discipline) VALUES ($1, $2, $3, $4)', [other.id, centre.id, s.id, 'PSYCHOLOGIST']);
      return { specialistId: s.id, childId: (await newChild()).id };
    }],
    ['OUTSIDE_AVAILABILITY', async () => ({
      specialistId: (await createSpecialist(ds, centre, { availability: [{ rrule: 'FREQ=WEEKLY;BYDAY=SA', dtstart: '2026-01-03T09:00', durationMinutes: 60 }] })).id,
    })],
    ['OUTSIDE_PLACEMENT', async () => ({ childId: (await newChild({ from: '2026-01-01', to: '2026-12-31' })).id })],
  ])('%s', async (reason, setup) => {
    const over = await setup();
    const c = (over as { childId?: string }).childId ?? (await newChild()).id;
    const res = await book({ startsAt: `${freshDay()}T09:00:00.000Z`, childId: c, ...over });
    expect(res.errors).toBeUndefined();
    expect(res.data?.bookSession.conflicts.map((x: any) => x.reason)).toContain(reason);
    expect(await countSessions(c)).toBe(0);
  });

  test('OUTSIDE_OPENING_HOURS, DAILY_CAP_REACHED and CHILD_DAILY_LOAD', async () => {
    const open = await createCentre(ds, { openingHours: WEEK_HOURS, childMaxDailyMinutes: 90 });
    const r = await createRoom(ds, open);
    const s = await createSpecialist(ds, open, { sessionsPerDayCap: 1 });
    const s2 = await createSpecialist(ds, open);
    const { child: c } = await createCase(ds, { lead: await createOrg(ds) });
    await placeChild(ds, open, c);
    const tok = (await centreCoordinator(t.app, [open])).token;
    const day = freshDay(); // a weekday: 08:00-20:00 Kyiv = 06:00-18:00 UTC in winter
    const q = (input: Record<string, unknown>) => t.gql(BOOK, { input: { childId: c.id, specialistId: s.id, roomId: r.id, durationMinutes: 50, ...input } }, tok);
    expect((await q({ startsAt: `${day}T05:00:00.000Z` })).data?.bookSession.conflicts.map((x: any) => x.reason)).toEqual(['OUTSIDE_OPENING_HOURS']);
    expect((await q({ startsAt: `${day}T07:00:00.000Z` })).data?.bookSession.__typename).toBe('BookedSessions');
    const { child: c2 } = await createCase(ds, { lead: await createOrg(ds) });
    await placeChild(ds, open, c2);
    expect((await q({ startsAt: `${day}T10:00:00.000Z`, childId: c2.id })).data?.bookSession.conflicts.map((x: any) => x.reason)).toEqual(['DAILY_CAP_REACHED']);
    // 50 + 50 minutes > 90 for the child that day.
    expect((await q({ startsAt: `${day}T10:00:00.000Z`, specialistId: s2.id })).data?.bookSession.conflicts.map((x: any) => x.reason)).toEqual(['CHILD_DAILY_LOAD']);
  });
});

describe('series', () => {
  test('a series is all or nothing: one blocked occurrence books none, and the conflict names it', async () => {
    const c = await newChild();
    // Mondays 2027-03-01, 08, 15, 22 at 10:00 Kyiv (08:00 UTC); the 15th is taken.
    const blocker = await createSession(ds, { centre, child: await newChild(), specialist: psych, room: room2, startsAt: at('2027-03-15T08:20:00Z') });
    const res = await book({ childId: c.id, startsAt: '2027-03-01T08:00:00.000Z', timeZone: 'Europe/Kyiv', recurrence: 'FREQ=WEEKLY;COUNT=4' });
    expect(res.data?.bookSession.conflicts).toEqual([expect.objectContaining({ startsAt: '2027-03-15T08:00:00.000Z', reason: 'SPECIALIST_BUSY', sessionId: blocker.id })]);
    expect(await countSessions(c.id)).toBe(0);
    expect(Number((await ds.query('SELECT count(*) AS n FROM session_series WHERE dtstart = $1', ['2027-03-01T10:00:00']))[0].n)).toBe(0);
  });

  test('a weekly 10:00 Europe/Kyiv series stays at 10:00 local across the last Sundays of March and October', async () => {
    const c = await newChild();
    const spring = await book({ childId: c.id, startsAt: '2027-03-22T08:00:00.000Z', timeZone: 'Europe/Kyiv', recurrence: 'FREQ=WEEKLY;BYDAY=MO;COUNT=3', roomId: room2.id });
    expect(spring.errors).toBeUndefined();
    // 10:00 EET = 08:00 UTC before 2027-03-28, 10:00 EEST = 07:00 UTC after.
    expect(spring.data?.bookSession.sessions.map((s: any) => s.startsAt)).toEqual(['2027-03-22T08:00:00.000Z', '2027-03-29T07:00:00.000Z', '2027-04-05T07:00:00.000Z']);
    expect(spring.data?.bookSession.sessions[0].series).toMatchObject({ rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=3', tzid: 'Europe/Kyiv' });
    const autumn = await book({ childId: c.id, startsAt: '2027-10-25T07:00:00.000Z', timeZone: 'Europe/Kyiv', recurrence: 'FREQ=WEEKLY;UNTIL=20271110T000000Z', roomId: room2.id });
    expect(autumn.data?.bookSession.sessions.map((s: any) => s.startsAt)).toEqual(['2027-10-25T07:00:00.000Z', '2027-11-01T08:00:00.000Z', '2027-11-08T08:00:00.000Z']);
  });
});

describe('cancel, reschedule, complete, no-show', () => {
  async function series(c: Child, first: string, count = 4) {
    const res = await book({ childId: c.id, startsAt: first, timeZone: 'Europe/Kyiv', recurrence: `FREQ=WEEKLY;COUNT=${count}`, roomId: room2.id });
    expect(res.data?.bookSession.__typename).toBe('BookedSessions');
    return res.data?.bookSession.sessions as { id: string; startsAt: string }[];
  }
  const CANCEL = 'mutation($id: ID!, $scope: SeriesScope!) { cancelSession(id: $id, scope: $scope) { id status } }';
  const statuses = async (ids: string[]) => (await ds.query('SELECT id, status FROM session WHERE id = ANY($1::uuid[])', [ids])).reduce((m: Record<string, string>, r: any) => ({ ...m, [r.id]: r.status }), {});

  test('cancel THIS, FOLLOWING and SERIES', async () => {
    const c = await newChild();
    const s = await series(c, '2027-05-03T07:00:00.000Z', 5);
    expect((await t.gql(CANCEL, { id: s[1].id, scope: 'THIS' }, token)).data?.cancelSession).toEqual([{ id: s[1].id, status: 'CANCELLED' }]);
    expect((await t.gql(CANCEL, { id: s[3].id, scope: 'FOLLOWING' }, token)).data?.cancelSession.map((x: any) => x.id)).toEqual([s[3].id, s[4].id]);
    const st = await statuses(s.map((x) => x.id));
    expect(s.map((x) => st[x.id])).toEqual(['SCHEDULED', 'CANCELLED', 'SCHEDULED', 'CANCELLED', 'CANCELLED']);
    expect((await t.gql(CANCEL, { id: s[0].id, scope: 'SERIES' }, token)).data?.cancelSession.map((x: any) => x.id)).toEqual([s[0].id, s[2].id]);
    // Cancelled time is free again.
    expect((await book({ childId: c.id, startsAt: s[0].startsAt })).data?.bookSession.__typename).toBe('BookedSessions');
    const again = await t.gql(CANCEL, { id: s[1].id, scope: 'THIS' }, token);
    expect(again.errors?.[0].extensions?.code).toBe('INVALID_TRANSITION');
  });

  test('reschedule FOLLOWING keeps the local time across DST and splits the series; SERIES moves all; conflicts move nothing', async () => {
    const c = await newChild();
    // Mondays 09:00 Kyiv from 2027-03-15 (07:00 UTC), across 2027-03-28.
    const s = await series(c, '2027-03-15T07:00:00.000Z', 4);
    const RESCHEDULE = `mutation($id: ID!, $at: DateTimeISO!, $scope: SeriesScope!) { rescheduleSession(id: $id, startsAt: $at, scope: $scope) {
      __typename ... on BookedSessions { sessions { id startsAt series { id dtstart } } } ... on BookingConflicts { conflicts { reason startsAt } } } }`;
    // Move the 2nd and following occurrences to Tuesday 11:00 local.
    const res = await t.gql(RESCHEDULE, { id: s[1].id, at: '2027-03-23T09:00:00.000Z', scope: 'FOLLOWING' }, token);
    expect(res.errors).toBeUndefined();
    const moved = res.data?.rescheduleSession.sessions;
    expect(moved.map((x: any) => x.startsAt)).toEqual(['2027-03-23T09:00:00.000Z', '2027-03-30T08:00:00.000Z', '2027-04-06T08:00:00.000Z']);
    expect(new Set(moved.map((x: any) => x.series.id)).size).toBe(1);
    expect(moved[0].series.dtstart).toBe('2027-03-23T11:00:00');
    const [{ series_id: head }] = await ds.query('SELECT series_id FROM session WHERE id = $1', [s[0].id]);
    expect(head).not.toBe(moved[0].series.id);

    // Whole (moved) series one hour later, blocked by a session in the way: nothing moves.
    const blocker = await createSession(ds, { centre, child: await newChild(), specialist: psych, room, startsAt: at('2027-04-06T09:00:00Z') });
    const blocked = await t.gql(RESCHEDULE, { id: moved[0].id, at: '2027-03-23T10:00:00.000Z', scope: 'SERIES' }, token);
    expect(blocked.data?.rescheduleSession.conflicts).toEqual([expect.objectContaining({ reason: 'SPECIALIST_BUSY', startsAt: '2027-04-06T09:00:00.000Z' })]);
    const [{ starts_at }] = await ds.query('SELECT starts_at FROM session WHERE id = $1', [moved[2].id]);
    expect(new Date(starts_at).toISOString()).toBe('2027-04-06T08:00:00.000Z');
    await ds.query('DELETE FROM session WHERE id = $1', [blocker.id]);
    // Shifting a daily-spaced set past itself works (the constraint is checked at the end).
    // (each occurrence moves a week later and 30 minutes later, onto the old place of the next one).
    const ok = await t.gql(RESCHEDULE, { id: moved[0].id, at: '2027-03-30T08:30:00.000Z', scope: 'SERIES' }, token);
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.rescheduleSession.sessions.map((x: any) => x.startsAt)).toEqual(['2027-03-30T08:30:00.000Z', '2027-04-06T08:30:00.000Z', '2027-04-13T08:30:00.000Z']);
  });

  test('complete and no-show only once the session has started; each at most once', async () => {
    const c = await newChild();
    const past = await createSession(ds, { centre, child: c, specialist: psych, room, startsAt: new Date(Date.now() - 3 * 3600_000) });
    const past2 = await createSession(ds, { centre, child: c, specialist: psych, room, startsAt: new Date(Date.now() - 6 * 3600_000) });
    const future = await createSession(ds, { centre, child: c, specialist: psych, room, startsAt: at(`${freshDay()}T12:00:00Z`) });
    const done = await t.gql('mutation($id: ID!) { completeSession(id: $id) { id status } }', { id: past.id }, token);
    expect(done.data?.completeSession.status).toBe('COMPLETED');
    const twice = await t.gql('mutation($id: ID!) { markNoShow(id: $id) { id status } }', { id: past.id }, token);
    expect(twice.errors?.[0].extensions?.code).toBe('INVALID_TRANSITION');
    expect((await t.gql('mutation($id: ID!) { markNoShow(id: $id) { status } }', { id: past2.id }, token)).data?.markNoShow.status).toBe('NO_SHOW');
    const early = await t.gql('mutation($id: ID!) { completeSession(id: $id) { id } }', { id: future.id }, token);
    expect(early.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

describe('bad input: BAD_USER_INPUT naming the field, nothing written', () => {
  test.each([
    ['an invalid RRULE', { recurrence: 'FREQ=SOMETIMES;COUNT=3' }, 'input.recurrence'],
    ['an RRULE without FREQ', { recurrence: 'COUNT=3' }, 'input.recurrence'],
    ['an unknown time zone', { timeZone: 'Europe/Atlantis', recurrence: 'FREQ=WEEKLY;COUNT=2' }, 'input.timeZone'],
    ['an unbounded series', { recurrence: 'FREQ=WEEKLY' }, 'input.recurrence'],
    ['a series over a year', { recurrence: 'FREQ=WEEKLY;COUNT=60' }, 'input.recurrence'],
    ['a series over a year (UNTIL)', { recurrence: 'FREQ=MONTHLY;UNTIL=20290101T000000Z' }, 'input.recurrence'],
    ['a start in the past', { startsAt: '2020-01-06T08:00:00.000Z' }, 'input.startsAt'],
    ['a duration of zero', { durationMinutes: 0 }, 'input.durationMinutes'],
    ['a duration over eight hours', { durationMinutes: 481 }, 'input.durationMinutes'],
  ])('%s', async (_name, over, field) => {
    const c = await newChild();
    const before = Number((await ds.query('SELECT count(*) AS n FROM session_series'))[0].n);
    const res = await book({ childId: c.id, startsAt: '2027-06-07T08:00:00.000Z', ...over });
    expect(res.data?.bookSession ?? null).toBeNull();
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.errors?.[0].message).toContain(field);
    expect(await countSessions(c.id)).toBe(0);
    expect(Number((await ds.query('SELECT count(*) AS n FROM session_series'))[0].n)).toBe(before);
  });
});
