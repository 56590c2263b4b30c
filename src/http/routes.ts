import type { Express, Request } from 'express';
import type { Config } from '../config';
import type { Context } from '../context';
import { graphiqlRouter } from './graphiql';
import type { Metrics } from './metrics';
import { corsPolicy, securityHeaders } from './security';

/**
 * The HTTP routes beside the GraphQL endpoint, and what applies to all of them: which proxies to trust for
 * the client address, security headers, CORS on `/graphql`, `GET /metrics`, and the local GraphiQL page (when enabled).
 */
export function mountExposure(app: Express, config: Config, metrics: Metrics): void {
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders());
  // Before any route of /graphql, so that preflights get CORS' answer, not the router's automatic OPTIONS.
  app.use('/graphql', corsPolicy(config));
  app.get('/metrics', metrics.handler);
  if (config.graphiql) app.use(graphiqlRouter());
}

/** Adds what the context needs from the HTTP request (the client address, for per-address limits). */
export function withRequest(ctx: Context, req: Request): Context {
  ctx.clientAddress = req.ip ?? req.socket.remoteAddress;
  return ctx;
}
