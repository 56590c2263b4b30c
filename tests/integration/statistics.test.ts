import type { DataSource } from 'typeorm';
import { createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { OrganizationKind, Role } from '../../src/schema/enums';
import { attack, harvest, stats as statsOf, STATS, type Stats } from '../helpers/statisticsAttacker';

/**
 * Statistics are published with small-cell and secondary suppression. An attacker collects everything the
 * API returns (every table, unfiltered and under every allowed filter) and tries to recover suppressed
 * cells from totals, margins and by differencing filtered queries.
 */
let t: TestApp;
let ds: DataSource;
const tok: Record<string, string> = {};
const K = 5;

async function addCase(o: { oblast: string; sex: string; born: string; status: string; year: number; country: string | null; org: string }) {
  const [child] = await ds.query(
    `INSERT INTO child (given_name, family_name, birth_date, sex, home_oblast) VALUES ('Тест', 'Статистика', $1, $2, $3) RETURNING id`, [o.born, o.sex, o.oblast],
  );
  await ds.query(
    `INSERT INTO case_file (child_id, status, lead_organization_id, deportation_date, last_known_country) VALUES ($1, $2, $3, $4, $5)`,
    [child.id, o.status, o.org, `${o.year}-06-01`, o.country],
  );
}

beforeAll(async () => {
  t = await startTestApp();
  ds = t.app.deps.dataSource;
  const org = await createOrg(ds);
  // A world with big and small cells: Sevastopol (3 children) and Moldova (2) are below the threshold (no other
  // test file writes either, so this holds on the suite's shared database too).
  const statuses = ['LOCATED', 'IDENTIFIED', 'REPORTED'];
  for (let i = 0; i < 36; i++) {
    await addCase({ oblast: i % 2 ? 'Kherson' : 'Zaporizhzhia', sex: i % 3 ? 'FEMALE' : 'MALE', born: i % 4 ? '2014-03-01' : '2019-03-01', status: statuses[i % 3], year: i % 5 ? 2022 : 2023, country: 'RU', org: org.id });
  }
  for (let i = 0; i < 3; i++) await addCase({ oblast: 'Sevastopol', sex: 'MALE', born: '2012-01-01', status: 'LOCATED', year: 2022, country: 'RU', org: org.id });
  for (let i = 0; i < 2; i++) await addCase({ oblast: 'Kherson', sex: 'FEMALE', born: '2016-01-01', status: 'IDENTIFIED', year: 2023, country: 'MD', org: org.id });
  // Unknown values (no last known country) form their own cell, which no filter can name.
  for (let i = 0; i < 6; i++) await addCase({ oblast: 'Kherson', sex: 'MALE', born: '2015-01-01', status: 'REPORTED', year: 2024, country: null, org: org.id });
  tok.analyst = (await createUser(t.app, await createOrg(ds, OrganizationKind.GOVERNMENT_AGENCY), [Role.ANALYST])).token;
  tok.coordinator = (await createUser(t.app, await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL), [Role.COORDINATOR])).token;
  tok.caseWorker = (await createUser(t.app, org, [Role.CASE_WORKER])).token;
  tok.investigator = (await createUser(t.app, await createOrg(ds, OrganizationKind.PROSECUTOR), [Role.INVESTIGATOR])).token;
});
afterAll(async () => { await t.stop(); });

const stats = (token: string, filter?: Record<string, unknown>, unsuppressed = false) => statsOf(t, token, filter, unsuppressed);

describe('suppression', () => {
  test('the analyst sees small cells suppressed, with at least one more cell suppressed beside them', async () => {
    const s = await stats(tok.analyst);
    const oblast = s.tables.find((x) => x.dimension === 'HOME_OBLAST')!;
    const sev = oblast.cells.find((c) => c.key === 'Sevastopol')!;
    expect(sev).toEqual({ key: 'Sevastopol', count: null, suppressed: true });
    expect(oblast.cells.filter((c) => c.suppressed).length).toBeGreaterThanOrEqual(2);
    for (const tb of s.tables) for (const c of tb.cells) if (c.count !== null) expect(c.count === 0 || c.count >= K).toBe(true);
    const country = s.tables.find((x) => x.dimension === 'LAST_KNOWN_COUNTRY')!;
    expect(country.cells.find((c) => c.key === 'MD')).toMatchObject({ count: null, suppressed: true });
  });

  test('an attacker with every table, margin and filtered slice the API returns recovers no suppressed cell', async () => {
    const h = await harvest(t, tok.analyst);
    for (const { s } of h.sliced) for (const tb of s.tables) for (const c of tb.cells) if (c.count !== null) expect(c.count === 0 || c.count >= K).toBe(true);
    const a = attack(h);
    expect(a.unknown.length).toBeGreaterThan(0);
    expect(a.leaks).toEqual({ recovered: [], determined: [] });
  }, 120_000);

  test('the same attacker does recover small cells when only primary suppression is applied (the attack works)', async () => {
    const h = await harvest(t, tok.coordinator, true);
    const primaryOnly = (s: Stats): Stats => ({
      total: s.total,
      tables: s.tables.map((tb) => ({ ...tb, total: tb.total !== null && tb.total > 0 && tb.total < K ? null : tb.total, cells: tb.cells.map((c) => ({ ...c, count: c.count !== null && c.count > 0 && c.count < K ? null : c.count })) })),
    });
    const naive = { base: primaryOnly(h.base), sliced: h.sliced.map((x) => ({ ...x, s: primaryOnly(x.s) })) };
    const a = attack(naive);
    expect(a.recovered.get('1|HOME_OBLAST|Sevastopol')).toBe(3);
    expect(a.leaks.recovered).toContain('1|HOME_OBLAST|Sevastopol=3');
    expect(a.leaks.determined.length).toBeGreaterThan(0);
  }, 120_000);

  test('a filter may name one field only: two would allow differencing', async () => {
    const r = await t.gql(STATS, { f: { sex: 'MALE', homeOblast: 'Sevastopol' } }, tok.analyst);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.sex' });
    const bad = await t.gql(STATS, { f: { homeOblast: 'Atlantis' } }, tok.analyst);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.homeOblast' });
  });

  test('durations publish quartiles only over enough cases', async () => {
    const s = (await t.gql(STATS, { f: { homeOblast: 'Sevastopol' } }, tok.analyst)).data!.statistics;
    expect(s.durations.every((d: any) => d.suppressed && d.medianDays === null)).toBe(true);
  });
});

describe('who reads statistics', () => {
  test('the coordinator reads unsuppressed figures only by asking, and the request is audited', async () => {
    const spy = jest.spyOn(t.app.deps.logger, 'warn');
    const s = await stats(tok.coordinator, { homeOblast: 'Sevastopol' }, true);
    expect(s.tables.find((x) => x.dimension === 'SEX')!.cells.find((c) => c.key === 'MALE')).toEqual({ key: 'MALE', count: 3, suppressed: false });
    expect(spy).toHaveBeenCalledWith(expect.objectContaining({ audit: 'statistics.unsuppressed', filter: { homeOblast: 'Sevastopol' } }), expect.any(String));
    spy.mockRestore();
    const suppressed = await stats(tok.coordinator, { homeOblast: 'Sevastopol' });
    expect(suppressed.tables.find((x) => x.dimension === 'SEX')!.cells.find((c) => c.key === 'MALE')!.count).toBeNull();
  });

  test.each([['analyst', 'FORBIDDEN'], ['caseWorker', 'FORBIDDEN'], ['investigator', 'FORBIDDEN']])('%s asking for unsuppressed figures gets %s', async (who, code) => {
    const r = await t.gql(STATS, { u: true }, tok[who]);
    expect(r.errors?.[0].extensions?.code).toBe(code);
    expect(r.data?.statistics ?? null).toBeNull();
  });

  test.each([['caseWorker'], ['investigator']])('%s reads no statistics at all', async (who) => {
    expect((await t.gql(STATS, {}, tok[who])).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  test('anonymous: UNAUTHENTICATED', async () => {
    expect((await t.gql(STATS, {})).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('CSV export of a table carries the same suppression', async () => {
    const r = await t.gql('query($d: StatisticsDimension!, $f: StatisticsFilter) { statisticsCsv(dimension: $d, filter: $f) }', { d: 'HOME_OBLAST' }, tok.analyst);
    expect(r.errors).toBeUndefined();
    const lines = (r.data!.statisticsCsv as string).trim().split('\n');
    expect(lines[0]).toBe('home_oblast,count,suppressed');
    expect(lines).toContain('Sevastopol,,true');
    expect(lines.at(-1)).toMatch(/^TOTAL,\d+,false$/);
    const filtered = await t.gql('query($d: StatisticsDimension!, $f: StatisticsFilter) { statisticsCsv(dimension: $d, filter: $f) }', { d: 'SEX', f: { homeOblast: 'Sevastopol' } }, tok.analyst);
    expect(filtered.data!.statisticsCsv).toContain('MALE,,true');
    const self = await t.gql('query($d: StatisticsDimension!, $f: StatisticsFilter) { statisticsCsv(dimension: $d, filter: $f) }', { d: 'SEX', f: { sex: 'MALE' } }, tok.analyst);
    expect(self.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dimension' });
  });
});
