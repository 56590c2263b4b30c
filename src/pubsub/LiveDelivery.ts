import type net from 'node:net';
import type { ExecutionResult } from 'graphql';
import type WebSocket from 'ws';
import type { EventSnapshot, Subscriber } from './CaseEventFeed';

/**
 * A subscriber more than this many bytes behind on its socket (a client that stopped reading) is cut off
 * with TOO_MANY_REQUESTS and the id to resume from, as the iterator path does after MAX_PENDING_EVENTS.
 */
export const MAX_BUFFERED_BYTES = 4 * 2 ** 20;
const OPEN = 1;
const MAX_GROUP_KEYS = 50_000;
/**
 * Writes whole frames to the TCP socket when ws's sender is idle: only with ws 8, whose internals
 * rawSocket() reads (any other major version uses `send`); LIVE_DELIVERY_DIRECT=0 turns it off.
 */
const DIRECT = process.env.LIVE_DELIVERY_DIRECT !== '0' && wsMajor() === 8;

function wsMajor(): number {
  try {
    return Number(String((require('ws/package.json') as { version?: string }).version).split('.')[0]);
  } catch {
    return 0;
  }
}
/** Text frames, never compressed (the server has permessage-deflate off anyway). */
const SEND_OPTIONS = { binary: false, compress: false, fin: true } as const;

/** What of ws's WebSocket internals (ws 8) the framed write relies on; checked before every use. */
interface WsInternals {
  _socket?: net.Socket | null;
  _sender?: { _state?: number; _firstFragment?: boolean } | null;
  _extensions?: Record<string, unknown>;
}

/**
 * The socket under a server-side ws WebSocket, when a complete frame may be written to it directly:
 * ws's sender is idle (nothing queued: no compression, no blob pending, not inside a fragmented
 * message), so a frame written now goes out in the same order as through `send`. Otherwise null.
 */
function rawSocket(ws: WebSocket): net.Socket | null {
  const w = ws as unknown as WsInternals;
  const sender = w._sender;
  const sock = w._socket;
  if (!sock || !sender || sender._state !== 0 || sender._firstFragment !== true) return null;
  if (w._extensions?.['permessage-deflate']) return null;
  if (sock.destroyed || !sock.writable) return null;
  return sock;
}

/** The header of an unmasked, final text frame of `n` payload bytes (RFC 6455 §5.2). */
function headerLength(n: number): number {
  return n < 126 ? 2 : n < 65536 ? 4 : 10;
}
function writeHeader(frame: Buffer, n: number): void {
  frame[0] = 0x81;
  if (n < 126) frame[1] = n;
  else if (n < 65536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    frame.writeUInt32BE(n >>> 0, 6);
  }
}

/** One graphql-ws operation on the fast path: its socket, its operation id and the sharing key of its payloads. */
export class LiveTarget {
  /** Cleared by the iterator's return() (client `complete`, socket closed): nothing more is sent for it. */
  active = true;
  /** `{"id":"<id>","type":"next","payload":` — the payload and the closing brace follow. */
  private readonly prefix: Buffer;

  constructor(
    private readonly socket: WebSocket,
    id: string,
    readonly subscriber: Subscriber,
    /** Subscribers in the same group (same permissions and operation) receive byte-identical payloads. */
    readonly group: number,
    /** The shared execution of the operation for an event (one per key and event). */
    readonly execute: (s: EventSnapshot) => Promise<ExecutionResult>,
  ) {
    this.prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  }

  /** Writes one `next` message; `tail` is the serialized payload followed by `}`. */
  deliver(tail: Buffer, id: bigint): void {
    if (!this.active || this.subscriber.ended) return;
    const ws = this.socket;
    if (ws.readyState !== OPEN) return;
    const p = this.prefix;
    const n = p.length + tail.length;
    const sock = DIRECT ? rawSocket(ws) : null;
    if (sock) {
      // The whole frame in one buffer and one write: ws's send would cork, write the header and the
      // data separately and uncork (a writev) for each of thousands of messages per event.
      const h = headerLength(n);
      const frame = Buffer.allocUnsafe(h + n);
      writeHeader(frame, n);
      p.copy(frame, h);
      tail.copy(frame, h + p.length);
      sock.write(frame);
    } else {
      const data = Buffer.allocUnsafe(n);
      p.copy(data, 0);
      tail.copy(data, p.length);
      ws.send(data, SEND_OPTIONS);
    }
    this.subscriber.sent(id);
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) this.subscriber.tooSlow();
  }
}

/** The subscribers of one event sharing one payload. */
interface Group {
  tail: Buffer | null;
  error: unknown;
  failed: boolean;
  targets: LiveTarget[];
}

interface Batch {
  snapshot: EventSnapshot;
  groups: Map<number, Group>;
  /** Executions not settled yet. */
  pending: number;
}

/**
 * The fast path of live deliveries over graphql-ws. graphql-ws pulls one event at a time through each
 * subscription's async iterator and serializes each message separately: a promise chain and a
 * JSON.stringify per delivery. Here a live event is executed once per (permissions, operation) as
 * before, serialized once per group, and written to every socket of the group in one synchronous loop,
 * splicing only the operation id. Events go out strictly in the order they were offered (a batch waits
 * for the executions of every earlier batch), so each subscriber gets its events in id order.
 *
 * graphql-ws still owns the protocol (init, subscribe, complete, ping, errors, close codes): each
 * subscription's iterator stays parked (see Subscriber.nextOrSink) until it completes or fails, and
 * catch-up events still go through it before the subscriber parks.
 */
export class LiveDelivery {
  private batches: Batch[] = [];
  private head = 0;
  /** Sharing keys (long strings: permissions and operation text) as small numbers, for the per-delivery lookup. */
  private readonly groupIds = new Map<string, number>();
  private nextGroupId = 0;

  /** `serialize` gives the `payload` JSON exactly as graphql-ws would send it (errors formatted). */
  constructor(private readonly serialize: (result: ExecutionResult) => string) {}

  /** The number standing for a sharing key. Bounded: past the limit numbering restarts, which only splits groups. */
  groupOf(key: string): number {
    let id = this.groupIds.get(key);
    if (id === undefined) {
      if (this.groupIds.size >= MAX_GROUP_KEYS) this.groupIds.clear();
      this.groupIds.set(key, (id = this.nextGroupId++));
    }
    return id;
  }

  /** A live event for a parked subscription (called synchronously from the feed's dispatch, in id order). */
  offer(t: LiveTarget, s: EventSnapshot): void {
    let b = this.batches.length > this.head ? this.batches[this.batches.length - 1] : undefined;
    if (!b || b.snapshot !== s) {
      b = { snapshot: s, groups: new Map(), pending: 0 };
      this.batches.push(b);
    }
    let g = b.groups.get(t.group);
    if (!g) {
      const group: Group = (g = { tail: null, error: null, failed: false, targets: [] });
      b.groups.set(t.group, group);
      b.pending++;
      const batch = b;
      let result: Promise<ExecutionResult>;
      try {
        result = t.execute(s);
      } catch (e) {
        result = Promise.reject(e);
      }
      result.then(
        (r) => {
          try {
            group.tail = Buffer.from(`${this.serialize(r)}}`);
          } catch (e) {
            group.failed = true;
            group.error = e;
          }
        },
        (e) => {
          group.failed = true;
          group.error = e;
        },
      ).finally(() => {
        batch.pending--;
        this.pump();
      });
    }
    g.targets.push(t);
  }

  /** Sends every batch at the head whose executions have settled. */
  private pump(): void {
    while (this.head < this.batches.length) {
      const b = this.batches[this.head];
      if (b.pending > 0) return;
      this.batches[this.head++] = undefined as unknown as Batch;
      this.send(b);
    }
    this.batches = [];
    this.head = 0;
  }

  private send(b: Batch): void {
    const id = b.snapshot.id;
    for (const g of b.groups.values()) {
      const { tail, targets } = g;
      for (let i = 0; i < targets.length; i++) {
        const t = targets[i];
        try {
          // The subscription fails as it would on the iterator path: graphql-ws sends the error.
          if (g.failed || !tail) t.subscriber.fail(g.error ?? new Error('Subscription payload failed'));
          else t.deliver(tail, id);
        } catch (e) {
          t.subscriber.fail(e);
        }
      }
    }
  }
}
