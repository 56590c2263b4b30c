import type { DataSource } from 'typeorm';
import { createCase, createOrg } from '../factories';
import { centreCoordinator, createCentre, createRoom, createSession, createSpecialist, placeChild, WEEK_HOURS } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import type { Centre, Child, Room, Specialist } from '../../src/entities';
import { Discipline } from '../../src/schema/enums';

/** freeSlots, proposeSchedule and applyScheduleProposal over a small centre. */
let t: TestApp;
let ds: DataSource;
let centre: Centre;
let rooms: Room[];
let psychs: Specialist[];
let teacher: Specialist;
let children: Child[];
let token: string;

// The week of Monday 2027-02-08 in Kyiv (UTC+2).
const FROM = '2027-02-07T22:00:00.000Z';
const TO = '2027-02-14T22:00:00.000Z';
const WEEKDAYS_9_TO_17 = [{ rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', dtstart: '2026-01-05T09:00', durationMinutes: 480 }];

const PROPOSE = `mutation($input: ProposeScheduleInput!) { proposeSchedule(input: $input) {
  id from to
  sessions { child { id } specialist { id } room { id } discipline startsAt endsAt }
  assignments { child { id } specialist { id } discipline kept }
  unmet { child { id } discipline missingSessions code reason }
  score { hard medium soft objective breakdown { name value } }
} }`;
const APPLY = 'mutation($id: ID!) { applyScheduleProposal(id: $id) { proposalId assignmentsCreated sessions { id startsAt status } } }';

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  centre = await createCentre(ds, { openingHours: WEEK_HOURS, childMaxDailyMinutes: 120 });
  rooms = [await createRoom(ds, centre), await createRoom(ds, centre, 'CLASSROOM')];
  psychs = [
    await createSpecialist(ds, centre, { availability: WEEKDAYS_9_TO_17, minBreakMinutes: 10, languages: ['uk', 'ru'] }),
    await createSpecialist(ds, centre, { availability: WEEKDAYS_9_TO_17, minBreakMinutes: 10, languages: ['uk'], sessionsPerDayCap: 3 }),
  ];
  teacher = await createSpecialist(ds, centre, { discipline: Discipline.TEACHER, availability: WEEKDAYS_9_TO_17, ageMin: 6, ageMax: 17 });
  children = [];
  for (let i = 0; i < 6; i++) {
    const { child } = await createCase(ds, { lead: await createOrg(ds) });
    await placeChild(ds, centre, child, { needs: [{ discipline: Discipline.PSYCHOLOGIST, sessionsPerWeek: 2, minutes: 50 }, { discipline: Discipline.TEACHER, sessionsPerWeek: 2, minutes: 45 }] });
    children.push(child);
  }
  // One child cannot be served: nobody speaks its language.
  const { child: lonely } = await createCase(ds, { lead: await createOrg(ds) });
  await ds.query(`UPDATE child SET languages = '{de}' WHERE id = $1`, [lonely.id]);
  await placeChild(ds, centre, lonely, { needs: [{ discipline: Discipline.PSYCHOLOGIST, sessionsPerWeek: 1, minutes: 50 }] });
  children.push(lonely);
  // Continuity: the first child already works with the second psychologist.
  await ds.query('INSERT INTO assignment (child_id, centre_id, specialist_id, discipline) VALUES ($1, $2, $3, $4)', [children[0].id, centre.id, psychs[1].id, 'PSYCHOLOGIST']);
  token = (await centreCoordinator(t.app, [centre])).token;
});
afterAll(async () => { await t.stop(); });

test('freeSlots: inside availability and opening hours, clear of sessions and breaks, suited to the child', async () => {
  const Q = `query($c: ID!, $d: Discipline!, $ch: ID, $from: DateTimeISO!, $to: DateTimeISO!) {
    freeSlots(centreId: $c, discipline: $d, childId: $ch, from: $from, to: $to, durationMinutes: 50) { startsAt endsAt specialists { id } } }`;
  // Monday 2027-02-08, 09:00-17:00 Kyiv = 07:00-15:00 UTC.
  const vars = { c: centre.id, d: 'PSYCHOLOGIST', from: '2027-02-08T00:00:00.000Z', to: '2027-02-09T00:00:00.000Z' };
  const res = await t.gql(Q, vars, token);
  expect(res.errors).toBeUndefined();
  const slots = res.data?.freeSlots as { startsAt: string; specialists: { id: string }[] }[];
  expect(slots[0].startsAt).toBe('2027-02-08T07:00:00.000Z');
  expect(slots.at(-1)!.startsAt).toBe('2027-02-08T14:00:00.000Z'); // the last 15-minute start that ends by 17:00
  expect(slots.every((s) => s.specialists.length === 2)).toBe(true);
  // A session of psychologist 0 at 10:00-10:50 local (+10 min break) takes it out of 09:20..10:50 starts.
  const extra = await createCase(ds, { lead: await createOrg(ds) });
  await placeChild(ds, centre, extra.child);
  const s = await createSession(ds, { centre, child: extra.child, specialist: psychs[0], room: rooms[0], startsAt: new Date('2027-02-08T08:00:00Z') });
  const after = (await t.gql(Q, vars, token)).data?.freeSlots as typeof slots;
  const who = (iso: string) => after.find((x) => x.startsAt === iso)?.specialists.map((x) => x.id) ?? [];
  expect(who('2027-02-08T07:15:00.000Z')).toEqual([psychs[1].id]);
  expect(who('2027-02-08T08:45:00.000Z')).toEqual([psychs[1].id]);
  expect(who('2027-02-08T09:00:00.000Z').sort()).toEqual([psychs[0].id, psychs[1].id].sort());
  // With that child: its own session blocks both specialists at that time.
  const withChild = (await t.gql(Q, { ...vars, ch: extra.child.id }, token)).data?.freeSlots as typeof slots;
  expect(withChild.find((x) => x.startsAt === '2027-02-08T08:00:00.000Z')).toBeUndefined();
  // A child nobody shares a language with gets no slot.
  expect((await t.gql(Q, { ...vars, ch: children[6].id }, token)).data?.freeSlots).toEqual([]);
  await ds.query('DELETE FROM session WHERE id = $1', [s.id]);
  await ds.query('DELETE FROM placement WHERE child_id = $1', [extra.child.id]);
  await ds.query('DELETE FROM care_plan WHERE child_id = $1', [extra.child.id]);
});

test('proposeSchedule: hard = 0, keeps existing assignments, explains what it could not place; apply writes it all', async () => {
  const res = await t.gql(PROPOSE, { input: { centreId: centre.id, from: FROM, to: TO, timeLimitMs: 500 } }, token);
  expect(res.errors).toBeUndefined();
  const p = res.data?.proposeSchedule;
  expect(p.score.hard).toBe(0);
  expect(p.sessions.length).toBe(24); // 6 children × (2 + 2)
  expect(p.score.medium).toBe(50);
  expect(p.unmet).toEqual([expect.objectContaining({ child: { id: children[6].id }, discipline: 'PSYCHOLOGIST', missingSessions: 1, code: 'NO_SHARED_LANGUAGE' })]);
  expect(p.assignments).toEqual(expect.arrayContaining([{ child: { id: children[0].id }, specialist: { id: psychs[1].id }, discipline: 'PSYCHOLOGIST', kept: true }]));
  expect(p.score.breakdown.map((b: any) => b.name)).toEqual(expect.arrayContaining(['soft.continuity', 'soft.routine', 'soft.fairness']));
  for (const s of p.sessions) {
    expect(s.startsAt >= FROM && s.endsAt <= TO).toBe(true);
  }
  // Nothing is booked before applying.
  expect(Number((await ds.query('SELECT count(*) AS n FROM session WHERE centre_id = $1', [centre.id]))[0].n)).toBe(0);

  const applied = await t.gql(APPLY, { id: p.id }, token);
  expect(applied.errors).toBeUndefined();
  expect(applied.data?.applyScheduleProposal.sessions).toHaveLength(24);
  expect(Number((await ds.query(`SELECT count(*) AS n FROM session WHERE centre_id = $1 AND status = 'SCHEDULED'`, [centre.id]))[0].n)).toBe(24);
  const [{ n: assigned }] = await ds.query('SELECT count(*)::int AS n FROM assignment WHERE centre_id = $1', [centre.id]);
  expect(assigned).toBe(12);
  // Applying twice is refused.
  const again = await t.gql(APPLY, { id: p.id }, token);
  expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');

  // Proposing the same week again: the needs are met, nothing more to place.
  const second = await t.gql(PROPOSE, { input: { centreId: centre.id, from: FROM, to: TO, timeLimitMs: 200 } }, token);
  expect(second.data?.proposeSchedule.sessions).toEqual([]);
});

test('applyScheduleProposal refuses cleanly (CONFLICT, nothing written) when the world changed meanwhile', async () => {
  const from = '2027-02-14T22:00:00.000Z';
  const to = '2027-02-21T22:00:00.000Z';
  const p = (await t.gql(PROPOSE, { input: { centreId: centre.id, from, to, timeLimitMs: 300 } }, token)).data?.proposeSchedule;
  expect(p.sessions.length).toBeGreaterThan(0);
  // Someone books a session in that week at the centre (not even overlapping anything proposed).
  await createSession(ds, { centre, child: children[6], specialist: teacher, room: rooms[1], startsAt: new Date('2027-02-20T08:00:00Z'), minutes: 30 });
  const count = async () => Number((await ds.query('SELECT count(*) AS n FROM session WHERE centre_id = $1 AND starts_at >= $2 AND starts_at < $3', [centre.id, from, to]))[0].n);
  const before = await count();
  const res = await t.gql(APPLY, { id: p.id }, token);
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'STALE_PROPOSAL' });
  expect(await count()).toBe(before);
  const [{ applied_at }] = await ds.query('SELECT applied_at FROM schedule_proposal WHERE id = $1', [p.id]);
  expect(applied_at).toBeNull();
});

test('bad input: a period over 7 days, to before from', async () => {
  const long = await t.gql(PROPOSE, { input: { centreId: centre.id, from: FROM, to: '2027-02-28T00:00:00.000Z' } }, token);
  expect(long.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.to' });
  const back = await t.gql(PROPOSE, { input: { centreId: centre.id, from: TO, to: FROM } }, token);
  expect(back.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.to' });
});
