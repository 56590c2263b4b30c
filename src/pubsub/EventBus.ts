import type { EntityManager } from 'typeorm';

/** A committed case event, as it crosses instances: ids only, never record data (payloads pass through server logs). */
export interface CaseEventNotice {
  eventId: string;
  caseId: string;
}

/** The channel every transport uses (a PostgreSQL NOTIFY channel or a Redis pub/sub channel). */
export const CASE_EVENT_CHANNEL = 'bkb_case_events';

export function encodeNotice(n: CaseEventNotice): string {
  return `${n.eventId}:${n.caseId}`;
}

/** Parses `<eventId>:<caseId>`; anything else (a foreign publisher, a truncated message) is ignored. */
export function decodeNotice(payload: string): CaseEventNotice | null {
  const m = /^(\d{1,19}):([0-9a-f-]{36})$/i.exec(payload);
  return m ? { eventId: m[1], caseId: m[2] } : null;
}

export interface EventBusListener {
  /** A case event was committed (possibly on another instance). */
  notice(n: CaseEventNotice): void;
  /** The transport reconnected: notices may have been missed, so the listener should re-read what is new. */
  resync(): void;
}

/**
 * Wakes every instance of the hub when a case event commits. Notices are only wake-ups: the receiver
 * reads the events themselves from the database (see CaseEventFeed), so a notice that is late, out of
 * order, duplicated or lost costs latency, never correctness.
 */
export interface EventBus {
  /** Connects the transport (the database URL is known only once the embedded server runs). */
  start(opts: { databaseUrl: string }): Promise<void>;
  /**
   * Arranges for `notice` to reach every instance once the transaction behind `em` commits, and never
   * if it rolls back: either inside the transaction (PostgreSQL delivers NOTIFY only on commit) or by
   * queueing work on `afterCommit`.
   */
  publishOnCommit(em: EntityManager, afterCommit: (() => void | Promise<void>)[], notice: CaseEventNotice): Promise<void>;
  subscribe(listener: EventBusListener): () => void;
  close(): Promise<void>;
  /** Readiness (`/readyz`): resolves when the transport's own server (Redis) answers; absent when it is the database. */
  ping?(): Promise<void>;
}

/** Shared listener bookkeeping for the transports. */
export abstract class ListenerSet {
  protected readonly listeners = new Set<EventBusListener>();

  subscribe(listener: EventBusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected emitNotice(payload: string): void {
    const n = decodeNotice(payload);
    if (!n) return;
    for (const l of this.listeners) l.notice(n);
  }

  protected emitResync(): void {
    for (const l of this.listeners) l.resync();
  }
}
