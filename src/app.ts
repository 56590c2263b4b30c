import http from 'node:http';
import path from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import pino, { type Logger } from 'pino';
import type { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { resolveJwtSecret, TokenService } from './auth/tokens';
import type { Config } from './config';
import { buildContext, type AppDeps, type Context } from './context';
import { createDataSource, runMigrations } from './db/dataSource';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embeddedPostgres';
import { seedDemo } from './db/seed';
import { CaseEventFeed } from './pubsub/CaseEventFeed';
import type { EventBus } from './pubsub/EventBus';
import { PgNotifyEventBus } from './pubsub/PgNotifyEventBus';
import { RedisEventBus } from './pubsub/RedisEventBus';
import { buildSchema } from './schema/buildSchema';
import { assertComplexity, limitRules } from './schema/limits';
import { attachWebSocket, type WebSocketHandle } from './subscriptions';
import { AuditLog } from './audit/AuditLog';
import { auditReadsPlugin } from './audit/audit';
import { evidenceRouter } from './http/evidenceRouter';

export interface AppOptions {
  /** Overrides config.databaseUrl (tests pass their own database). */
  databaseUrl?: string;
  /** Receives every SQL statement (the statement-count test). */
  queryLogger?: TypeOrmLogger;
  logger?: Logger;
  /** Replaces the event bus (default: Redis pub/sub when REDIS_URL is set, else PostgreSQL LISTEN/NOTIFY). */
  events?: EventBus;
}

export interface App {
  httpServer: http.Server;
  deps: AppDeps;
  schema: GraphQLSchema;
  /** Opens the database (starting the embedded server if needed), migrates, seeds, then listens. Resolves to the URL. */
  start(port?: number): Promise<string>;
  stop(): Promise<void>;
}

const KNOWN_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'CONFLICT', 'INVALID_TRANSITION', 'TOO_MANY_REQUESTS', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND', 'OPERATION_RESOLUTION_FAILURE']);

/** Masks unknown errors in production (logged in full), and gives every error a code. */
export function formatError(config: Config, logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code as string | undefined;
    if (code && KNOWN_CODES.has(code)) return formatted;
    logger.error({ err: (error as GraphQLError)?.originalError ?? error, path: formatted.path }, 'unexpected error');
    if (config.production) {
      return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    return { ...formatted, extensions: { ...formatted.extensions, code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** Builds the hub (HTTP and WebSocket on one server and path) without listening. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'bkb-hub' } });
  let databaseUrl = options.databaseUrl ?? config.databaseUrl;
  let embedded: EmbeddedServer | undefined;
  const tokens = new TokenService(resolveJwtSecret(config), config.tokenTtlSeconds);
  const schema = await buildSchema();
  const httpServer = http.createServer();
  let dataSource: DataSource | undefined;
  const events = options.events ?? (config.redisUrl ? new RedisEventBus(config.redisUrl, logger) : new PgNotifyEventBus(logger));
  const deps = { config, tokens, logger, events } as AppDeps;
  Object.defineProperty(deps, 'dataSource', { get: () => dataSource, enumerable: true });
  deps.feed = new CaseEventFeed(deps);
  deps.audit = new AuditLog(deps);

  let ws: WebSocketHandle | undefined;
  const format = formatError(config, logger);
  const complexityPlugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          assertComplexity(schema, document, request.variables, request.operationName ?? undefined, config.maxQueryComplexity);
        },
      };
    },
  };
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    validationRules: limitRules(config.maxQueryDepth),
    formatError: format,
    // Stack traces go to the log, not to clients: a FORBIDDEN field is an expected outcome, not a crash.
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // Responses are per-user and never cacheable; the plugin would only instrument every field.
      ApolloServerPluginCacheControlDisabled(),
      complexityPlugin,
      auditReadsPlugin(),
      { async serverWillStart() { return { async drainServer() { await ws?.dispose(); } }; } },
    ],
  });

  return {
    httpServer,
    deps,
    schema,
    async start(port = config.port) {
      if (!databaseUrl) {
        embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'pg'), config.embeddedPgPort, (m) => logger.debug({ pg: m }));
        databaseUrl = embedded.url;
        logger.info({ port: config.embeddedPgPort, dir: path.join(config.dataDir, 'pg') }, 'embedded PostgreSQL started');
      }
      const ran = await runMigrations(databaseUrl);
      if (ran.length) logger.info({ migrations: ran }, 'migrations applied');
      dataSource = createDataSource({ url: databaseUrl, logger: options.queryLogger });
      await dataSource.initialize();
      if (config.demoSeed) await seedDemo(dataSource, { password: config.demoPassword, logger, evidence: { audit: deps.audit, evidenceDir: config.evidenceDir } });
      await events.start({ databaseUrl });
      await deps.feed.start();
      deps.audit.start();

      await apollo.start();
      const app = express();
      app.disable('x-powered-by');
      app.get('/healthz', (_req, res) => { res.json({ ok: true }); });
      app.use(evidenceRouter(deps));
      app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(apollo, {
        context: async ({ req }) => buildContext(deps, req.headers.authorization),
      }));
      httpServer.on('request', app);
      ws = attachWebSocket({ httpServer, schema, deps, formatError: format });
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, () => resolve());
      });
      const address = httpServer.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      return `http://localhost:${actualPort}/graphql`;
    },
    async stop() {
      await apollo.stop().catch(() => undefined);
      await deps.feed.stop();
      await deps.audit.stop();
      if (httpServer.listening) await new Promise<void>((r) => httpServer.close(() => r()));
      await events.close();
      if (dataSource?.isInitialized) await dataSource.destroy();
      if (embedded) await embedded.stop();
    },
  };
}
