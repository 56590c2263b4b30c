import { Client } from 'pg';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { PRINCIPAL_CHANNEL, type PrincipalChangeSource, type PrincipalWatcher } from '../auth/principalCache';
import { CASE_EVENT_CHANNEL, encodeNotice, ListenerSet, type CaseEventNotice, type EventBus } from './EventBus';

/**
 * PostgreSQL LISTEN/NOTIFY: works with the embedded server and needs nothing else. The notice is sent
 * with `pg_notify` inside the writing transaction, so PostgreSQL itself delivers it only on commit (a
 * rollback sends nothing) and in commit order. One dedicated connection listens and reconnects on error.
 *
 * The same connection carries changes of principals (`bkb_principal_changed`, sent by triggers) to the
 * principal cache (src/auth/principalCache.ts), and answers its barriers.
 */
export class PgNotifyEventBus extends ListenerSet implements EventBus, PrincipalChangeSource {
  private client: Client | null = null;
  private readonly principalWatchers = new Set<PrincipalWatcher>();
  /** The barrier sent last (possibly before some waiting request arrived), and the one queued after it. */
  private barrierSent: Promise<void> | null = null;
  private barrierNext: Promise<void> | null = null;
  /** Barriers sent so far (tests and profile notes: requests per barrier under load). */
  barriersSent = 0;
  private url = '';
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private attempt = 0;

  constructor(private readonly logger: Logger) {
    super();
  }

  async start({ databaseUrl }: { databaseUrl: string }): Promise<void> {
    this.url = databaseUrl;
    await this.connect();
  }

  async publishOnCommit(em: EntityManager, _afterCommit: (() => void | Promise<void>)[], notice: CaseEventNotice): Promise<void> {
    await em.query('SELECT pg_notify($1, $2)', [CASE_EVENT_CHANNEL, encodeNotice(notice)]);
  }

  get principalsWatched(): boolean {
    return this.client !== null;
  }

  watchPrincipals(watcher: PrincipalWatcher): () => void {
    this.principalWatchers.add(watcher);
    return () => this.principalWatchers.delete(watcher);
  }

  principalBarrier(): Promise<void> {
    // A request must be covered by a barrier sent after it arrived. One queued behind the barrier in flight
    // (not sent yet) covers every request that comes until it is sent; the one in flight may predate them.
    if (!this.client) return Promise.reject(new Error('not listening'));
    if (this.barrierNext) return this.barrierNext;
    if (!this.barrierSent) return (this.barrierSent = this.sendBarrier());
    const next: Promise<void> = this.barrierSent.catch(() => undefined).then(() => {
      this.barrierNext = null;
      return (this.barrierSent = this.sendBarrier());
    });
    return (this.barrierNext = next);
  }

  private sendBarrier(): Promise<void> {
    const client = this.client;
    // PostgreSQL delivers the notifications committed before it reads this statement ahead of its answer, and
    // pg emits 'notification' for them before it resolves the query.
    if (client) this.barriersSent++;
    const done = client ? client.query('SELECT 1').then(() => undefined) : Promise.reject(new Error('not listening'));
    const sent: Promise<void> = done.finally(() => {
      if (this.barrierSent === sent) this.barrierSent = null;
    });
    return sent;
  }

  private resetPrincipals(): void {
    for (const w of this.principalWatchers) w.reset();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
    this.listeners.clear();
    this.resetPrincipals();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'bkb-hub-listen' });
    client.on('notification', (msg) => {
      if (msg.channel === CASE_EVENT_CHANNEL && msg.payload) this.emitNotice(msg.payload);
      else if (msg.channel === PRINCIPAL_CHANNEL && msg.payload) for (const w of this.principalWatchers) w.changed(msg.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CASE_EVENT_CHANNEL}; LISTEN ${PRINCIPAL_CHANNEL}`);
    // Whatever changed while nobody listened was not notified: cached principals go.
    this.resetPrincipals();
    this.client = client;
    this.attempt = 0;
  }

  private lost(client: Client, err: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
    this.resetPrincipals();
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.logger.warn({ err }, 'LISTEN connection lost; reconnecting');
    this.schedule();
  }

  private schedule(): void {
    const delay = Math.min(5000, 100 * 2 ** this.attempt++);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.closed) return;
      this.connect().then(
        // Anything committed while we were away was not notified to us: the feed re-reads.
        () => { this.logger.info('LISTEN connection restored'); this.emitResync(); },
        (err) => { this.logger.warn({ err }, 'LISTEN reconnect failed'); this.schedule(); },
      );
    }, delay);
  }
}
