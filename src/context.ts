import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { defineAbilityFor, type AppAbility, type Principal } from './auth/ability';
import { bearerToken, type TokenService } from './auth/tokens';
import type { Config } from './config';
import { User } from './entities';
import { unauthenticated } from './errors';
import { Role } from './schema/enums';
import { createLoaders, type Loaders } from './services/loaders';
import type { CaseEventFeed } from './pubsub/CaseEventFeed';
import type { EventBus } from './pubsub/EventBus';
import type { AuditLog, AuditRecord } from './audit/AuditLog';
import { flushAudit } from './audit/audit';

/** What lives for the whole process and every request shares. */
export interface AppDeps {
  config: Config;
  dataSource: DataSource;
  tokens: TokenService;
  logger: Logger;
  events: EventBus;
  /** This instance's tail of committed case events, fanned out to its subscribers. */
  feed: CaseEventFeed;
  /** The tamper-evident audit log (src/audit). */
  audit: AuditLog;
}

/** The per-request (or per-subscription-operation) context: who is asking, what they may do, and batched loaders. */
export interface Context {
  deps: AppDeps;
  user: User | null;
  principal: Principal | null;
  ability: AppAbility;
  /** The entity manager to use: the data source's, or a transaction's inside `transactional`. */
  em: EntityManager;
  loaders: Loaders;
  /** Expiry of the bearer token in seconds since the epoch, when authenticated. */
  tokenExpiresAt?: number;
  /** Work to run once the current transaction has committed (publishing events). */
  afterCommit: (() => void | Promise<void>)[];
  /** Aborted when the WebSocket connection behind a subscription loses its right to it (token expiry). */
  signal?: AbortSignal;
  /** Audit entries of the current transaction, appended when its work is done (see src/audit/audit.ts). */
  auditQueue?: { records: AuditRecord[]; sealed: boolean };
  /** Sensitive fields this request has read, by entity, recorded before the response leaves. */
  auditReads: Map<string, { entityType: string; entityId: string; fields: Set<string> }>;
  /** Set by the HTTP plugin that flushes `auditReads`; otherwise reads are flushed on the next tick. */
  auditReadsOwned?: boolean;
  auditReadsScheduled?: boolean;
}

/** The centres and specialist profile a user is tied to (what centre roles' abilities are built from). */
export interface StaffScope {
  centreIds: string[];
  specialistId: string | null;
}

// Kept beside the user object so that every path that builds a context from an authenticated user
// (HTTP and WebSocket) gets the same scope without another query.
const staffScopes = new WeakMap<User, StaffScope>();

/** Loads the staff scope of a centre coordinator or specialist: one small query, only for those roles. */
export async function loadStaffScope(deps: Pick<AppDeps, 'dataSource'>, user: User): Promise<StaffScope> {
  if (!user.roles.includes(Role.CENTRE_COORDINATOR) && !user.roles.includes(Role.SPECIALIST)) return { centreIds: [], specialistId: null };
  const [row]: { centre_ids: string[] | null; specialist_id: string | null }[] = await deps.dataSource.query(
    `SELECT (SELECT array_agg(centre_id) FROM centre_staff WHERE user_id = $1) AS centre_ids,
            (SELECT id FROM specialist WHERE user_id = $1) AS specialist_id`,
    [user.id],
  );
  return {
    centreIds: user.roles.includes(Role.CENTRE_COORDINATOR) ? (row?.centre_ids ?? []) : [],
    specialistId: user.roles.includes(Role.SPECIALIST) ? (row?.specialist_id ?? null) : null,
  };
}

/** Resolves the bearer token to a user; null without a token, UNAUTHENTICATED for a bad one. */
export async function authenticate(deps: AppDeps, authorization: string | undefined | null): Promise<{ user: User; expiresAt: number } | null> {
  const token = bearerToken(authorization);
  if (!token) return null;
  const claims = await deps.tokens.verify(token);
  const user = await deps.dataSource.getRepository(User).findOne({ where: { id: claims.userId } });
  if (!user || !user.active) throw unauthenticated('Unknown or deactivated user');
  staffScopes.set(user, await loadStaffScope(deps, user));
  return { user, expiresAt: claims.expiresAt };
}

/** Builds a context for a known (or anonymous) user: ability and fresh loaders. */
export function contextFor(deps: AppDeps, user: User | null, tokenExpiresAt?: number, scope?: StaffScope): Context {
  const staff = user ? (scope ?? staffScopes.get(user)) : undefined;
  const principal: Principal | null = user
    ? { id: user.id, organizationId: user.organizationId, roles: user.roles, centreIds: staff?.centreIds ?? [], specialistId: staff?.specialistId ?? null }
    : null;
  const ability = defineAbilityFor(principal);
  const ctx: Context = {
    deps, user, principal, ability, em: deps.dataSource.manager, tokenExpiresAt, afterCommit: [], auditReads: new Map(),
    loaders: undefined as unknown as Loaders,
  };
  ctx.loaders = createLoaders(ctx);
  return ctx;
}

/** The one context builder for HTTP and WebSocket. */
export async function buildContext(deps: AppDeps, authorization: string | undefined | null): Promise<Context> {
  const auth = await authenticate(deps, authorization);
  return contextFor(deps, auth?.user ?? null, auth?.expiresAt);
}

/**
 * Runs `fn` in one transaction with a context bound to it, then (only after commit) the queued
 * after-commit work. A rollback discards that work, so nothing is published for it.
 */
export async function transactional<T>(ctx: Context, fn: (tx: Context) => Promise<T>): Promise<T> {
  const after: (() => void | Promise<void>)[] = [];
  const result = await ctx.deps.dataSource.transaction(async (em) => {
    const tx: Context = { ...ctx, em, afterCommit: after, auditQueue: { records: [], sealed: false } };
    const value = await fn(tx);
    // The transaction's audit entries go in last, in the same transaction (see src/audit/audit.ts).
    await flushAudit(tx);
    return value;
  });
  for (const job of after) {
    try {
      await job();
    } catch (e) {
      ctx.deps.logger.error({ err: e }, 'after-commit job failed');
    }
  }
  return result;
}
