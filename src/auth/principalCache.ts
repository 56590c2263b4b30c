/*
 * The authenticated principal, kept per process between requests (issue 11: reading the account and staff scope
 * was one statement on every request), without letting a change of rights wait.
 *
 * - Invalidation: triggers on app_user, centre_staff, specialist and centre send NOTIFY `bkb_principal_changed`
 *   with the user id (`*` for everyone) on commit (migration 1764900001401), whoever writes: the hub on any
 *   instance, a script, plain SQL. Every instance LISTENs on the connection its event bus already holds
 *   (PgNotifyEventBus) and drops the entry.
 * - No window: a cached principal is used only after a **barrier** on that listening connection, a round trip
 *   sent after the request arrived. PostgreSQL hands a listening session the notifications committed before it
 *   reads a command, ahead of that command's answer, so once the barrier answers, every change committed
 *   before the request arrived has been applied to the cache. Barriers are shared: one in flight answers
 *   every request that arrived before it was sent (under load a handful per second, not one per request).
 *   The barrier is `SELECT 1` on the listener: no table, no plan, no row to decode.
 * - A miss reads the database (one statement, as before) and is kept only if no notification, reset or
 *   reconnection came while it was read (a generation counter), so a read racing a change is never kept.
 * - Backstops: entries expire after `ttlMs`; a lost LISTEN connection empties the cache and turns it off until
 *   the connection is back (then every request reads the database). With the Redis event bus, or none that
 *   listens on PostgreSQL, there is no cache: every request reads the database.
 * - Deactivated or unknown users are never kept: their next request reads the database again.
 */

/** What the cache needs from the listening connection (implemented by PgNotifyEventBus). */
export interface PrincipalChangeSource {
  /** Registers the cache's reactions; returns the unsubscribe. */
  watchPrincipals(watcher: PrincipalWatcher): () => void;
  /** True while the LISTEN connection is up and listening on the principal channel. */
  readonly principalsWatched: boolean;
  /**
   * Resolves once every notification committed before this call has been delivered to the watchers;
   * rejects when the connection is not there (the caller then reads the database).
   */
  principalBarrier(): Promise<void>;
}

export interface PrincipalWatcher {
  /** `userId`'s principal changed; `*`: anyone's may have. */
  changed(userId: string): void;
  /** Notifications may have been missed (connection lost or restored): forget everything. */
  reset(): void;
}

export const PRINCIPAL_CHANNEL = 'bkb_principal_changed';

interface Entry<T> {
  value: T;
  expiresAt: number;
}

export class PrincipalCache<T> implements PrincipalWatcher {
  private readonly entries = new Map<string, Entry<T>>();
  private generation = 0;
  private readonly unwatch: () => void;
  /** Counters for tests and the profile notes: hits, misses (database reads) and barriers awaited. */
  readonly stats = { hits: 0, misses: 0, invalidations: 0 };

  constructor(private readonly source: PrincipalChangeSource, private readonly ttlMs: number, private readonly max = 10_000) {
    this.unwatch = source.watchPrincipals(this);
  }

  changed(userId: string): void {
    this.generation++;
    this.stats.invalidations++;
    if (userId === '*') this.entries.clear();
    else this.entries.delete(userId);
  }

  reset(): void {
    this.generation++;
    this.entries.clear();
  }

  close(): void {
    this.unwatch();
    this.reset();
  }

  /**
   * The user's principal: cached (after the barrier) or read with `load`. `load` returns null for an unknown
   * user; `keep` says whether a loaded value may be kept (an active account).
   */
  async get(userId: string, load: () => Promise<T | null>, keep: (v: T) => boolean): Promise<T | null> {
    if (this.entries.has(userId) && this.source.principalsWatched) {
      let synced = true;
      try {
        await this.source.principalBarrier();
      } catch {
        synced = false;
      }
      // After the barrier: every change committed before this request arrived has removed its entry.
      const entry = synced && this.source.principalsWatched ? this.entries.get(userId) : undefined;
      if (entry && entry.expiresAt > Date.now()) {
        this.stats.hits++;
        return entry.value;
      }
    }
    this.stats.misses++;
    const generation = this.generation;
    const watched = this.source.principalsWatched;
    const value = await load();
    if (value !== null && keep(value) && watched && this.source.principalsWatched && generation === this.generation) {
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
      this.entries.delete(userId);
      this.entries.set(userId, { value, expiresAt: Date.now() + this.ttlMs });
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** True when the event bus can carry principal changes (it listens on PostgreSQL). */
export function isPrincipalChangeSource(x: unknown): x is PrincipalChangeSource {
  return !!x && typeof (x as PrincipalChangeSource).watchPrincipals === 'function' && typeof (x as PrincipalChangeSource).principalBarrier === 'function';
}
