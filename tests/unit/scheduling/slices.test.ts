import fc from 'fast-check';
import { DateTime } from 'luxon';
import { type AvailabilityRule, expandAvailability, openingHoursIntervals } from '../../../src/scheduling/availability';
import { intervalsInSlices } from '../../../src/services/schedulingData';

/*
 * A year-long series is checked a month at a time (issue 7 §2): the union of the slices must be exactly
 * what one expansion of the whole window gives, across DST changes, windows that cross slice boundaries
 * (overnight availability, 24:00 closing) and leave.
 */
const DAY = 86_400_000;
const rulesIn = (tz: string): AvailabilityRule[] => [
  { kind: 'AVAILABLE', rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', dtstart: '2026-01-05T09:00', tzid: tz, durationMinutes: 8 * 60 },
  { kind: 'AVAILABLE', rrule: 'FREQ=DAILY;INTERVAL=3', dtstart: '2026-01-02T22:00', tzid: tz, durationMinutes: 10 * 60 },
  { kind: 'UNAVAILABLE', rrule: 'FREQ=MONTHLY;BYMONTHDAY=1,15', dtstart: '2026-01-01T12:00', tzid: tz, durationMinutes: 36 * 60 },
];
const hours = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opens: '08:00', closes: '19:30' })).concat([{ weekday: 6, opens: '10:00', closes: '24:00' }]);

describe('intervalsInSlices', () => {
  it('gives exactly the whole-window expansion of availability and opening hours, whatever the window and slice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Europe/Kyiv', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe'),
        fc.integer({ min: 0, max: 200 * DAY }), fc.integer({ min: 1, max: 400 * DAY }), fc.integer({ min: 1, max: 40 }),
        async (tz, offset, length, sliceDays) => {
          const from = new Date(Date.UTC(2026, 0, 1) + offset);
          const to = new Date(from.getTime() + length);
          const rules = rulesIn(tz);
          expect(await intervalsInSlices(from, to, sliceDays, (a, b) => expandAvailability(rules, a, b))).toEqual(expandAvailability(rules, from, to));
          expect(await intervalsInSlices(from, to, sliceDays, (a, b) => openingHoursIntervals(hours, tz, a, b))).toEqual(openingHoursIntervals(hours, tz, from, to));
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it('lets the event loop run between slices', async () => {
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    let slices = 0;
    await intervalsInSlices(new Date(0), new Date(366 * DAY), 31, (a, b) => {
      slices++;
      const until = Date.now() + 3;
      while (Date.now() < until); // a slice of real work
      return [{ start: a.getTime(), end: b.getTime() }];
    });
    clearInterval(ticker);
    expect(slices).toBe(12);
    expect(turns).toBeGreaterThanOrEqual(5);
  });
});

describe('openingHoursIntervals where DST changes at midnight', () => {
  it('keeps opening and "24:00" closing at local wall times after a day without a midnight (Santiago, 6 September 2026)', () => {
    const tz = 'America/Santiago';
    const list = openingHoursIntervals(hours, tz, new Date('2026-08-25T00:00:00Z'), new Date('2026-09-30T00:00:00Z'));
    const wall = (ms: number) => DateTime.fromMillis(ms, { zone: tz });
    expect(list.length).toBeGreaterThan(20);
    for (const i of list) {
      const [s, e] = [wall(i.start), wall(i.end)];
      if (s.weekday === 6) {
        // Closing at "24:00" is the next day's start: 01:00 on 6 September itself (its midnight does not exist), 00:00 after.
        expect([s.toISODate(), s.toFormat('HH:mm'), e.toISO()]).toEqual([s.toISODate(), '10:00', s.plus({ days: 1 }).startOf('day').toISO()]);
        expect(e.toFormat('HH:mm')).toBe(e.toISODate() === '2026-09-06' ? '01:00' : '00:00');
      } else {
        expect([s.toFormat('HH:mm'), e.toFormat('HH:mm')]).toEqual(['08:00', '19:30']);
      }
    }
  });
});
