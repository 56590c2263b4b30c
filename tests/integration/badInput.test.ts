import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { formatError } from '../../src/app';
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

const REPORT = `mutation($input: ReportChildInput!) { reportChild(input: $input) { id } }`;
const valid = { givenName: 'Іван', familyName: 'Бойко', sex: 'MALE', birthDate: '2012-03-04' };
const counts = async () => (await ds.query('SELECT (SELECT count(*) FROM child)::int AS children, (SELECT count(*) FROM case_file)::int AS cases, (SELECT count(*) FROM guardian)::int AS guardians, (SELECT count(*) FROM case_event)::int AS events'))[0];
const tomorrow = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);

test.each([
  ['a birth date in the future', { birthDate: tomorrow }, 'input.birthDate'],
  ['a birth date that does not exist', { birthDate: '2015-02-30' }, 'input.birthDate'],
  ['a birth date in another format', { birthDate: '04.03.2012' }, 'input.birthDate'],
  ['an empty given name', { givenName: '' }, 'input.givenName'],
  ['a family name of 101 characters', { familyName: 'Б'.repeat(101) }, 'input.familyName'],
  ['an unknown oblast', { homeOblast: 'Narnia' }, 'input.homeOblast'],
  ['a language that is not an ISO code', { languages: ['Ukrainian'] }, 'input.languages'],
  ['a deportation date in the future', { deportationDate: tomorrow }, 'input.deportationDate'],
  ['an unknown country code', { lastKnownCountry: 'XX' }, 'input.lastKnownCountry'],
  ['a guardian without a name', { guardians: [{ relation: 'mother', name: '' }] }, 'input.guardians.0.name'],
])('reportChild refuses %s, names the field and writes nothing', async (_what, patch, field) => {
  const before = await counts();
  const res = await t.gql(REPORT, { input: { ...valid, ...patch } }, token);
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(res.errors?.[0].message).toContain(field);
  expect(await counts()).toEqual(before);
});

test('an enum value that does not exist is refused by GraphQL with BAD_USER_INPUT', async () => {
  const res = await t.gql(REPORT, { input: { ...valid, sex: 'X' } }, token);
  expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(res.errors?.[0].message).toMatch(/sex/);
});

test.each([
  ['case(id) with an id that is not a UUID', `{ case(id: "42") { id } }`, 'id'],
  ['child(id) with an id that is not a UUID', `{ child(id: "abc") { id } }`, 'id'],
  ['a page size of zero', `{ cases(first: 0) { totalCount } }`, 'first'],
  ['a cursor this API never gave', `{ cases(after: "bm9wZQ") { totalCount } }`, 'after'],
  ['a one-letter search', `{ cases(filter: { search: "a" }) { totalCount } }`, 'filter.search'],
])('%s is BAD_USER_INPUT naming the field', async (_what, query, field) => {
  const res = await t.gql(query, undefined, token);
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
});

test('mutations on a case validate ids and versions before writing', async () => {
  const res = await t.gql(`mutation { changeCaseStatus(input: { caseId: "x", status: IDENTIFIED, expectedVersion: 1 }) { id } }`, undefined, token);
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.caseId' });
  const v0 = await t.gql(`mutation($id: ID!) { changeCaseStatus(input: { caseId: $id, status: IDENTIFIED, expectedVersion: 0 }) { id } }`, { id: caseId }, token);
  expect(v0.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.expectedVersion' });
  const missing = await t.gql(`mutation { changeCaseStatus(input: { caseId: "00000000-0000-4000-8000-000000000000", status: IDENTIFIED, expectedVersion: 1 }) { id } }`, undefined, token);
  expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  const nothing = await t.gql(`mutation($id: ID!) { updateCase(input: { caseId: $id, expectedVersion: 1 }) { id } }`, { id: caseId }, token);
  expect(nothing.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
  expect((await ds.query('SELECT version FROM case_file WHERE id = $1', [caseId]))[0].version).toBe(1);
});

test('login: wrong password and unknown email look the same', async () => {
  const a = await t.gql(`mutation { login(email: "nobody@demo.bkb", password: "x") { token } }`);
  expect(a.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  expect(a.errors?.[0].message).toBe('Wrong email or password');
});

test('a query deeper than the limit is refused before it runs', async () => {
  const deep = `{ cases { edges { node { child { case { child { case { child { case { child { case { child { case { id } } } } } } } } } } } } } }`;
  const res = await t.gql(deep, undefined, token);
  expect(res.errors?.[0].message).toMatch(/exceeds maximum operation depth/);
});

test('unknown errors are masked in production and logged', async () => {
  const logged: unknown[] = [];
  const logger = { error: (...a: unknown[]) => logged.push(a) } as never;
  const fmt = formatError({ ...t.config, production: true }, logger);
  const out = fmt({ message: 'relation "x" does not exist', path: ['cases'], extensions: {} }, new Error('relation "x" does not exist'));
  expect(out).toEqual({ message: 'Internal server error', path: ['cases'], locations: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  expect(logged).toHaveLength(1);
  const known = fmt({ message: 'nope', extensions: { code: 'FORBIDDEN' } }, new Error('nope'));
  expect(known.extensions?.code).toBe('FORBIDDEN');
});
