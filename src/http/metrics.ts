import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config';
import type { AppDeps, Context } from '../context';
import { sameSecret } from './security';

/** Distinct operation names kept as label values; later ones count as `other` (clients choose names freely). */
const MAX_OPERATION_LABELS = 200;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export interface Metrics {
  registry: Registry;
  plugin: ApolloServerPlugin<Context>;
  /** `GET /metrics`, in Prometheus' text format; behind `METRICS_TOKEN` when set; in production only with it. */
  handler: RequestHandler;
  /** Live figures the hub reads when scraped (WebSocket connections, subscribers, events delivered). */
  setLiveSource(source: () => { connections: number; subscribers: number; delivered: number }): void;
}

/**
 * Prometheus metrics (prom-client), one registry per hub instance: GraphQL requests by operation, type and
 * outcome (`success`, `partial` when some fields failed, or the error code), their latency, the database
 * pool, live WebSocket connections and subscribers, and the events delivered to subscribers; plus Node's
 * process metrics.
 */
export function createMetrics(config: Config, deps: AppDeps): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'bkb_graphql_requests_total', help: 'GraphQL requests over HTTP by operation name, type and outcome',
    labelNames: ['operation', 'type', 'outcome'] as const, registers: [registry],
  });
  const latency = new Histogram({
    name: 'bkb_graphql_request_duration_seconds', help: 'GraphQL request latency over HTTP (parse to response)',
    labelNames: ['operation', 'type'] as const, registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const pool = (): { totalCount: number; idleCount: number; waitingCount: number } | undefined =>
    (deps.dataSource?.isInitialized ? (deps.dataSource.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master : undefined);
  new Gauge({
    name: 'bkb_db_pool_connections', help: 'PostgreSQL pool connections by state', labelNames: ['state'] as const, registers: [registry],
    collect() {
      const p = pool();
      this.set({ state: 'total' }, p?.totalCount ?? 0);
      this.set({ state: 'idle' }, p?.idleCount ?? 0);
      this.set({ state: 'waiting' }, p?.waitingCount ?? 0);
    },
  });
  let live = () => ({ connections: 0, subscribers: 0, delivered: 0 });
  new Gauge({ name: 'bkb_live_connections', help: 'Open authenticated graphql-ws connections', registers: [registry], collect() { this.set(live().connections); } });
  new Gauge({ name: 'bkb_live_subscribers', help: 'Active caseStatusChanged subscriptions', registers: [registry], collect() { this.set(live().subscribers); } });
  let deliveredSeen = 0;
  new Counter({
    name: 'bkb_live_events_delivered_total', help: 'Case events handed to subscribers (each event once per subscriber that may read it)', registers: [registry],
    collect() {
      const now = live().delivered;
      if (now > deliveredSeen) this.inc(now - deliveredSeen);
      deliveredSeen = now;
    },
  });

  const names = new Set<string>();
  const operationLabel = (name: string | null | undefined): string => {
    if (!name) return '(anonymous)';
    if (!NAME.test(name)) return 'other';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_LABELS) return 'other';
    names.add(name);
    return name;
  };
  const outcomeOf = (rc: GraphQLRequestContext<Context>): string => {
    const body = rc.response.body;
    if (body?.kind !== 'single') return 'success';
    const errors = body.singleResult.errors;
    if (!errors?.length) return 'success';
    if (body.singleResult.data) return 'partial';
    const code = errors[0].extensions?.code;
    return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : 'INTERNAL_SERVER_ERROR';
  };

  const plugin: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(rc) {
          const operation = rc.operation ? operationLabel(rc.operationName) : 'unknown';
          const type = rc.operation?.operation ?? 'unknown';
          requests.inc({ operation, type, outcome: outcomeOf(rc) });
          latency.observe({ operation, type }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
    async contextCreationDidFail({ error }) {
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
      requests.inc({ operation: 'unknown', type: 'unknown', outcome: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR' });
    },
  };

  const handler: RequestHandler = async (req, res, next) => {
    // In production the figures (operation names, load) are for the operator: no token configured, no route.
    if (config.production && !config.metricsToken) return next();
    if (config.metricsToken && !sameSecret(req.headers.authorization?.replace(/^Bearer\s+/i, ''), config.metricsToken)) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'METRICS_TOKEN required' });
      return;
    }
    res.set('content-type', registry.contentType).send(await registry.metrics());
  };

  return { registry, plugin, handler, setLiveSource: (source) => { live = source; } };
}
