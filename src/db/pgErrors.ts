import type { GraphQLError } from 'graphql';
import { appError, serviceUnavailable } from '../errors';

/**
 * Maps database and driver errors to domain errors, in one place. PostgreSQL's own text (constraint
 * names, values, SQL) never reaches a client: it says whether a record exists and how the schema looks.
 * Returns null for errors that are not the database's (the caller masks and logs those).
 */
export function mapDatabaseError(error: unknown): GraphQLError | null {
  const e = driverErrorOf(error);
  if (!e) return null;
  const code = typeof e.code === 'string' ? e.code : '';
  if (isConnectionFailure(e, code)) return serviceUnavailable();
  if (!/^[0-9A-Z]{5}$/.test(code)) return null;
  switch (code) {
    case '23505': return appError('CONFLICT', 'A record with these values already exists');
    case '23P01': return appError('CONFLICT', 'This overlaps with an existing record');
    case '40001': case '40P01': return appError('CONFLICT', 'A concurrent change got in the way: retry');
    case '23503': return appError('BAD_USER_INPUT', 'A referenced record does not exist (or is still referenced)');
    case '23502': return appError('BAD_USER_INPUT', 'A required value is missing');
    case '23514': return appError('BAD_USER_INPUT', 'A value is outside what is allowed');
    case '55P03': return appError('CONFLICT', 'The record is being changed by someone else: retry');
    case '57014': return serviceUnavailable('The request took too long and was cancelled: retry later');
    default: break;
  }
  // Class 22 (data exception): invalid text representation, datetime field overflow, a NUL byte, a number
  // out of range, a string too long... all a value the client sent.
  if (code.startsWith('22')) return appError('BAD_USER_INPUT', 'A value is not valid (format, range or characters)');
  // Class 08 (connection), 53 (insufficient resources), 57P0x (shutting down, cannot connect now).
  if (code.startsWith('08') || code.startsWith('53') || /^57P0[1-4]$/.test(code)) return serviceUnavailable();
  return null;
}

interface DriverError {
  code?: unknown;
  message?: unknown;
}

/** The pg driver error behind a GraphQL error, a TypeORM QueryFailedError, a NonErrorThrown, or itself. */
function driverErrorOf(error: unknown): DriverError | null {
  let e: unknown = error;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const o = e as { originalError?: unknown; driverError?: unknown; thrownValue?: unknown; code?: unknown; name?: unknown; message?: unknown };
    if (o.driverError && typeof o.driverError === 'object') return o.driverError as DriverError;
    if (typeof o.code === 'string' && (o.name === 'error' || /^[0-9A-Z]{5}$/.test(o.code) || /^E[A-Z]+$/.test(o.code))) return o as DriverError;
    // graphql wraps a thrown value it does not recognise as an Error (another realm's) as NonErrorThrown.
    const inner = o.originalError ?? o.thrownValue;
    if (inner && inner !== e) e = inner;
    else return connectionMessage(o) ? (o as DriverError) : null;
  }
  return null;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function connectionMessage(e: { message?: unknown }): boolean {
  return typeof e.message === 'string'
    && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED|Connection is not established|the database system is (starting up|shutting down)|terminating connection due to administrator command/i.test(e.message);
}

function isConnectionFailure(e: DriverError, code: string): boolean {
  return CONNECTION_CODES.has(code) || connectionMessage(e);
}
