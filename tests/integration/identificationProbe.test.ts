import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { centreCoordinator, createCentre, placeChild } from '../factories/scheduling';
import { CONFIRM, IMPORT, REJECT, randomStem } from '../helpers/identification';
import { startTestApp, type GqlResult, type TestApp } from '../helpers/testApp';
import { connectWs, settleFeed, waitForSubscribers, type WsClient } from '../helpers/ws';
import type { Child, Organization } from '../../src/entities';
import { CaseEventKind, OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';
import { BACKFILLS, ownSearchText } from '../../src/db/backfills';

/**
 * An outside reviewer's probe of every path that reaches a trace or a match candidate, as every role: the
 * top-level queries (lists, totalCount, every status, page by page), single reads, nested fields (foundAt,
 * linkedChild, MatchCandidate.child / .externalRecord / .decidedBy), federation _entities, filters by an
 * unreadable child or trace (same answer as for an id that does not exist), the mutations, the case history
 * and the live MATCH_CONFIRMED event. Table-driven: each table says what each reader must get.
 *
 * The world: child X led by A (FULL to B, SUMMARY to C, FULL to R then revoked); child Y, a namesake of X,
 * led by E (SUMMARY to B). D imports two traces of that name: both are candidates of both children. E confirms
 * T2 as Y (X's candidate of T2 becomes SUPERSEDED); T1 stays OPEN for both.
 */
let t: TestApp;
let ds: DataSource;
let tokens: Record<string, string>;
let stem: string;
let X: { child: string; case: string };
let Y: { child: string; case: string };
let slow: TestApp | undefined;
let T1: string;
let T2: string;
/** Candidates: (trace, child). */
let c1X: string; let c1Y: string; let c2X: string; let c2Y: string;
const source = `Probe registry ${randomStem(6)}`;
const FOUND_1 = 'Taganrog, foster family of K.';
const FOUND_2 = 'Yeysk, Children home no. 2';
const clients: WsClient[] = [];

const ROLES = ['anonymous', 'coordinator', 'investigator', 'cwA', 'cwB', 'cwC', 'cwR', 'cwD', 'cwE', 'centreCoordinator', 'specialist', 'analyst', 'orgAdminA'] as const;
type Reader = (typeof ROLES)[number];
const gql = (q: string, v: Record<string, unknown>, who: Reader): Promise<GqlResult> => t.gql(q, v, who === 'anonymous' ? undefined : tokens[who]);
const uuid = () => crypto.randomUUID();

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  const o: Record<string, Organization> = {};
  for (const k of ['A', 'B', 'C', 'R', 'D', 'E']) o[k] = await createOrg(ds);
  o.council = await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL);
  o.prosecutor = await createOrg(ds, OrganizationKind.PROSECUTOR);
  o.crpc = await createOrg(ds, OrganizationKind.REHABILITATION_CENTRE_OPERATOR);
  o.bureau = await createOrg(ds, OrganizationKind.GOVERNMENT_AGENCY);
  const users: [Reader, Organization, Role[]][] = [
    ['coordinator', o.council, [Role.COORDINATOR]], ['investigator', o.prosecutor, [Role.INVESTIGATOR]],
    ['cwA', o.A, [Role.CASE_WORKER]], ['cwB', o.B, [Role.CASE_WORKER]], ['cwC', o.C, [Role.CASE_WORKER]], ['cwR', o.R, [Role.CASE_WORKER]],
    ['cwD', o.D, [Role.CASE_WORKER]], ['cwE', o.E, [Role.CASE_WORKER]],
    ['centreCoordinator', o.crpc, [Role.CENTRE_COORDINATOR]], ['specialist', o.crpc, [Role.SPECIALIST]],
    ['analyst', o.bureau, [Role.ANALYST]], ['orgAdminA', o.A, [Role.ORG_ADMIN]],
  ];
  tokens = {};
  for (const [name, org, roles] of users) tokens[name] = (await createUser(t.app, org, roles)).token;
  stem = randomStem(4); // four syllables: a name no other suite's child shares, even read with OCR confusions
  const x = await createCase(ds, {
    lead: o.A, givenName: 'Олена', familyName: `${stem}енко`, currentLocation: 'Rostov, X',
    shares: [{ org: o.B, access: ShareAccess.FULL }, { org: o.C, access: ShareAccess.SUMMARY }, { org: o.R, access: ShareAccess.FULL }],
  });
  const y = await createCase(ds, { lead: o.E, givenName: 'Олена', familyName: `${stem}енко`, currentLocation: 'Kursk, Y', shares: [{ org: o.B, access: ShareAccess.SUMMARY }] });
  // A spelling the family gave: every reader of Y's aliases sees it (the trace's spelling only some, below).
  await ds.query(`UPDATE child SET aliases = '{Оленка}' WHERE id = $1`, [y.child.id]);
  X = { child: x.child.id, case: x.case.id };
  Y = { child: y.child.id, case: y.case.id };
  const rec = (externalId: string, foundAt: string) => ({ externalId, givenName: 'Елена', familyName: `${stem}енко`, birthDate: '2014-05-01', sex: 'FEMALE', foundAt, foundCountry: 'RU' });
  const imp = await gql(IMPORT, { input: { source, sourceKind: 'ADOPTION_REGISTRY', records: [rec('t1', FOUND_1), rec('t2', FOUND_2)] } }, 'cwD');
  expect(imp.errors).toBeUndefined();
  // Four candidates were stored, all of children D may not read: its count is 0 (else a made-up trace would tell
  // D which names are reported in cases it cannot see).
  expect(imp.data!.importExternalRecords.candidates).toBe(0);
  const rows: { id: string; child_id: string; external_id: string }[] = await ds.query(
    `SELECT m.id, m.child_id, r.external_id FROM match_candidate m JOIN external_record r ON r.id = m.external_record_id WHERE r.source = $1`, [source]);
  const cand = (ext: string, child: string) => rows.find((r) => r.external_id === ext && r.child_id === child)?.id;
  [c1X, c1Y, c2X, c2Y] = [cand('t1', X.child), cand('t1', Y.child), cand('t2', X.child), cand('t2', Y.child)] as string[];
  expect([c1X, c1Y, c2X, c2Y].every(Boolean)).toBe(true);
  [{ id: T1 }, { id: T2 }] = await ds.query(`SELECT id FROM external_record WHERE source = $1 ORDER BY external_id`, [source]);

  // R's FULL share is revoked through the API: R must lose everything at once.
  const before = await gql(`query($c: ID!) { matchCandidate(id: $c) { id } }`, { c: c1X }, 'cwR');
  expect(before.data!.matchCandidate?.id).toBe(c1X);
  const un = await gql(`mutation($i: UnshareCaseInput!) { unshareCase(input: $i) { id } }`, { i: { caseId: X.case, organizationId: o.R.id } }, 'cwA');
  expect(un.errors).toBeUndefined();
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await slow?.stop();
  await t.stop();
});

/** The live MATCH_CONFIRMED event: subscribed before E confirms T2 as Y; who receives it, and what of it. */
const LIVE_SEES: Partial<Record<Reader, boolean>> = { coordinator: true, investigator: true, cwE: true, cwA: false, cwB: false, cwC: false, cwD: false, cwR: false };

describe('the decision and its live event', () => {
  test('E confirms T2 as Y; only readers of Y\'s history receive MATCH_CONFIRMED, live', async () => {
    await settleFeed(t.app);
    const before = t.app.deps.feed.subscriberCount;
    const subs = Object.keys(LIVE_SEES).map((who) => {
      const c = connectWs(t.url, tokens[who]);
      clients.push(c);
      return [who, c.subscribe(`subscription($k: [CaseEventKind!]) { caseStatusChanged(kinds: $k) { eventId kind note case { id } } }`, { k: Object.values(CaseEventKind) })] as const;
    });
    await waitForSubscribers(t.app, before + subs.length);
    const ok = await gql(CONFIRM, { input: { id: c2Y, note: 'same child' } }, 'cwE');
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.confirmMatch.status).toBe('CONFIRMED');
    const [{ status }] = await ds.query('SELECT status FROM match_candidate WHERE id = $1', [c2X]);
    expect(status).toBe('SUPERSEDED');
    const coordinator = subs.find(([w]) => w === 'coordinator')![1];
    await coordinator.until((c) => c.changes().some((e) => e.kind === 'MATCH_CONFIRMED' && e.case.id === Y.case), 10000, 'MATCH_CONFIRMED');
    // Everyone else has had the same time; a later status change on X flushes every subscriber's queue.
    await settleFeed(t.app);
    await new Promise((r) => setTimeout(r, 300));
    for (const [who, c] of subs) {
      const got = c.changes().filter((e) => e.kind === 'MATCH_CONFIRMED' && e.case.id === Y.case);
      expect([who, got.length]).toEqual([who, LIVE_SEES[who as Reader] ? 1 : 0]);
      expect([who, c.results.flatMap((r) => r.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN')]).toEqual([who, []]);
    }
  });

  test('catch-up after a disconnect (afterEventId "0"): the same readers get MATCH_CONFIRMED from the history', async () => {
    const before = t.app.deps.feed.subscriberCount;
    const subs = (['coordinator', 'cwE', 'cwB', 'cwA'] as Reader[]).map((who) => {
      const c = connectWs(t.url, tokens[who]);
      clients.push(c);
      return [who, c.subscribe(`subscription($k: [CaseEventKind!]) { caseStatusChanged(afterEventId: "0", kinds: $k) { kind case { id } } }`, { k: Object.values(CaseEventKind) })] as const;
    });
    await waitForSubscribers(t.app, before + subs.length);
    const seen = (c: (typeof subs)[number][1]) => c.changes().filter((e) => e.kind === 'MATCH_CONFIRMED' && e.case.id === Y.case).length;
    for (const [who, c] of subs) {
      if (who === 'coordinator' || who === 'cwE') await c.until(() => seen(c) === 1, 15000, `${who}: MATCH_CONFIRMED in the catch-up`);
    }
    // B reads X in FULL: its catch-up carries X's history (CREATED at least), never Y's MATCH_CONFIRMED.
    const b = subs.find(([w]) => w === 'cwB')![1];
    await b.until((c) => c.changes().some((e) => e.case.id === X.case), 15000, "B's catch-up of X");
    await new Promise((r) => setTimeout(r, 300));
    for (const [who, c] of subs) expect([who, seen(c)]).toEqual([who, who === 'coordinator' || who === 'cwE' ? 1 : 0]);
  });

  test("case history: MATCH_CONFIRMED is in Y's events only for readers of its history (not B's SUMMARY share)", async () => {
    const q = `query($id: ID!) { case(id: $id) { id events(first: 100) { edges { node { kind note } } } } }`;
    const expected: Partial<Record<Reader, boolean | null>> = { coordinator: true, investigator: true, cwE: true, cwB: false, cwA: null, cwC: null, cwD: null, analyst: null };
    for (const [who, sees] of Object.entries(expected) as [Reader, boolean | null][]) {
      const res = await gql(q, { id: Y.case }, who);
      if (sees === null) {
        expect([who, res.data?.case ?? null]).toEqual([who, null]);
        continue;
      }
      const kinds = (res.data!.case.events?.edges ?? []).map((e: any) => e.node.kind);
      expect([who, kinds.includes('MATCH_CONFIRMED')]).toEqual([who, sees]);
    }
  });
});

/** What each reader reaches. Candidates by status; traces; foundAt of each trace; linkedChild of T2. */
interface Sees { cands: string[]; traces: string[]; found1: boolean; found2: boolean; linked2: 'Y' | null }
const none: Sees = { cands: [], traces: [], found1: false, found2: false, linked2: null };
const TABLE = (): Record<Reader, Sees> => ({
  anonymous: none,
  coordinator: { cands: [c1X, c1Y, c2X, c2Y], traces: [T1, T2], found1: true, found2: true, linked2: 'Y' },
  investigator: { cands: [c1X, c1Y, c2X, c2Y], traces: [T1, T2], found1: true, found2: true, linked2: 'Y' },
  // X's lead and FULL partner: X's candidates (T2's is SUPERSEDED, kept as history) and both traces; but T2 is Y
  // now: where it was found is where Y is, and which child it became is not theirs to know (B reads Y in SUMMARY).
  cwA: { cands: [c1X, c2X], traces: [T1, T2], found1: true, found2: false, linked2: null },
  cwB: { cands: [c1X, c2X], traces: [T1, T2], found1: true, found2: false, linked2: null },
  cwE: { cands: [c1Y, c2Y], traces: [T1, T2], found1: true, found2: true, linked2: 'Y' },
  cwC: none, cwR: none, cwD: none, centreCoordinator: none, specialist: none, analyst: none, orgAdminA: none,
});

const ALL_CANDS = `query($f: MatchCandidateFilter, $first: Int, $after: String) {
  matchCandidates(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;

/** Every candidate a reader reaches for a filter: all four statuses, page by page (first: 1), and the counts. */
// Page by page to the end (one at a time for our few candidates; the whole queue, which other suites sharing the
// database fill too, in pages of 100).
async function reach(who: Reader, filter: Record<string, unknown>, first = 1): Promise<{ ids: string[]; counts: number[]; errors: unknown[] }> {
  const ids: string[] = [];
  const counts: number[] = [];
  const errors: unknown[] = [];
  for (const status of ['OPEN', 'CONFIRMED', 'REJECTED', 'SUPERSEDED']) {
    let after: string | null = null;
    let seen = 0;
    for (let page = 0; page < 1000; page++) {
      const res: GqlResult = await gql(ALL_CANDS, { f: { ...filter, status }, first, after }, who);
      if (res.errors) { errors.push(...res.errors.map((e) => e.extensions?.code)); break; }
      const conn = res.data!.matchCandidates;
      if (page === 0) counts.push(conn.totalCount);
      ids.push(...conn.edges.map((e: any) => e.node.id));
      seen += conn.edges.length;
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    if (counts.length && seen !== counts.at(-1)) errors.push(`${status}: paged ${seen}, totalCount ${counts.at(-1)}`);
  }
  return { ids, counts, errors };
}
const sameSet = (a: string[], b: string[]) => expect([...a].sort()).toEqual([...b].sort());

describe.each(ROLES.map((r) => [r]))('%s', (who) => {
  const sees = () => TABLE()[who];

  test('matchCandidates: lists, totalCount, every status, page by page, by child and by trace', async () => {
    if (who === 'anonymous') {
      const res = await gql(ALL_CANDS, {}, who);
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      return;
    }
    const mine = (ids: string[]) => ids.filter((id) => sees().cands.includes(id));
    for (const [filter, of] of [
      [{ childId: X.child }, [c1X, c2X]], [{ childId: Y.child }, [c1Y, c2Y]],
      [{ externalRecordId: T1 }, [c1X, c1Y]], [{ externalRecordId: T2 }, [c2X, c2Y]],
      [{ childId: X.child, externalRecordId: T2 }, [c2X]],
    ] as [Record<string, string>, string[]][]) {
      const r = await reach(who, filter);
      expect([who, filter, r.errors]).toEqual([who, filter, []]);
      // Ours only: in one database with the other suites, a trace of theirs may be a candidate for X or Y too.
      const ours = r.ids.filter((id) => [c1X, c1Y, c2X, c2Y].includes(id));
      sameSet(ours, mine(of));
      expect(r.counts.reduce((a, b) => a + b, 0)).toBe(mine(of).length + r.ids.length - ours.length);
      if (!sees().cands.length) expect(r.ids).toEqual([]);
    }
    // Unfiltered: the reader's whole queue holds exactly the visible ones of ours (and the count agrees with the pages).
    const all = await reach(who, {}, 100);
    expect(all.errors).toEqual([]);
    sameSet(all.ids.filter((id) => [c1X, c1Y, c2X, c2Y].includes(id)), sees().cands);
  });

  test('externalRecords: list and totalCount, by source, linked or not', async () => {
    const q = `query($s: String!, $l: Boolean) { externalRecords(filter: { source: $s, linked: $l }) { totalCount edges { node { id } } } }`;
    for (const linked of [null, true, false]) {
      const res = await gql(q, { s: source, l: linked }, who);
      if (who === 'anonymous') { expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED'); return; }
      expect(res.errors).toBeUndefined();
      const want = sees().traces.filter((id) => linked === null || (id === T2) === linked);
      sameSet(res.data!.externalRecords.edges.map((e: any) => e.node.id), want);
      expect(res.data!.externalRecords.totalCount).toBe(want.length);
    }
  });

  test('single reads and every nested field: foundAt, linkedChild, child, externalRecord, decidedBy', async () => {
    const res = await gql(`query($t1: ID!, $t2: ID!, $c: ID!) {
      t1: externalRecord(id: $t1) { id givenName foundAt linkedChild { id } }
      t2: externalRecord(id: $t2) { id givenName foundAt linkedChild { id familyName } }
      cand: matchCandidate(id: $c) { id status child { id } externalRecord { id foundAt linkedChild { id } } decidedBy { organization { id } displayName } }
    }`, { t1: T1, t2: T2, c: c2X }, who);
    if (who === 'anonymous') { expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED'); return; }
    const s = sees();
    const forbiddenAt = (res.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => e.path!.join('.')).sort();
    expect((res.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN')).toEqual([]);
    expect(res.data!.t1?.id ?? null).toBe(s.traces.includes(T1) ? T1 : null);
    expect(res.data!.t2?.id ?? null).toBe(s.traces.includes(T2) ? T2 : null);
    if (s.traces.includes(T1)) expect(res.data!.t1.foundAt).toBe(s.found1 ? FOUND_1 : null);
    if (s.traces.includes(T2)) {
      expect(res.data!.t2.foundAt).toBe(s.found2 ? FOUND_2 : null);
      expect(res.data!.t2.linkedChild?.id ?? null).toBe(s.linked2 === 'Y' ? Y.child : null);
    }
    expect(res.data!.cand?.id ?? null).toBe(s.cands.includes(c2X) ? c2X : null);
    if (s.cands.includes(c2X)) {
      expect(res.data!.cand).toMatchObject({ status: 'SUPERSEDED', child: { id: X.child }, externalRecord: { id: T2 } });
      expect(res.data!.cand.externalRecord.linkedChild?.id ?? null).toBe(s.linked2 === 'Y' ? Y.child : null);
      expect(res.data!.cand.externalRecord.foundAt).toBe(s.found2 ? FOUND_2 : null);
    }
    const wantForbidden = [
      ...(s.traces.includes(T1) && !s.found1 ? ['t1.foundAt'] : []),
      ...(s.traces.includes(T2) && !s.found2 ? ['t2.foundAt'] : []),
      ...(s.cands.includes(c2X) && !s.found2 ? ['cand.externalRecord.foundAt'] : []),
    ].sort();
    expect(forbiddenAt).toEqual(wantForbidden);
    // The confirmed candidate: its decider's organization for its readers, the person's name only inside E.
    const d = await gql(`query($c: ID!) { matchCandidate(id: $c) { decidedBy { organization { id } displayName } } }`, { c: c2Y }, who);
    if (!s.cands.includes(c2Y)) { expect(d.data!.matchCandidate).toBeNull(); return; }
    expect(d.data!.matchCandidate.decidedBy.organization.id).toBeTruthy();
    if (who === 'cwE') expect(d.errors).toBeUndefined();
    else expect(d.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['FORBIDDEN', 'matchCandidate.decidedBy.displayName']]);
  });

  test('federation _entities: traces, candidates and the children behind them', async () => {
    const reps = [
      { __typename: 'ExternalRecord', id: T1 }, { __typename: 'ExternalRecord', id: T2 },
      { __typename: 'MatchCandidate', id: c1X }, { __typename: 'MatchCandidate', id: c1Y }, { __typename: 'MatchCandidate', id: c2X }, { __typename: 'MatchCandidate', id: c2Y },
    ];
    const res = await gql(`query($reps: [_Any!]!) { _entities(representations: $reps) {
      ... on ExternalRecord { id foundAt linkedChild { id } } ... on MatchCandidate { id externalRecord { id } child { id } } } }`, { reps }, who);
    if (who === 'anonymous') {
      expect(res.data?._entities ?? [null]).toEqual(expect.arrayContaining([null]));
      expect((res.data?._entities ?? []).filter(Boolean)).toEqual([]);
      return;
    }
    const s = sees();
    const want = [T1, T2, c1X, c1Y, c2X, c2Y].map((id) => (s.traces.includes(id) || s.cands.includes(id) ? id : null));
    expect(res.data!._entities.map((e: any) => e?.id ?? null)).toEqual(want);
    expect(res.data!._entities[1]?.linkedChild?.id ?? null).toBe(s.traces.includes(T2) && s.linked2 ? Y.child : null);
    expect((res.errors ?? []).map((e) => e.extensions?.code).filter((c) => c !== 'FORBIDDEN')).toEqual([]);
  });

  test("an unreadable record answers exactly like one that does not exist (no existence, no names in messages)", async () => {
    if (who === 'anonymous') return;
    const s = sees();
    const probes: [string, (id: string) => Promise<GqlResult>][] = [
      ['externalRecord', (id) => gql(`query($id: ID!) { externalRecord(id: $id) { id } }`, { id }, who)],
      ['matchCandidate', (id) => gql(`query($id: ID!) { matchCandidate(id: $id) { id } }`, { id }, who)],
      ['byChild', (id) => gql(ALL_CANDS, { f: { childId: id } }, who)],
      ['byTrace', (id) => gql(ALL_CANDS, { f: { externalRecordId: id } }, who)],
      ['confirm', (id) => gql(CONFIRM, { input: { id } }, who)],
      ['reject', (id) => gql(REJECT, { input: { id, note: 'probe' } }, who)],
    ];
    const hidden: Record<string, string | undefined> = {
      externalRecord: [T1, T2].find((id) => !s.traces.includes(id)),
      matchCandidate: [c1X, c1Y, c2X, c2Y].find((id) => !s.cands.includes(id)),
      byChild: !s.cands.includes(c1X) ? X.child : !s.cands.includes(c1Y) ? Y.child : undefined,
      byTrace: [T1, T2].find((id) => !s.traces.includes(id)),
      // An OPEN candidate the reader cannot read (deciding it must not say FORBIDDEN, nor CONFLICT).
      confirm: [c1X, c1Y].find((id) => !s.cands.includes(id)),
      reject: [c1X, c1Y].find((id) => !s.cands.includes(id)),
    };
    for (const [name, probe] of probes) {
      const id = hidden[name];
      if (!id) continue;
      const fake = uuid();
      const [a, b] = [await probe(id), await probe(fake)];
      // Per-request noise (the request id) aside, byte for byte the same answer.
      const norm = (r: GqlResult, i: string) => JSON.parse(JSON.stringify(r).split(i).join('<id>').replace(/"requestId":"[^"]*"/g, '"requestId":"-"'));
      expect([name, norm(a, id)]).toEqual([name, norm(b, fake)]);
      expect(JSON.stringify(a)).not.toContain(stem);
    }
    // Nothing was decided by the probes.
    const rows: { status: string }[] = await ds.query('SELECT status FROM match_candidate WHERE id = ANY($1::uuid[]) ORDER BY id', [[c1X, c1Y]]);
    expect(rows.map((r) => r.status)).toEqual(['OPEN', 'OPEN']);
  });
});

describe("Child.aliases: the spelling a confirmed trace added is the trace's, shown only to readers of the child's candidates", () => {
  // Y's aliases after E confirmed T2: the family's spelling, then the trace's.
  const ALIASES: Partial<Record<Reader, string[] | null>> = {
    coordinator: ['Оленка', 'TRACE'], investigator: ['Оленка', 'TRACE'], cwE: ['Оленка', 'TRACE'],
    // B reads Y through a SUMMARY share (aliases are a summary field), and sees no candidate of Y.
    cwB: ['Оленка'],
    cwA: null, cwC: null, cwD: null, cwR: null, analyst: null, orgAdminA: null, centreCoordinator: null, specialist: null,
  };
  const want = (v: string[] | null) => v && v.map((a) => (a === 'TRACE' ? `Елена ${stem}енко` : a));

  test('confirm wrote the spelling to aliases and marked it as the trace\'s', async () => {
    const [row] = await ds.query('SELECT aliases, trace_aliases FROM child WHERE id = $1', [Y.child]);
    expect(row).toEqual({ aliases: ['Оленка', `Елена ${stem}енко`], trace_aliases: [`Елена ${stem}енко`] });
  });

  test.each(Object.entries(ALIASES))('%s: child(id), _entities and cases (compiled and executed) agree', async (who, expected) => {
    const reader = who as Reader;
    const one = await gql(`query($id: ID!, $reps: [_Any!]!) { child(id: $id) { aliases } _entities(representations: $reps) { ... on Child { aliases } } }`,
      { id: Y.child, reps: [{ __typename: 'Child', id: Y.child }] }, reader);
    expect(one.errors).toBeUndefined();
    expect(one.data!.child?.aliases ?? null).toEqual(want(expected ?? null));
    expect(one.data!._entities[0]?.aliases ?? null).toEqual(want(expected ?? null));
    // The `cases` page is compiled to one SQL statement (src/fastpath); the same query on a hub without it must agree.
    slow ??= await startTestApp({ env: { READ_FAST_PATH: 'false' } });
    // (The compiled path takes `first` and `after` only: page until Y's case, newest first.)
    const q = `query($after: String) { cases(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id child { id aliases } } } } }`;
    for (const app of [t, slow]) {
      let node: any;
      let after: string | null = null;
      for (let page = 0; page < 50 && !node; page++) {
        const res: GqlResult = await app.gql(q, { after }, tokens[reader]);
        expect(res.errors).toBeUndefined();
        node = res.data!.cases.edges.map((e: any) => e.node).find((n: any) => n.id === Y.case);
        if (!res.data!.cases.pageInfo.hasNextPage) break;
        after = res.data!.cases.pageInfo.endCursor;
      }
      expect([app === t ? 'compiled' : 'executed', node?.child.aliases ?? null]).toEqual([app === t ? 'compiled' : 'executed', want(expected ?? null)]);
    }
  });
});

test("centre staff of the centre where Y is placed read Y's aliases without the trace's spelling, nor any trace", async () => {
  const centre = await createCentre(ds);
  await placeChild(ds, centre, { id: Y.child } as Child);
  const { token } = await centreCoordinator(t.app, [centre]);
  const res = await t.gql(`query($id: ID!, $t2: ID!, $c: ID!) {
    child(id: $id) { id aliases } externalRecord(id: $t2) { id } matchCandidate(id: $c) { id }
    matchCandidates(filter: { childId: $id, status: CONFIRMED }) { totalCount } }`, { id: Y.child, t2: T2, c: c2Y }, token);
  expect(res.errors).toBeUndefined();
  expect(res.data).toEqual({ child: { id: Y.child, aliases: ['Оленка'] }, externalRecord: null, matchCandidate: null, matchCandidates: { totalCount: 0 } });
});

test("the live payload's child: B (SUMMARY of Y) gets Y's aliases without the trace's spelling, E with it", async () => {
  await settleFeed(t.app);
  const before = t.app.deps.feed.subscriberCount;
  const subs = (['cwB', 'cwE'] as Reader[]).map((who) => {
    const c = connectWs(t.url, tokens[who]);
    clients.push(c);
    return [who, c.subscribe(`subscription($id: ID) { caseStatusChanged(caseId: $id) { to case { id child { aliases } } } }`, { id: Y.case })] as const;
  });
  await waitForSubscribers(t.app, before + subs.length);
  const [{ version }] = await ds.query('SELECT version FROM case_file WHERE id = $1', [Y.case]);
  const moved = await gql(`mutation($i: ChangeCaseStatusInput!) { changeCaseStatus(input: $i) { status } }`,
    { i: { caseId: Y.case, status: 'IDENTIFIED', expectedVersion: version, note: 'probe' } }, 'cwE');
  expect(moved.errors).toBeUndefined();
  for (const [who, c] of subs) {
    await c.until((x) => x.changes().some((e) => e.to === 'IDENTIFIED'), 10000, `${who}: the status change`);
    const aliases = c.changes().find((e) => e.to === 'IDENTIFIED')!.case.child.aliases as string[];
    expect([who, aliases.includes(`Елена ${stem}енко`), aliases.includes('Оленка')]).toEqual([who, who === 'cwE', true]);
  }
});

test("name search: a trace's spelling finds the child only for readers of its candidates", async () => {
  const q = `query($s: String!) { cases(filter: { search: $s }, first: 50) { totalCount edges { node { id } } } }`;
  const finds: Partial<Record<Reader, string[]>> = {
    coordinator: [Y.case], investigator: [Y.case], cwE: [Y.case], cwB: [], cwA: [], cwC: [],
  };
  for (const [who, want] of Object.entries(finds) as [Reader, string[]][]) {
    const res = await gql(q, { s: `Елена ${stem}енко` }, who);
    expect(res.errors).toBeUndefined();
    expect([who, res.data!.cases.edges.map((e: any) => e.node.id), res.data!.cases.totalCount]).toEqual([who, want, want.length]);
    // The child's own names still find it for every reader of its summary (B reads X in FULL, Y in SUMMARY).
    const own = await gql(q, { s: `Олена ${stem}енко` }, who);
    const ids = own.data!.cases.edges.map((e: any) => e.node.id);
    expect([who, ids.includes(Y.case)]).toEqual([who, who !== 'cwA' && who !== 'cwC']);
  }
  // After an edit of the child the search text without the trace's spelling is kept up to date.
  const [{ version }] = await ds.query('SELECT version FROM child WHERE id = $1', [Y.child]);
  const upd = await gql(`mutation($i: UpdateChildInput!) { updateChild(input: $i) { id aliases } }`,
    { i: { childId: Y.child, expectedVersion: version, aliases: ['Оленка', `Елена ${stem}енко`, 'Лєна'] } }, 'cwE');
  expect(upd.errors).toBeUndefined();
  for (const [who, want] of [['cwB', []], ['cwE', [Y.case]]] as [Reader, string[]][]) {
    const res = await gql(q, { s: `Елена ${stem}енко` }, who);
    expect([who, res.data!.cases.edges.map((e: any) => e.node.id)]).toEqual([who, want]);
    const lena = await gql(q, { s: `Лєна ${stem}енко` }, who);
    expect([who, lena.data!.cases.edges.map((e: any) => e.node.id)]).toEqual([who, [Y.case]]);
  }
});

test("an upgraded hub: the children migration 1764900003211 marked get their search text without the trace's spelling when it runs", async () => {
  // The migration finds the spellings in SQL but cannot fold names: it leaves search_text_own NULL, which name search
  // reads as "the same as search_text". The backfill that runs after it (src/db/backfills.ts) writes it.
  const q = `query($s: String!) { cases(filter: { search: $s }, first: 50) { edges { node { id } } } }`;
  const found = async (who: Reader) => (await gql(q, { s: `Елена ${stem}енко` }, who)).data!.cases.edges.map((e: any) => e.node.id);
  await ds.query('UPDATE child SET search_text_own = NULL WHERE id = $1', [Y.child]);
  expect(await found('cwB')).toEqual([Y.case]); // the state the migration leaves: B (SUMMARY of Y) finds Y by the trace's spelling
  expect(BACKFILLS.TraceAliases1764900003211).toBe(ownSearchText);
  expect(await ownSearchText(ds)).toBeGreaterThanOrEqual(1);
  expect(await found('cwB')).toEqual([]);
  expect(await found('cwE')).toEqual([Y.case]);
  expect(await ownSearchText(ds)).toBe(0); // nothing left to write: a second run changes nothing
});

describe('mutations', () => {
  test('confirm / reject of an OPEN candidate: who gets what, and nothing changes unless allowed', async () => {
    const expected: Record<Reader, string> = {
      anonymous: 'UNAUTHENTICATED', coordinator: 'FORBIDDEN', investigator: 'FORBIDDEN',
      cwA: 'ok', cwB: 'ok', cwE: 'NOT_FOUND', cwC: 'NOT_FOUND', cwR: 'NOT_FOUND', cwD: 'NOT_FOUND',
      centreCoordinator: 'NOT_FOUND', specialist: 'NOT_FOUND', analyst: 'NOT_FOUND', orgAdminA: 'NOT_FOUND',
    };
    for (const who of ROLES) {
      if (expected[who] === 'ok') continue;
      for (const m of [CONFIRM, REJECT]) {
        const res = await gql(m, { input: { id: c1X, note: 'probe' } }, who);
        expect([who, res.errors?.[0].extensions?.code]).toEqual([who, expected[who]]);
        expect(res.errors?.[0].message ?? '').not.toContain(stem);
      }
    }
    const [row] = await ds.query('SELECT status, version FROM match_candidate WHERE id = $1', [c1X]);
    expect(row.status).toBe('OPEN');
  });

  test('setCaseDoNotMatch and Case.doNotMatch', async () => {
    const expected: Record<Reader, string> = {
      anonymous: 'UNAUTHENTICATED', coordinator: 'FORBIDDEN', investigator: 'FORBIDDEN', cwA: 'ok', cwB: 'ok',
      cwC: 'FORBIDDEN', cwR: 'NOT_FOUND', cwD: 'NOT_FOUND', cwE: 'NOT_FOUND',
      centreCoordinator: 'NOT_FOUND', specialist: 'NOT_FOUND', analyst: 'NOT_FOUND', orgAdminA: 'NOT_FOUND',
    };
    for (const who of ROLES) {
      const [{ version }] = await ds.query('SELECT version FROM case_file WHERE id = $1', [X.case]);
      const res = await gql(`mutation($i: SetDoNotMatchInput!) { setCaseDoNotMatch(input: $i) { id doNotMatch } }`,
        { i: { caseId: X.case, doNotMatch: false, expectedVersion: version } }, who);
      expect([who, res.errors?.[0].extensions?.code ?? 'ok']).toEqual([who, expected[who]]);
    }
    const read = await gql(`query($id: ID!) { case(id: $id) { id doNotMatch } }`, { id: X.case }, 'cwC');
    expect(read.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['FORBIDDEN', 'case.doNotMatch']]);
  });

  test("re-importing another organization's trace neither changes it nor tells whether its content was guessed", async () => {
    const same = { externalId: 't1', givenName: 'Елена', familyName: `${stem}енко`, birthDate: '2014-05-01', sex: 'FEMALE', foundAt: FOUND_1, foundCountry: 'RU' };
    const answers = [];
    for (const foundAt of [FOUND_1, 'Elsewhere']) {
      const res = await gql(IMPORT, { input: { source, sourceKind: 'ADOPTION_REGISTRY', records: [{ ...same, foundAt }] } }, 'cwC');
      expect(res.errors).toBeUndefined();
      answers.push(res.data!.importExternalRecords);
    }
    // The same answer for the right guess and a wrong one: a rejection that names the field, nothing written.
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]).toMatchObject({ imported: 0, updated: 0, unchanged: 0, rejected: [{ index: 0, field: 'externalId' }] });
    const [r] = await ds.query('SELECT found_at, version FROM external_record WHERE id = $1', [T1]);
    expect(r.found_at).toBe(FOUND_1);
    // The count of an import is the caller's view: A's case worker importing another trace of that name counts X's.
    const a = await gql(IMPORT, { input: { source, sourceKind: 'ADOPTION_REGISTRY', records: [{ ...same, externalId: 'a-own' }] } }, 'cwA');
    expect(a.data!.importExternalRecords).toMatchObject({ imported: 1, candidates: 1 });
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM match_candidate m JOIN external_record r ON r.id = m.external_record_id WHERE r.source = $1 AND r.external_id = 'a-own'
          AND m.child_id = ANY($2::uuid[])`, [source, [X.child, Y.child]]);
    expect(n).toBe(2);
    // The importer itself still re-imports idempotently and may correct its record.
    const own = await gql(IMPORT, { input: { source, sourceKind: 'ADOPTION_REGISTRY', records: [same] } }, 'cwD');
    expect(own.data!.importExternalRecords).toMatchObject({ imported: 0, updated: 0, unchanged: 1, rejected: [] });
  });
});
