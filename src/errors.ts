import { GraphQLError } from 'graphql';

/**
 * Every error code clients can rely on (in `extensions.code`), with the HTTP status it gets when it ends
 * the whole request (an error at one field of a partial result leaves the status at 200). The one table:
 * the `ErrorCode` type, the known codes and the statuses are all derived from it.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: { status: 401, meaning: 'no valid token: log in (again)' },
  FORBIDDEN: { status: 403, meaning: 'signed in, but not allowed' },
  NOT_FOUND: { status: 404, meaning: 'no such record, or not one the caller may see' },
  BAD_USER_INPUT: { status: 400, meaning: 'an argument is wrong; `extensions.field` names it' },
  CONFLICT: { status: 409, meaning: 'stale version or overlapping booking: reload and retry' },
  INVALID_TRANSITION: { status: 409, meaning: 'the case lifecycle does not allow this step' },
  TOO_MANY_REQUESTS: { status: 429, meaning: 'slow down; `retryAfter` says when to retry' },
  SERVICE_UNAVAILABLE: { status: 503, meaning: 'a dependency (the database) is down: retry later (see Retry-After)' },
  BAD_REQUEST: { status: 400, meaning: 'the HTTP request itself is malformed' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the request body is larger than the hub accepts' },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: 'a fault of the hub: logged in full under `extensions.requestId`' },
} as const satisfies Record<string, { status: number; meaning: string }>;

/** The error codes clients can rely on (in `extensions.code`). */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes Apollo and graphql-js assign themselves to client mistakes; they pass through unmasked. */
const PROTOCOL_CODES = ['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE'] as const;

/** Codes whose message is meant for the client; anything else is masked as INTERNAL_SERVER_ERROR. */
export const KNOWN_CODES: ReadonlySet<string> = new Set<string>([
  ...(Object.keys(ERROR_CODES) as ErrorCode[]).filter((c) => c !== 'INTERNAL_SERVER_ERROR'),
  ...PROTOCOL_CODES,
]);

/** The HTTP status for a code when the error ends the whole request. */
export function httpStatusOf(code: string | undefined): number {
  if (code && code in ERROR_CODES) return ERROR_CODES[code as ErrorCode].status;
  return (PROTOCOL_CODES as readonly string[]).includes(code ?? '') ? 400 : 500;
}

/** Seconds a client should wait before retrying after SERVICE_UNAVAILABLE (the `Retry-After` header). */
export const RETRY_AFTER_SECONDS = 5;

export function appError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const unauthenticated = (message = 'Authentication required: send Authorization: Bearer <token>') =>
  appError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do this') => appError('FORBIDDEN', message);
export const notFound = (what: string, id?: string) =>
  appError('NOT_FOUND', id ? `${what} ${id} was not found` : `${what} was not found`);
/** Bad input always names the offending field (e.g. `input.birthDate`). */
export const badInput = (field: string, message: string) =>
  appError('BAD_USER_INPUT', `${field}: ${message}`, { field });
export const conflict = (message: string, extra: Record<string, unknown> = {}) => appError('CONFLICT', message, extra);
export const invalidTransition = (from: string, to: string, allowed: string[]) =>
  appError('INVALID_TRANSITION', `A case cannot go from ${from} to ${to}; allowed: ${allowed.join(', ') || 'none'}`, { from, to, allowed });
export const serviceUnavailable = (message = 'The database is not reachable: retry later') =>
  appError('SERVICE_UNAVAILABLE', message, { retryAfter: RETRY_AFTER_SECONDS });

/**
 * The same error, carrying the HTTP status (and Retry-After) of its code, for errors that end the whole
 * request (context creation, operation checks): Apollo reads `extensions.http` and strips it from the body.
 */
export function withHttpStatus(error: GraphQLError): GraphQLError {
  const code = error.extensions?.code as string | undefined;
  const headers = new Map<string, string>();
  if (code === 'SERVICE_UNAVAILABLE') headers.set('retry-after', String(RETRY_AFTER_SECONDS));
  if (code === 'UNAUTHENTICATED') headers.set('www-authenticate', 'Bearer');
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, http: { status: httpStatusOf(code), headers } },
  });
}
