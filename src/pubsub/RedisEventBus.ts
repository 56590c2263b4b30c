import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { CASE_EVENT_CHANNEL, encodeNotice, ListenerSet, type CaseEventNotice, type EventBus } from './EventBus';

/**
 * Redis pub/sub, for fleets where many instances listening on PostgreSQL would load it. Redis knows
 * nothing of our transactions, so the notice is published after commit; a crash between commit and
 * publish, or a lost message, is healed by the feed's periodic re-read.
 */
export class RedisEventBus extends ListenerSet implements EventBus {
  private pub: Redis | null = null;
  private sub: Redis | null = null;

  constructor(private readonly url: string, private readonly logger: Logger) {
    super();
  }

  async start(): Promise<void> {
    // Two connections: a subscribed Redis connection can do nothing but receive.
    // Required here, not imported: only a hub with REDIS_URL pays for loading the client at start.
    const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
    this.pub = new RedisClient(this.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.sub = new RedisClient(this.url, { lazyConnect: true });
    for (const c of [this.pub, this.sub]) c.on('error', (err) => this.logger.warn({ err }, 'Redis connection error'));
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    this.sub.on('message', (channel: string, message: string) => {
      if (channel === CASE_EVENT_CHANNEL) this.emitNotice(message);
    });
    await this.sub.subscribe(CASE_EVENT_CHANNEL);
    // Registered after the first connection: 'ready' now means a reconnect. ioredis re-subscribes by
    // itself, but what was published meanwhile is gone, so the feed re-reads.
    this.sub.on('ready', () => this.emitResync());
  }

  async publishOnCommit(_em: EntityManager, afterCommit: (() => void | Promise<void>)[], notice: CaseEventNotice): Promise<void> {
    afterCommit.push(async () => {
      await this.pub?.publish(CASE_EVENT_CHANNEL, encodeNotice(notice));
    });
  }

  async ping(): Promise<void> {
    if (!this.pub) throw new Error('Redis is not connected');
    await this.pub.ping();
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.all([this.pub, this.sub].map((c) => c?.quit().catch(() => c.disconnect())));
    this.pub = this.sub = null;
  }
}
