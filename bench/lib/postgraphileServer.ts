import './node20Polyfill';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { answerStatsRequests, installStatementCounter } from './sqlStatementCounter';

/*
 * PostGraphile's packages are loaded with plain require() and the few calls used here typed below:
 * grafast's typings augment the `graphql` module globally (ExecutionResult.hasNext?: never), which would
 * break the hub's own code in this one TypeScript program.
 */
interface Preset { extends?: unknown[]; pgServices?: unknown[]; grafserv?: Record<string, unknown>; grafast?: Record<string, unknown> }
interface Serv { addTo(server: http.Server): Promise<void>; release(): Promise<void> }
interface Pgl { createServ(adaptor: unknown): Serv; getSchemaResult(): Promise<unknown>; release(): Promise<void> }
interface RequestContext { node?: { req?: IncomingMessage } }
/* eslint-disable @typescript-eslint/no-require-imports */
const { postgraphile } = require('postgraphile') as { postgraphile(preset: Preset): Pgl };
const { makePgService } = require('postgraphile/adaptors/pg') as { makePgService(o: { connectionString: string; schemas: string[] }): unknown };
const { grafserv } = require('postgraphile/grafserv/node') as { grafserv: unknown };
const { PostGraphileAmberPreset } = require('postgraphile/presets/amber') as { PostGraphileAmberPreset: unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

/*
 * PostGraphile 5 (amber preset, grafserv's node adaptor) over the hub's database, for bench/compare.ts.
 * Forked with BENCH_PG = { connectionString, rlsRole, organizationSetting }; runs two instances on free ports:
 *
 * - `open`: connects as the database owner and sends no settings, so row security does not apply: every
 *   row, like the hub's coordinator.
 * - `rls`: every request runs as `rlsRole` (`SET LOCAL role`) with the reader's organization in
 *   `organizationSetting` (`set_config(..., true)`), taken from the `x-bkb-organization` header; the
 *   row-level-security policies of bench/lib/rowSecurity.ts decide what it sees. Without a valid header
 *   the organization is empty and the policies show nothing. (A benchmark on 127.0.0.1: a deployment
 *   would take the organization from a verified JWT, not a header.)
 *
 * Answers { type: 'ready', openUrl, rlsUrl } over IPC; { type: 'stats' } as bench/lib/sqlStatementCounter.ts
 * describes; stops on { type: 'stop' } or when the parent goes away.
 */

interface PgOptions {
  connectionString: string;
  rlsRole: string;
  organizationSetting: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function preset(opts: PgOptions, rowSecurity: boolean): Preset {
  return {
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({ connectionString: opts.connectionString, schemas: ['public'] })],
    grafserv: { graphqlPath: '/graphql', graphiql: false, websockets: false, watch: false },
    grafast: {
      explain: false,
      context(requestContext: RequestContext) {
        if (!rowSecurity) return {};
        const header = requestContext.node?.req?.headers['x-bkb-organization'];
        const org = typeof header === 'string' && UUID.test(header) ? header : '';
        return { pgSettings: { role: opts.rlsRole, [opts.organizationSetting]: org } };
      },
    },
  };
}

async function start(opts: PgOptions, rowSecurity: boolean) {
  const pgl = postgraphile(preset(opts, rowSecurity));
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  await serv.addTo(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // Build the schema (introspection) before reporting ready, so the first measured request does not pay for it.
  await pgl.getSchemaResult();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await serv.release();
      await pgl.release();
    },
  };
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.env.BENCH_PG ?? '{}') as PgOptions;
  if (!opts.connectionString || !opts.rlsRole || !opts.organizationSetting) throw new Error('BENCH_PG needs connectionString, rlsRole and organizationSetting');
  if (process.env.BENCH_COUNT_SQL === '1') installStatementCounter();
  answerStatsRequests();
  const open = await start(opts, false);
  const rls = await start(opts, true);
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled([open.stop(), rls.stop()]);
    process.exit(code);
  };
  process.on('message', (m: { type?: string }) => { if (m?.type === 'stop') void stop(0); });
  process.on('disconnect', () => void stop(0));
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));
  process.send?.({ type: 'ready', openUrl: open.url, rlsUrl: rls.url });
}

main().catch((e) => {
  process.stderr.write(`PostGraphile bench server failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
