import pg from 'pg';

/*
 * Counts the SQL statements a process sends, at the driver: every call of `pg.Client.prototype.query`
 * (which TypeORM's pool and PostGraphile's pg adaptor both end in) is one statement sent to PostgreSQL.
 * Opt-in: nothing is patched until `installStatementCounter()` runs (the benchmark's server processes
 * call it when BENCH_COUNT_SQL=1; the statement-count test calls it in its own process).
 *
 * Statements are sorted into three kinds, so that a reader can tell the work from the ceremony:
 * - `transaction`: BEGIN / COMMIT / ROLLBACK / SAVEPOINT / RELEASE (PostGraphile wraps each request that
 *   carries pgSettings in a transaction);
 * - `settings`: `set_config(...)` / `SET ...` (PostGraphile's role and organization for row security);
 * - `data`: everything else (reads of rows).
 */

export interface StatementCounts {
  total: number;
  data: number;
  transaction: number;
  settings: number;
}

interface CounterState {
  counts: StatementCounts;
  /** The text of the last statements (bounded), for a reader who wants to see what was sent. */
  recent: string[];
  keepText: number;
}

const TRANSACTION = /^\s*(begin|start\s+transaction|commit|end|rollback|savepoint|release)\b/i;
const SETTINGS = /^\s*(set\s|reset\s|select\s+set_config\s*\()/i;

const zero = (): StatementCounts => ({ total: 0, data: 0, transaction: 0, settings: 0 });

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
 * Wraps `pg.Client.prototype.query` once per process; later calls only change how many statement texts are kept.
 * Returns the live counter.
 */
export function installStatementCounter(opts: { keepText?: number } = {}): void {
  if (state) {
    state.keepText = opts.keepText ?? state.keepText;
    return;
  }
  const s: CounterState = { counts: zero(), recent: [], keepText: opts.keepText ?? 0 };
  state = s;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function countedQuery(this: unknown, ...args: unknown[]) {
    const text = textOf(args);
    s.counts.total++;
    s.counts[statementKind(text)]++;
    if (s.keepText > 0) {
      s.recent.push(text);
      if (s.recent.length > s.keepText) s.recent.shift();
    }
    return original.apply(this, args);
  };
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
