import fc from 'fast-check';
import { DateTime } from 'luxon';
import { localDateOf } from '../../../src/scheduling/availability';
import { isValidTimeZone } from '../../../src/scheduling/recurrence';

// localDateOf replaces a luxon format per instant in freeSlots and bookings (issue 7 §2): it must agree with it.
const luxonDate = (ms: number, tz: string): string => DateTime.fromMillis(ms, { zone: tz }).toFormat('yyyy-LL-dd');
// Zones with DST at midnight or 01:00, half-hour DST (Lord Howe), odd offsets (Kathmandu, Chatham), a date-line jump (Apia 2011).
const ZONES = ['Europe/Kyiv', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'Pacific/Apia', 'UTC'];
const MINUTE = 60_000;

describe('localDateOf', () => {
  it('agrees with luxon on random instants from 1970 to 2100 in zones with odd offsets and DST rules', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }), (tz, ms) => {
        expect(localDateOf(tz)(ms)).toBe(luxonDate(ms, tz));
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('agrees with luxon minute by minute across DST changes and midnight, with one function reused', () => {
    for (const [tz, around] of [
      ['Europe/Kyiv', '2026-03-29T01:00:00Z'], ['Europe/Kyiv', '2026-10-25T00:00:00Z'],
      ['America/Santiago', '2026-04-05T02:00:00Z'], ['America/Santiago', '2026-09-06T03:00:00Z'],
      ['Pacific/Apia', '2011-12-30T09:00:00Z'], ['Australia/Lord_Howe', '2026-04-04T14:00:00Z'],
    ] as const) {
      const dayOf = localDateOf(tz);
      const centre = Date.parse(around);
      for (let ms = centre - 36 * 60 * MINUTE; ms <= centre + 36 * 60 * MINUTE; ms += 7 * MINUTE) {
        expect([tz, ms, dayOf(ms)]).toEqual([tz, ms, luxonDate(ms, tz)]);
      }
    }
  });

  it('refuses an unknown zone, and isValidTimeZone (now cached) still tells known from unknown', () => {
    expect(() => localDateOf('Mars/Olympus')).toThrow(RangeError);
    expect(isValidTimeZone('Europe/Kyiv')).toBe(true);
    expect(isValidTimeZone('Europe/Kyiv')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});
