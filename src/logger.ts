import pino, { type Logger } from 'pino';
import type { Config } from './config';
import { requestLogFields } from './requestScope';

/** The hub's structured log (every line carries the request's id and user when there is one). */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'bkb-hub' }, mixin: requestLogFields });
}
