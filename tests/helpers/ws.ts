import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../../src/app';
import { contextFor } from '../../src/context';
import { Case, type User } from '../../src/entities';
import { CaseStatus } from '../../src/schema/enums';
import { CaseService } from '../../src/services/CaseService';

export const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

export interface Received {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

/** Everything one subscription received, with a way to wait for more. */
export class Collector {
  readonly results: Received[] = [];
  error: unknown = null;
  completed = false;
  private waiters: (() => void)[] = [];

  push(r: Received) {
    this.results.push(r);
    this.wake();
  }

  fail(e: unknown) {
    this.error = e;
    this.wake();
  }

  complete() {
    this.completed = true;
    this.wake();
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The payloads of field `field` (default caseStatusChanged). */
  changes(field = 'caseStatusChanged'): Record<string, any>[] {
    return this.results.map((r) => r.data?.[field]).filter(Boolean);
  }

  eventIds(): string[] {
    return this.changes().map((c) => c.eventId);
  }

  /** Waits until `pred` holds, or fails after `ms` with what was received. */
  async until(pred: (c: Collector) => boolean, ms = 10000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${what}; received ${JSON.stringify(this.results)} error=${JSON.stringify(this.error)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  untilEvent(eventId: string, ms?: number) {
    return this.until((c) => c.eventIds().includes(eventId), ms, `event ${eventId}`);
  }
}

export interface WsClient {
  client: Client;
  closed: Promise<{ code: number; reason: string }>;
  subscribe(query: string, variables?: Record<string, unknown>): Collector & { unsubscribe: () => void };
  dispose(): Promise<void>;
}

/** A graphql-ws client (no retries) authenticated with `token` in connection_init. */
export function connectWs(httpUrl: string, token: string | null): WsClient {
  let onClosed!: (v: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => { onClosed = r; });
  const client = createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: WebSocket,
    connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: { closed: (e) => { const ev = e as { code: number; reason: string }; onClosed({ code: ev.code, reason: String(ev.reason) }); } },
  });
  return {
    client,
    closed,
    subscribe(query, variables) {
      const c = new Collector() as Collector & { unsubscribe: () => void };
      c.unsubscribe = client.subscribe({ query, variables }, {
        next: (r) => c.push(r as Received),
        error: (e) => c.fail(e),
        complete: () => c.complete(),
      });
      return c;
    },
    dispose: async () => { await client.dispose(); },
  };
}

/** Waits until the app's feed holds at least `n` subscribers (the subscription is live on the server). */
export async function waitForSubscribers(app: App, n: number, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (app.deps.feed.subscriberCount < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} subscribers, have ${app.deps.feed.subscriberCount}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits until the app's feed has dispatched every event now in the table (rows written straight by
 * factories send no notice and would otherwise arrive with the next poll, in the middle of a test).
 */
export async function settleFeed(app: App, ms = 10000): Promise<void> {
  const [{ id }] = await app.deps.dataSource.query('SELECT coalesce(max(id), 0)::text AS id FROM case_event');
  const deadline = Date.now() + ms;
  app.deps.feed.wake();
  while (app.deps.feed.head < BigInt(id)) {
    if (Date.now() > deadline) throw new Error(`feed did not reach event ${id}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Moves a case to `to` through the real service, as `user`; returns the (opaque) id of the event it wrote, as clients see it. */
export async function changeStatus(app: App, user: User, caseId: string, to: CaseStatus, note?: string): Promise<string> {
  const ds = app.deps.dataSource;
  const c = await ds.getRepository(Case).findOneByOrFail({ id: caseId });
  await CaseService.changeStatus(contextFor(app.deps, user), { caseId, status: to, expectedVersion: c.version, note: note ?? null });
  const [row] = await ds.query('SELECT max(id)::text AS id FROM case_event WHERE case_id = $1', [caseId]);
  return app.deps.tokens.eventIds.encode(row.id);
}

/** Alternates a case between IDENTIFIED and LOCATED (a move the lifecycle allows both ways). */
export async function flip(app: App, user: User, caseId: string): Promise<string> {
  const c = await app.deps.dataSource.getRepository(Case).findOneByOrFail({ id: caseId });
  return changeStatus(app, user, caseId, c.status === CaseStatus.LOCATED ? CaseStatus.IDENTIFIED : CaseStatus.LOCATED);
}

/** A raw WebSocket speaking graphql-transport-ws, for protocol conformance tests. */
export class RawSocket {
  readonly ws: WebSocket;
  readonly messages: any[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(httpUrl: string, protocol = 'graphql-transport-ws') {
    this.ws = new WebSocket(wsUrl(httpUrl), protocol);
    this.opened = new Promise((resolve, reject) => { this.ws.once('open', () => resolve()); this.ws.once('error', reject); });
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on('message', (d) => this.messages.push(JSON.parse(d.toString())));
  }

  send(msg: unknown) {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  async message(type: string, ms = 5000): Promise<any> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.messages.find((x) => x.type === type);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no ${type} message; got ${JSON.stringify(this.messages)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close() {
    this.ws.close();
  }
}

/**
 * Live subscriptions of one query for a test file: `live` connects a client, subscribes and waits until the
 * server holds it; `disposeAll` (afterEach) closes every client and waits until the feed has let them go.
 */
export function liveSubscriptions(app: () => { app: App; url: string }, query: string) {
  const clients: WsClient[] = [];
  return {
    /** Every client opened so far (push one opened by hand to have it closed too). */
    clients,
    async live(token: string, variables: Record<string, unknown> = {}): Promise<{ client: WsClient; c: Collector }> {
      const { app: a, url } = app();
      await settleFeed(a);
      const before = a.deps.feed.subscriberCount;
      const client = connectWs(url, token);
      clients.push(client);
      const c = client.subscribe(query, variables);
      await waitForSubscribers(a, before + 1);
      return { client, c };
    },
    async disposeAll(): Promise<void> {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      const a = app().app;
      const deadline = Date.now() + 10000;
      while (a.deps.feed.subscriberCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    },
  };
}
