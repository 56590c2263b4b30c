import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import type { AppAbility, Principal } from './auth/ability';
import { abilityFor } from './auth/abilityCache';
import type { LoginGuard } from './auth/loginGuard';
import { bearerToken, type TokenService } from './auth/tokens';
import type { Config } from './config';
import { User } from './entities';
import { unauthenticated } from './errors';
import { Role } from './schema/enums';
import { createLoaders, type Loaders } from './loaders/loaders';
import { readRows } from './db/rawRead';
import type { CaseEventFeed } from './pubsub/CaseEventFeed';
import type { EventBus } from './pubsub/EventBus';
import type { AuditLog, AuditRecord } from './audit/AuditLog';
import type { PrincipalCache } from './auth/principalCache';
import { flushAudit } from './audit/audit';
import type { ResolverBudget } from './schema/limits';

/** What lives for the whole process and every request shares. */
export interface AppDeps {
  config: Config;
  dataSource: DataSource;
  tokens: TokenService;
  logger: Logger;
  events: EventBus;
  /** This instance's tail of committed case events, fanned out to its subscribers. */
  feed: CaseEventFeed;
  /** Login rate limits and the password-check budget (src/auth/loginGuard.ts). */
  loginGuard: LoginGuard;
  /** The tamper-evident audit log (src/audit). */
  audit: AuditLog;
  /**
   * Authenticated principals kept between requests, invalidated by PostgreSQL NOTIFY (src/auth/principalCache.ts);
   * absent when the event bus does not listen on PostgreSQL (then every request reads the account).
   */
  principals?: PrincipalCache<PrincipalRow>;
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
  /** The client's address (express `req.ip`, honouring TRUST_PROXY), for per-address limits. */
  clientAddress?: string;
  /** Audit entries of the current transaction, appended when its work is done (see src/audit/audit.ts). */
  auditQueue?: { records: AuditRecord[]; sealed: boolean };
  /** Sensitive fields this request has read, by entity type and id (in the order first read), recorded before the response leaves. */
  auditReads: Map<string, Map<string, string[]>>;
  /** Set by the HTTP plugin that flushes `auditReads`; otherwise reads are flushed on the next tick. */
  auditReadsOwned?: boolean;
  auditReadsScheduled?: boolean;
  /** This request is counted among the readers a group commit waits for (see AuditLog.readerStarted). */
  auditReadsCounted?: number;
  /** Field resolutions this HTTP operation may still make (set by `exposurePlugin`, src/http/security.ts). */
  resolverBudget?: ResolverBudget;
}

/** The centres and specialist profile a user is tied to (what centre roles' abilities are built from). */
export interface StaffScope {
  centreIds: string[];
  /** The organization operating each of those centres (a child's referral goes to it). */
  centreOperators: Record<string, string>;
  specialistId: string | null;
}

// Kept beside the user object so that every path that builds a context from an authenticated user
// (HTTP and WebSocket) gets the same scope without another query.
const staffScopes = new WeakMap<User, StaffScope>();

/** Loads the staff scope of a centre coordinator or specialist (the statement `authenticate` runs). */
export async function loadStaffScope(deps: Pick<AppDeps, 'dataSource'>, user: User): Promise<StaffScope> {
  return (await loadPrincipalRow(deps, user.id))?.scope ?? { centreIds: [], centreOperators: {}, specialistId: null };
}

/** Resolves the bearer token to a user; null without a token, UNAUTHENTICATED for a bad one. */
export async function authenticate(deps: AppDeps, authorization: string | undefined | null): Promise<{ user: User; expiresAt: number } | null> {
  const token = bearerToken(authorization);
  if (!token) return null;
  const claims = await deps.tokens.verify(token);
  const row = deps.principals
    ? await deps.principals.get(claims.userId, () => loadRow(deps, claims.userId), (r) => r.active)
    : await loadRow(deps, claims.userId);
  // A new User each time: a request may change its copy (and keys its staff scope by it).
  const found = row ? principalRowToUser(row) : null;
  if (!found || !found.user.active) throw unauthenticated('Unknown or deactivated user');
  staffScopes.set(found.user, found.scope);
  return { user: found.user, expiresAt: claims.expiresAt };
}

// Read on every authenticated request (HTTP and each WebSocket operation): the account's columns without its
// password hash, and the staff scope of centre roles, in one statement (issue 11). Kept between requests by
// the principal cache only while PostgreSQL tells this instance of every change (src/auth/principalCache.ts):
// deactivation and role or centre changes made directly in the database take effect on the next request.
const PRINCIPAL_SQL = `SELECT u.id, u.email, u.display_name, u.roles::text[] AS roles, u.organization_id, u.active, u.created_at,
       CASE WHEN u.roles && ARRAY['CENTRE_COORDINATOR']::user_role[] THEN
         (SELECT json_agg(json_build_array(cs.centre_id, c.organization_id) ORDER BY cs.centre_id)
            FROM centre_staff cs JOIN centre c ON c.id = cs.centre_id WHERE cs.user_id = u.id) END AS centres,
       CASE WHEN u.roles && ARRAY['SPECIALIST']::user_role[] THEN (SELECT id FROM specialist WHERE user_id = u.id) END AS specialist_id
  FROM app_user u WHERE u.id = ANY($1::uuid[])`;

export type PrincipalRow = {
  id: string; email: string; display_name: string; roles: Role[]; organization_id: string; active: boolean; created_at: Date;
  centres: [string, string][] | null; specialist_id: string | null;
};

async function loadPrincipalRow(deps: Pick<AppDeps, 'dataSource'>, userId: string): Promise<{ user: User; scope: StaffScope } | null> {
  const row = await loadRow(deps, userId);
  return row ? principalRowToUser(row) : null;
}

async function loadRow(deps: Pick<AppDeps, 'dataSource'>, userId: string): Promise<PrincipalRow | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(userId)) return null;
  // A prepared statement on the pool, past TypeORM's query runner (src/db/rawRead.ts).
  const [row] = await readRows<PrincipalRow>(deps.dataSource, PRINCIPAL_SQL, [[userId]]);
  return row ?? null;
}

/**
 * The principals of these users as an HTTP request would build them now, in one statement (the same one
 * `authenticate` runs); a deactivated or deleted user is absent. Open subscriptions compare them with the
 * principal they were authorized with (src/pubsub/CaseEventFeed.ts, src/subscriptions.ts).
 */
export async function loadPrincipals(deps: Pick<AppDeps, 'dataSource'>, userIds: string[]): Promise<Map<string, Principal>> {
  const out = new Map<string, Principal>();
  if (userIds.length === 0) return out;
  const rows = await readRows<PrincipalRow>(deps.dataSource, PRINCIPAL_SQL, [userIds]);
  for (const row of rows) {
    if (!row.active) continue;
    const { user, scope } = principalRowToUser(row);
    out.set(user.id, principalOf(user, scope));
  }
  return out;
}

function principalRowToUser(row: PrincipalRow): { user: User; scope: StaffScope } {
  const user = Object.assign(new User(), {
    id: row.id, email: row.email, displayName: row.display_name, roles: row.roles, organizationId: row.organization_id,
    active: row.active, createdAt: row.created_at,
  });
  const centres = row.centres ?? [];
  return {
    user,
    scope: { centreIds: centres.map(([id]) => id), centreOperators: Object.fromEntries(centres), specialistId: row.specialist_id ?? null },
  };
}

/** The staff scope `authenticate` loaded for this user object (what its ability is built from). */
export function staffScopeOf(user: User): StaffScope | undefined {
  return staffScopes.get(user);
}

/** What a user's ability is built from: its roles, organization and staff scope. */
export function principalOf(user: User, staff: StaffScope | undefined): Principal {
  return {
    id: user.id, organizationId: user.organizationId, roles: user.roles,
    centreIds: staff?.centreIds ?? [], centreOperators: staff?.centreOperators ?? {}, specialistId: staff?.specialistId ?? null,
  };
}

/** Builds a context for a known (or anonymous) user: ability and fresh loaders. */
export function contextFor(deps: AppDeps, user: User | null, tokenExpiresAt?: number, scope?: StaffScope): Context {
  const principal: Principal | null = user ? principalOf(user, scope ?? staffScopes.get(user)) : null;
  const ability = abilityFor(principal);
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
