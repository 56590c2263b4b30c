import { contextFor } from '../../src/context';
import { CaseEventKind, CaseStatus, Role, ShareAccess } from '../../src/schema/enums';
import { CaseService } from '../../src/services/CaseService';
import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { connectWs, flip, liveSubscriptions } from '../helpers/ws';

/**
 * The holes an outside review found in live updates (issue 8): a filter argument that tested a field the
 * subscriber may not read, SUMMARY partners receiving edits and share changes.
 */
const SUB = `subscription($caseId: ID, $organizationId: ID, $afterEventId: ID, $kinds: [CaseEventKind!]) {
  caseStatusChanged(caseId: $caseId, organizationId: $organizationId, afterEventId: $afterEventId, kinds: $kinds) { eventId kind case { id } }
}`;

let t: TestApp;
const subs = liveSubscriptions(() => ({ app: t.app, url: t.url }), SUB);
const { clients } = subs;
beforeAll(async () => { t = await startTestApp(); });
afterEach(() => subs.disposeAll());
afterAll(async () => { await t.stop(); });

const live = async (token: string, variables: Record<string, unknown> = {}) => (await subs.live(token, variables)).c;

/** The id of the newest event now (to resume after it). */
const headId = async () => t.app.deps.tokens.eventIds.encode((await t.app.deps.dataSource.query('SELECT coalesce(max(id), 0)::text AS id FROM case_event'))[0].id);

async function world() {
  const ds = t.app.deps.dataSource;
  const lead = await createOrg(ds);
  const summaryOrg = await createOrg(ds);
  const third = await createOrg(ds);
  return {
    ds, lead, summaryOrg, third,
    leadWorker: await createUser(t.app, lead, [Role.CASE_WORKER]),
    summaryWorker: await createUser(t.app, summaryOrg, [Role.CASE_WORKER]),
    thirdWorker: await createUser(t.app, third, [Role.CASE_WORKER]),
  };
}

describe('organizationId tests only what the subscriber may read', () => {
  test('a SUMMARY partner cannot learn who else a case is shared with, live or in catch-up', async () => {
    const w = await world();
    const resumeFrom = await headId();
    const shared = (await createCase(w.ds, {
      lead: w.lead, status: CaseStatus.IDENTIFIED,
      shares: [{ org: w.summaryOrg, access: ShareAccess.SUMMARY }, { org: w.third, access: ShareAccess.FULL }],
    })).case;
    // The sentinel: a case the probe does match (led by the third organization, shared SUMMARY with the prober).
    const sentinel = (await createCase(w.ds, { lead: w.third, status: CaseStatus.IDENTIFIED, shares: [{ org: w.summaryOrg, access: ShareAccess.SUMMARY }] })).case;
    const e1 = await flip(t.app, w.leadWorker.user, shared.id);
    const s1 = await flip(t.app, w.thirdWorker.user, sentinel.id);

    // Catch-up: the events above were missed.
    const catchUp = await live(w.summaryWorker.token, { organizationId: w.third.id, afterEventId: resumeFrom });
    await catchUp.untilEvent(s1);
    expect(catchUp.changes().map((c) => c.case.id)).not.toContain(shared.id);
    expect(catchUp.eventIds()).not.toContain(e1);

    // Live.
    const probe = await live(w.summaryWorker.token, { organizationId: w.third.id });
    const e2 = await flip(t.app, w.leadWorker.user, shared.id);
    const s2 = await flip(t.app, w.thirdWorker.user, sentinel.id);
    await probe.untilEvent(s2);
    expect(probe.eventIds()).not.toContain(e2);
    expect(probe.changes().map((c) => c.case.id)).toEqual([sentinel.id]);

    // The shares of the case are readable to its FULL partner: the same filter matches for it.
    const full = await live(w.thirdWorker.token, { organizationId: w.third.id, afterEventId: resumeFrom });
    await full.untilEvent(s2);
    expect(full.eventIds()).toEqual(expect.arrayContaining([e1, e2]));
  });

  test('the lead organization, which a SUMMARY partner may read, still filters', async () => {
    const w = await world();
    const c = (await createCase(w.ds, { lead: w.lead, status: CaseStatus.IDENTIFIED, shares: [{ org: w.summaryOrg, access: ShareAccess.SUMMARY }] })).case;
    const sub = await live(w.summaryWorker.token, { organizationId: w.lead.id });
    const e = await flip(t.app, w.leadWorker.user, c.id);
    await sub.untilEvent(e);
    expect(sub.changes().map((x) => x.case.id)).toEqual([c.id]);
  });
});

describe('SUMMARY partners receive only what a summary reader may know', () => {
  test('status changes, never edits or share changes (live and in catch-up)', async () => {
    const w = await world();
    const c = (await createCase(w.ds, { lead: w.lead, status: CaseStatus.IDENTIFIED, shares: [{ org: w.summaryOrg, access: ShareAccess.SUMMARY }] })).case;
    const kinds = [CaseEventKind.STATUS_CHANGED, CaseEventKind.UPDATED, CaseEventKind.SHARED, CaseEventKind.UNSHARED];
    const resumeFrom = await headId();
    const summary = await live(w.summaryWorker.token, { caseId: c.id, kinds });
    const lead = await live(w.leadWorker.token, { caseId: c.id, kinds });
    const ctx = contextFor(t.app.deps, w.leadWorker.user);
    let version = (await CaseService.updateCase(ctx, { caseId: c.id, expectedVersion: 1, priority: 'HIGH' as never, note: 'raised' })).version;
    version = (await CaseService.shareCase(ctx, { caseId: c.id, organizationId: w.third.id, access: ShareAccess.SUMMARY })).version;
    version = (await CaseService.unshareCase(ctx, { caseId: c.id, organizationId: w.third.id })).version;
    await CaseService.changeStatus(ctx, { caseId: c.id, status: CaseStatus.LOCATED, expectedVersion: version, note: null });
    await lead.until((x) => x.changes().length === 4, 10000, 'four events for the lead');
    expect(lead.changes().map((x) => x.kind)).toEqual(['UPDATED', 'SHARED', 'UNSHARED', 'STATUS_CHANGED']);
    const statusEvent = lead.changes()[3].eventId;
    await summary.untilEvent(statusEvent);
    expect(summary.changes().map((x) => x.kind)).toEqual(['STATUS_CHANGED']);

    const resumed = await live(w.summaryWorker.token, { caseId: c.id, kinds, afterEventId: resumeFrom });
    await resumed.untilEvent(statusEvent);
    expect(resumed.changes().map((x) => x.kind)).toEqual(['STATUS_CHANGED']);
  });
});

describe('event ids reveal nothing of hidden cases', () => {
  test('ids are opaque and unordered; resume works with them; a forged one is refused', async () => {
    const w = await world();
    const mine = (await createCase(w.ds, { lead: w.lead, status: CaseStatus.IDENTIFIED })).case;
    const hidden = (await createCase(w.ds, { lead: w.third, status: CaseStatus.IDENTIFIED })).case;
    const sub = await live(w.leadWorker.token, { caseId: mine.id });
    const e1 = await flip(t.app, w.leadWorker.user, mine.id);
    for (let i = 0; i < 3; i++) await flip(t.app, w.thirdWorker.user, hidden.id);
    const e2 = await flip(t.app, w.leadWorker.user, mine.id);
    await sub.untilEvent(e2);
    const [a, b] = sub.eventIds();
    // Nothing numeric to subtract: the three hidden changes in between leave no trace.
    for (const id of [a, b]) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect([a, b]).toEqual([e1, e2]);

    // The case's history over HTTP shows the same opaque ids, and pages with them.
    const Q = 'query($id: ID!, $after: String) { case(id: $id) { events(first: 1, after: $after) { edges { cursor node { id kind } } pageInfo { hasNextPage endCursor } } } }';
    const page1 = await t.gql(Q, { id: mine.id }, w.leadWorker.token);
    expect(page1.data!.case.events.edges[0].node.id).toBe(e2);
    const page2 = await t.gql(Q, { id: mine.id, after: page1.data!.case.events.pageInfo.endCursor }, w.leadWorker.token);
    expect(page2.data!.case.events.edges[0].node.id).toBe(e1);

    // Resume after the first: exactly the second.
    const resumed = await live(w.leadWorker.token, { caseId: mine.id, afterEventId: a });
    await resumed.untilEvent(b);
    expect(resumed.eventIds()).toEqual([b]);

    // An id altered by one character is refused, as is a bare number.
    const forged = `${a.slice(0, 10)}${a[10] === 'A' ? 'B' : 'A'}${a.slice(11)}`;
    for (const bad of [forged, '12345']) {
      const client = connectWs(t.url, w.leadWorker.token);
      clients.push(client);
      const c = client.subscribe(SUB, { afterEventId: bad });
      await c.until((x) => x.results.length > 0 || !!x.error);
      expect(c.results[0]?.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'afterEventId' } });
    }
  });
});
