import type http from 'node:http';
import { setMaxListeners } from 'node:events';
import { useServer } from 'graphql-ws/use/ws';
import type { Extra } from 'graphql-ws/use/ws';
import type { ConnectionInitMessage, Context as WsContext } from 'graphql-ws';
import {
  createSourceEventStream, execute, GraphQLError, parse, specifiedRules, validate,
  type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema,
} from 'graphql';
import { WebSocketServer } from 'ws';
import { authenticate, contextFor, loadPrincipals, principalOf, staffScopeOf, type AppDeps, type Context } from './context';
import { principalKey } from './auth/abilityCache';
import { appError, unauthenticated } from './errors';
import { permissionKey, primeLoaders, Subscriber, type EventSink } from './pubsub/CaseEventFeed';
import { LiveDelivery, LiveTarget } from './pubsub/LiveDelivery';
import type { CaseStatusChange } from './schema/CaseStatusChange';
import { assertComplexity, limitRules, MAX_DOCUMENT_TOKENS } from './schema/limits';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createLoaders } from './loaders/loaders';

export interface WebSocketHandle {
  dispose(): Promise<void>;
  /** Open, authenticated connections per user id (for tests and metrics). */
  connectionsPerUser(): ReadonlyMap<string, number>;
}

/** Close codes of our own, beside the protocol's (4400 bad message, 4401 not acknowledged, 4403 forbidden, 4408 init timeout, 4409 duplicate id, 4429 second init). */
export const CLOSE_TOKEN_EXPIRED = { code: 4403, reason: 'Token expired: reconnect with a fresh token' } as const;
/** The user was deactivated, or its roles or organization changed, while connected: its rights are not those it connected with. */
export const CLOSE_ACCOUNT_CHANGED = { code: 4403, reason: 'Account changed or deactivated: reconnect' } as const;
/** Too many connections for one user: 4429 like HTTP's 429; the graphql-ws client does not retry it. */
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;

type Auth = NonNullable<Awaited<ReturnType<typeof authenticate>>>;

/** What a connection holds once authenticated. */
interface ConnectionState {
  auth: Auth;
  /** The Authorization value of connection_init: each operation authenticates with it again, as HTTP does per request. */
  authorization: string;
  /** Aborted when the token expires: every subscription of the connection ends. */
  abort: AbortController;
  timer: NodeJS.Timeout | null;
  socket: Extra['socket'];
}

type Formatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

const stateOf = (ctx: WsContext<Record<string, unknown> | undefined, Extra & { state?: ConnectionState }>) => ctx.extra.state;

/**
 * graphql-ws (subprotocol graphql-transport-ws) on the HTTP server's `/graphql` path. Authentication
 * is in connection_init; every operation passes the same validation (depth, complexity) as over HTTP;
 * per-connection and per-user limits apply; an expiring token ends the subscriptions and the socket.
 */
export function attachWebSocket({ httpServer, schema, deps, formatError }: {
  httpServer: http.Server; schema: GraphQLSchema; deps: AppDeps; formatError: Formatter;
}): WebSocketHandle {
  const { config, logger } = deps;
  // No permessage-deflate (ws's default for servers, made explicit): compressing thousands of copies of
  // each event would cost more CPU than the bandwidth it saves.
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', perMessageDeflate: false });
  const perUser = new Map<string, number>();
  const rules = [...specifiedRules, ...limitRules(config.maxQueryDepth), ...(config.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  /** The part of a sharing key that names the operation: text, name and variables. */
  const operationKeys = new WeakMap<object, string>();
  /** Where each operation's messages go (its socket and operation id), for the live fast path. */
  const wires = new WeakMap<object, Wire>();
  const formatted = new WeakMap<ExecutionResult, unknown>();

  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));
  /** The `next` payload as onNext below and graphql-ws make it: errors masked and coded, formatted once per result. */
  const nextPayload = (result: ExecutionResult): ExecutionResult => {
    if (!result.errors?.length) return result;
    let out = formatted.get(result);
    if (!out) formatted.set(result, (out = { ...result, errors: format(result.errors) }));
    return out as ExecutionResult;
  };
  const delivery = new LiveDelivery((result) => JSON.stringify(nextPayload(result)));

  // Thousands of subscribers send the same few operations: parse and validate each text once and share
  // the (immutable) document. Bounded so that arbitrary texts cannot grow it without limit.
  const documents = new Map<string, DocumentNode | GraphQLError[]>();
  const checkDocument = (query: string): DocumentNode | GraphQLError[] => {
    const known = documents.get(query);
    if (known) return known;
    let checked: DocumentNode | GraphQLError[];
    try {
      const document = parse(query, { maxTokens: MAX_DOCUMENT_TOKENS });
      const errors = validate(schema, document, rules);
      checked = errors.length
        ? errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }))
        : document;
    } catch (e) {
      checked = [new GraphQLError((e as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    if (documents.size >= DOCUMENT_CACHE_SIZE) documents.delete(documents.keys().next().value!);
    documents.set(query, checked);
    return checked;
  };

  // Subscribers with identical permissions share one (immutable) CASL ability object.
  const abilities = new Map<string, Context['ability']>();
  const subscriptionContext = (state: ConnectionState, auth: Auth): Context => {
    const ctx = contextFor(deps, auth.user, auth.expiresAt);
    const key = permissionKey(ctx);
    const shared = abilities.get(key);
    if (shared) ctx.ability = shared;
    else {
      if (abilities.size >= ABILITY_CACHE_SIZE) abilities.clear();
      abilities.set(key, ctx.ability);
    }
    ctx.signal = state.abort.signal;
    lazyLoaders(ctx);
    return ctx;
  };

  const connections = new Set<ConnectionState>();

  /** Ends every subscription of a connection with `error`, lets those messages go out, then closes the socket. */
  const endConnection = (state: ConnectionState, error: GraphQLError, close: { code: number; reason: string }) => {
    state.abort.abort(error);
    setTimeout(() => state.socket.close(close.code, close.reason), 50).unref();
  };

  const closeForAccount = (state: ConnectionState) => {
    logger.info({ userId: state.auth.user.id }, 'closing a WebSocket whose account changed');
    connections.delete(state);
    endConnection(state, unauthenticated('Your account changed or was deactivated: log in again'), CLOSE_ACCOUNT_CHANGED);
  };
  // The feed re-reads its subscribers' principals before every batch of events and ends the subscriptions whose
  // rights changed; the user's connections close with them (a query over them would re-authenticate anyway).
  deps.feed.onAccessChanged = (userId) => {
    for (const state of [...connections]) if (state.auth.user.id === userId) closeForAccount(state);
  };
  // Every operation authenticates again (the subscription's ability is built then), and the feed checks rights
  // before each event; a connection with no event to deliver is still re-read every few seconds, in one
  // statement: a deactivated user or one whose roles, organization, centres or specialist profile changed has
  // its connection closed even if no event arrives.
  const recheckAccounts = async () => {
    if (connections.size === 0 || !deps.dataSource?.isInitialized) return;
    // Only the connections open when the statement was sent: one opened meanwhile has a user not read here (and
    // was authenticated just now), so judging it by this answer would close a sound connection.
    const open = [...connections];
    const current = await loadPrincipals(deps, [...new Set(open.map((c) => c.auth.user.id))]);
    for (const state of open) {
      if (!connections.has(state)) continue;
      const { user } = state.auth;
      const now = current.get(user.id);
      if (now && principalKey(now) === principalKey(principalOf(user, staffScopeOf(user)))) continue;
      closeForAccount(state);
    }
  };
  const recheckTimer = config.accountRecheckSeconds > 0
    ? setInterval(() => { recheckAccounts().catch((err) => logger.error({ err }, 'account re-check failed')); }, config.accountRecheckSeconds * 1000)
    : null;
  recheckTimer?.unref();

  const release = (state: ConnectionState) => {
    connections.delete(state);
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    const id = state.auth.user.id;
    const n = (perUser.get(id) ?? 1) - 1;
    if (n <= 0) perUser.delete(id);
    else perUser.set(id, n);
  };

  /** Ends the connection's subscriptions with UNAUTHENTICATED when the token expires, then closes the socket. */
  const armExpiry = (state: ConnectionState, socket: Extra['socket']) => {
    const ms = state.auth.expiresAt * 1000 - Date.now();
    state.timer = setTimeout(() => {
      if (state.auth.expiresAt * 1000 > Date.now()) return armExpiry(state, socket); // timers cap at ~24 days
      endConnection(state, unauthenticated('Token expired: log in again'), CLOSE_TOKEN_EXPIRED);
    }, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    state.timer.unref();
  };

  const server = useServer<ConnectionInitMessage['payload'], { state: ConnectionState | undefined }>(
    {
      schema,
      onConnect: async (ctx) => {
        const header = (ctx.connectionParams?.Authorization ?? ctx.connectionParams?.authorization) as string | undefined;
        let auth: Auth | null;
        try {
          auth = await authenticate(deps, header);
        } catch {
          auth = null;
        }
        if (!auth) return false; // 4403 Forbidden
        const open = perUser.get(auth.user.id) ?? 0;
        if (open >= config.maxConnectionsPerUser) {
          ctx.extra.socket.close(CLOSE_TOO_MANY_CONNECTIONS, `Too many connections for this user (at most ${config.maxConnectionsPerUser})`);
          return false;
        }
        perUser.set(auth.user.id, open + 1);
        const state: ConnectionState = { auth, authorization: header!, abort: new AbortController(), timer: null, socket: ctx.extra.socket };
        connections.add(state);
        // Each subscription listens for the abort; allow as many listeners as subscriptions.
        setMaxListeners(config.maxSubscriptionsPerConnection + 10, state.abort.signal);
        ctx.extra.state = state;
        armExpiry(state, ctx.extra.socket);
        return true;
      },
      onClose: (ctx) => {
        const state = stateOf(ctx);
        if (!state) return;
        ctx.extra.state = undefined;
        release(state);
        state.abort.abort(appError('UNAUTHENTICATED', 'Connection closed'));
      },
      onSubscribe: async (ctx, id, payload) => {
        const state = stateOf(ctx)!;
        if (state.abort.signal.aborted || state.auth.expiresAt * 1000 <= Date.now()) return [unauthenticated('Token expired: log in again')];
        // ctx.subscriptions already holds this operation.
        const active = Object.keys(ctx.subscriptions).length;
        if (active > config.maxSubscriptionsPerConnection) {
          return [appError('TOO_MANY_REQUESTS', `Too many operations on this connection (at most ${config.maxSubscriptionsPerConnection}); complete one or open another connection`, {
            maximum: config.maxSubscriptionsPerConnection,
          })];
        }
        const checked = checkDocument(payload.query);
        if (Array.isArray(checked)) return checked;
        const document = checked;
        try {
          assertComplexity(schema, document, payload.variables ?? undefined, payload.operationName ?? undefined, config.maxQueryComplexity, config.maxPageSize);
        } catch (e) {
          if (e instanceof GraphQLError) return [e];
          throw e;
        }
        // Authenticate this operation as HTTP authenticates a request: the user as it is now (active, roles,
        // organization, centres, specialist profile), so a query or mutation sees exactly what HTTP would.
        let auth: Auth | null;
        try {
          auth = await authenticate(deps, state.authorization);
        } catch {
          auth = null;
        }
        if (!auth) return [unauthenticated('Your account changed or was deactivated: log in again')];
        const contextValue = subscriptionContext(state, auth);
        contextValue.clientAddress = ctx.extra.request.socket.remoteAddress;
        operationKeys.set(contextValue, `${payload.operationName ?? ''}\u0000${JSON.stringify(payload.variables ?? {})}\u0000${payload.query}`);
        wires.set(contextValue, { socket: ctx.extra.socket, id });
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
      },
      subscribe: (args) => subscribeShared(args, operationKeys, wires, delivery),
      // Same masking and codes as HTTP; a result shared by many subscribers is formatted once.
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors?.length ? nextPayload(result) : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors),
    },
    wss,
  );
  wss.on('error', (err) => logger.error({ err }, 'WebSocket server error'));
  return {
    async dispose() {
      if (recheckTimer) clearInterval(recheckTimer);
      deps.feed.onAccessChanged = null;
      await server.dispose();
    },
    connectionsPerUser: () => perUser,
  };
}

/** The socket and operation id of a graphql-ws operation. */
interface Wire {
  socket: Extra['socket'];
  id: string;
}

const DOCUMENT_CACHE_SIZE = 500;
const ABILITY_CACHE_SIZE = 10_000;
const idleLoaders = new WeakMap<Context, Context['loaders'] | undefined>();

/** Makes `ctx.loaders` created on first use, so that a subscription between events holds none. */
function lazyLoaders(ctx: Context): void {
  idleLoaders.set(ctx, undefined);
  Object.defineProperty(ctx, 'loaders', {
    configurable: true,
    enumerable: true,
    get: () => {
      let l = idleLoaders.get(ctx);
      if (!l) idleLoaders.set(ctx, (l = createLoaders(ctx)));
      return l;
    },
    set: (l: Context['loaders'] | undefined) => { idleLoaders.set(ctx, l); },
  });
}

function releaseLoaders(ctx: Context): void {
  (ctx as { loaders: Context['loaders'] | undefined }).loaders = undefined;
}

/**
 * Like graphql's `subscribe`, but subscribers with the same permissions and the same operation share
 * one execution per event: for 10,000 subscribers an event costs one execution per distinct
 * (permissions, operation), not one per subscriber. Each execution gets fresh loaders primed from the
 * event's snapshot, so nothing cached from an earlier event (a share since removed) is reused.
 */
async function subscribeShared(args: ExecutionArgs, operationKeys: WeakMap<object, string>, wires: WeakMap<object, Wire>, delivery: LiveDelivery) {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in Object(source))) return source as ExecutionResult;
  const it = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const ctx = args.contextValue as Context;
  const op = operationKeys.get(ctx);
  const key = op !== undefined ? `${permissionKey(ctx)}\u0001${op}` : null;

  const run = async (value: unknown) => {
    ctx.loaders = createLoaders(ctx);
    const snapshot = (value as Partial<CaseStatusChange>)?.source;
    if (snapshot) primeLoaders(ctx, snapshot);
    try {
      return await execute({ ...args, rootValue: value });
    } finally {
      // Nothing cached may outlive the event (a share removed since); and idle subscribers hold no loaders.
      releaseLoaders(ctx);
    }
  };
  const executeEvent = (value: unknown): Promise<ExecutionResult> => {
    const snapshot = (value as Partial<CaseStatusChange>)?.source;
    if (!snapshot || key === null) return run(value);
    let result = snapshot.results.get(key) as Promise<ExecutionResult> | undefined;
    if (!result) snapshot.results.set(key, (result = run(value)));
    return result;
  };

  // Live events of a feed subscriber skip graphql-ws's per-message path (see LiveDelivery): once caught
  // up, the subscriber parks and hands its events to the shared fan-out, which writes them to the socket.
  const wire = wires.get(ctx);
  const live = wire && key !== null && it instanceof Subscriber
    ? new LiveTarget(wire.socket, wire.id, it, delivery.groupOf(key), (s) => executeEvent(s.change))
    : null;
  const sink: EventSink | null = live ? (s) => delivery.offer(live, s) : null;

  // A hand-written iterator, not an async generator: return() must end a subscription that is waiting
  // for its next event right away (a generator would only see it after the next event).
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]() { return mapped; },
    async next() {
      // Called again only once graphql-ws has sent the previous message: parking now keeps the order.
      const r = sink ? await (it as Subscriber).nextOrSink(sink) : await it.next();
      if (r.done) return { value: undefined, done: true };
      return { value: await executeEvent(r.value), done: false };
    },
    async return() {
      if (live) live.active = false;
      await it.return?.();
      return { value: undefined, done: true };
    },
    async throw(e: unknown) {
      if (live) live.active = false;
      await it.return?.();
      throw e;
    },
  };
  return mapped;
}
