import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createCase, createOrg, createUser } from '../factories';
import { centreCoordinator, createCentre, createSpecialist, placeChild, specialistUser } from '../factories/scheduling';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { contextFor } from '../../src/context';
import { createReturnOperation } from '../factories/returns';
import { connectWs, flip, settleFeed, waitForSubscribers, type WsClient } from '../helpers/ws';
import { CaseService } from '../../src/services/CaseService';
import type { Case, Child, Organization } from '../../src/entities';
import { CaseEvent, User } from '../../src/entities';
import { CaseEventKind, CaseStatus, OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';

/*
 * Permission review of the read11 read path (the case page as one raw statement carrying children, guardians,
 * lead and share organizations and first events; loaders primed from the page; the field guard wrapped into
 * the schema). Each probe attacks one path as one role; a failing probe is a hole.
 */
let t: TestApp;
let dataDir: string;
let ds: DataSource;
let lead: Organization;
let summary: Organization;
let full: Organization;
let tok: Record<'lead' | 'summary' | 'full' | 'stranger' | 'coordinator' | 'investigator' | 'analyst' | 'orgAdmin' | 'centre' | 'specialist', string>;
let summaryUserId: string;
let centreId: string;
let users: Record<'lead' | 'summary' | 'investigator' | 'coordinator', User>;
let leadUserId: string;
let c: Case;
let child: Child;
let other: { case: Case; child: Child };
const family = `Ревізія${Date.now()}`;

const codes = (r: { errors?: { extensions?: Record<string, any>; path?: (string | number)[] }[] }) => (r.errors ?? []).map((e) => e.extensions?.code);
const forbiddenPaths = (r: { errors?: { extensions?: Record<string, any>; path?: (string | number)[] }[] }) =>
  (r.errors ?? []).filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => (e.path ?? []).join('.'));

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bkb-review-probes-'));
  t = await startTestApp({ env: { DATA_DIR: dataDir } });
  ds = t.app.deps.dataSource;
  lead = await createOrg(ds);
  summary = await createOrg(ds);
  full = await createOrg(ds);
  const stranger = await createOrg(ds);
  const council = await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL);
  const prosecutor = await createOrg(ds, OrganizationKind.PROSECUTOR);
  const l = await createUser(t.app, lead, [Role.CASE_WORKER]);
  const s = await createUser(t.app, summary, [Role.CASE_WORKER]);
  leadUserId = l.user.id;
  summaryUserId = s.user.id;
  ({ case: c, child } = await createCase(ds, {
    lead, familyName: family, status: CaseStatus.IDENTIFIED,
    shares: [{ org: summary, access: ShareAccess.SUMMARY }, { org: full, access: ShareAccess.FULL }],
  }));
  // A history with events a SUMMARY partner may not read (UPDATED, SHARED) and notes on the ones it may.
  for (const [kind, note] of [[CaseEventKind.SHARED, 'shared with a partner'], [CaseEventKind.STATUS_CHANGED, 'secret note'], [CaseEventKind.UPDATED, 'moved to Rostov']] as const) {
    await ds.getRepository(CaseEvent).insert({ caseId: c.id, kind, from: CaseStatus.IDENTIFIED, to: CaseStatus.IDENTIFIED, note });
  }
  // A case of the lead not shared with anyone (the SUMMARY partner must not reach it at all).
  other = await createCase(ds, { lead, familyName: `Інша${Date.now()}` });
  const centre = await createCentre(ds);
  centreId = centre.id;
  const specialist = await createSpecialist(ds, centre);
  await placeChild(ds, centre, child);
  const inv = await createUser(t.app, prosecutor, [Role.INVESTIGATOR]);
  const co = await createUser(t.app, council, [Role.COORDINATOR]);
  users = { lead: l.user, summary: s.user, investigator: inv.user, coordinator: co.user };
  tok = {
    lead: l.token,
    summary: s.token,
    full: (await createUser(t.app, full, [Role.CASE_WORKER])).token,
    stranger: (await createUser(t.app, stranger, [Role.CASE_WORKER])).token,
    coordinator: (await createUser(t.app, council, [Role.COORDINATOR])).token,
    investigator: (await createUser(t.app, prosecutor, [Role.INVESTIGATOR])).token,
    analyst: (await createUser(t.app, stranger, [Role.ANALYST])).token,
    orgAdmin: (await createUser(t.app, stranger, [Role.ORG_ADMIN])).token,
    centre: (await centreCoordinator(t.app, [centre])).token,
    specialist: (await specialistUser(t.app, centre, specialist)).token,
  };
});
afterAll(async () => {
  await t?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const PAGE = `query($s: String!) { cases(first: 5, filter: { search: $s }) { totalCount edges { node {
  id status deportationCircumstances version updatedAt leadOrganization { id }
  shares { access organization { id } }
  child { id givenName currentLocation healthNotes version updatedAt guardians { name contact } }
  events(first: 10) { edges { node { kind note } } }
} } } }`;

describe('SUMMARY partner through the page statement', () => {
  test('no guardians, shares, hidden fields or hidden events ride along in the page', async () => {
    const r = await t.gql(PAGE, { s: family }, tok.summary);
    const nodes = r.data!.cases.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.id)).toEqual([c.id]);
    const n = nodes[0];
    expect(n.deportationCircumstances).toBeNull();
    expect(n.shares).toBeNull();
    expect(n.child.currentLocation).toBeNull();
    expect(n.child.healthNotes).toBeNull();
    expect(n.child.guardians).toBeNull();
    // Case.events is not a summary field: the page's first events must not reach a SUMMARY partner.
    expect(n.events).toBeNull();
    const hidden = forbiddenPaths(r);
    expect(hidden).toEqual(expect.arrayContaining(['cases.edges.0.node.deportationCircumstances', 'cases.edges.0.node.shares',
      'cases.edges.0.node.child.currentLocation', 'cases.edges.0.node.child.guardians', 'cases.edges.0.node.events']));
    expect(codes(r).every((code) => code === 'FORBIDDEN')).toBe(true);
  });

  test('aliases with different first, after and fragments: SUMMARY gets no events, the lead each page right', async () => {
    const first = await t.gql(`query($s: String!) { cases(filter: { search: $s }) { edges { node { events(first: 1) { pageInfo { endCursor } } } } } }`, { s: family }, tok.lead);
    const cursor = first.data!.cases.edges[0].node.events.pageInfo.endCursor;
    const q = `fragment E on Case { c: events(first: 3) { edges { node { kind note } } } }
      query($s: String!, $after: String) { cases(first: 2, filter: { search: $s }) { totalCount edges { node {
        a: events(first: 2) { edges { node { kind } } } b: events(first: 10) { edges { node { kind } } }
        d: events(after: $after) { edges { node { kind } } } ...E ... on Case { e: events { edges { node { kind } } } }
      } } } }`;
    const r = await t.gql(q, { s: family, after: cursor }, tok.summary);
    expect(r.data!.cases.totalCount).toBe(1);
    const n = r.data!.cases.edges[0].node;
    for (const alias of ['a', 'b', 'c', 'd', 'e']) expect(n[alias]).toBeNull();
    expect(codes(r).every((code) => code === 'FORBIDDEN')).toBe(true);
    const l = await t.gql(q, { s: family, after: cursor }, tok.lead);
    expect(l.errors).toBeUndefined();
    const ln = l.data!.cases.edges[0].node;
    expect([ln.a.edges.length, ln.b.edges.length, ln.c.edges.length, ln.d.edges.length, ln.e.edges.length]).toEqual([2, 4, 3, 3, 4]);
  });

  test('the page events for a reader of some events only (the council reads all; a FULL partner all)', async () => {
    const q = `query($s: String!, $n: Int) { cases(filter: { search: $s }) { edges { node {
        x: events(first: $n) { edges { node { kind note } } } y: events(first: $n) { edges { node { kind } } } } } } }`;
    for (const who of ['full', 'coordinator', 'investigator'] as const) {
      const r = await t.gql(q, { s: family, n: 10 }, tok[who]);
      expect(r.errors).toBeUndefined();
      expect(r.data!.cases.edges[0].node.x.edges).toHaveLength(4);
    }
  });

  test('the same first page asked twice (the primed shape) and by variable', async () => {
    const r = await t.gql(`query($s: String!, $n: Int) { cases(filter: { search: $s }) { edges { node {
        x: events(first: $n) { edges { node { kind } } } y: events(first: $n) { edges { node { kind } } } } } } }`, { s: family, n: 10 }, tok.summary);
    const n = r.data!.cases.edges[0].node;
    expect(n.x).toBeNull();
    expect(n.y).toBeNull();
  });

  test('a loader primed by the page serves nothing more to case(id), child(id) or _entities in the same request', async () => {
    const r = await t.gql(`query($s: String!, $id: ID!, $ch: ID!, $o: ID!, $reps: [_Any!]!) {
      cases(first: 2, filter: { search: $s }) { edges { node { child { givenName guardians { name } } events(first: 2) { edges { node { kind } } } } } }
      case(id: $id) { deportationCircumstances shares { access } events(first: 2) { edges { node { kind note } } } }
      child(id: $ch) { currentLocation guardians { contact } case { deportationCircumstances } }
      hidden: case(id: $o) { id }
      _entities(representations: $reps) { ... on Case { id deportationCircumstances } ... on Child { id healthNotes currentLocation } }
    }`, { s: family, id: c.id, ch: child.id, o: other.case.id, reps: [{ __typename: 'Case', id: c.id }, { __typename: 'Child', id: child.id }, { __typename: 'Case', id: other.case.id }] }, tok.summary);
    if (!r.data) throw new Error(JSON.stringify(r.errors));
    expect(r.data!.case.deportationCircumstances).toBeNull();
    expect(r.data!.case.shares).toBeNull();
    expect(r.data!.case.events).toBeNull();
    expect(r.data!.child.currentLocation).toBeNull();
    expect(r.data!.child.guardians).toBeNull();
    expect(r.data!.child.case.deportationCircumstances).toBeNull();
    expect(r.data!.hidden).toBeNull();
    expect(r.data!._entities[0].deportationCircumstances).toBeNull();
    expect(r.data!._entities[1].healthNotes).toBeNull();
    expect(r.data!._entities[1].currentLocation).toBeNull();
    expect(r.data!._entities[2]).toBeNull();
    expect(codes(r).every((code) => code === 'FORBIDDEN')).toBe(true);
  });

  test('version and updatedAt on the page equal those of case(id) and stay put on a hidden edit', async () => {
    const q = `query($s: String!, $id: ID!) { cases(filter: { search: $s }) { edges { node { version updatedAt child { version updatedAt guardians { name } } events(first: 3) { edges { node { kind } } } } } }
      case(id: $id) { version updatedAt child { version updatedAt } } }`;
    const before = await t.gql(q, { s: family, id: c.id }, tok.summary);
    const page = before.data!.cases.edges[0].node;
    expect(page.version).toBe(before.data!.case.version);
    expect(page.updatedAt).toBe(before.data!.case.updatedAt);
    expect(page.child.version).toBe(before.data!.case.child.version);
    await ds.query(`UPDATE case_file SET deportation_circumstances = 'edited', version = version + 1, updated_at = now() WHERE id = $1`, [c.id]);
    await ds.query(`UPDATE child SET health_notes = 'edited', version = version + 1, updated_at = now() WHERE id = $1`, [child.id]);
    const after = await t.gql(q, { s: family, id: c.id }, tok.summary);
    expect(after.data!.cases.edges[0].node.version).toBe(page.version);
    expect(after.data!.cases.edges[0].node.updatedAt).toBe(page.updatedAt);
    expect(after.data!.cases.edges[0].node.child.version).toBe(page.child.version);
    expect(after.data!.cases.edges[0].node.child.updatedAt).toBe(page.child.updatedAt);
  });
});

describe('other roles through the page', () => {
  test('FULL partner and lead read everything; a stranger, analyst, org admin, centre staff no case', async () => {
    for (const who of ['lead', 'full'] as const) {
      const r = await t.gql(PAGE, { s: family }, tok[who]);
      expect(r.errors).toBeUndefined();
      const n = r.data!.cases.edges[0].node;
      expect(n.child.guardians[0].contact).toBe('+380 50 000 00 00');
      expect(n.events.edges).toHaveLength(4);
    }
    for (const who of ['stranger', 'centre', 'specialist'] as const) {
      const r = await t.gql(PAGE, { s: family }, tok[who]);
      expect(r.data?.cases.totalCount ?? 0).toBe(0);
      expect(r.data?.cases.edges ?? []).toEqual([]);
    }
    for (const who of ['analyst', 'orgAdmin'] as const) {
      const r = await t.gql(PAGE, { s: family }, tok[who]);
      expect(r.data?.cases?.edges ?? []).toEqual([]);
    }
  });

  test('council: no health notes on the page; investigator: no guardian contact on the page', async () => {
    const co = await t.gql(PAGE, { s: family }, tok.coordinator);
    expect(co.data!.cases.edges[0].node.child.healthNotes).toBeNull();
    expect(co.data!.cases.edges[0].node.child.guardians[0].contact).toBe('+380 50 000 00 00');
    expect(forbiddenPaths(co)).toEqual(['cases.edges.0.node.child.healthNotes']);
    const inv = await t.gql(PAGE, { s: family }, tok.investigator);
    expect(inv.data!.cases.edges[0].node.child.guardians[0].contact).toBeNull();
    expect(inv.data!.cases.edges[0].node.child.healthNotes).toBeNull();
    expect(inv.data!.cases.edges[0].node.deportationCircumstances).not.toBeNull();
  });

  test('centre staff reach the child, not its case, and not through the page', async () => {
    const q = `query($id: ID!) { child(id: $id) { id givenName currentLocation healthNotes case { id deportationCircumstances } guardians { name } } }`;
    const cc = await t.gql(q, { id: child.id }, tok.centre);
    expect(cc.data!.child.id).toBe(child.id);
    expect(cc.data!.child.currentLocation).toBeNull();
    expect(cc.data!.child.case).toBeNull();
    // A specialist without an assignment of this child does not reach it at all.
    const sp = await t.gql(q, { id: child.id }, tok.specialist);
    expect(sp.data!.child).toBeNull();
  });
});

describe('audit on the page path', () => {
  test('sensitive reads through the page are audited; hidden ones are not', async () => {
    const since = (await ds.query(`SELECT COALESCE(max(seq), 0)::text AS s FROM audit_entry`))[0].s;
    await t.gql(PAGE, { s: family }, tok.lead);
    await t.gql(PAGE, { s: family }, tok.summary);
    const rows: { actor_id: string; entity_type: string; entity_id: string; fields: string[] }[] = await ds.query(
      `SELECT actor_id, entity_type, entity_id, fields FROM audit_entry WHERE seq > $1 AND operation = 'READ'`, [since]);
    const of = (actor: string) => rows.filter((r) => r.actor_id === actor).map((r) => `${r.entity_type}:${[...r.fields].sort().join(',')}`).sort();
    expect(of(leadUserId)).toEqual(['Case:deportationCircumstances', 'Child:currentLocation,healthNotes', 'Guardian:contact']);
    expect(of(summaryUserId)).toEqual([]);
  });
});

describe('one page, records of different reach', () => {
  test('a page mixing own, FULL-shared and SUMMARY-shared cases: each row gets what its own rule grants', async () => {
    const tag = `Змішана${Date.now()}`;
    const own = await createCase(ds, { lead: summary, familyName: `${tag}А`, status: CaseStatus.LOCATED });
    const shared = await createCase(ds, { lead, familyName: `${tag}Б`, shares: [{ org: summary, access: ShareAccess.SUMMARY }] });
    const fullShared = await createCase(ds, { lead, familyName: `${tag}В`, shares: [{ org: summary, access: ShareAccess.FULL }] });
    await ds.query(`UPDATE case_file SET deportation_circumstances = 'edited', version = version + 1 WHERE id = ANY($1::uuid[])`, [[own.case.id, shared.case.id, fullShared.case.id]]);
    const r = await t.gql(`query($s: String!) { cases(first: 10, filter: { search: $s }) { totalCount edges { node {
        id version deportationCircumstances shares { access } child { id currentLocation guardians { contact } }
        events(first: 5) { edges { node { kind } } } } } } }`, { s: tag }, tok.summary);
    const byId = new Map<string, any>(r.data!.cases.edges.map((e: any) => [e.node.id, e.node]));
    expect(r.data!.cases.totalCount).toBe(3);
    for (const mine of [own, fullShared]) {
      const n = byId.get(mine.case.id);
      expect(n.deportationCircumstances).toBe('edited');
      expect(n.version).toBe(2);
      expect(n.child.currentLocation).toBe('Rostov Oblast');
      expect(n.child.guardians[0].contact).toBe('+380 50 000 00 00');
      expect(n.events.edges.map((e: any) => e.node.kind)).toEqual(['CREATED']);
    }
    const s = byId.get(shared.case.id);
    expect(s.deportationCircumstances).toBeNull();
    expect(s.version).toBe(1);
    expect(s.shares).toBeNull();
    expect(s.child.currentLocation).toBeNull();
    expect(s.child.guardians).toBeNull();
    expect(s.events).toBeNull();
    const idx = r.data!.cases.edges.findIndex((e: any) => e.node.id === shared.case.id);
    expect(forbiddenPaths(r).sort()).toEqual(['deportationCircumstances', 'events', 'shares', 'child.currentLocation', 'child.guardians']
      .map((f) => `cases.edges.${idx}.node.${f}`).sort());
  });
});

describe('rights changed between requests', () => {
  test('roles taken away or a deactivated account: the next page shows nothing', async () => {
    const u = await createUser(t.app, summary, [Role.CASE_WORKER]);
    const q = `query($s: String!) { cases(filter: { search: $s }) { totalCount edges { node { id child { givenName } } } } }`;
    expect((await t.gql(q, { s: family }, u.token)).data!.cases.totalCount).toBe(1);
    await ds.getRepository(User).update({ id: u.user.id }, { roles: [Role.ANALYST] });
    const asAnalyst = await t.gql(q, { s: family }, u.token);
    expect(asAnalyst.data?.cases?.totalCount ?? 0).toBe(0);
    await ds.getRepository(User).update({ id: u.user.id }, { roles: [Role.CASE_WORKER], active: false });
    const off = await t.gql(q, { s: family }, u.token);
    expect(off.data?.cases ?? null).toBeNull();
    expect(codes(off)).toContain('UNAUTHENTICATED');
  });
});

describe('what the page primes equals what each loader reads itself', () => {
  // Through GraphQL the field rules hide a SUMMARY partner's guardians and events anyway, so a page statement
  // that primed unreadable rows would go unnoticed there; the loaders must never hold them (another path of the
  // same request reads them without a field rule in front, and a later rule change would expose them).
  test.each(['summary', 'lead', 'investigator', 'coordinator'] as const)('%s', async (who) => {
    const select = { totalCount: true, leadOrganization: true, child: true, guardians: true, shareOrganizations: true, events: [{ first: 10 }] };
    const primed = contextFor(t.app.deps, users[who]);
    const page = await CaseService.listCases(primed, { search: family } as never, 5, undefined, select);
    expect(page.totalCount).toBe(1);
    const fresh = contextFor(t.app.deps, users[who]);
    const strip = (rows: unknown) => JSON.parse(JSON.stringify(rows));
    for (const [name, key] of [['child', child.id], ['guardiansByChild', child.id], ['case', c.id], ['accessFacts', child.id]] as const) {
      expect([name, strip(await (primed.loaders[name] as any).load(key))]).toEqual([name, strip(await (fresh.loaders[name] as any).load(key))]);
    }
    const ev = { caseId: c.id, first: 10 };
    expect(strip(await primed.loaders.eventPage.load(ev))).toEqual(strip(await fresh.loaders.eventPage.load(ev)));
    if (who === 'summary') {
      expect(await primed.loaders.guardiansByChild.load(child.id)).toEqual([]);
      expect((await primed.loaders.eventPage.load(ev)).map((e) => e.kind).sort()).toEqual(['CREATED', 'STATUS_CHANGED']);
    }
  });
});

describe('ACCESSED custody on every path to an evidence item', () => {
  test('list, single and _entities each record ACCESSED and READ for a reader of the details; a refused reader records nothing', async () => {
    const created = await t.gql('mutation($i: CreateEvidenceItemInput!) { createEvidenceItem(input: $i) { id } }',
      { i: { kind: 'TESTIMONY_TRANSCRIPT', title: 'Review probe', description: 'what the witness saw', source: 'interview' } }, tok.investigator);
    expect(created.errors).toBeUndefined();
    const id = created.data!.createEvidenceItem.id as string;
    const accessed = async () => (await ds.query(`SELECT count(*)::int AS n FROM custody_event WHERE evidence_id = $1 AND kind = 'ACCESSED'`, [id]))[0].n as number;
    // A request's reads of several items are one entry listing them (bkb-audit/2); of one item, a plain entry.
    const reads = async () => (await ds.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE entity_type = 'EvidenceItem' AND operation = 'READ' AND (entity_id = $1 OR $1 = ANY(entity_ids))`, [id],
    ))[0].n as number;
    const paths = [
      ['{ evidenceItems(first: 50) { edges { node { id description } } } }', {}],
      ['query($id: ID!) { evidenceItem(id: $id) { id description } }', { id }],
      ['query($r: [_Any!]!) { _entities(representations: $r) { ... on EvidenceItem { id description } } }', { r: [{ __typename: 'EvidenceItem', id }] }],
    ] as const;
    let n = await accessed();
    let m = await reads();
    for (const [q, v] of paths) {
      const r = await t.gql(q, v as Record<string, unknown>, tok.investigator);
      expect(JSON.stringify(r.data)).toContain('what the witness saw');
      expect([q, await accessed()]).toEqual([q, n + 1]);
      expect([q, await reads()]).toEqual([q, m + 1]);
      n += 1;
      m += 1;
    }
    for (const [q, v] of paths) {
      const r = await t.gql(q, v as Record<string, unknown>, tok.summary);
      expect(JSON.stringify(r.data ?? null)).not.toContain('what the witness saw');
    }
    expect(await accessed()).toBe(n);
    expect(await reads()).toBe(m);
  });
});

describe('subscriptions', () => {
  const SUB = `subscription($caseId: ID) { caseStatusChanged(caseId: $caseId) { eventId kind case {
    id status version updatedAt deportationCircumstances shares { access }
    child { id version currentLocation healthNotes guardians { contact } } events(first: 3) { edges { node { kind note } } } } } }`;
  const clients: WsClient[] = [];
  afterAll(async () => { await Promise.all(clients.splice(0).map((x) => x.dispose())); });

  test('a SUMMARY partner receives only summary fields with the stamps case(id) shows; the lead\'s sensitive reads are audited', async () => {
    await settleFeed(t.app);
    const before = t.app.deps.feed.subscriberCount;
    const subs = (['summary', 'lead'] as const).map((who) => {
      const client = connectWs(t.url, tok[who]);
      clients.push(client);
      return client.subscribe(SUB, { caseId: c.id });
    });
    await waitForSubscribers(t.app, before + 2);
    const since = (await ds.query(`SELECT COALESCE(max(seq), 0)::text AS s FROM audit_entry`))[0].s;
    const eventId = await flip(t.app, users.lead, c.id);
    await Promise.all(subs.map((x) => x.untilEvent(eventId)));
    const [partner, leader] = subs.map((x) => x.results.find((r) => r.data?.caseStatusChanged?.eventId === eventId)!);
    const pc = partner.data!.caseStatusChanged.case;
    expect(pc.id).toBe(c.id);
    for (const hidden of [pc.deportationCircumstances, pc.shares, pc.events, pc.child.currentLocation, pc.child.healthNotes, pc.child.guardians]) expect(hidden).toBeNull();
    expect((partner.errors ?? []).every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    const http = await t.gql('query($id: ID!) { case(id: $id) { version updatedAt child { version } } }', { id: c.id }, tok.summary);
    expect([pc.version, pc.updatedAt, pc.child.version]).toEqual([http.data!.case.version, http.data!.case.updatedAt, http.data!.case.child.version]);
    const lc = leader.data!.caseStatusChanged.case;
    expect(lc.child.guardians[0].contact).toBe('+380 50 000 00 00');
    expect(lc.events.edges.length).toBeGreaterThan(0);
    // The lead's reads of sensitive fields in a pushed payload are audited (flushed on the next tick).
    const deadline = Date.now() + 5000;
    let rows: { actor_id: string; entity_type: string }[] = [];
    while (Date.now() < deadline) {
      rows = await ds.query(`SELECT actor_id, entity_type FROM audit_entry WHERE seq > $1 AND operation = 'READ'`, [since]);
      if (rows.filter((r) => r.actor_id === leadUserId).length >= 3) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows.filter((r) => r.actor_id === leadUserId).map((r) => r.entity_type).sort()).toEqual(['Case', 'Child', 'Guardian']);
    expect(rows.filter((r) => r.actor_id === summaryUserId)).toEqual([]);
  });
});

describe('other paths to a case, child and guardian', () => {
  test('a SUMMARY partner running a return operation: the receiving guardian, the child\'s hidden fields and the case stay hidden', async () => {
    const op = await createReturnOperation(ds, [lead, summary], { cases: [c] });
    await ds.query(`UPDATE return_operation_child SET receiving_guardian_id = (SELECT id FROM guardian WHERE child_id = $1 LIMIT 1) WHERE operation_id = $2`, [child.id, op.id]);
    const q = `query($id: ID!) { returnOperation(id: $id) { id children {
      receivingGuardian { name contact } child { id currentLocation healthNotes guardians { contact } }
      case { id deportationCircumstances shares { access } } } } }`;
    const r = await t.gql(q, { id: op.id }, tok.summary);
    expect(r.data!.returnOperation.id).toBe(op.id);
    const ch = r.data!.returnOperation.children[0];
    expect(ch.receivingGuardian).toBeNull();
    expect(ch.child?.currentLocation ?? null).toBeNull();
    expect(ch.child?.guardians ?? null).toBeNull();
    expect(ch.case?.deportationCircumstances ?? null).toBeNull();
    expect(ch.case?.shares ?? null).toBeNull();
    expect(JSON.stringify(r.data)).not.toContain('+380');
    const l = await t.gql(q, { id: op.id }, tok.lead);
    expect(l.errors).toBeUndefined();
    expect(l.data!.returnOperation.children[0].receivingGuardian.contact).toBe('+380 50 000 00 00');
  });
});

describe('per-reader stamps for the council on the page', () => {
  test('a health-notes edit moves neither the child\'s version nor updatedAt for the council, on the page or by child(id); the lead sees the stored ones', async () => {
    const tag = `Рада${Date.now()}`;
    const x = await createCase(ds, { lead, familyName: tag });
    const q = `query($s: String!, $id: ID!) { cases(filter: { search: $s }) { edges { node { version child { version updatedAt } } } }
      child(id: $id) { version updatedAt } }`;
    const before = await t.gql(q, { s: tag, id: x.child.id }, tok.coordinator);
    expect(before.errors).toBeUndefined();
    await ds.query(`UPDATE child SET health_notes = 'changed', version = version + 1, updated_at = now() + interval '1 minute' WHERE id = $1`, [x.child.id]);
    const after = await t.gql(q, { s: tag, id: x.child.id }, tok.coordinator);
    expect(after.data!.cases.edges[0].node.child).toEqual(before.data!.cases.edges[0].node.child);
    expect(after.data!.child).toEqual(before.data!.child);
    expect(after.data!.child).toEqual(after.data!.cases.edges[0].node.child);
    const byLead = await t.gql(q, { s: tag, id: x.child.id }, tok.lead);
    expect(byLead.data!.cases.edges[0].node.child.version).toBe(before.data!.child.version + 1);
    expect(byLead.data!.child.version).toBe(before.data!.child.version + 1);
  });
});

describe('a user holding two roles', () => {
  test('CASE_WORKER + CENTRE_COORDINATOR at the placing operator: the page shows the child exactly as child(id) does', async () => {
    const centre = await ds.getRepository('Centre').findOneByOrFail({ id: centreId }) as never;
    const both = await centreCoordinator(t.app, [centre]);
    await ds.getRepository(User).update({ id: both.user.id }, { roles: [Role.CASE_WORKER, Role.CENTRE_COORDINATOR] });
    const CHILD = 'id givenName currentLocation healthNotes version updatedAt guardians { name contact }';
    const r = await t.gql(`query($s: String!, $id: ID!) { cases(filter: { search: $s }) { edges { node { id deportationCircumstances child { ${CHILD} } } } }
      child(id: $id) { ${CHILD} } }`, { s: family, id: child.id }, both.token);
    const node = r.data!.cases.edges[0].node;
    expect(node.id).toBe(c.id);
    expect(node.deportationCircumstances).toBeNull();
    expect(node.child).toEqual(r.data!.child);
    // Health notes and guardians through the centre rule; the current location through neither.
    expect(r.data!.child.healthNotes).not.toBeNull();
    expect(r.data!.child.guardians[0].contact).toBe('+380 50 000 00 00');
    expect(r.data!.child.currentLocation).toBeNull();
    const paths = forbiddenPaths(r).sort();
    expect(paths).toEqual(['cases.edges.0.node.child.currentLocation', 'cases.edges.0.node.deportationCircumstances', 'child.currentLocation']);
  });
});
