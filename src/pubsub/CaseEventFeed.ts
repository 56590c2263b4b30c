import { In } from 'typeorm';
import type { AppAbility } from '../auth/ability';
import { loadPrincipals, type AppDeps, type Context } from '../context';
import { principalKey } from '../auth/abilityCache';
import { Case, CaseEvent, Child, Organization, User } from '../entities';
import { appError } from '../errors';
import { CaseStatusChange } from '../schema/CaseStatusChange';
import { CaseEventKind } from '../schema/enums';
import { loadAccessFacts, type AccessFacts } from '../auth/access/accessFacts';
import { caseSubjectOf, matchesOrganization, mayReadChildByCase, mayReceive } from '../auth/access/caseEvents';
import { readableFieldFilter, whereAccessible } from '../auth/access/whereAccessible';

/**
 * One committed case event with everything a permission check and a payload need, loaded once per
 * instance and shared (read-only) by every subscriber it is delivered to.
 */
export interface EventSnapshot {
  id: bigint;
  event: CaseEvent;
  case: Case;
  child: Child | null;
  /** The case's lead organization and shares as they are now (at delivery). */
  facts: AccessFacts;
  organizations: Map<string, Organization>;
  actorName: string | null;
  change: CaseStatusChange;
  /** Execution results shared by subscribers with identical permissions and operation (subscriptions.ts). */
  results: Map<string, Promise<unknown>>;
}

/** What a subscriber asked for. */
export interface CaseEventFilter {
  caseId?: string;
  /** Cases led by or shared with this organization. */
  organizationId?: string;
  kinds: CaseEventKind[];
}

/** How many delivered-but-unsent events a subscriber may hold before it is cut off (it can resume). */
export const MAX_PENDING_EVENTS = 5000;
/** Re-read new events this often even without a notice: heals a lost notice or a transport outage. */
const POLL_MS = 2000;
const PAGE = 500;
const CATCH_UP_PAGE = 200;

// Who receives an event, and what a filter may test, is decided in src/auth/access/caseEvents.ts.
export { canReadHistory } from '../auth/access/caseEvents';

/**
 * Subscribers whose payloads would be identical share one permission check and one execution per event:
 * same organization, same roles, same compiled CASL rules (which carry any user-specific scope). If a
 * field under CaseStatusChange ever depends on the user's id itself, add it here.
 */
export function permissionKey(ctx: Context): string {
  const p = ctx.principal;
  if (!p) return 'anonymous';
  let rules = rulesKeys.get(ctx.ability);
  if (rules === undefined) rulesKeys.set(ctx.ability, (rules = JSON.stringify(ctx.ability.rules)));
  return `${p.organizationId}|${[...p.roles].sort().join(',')}|${rules}`;
}
const rulesKeys = new WeakMap<AppAbility, string>();

/**
 * Gives a subscriber's fresh loaders what the snapshot already holds, where the subscriber may read it,
 * so resolving a payload costs no query in the common case. Anything not primed is loaded through the
 * usual CASL-filtered loaders.
 */
export function primeLoaders(ctx: Context, s: EventSnapshot): void {
  const l = ctx.loaders;
  l.accessFacts.prime(s.case.childId, s.facts);
  if (ctx.ability.can('read', caseSubjectOf(s))) l.case.prime(s.case.id, s.case);
  if (s.child && mayReadChildByCase(ctx.ability, s, s.child)) l.child.prime(s.child.id, s.child);
  if (ctx.user && ctx.ability.can('read', 'Organization')) for (const [id, o] of s.organizations) l.organization.prime(id, o);
}

/**
 * Takes a parked subscriber's live events synchronously, in id order, in place of its iterator (the
 * WebSocket fast path, see LiveDelivery), which reports each event it writes with `sent`.
 */
export type EventSink = (s: EventSnapshot) => void;

/** One subscription: an async iterator of the events it may read, resumed from an event id when asked. */
export class Subscriber implements AsyncIterableIterator<CaseStatusChange> {
  readonly key: string;
  private queue: EventSnapshot[] = [];
  /** Live events that arrive while catching up wait here (null once live). */
  private buffer: EventSnapshot[] | null = null;
  private catchUp: { cursor: bigint; upTo: bigint } | null = null;
  private catchUpPages = 0;
  private lastAccepted: bigint;
  /** The last event handed to the transport: where a cut-off client should resume. */
  private lastDelivered: bigint;
  private waiter: { resolve: (r: IteratorResult<CaseStatusChange>) => void; reject: (e: unknown) => void } | null = null;
  /** Set while parked in sink mode (see nextOrSink): accepted events go straight to it. */
  private sink: EventSink | null = null;
  private failure: unknown = null;
  private done = false;
  private readonly onAbort = () => this.fail(this.ctx.signal?.reason ?? appError('UNAUTHENTICATED', 'Subscription ended'));

  constructor(
    private readonly feed: CaseEventFeed,
    readonly ctx: Context,
    readonly filter: CaseEventFilter,
    after: bigint | null,
  ) {
    this.key = permissionKey(ctx);
    const head = feed.head;
    if (after !== null && after < head) {
      // Missed events are (after, head]; everything above head arrives live and waits in the buffer meanwhile.
      this.catchUp = { cursor: after, upTo: head };
      this.buffer = [];
      this.lastAccepted = after;
    } else {
      // Live only; a client that claims to be ahead of this instance skips up to its claim.
      this.lastAccepted = after !== null && after > head ? after : head;
    }
    this.lastDelivered = after ?? head;
    ctx.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Whether this event passes the subscriber's own filter (permission to receive it is checked by the
   * caller). A filter tests only what the subscriber may read: the organization filter matches a case
   * through its shares only for readers of `Case.shares` (a SUMMARY partner does not see who else has it).
   */
  matches(s: EventSnapshot): boolean {
    const f = this.filter;
    if (!f.kinds.includes(s.event.kind)) return false;
    if (f.caseId && f.caseId !== s.case.id) return false;
    if (f.organizationId && !matchesOrganization(this.ctx.ability, s, f.organizationId)) return false;
    return true;
  }

  /** A live event this subscriber may read and asked for. */
  offer(s: EventSnapshot): void {
    if (this.done) return;
    if (this.buffer) {
      this.buffer.push(s);
      if (this.buffer.length > MAX_PENDING_EVENTS) this.tooSlow();
      return;
    }
    this.accept(s);
  }

  private accept(s: EventSnapshot): void {
    // Ids are committed in order (CaseService takes a lock before writing an event), so an id at or
    // below the last one is a duplicate (e.g. seen during catch-up): never send it twice.
    if (s.id <= this.lastAccepted) return;
    this.lastAccepted = s.id;
    if (this.sink) {
      this.sink(s);
      return;
    }
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      this.lastDelivered = s.id;
      w.resolve({ value: s.change, done: false });
      return;
    }
    this.queue.push(s);
    if (this.queue.length > MAX_PENDING_EVENTS) this.tooSlow();
  }

  /** Whether the subscription has ended (completed, failed, cut off): nothing more may be sent for it. */
  get ended(): boolean {
    return this.done;
  }

  /** The fast path wrote this event to the transport: a cut-off client resumes after it. */
  sent(id: bigint): void {
    if (id > this.lastDelivered) this.lastDelivered = id;
  }

  /** Ends a subscriber that stopped reading (its unsent backlog passed the limit), telling it where to resume. */
  tooSlow(): void {
    this.fail(appError('TOO_MANY_REQUESTS', `This subscriber fell more than ${MAX_PENDING_EVENTS} events behind; resubscribe with afterEventId to resume`, {
      lastEventId: this.ctx.deps.tokens.eventIds.encode(this.lastDelivered),
    }));
  }

  fail(error: unknown): void {
    if (this.done) return;
    this.failure = error;
    this.queue = [];
    this.buffer = null;
    this.close();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(error);
    }
  }

  private close(): void {
    this.done = true;
    this.sink = null;
    this.feed.remove(this);
    this.ctx.signal?.removeEventListener('abort', this.onAbort);
  }

  next(): Promise<IteratorResult<CaseStatusChange>> {
    return this.pull(null);
  }

  /**
   * Like next(), but once the subscriber is live with nothing pending (caught up, queue empty) it parks:
   * every event accepted from then on goes synchronously to `sink`, in id order, and the returned promise
   * settles only when the subscription ends (done) or fails (rejects). Events pending before that come
   * through the promise as with next(), so catch-up still precedes live events and none is sent twice.
   */
  nextOrSink(sink: EventSink): Promise<IteratorResult<CaseStatusChange>> {
    return this.pull(sink);
  }

  private async pull(sink: EventSink | null): Promise<IteratorResult<CaseStatusChange>> {
    for (;;) {
      if (this.failure) {
        const e = this.failure;
        this.failure = null;
        throw e;
      }
      if (this.queue.length) {
        const s = this.queue.shift()!;
        this.lastDelivered = s.id;
        return { value: s.change, done: false };
      }
      if (this.done) return { value: undefined, done: true };
      if (this.catchUp) {
        await this.catchUpPage();
        continue;
      }
      return new Promise((resolve, reject) => {
        this.waiter = { resolve, reject };
        this.sink = sink;
      });
    }
  }

  /** Loads the next page of missed events (lazily: a slow client never makes us hold the whole backlog). */
  private async catchUpPage(): Promise<void> {
    const c = this.catchUp!;
    // A long catch-up is read page by page as the client consumes it: each page after the first (whose rights
    // were read when the operation was authenticated) with the rights of now.
    if (this.catchUpPages++ > 0) {
      await this.feed.revalidate([this]);
      if (this.done) return;
    }
    const page = await this.feed.missedEvents(this.ctx, this.filter, c.cursor, c.upTo, CATCH_UP_PAGE);
    if (this.done) return;
    for (const s of page) {
      // The SQL filter already applied the ability; checking again in memory keeps one rule for both paths.
      if (this.matches(s) && mayReceive(this.ctx.ability, s)) this.accept(s);
    }
    if (page.length === CATCH_UP_PAGE) {
      c.cursor = page[page.length - 1].id;
      return;
    }
    // Caught up to where live delivery began: hand over to the live events held meanwhile.
    this.catchUp = null;
    if (this.lastAccepted < c.upTo) this.lastAccepted = c.upTo;
    const held = this.buffer ?? [];
    this.buffer = null;
    for (const s of held) this.accept(s);
  }

  async return(): Promise<IteratorResult<CaseStatusChange>> {
    if (!this.done) this.close();
    this.sink = null;
    this.queue = [];
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: undefined, done: true });
    }
    return { value: undefined, done: true };
  }

  async throw(e: unknown): Promise<IteratorResult<CaseStatusChange>> {
    await this.return();
    throw e;
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

interface Group {
  ability: AppAbility;
  subscribers: Set<Subscriber>;
}

/**
 * The instance's tail of the case_event table. A notice from the bus (or a periodic poll) only wakes
 * it; it then reads every event after the last one it dispatched, in id order, loads each event's case
 * and share facts once, checks each permission group's ability in memory, and hands the event to the
 * subscribers that may read it. Reading by range rather than trusting notices means a late, duplicated,
 * out-of-order or lost notice never loses or reorders an event.
 */
export class CaseEventFeed {
  private lastId = 0n;
  private readonly groups = new Map<string, Group>();
  private running: Promise<void> | null = null;
  private again = false;
  /**
   * Told (with the user id) when a subscriber's user no longer has the rights it subscribed with; the
   * WebSocket layer then closes that user's connections (its subscriptions are ended already).
   */
  onAccessChanged: ((userId: string) => void) | null = null;
  /** Live events handed to subscribers since start, one per subscriber (the /metrics counter). */
  delivered = 0;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private count = 0;

  constructor(private readonly deps: AppDeps) {}

  /** The id of the last event dispatched live: a new subscriber gets everything above it live. */
  get head(): bigint {
    return this.lastId;
  }

  get subscriberCount(): number {
    return this.count;
  }

  async start(): Promise<void> {
    const [row]: { max: string | null }[] = await this.deps.dataSource.query('SELECT max(id)::text AS max FROM case_event');
    this.lastId = BigInt(row?.max ?? '0');
    this.unsubscribe = this.deps.events.subscribe({
      notice: (n) => { if (BigInt(n.eventId) > this.lastId) this.wake(); },
      resync: () => this.wake(),
    });
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    // The WebSocket server has closed the sockets (1001 Going away) by now; clients reconnect and resume.
    for (const g of [...this.groups.values()]) for (const s of [...g.subscribers]) await s.return();
    await this.running?.catch(() => undefined);
  }

  /** Starts a subscription; with `after`, the events after that id come first, then live ones. */
  subscribe(ctx: Context, filter: CaseEventFilter, after: bigint | null): AsyncIterableIterator<CaseStatusChange> {
    const s = new Subscriber(this, ctx, filter, after);
    let g = this.groups.get(s.key);
    if (!g) this.groups.set(s.key, (g = { ability: ctx.ability, subscribers: new Set() }));
    g.subscribers.add(s);
    this.count++;
    return s;
  }

  remove(s: Subscriber): void {
    const g = this.groups.get(s.key);
    if (g?.subscribers.delete(s)) {
      this.count--;
      if (g.subscribers.size === 0) this.groups.delete(s.key);
    }
  }

  /** Reads and dispatches what is new; coalesces wake-ups that arrive meanwhile into one more pass. */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => this.deps.logger.error({ err }, 'case event feed failed; retrying on the next notice or poll'))
      .finally(() => {
        this.running = null;
        if (this.again) this.wake();
      });
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      for (;;) {
        const rows: { id: string }[] = await this.deps.dataSource.query(
          'SELECT id::text AS id FROM case_event WHERE id > $1 ORDER BY id LIMIT $2', [this.lastId.toString(), PAGE],
        );
        if (rows.length === 0) break;
        let snapshots: EventSnapshot[] = [];
        if (this.groups.size) {
          // Rights first, then the events' facts: a change of rights (role, organization, centre, specialist
          // profile, deactivation) committed before these events is seen, so no event goes out on old rights.
          await this.revalidate(this.subscribers());
          snapshots = await this.load(rows.map((r) => r.id));
        }
        for (const s of snapshots) this.dispatch(s);
        this.lastId = BigInt(rows[rows.length - 1].id);
        if (rows.length < PAGE) break;
      }
    } while (this.again);
  }

  private *subscribers(): Iterable<Subscriber> {
    for (const g of this.groups.values()) yield* g.subscribers;
  }

  /**
   * Ends the subscriptions whose user's rights are no longer those they were authorized with (issue 8, item
   * 11): the user's principal (active, roles, organization, centres and their operators, specialist profile)
   * is read again, in one statement for all of them, and compared with the one their ability was built from.
   * Called before every batch of live events and every page of catch-up, so a change of rights takes effect
   * for the next event delivered. Shares, placements and assignments need no re-read here: they are facts of
   * each event, loaded after this (shares) or when its payload is resolved (placements, assignments).
   */
  async revalidate(subs: Iterable<Subscriber>): Promise<void> {
    const list = [...subs].filter((s) => !s.ended && s.ctx.principal);
    if (list.length === 0) return;
    const now = await loadPrincipals(this.deps, [...new Set(list.map((s) => s.ctx.principal!.id))]);
    const changed = new Set<string>();
    for (const s of list) {
      const p = s.ctx.principal!;
      const fresh = now.get(p.id);
      if (fresh && principalKey(fresh) === principalKey(p)) continue;
      changed.add(p.id);
      s.fail(appError('UNAUTHENTICATED', 'Your account changed or was deactivated: log in again'));
    }
    for (const id of changed) {
      this.deps.logger.info({ userId: id }, 'ending subscriptions whose rights changed');
      this.onAccessChanged?.(id);
    }
  }

  private dispatch(s: EventSnapshot): void {
    // Fail closed: a snapshot missing its case (cannot happen with foreign keys) reaches no one.
    if (!s.case) return;
    for (const g of this.groups.values()) {
      if (!mayReceive(g.ability, s)) continue;
      for (const sub of g.subscribers) if (sub.matches(s)) { sub.offer(s); this.delivered++; }
    }
    this.lastId = s.id;
  }

  /** The events in (after, upTo] a subscriber may read and asked for, filtered in SQL, in id order. */
  async missedEvents(ctx: Context, filter: CaseEventFilter, after: bigint, upTo: bigint, limit: number): Promise<EventSnapshot[]> {
    const qb = this.deps.dataSource.manager.createQueryBuilder(CaseEvent, 'e')
      .innerJoin(Case, 'c', 'c.id = e.case_id')
      .select('e.id::text', 'id')
      .where('e.id > :after AND e.id <= :upTo', { after: after.toString(), upTo: upTo.toString() })
      .andWhere('e.kind IN (:...kinds)', { kinds: filter.kinds });
    if (filter.caseId) qb.andWhere('e.case_id = :caseId', { caseId: filter.caseId });
    if (filter.organizationId) {
      // As in matches(): each way of matching only where the reader may read the field it tests.
      const lead = readableFieldFilter(ctx.ability, 'Case', 'leadOrganization', 'c');
      const shares = readableFieldFilter(ctx.ability, 'Case', 'shares', 'c');
      qb.andWhere(
        `((c.lead_organization_id = :org${lead ? ` AND ${lead.sql}` : ''})
          OR (EXISTS (SELECT 1 FROM case_share s WHERE s.case_id = c.id AND s.organization_id = :org)${shares ? ` AND ${shares.sql}` : ''}))`,
        { org: filter.organizationId, ...lead?.params, ...shares?.params },
      );
    }
    whereAccessible(ctx, qb, 'read', 'Case', 'c');
    whereAccessible(ctx, qb, 'read', 'CaseEvent', 'e');
    const rows: { id: string }[] = await qb.orderBy('e.id', 'ASC').limit(limit).getRawMany();
    return rows.length ? this.load(rows.map((r) => r.id)) : [];
  }

  /** Loads events with their cases, children, share facts, organizations and actor names: a few statements for any number of events. */
  private async load(ids: string[]): Promise<EventSnapshot[]> {
    const em = this.deps.dataSource.manager;
    const events = await em.find(CaseEvent, { where: { id: In(ids) }, order: { id: 'ASC' } });
    const caseIds = [...new Set(events.map((e) => e.caseId))];
    const cases = new Map((await em.find(Case, { where: { id: In(caseIds) } })).map((c) => [c.id, c]));
    const childIds = [...new Set([...cases.values()].map((c) => c.childId))];
    const actorIds = [...new Set(events.map((e) => e.actorId).filter((x): x is string => !!x))];
    const [children, facts, actors] = await Promise.all([
      em.find(Child, { where: { id: In(childIds) } }),
      loadAccessFacts(em, childIds),
      actorIds.length ? em.find(User, { where: { id: In(actorIds) }, select: { id: true, displayName: true, organizationId: true } }) : Promise.resolve([]),
    ]);
    const childById = new Map(children.map((c) => [c.id, c]));
    const factsByChild = new Map<string, AccessFacts>();
    for (const f of facts) factsByChild.set(f.childId, f);
    const orgIds = [...new Set([...[...cases.values()].map((c) => c.leadOrganizationId), ...events.map((e) => e.organizationId).filter((x): x is string => !!x)])];
    const orgs = new Map((await em.find(Organization, { where: { id: In(orgIds) } })).map((o) => [o.id, o]));
    const actorById = new Map(actors.map((u) => [u.id, u]));
    const out: EventSnapshot[] = [];
    for (const e of events) {
      const c = cases.get(e.caseId);
      const f = c && factsByChild.get(c.childId);
      if (!c || !f) continue;
      const organizations = new Map<string, Organization>();
      for (const id of [c.leadOrganizationId, e.organizationId]) if (id && orgs.has(id)) organizations.set(id, orgs.get(id)!);
      const eventId = this.deps.tokens.eventIds.encode(e.id);
      const change = Object.assign(new CaseStatusChange(), { eventId, kind: e.kind, from: e.from, to: e.to, at: e.at });
      const s: EventSnapshot = {
        id: BigInt(e.id), event: e, case: c, child: childById.get(c.childId) ?? null, facts: f, organizations,
        actorName: e.actorId ? (actorById.get(e.actorId)?.displayName ?? null) : null, change, results: new Map(),
      };
      change.source = s;
      out.push(s);
    }
    return out;
  }
}
