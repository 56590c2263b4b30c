import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';

/** What is known about the request being served, for its log lines and error responses. */
export interface RequestScope {
  requestId: string;
  operationName?: string;
  /** The caller's user id once authenticated (never a name or email: logs leave the hub). */
  userId?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` (and everything it starts) inside the scope of one request. */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The scope of the request being served, if any (none for background work). */
export function currentRequest(): RequestScope | undefined {
  return storage.getStore();
}

/**
 * The request id: the caller's `x-request-id` when it is a sane token (a proxy or gateway correlating its
 * own logs), else a fresh UUID.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const h = Array.isArray(header) ? header[0] : header;
  return h && /^[A-Za-z0-9._:-]{8,100}$/.test(h) ? h : crypto.randomUUID();
}

/**
 * Fields pino adds to every log line written while serving a request (a `mixin`): the request id,
 * operation name and user id, whichever logger the code below used.
 */
export function requestLogFields(): Record<string, string> {
  const s = storage.getStore();
  if (!s) return {};
  const out: Record<string, string> = { requestId: s.requestId };
  if (s.operationName) out.operationName = s.operationName;
  if (s.userId) out.userId = s.userId;
  return out;
}
