import { contextFor, transactional } from '../../src/context';
import { Case } from '../../src/entities';
import { CaseEventKind, CaseStatus, OrganizationKind, Role, ShareAccess } from '../../src/schema/enums';
import { CaseService } from '../../src/services/CaseService';
import { createCase, createOrg, createUser } from '../factories';
import { startTestApp, type TestApp } from '../helpers/testApp';
import { changeStatus, connectWs, flip, settleFeed, waitForSubscribers, type WsClient } from '../helpers/ws';

const SUB = `subscription($caseId: ID, $organizationId: ID, $afterEventId: ID, $kinds: [CaseEventKind!]) {
  caseStatusChanged(caseId: $caseId, organizationId: $organizationId, afterEventId: $afterEventId, kinds: $kinds) {
    eventId kind from to at case { id status }
  }
}`;

let t: TestApp;
const clients: WsClient[] = [];
const open = (token: string | null) => {
  const c = connectWs(t.url, token);
  clients.push(c);
  return c;
};

beforeAll(async () => { t = await startTestApp(); });
afterEach(async () => { await closeAll(); });

/** Closes every client and waits until the server has let go of their subscriptions. */
async function closeAll() {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  const deadline = Date.now() + 10000;
  while (t.app.deps.feed.subscriberCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
afterAll(async () => { await t.stop(); });

async function world() {
  const ds = t.app.deps.dataSource;
  const council = await createOrg(ds, OrganizationKind.COORDINATION_COUNCIL);
  const ngoA = await createOrg(ds);
  const ngoB = await createOrg(ds);
  const outsider = await createOrg(ds);
  const coordinator = await createUser(t.app, council, [Role.COORDINATOR]);
  const workerA = await createUser(t.app, ngoA, [Role.CASE_WORKER]);
  const workerB = await createUser(t.app, ngoB, [Role.CASE_WORKER]);
  const stranger = await createUser(t.app, outsider, [Role.CASE_WORKER]);
  return { ds, council, ngoA, ngoB, outsider, coordinator, workerA, workerB, stranger };
}

/** Subscribes and waits until the server holds the subscription (so no change can race past it). */
async function live(token: string, variables: Record<string, unknown> = {}, query = SUB) {
  await settleFeed(t.app);
  const before = t.app.deps.feed.subscriberCount;
  const c = open(token).subscribe(query, variables);
  await waitForSubscribers(t.app, before + 1);
  return c;
}

describe('caseStatusChanged: who receives what', () => {
  test('the coordinator sees every case; a case worker its own and FULL-shared cases; another organization nothing', async () => {
    const w = await world();
    const own = (await createCase(w.ds, { lead: w.ngoA, status: CaseStatus.IDENTIFIED })).case;
    const sharedFull = (await createCase(w.ds, { lead: w.ngoB, status: CaseStatus.IDENTIFIED, shares: [{ org: w.ngoA, access: ShareAccess.FULL }] })).case;
    const foreign = (await createCase(w.ds, { lead: w.ngoB, status: CaseStatus.IDENTIFIED })).case;
    const strangers = (await createCase(w.ds, { lead: w.outsider, status: CaseStatus.IDENTIFIED })).case;

    const coord = await live(w.coordinator.token);
    const worker = await live(w.workerA.token);
    const other = await live(w.stranger.token);

    const e1 = await flip(t.app, w.workerA.user, own.id);
    const e2 = await flip(t.app, w.workerB.user, sharedFull.id);
    const e3 = await flip(t.app, w.workerB.user, foreign.id);
    // The last change is the stranger's own: once it arrives, everything before it was dispatched too.
    const e4 = await flip(t.app, w.stranger.user, strangers.id);

    await coord.untilEvent(e4);
    await worker.untilEvent(e2);
    await other.untilEvent(e4);
    const mine = (ids: string[]) => ids.filter((id) => [e1, e2, e3, e4].includes(id));
    expect(mine(coord.eventIds())).toEqual([e1, e2, e3, e4]);
    expect(mine(worker.eventIds())).toEqual([e1, e2]);
    expect(mine(other.eventIds())).toEqual([e4]);
    const first = coord.changes().find((c) => c.eventId === e1)!;
    expect(first).toMatchObject({ kind: 'STATUS_CHANGED', from: 'IDENTIFIED', to: 'LOCATED', case: { id: own.id, status: 'LOCATED' } });
    expect(Number.isNaN(Date.parse(first.at))).toBe(false);
  });

  test('caseId and organizationId narrow the stream; organizationId means led by or shared with', async () => {
    const w = await world();
    const a = (await createCase(w.ds, { lead: w.ngoA, status: CaseStatus.IDENTIFIED })).case;
    const bSharedWithA = (await createCase(w.ds, { lead: w.ngoB, status: CaseStatus.IDENTIFIED, shares: [{ org: w.ngoA, access: ShareAccess.SUMMARY }] })).case;
    const b = (await createCase(w.ds, { lead: w.ngoB, status: CaseStatus.IDENTIFIED })).case;

    const onlyA = await live(w.coordinator.token, { caseId: a.id });
    const orgA = await live(w.coordinator.token, { organizationId: w.ngoA.id });
    const e1 = await flip(t.app, w.workerA.user, a.id);
    const e2 = await flip(t.app, w.workerB.user, bSharedWithA.id);
    const e3 = await flip(t.app, w.workerB.user, b.id);
    const e4 = await flip(t.app, w.workerA.user, a.id);
    await onlyA.untilEvent(e4);
    await orgA.untilEvent(e4);
    expect(onlyA.eventIds()).toEqual([e1, e4]);
    expect(orgA.eventIds()).toEqual([e1, e2, e4]);
    expect(orgA.eventIds()).not.toContain(e3);
  });

  test('CREATED and STATUS_CHANGED by default; other kinds only when asked for', async () => {
    const w = await world();
    const c = (await createCase(w.ds, { lead: w.ngoA, status: CaseStatus.IDENTIFIED })).case;
    const dflt = await live(w.workerA.token, { caseId: c.id });
    const all = await live(w.workerA.token, { caseId: c.id, kinds: Object.values(CaseEventKind) });
    const ctx = contextFor(t.app.deps, w.workerA.user);
    await CaseService.shareCase(ctx, { caseId: c.id, organizationId: w.ngoB.id, access: ShareAccess.SUMMARY });
    const e2 = await flip(t.app, w.workerA.user, c.id);
    await dflt.untilEvent(e2);
    await all.untilEvent(e2);
    expect(dflt.changes().map((x) => x.kind)).toEqual(['STATUS_CHANGED']);
    expect(all.changes().map((x) => x.kind)).toEqual(['SHARED', 'STATUS_CHANGED']);

    const reported = await live(w.workerA.token, { organizationId: w.ngoA.id });
    const created = await t.gql(`mutation($i: ReportChildInput!) { reportChild(input: $i) { id } }`, {
      i: { givenName: 'Олена', familyName: 'Тестова', birthDate: '2015-03-01', birthDatePrecision: 'EXACT', sex: 'FEMALE', priority: 'HIGH' },
    }, w.workerA.token);
    expect(created.errors).toBeUndefined();
    await reported.until((x) => x.changes().some((ch) => ch.case?.id === created.data!.reportChild.id), 10000, 'CREATED');
    expect(reported.changes().find((ch) => ch.case?.id === created.data!.reportChild.id)).toMatchObject({ kind: 'CREATED', from: null, to: 'REPORTED' });
  });

  test('a SUMMARY share shows only the summary fields: the rest is null with FORBIDDEN', async () => {
    const w = await world();
    const c = (await createCase(w.ds, { lead: w.ngoB, status: CaseStatus.IDENTIFIED, shares: [{ org: w.ngoA, access: ShareAccess.SUMMARY }] })).case;
    const q = `subscription($caseId: ID) { caseStatusChanged(caseId: $caseId) {
      eventId from to note actor { organization { name } }
      case { id status priority deportationCircumstances lastKnownRegion child { familyName currentLocation } }
    } }`;
    const summary = await live(w.workerA.token, { caseId: c.id }, q);
    const lead = await live(w.workerB.token, { caseId: c.id }, q);
    const e = await changeStatus(t.app, w.workerB.user, c.id, CaseStatus.LOCATED, 'Seen in a camp near Yevpatoriia');
    await summary.untilEvent(e);
    await lead.untilEvent(e);

    const s = summary.results.find((r) => r.data?.caseStatusChanged?.eventId === e)!;
    expect(s.data!.caseStatusChanged).toMatchObject({
      eventId: e, from: 'IDENTIFIED', to: 'LOCATED', note: null, actor: null,
      case: { id: c.id, status: 'LOCATED', deportationCircumstances: null, lastKnownRegion: null, child: { currentLocation: null } },
    });
    expect(s.data!.caseStatusChanged.case.child.familyName).toBeTruthy();
    const forbidden = (s.errors ?? []).filter((x) => x.extensions?.code === 'FORBIDDEN').map((x) => x.path!.slice(1).join('.')).sort();
    expect(forbidden).toEqual(['actor', 'case.child.currentLocation', 'case.deportationCircumstances', 'case.lastKnownRegion', 'note']);

    const l = lead.results.find((r) => r.data?.caseStatusChanged?.eventId === e)!;
    expect(l.errors).toBeUndefined();
    expect(l.data!.caseStatusChanged).toMatchObject({
      note: 'Seen in a camp near Yevpatoriia', actor: { organization: { name: w.ngoB.name } },
      case: { deportationCircumstances: 'Taken from a school', child: { currentLocation: 'Rostov Oblast' } },
    });
  });

  test('the actor\'s name is shown only within the actor\'s organization', async () => {
    const w = await world();
    const c = (await createCase(w.ds, { lead: w.ngoA, status: CaseStatus.IDENTIFIED })).case;
    const q = 'subscription($caseId: ID) { caseStatusChanged(caseId: $caseId) { eventId actor { displayName organization { id } } } }';
    const colleague = await live((await createUser(t.app, w.ngoA, [Role.CASE_WORKER])).token, { caseId: c.id }, q);
    const council = await live(w.coordinator.token, { caseId: c.id }, q);
    const e = await flip(t.app, w.workerA.user, c.id);
    await colleague.untilEvent(e);
    await council.untilEvent(e);
    expect(colleague.results[0].errors).toBeUndefined();
    expect(colleague.changes()[0].actor).toEqual({ displayName: 'Test user', organization: { id: w.ngoA.id } });
    expect(council.changes()[0].actor).toEqual({ displayName: null, organization: { id: w.ngoA.id } });
    expect(council.results[0].errors?.map((x) => [x.extensions?.code, x.path?.join('.')])).toEqual([['FORBIDDEN', 'caseStatusChanged.actor.displayName']]);
  });

  test('roles that may not follow cases are refused; a bad argument is BAD_USER_INPUT', async () => {
    const w = await world();
    const analyst = await createUser(t.app, w.ngoA, [Role.ANALYST]);
    const refused = open(analyst.token).subscribe(SUB, {});
    await refused.until((c) => c.results.length > 0 || !!c.error || c.completed);
    expect(refused.results[0]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = open(w.coordinator.token).subscribe(SUB, { afterEventId: 'yesterday' });
    await bad.until((c) => c.results.length > 0);
    expect(bad.results[0].errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'afterEventId' } });
  });
});

describe('caseStatusChanged: permission checked per event', () => {
  test('a case shared after subscribing becomes visible; unshared, it stops arriving', async () => {
    const w = await world();
    const c = (await createCase(w.ds, { lead: w.ngoA, status: CaseStatus.IDENTIFIED })).case;
    const sentinel = (await createCase(w.ds, { lead: w.ngoB, status: CaseStatus.IDENTIFIED })).case;
    const b = await live(w.workerB.token);
    const leadCtx = contextFor(t.app.deps, w.workerA.user);

    const before = await flip(t.app, w.workerA.user, c.id);
    await CaseService.shareCase(leadCtx, { caseId: c.id, organizationId: w.ngoB.id, access: ShareAccess.FULL });
    const whileShared = await flip(t.app, w.workerA.user, c.id);
    await b.untilEvent(whileShared);
    await CaseService.unshareCase(leadCtx, { caseId: c.id, organizationId: w.ngoB.id });
    const after = await flip(t.app, w.workerA.user, c.id);
    const last = await flip(t.app, w.workerB.user, sentinel.id);
    await b.untilEvent(last);
    const ids = b.eventIds();
    expect(ids).toContain(whileShared);
    expect(ids).not.toContain(before);
    expect(ids).not.toContain(after);
  });

  test('a change that rolls back sends nothing', async () => {
    const w = await world();
    const c = (await createCase(w.ds, { lead: w.ngoA, status: CaseStatus.IDENTIFIED })).case;
    const sub = await live(w.coordinator.token, { caseId: c.id, kinds: Object.values(CaseEventKind) });
    const ctx = contextFor(t.app.deps, w.workerA.user);
    // The real event writer (lock, insert, notify) inside a transaction that then fails.
    let writtenId = '';
    await expect(transactional(ctx, async (tx) => {
      const row = await tx.em.findOneByOrFail(Case, { id: c.id });
      const e = await (CaseService as any).recordEvent(tx, row, CaseEventKind.STATUS_CHANGED, CaseStatus.IDENTIFIED, CaseStatus.LOCATED, 'never committed');
      writtenId = String(e.id);
      throw new Error('rolled back on purpose');
    })).rejects.toThrow('rolled back on purpose');
    expect(writtenId).toMatch(/^\d+$/);
    const next = await flip(t.app, w.workerA.user, c.id);
    await sub.untilEvent(next);
    expect(sub.eventIds()).toEqual([next]);
    expect(sub.changes()[0].from).toBe('IDENTIFIED');
  });
});

describe('caseStatusChanged: resume after an event id', () => {
  test('delivers the missed events in order, then live ones, with no duplicate and no gap — also with a commit during catch-up', async () => {
    const w = await world();
    const c = (await createCase(w.ds, { lead: w.ngoA, status: CaseStatus.IDENTIFIED })).case;
    const other = (await createCase(w.ds, { lead: w.ngoB, status: CaseStatus.IDENTIFIED })).case;
    const first = await live(w.workerA.token);
    const e1 = await flip(t.app, w.workerA.user, c.id);
    await first.untilEvent(e1);
    await closeAll();

    // While away: two changes it may see, one it may not.
    const e2 = await flip(t.app, w.workerA.user, c.id);
    await flip(t.app, w.workerB.user, other.id);
    const e3 = await flip(t.app, w.workerA.user, c.id);
    // Make sure the feed has dispatched them (so catch-up, not live delivery, must bring them).
    await waitHead(num(e3));

    // A commit lands after the subscriber registered but before its catch-up query runs.
    const feed = t.app.deps.feed;
    const original = feed.missedEvents.bind(feed);
    let during = '';
    const spy = jest.spyOn(feed, 'missedEvents').mockImplementation(async (...args) => {
      if (!during) {
        during = await flip(t.app, w.workerA.user, c.id);
        await waitHead(num(during));
      }
      return original(...args);
    });
    try {
      const resumed = await live(w.workerA.token, { afterEventId: e1 });
      await resumed.until(() => !!during && resumed.eventIds().includes(during), 10000, 'the event committed during catch-up');
      const e5 = await flip(t.app, w.workerA.user, c.id);
      await resumed.untilEvent(e5);
      const ids = resumed.eventIds().filter((id) => num(id) > num(e1) && [e2, e3, during, e5].includes(id));
      expect(ids).toEqual([e2, e3, during, e5]);
      expect(new Set(resumed.eventIds()).size).toBe(resumed.eventIds().length);
      const all = resumed.eventIds().map(num);
      expect([...all].sort((a, b) => (a < b ? -1 : 1))).toEqual(all);
    } finally {
      spy.mockRestore();
    }
  });

  test('a long backlog arrives page by page, complete and in order', async () => {
    const w = await world();
    const c = (await createCase(w.ds, { lead: w.ngoA, status: CaseStatus.IDENTIFIED })).case;
    const [{ id: head }] = await w.ds.query('SELECT max(id)::text AS id FROM case_event');
    const from = t.app.deps.tokens.eventIds.encode(head);
    // 450 events straight into the table (the feed picks them up by range, notice or not).
    await w.ds.query(
      `INSERT INTO case_event (case_id, kind, from_status, to_status) SELECT $1, 'STATUS_CHANGED', 'IDENTIFIED', 'LOCATED' FROM generate_series(1, 450)`, [c.id],
    );
    const resumed = await live(w.workerA.token, { caseId: c.id, afterEventId: from });
    await resumed.until((x) => x.eventIds().length >= 450, 20000, '450 events');
    const ids = resumed.eventIds().map(num);
    expect(ids).toHaveLength(450);
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
  });
});

/** The position of an opaque event id (tests may look inside; clients cannot). */
const num = (id: string) => t.app.deps.tokens.eventIds.decode(id)!;

async function waitHead(id: bigint) {
  const deadline = Date.now() + 10000;
  while (t.app.deps.feed.head < id) {
    if (Date.now() > deadline) throw new Error(`feed did not reach ${id}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
