/*
 * The programme's calendar: every scheduling date a client gives lies in [MIN_YEAR, MAX_YEAR].
 * Children returned from 2014 on are the programme's subject; sessions, placements and care plans are
 * planned at most decades ahead. A year outside this range is a typo or an attack (a `freeSlots` in
 * year 9999 used to cost 28 s), so it is refused rather than computed.
 */

/** First year a scheduling date may fall in. */
export const MIN_YEAR = 2000;
/** Last year a scheduling date may fall in. */
export const MAX_YEAR = 2100;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Why a calendar date `YYYY-MM-DD` is refused (malformed, impossible such as 2027-02-30, or out of range), or null when it is fine. */
export function calendarDateProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a date YYYY-MM-DD';
  const m = DATE.exec(value);
  if (!m) return 'must be a date YYYY-MM-DD';
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0-99 to 1900-1999; the range check below refuses those anyway.
  if (month < 1 || month > 12 || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return `is not a real calendar date: ${value}`;
  }
  if (year < MIN_YEAR || year > MAX_YEAR) return `must lie between ${MIN_YEAR} and ${MAX_YEAR}`;
  return null;
}

/** Why an instant is refused (not a date, or outside [MIN_YEAR, MAX_YEAR] in UTC), or null when it is fine. */
export function instantProblem(value: unknown): string | null {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return 'is not a date-time';
  const year = value.getUTCFullYear();
  if (year < MIN_YEAR || year > MAX_YEAR) return `must lie between ${MIN_YEAR} and ${MAX_YEAR}`;
  return null;
}

/** True when a year lies in the programme's calendar. */
export function yearInRange(year: number): boolean {
  return Number.isInteger(year) && year >= MIN_YEAR && year <= MAX_YEAR;
}
