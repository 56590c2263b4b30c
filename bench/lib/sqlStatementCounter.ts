import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import pg from 'pg';

/*
 * Counts the SQL statements a process sends, at the driver: every call of `pg.Client.prototype.query`
 * (which TypeORM's pool and PostGraphile's pg adaptor both end in) is one statement sent to PostgreSQL.
 * Opt-in: nothing is patched until `installStatementCounter()` runs (the benchmark's server processes
 * call it when BENCH_COUNT_SQL=1; the statement-count test calls it in its own process).
 *
 * A statement belongs to a request when it is sent from the asynchronous work of an HTTP request (an
 * AsyncLocalStorage context entered around every http.Server 'request' event); anything else (the hub's
 * live-event feed catching up after a NOTIFY, a test's own setup) is counted apart as `outsideRequests`,
 * so a background statement never inflates a request's count.
 *
 * Statements of requests are sorted into three kinds, so that a reader can tell the work from the ceremony:
 * - `transaction`: BEGIN / COMMIT / ROLLBACK / SAVEPOINT / RELEASE (PostGraphile wraps each request that
 *   carries pgSettings in a transaction);
 * - `settings`: `set_config(...)` / `SET ...` (PostGraphile's role and organization for row security);
 * - `data`: everything else (reads of rows).
 */

export interface StatementCounts {
  /** Statements sent while serving HTTP requests (= data + transaction + settings). */
  total: number;
  data: number;
  transaction: number;
  settings: number;
  /** Statements sent outside any HTTP request. */
  outsideRequests: number;
}

interface CounterState {
  counts: StatementCounts;
  /** The text of the last statements (bounded), for a reader who wants to see what was sent. */
  recent: string[];
  keepText: number;
  /** Puts the wrapped methods back. */
  restore(): void;
}

const TRANSACTION = /^\s*(begin|start\s+transaction|commit|end|rollback|savepoint|release)\b/i;
const SETTINGS = /^\s*(set\s|reset\s|select\s+set_config\s*\()/i;

const zero = (): StatementCounts => ({ total: 0, data: 0, transaction: 0, settings: 0, outsideRequests: 0 });
const inRequest = new AsyncLocalStorage<true>();

let state: CounterState | undefined;

/** The kind of one statement text (see the header). */
export function statementKind(text: string): 'transaction' | 'settings' | 'data' {
  if (TRANSACTION.test(text)) return 'transaction';
  if (SETTINGS.test(text)) return 'settings';
  return 'data';
}

function textOf(args: unknown[]): string {
  const first = args[0] as unknown;
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && typeof (first as { text?: unknown }).text === 'string') return (first as { text: string }).text;
  return '';
}

/**
 * Wraps `pg.Client.prototype.query` and `http.Server.prototype.emit` once per process; later calls only change
 * how many statement texts are kept.
 */
export function installStatementCounter(opts: { keepText?: number } = {}): void {
  if (state) {
    state.keepText = opts.keepText ?? state.keepText;
    return;
  }
  const server = http.Server.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const emit = server.emit;
  const ownEmit = Object.prototype.hasOwnProperty.call(server, 'emit');
  const original = proto.query;
  const s: CounterState = {
    counts: zero(), recent: [], keepText: opts.keepText ?? 0,
    restore() {
      // http is not sandboxed per test file: leave it as it was found.
      if (ownEmit) server.emit = emit;
      else delete (server as { emit?: unknown }).emit;
      proto.query = original;
    },
  };
  state = s;
  server.emit = function emitInRequest(this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === 'request') return inRequest.run(true, () => emit.call(this, event, ...args));
    return emit.call(this, event, ...args);
  };
  proto.query = function countedQuery(this: unknown, ...args: unknown[]) {
    const text = textOf(args);
    if (inRequest.getStore()) {
      s.counts.total++;
      s.counts[statementKind(text)]++;
    } else {
      s.counts.outsideRequests++;
    }
    if (s.keepText > 0) {
      s.recent.push(inRequest.getStore() ? text : `[outside a request] ${text}`);
      if (s.recent.length > s.keepText) s.recent.shift();
    }
    return original.apply(this, args);
  };
}

/** Removes the wrappers (a test's afterAll); counting stops. */
export function uninstallStatementCounter(): void {
  state?.restore();
  state = undefined;
}

/** Counts so far (a copy). */
export function statementCounts(): StatementCounts {
  if (!state) throw new Error('installStatementCounter() was not called in this process');
  return { ...state.counts };
}

/** The texts of the statements kept since the last reset (only with `keepText`). */
export function recentStatements(): string[] {
  return state ? [...state.recent] : [];
}

export function resetStatementCounts(): void {
  if (!state) throw new Error('installStatementCounter() was not called in this process');
  state.counts = zero();
  state.recent = [];
}

/** Difference of two snapshots. */
export function countsBetween(before: StatementCounts, after: StatementCounts): StatementCounts {
  return {
    total: after.total - before.total,
    data: after.data - before.data,
    transaction: after.transaction - before.transaction,
    settings: after.settings - before.settings,
    outsideRequests: after.outsideRequests - before.outsideRequests,
  };
}

/** What a benchmark server process answers over IPC: its statement counts and CPU time so far. */
export interface ServerStats {
  type: 'stats';
  id: number;
  sql: StatementCounts | null;
  /** process.cpuUsage() of the server process, in microseconds. */
  cpu: { user: number; system: number };
}

/**
 * In a forked benchmark server: answers `{ type: 'stats', id }` with a `ServerStats` message.
 * Statement counts are null when the counter was not installed.
 */
export function answerStatsRequests(): void {
  process.on('message', (m: { type?: string; id?: number }) => {
    if (m?.type !== 'stats') return;
    const reply: ServerStats = { type: 'stats', id: m.id ?? 0, sql: state ? statementCounts() : null, cpu: process.cpuUsage() };
    process.send?.(reply);
  });
}
