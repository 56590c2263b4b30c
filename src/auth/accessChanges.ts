import type { EntityManager } from 'typeorm';

/** The PostgreSQL NOTIFY channel on which a committed change of a user's rights reaches every instance (payload: the user id). */
export const ACCESS_CHANGED_CHANNEL = 'bkb_access_changed';

type Listener = (userId: string) => void;
const listeners = new Set<Listener>();

/**
 * Registers a reaction to a change of a user's rights (roles, deactivation) on this instance, e.g. ending that
 * user's running subscriptions at once instead of at the next periodic re-check. Returns the unsubscribe.
 * HTTP needs none: a kept principal is dropped by the triggers' NOTIFY and used only after a barrier on the LISTEN
 * connection (auth/principalCache.ts), and abilities are cached by what they are built from (abilityCache.ts), so
 * the next request already runs with the new rights.
 */
export function onAccessChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Inside the transaction that changes a user's rights: other instances are told on commit (NOTIFY on
 * ACCESS_CHANGED_CHANNEL, delivered only if the transaction commits) so that they can LISTEN and react too.
 */
export async function announceAccessChange(em: EntityManager, userId: string): Promise<void> {
  await em.query('SELECT pg_notify($1, $2)', [ACCESS_CHANGED_CHANNEL, userId]);
}

/** After commit: tells this instance's listeners that `userId`'s rights changed. A listener's error is logged by the caller, never thrown here. */
export function notifyAccessChanged(userId: string, onError: (e: unknown) => void = () => undefined): void {
  for (const l of listeners) {
    try {
      l(userId);
    } catch (e) {
      onError(e);
    }
  }
}
