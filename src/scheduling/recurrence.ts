import { DateTime, IANAZone } from 'luxon';
import { Frequency, RRule, type Options as RRuleOptions } from 'rrule';
import { MAX_YEAR, MIN_YEAR, yearInRange } from './dateRange';

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

/**
 * Zones already found valid. luxon's isValidZone builds an Intl.DateTimeFormat on every call (about 40 µs):
 * a month of free slots asked it tens of thousands of times and held the event loop for a second (issue 7 §2).
 * Only valid names are kept, so the set is bounded by the runtime's zone list whatever clients send.
 */
const knownZones = new Set<string>();

/** True when `tz` is an IANA time zone name known to the runtime's ICU data. */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz.length === 0) return false;
  if (knownZones.has(tz)) return true;
  if (!IANAZone.isValidZone(tz)) return false;
  knownZones.add(tz);
  return true;
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
  freq: Frequency;
  interval: number;
  hasCount: boolean;
}

const HOUR_MS = 3_600_000;
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const FREQS = ['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY', 'MINUTELY', 'SECONDLY'];
const PARTS = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYDAY', 'BYMONTHDAY', 'BYYEARDAY', 'BYWEEKNO', 'BYMONTH', 'BYSETPOS', 'WKST']);
/** Largest INTERVAL accepted (a session every 1000 days is already beyond any plan). */
const MAX_INTERVAL = 1000;
/** Largest COUNT the parser accepts; storage applies its own, smaller, cap. */
const MAX_PARSE_COUNT = 10_000;

/**
 * Hard cap on the periods (years, months, weeks or days, by FREQ) one expansion may walk. rrule
 * 2.8.1 walks period by period and only stops on an occurrence past the window, on COUNT, or in year
 * 9999: a rule with no occurrence ahead would walk for seconds or forever. Every expansion here gets a
 * budget of exactly the periods its window spans (so a finished budget means the window is complete),
 * and never more than this.
 */
export const MAX_PERIODS = 1_500;
/**
 * rrule reads `options.interval` twice per period; the budget counts those reads with room to spare (the
 * windowed-expansion property test would miss occurrences if rrule read it more often).
 */
const READS_PER_PERIOD = 3;
/** An open-ended rule (availability) must produce an occurrence within this many days of its start. */
export const PROBE_DAYS = 366;

class BudgetExhausted extends Error {}

const has = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

/** Checks a comma-separated list of integers against an RFC 5545 range; `signed` allows -max..-1 too (never 0). */
function intListProblem(name: string, value: string, min: number, max: number, signed: boolean): string | null {
  const items = value.split(',');
  if (items.length > 400) return `${name} lists too many values`;
  for (const item of items) {
    if (!/^[+-]?\d{1,4}$/.test(item)) return `${name} must be a comma-separated list of integers, got "${item}"`;
    const n = Number(item);
    const ok = signed ? n !== 0 && Math.abs(n) >= min && Math.abs(n) <= max : n >= min && n <= max && !item.startsWith('-');
    if (!ok) return signed ? `${name} values must be between 1 and ${max} or -${max} and -1 (never 0), got ${item}` : `${name} values must be between ${min} and ${max}, got ${item}`;
  }
  return null;
}

/** Validates every part of an RRULE value against RFC 5545 (names, ranges, which parts go with which FREQ). */
function partsProblem(text: string, inputMode: boolean): string | null {
  const seen = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).toUpperCase();
    const value = eq < 0 ? '' : part.slice(eq + 1).toUpperCase();
    if (!PARTS.has(key)) return `unknown or unsupported RRULE part "${key}"`;
    if (value === '') return `${key} has no value`;
    if (seen.has(key)) return `${key} is given twice`;
    seen.set(key, value);
  }
  const freq = seen.get('FREQ');
  if (freq === undefined) return 'FREQ is required';
  if (!FREQS.includes(freq)) return `FREQ must be one of ${FREQS.join(', ')}`;
  // Sub-daily rules are meaningless for sessions and working hours (several times a day is BYHOUR), and
  // rrule walks them hour by hour: refusing them keeps every walk at most one step per day.
  if (['HOURLY', 'MINUTELY', 'SECONDLY'].includes(freq)) {
    return `FREQ=${freq} is not supported: sessions and availability repeat at most daily (give several times of day with BYHOUR and BYMINUTE)`;
  }
  const interval = seen.get('INTERVAL');
  if (interval !== undefined && (!/^\d{1,4}$/.test(interval) || Number(interval) < 1 || Number(interval) > MAX_INTERVAL)) {
    return `INTERVAL must be an integer from 1 to ${MAX_INTERVAL}`;
  }
  const count = seen.get('COUNT');
  if (count !== undefined && (!/^\d{1,5}$/.test(count) || Number(count) < 1 || Number(count) > MAX_PARSE_COUNT)) {
    return `COUNT must be an integer from 1 to ${MAX_PARSE_COUNT}`;
  }
  if (count !== undefined && seen.has('UNTIL')) return 'COUNT and UNTIL are mutually exclusive';
  const until = seen.get('UNTIL');
  if (until !== undefined) {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(until);
    if (!m) return 'UNTIL must be a date YYYYMMDD or a date-time YYYYMMDDTHHMMSSZ';
    const wall = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}`;
    if (!parseWallTime(wall) || Number(m[1]) < 1000) return `UNTIL is not a real date: ${until}`;
    if (inputMode && !yearInRange(Number(m[1]))) return `UNTIL must lie between ${MIN_YEAR} and ${MAX_YEAR}`;
  }
  const ranges: [string, number, number, boolean][] = [
    ['BYSECOND', 0, 59, false], // RFC 5545 allows 60 (a leap second); our clocks have none
    ['BYMINUTE', 0, 59, false],
    ['BYHOUR', 0, 23, false],
    ['BYMONTHDAY', 1, 31, true],
    ['BYYEARDAY', 1, 366, true],
    ['BYWEEKNO', 1, 53, true],
    ['BYMONTH', 1, 12, false],
    ['BYSETPOS', 1, 366, true],
  ];
  for (const [name, min, max, signed] of ranges) {
    const v = seen.get(name);
    if (v !== undefined) {
      const bad = intListProblem(name, v, min, max, signed);
      if (bad) return bad;
    }
  }
  const byday = seen.get('BYDAY');
  if (byday !== undefined) {
    for (const item of byday.split(',')) {
      const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
      if (!m) return `BYDAY values must be weekdays such as MO or 2MO or -1FR, got "${item}"`;
      if (m[1] !== undefined) {
        const n = Math.abs(Number(m[1]));
        if (freq === 'MONTHLY' ? n < 1 || n > 5 : freq === 'YEARLY' ? n < 1 || n > 53 : true) {
          return freq === 'MONTHLY' || freq === 'YEARLY'
            ? `BYDAY ordinals must be between 1 and ${freq === 'MONTHLY' ? 5 : 53} (or negative), got "${item}"`
            : `BYDAY ordinals such as "${item}" are only allowed with FREQ=MONTHLY or YEARLY`;
        }
        if (freq === 'YEARLY' && seen.has('BYWEEKNO')) return 'BYDAY ordinals cannot be combined with BYWEEKNO';
      }
    }
  }
  const wkst = seen.get('WKST');
  if (wkst !== undefined && !WEEKDAYS.includes(wkst)) return 'WKST must be a weekday such as MO';
  if (seen.has('BYMONTHDAY') && freq === 'WEEKLY') return 'BYMONTHDAY cannot be used with FREQ=WEEKLY';
  if (seen.has('BYYEARDAY') && ['DAILY', 'WEEKLY', 'MONTHLY'].includes(freq)) return `BYYEARDAY cannot be used with FREQ=${freq}`;
  if (seen.has('BYWEEKNO') && freq !== 'YEARLY') return 'BYWEEKNO can only be used with FREQ=YEARLY';
  if (seen.has('BYSETPOS') && ![...seen.keys()].some((k) => k.startsWith('BY') && k !== 'BYSETPOS')) {
    return 'BYSETPOS needs another BYxxx part to select from';
  }
  return null;
}

/** Parses and validates an RRULE value; `inputMode` also applies the programme's date range (new input, not stored rules). */
function parseRule(rrule: string, inputMode = false): ParsedRule | RecurrenceError {
  const err = (message: string): RecurrenceError => ({ field: 'recurrence', message });
  if (typeof rrule !== 'string' || rrule.trim() === '') return err('RRULE is empty');
  const text = rrule.trim().replace(/^RRULE:/i, '');
  if (/[\r\n]/.test(text) || /DTSTART/i.test(text)) {
    return err('give only the RRULE value; the start and time zone are separate fields');
  }
  const bad = partsProblem(text, inputMode);
  if (bad) return err(`invalid RRULE: ${bad}`);
  let options: Partial<RRuleOptions>;
  try {
    options = RRule.parseString(text);
  } catch (e) {
    return err(`invalid RRULE: ${(e as Error).message}`);
  }
  if (options.freq === undefined || options.freq === null) return err('invalid RRULE: FREQ is required');
  if (options.until !== undefined && !(options.until instanceof Date && !Number.isNaN(options.until.getTime()))) {
    return err('invalid RRULE: UNTIL is not a date');
  }
  const until = /(?:^|;)UNTIL=([^;]*)/i.exec(text)?.[1];
  return {
    options,
    untilIsUtc: until !== undefined && /Z$/i.test(until),
    freq: options.freq,
    interval: options.interval ?? 1,
    hasCount: options.count !== undefined && options.count !== null,
  };
}

function wkstOf(o: Partial<RRuleOptions>): number {
  const w = o.wkst as unknown;
  if (typeof w === 'number') return w;
  return (w as { weekday?: number } | null | undefined)?.weekday ?? 0;
}

/** Start (floating ms) of the FREQ period that contains `ms`. */
function periodStart(freq: Frequency, ms: number, wkst: number): number {
  const d = new Date(ms);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  switch (freq) {
    case Frequency.YEARLY: return Date.UTC(d.getUTCFullYear(), 0, 1);
    case Frequency.MONTHLY: return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case Frequency.WEEKLY: return day - (((d.getUTCDay() + 6) % 7) - wkst + 7) % 7 * DAY_MS;
    case Frequency.DAILY: return day;
    default: return Math.floor(ms / HOUR_MS) * HOUR_MS;
  }
}

/** Whole periods from one period start to another. */
function periodsBetween(freq: Frequency, a: number, b: number): number {
  const da = new Date(a);
  const db = new Date(b);
  switch (freq) {
    case Frequency.YEARLY: return db.getUTCFullYear() - da.getUTCFullYear();
    case Frequency.MONTHLY: return (db.getUTCFullYear() - da.getUTCFullYear()) * 12 + db.getUTCMonth() - da.getUTCMonth();
    case Frequency.WEEKLY: return Math.round((b - a) / (7 * DAY_MS));
    case Frequency.DAILY: return Math.round((b - a) / DAY_MS);
    default: return Math.round((b - a) / HOUR_MS);
  }
}

function addPeriods(freq: Frequency, start: number, k: number): number {
  const d = new Date(start);
  switch (freq) {
    case Frequency.YEARLY: return Date.UTC(d.getUTCFullYear() + k, 0, 1);
    case Frequency.MONTHLY: return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1);
    case Frequency.WEEKLY: return start + k * 7 * DAY_MS;
    case Frequency.DAILY: return start + k * DAY_MS;
    default: return start + k * HOUR_MS;
  }
}

/**
 * The parts rrule derives from DTSTART (weekday, day of month, month, time of day), written out, so that the
 * rule means the same when its DTSTART moves to a later period. Mirrors rrule's parseOptions.
 */
function explicitOptions(o: Partial<RRuleOptions>, d0: Date): Partial<RRuleOptions> {
  const out: Partial<RRuleOptions> = { ...o };
  if (!(has(o.byweekno) || has(o.byyearday) || has(o.bymonthday) || has(o.byweekday))) {
    if (o.freq === Frequency.YEARLY) {
      if (!has(o.bymonth)) out.bymonth = d0.getUTCMonth() + 1;
      out.bymonthday = d0.getUTCDate();
    } else if (o.freq === Frequency.MONTHLY) {
      out.bymonthday = d0.getUTCDate();
    } else if (o.freq === Frequency.WEEKLY) {
      out.byweekday = [(d0.getUTCDay() + 6) % 7];
    }
  }
  if (!has(o.byhour) && o.freq! < Frequency.HOURLY) out.byhour = d0.getUTCHours();
  if (!has(o.byminute) && o.freq! < Frequency.MINUTELY) out.byminute = d0.getUTCMinutes();
  if (!has(o.bysecond) && o.freq! < Frequency.SECONDLY) out.bysecond = d0.getUTCSeconds();
  return out;
}

/** Floating-UTC milliseconds of a wall time. */
function wallMs(dtstart: string): number {
  const p = parseWallTime(dtstart)!;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/**
 * Builds a floating-UTC RRule anchored at a wall time in tz. With `notBefore` (floating ms) and no COUNT,
 * DTSTART moves forward by whole INTERVALs of periods to the period containing `notBefore`: the expansion
 * starts at the window, not at DTSTART (a 1900 DTSTART costs nothing). COUNT counts from DTSTART, so a rule
 * with COUNT is never moved (stored series are at most a year long).
 */
function floatingRule(parsed: ParsedRule, dtstart: string, tz: string, notBefore?: number): RRule {
  const d0 = wallMs(dtstart);
  let options: Partial<RRuleOptions> = { ...parsed.options, dtstart: new Date(d0), tzid: null };
  if (parsed.options.until && parsed.untilIsUtc) {
    // UNTIL is an instant; in floating time it is that instant's wall time in tz.
    options.until = instantToFloating(parsed.options.until.getTime(), tz);
  }
  if (notBefore !== undefined && !parsed.hasCount) {
    const wkst = wkstOf(parsed.options);
    const p0 = periodStart(parsed.freq, d0, wkst);
    const k = Math.floor(periodsBetween(parsed.freq, p0, periodStart(parsed.freq, notBefore, wkst)) / parsed.interval);
    if (k > 0) options = { ...explicitOptions(options, new Date(d0)), dtstart: new Date(addPeriods(parsed.freq, p0, k * parsed.interval)) };
  }
  return new RRule(options, true);
}

/**
 * Runs `walk` over `rule` with a budget of `periods` FREQ periods (capped at {@link MAX_PERIODS}). Returns
 * true when the budget ran out: rrule then had walked past every period the caller asked about.
 */
function withBudget(rule: RRule, periods: number, walk: () => void): boolean {
  const interval = rule.options.interval;
  const max = Math.min(MAX_PERIODS, Math.max(1, Math.ceil(periods))) * READS_PER_PERIOD + 4;
  let reads = 0;
  // rrule's main loop reads options.interval on every period, whether or not the period yields anything;
  // that is the one hook that can stop a walk which produces nothing.
  Object.defineProperty(rule.options, 'interval', {
    configurable: true,
    enumerable: true,
    get() {
      if (++reads > max) throw new BudgetExhausted('recurrence budget exhausted');
      return interval;
    },
  });
  try {
    walk();
    return false;
  } catch (e) {
    if (e instanceof BudgetExhausted) return true;
    throw e;
  }
}

/** Periods of `rule` from its DTSTART up to the floating instant `endMs`, divided by INTERVAL, plus slack. */
function periodsUpTo(parsed: ParsedRule, rule: RRule, endMs: number): number {
  const wkst = wkstOf(parsed.options);
  const start = periodStart(parsed.freq, rule.options.dtstart.getTime(), wkst);
  return Math.max(0, periodsBetween(parsed.freq, start, periodStart(parsed.freq, endMs, wkst))) / parsed.interval + 2;
}

function checkZoneAndStart(dtstart: string, tzid: string, inputMode = false): RecurrenceError | null {
  if (!isValidTimeZone(tzid)) return { field: 'timeZone', message: `unknown IANA time zone: ${String(tzid)}` };
  const p = parseWallTime(dtstart);
  if (!p) {
    return { field: 'startsAt', message: `invalid local start time (expected YYYY-MM-DDTHH:mm[:ss]): ${String(dtstart)}` };
  }
  if (inputMode && !yearInRange(p.year)) return { field: 'startsAt', message: `must lie between ${MIN_YEAR} and ${MAX_YEAR}` };
  return null;
}

/** Parses a rule and its start, with every static check; the typed error when invalid. */
function prepare(rrule: string, dtstart: string, tzid: string, inputMode: boolean): ParsedRule | RecurrenceError {
  const bad = checkZoneAndStart(dtstart, tzid, inputMode);
  if (bad) return bad;
  const parsed = parseRule(rrule, inputMode);
  return parsed;
}

/**
 * Expands a recurrence inside [from, to) into UTC instants whose local wall time in `tzid` is stable across DST.
 * Walks only the periods of the window (from DTSTART when the rule has COUNT), with a budget: no rule costs
 * more than {@link MAX_PERIODS} periods. Throws {@link RecurrenceInputError} on an invalid rule, start or zone.
 */
export function expandRecurrence(input: RecurrenceInput): Date[] {
  const { rrule, dtstart, tzid, from, to, maxOccurrences } = input;
  const parsed = prepare(rrule, dtstart, tzid, false);
  if ('field' in parsed) throw new RecurrenceInputError(parsed);
  const fromMs = from.getTime();
  const toMs = to.getTime();
  if (!(toMs > fromMs)) return [];
  // Offsets are within ±14 h, so a one-day margin on the floating window covers every candidate.
  const lo = fromMs - DAY_MS;
  const hi = toMs + DAY_MS;
  const rule = floatingRule(parsed, dtstart, tzid, lo);
  const limit = maxOccurrences ?? Number.POSITIVE_INFINITY;
  const out: Date[] = [];
  const seen = new Set<number>();
  withBudget(rule, periodsUpTo(parsed, rule, hi), () => {
    rule.between(new Date(lo), new Date(hi), true, (floating) => {
      const ms = floatingToInstant(floating, tzid);
      // Two wall times in one spring-forward gap can map to the same instant; keep one.
      if (ms >= fromMs && ms < toMs && !seen.has(ms)) {
        seen.add(ms);
        out.push(new Date(ms));
      }
      return out.length < limit;
    });
  });
  out.sort((a, b) => a.getTime() - b.getTime());
  return out;
}

/**
 * Checks an open-ended rule for storage (availability): known zone, a start in the programme's years, every
 * RRULE part in its RFC 5545 range, and at least one occurrence within {@link PROBE_DAYS} of the start (so a
 * rule that can never match, such as `FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30`, is refused). Null when fine.
 */
export function checkRecurrence(rrule: string, dtstart: string, tzid: string): RecurrenceError | null {
  const parsed = prepare(rrule, dtstart, tzid, true);
  if ('field' in parsed) return parsed;
  const rule = floatingRule(parsed, dtstart, tzid);
  const end = rule.options.dtstart.getTime() + PROBE_DAYS * DAY_MS;
  let found = false;
  withBudget(rule, periodsUpTo(parsed, rule, end), () => {
    rule.all((d) => {
      found = d.getTime() <= end;
      return false;
    });
  });
  if (!found) return { field: 'recurrence', message: `the rule produces no occurrence within ${PROBE_DAYS} days of its start` };
  if (parsed.hasCount) {
    // COUNT counts from DTSTART, so such a rule is always walked from there: it must end within the budget.
    const counted = floatingRule(parsed, dtstart, tzid);
    let n = 0;
    const exhausted = withBudget(counted, MAX_PERIODS, () => counted.all(() => ++n > 0));
    if (exhausted && n < (parsed.options.count ?? 0)) {
      return { field: 'recurrence', message: `a rule with COUNT must end within ${MAX_PERIODS} periods of its start; give UNTIL or leave it open-ended` };
    }
  }
  return null;
}

/**
 * Validates a series for storage: known zone, well-formed start in the programme's years, every RRULE part in
 * range, bounded (COUNT, or UNTIL within `maxSpanDays`), at most `maxCount` occurrences spanning at most
 * `maxSpanDays`, and at least one occurrence. Returns all occurrence instants when valid. Bounded in time
 * whatever the rule: the walk never goes past `maxSpanDays`.
 */
export function validateRecurrence(
  rrule: string,
  dtstart: string,
  tzid: string,
  limits: RecurrenceLimits = {},
): RecurrenceValidation {
  const maxSpanDays = limits.maxSpanDays ?? 366;
  const maxCount = limits.maxCount ?? 1000;
  const parsed = prepare(rrule, dtstart, tzid, true);
  if ('field' in parsed) return { ok: false, error: parsed };
  if (!parsed.hasCount && !parsed.options.until) {
    return { ok: false, error: { field: 'recurrence', message: 'unbounded series: give COUNT or UNTIL' } };
  }
  if (parsed.options.count && parsed.options.count > maxCount) {
    return { ok: false, error: { field: 'recurrence', message: `too many occurrences: at most ${maxCount}` } };
  }
  const rule = floatingRule(parsed, dtstart, tzid);
  const startFloating = rule.options.dtstart.getTime();
  const spanEnd = startFloating + maxSpanDays * DAY_MS;
  if (rule.options.until && rule.options.until.getTime() > spanEnd + DAY_MS) {
    return { ok: false, error: { field: 'recurrence', message: `series is longer than ${maxSpanDays} days: UNTIL must lie within them` } };
  }
  // rrule drops the date its iterator rejects, so we collect it ourselves: one occurrence past
  // either limit is enough to know the series is too long.
  const floating: Date[] = [];
  let tooLong = false;
  const exhausted = withBudget(rule, periodsUpTo(parsed, rule, spanEnd), () => {
    rule.all((d) => {
      if (d.getTime() > spanEnd) {
        tooLong = true;
        return false;
      }
      floating.push(d);
      return floating.length <= maxCount;
    });
  });
  // Out of budget with COUNT not reached: the remaining occurrences lie beyond the span, or never come.
  if (exhausted && parsed.hasCount && floating.length > 0 && floating.length < (parsed.options.count ?? 0)) tooLong = true;
  if (floating.length > maxCount) {
    return { ok: false, error: { field: 'recurrence', message: `too many occurrences: at most ${maxCount}` } };
  }
  if (floating.length === 0) {
    return { ok: false, error: { field: 'recurrence', message: `the series has no occurrence within ${maxSpanDays} days of its start` } };
  }
  if (tooLong) {
    return {
      ok: false,
      error: { field: 'recurrence', message: `series is longer than ${maxSpanDays} days` },
    };
  }
  const instants = [...new Set(floating.map((d) => floatingToInstant(d, tzid)))].sort((a, b) => a - b);
  return { ok: true, occurrences: instants.map((ms) => new Date(ms)) };
}
