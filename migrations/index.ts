import { CoreHub1764300000000 } from './1764300000000-CoreHub';
import { Scheduling1764400000000 } from './1764400000000-Scheduling';
import { Identification1764600000001 } from './1764600000001-Identification';

/** Every migration, in order. Listed explicitly so the same list works from sources (tests) and from dist/. */
export const migrations = [CoreHub1764300000000, Scheduling1764400000000, Identification1764600000001];
