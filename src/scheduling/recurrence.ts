import { DateTime, IANAZone } from 'luxon';
import { RRule, type Options as RRuleOptions } from 'rrule';

/*
 * RRULE expansion that keeps the local wall time stable across DST changes.
 *
 * rrule's own TZID support returns "floating" Date objects whose meaning depends on the
 * process's TZ, so we never give it a time zone: the series is expanded in floating UTC
 * (local wall times written as if they were UTC, where there is no DST), and every
 * occurrence's wall time is then converted to a real instant in the series' zone with luxon.
 * The result is therefore the same whatever TZ the Node process runs in.
 */

/** Input of {@link expandRecurrence}: an RFC 5545 RRULE anchored at a local wall time in an IANA zone. */
export interface RecurrenceInput {
  /** The RRULE value, with or without the `RRULE:` prefix, e.g. `FREQ=WEEKLY;BYDAY=MO;COUNT=10`. */
  rrule: string;
  /** Local wall time of the first occurrence, `YYYY-MM-DDTHH:mm[:ss]`, in `tzid`. */
  dtstart: string;
  /** IANA time zone of `dtstart`, e.g. `Europe/Kyiv`. */
  tzid: string;
  /** Start of the bounded window (inclusive). */
  from: Date;
  /** End of the bounded window (exclusive). */
  to: Date;
  /** Stop after this many occurrences inside the window. */
  maxOccurrences?: number;
}

/** Which input a recurrence error is about; mirrors the GraphQL input field names. */
export type RecurrenceErrorField = 'recurrence' | 'timeZone' | 'startsAt';

/** A typed, user-facing validation error (an expected outcome, not an exception). */
export interface RecurrenceError {
  field: RecurrenceErrorField;
  message: string;
}

/** Result of {@link validateRecurrence}. */
export type RecurrenceValidation =
  | { ok: true; occurrences: Date[] }
  | { ok: false; error: RecurrenceError };

/** Limits applied by {@link validateRecurrence}. */
export interface RecurrenceLimits {
  /** Longest allowed distance between the first and the last occurrence (default 366). */
  maxSpanDays?: number;
  /** Most occurrences a series may have (default 1000). */
  maxCount?: number;
}

/** Thrown by {@link expandRecurrence} on invalid input; `error` is the same typed error validation returns. */
export class RecurrenceInputError extends Error {
  constructor(readonly error: RecurrenceError) {
    super(`${error.field}: ${error.message}`);
    this.name = 'RecurrenceInputError';
  }
}

const DAY_MS = 86_400_000;
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** True when `tz` is an IANA time zone name known to the runtime's ICU data. */
export function isValidTimeZone(tz: string): boolean {
  return typeof tz === 'string' && tz.length > 0 && IANAZone.isValidZone(tz);
}

/** Parses a local wall time `YYYY-MM-DDTHH:mm[:ss]` into its fields, or null when malformed or impossible (e.g. Feb 30). */
export function parseWallTime(
  wall: string,
): { year: number; month: number; day: number; hour: number; minute: number; second: number } | null {
  const m = WALL_TIME.exec(wall);
  if (!m) return null;
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const second = m[6] === undefined ? 0 : Number(m[6]);
  // Round-trip through UTC to reject dates such as 2026-02-30 or 25:00.
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day ||
    probe.getUTCHours() !== hour ||
    probe.getUTCMinutes() !== minute ||
    probe.getUTCSeconds() !== second
  ) {
    return null;
  }
  return { year, month, day, hour, minute, second };
}

/**
 * Converts a local wall time in `tz` to the instant it denotes (RFC 5545 rules): a wall time inside a
 * spring-forward gap moves forward by the gap (03:30 → 04:30 in Kyiv), an ambiguous autumn wall time is
 * its first occurrence (still summer time).
 */
export function localToInstant(wall: string, tz: string): Date {
  const parts = parseWallTime(wall);
  if (!parts) throw new RangeError(`invalid local wall time: ${wall}`);
  if (!isValidTimeZone(tz)) throw new RangeError(`unknown time zone: ${tz}`);
  const wallMs = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return new Date(floatingMsToInstant(wallMs, tz));
}

/** Converts an instant to its local wall time `YYYY-MM-DDTHH:mm:ss` in `tz`. */
export function instantToLocal(instant: Date, tz: string): string {
  if (!isValidTimeZone(tz)) throw new RangeError(`unknown time zone: ${tz}`);
  return DateTime.fromMillis(instant.getTime(), { zone: tz }).toFormat("yyyy-LL-dd'T'HH:mm:ss");
}

/**
 * Instant of a wall time given as floating-UTC milliseconds, following RFC 5545: an ambiguous wall time
 * (autumn) is its first occurrence; one inside a spring-forward gap moves forward by the gap's length.
 */
function floatingMsToInstant(wallMs: number, tz: string): number {
  const zone = IANAZone.create(tz);
  let best = Number.POSITIVE_INFINITY;
  // The offsets in force a day either side are the only candidates around a transition.
  for (const probe of [wallMs - DAY_MS, wallMs, wallMs + DAY_MS]) {
    const offset = zone.offset(probe);
    const t = wallMs - offset * 60_000;
    if (zone.offset(t) === offset && t < best) best = t;
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  // In a gap no offset fits: read the wall time with the offset from before the gap, which lands after it.
  return wallMs - zone.offset(wallMs - DAY_MS) * 60_000;
}

/** Converts a floating-UTC date (wall-time fields stored as UTC) to the real instant in `tz`. */
function floatingToInstant(floating: Date, tz: string): number {
  return floatingMsToInstant(floating.getTime(), tz);
}

/** Converts a real instant to floating UTC: its wall time in `tz`, written as a UTC date. */
function instantToFloating(ms: number, tz: string): Date {
  const local = DateTime.fromMillis(ms, { zone: tz });
  return new Date(ms + local.offset * 60_000);
}

interface ParsedRule {
  options: Partial<RRuleOptions>;
  /** True when UNTIL was given as a UTC instant (`...Z`), as RFC 5545 requires with a TZID. */
  untilIsUtc: boolean;
}

/** Parses and sanity-checks an RRULE value; rrule itself accepts e.g. a missing FREQ or COUNT=abc. */
function parseRule(rrule: string): ParsedRule | RecurrenceError {
  const err = (message: string): RecurrenceError => ({ field: 'recurrence', message });
  if (typeof rrule !== 'string' || rrule.trim() === '') return err('RRULE is empty');
  const text = rrule.trim().replace(/^RRULE:/i, '');
  if (/[\r\n]/.test(text) || /DTSTART/i.test(text)) {
    return err('give only the RRULE value; the start and time zone are separate fields');
  }
  let options: Partial<RRuleOptions>;
  try {
    options = RRule.parseString(text);
  } catch (e) {
    return err(`invalid RRULE: ${(e as Error).message}`);
  }
  if (options.freq === undefined || options.freq === null) return err('invalid RRULE: FREQ is required');
  const parts = new Map(
    text.split(';').map((p) => {
      const [k, v = ''] = p.split('=');
      return [k.toUpperCase(), v] as const;
    }),
  );
  const count = parts.get('COUNT');
  if (count !== undefined && !/^[1-9]\d*$/.test(count)) return err('invalid RRULE: COUNT must be a positive integer');
  const interval = parts.get('INTERVAL');
  if (interval !== undefined && !/^[1-9]\d*$/.test(interval)) {
    return err('invalid RRULE: INTERVAL must be a positive integer');
  }
  const byweekday = options.byweekday;
  if (Array.isArray(byweekday) && byweekday.some((d) => d === undefined || d === null)) {
    return err('invalid RRULE: unknown BYDAY value');
  }
  const until = parts.get('UNTIL');
  if (until !== undefined && !(options.until instanceof Date && !Number.isNaN(options.until.getTime()))) {
    return err('invalid RRULE: UNTIL is not a date');
  }
  // rrule would silently ignore these; they make no sense for sessions or availability.
  if (options.count !== undefined && options.count !== null && options.until) {
    return err('invalid RRULE: COUNT and UNTIL are mutually exclusive');
  }
  return { options, untilIsUtc: until !== undefined && /Z$/i.test(until) };
}

/** Builds a floating-UTC RRule for a parsed rule anchored at a wall time in tz. */
function floatingRule(parsed: ParsedRule, dtstart: string, tz: string): RRule {
  const p = parseWallTime(dtstart)!;
  const options: Partial<RRuleOptions> = {
    ...parsed.options,
    dtstart: new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)),
    tzid: null,
  };
  if (parsed.options.until && parsed.untilIsUtc) {
    // UNTIL is an instant; in floating time it is that instant's wall time in tz.
    options.until = instantToFloating(parsed.options.until.getTime(), tz);
  }
  return new RRule(options);
}

function checkZoneAndStart(dtstart: string, tzid: string): RecurrenceError | null {
  if (!isValidTimeZone(tzid)) return { field: 'timeZone', message: `unknown IANA time zone: ${String(tzid)}` };
  if (!parseWallTime(dtstart)) {
    return { field: 'startsAt', message: `invalid local start time (expected YYYY-MM-DDTHH:mm[:ss]): ${String(dtstart)}` };
  }
  return null;
}

/**
 * Expands a recurrence inside [from, to) into UTC instants whose local wall time in `tzid` is stable across DST.
 * Throws {@link RecurrenceInputError} on an invalid rule, start or zone.
 */
export function expandRecurrence(input: RecurrenceInput): Date[] {
  const { rrule, dtstart, tzid, from, to, maxOccurrences } = input;
  const bad = checkZoneAndStart(dtstart, tzid);
  if (bad) throw new RecurrenceInputError(bad);
  const parsed = parseRule(rrule);
  if ('field' in parsed) throw new RecurrenceInputError(parsed);
  const fromMs = from.getTime();
  const toMs = to.getTime();
  if (!(toMs > fromMs)) return [];
  const rule = floatingRule(parsed, dtstart, tzid);
  // Offsets are within ±14 h, so a one-day margin on the floating window covers every candidate.
  const lo = new Date(fromMs - DAY_MS);
  const hi = new Date(toMs + DAY_MS);
  const limit = maxOccurrences ?? Number.POSITIVE_INFINITY;
  const out: Date[] = [];
  const seen = new Set<number>();
  rule.between(lo, hi, true, (floating) => {
    const ms = floatingToInstant(floating, tzid);
    // Two wall times in one spring-forward gap can map to the same instant; keep one.
    if (ms >= fromMs && ms < toMs && !seen.has(ms)) {
      seen.add(ms);
      out.push(new Date(ms));
    }
    return out.length < limit;
  });
  out.sort((a, b) => a.getTime() - b.getTime());
  return out;
}

/**
 * Validates a series for storage: known zone, well-formed start and RRULE, bounded (COUNT or UNTIL),
 * at most `maxCount` occurrences spanning at most `maxSpanDays`. Returns all occurrence instants when valid.
 */
export function validateRecurrence(
  rrule: string,
  dtstart: string,
  tzid: string,
  limits: RecurrenceLimits = {},
): RecurrenceValidation {
  const maxSpanDays = limits.maxSpanDays ?? 366;
  const maxCount = limits.maxCount ?? 1000;
  const bad = checkZoneAndStart(dtstart, tzid);
  if (bad) return { ok: false, error: bad };
  const parsed = parseRule(rrule);
  if ('field' in parsed) return { ok: false, error: parsed };
  if (!parsed.options.count && !parsed.options.until) {
    return { ok: false, error: { field: 'recurrence', message: 'unbounded series: give COUNT or UNTIL' } };
  }
  if (parsed.options.count && parsed.options.count > maxCount) {
    return { ok: false, error: { field: 'recurrence', message: `too many occurrences: at most ${maxCount}` } };
  }
  const rule = floatingRule(parsed, dtstart, tzid);
  const startFloating = rule.options.dtstart.getTime();
  const spanEnd = startFloating + maxSpanDays * DAY_MS;
  // Stop one occurrence past either limit: that is enough to know the series is too long.
  // rrule drops the date its iterator rejects, so we collect it ourselves: one occurrence past
  // either limit is enough to know the series is too long.
  const floating: Date[] = [];
  let tooLong = false;
  rule.all((d) => {
    if (d.getTime() > spanEnd) {
      tooLong = true;
      return false;
    }
    floating.push(d);
    return floating.length <= maxCount;
  });
  if (floating.length > maxCount) {
    return { ok: false, error: { field: 'recurrence', message: `too many occurrences: at most ${maxCount}` } };
  }
  if (tooLong) {
    return {
      ok: false,
      error: { field: 'recurrence', message: `series is longer than ${maxSpanDays} days` },
    };
  }
  if (floating.length === 0) {
    return { ok: false, error: { field: 'recurrence', message: 'the series has no occurrences' } };
  }
  const instants = [...new Set(floating.map((d) => floatingToInstant(d, tzid)))].sort((a, b) => a - b);
  return { ok: true, occurrences: instants.map((ms) => new Date(ms)) };
}
