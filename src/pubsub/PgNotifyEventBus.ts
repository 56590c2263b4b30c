import { Client } from 'pg';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { CASE_EVENT_CHANNEL, encodeNotice, ListenerSet, type CaseEventNotice, type EventBus } from './EventBus';

/**
 * PostgreSQL LISTEN/NOTIFY: works with the embedded server and needs nothing else. The notice is sent
 * with `pg_notify` inside the writing transaction, so PostgreSQL itself delivers it only on commit (a
 * rollback sends nothing) and in commit order. One dedicated connection listens and reconnects on error.
 */
export class PgNotifyEventBus extends ListenerSet implements EventBus {
  private client: Client | null = null;
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

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
    this.listeners.clear();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'bkb-hub-listen' });
    client.on('notification', (msg) => {
      if (msg.channel === CASE_EVENT_CHANNEL && msg.payload) this.emitNotice(msg.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`LISTEN ${CASE_EVENT_CHANNEL}`);
    this.client = client;
    this.attempt = 0;
  }

  private lost(client: Client, err: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = null;
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
