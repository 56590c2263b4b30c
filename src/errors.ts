import { GraphQLError } from 'graphql';

/** The error codes clients can rely on (in `extensions.code`). */
export type ErrorCode =
  | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'INVALID_TRANSITION'
  | 'TOO_MANY_REQUESTS' | 'INTERNAL_SERVER_ERROR';

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
