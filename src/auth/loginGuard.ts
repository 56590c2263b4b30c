import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { appError } from '../errors';

/** TOO_MANY_REQUESTS with `extensions.retryAfter` (seconds); over HTTP also status 429 and `Retry-After`. */
export function tooManyRequests(message: string, retryAfterSeconds: number) {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  return appError('TOO_MANY_REQUESTS', `${message}; retry in ${retryAfter} s`, {
    retryAfter,
    http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
  });
}

/** An attempt in progress: points are taken before the password is checked and given back if it was right. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

/**
 * Guards `login` against guessing and against burning CPU:
 *
 * - failed logins are limited per account (all addresses together) and per client address, in a fixed
 *   window; the counters live in Redis when `REDIS_URL` is set (shared by every instance, with an in-memory
 *   fallback while Redis is unreachable), else in this process;
 * - a point is taken *before* the password is checked and given back on success, so that a thousand
 *   parallel guesses cannot all pass the check before the first failure is counted;
 * - password checks (argon2, ~0.1-0.3 s of CPU each) run at most `loginConcurrency` at a time per
 *   instance with a bounded queue; a login beyond it is refused at once rather than queued without end.
 *
 * Account keys are hashed, so no email address is stored in Redis.
 */
export class LoginGuard {
  private readonly perAccount: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;
  private readonly redis: Redis | null;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly config: Config, logger: Logger, redisUrl = config.redisUrl) {
    const window = config.loginWindowSeconds;
    const account = { keyPrefix: 'bkb:login:account', points: config.loginMaxFailuresPerAccount, duration: window };
    const address = { keyPrefix: 'bkb:login:address', points: config.loginMaxFailuresPerAddress, duration: window };
    if (redisUrl) {
      // Required here, not imported: only a hub with REDIS_URL pays for loading the client (~40 modules) at start.
      const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
      this.redis = new RedisClient(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      this.redis.on('error', (err) => logger.warn({ err }, 'Redis (login rate limit) connection error'));
      this.perAccount = new RateLimiterRedis({ ...account, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(account) });
      this.perAddress = new RateLimiterRedis({ ...address, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(address) });
    } else {
      this.redis = null;
      this.perAccount = new RateLimiterMemory(account);
      this.perAddress = new RateLimiterMemory(address);
    }
  }

  /** Where the counters live: `redis` or `memory`. */
  get store(): 'redis' | 'memory' {
    return this.redis ? 'redis' : 'memory';
  }

  /** Takes one point from the account's and the address's budgets, or refuses with TOO_MANY_REQUESTS. */
  async begin(email: string, address: string | undefined): Promise<LoginAttempt> {
    const accountKey = createHash('sha256').update(email).digest('base64url');
    const addressKey = address ?? 'unknown';
    const taken = await Promise.allSettled([this.perAccount.consume(accountKey), this.perAddress.consume(addressKey)]);
    const refused = taken.flatMap((t) => (t.status === 'rejected' ? [t.reason as unknown] : []));
    if (refused.length) {
      const limits = refused.filter((r): r is RateLimiterRes => r instanceof RateLimiterRes);
      if (limits.length < refused.length) throw refused.find((r) => !(r instanceof RateLimiterRes));
      const wait = Math.max(...limits.map((r) => r.msBeforeNext)) / 1000;
      throw tooManyRequests('Too many failed logins for this account or from this address', wait);
    }
    return {
      succeeded: async () => {
        await Promise.all([this.perAccount.reward(accountKey, 1), this.perAddress.reward(addressKey, 1)]);
      },
    };
  }

  /** Runs a password check within the per-instance concurrency budget. */
  async verify<T>(check: () => Promise<T>): Promise<T> {
    if (this.running >= this.config.loginConcurrency) {
      if (this.waiting.length >= this.config.loginQueue) throw tooManyRequests('The server is busy checking passwords', 1);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await check();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes on to the next waiter
      else this.running--;
    }
  }

  async close(): Promise<void> {
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}
