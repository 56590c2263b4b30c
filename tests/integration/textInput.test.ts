import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { centreCoordinator, createCentre, createSpecialist } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { Role } from '../../src/schema/enums';

let t: TestApp;
let ds: DataSource;
let token: string;
let caseId: string;

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  const org = await createOrg(ds);
  token = (await createUser(t.app, org, [Role.CASE_WORKER])).token;
  caseId = (await createCase(ds, { lead: org })).case.id;
});
afterAll(async () => { await t.stop(); });

const REPORT = `mutation($input: ReportChildInput!) { reportChild(input: $input) { id version child { givenName familyName patronymic aliases } } }`;
const valid = { givenName: 'Іван', familyName: 'Бойко', sex: 'MALE', birthDate: '2012-03-04' };
/** A checksum of every table the mutations below could touch: a refused mutation must leave it unchanged. */
const snapshot = async () => (await ds.query(`SELECT
  (SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY c.id), '')) FROM child c) AS children,
  (SELECT md5(coalesce(string_agg(f::text, ',' ORDER BY f.id), '')) FROM case_file f) AS cases,
  (SELECT md5(coalesce(string_agg(g::text, ',' ORDER BY g.id), '')) FROM guardian g) AS guardians,
  (SELECT count(*) FROM case_event)::int AS events,
  (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY r.id), '')) FROM room r) AS rooms`))[0];

describe('every text input is checked in one place, naming the field, writing nothing', () => {
  test.each([
    ['a NUL byte in a name', { givenName: 'Ів\u0000ан' }, 'input.givenName'],
    ['a NUL byte in a guardian', { guardians: [{ relation: 'mother', name: 'Ма\u0000ти' }] }, 'input.guardians.0.name'],
    ['a NUL byte in health notes', { healthNotes: 'a\u0000b' }, 'input.healthNotes'],
    ['a NUL byte in an alias', { aliases: ['ok', 'b\u0000ad'] }, 'input.aliases.1'],
    ['a whitespace-only given name', { givenName: ' \t\u00A0 ' }, 'input.givenName'],
    ['a whitespace-only guardian name', { guardians: [{ relation: 'mother', name: '   ' }] }, 'input.guardians.0.name'],
    ['a lone surrogate', { familyName: 'Бой\uD800ко' }, 'input.familyName'],
    ['a right-to-left override', { familyName: 'Бойко\u202Eокйоб' }, 'input.familyName'],
    ['an isolate', { familyName: '\u2067Бойко\u2069' }, 'input.familyName'],
    ['an ANSI escape', { familyName: '\u001B[31mБойко' }, 'input.familyName'],
    ['a line break in a name', { givenName: 'Іван\nПетро' }, 'input.givenName'],
    ['a zero-width space in a name', { familyName: 'Бой\u200Bко' }, 'input.familyName'],
    ['a C1 control', { familyName: 'Бой\u0085ко' }, 'input.familyName'],
    ['an explicit null priority (it has a default)', { priority: null }, 'input.priority'],
    ['an explicit null birthDatePrecision (it has a default)', { birthDatePrecision: null }, 'input.birthDatePrecision'],
    ['an explicit null guardian verified (it has a default)', { guardians: [{ relation: 'mother', name: 'Мати', verified: null }] }, 'input.guardians.0.verified'],
    ['a text longer than any field', { healthNotes: 'x'.repeat(10_001) }, 'input.healthNotes'],
  ])('reportChild refuses %s', async (_what, patch, field) => {
    const before = await snapshot();
    const res = await t.gql(REPORT, { input: { ...valid, ...patch } }, token);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await snapshot()).toEqual(before);
  });

  test.each([
    ['login email with a NUL byte', `mutation($e: String!) { login(email: $e, password: "x") { token } }`, { e: 'a\u0000@b.c' }, 'email'],
    ['a search with a NUL byte', `query($s: String) { cases(filter: { search: $s }) { totalCount } }`, { s: 'ол\u0000ена' }, 'filter.search'],
    ['a case id with a NUL byte', `query($id: ID!) { case(id: $id) { id } }`, { id: '\u0000' }, 'id'],
    ['a status note with an ANSI escape', `mutation($id: ID!, $n: String) { changeCaseStatus(input: { caseId: $id, status: IDENTIFIED, expectedVersion: 1, note: $n }) { id } }`, { n: '\u001B[2J' }, 'input.note'],
    ['a blank given name in an update', `mutation($id: ID!) { updateChild(input: { childId: $id, expectedVersion: 1, givenName: "   " }) { id } }`, {}, 'input.givenName'],
  ])('%s is BAD_USER_INPUT naming the field', async (_what, query, vars, field) => {
    const before = await snapshot();
    const res = await t.gql(query, { id: caseId, ...vars }, token);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await snapshot()).toEqual(before);
  });

  test('names are stored NFC, trimmed, single-spaced; blank optional fields become null; notes keep their lines', async () => {
    const decomposed = 'Андрі\u0439'.normalize('NFD');
    const res = await t.gql(REPORT, { input: { ...valid, givenName: `  ${decomposed} `, familyName: 'Бойко   Стельмах', patronymic: '   ', aliases: [' Andrii '] } }, token);
    expect(res.errors).toBeUndefined();
    const child = res.data!.reportChild.child;
    expect(child.givenName).toBe('Андрій'.normalize('NFC'));
    expect(child.givenName).toHaveLength(6);
    expect(child.familyName).toBe('Бойко Стельмах');
    expect(child.patronymic).toBeNull();
    expect(child.aliases).toEqual(['Andrii']);
    const note = 'line one\nline two\ttabbed';
    const changed = await t.gql(`mutation($id: ID!, $n: String) { changeCaseStatus(input: { caseId: $id, status: IDENTIFIED, expectedVersion: 1, note: $n }) { id events(first: 1) { edges { node { note } } } } }`, { id: res.data!.reportChild.id, n: `${note}\r\n` }, token);
    expect(changed.errors).toBeUndefined();
    expect(changed.data!.changeCaseStatus.events.edges[0].node.note).toBe(note);
  });

  test('a room name that is only white space is refused (scheduling inputs go through the same place)', async () => {
    const centre = await createCentre(ds);
    const cc = (await centreCoordinator(t.app, [centre])).token;
    const before = await snapshot();
    const blank = await t.gql(`mutation($c: ID!) { createRoom(input: { centreId: $c, name: "  ", kind: "THERAPY" }) { id } }`, { c: centre.id }, cc);
    expect(blank.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    const nullCapacity = await t.gql(`mutation($c: ID!) { createRoom(input: { centreId: $c, name: "Room", kind: "THERAPY", capacity: null }) { id } }`, { c: centre.id }, cc);
    expect(nullCapacity.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.capacity' });
    const specialist = await createSpecialist(ds, centre);
    const nullKind = await t.gql(`mutation($s: ID!, $c: ID!) { addAvailability(input: { specialistId: $s, centreId: $c, kind: null, recurrence: "FREQ=WEEKLY;BYDAY=MO", dtstart: "2026-01-05T09:00", durationMinutes: 60 }) { id } }`, { s: specialist.id, c: centre.id }, cc);
    expect(nullKind.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.kind' });
    expect(await snapshot()).toEqual(before);
  });
});

describe('forged cursors are BAD_USER_INPUT, never database text', () => {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
  test.each([
    ['a non-date', b64('yesterday|00000000-0000-4000-8000-000000000000')],
    ['year 0', b64('0000-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000')],
    ['a date PostgreSQL cannot hold', b64('+275760-09-13T00:00:00.000Z|00000000-0000-4000-8000-000000000000')],
    ['a NUL byte', b64('2026-01-01T00:00:00.000Z|\u0000')],
  ])('cases(after:) with %s', async (_what, cursor) => {
    const res = await t.gql(`query($a: String) { cases(after: $a) { totalCount } }`, { a: cursor }, token);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  test.each([
    ['beyond bigint', b64('99999999999999999999')],
    ['just beyond bigint', b64('9223372036854775808')],
    ['negative', b64('-1')],
  ])('events(after:) %s', async (_what, cursor) => {
    const res = await t.gql(`query($id: ID!, $a: String) { case(id: $id) { events(after: $a) { edges { node { id } } } } }`, { id: caseId, a: cursor }, token);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  test('a number is no cursor at all: event cursors are opaque (they reveal nothing of other cases), and one given out works', async () => {
    const forged = await t.gql(`query($id: ID!, $a: String) { case(id: $id) { events(after: $a) { edges { node { id } } } } }`, { id: caseId, a: b64('9223372036854775807') }, token);
    expect(forged.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const page = await t.gql(`query($id: ID!) { case(id: $id) { events(first: 1) { edges { cursor } } } }`, { id: caseId }, token);
    const cursor = page.data!.case.events.edges[0].cursor;
    const res = await t.gql(`query($id: ID!, $a: String) { case(id: $id) { events(after: $a) { edges { node { id } } } } }`, { id: caseId, a: cursor }, token);
    expect(res.errors).toBeUndefined();
  });
});
