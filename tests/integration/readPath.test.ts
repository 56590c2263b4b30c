import { print } from 'graphql';
import type { DataSource } from 'typeorm';
import { installStatementCounter, recentStatements, resetStatementCounts, statementCounts, uninstallStatementCounter } from '../../bench/lib/sqlStatementCounter';
import { Role, ShareAccess } from '../../src/schema/enums';
import { createCase, createOrg, createUser } from '../factories';
import { CasesNestedDocument } from '../generated/graphql';
import { startTestApp, type TestApp } from '../helpers/testApp';

/*
 * The read-path optimisations of issue 11, seen from the outside: what each request sends to PostgreSQL
 * (counted at the pg driver, as `npm run bench:compare` counts) and that the answers stay the same.
 */

const NESTED = print(CasesNestedDocument);

let t: TestApp;
let ds: DataSource;
let workerToken: string;
let otherWorkerToken: string;
let coordinatorToken: string;
let strangerToken: string;
const VISIBLE_TO_WORKER = 5;

beforeAll(async () => {
  installStatementCounter({ keepText: 200 });
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  const own = await createOrg(ds);
  const partner = await createOrg(ds);
  const other = await createOrg(ds);
  const stranger = await createOrg(ds);
  // The worker sees its own 3 cases and 2 shared with it (one SUMMARY); 4 more of `other` it does not see.
  for (let i = 0; i < 3; i++) await createCase(ds, { lead: own, shares: [{ org: partner, access: ShareAccess.FULL }], guardians: [{ name: `G${i}`, contact: '+380' }] });
  await createCase(ds, { lead: other, shares: [{ org: own, access: ShareAccess.FULL }] });
  await createCase(ds, { lead: other, shares: [{ org: own, access: ShareAccess.SUMMARY }] });
  for (let i = 0; i < 4; i++) await createCase(ds, { lead: other });
  workerToken = (await createUser(t.app, own, [Role.CASE_WORKER])).token;
  otherWorkerToken = (await createUser(t.app, own, [Role.CASE_WORKER])).token;
  coordinatorToken = (await createUser(t.app, await createOrg(ds), [Role.COORDINATOR])).token;
  strangerToken = (await createUser(t.app, stranger, [Role.CASE_WORKER])).token;
});
afterAll(async () => {
  await t.stop();
  uninstallStatementCounter();
});

async function sent(query: string, variables: Record<string, unknown>, token: string) {
  resetStatementCounts();
  const res = await t.gql(query, variables, token);
  // Only what the request sent: the live-event feed's background catch-up may land in the window.
  return { res, counts: statementCounts(), texts: recentStatements().filter((s) => !s.startsWith('[outside a request]')) };
}

const isCount = (sql: string) => /\bCOUNT\s*\(/i.test(sql);

describe('totalCount: counted only when selected', () => {
  test('the nested query, which does not select totalCount, sends no COUNT', async () => {
    const { res, texts } = await sent(NESTED, { first: 20 }, workerToken);
    expect(res.errors?.filter((e) => e.extensions?.code !== 'FORBIDDEN') ?? []).toEqual([]);
    expect((res.data as any).cases.edges).toHaveLength(VISIBLE_TO_WORKER);
    expect(texts.filter(isCount)).toEqual([]);
  });

  test('selected directly, under an alias, in an inline fragment or a named fragment, it is counted under the permissions', async () => {
    const queries = [
      '{ cases(first: 1) { totalCount edges { node { id } } } }',
      '{ cases(first: 1) { n: totalCount } }',
      '{ cases(first: 1) { ... on CaseConnection { totalCount } } }',
      'query { cases(first: 1) { ...Counted } } fragment Counted on CaseConnection { ...Inner } fragment Inner on CaseConnection { totalCount }',
    ];
    for (const q of queries) {
      const { res, texts } = await sent(q, {}, workerToken);
      expect(res.errors).toBeUndefined();
      const cases = (res.data as any).cases;
      expect(cases.totalCount ?? cases.n).toBe(VISIBLE_TO_WORKER);
      expect(texts.filter(isCount)).toHaveLength(1);
    }
    // Other readers get their own counts: everything for the coordinator, nothing for a stranger.
    const all = await sent('{ cases { totalCount } }', {}, coordinatorToken);
    // (Other test files may share the database: the coordinator's count is every case there is.)
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM case_file');
    expect((all.res.data as any).cases.totalCount).toBe(n);
    expect(n).toBeGreaterThanOrEqual(9);
    const none = await sent('{ cases { totalCount edges { node { id } } } }', {}, strangerToken);
    expect((none.res.data as any).cases).toEqual({ totalCount: 0, edges: [] });
  });
});

describe('stable SQL text', () => {
  test('identical requests of the same role send identical SQL text, with no per-request alias or parameter names', async () => {
    const first = await sent(NESTED, { first: 20 }, workerToken);
    const again = await sent(NESTED, { first: 20 }, workerToken);
    // Another user of the same role and organization: the same text too (only parameter values may differ).
    const colleague = await sent(NESTED, { first: 20 }, otherWorkerToken);
    expect(first.res.data).toEqual(again.res.data);
    expect(colleague.res.data).toEqual(first.res.data);
    // The principal and the page (with children, guardians, organizations, access facts and events).
    expect(first.texts.length).toBeGreaterThanOrEqual(2);
    // The principal is read, or kept by the principal cache behind the barrier on the LISTEN connection
    // (src/auth/principalCache.ts): one of the two per request, whichever it was.
    const principal = (sql: string) => /FROM app_user/i.test(sql) || /^SELECT 1$/.test(sql);
    for (const r of [first, again, colleague]) expect(r.texts.filter(principal)).toHaveLength(1);
    // As sets in any order: independent batches may reach the driver in either order.
    const sorted = (texts: string[]) => texts.filter((sql) => !principal(sql)).sort();
    expect(sorted(again.texts)).toEqual(sorted(first.texts));
    expect(sorted(colleague.texts)).toEqual(sorted(first.texts));
    for (const sql of first.texts) expect(sql).not.toMatch(/acl\d+_/);
    // The CASL filter is in the statements (the case worker's page is filtered in SQL).
    expect(first.texts.some((sql) => /acl_read_Case_c/.test(sql))).toBe(true);
  });

  test('the cached conditions stay per principal: a stranger of the same role still sees nothing', async () => {
    await sent(NESTED, { first: 20 }, workerToken);
    const { res } = await sent(NESTED, { first: 20 }, strangerToken);
    expect((res.data as any).cases.edges).toEqual([]);
    const { res: mine } = await sent(NESTED, { first: 20 }, workerToken);
    expect((mine.data as any).cases.edges).toHaveLength(VISIBLE_TO_WORKER);
  });
});

describe('the principal: one statement, no password hash, changes seen on the next request', () => {
  test('a request reads the account without its password hash, in one statement', async () => {
    // A user this process has not seen yet: the principal cache has nothing to give, so the account is read.
    const { token } = await createUser(t.app, await createOrg(ds), [Role.CASE_WORKER]);
    const { texts } = await sent('{ me { id email roles organization { id } } }', {}, token);
    const account = texts.filter((sql) => /FROM app_user/i.test(sql));
    expect(account).toHaveLength(1);
    for (const sql of texts) expect(sql).not.toMatch(/password_hash/);
    // The next request of that user is answered from the cache (tests/integration/principalCache.test.ts).
    const again = await sent('{ me { id email roles organization { id } } }', {}, token);
    expect(again.texts.filter((sql) => /FROM app_user/i.test(sql))).toEqual([]);
  });

  test('deactivation and a role change made in the database take effect on the next request', async () => {
    const org = await createOrg(ds);
    await createCase(ds, { lead: org });
    const { user, token } = await createUser(t.app, org, [Role.CASE_WORKER]);
    const before = await t.gql('{ me { id roles } cases { edges { node { id } } } }', {}, token);
    expect(before.data).toMatchObject({ me: { id: user.id, roles: ['CASE_WORKER'] } });
    expect((before.data as any).cases.edges).toHaveLength(1);
    await ds.query(`UPDATE app_user SET roles = '{ANALYST}' WHERE id = $1`, [user.id]);
    const demoted = await t.gql('{ me { roles } cases { edges { node { id } } } }', {}, token);
    expect((demoted.data as any).me.roles).toEqual(['ANALYST']);
    expect((demoted.data as any).cases.edges).toEqual([]);
    await ds.query('UPDATE app_user SET active = false WHERE id = $1', [user.id]);
    const gone = await t.gql('{ me { id } cases { edges { node { id } } } }', {}, token);
    expect(gone.data?.me ?? null).toBeNull();
    expect(gone.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('organizations: the lead organizations come with the page', () => {
  const LEADS = '{ cases(first: 20) { edges { node { id leadOrganization { id name } shares { organization { id name } } } } } }';

  test('at most one organization statement besides the page, and the same organizations as one case at a time', async () => {
    const { res, texts } = await sent(LEADS, {}, workerToken);
    expect(res.errors?.filter((e) => e.extensions?.code !== 'FORBIDDEN') ?? []).toEqual([]);
    const edges = (res.data as any).cases.edges as { node: { id: string; leadOrganization: { id: string; name: string } } }[];
    expect(edges).toHaveLength(VISIBLE_TO_WORKER);
    expect(texts.filter((sql) => /FROM "organization"/.test(sql)).length).toBeLessThanOrEqual(1);
    for (const { node } of edges) {
      const one = await t.gql('query ($id: ID!) { case(id: $id) { leadOrganization { id name } } }', { id: node.id }, workerToken);
      expect(node.leadOrganization).toEqual((one.data as any).case.leadOrganization);
      expect(node.leadOrganization.name).toMatch(/^Org /);
    }
  });

  test('the page without leadOrganization does not join it, and a stranger gets no organizations through it', async () => {
    const { texts } = await sent('{ cases(first: 20) { edges { node { id } } } }', {}, workerToken);
    expect(texts.some((sql) => /"lo"/.test(sql))).toBe(false);
    const { res } = await sent(LEADS, {}, strangerToken);
    expect((res.data as any).cases.edges).toEqual([]);
  });
});

describe('one statement for the page and what it selects below a case', () => {
  const BELOW = `id status
    child { id givenName birthDate guardians { name relation verified } }
    leadOrganization { id name }
    shares { access organization { id name kind } }`;
  const ONE = (events: string) => `query ($id: ID!) { case(id: $id) { ${BELOW} ${events} } }`;
  const EVENTS = 'events(first: 2) { edges { node { kind to at } } pageInfo { hasNextPage } }';
  const TWO_PAGES = `${EVENTS} more: events(first: 5) { edges { node { to } } }`;

  beforeAll(async () => {
    // Histories of 1 to 4 events, so that page sizes and hasNextPage are put to the test.
    await ds.query(`INSERT INTO case_event (case_id, kind, from_status, to_status)
      SELECT c.id, 'UPDATED', c.status, c.status FROM case_file c CROSS JOIN generate_series(1, 3) n
       WHERE n <= (SELECT count(*) FROM case_file o WHERE o.id < c.id) % 4`);
  });

  test.each([
    ['one page of events', EVENTS, 2],
    // The compiled read path (src/fastpath) puts both pages in the page's one statement; the executor (READ_FAST_PATH=false)
    // leaves them to the event loader, one statement per page size (fastPath.test.ts compares the two answers).
    ['two different pages of events (both in the fast path\'s one statement)', TWO_PAGES, 2],
  ])('with %s: the same answer as one case at a time, for a reader of all cases and a case worker', async (_label, events, statements) => {
    for (const token of [coordinatorToken, workerToken]) {
      const { res, counts, texts } = await sent(`{ cases(first: 20) { edges { node { ${BELOW} ${events} } } } }`, {}, token);
      const page = (res.data as any).cases.edges as { node: { id: string } }[];
      expect(page.length).toBeGreaterThanOrEqual(VISIBLE_TO_WORKER);
      // The principal and the page (plus the event loader's when the pages of events differ).
      expect(counts.total).toBe(statements);
      expect(texts.filter((sql) => /FROM child\b|FROM guardian\b/.test(sql) && !/case_file/.test(sql))).toEqual([]);
      const errorsAt = (errs: readonly any[] | undefined, i: number) => (errs ?? []).filter((e) => e.path[2] === i).map((e) => [e.extensions.code, e.path.slice(4).join('.')]).sort();
      for (const [i, { node }] of page.entries()) {
        const one = await t.gql(ONE(events), { id: node.id }, token);
        expect(node).toEqual((one.data as any).case);
        // The same hidden fields (FORBIDDEN, at the same place below the case).
        expect(errorsAt(res.errors, i)).toEqual((one.errors ?? []).map((e: any) => [e.extensions.code, e.path.slice(1).join('.')]).sort());
      }
    }
  });
});

describe('FORBIDDEN fields, built without stack capture, answer as before', () => {
  test('a SUMMARY reader gets null and FORBIDDEN with message, path and location for each hidden field', async () => {
    const query = '{ cases(first: 20) { edges { node { id status shares { access } } } } }';
    const { res } = await sent(query, {}, workerToken);
    const edges = (res.data as any).cases.edges as { node: { id: string; status: string; shares: unknown } }[];
    expect(edges).toHaveLength(VISIBLE_TO_WORKER);
    const hidden = edges.map((e, i) => ({ ...e.node, i })).filter((n) => n.shares === null);
    expect(hidden).toHaveLength(1); // the one case shared SUMMARY
    expect(hidden[0].status).toBeTruthy();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toEqual({
      message: 'Not allowed to read Case.shares',
      locations: [{ line: 1, column: query.indexOf('shares') + 1 }],
      path: ['cases', 'edges', hidden[0].i, 'node', 'shares'],
      extensions: { code: 'FORBIDDEN', requestId: expect.any(String) },
    });
  });
});
