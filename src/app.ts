import http from 'node:http';
import path from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { LoginGuard } from './auth/loginGuard';
import { resolveJwtSecret, TokenService } from './auth/tokens';
import type { Config } from './config';
import { buildContext, type AppDeps, type Context } from './context';
import { createDataSource, migrate } from './db/dataSource';
import { startEmbedded, type EmbeddedServer } from './db/embeddedPostgres';
import { mapDatabaseError } from './db/pgErrors';
import { seedDemo } from './db/seed';
import { sweepExports } from './services/evidence/exportSweep';
import { createMetrics } from './http/metrics';
import { mountExposure, withRequest } from './http/routes';
import { apolloExpress } from './http/apolloExpress';
import { exposurePlugin } from './http/security';
import { CaseEventFeed } from './pubsub/CaseEventFeed';
import type { EventBus } from './pubsub/EventBus';
import { PgNotifyEventBus } from './pubsub/PgNotifyEventBus';
import { isPrincipalChangeSource, PrincipalCache } from './auth/principalCache';
import { RedisEventBus } from './pubsub/RedisEventBus';
import { buildSchema } from './schema/buildSchema';
import { assertComplexity, limitRules, MAX_DOCUMENT_TOKENS } from './schema/limits';
import { attachWebSocket, type WebSocketHandle } from './subscriptions';
import { appError, KNOWN_CODES, RETRY_AFTER_SECONDS, withHttpStatus } from './errors';
import { currentRequest, requestIdFrom, runInRequestScope } from './requestScope';
import { createLogger } from './logger';
import { AuditLog } from './audit/AuditLog';
import { adoptReaderTicket, auditReadsPlugin } from './audit/audit';
import { recordEvidenceAccess } from './services/evidence/evidenceAccess';
import { evidenceRouter } from './http/evidenceRouter';
import { StartTimeline } from './startTimeline';
import { readFastPathPlugin } from './fastpath/plugin';

export interface AppOptions {
  /** Overrides config.databaseUrl (tests pass their own database). */
  databaseUrl?: string;
  /** Receives every SQL statement (the statement-count test). */
  queryLogger?: TypeOrmLogger;
  logger?: Logger;
  /**
   * The embedded PostgreSQL, already starting (src/main.ts launches it before loading the hub so that it
   * boots meanwhile); the app stops it. Without it and without a database URL, start() starts one.
   */
  embedded?: Promise<EmbeddedServer>;
  /** Replaces the event bus (default: Redis pub/sub when REDIS_URL is set, else PostgreSQL LISTEN/NOTIFY). */
  events?: EventBus;
  /** Receives the phases of the start (src/main.ts logs them). */
  timeline?: StartTimeline;
}

export interface App {
  httpServer: http.Server;
  deps: AppDeps;
  schema: GraphQLSchema;
  /** Opens the database (starting the embedded server if needed), migrates, seeds, then listens. Resolves to the URL. */
  start(port?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The one place errors are shaped for clients: known codes pass; database errors become domain errors
 * (src/db/pgErrors.ts); anything else is masked, always, and logged in full under the request id that the
 * client also gets (`extensions.requestId`), so a report can be matched to the log line.
 */
export function formatError(_config: Config, logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const requestId = currentRequest()?.requestId;
    let out = formatted;
    const code = formatted.extensions?.code as string | undefined;
    if (!code || !KNOWN_CODES.has(code)) {
      const mapped = mapDatabaseError(error);
      const { http: _http, ...extensions } = mapped?.extensions ?? {};
      if (mapped) {
        logger.warn({ err: (error as GraphQLError)?.originalError ?? error, path: formatted.path, code: extensions.code }, 'database error mapped');
        out = { message: mapped.message, path: formatted.path, locations: formatted.locations, extensions };
      } else {
        logger.error({ err: (error as GraphQLError)?.originalError ?? error, path: formatted.path }, 'unexpected error');
        out = { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
    }
    return requestId ? { ...out, extensions: { ...out.extensions, requestId } } : out;
  };
}

/**
 * Request-level outcomes as HTTP statuses: client mistakes found before execution are 400 (Apollo
 * would answer 500 for errors thrown in its hooks), and a response carrying SERVICE_UNAVAILABLE is a 503
 * with Retry-After, so proxies and clients retry later instead of paging someone.
 */
function httpOutcomePlugin(schema: GraphQLSchema, config: Config): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operationName }) {
          const scope = currentRequest();
          if (scope && operationName) scope.operationName = operationName.slice(0, 100);
          try {
            assertComplexity(schema, document, request.variables, request.operationName ?? undefined, config.maxQueryComplexity, config.maxPageSize);
          } catch (e) {
            // A RangeError is the estimator's recursion running out of stack: the operation is nested too deeply.
            if (e instanceof RangeError) throw withHttpStatus(appError('BAD_USER_INPUT', 'The operation is nested too deeply to be estimated'));
            throw e instanceof GraphQLError ? withHttpStatus(e.extensions?.code ? e : appError('BAD_USER_INPUT', e.message)) : e;
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if (errors.some((e) => e.extensions?.code === 'SERVICE_UNAVAILABLE')) {
            response.http.status = 503;
            response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
          }
        },
      };
    },
  };
}

/** Authentication failures are 401, an unreachable database 503; both without internals. */
function contextError(e: unknown, logger: Logger): unknown {
  if (e instanceof GraphQLError && e.extensions?.code) return withHttpStatus(e);
  const mapped = mapDatabaseError(e);
  if (mapped) logger.warn({ err: e }, 'could not authenticate: database unavailable');
  return mapped ? withHttpStatus(mapped) : e;
}

/**
 * Errors of the HTTP layer (a malformed or too-large body, a bad charset) as JSON GraphQL errors with
 * the request id, never express's HTML page with a stack trace and file paths.
 */
function jsonErrorHandler(logger: Logger, bodyLimit: string | number): express.ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean };
    const status = e.status ?? e.statusCode ?? 500;
    let code: string;
    let message: string;
    if (status === 413) {
      code = 'PAYLOAD_TOO_LARGE';
      message = `The request body is larger than ${bodyLimit}`;
    } else if (e.type === 'entity.parse.failed') {
      code = 'BAD_REQUEST';
      message = 'The request body is not valid JSON';
    } else if (status >= 400 && status < 500) {
      code = 'BAD_REQUEST';
      message = e.expose && err instanceof Error ? err.message : 'Bad request';
    } else {
      code = 'INTERNAL_SERVER_ERROR';
      message = 'Internal server error';
      logger.error({ err, requestId: res.locals.requestId }, 'HTTP layer error');
    }
    res.status(status >= 400 && status < 600 ? status : 500).json({ errors: [{ message, extensions: { code, requestId: res.locals.requestId } }] });
  };
}

/** Gives every request an id (echoed in `x-request-id`) and runs the rest of it in that request's scope. */
function requestScopeMiddleware(): express.RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    runInRequestScope({ requestId }, next);
  };
}

/** Readiness: the database answers (and Redis, when configured); liveness (`/healthz`) asks nothing. */
async function readiness(deps: AppDeps): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
  const checks: Record<string, string> = {};
  try {
    if (!deps.dataSource?.isInitialized) throw new Error('not initialised');
    await within(deps.dataSource.query('SELECT 1'), 2000);
    checks.database = 'ok';
  } catch {
    checks.database = 'unavailable';
  }
  if (deps.events.ping) {
    try {
      await within(deps.events.ping(), 2000);
      checks.events = 'ok';
    } catch {
      checks.events = 'unavailable';
    }
  }
  return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
}

/** Builds the hub (HTTP and WebSocket on one server and path) without listening. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config);
  let databaseUrl = options.databaseUrl ?? config.databaseUrl;
  let embedded: EmbeddedServer | undefined;
  const tokens = new TokenService(resolveJwtSecret(config), config.tokenTtlSeconds);
  const timeline = options.timeline ?? new StartTimeline();
  const schema = await timeline.time('schema (type-graphql, federation)', buildSchema);
  const httpServer = http.createServer();
  let dataSource: DataSource | undefined;
  const events = options.events ?? (config.redisUrl ? new RedisEventBus(config.redisUrl, logger) : new PgNotifyEventBus(logger));
  const deps = { config, tokens, logger, events } as AppDeps;
  Object.defineProperty(deps, 'dataSource', { get: () => dataSource, enumerable: true });
  deps.feed = new CaseEventFeed(deps);
  // The principal kept between requests only where PostgreSQL tells this instance of every change to it.
  if (config.principalCacheSeconds > 0 && isPrincipalChangeSource(events)) deps.principals = new PrincipalCache(events, config.principalCacheSeconds * 1000);
  deps.loginGuard = new LoginGuard(config, logger);
  const metrics = createMetrics(config, deps);
  deps.audit = new AuditLog(deps);
  deps.audit.onReads(['EvidenceItem'], recordEvidenceAccess);

  let ws: WebSocketHandle | undefined;
  const format = formatError(config, logger);
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: config.introspection,
    validationRules: limitRules(config.maxQueryDepth),
    parseOptions: { maxTokens: MAX_DOCUMENT_TOKENS },
    formatError: format,
    // Stack traces go to the log, not to clients: a FORBIDDEN field is an expected outcome, not a crash.
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // Responses are per-user and never cacheable; the plugin would only instrument every field.
      ApolloServerPluginCacheControlDisabled(),
      httpOutcomePlugin(schema, config),
      // GET /graphql in a browser is the local GraphiQL (src/http/graphiql.ts), not Apollo's CDN-loaded page.
      ApolloServerPluginLandingPageDisabled(),
      exposurePlugin(config),
      metrics.plugin,
      auditReadsPlugin(),
      readFastPathPlugin(schema, config, format),
      { async serverWillStart() { return { async drainServer() { await ws?.dispose(); } }; } },
    ],
  });

  return {
    httpServer,
    deps,
    schema,
    async start(port = config.port) {
      if (!databaseUrl) {
        embedded = await timeline.time(options.embedded ? 'waiting for the embedded PostgreSQL' : 'embedded PostgreSQL', () => options.embedded ?? startEmbedded(config, logger));
        databaseUrl = embedded.url;
        logger.info({ port: embedded.port, dir: path.join(config.dataDir, 'pg') }, 'embedded PostgreSQL started');
      }
      const url = databaseUrl;
      // One data source for the migrations and for serving: its metadata is built once.
      const ds = createDataSource({ url, logger: options.queryLogger });
      dataSource = ds;
      await timeline.time('TypeORM DataSource', () => ds.initialize());
      const ran = await timeline.time('migrations check', () => migrate(ds));
      if (ran.length) logger.info({ migrations: ran }, 'migrations applied');
      if (config.demoSeed) await timeline.time('demo seed (its check, once seeded)', () => seedDemo(ds, { password: config.demoPassword, logger, evidence: { audit: deps.audit, evidenceDir: config.evidenceDir } }));
      await sweepExports(ds, config.exportDir, logger)
        .catch((e) => logger.error({ err: e, dir: config.exportDir }, 'exports: could not sweep bags left by an earlier crash'));
      await timeline.time('event bus, feed, audit', async () => {
        await events.start({ databaseUrl: url });
        await deps.feed.start();
        deps.audit.start();
      });
      await timeline.time('Apollo start', () => apollo.start());
      const routesFrom = StartTimeline.mark();
      const app = express();
      app.disable('x-powered-by');
      app.use(requestScopeMiddleware());
      mountExposure(app, config, metrics);
      app.get('/healthz', (_req, res) => { res.json({ ok: true }); });
      app.get('/readyz', async (_req, res) => {
        const r = await readiness(deps);
        if (!r.ok) res.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
        res.status(r.ok ? 200 : 503).json(r);
      });
      app.use(evidenceRouter(deps));
      app.use('/graphql', express.json({ limit: config.bodyLimit }), apolloExpress(apollo, {
        context: async ({ req, res }) => {
          // A signed-in request may read sensitive fields: a group commit of reads waits for it from now on
          // (adoptReaderTicket; given back once it is known to read none, or has handed its reads over).
          const ticket = deps.config.auditReads && req.headers.authorization ? deps.audit.readerStarted() : 0;
          try {
            const ctx = withRequest(await buildContext(deps, req.headers.authorization), req);
            if (ticket) adoptReaderTicket(ctx, ticket, res);
            const scope = currentRequest();
            if (scope && ctx.user) scope.userId = ctx.user.id;
            return ctx;
          } catch (e) {
            if (ticket) deps.audit.readerFinished(ticket);
            throw contextError(e, logger);
          }
        },
      }));
      app.use(jsonErrorHandler(logger, config.bodyLimit));
      httpServer.on('request', app);
      ws = attachWebSocket({ httpServer, schema, deps, formatError: format });
      const socketsOpen = ws.connectionsPerUser();
      metrics.setLiveSource(() => ({
        connections: [...socketsOpen.values()].reduce((a, b) => a + b, 0),
        subscribers: deps.feed.subscriberCount,
        delivered: deps.feed.delivered,
      }));
      timeline.record('routes, WebSocket', routesFrom);
      await timeline.time('listen', () => new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, () => resolve());
      }));
      const address = httpServer.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      return `http://localhost:${actualPort}/graphql`;
    },
    async stop() {
      // Each step runs even when an earlier one fails (a half-started hub): the embedded server must stop.
      const steps = [
        () => apollo.stop(),
        () => deps.feed.stop(),
        () => deps.audit.stop(),
        () => (httpServer.listening ? new Promise<void>((r) => httpServer.close(() => r())) : undefined),
        () => deps.principals?.close(),
        () => events.close(),
        () => deps.loginGuard.close(),
        () => (dataSource?.isInitialized ? dataSource.destroy() : undefined),
        () => embedded?.stop(),
      ];
      for (const step of steps) {
        try {
          await step();
        } catch (err) {
          if (step !== steps[0]) logger.warn({ err }, 'error while stopping');
        }
      }
    },
  };
}
