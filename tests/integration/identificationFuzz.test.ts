import crypto from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createOrg, createUser } from '../factories';
import { CANDIDATES, CONFIRM, IMPORT, randomStem } from '../helpers/identification';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { OrganizationKind, Role } from '../../src/schema/enums';
import { transliterate } from '../../src/services/transliteration';

/*
 * What a fuzzing review of the identification surfaces found, from the outside: concurrent imports of one list,
 * a trace changed under a reviewer, values that passed the record check, and forged page cursors.
 */
let t: TestApp;
let ds: DataSource;
let worker: string;
let worker2: string;
let otherOrgWorker: string;
let coordinator: string;

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  const ngo = await createOrg(ds);
  worker = (await createUser(t.app, ngo, [Role.CASE_WORKER])).token;
  worker2 = (await createUser(t.app, ngo, [Role.CASE_WORKER])).token;
  otherOrgWorker = (await createUser(t.app, await createOrg(ds), [Role.CASE_WORKER])).token;
  coordinator = (await createUser(t.app, await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR])).token;
});
afterAll(async () => { await t.stop(); });

const source = () => `Registry ${randomStem(6)}`;

test('two clients importing the same records at once, in opposite orders, both succeed and nothing is duplicated', async () => {
  // In the order sent, the two transactions locked the rows from opposite ends and met: a deadlock, one got CONFLICT.
  for (let round = 0; round < 6; round++) {
    const src = source();
    const records = Array.from({ length: 1000 }, (_, i) => ({ externalId: `r${i}`, givenName: 'Іван', familyName: `${randomStem(4)}енко`, birthDate: '2012' }));
    const [a, b] = await Promise.all([
      t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records } }, worker),
      t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records: [...records].reverse().map((r) => ({ ...r, notes: 'second' })) } }, worker2),
    ]);
    expect([a.errors, b.errors]).toEqual([undefined, undefined]);
    const outs = [a.data!.importExternalRecords, b.data!.importExternalRecords];
    expect(outs.map((o) => o.imported).sort()).toEqual([0, 1000]);
    expect(outs.map((o) => o.updated).sort()).toEqual([0, 1000]);
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM external_record WHERE source = $1', [src]);
    expect(n).toBe(1000);
  }
}, 120_000);

test('two organizations importing the same new records at once: one imports them, the other is refused every one by index, none is counted unchanged', async () => {
  // Only the importing organization changes a trace. The loser of the race passed the ownership check before the
  // winner committed; its write then left the rows alone, and it used to be told "unchanged" for them.
  for (let round = 0; round < 3; round++) {
    const src = source();
    const records = Array.from({ length: 300 }, (_, i) => ({ externalId: `r${i}`, givenName: 'Іван', familyName: `${randomStem(4)}енко`, birthDate: '2012' }));
    const [a, b] = await Promise.all([
      t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records } }, worker),
      t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records: records.map((r) => ({ ...r, notes: 'other organization' })) } }, otherOrgWorker),
    ]);
    expect([a.errors, b.errors]).toEqual([undefined, undefined]);
    const outs = [a.data!.importExternalRecords, b.data!.importExternalRecords];
    expect(outs.map((o) => o.imported).sort((x, y) => x - y)).toEqual([0, 300]);
    expect(outs.map((o) => o.unchanged + o.updated)).toEqual([0, 0]);
    const loser = outs.find((o) => o.imported === 0)!;
    expect(loser.rejected.map((r: { index: number; field: string }) => `${r.index}:${r.field}`)).toEqual(records.map((_, i) => `${i}:externalId`));
    const [{ n, notes }] = await ds.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE notes = 'other organization')::int AS notes FROM external_record WHERE source = $1`, [src]);
    expect(n).toBe(300);
    expect(notes).toBe(outs[1].imported === 300 ? 300 : 0);
  }
}, 120_000);

test("two organizations re-importing a list that holds each other's records at once: each updates its own and is refused the other's", async () => {
  // The ownership check locked the other organization's rows (FOR SHARE) before writing its own: each call then waited
  // for the other's share lock to write, a deadlock, and one got CONFLICT.
  for (let round = 0; round < 4; round++) {
    const src = source();
    const rec = (id: string, notes: string) => ({ externalId: id, givenName: 'Іван', familyName: `${randomStem(4)}енко`, birthDate: '2012', notes });
    const mineA = Array.from({ length: 150 }, (_, i) => rec(`a${i}`, 'first'));
    const mineB = Array.from({ length: 150 }, (_, i) => rec(`b${i}`, 'first'));
    expect((await t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records: mineA } }, worker)).data!.importExternalRecords.imported).toBe(150);
    expect((await t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records: mineB } }, otherOrgWorker)).data!.importExternalRecords.imported).toBe(150);
    const both = [...mineA, ...mineB].map((r) => ({ ...r, notes: 'second' }));
    const [a, b] = await Promise.all([
      t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records: both } }, worker),
      t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records: [...both].reverse() } }, otherOrgWorker),
    ]);
    expect([a.errors, b.errors]).toEqual([undefined, undefined]);
    for (const out of [a.data!.importExternalRecords, b.data!.importExternalRecords]) {
      expect([out.imported, out.updated, out.unchanged, out.rejected.length]).toEqual([0, 150, 0, 150]);
    }
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM external_record WHERE source = $1 AND notes = 'second'`, [src]);
    expect(n).toBe(300);
  }
}, 120_000);

test('one call of 1,000 traces, each with a page of notes in Cyrillic (3.9 MB of JSON), is imported whole', async () => {
  // At the former 1 MB body limit this valid call was refused with 413 before any record was read.
  const src = source();
  const notes = 'Анкета з федерального банку даних; фото, статус опіки, брати і сестри. '.repeat(30); // 2,130 characters
  const records = Array.from({ length: 1000 }, (_, i) => ({ externalId: `n${i}`, givenName: 'Ольга', familyName: `${randomStem(4)}енко`, birthDate: '2013', notes }));
  const body = JSON.stringify({ query: IMPORT, variables: { input: { source: src, sourceKind: 'OTHER', records } } });
  expect(Buffer.byteLength(body)).toBeGreaterThan(3_500_000);
  const res = await t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records } }, worker);
  expect(res.errors).toBeUndefined();
  expect(res.data!.importExternalRecords).toMatchObject({ imported: 1000, rejected: [] });
  const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM external_record WHERE source = $1 AND length(notes) = $2', [src, notes.trim().length]);
  expect(n).toBe(1000);
}, 60_000);

test('a trace re-imported with another foundAt makes its open candidate stale: a confirm of the version reviewed gets CONFLICT', async () => {
  const stem = randomStem(5);
  const report = await t.gql(`mutation($input: ReportChildInput!) { reportChild(input: $input) { child { id } } }`, { input: {
    givenName: 'Олександр', familyName: `${stem}цький`, patronymic: 'Федорович', sex: 'MALE', birthDate: '2013-04-11', placeOfBirth: 'м. Херсон',
  } }, worker);
  expect(report.errors).toBeUndefined();
  const src = source();
  const trace = { externalId: 't1', givenName: 'Александр', familyName: `${stem}цкий`, patronymic: 'Фёдорович', sex: 'MALE', birthDate: '2013-04-11', foundAt: 'Taganrog, orphanage No. 2', foundCountry: 'RU' };
  expect((await t.gql(IMPORT, { input: { source: src, sourceKind: 'ADOPTION_REGISTRY', records: [trace] } }, worker)).errors).toBeUndefined();
  const [{ id: recordId }] = await ds.query('SELECT id FROM external_record WHERE source = $1', [src]);
  const list = await t.gql(CANDIDATES, { filter: { childId: report.data!.reportChild.child.id, externalRecordId: recordId } }, worker);
  expect(list.errors).toBeUndefined();
  const reviewed = list.data!.matchCandidates.edges[0].node;
  expect(reviewed.externalRecord.foundAt).toBe('Taganrog, orphanage No. 2');

  // The source moves the child: the score is the same (foundAt is not compared), the trace is not.
  const again = await t.gql(IMPORT, { input: { source: src, sourceKind: 'ADOPTION_REGISTRY', records: [{ ...trace, foundAt: 'Minsk, shelter', foundCountry: 'BY' }] } }, worker);
  expect(again.data!.importExternalRecords).toMatchObject({ updated: 1 });
  const stale = await t.gql(CONFIRM, { input: { id: reviewed.id, expectedVersion: reviewed.version } }, worker);
  expect(stale.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: reviewed.version + 1 });
  const [row] = await ds.query('SELECT linked_child_id FROM external_record WHERE id = $1', [recordId]);
  expect(row.linked_child_id).toBeNull();

  // Reviewed again, it is confirmed; the same content sent once more changes nothing.
  expect((await t.gql(IMPORT, { input: { source: src, sourceKind: 'ADOPTION_REGISTRY', records: [{ ...trace, foundAt: 'Minsk, shelter', foundCountry: 'BY' }] } }, worker)).data!.importExternalRecords).toMatchObject({ unchanged: 1 });
  const ok = await t.gql(CONFIRM, { input: { id: reviewed.id, expectedVersion: reviewed.version + 1 } }, worker);
  expect(ok.errors).toBeUndefined();
  expect(ok.data!.confirmMatch.status).toBe('CONFIRMED');
});

test('three traces of one child confirmed at once by three requests: all three are confirmed', async () => {
  // With the case locked last, each decision held its candidate while another's re-matching of the child wanted it: a
  // deadlock, and all but one got CONFLICT although no decision was stale.
  for (let round = 0; round < 3; round++) {
    const stem = randomStem(5);
    // A birth date of its own (the external test database keeps earlier runs' traces), always the 11th so a swap is a date.
    const year = 2006 + crypto.randomInt(14);
    const month = String([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12][crypto.randomInt(11)]).padStart(2, '0');
    const report = await t.gql(`mutation($input: ReportChildInput!) { reportChild(input: $input) { child { id } } }`, { input: {
      givenName: 'Олександр', familyName: `${stem}цький`, patronymic: 'Федорович', sex: 'MALE', birthDate: `${year}-${month}-11`, placeOfBirth: 'м. Херсон',
    } }, worker);
    const childId = report.data!.reportChild.child.id;
    const src = source();
    const imported = await t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records: [
      { externalId: 'x', givenName: 'Александр', familyName: `${stem}цкий`, patronymic: 'Фёдорович', sex: 'MALE', birthDate: `${year}-${month}-11` },
      { externalId: 'y', givenName: 'Oleksandr', familyName: `${transliterate(stem)}tskyi`, sex: 'MALE', birthDate: `${year}-11-${month}` },
      { externalId: 'z', givenName: 'Aleksandr', familyName: `${transliterate(stem)}tskii`, patronymic: 'Fedorovich', sex: 'MALE', birthDate: `${year}` },
    ] } }, worker);
    expect(imported.errors).toBeUndefined();
    const ours = new Set((await ds.query('SELECT id FROM external_record WHERE source = $1', [src])).map((r: { id: string }) => r.id));
    const list = await t.gql(CANDIDATES, { filter: { childId } }, worker);
    const ids: string[] = list.data!.matchCandidates.edges
      .filter((e: { node: { externalRecord: { id: string } } }) => ours.has(e.node.externalRecord.id)).map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toHaveLength(3);
    const decided = await Promise.all(ids.map((id) => t.gql(CONFIRM, { input: { id } }, worker)));
    expect(decided.map((d) => d.errors?.[0].extensions?.code ?? d.data!.confirmMatch.status)).toEqual(['CONFIRMED', 'CONFIRMED', 'CONFIRMED']);
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM external_record WHERE linked_child_id = $1', [childId]);
    expect(n).toBe(3);
  }
}, 60_000);

test('twins: both traces confirmed for their children while both are re-imported and a namesake child is updated, all at once: every write succeeds', async () => {
  // Each of these re-matched overlapping candidates in its own order, and FOR UPDATE on a child or a trace blocked the
  // others' new candidates (their foreign keys): deadlocks, and one or more got CONFLICT although nothing was stale.
  const UPDATE_CHILD = `mutation($input: UpdateChildInput!) { updateChild(input: $input) { id } }`;
  for (let round = 0; round < 6; round++) {
    const stem = randomStem(5);
    const year = 2006 + crypto.randomInt(14);
    const kids: { childId: string; version: number; birth: string }[] = [];
    // Twins' traces differ by a month (each is a candidate for both), and a third child of the same name and date as the
    // first (a namesake in another family) is updated meanwhile.
    for (const month of ['03', '04', '03']) {
      const birth = `${year}-${month}-11`;
      const r = await t.gql(`mutation($input: ReportChildInput!) { reportChild(input: $input) { child { id version } } }`, { input: {
        givenName: 'Олександр', familyName: `${stem}цький`, patronymic: 'Федорович', sex: 'MALE', birthDate: birth, placeOfBirth: 'м. Херсон',
      } }, worker);
      expect(r.errors).toBeUndefined();
      kids.push({ childId: r.data!.reportChild.child.id, version: r.data!.reportChild.child.version, birth });
    }
    const src = source();
    const traces = kids.slice(0, 2).map((k, i) => ({ externalId: `t${i}`, givenName: 'Александр', familyName: `${stem}цкий`, patronymic: 'Фёдорович', sex: 'MALE', birthDate: k.birth }));
    expect((await t.gql(IMPORT, { input: { source: src, sourceKind: 'ADOPTION_REGISTRY', records: traces } }, worker)).errors).toBeUndefined();
    const ids = await ds.query('SELECT external_id, id FROM external_record WHERE source = $1 ORDER BY external_id', [src]);
    const candidateOf = async (childId: string, recordId: string) =>
      (await t.gql(CANDIDATES, { filter: { childId, externalRecordId: recordId } }, worker)).data!.matchCandidates.edges[0]?.node.id as string;
    const mine = [await candidateOf(kids[0].childId, ids[0].id), await candidateOf(kids[1].childId, ids[1].id)];
    expect(mine.every(Boolean)).toBe(true);
    const results = await Promise.all([
      t.gql(CONFIRM, { input: { id: mine[0] } }, worker),
      t.gql(CONFIRM, { input: { id: mine[1] } }, worker),
      t.gql(IMPORT, { input: { source: src, sourceKind: 'ADOPTION_REGISTRY', records: traces.map((tr) => ({ ...tr, notes: `round ${round}` })) } }, worker),
      t.gql(UPDATE_CHILD, { input: { childId: kids[2].childId, expectedVersion: kids[2].version, aliases: [`Sasha ${transliterate(stem)}tskyi`] } }, worker),
    ]);
    expect(results.map((r) => r.errors?.[0].message ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'ok']);
    const linked = await ds.query('SELECT linked_child_id FROM external_record WHERE source = $1 ORDER BY external_id', [src]);
    expect(linked.map((l: { linked_child_id: string }) => l.linked_child_id)).toEqual([kids[0].childId, kids[1].childId]);
  }
}, 120_000);

test('a name of combining marks only and a country code that is only one after upper-casing are rejected by index and field', async () => {
  const src = source();
  const fam = `${randomStem(5)}ов`;
  const records = [
    { externalId: 'v1', givenName: 'Оле\u0301г', familyName: fam }, // a stress mark inside a name: kept
    { externalId: 'b1', givenName: '\u0301\u0308', familyName: fam },
    { externalId: 'b2', familyName: '\u0301' },
    { externalId: 'b3', familyName: fam, foundCountry: 'ß' }, // upper-cases to SS (South Sudan)
    { externalId: 'b4', familyName: fam, foundCountry: 'ıt' }, // dotless i: upper-cases to IT
    { externalId: 'v2', familyName: fam, foundCountry: 'ru' },
  ];
  const res = await t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records } }, worker);
  expect(res.errors).toBeUndefined();
  const out = res.data!.importExternalRecords;
  expect(out.rejected.map((r: { index: number; field: string }) => `${r.index}:${r.field}`)).toEqual(['1:givenName', '2:familyName', '3:foundCountry', '4:foundCountry']);
  expect(out.imported).toBe(2);
  expect(await ds.query('SELECT external_id, found_country FROM external_record WHERE source = $1 ORDER BY external_id', [src]))
    .toEqual([{ external_id: 'v1', found_country: null }, { external_id: 'v2', found_country: 'RU' }]);
});

test('forged page cursors are refused naming after, never passed to the database', async () => {
  const traces = `query($after: String) { externalRecords(first: 2, after: $after) { edges { cursor } } }`;
  const candidates = `query($after: String) { matchCandidates(first: 2, after: $after) { edges { cursor } } }`;
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
  const uuid = '00000000-0000-4000-8000-000000000000';
  const forged: [string, string][] = [
    [traces, b64(`2023-01-01T00:00:00+02:00|${uuid}`)], // a time, not the form given out: reached PostgreSQL
    [traces, b64(`1 |${uuid}`)],
    [traces, b64(`Jan 1 2023|${uuid}`)],
    [traces, b64('2023-01-01T00:00:00.000Z|------------------------------------')],
    [candidates, b64(`10000000000000000000000|${uuid}`)], // overflowed in PostgreSQL
    [candidates, b64(`  |${uuid}`)], // read as 0
    [candidates, b64(`0x10|${uuid}`)], // read as 16
    [candidates, b64('0.5|------------------------------------')],
  ];
  for (const [query, after] of forged) {
    const res = await t.gql(query, { after }, coordinator);
    expect({ after: Buffer.from(after, 'base64url').toString(), ext: res.errors?.[0].extensions })
      .toEqual({ after: Buffer.from(after, 'base64url').toString(), ext: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'after' }) });
  }
  // The cursors the API gives out still page.
  for (const query of [traces, candidates]) {
    const first = await t.gql(query, {}, coordinator);
    const cursor = Object.values(first.data!)[0].edges.at(-1)?.cursor;
    if (!cursor) continue;
    const next = await t.gql(query, { after: cursor }, coordinator);
    expect(next.errors).toBeUndefined();
  }
});

test('the database connection of an import call ended midway: SERVICE_UNAVAILABLE, nothing written, the same call again imports every record once', async () => {
  const src = source();
  const records = Array.from({ length: 1000 }, (_, i) => ({ externalId: `k${i}`, givenName: 'Олександр', familyName: `${randomStem(3)}енко`, birthDate: `${2006 + (i % 14)}` }));
  const admin = new Client({ connectionString: process.env.BKB_TEST_DB_URL });
  await admin.connect();
  try {
    const call = t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records } }, worker);
    let killed = 0;
    const until = Date.now() + 20_000;
    while (!killed && Date.now() < until) {
      const r = await admin.query(`SELECT pg_terminate_backend(pid) AS k FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'INSERT INTO external_record%'`);
      killed = r.rows.filter((x: { k: boolean }) => x.k).length;
    }
    expect(killed).toBe(1);
    const res = await call;
    expect(res.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect((await ds.query('SELECT count(*)::int AS n FROM external_record WHERE source = $1', [src]))[0].n).toBe(0);
  } finally {
    await admin.end();
  }
  const again = await t.gql(IMPORT, { input: { source: src, sourceKind: 'OTHER', records } }, worker);
  expect(again.errors).toBeUndefined();
  expect(again.data!.importExternalRecords).toMatchObject({ imported: 1000, updated: 0 });
  expect((await ds.query('SELECT count(DISTINCT external_id)::int AS n, count(*)::int AS rows FROM external_record WHERE source = $1', [src]))[0]).toEqual({ n: 1000, rows: 1000 });
}, 60_000);
