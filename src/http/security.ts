import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import cors from 'cors';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import helmet from 'helmet';
import type { Config } from '../config';
import type { Context } from '../context';
import { assertSchemaReadable, ResolverBudget } from '../schema/limits';

/**
 * Security headers for every HTTP route. The content security policy allows nothing from another origin:
 * the local GraphiQL page loads its scripts, styles and fonts from this hub only (fonts are data: URLs),
 * and talks to this hub only. Inline styles are allowed because GraphiQL's editor sets them.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    // The API is meant to be called from other origins when CORS allows it.
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
}

/** CORS for `/graphql`: the configured origins (`*` for any); none configured means no cross-origin access. */
export function corsPolicy(config: Config): RequestHandler {
  const any = config.corsOrigins.includes('*');
  return cors({
    origin: any ? true : config.corsOrigins.length ? config.corsOrigins : false,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'],
    credentials: false, // bearer tokens, never cookies
    maxAge: 600,
  });
}

/** Body parser failures (too large, malformed JSON) as GraphQL-shaped JSON errors with their 4xx status. */
export const bodyErrors: ErrorRequestHandler = (err, _req, res, next) => {
  const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : undefined;
  if (!status || res.headersSent) return next(err);
  const message = err.type === 'entity.too.large'
    ? `Request body too large (limit ${err.limit} bytes)`
    : err.type === 'entity.parse.failed' ? 'Request body is not valid JSON' : (err.expose ? String(err.message) : 'Bad request');
  res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
};

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Runs a check that refuses a request before it executes (from a plugin's didResolveOperation), giving
 * its GraphQL error an HTTP status: without one Apollo answers such refusals with 500.
 */
export function withStatus<T>(status: number, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof GraphQLError) throw new GraphQLError(e.message, { extensions: { ...e.extensions, http: { status } } });
    throw e;
  }
}

/** Compares a secret someone sent with the configured one, in constant time. */
export function sameSecret(sent: unknown, expected: string): boolean {
  return typeof sent === 'string' && sent.length > 0 && timingSafeEqual(digest(sent), digest(expected));
}

/** Whether the request carries the configured gateway secret (`x-gateway-secret`), compared in constant time. */
export function isGateway(config: Config, headers: IncomingHttpHeaders | Map<string, string> | undefined): boolean {
  if (!config.gatewaySecret || !headers) return false;
  return sameSecret(headers instanceof Map ? headers.get('x-gateway-secret') : headers['x-gateway-secret'], config.gatewaySecret);
}

/**
 * Apollo plugin: anonymous callers may not read the schema (introspection, `_service { sdl }`) unless
 * they are the gateway; and a request may make at most `maxResolverCalls` field resolutions. The plugin
 * gives each request its budget (`context.resolverBudget`); the schema charges every resolution to it
 * (src/schema/limits.ts `chargeResolverBudget`, which says why that is not done in `willResolveField`).
 * Past the budget every further resolver fails at once (nothing more reaches the database) and the whole
 * response is replaced by one BAD_USER_INPUT error with HTTP status 400.
 */
export function exposurePlugin(config: Config): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const budget = new ResolverBudget(config.maxResolverCalls);
      contextValue.resolverBudget = budget;
      return {
        async didResolveOperation({ document, contextValue, request }) {
          withStatus(401, () => assertSchemaReadable(document, { authenticated: !!contextValue.user, gateway: isGateway(config, request.http?.headers) }));
        },
        async willSendResponse({ response }) {
          if (!budget.exceeded || response.body.kind !== 'single') return;
          response.body.singleResult = { errors: [budget.error().toJSON()] };
          response.http.status = 400;
        },
      };
    },
  };
}
