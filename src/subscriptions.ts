import type http from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import { type GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { authenticate, contextFor, type AppDeps } from './context';

export interface WebSocketHandle {
  dispose(): Promise<void>;
}

/** graphql-ws (subprotocol graphql-transport-ws) on the HTTP server's `/graphql` path, authenticated in connection_init. */
export function attachWebSocket({ httpServer, schema, deps }: { httpServer: http.Server; schema: GraphQLSchema; deps: AppDeps }): WebSocketHandle {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const server = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        const header = (ctx.connectionParams?.Authorization ?? ctx.connectionParams?.authorization) as string | undefined;
        try {
          const auth = await authenticate(deps, header);
          if (!auth) return false;
          (ctx.extra as Record<string, unknown>).auth = auth;
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx) => {
        const auth = (ctx.extra as Record<string, unknown>).auth as Awaited<ReturnType<typeof authenticate>>;
        return contextFor(deps, auth?.user ?? null, auth?.expiresAt);
      },
    },
    wss,
  );
  return {
    async dispose() {
      await server.dispose();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
