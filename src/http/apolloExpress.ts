import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import type { Request, RequestHandler, Response } from 'express';

/*
 * Apollo Server behind express, as `@as-integrations/express5` does it, less two things every request paid
 * for nothing (issue 11):
 * - a POST's answer is written with `res.end` instead of `res.send`: express's `send` hashes every body for a
 *   weak ETag (SHA-1 of the whole JSON), which only a GET can use (a POST is never answered 304 nor cached).
 *   GET keeps `res.send`, so its ETag and 304 stay. Status, headers and body are otherwise the same: Apollo
 *   sets the content type (with its charset) on every complete answer; the length is set here as `send` did.
 * - the query string is cut from the URL instead of parsed by the legacy `url.parse`.
 */
export function apolloExpress<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: { context: ContextFunction<[{ req: Request; res: Response }], TContext> },
): RequestHandler {
  server.assertStarted('apolloExpress()');
  const context = options.context;
  return async (req, res) => {
    if (!('body' in req)) {
      res.status(500);
      res.send('`req.body` is not set; this probably means you forgot to set up the `json` middleware before the Apollo Server middleware.');
      return;
    }
    const headers = new HeaderMap();
    const raw = req.headers;
    for (const key in raw) {
      const value = raw[key];
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url;
    const q = url.indexOf('?');
    const hash = url.indexOf('#', q);
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: req.method.toUpperCase(),
        headers,
        search: q < 0 ? '' : hash < 0 ? url.slice(q) : url.slice(q, hash),
        body: req.body,
      },
      context: () => context({ req, res }),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status || 200;
    if (response.body.kind === 'complete') {
      const body = response.body.string;
      if (req.method === 'POST' && res.getHeader('content-type') !== undefined) {
        res.setHeader('content-length', Buffer.byteLength(body));
        res.end(body);
      } else {
        res.send(body);
      }
      return;
    }
    for await (const chunk of response.body.asyncIterator) {
      res.write(chunk);
      if (typeof (res as { flush?: () => void }).flush === 'function') (res as unknown as { flush: () => void }).flush();
    }
    res.end();
  };
}
