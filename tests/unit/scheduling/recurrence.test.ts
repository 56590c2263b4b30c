import { DateTime } from 'luxon';
import {
  expandRecurrence,
  instantToLocal,
  isValidTimeZone,
  localToInstant,
  RecurrenceInputError,
  validateRecurrence,
} from '../../../src/scheduling/recurrence';

// These tests must mean the same whatever TZ jest runs in (CI runs them under UTC and America/New_York):
// every expectation is about Kyiv wall time via luxon or about UTC fields, never about the process's zone.
const KYIV = 'Europe/Kyiv';
const kyivWall = (d: Date): string => DateTime.fromJSDate(d, { zone: KYIV }).toFormat("ccc yyyy-LL-dd HH:mm");

describe('expandRecurrence across the 2026 DST changes in Europe/Kyiv', () => {
  it('keeps a weekly Monday 10:00 at 10:00 local across 29 March (UTC 08:00 → 07:00)', () => {
    const dates = expandRecurrence({
      rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=4',
      dtstart: '2026-03-16T10:00',
      tzid: KYIV,
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-05-01T00:00:00Z'),
    });
    expect(dates.map(kyivWall)).toEqual(['Mon 2026-03-16 10:00', 'Mon 2026-03-23 10:00', 'Mon 2026-03-30 10:00', 'Mon 2026-04-06 10:00']);
    expect(dates.map((d) => d.getUTCHours())).toEqual([8, 8, 7, 7]);
    expect(dates[0].toISOString()).toBe('2026-03-16T08:00:00.000Z');
    expect(dates[2].toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });

  it('keeps it at 10:00 local across 25 October (UTC 07:00 → 08:00)', () => {
    const dates = expandRecurrence({
      rrule: 'RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261103T000000Z',
      dtstart: '2026-10-19T10:00',
      tzid: KYIV,
      from: new Date('2026-10-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
    });
    expect(dates.map(kyivWall)).toEqual(['Mon 2026-10-19 10:00', 'Mon 2026-10-26 10:00', 'Mon 2026-11-02 10:00']);
    expect(dates.map((d) => d.getUTCHours())).toEqual([7, 8, 8]);
  });

  it('a daily series straddling both Sundays keeps its wall time every day', () => {
    const spring = expandRecurrence({
      rrule: 'FREQ=DAILY;COUNT=4',
      dtstart: '2026-03-27T10:00',
      tzid: KYIV,
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-04-30T00:00:00Z'),
    });
    expect(spring.map((d) => DateTime.fromJSDate(d, { zone: KYIV }).toFormat('HH:mm'))).toEqual(['10:00', '10:00', '10:00', '10:00']);
    expect(spring.map((d) => d.getUTCHours())).toEqual([8, 8, 7, 7]);
    // Consecutive occurrences are 24 h apart except across the change (23 h in spring).
    expect((spring[2].getTime() - spring[1].getTime()) / 3_600_000).toBe(23);
  });

  it('clips to the window, honours maxOccurrences, and is the same as localToInstant per occurrence', () => {
    const from = new Date('2026-04-01T00:00:00Z');
    const dates = expandRecurrence({
      rrule: 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=50',
      dtstart: '2026-03-02T09:30',
      tzid: KYIV,
      from,
      to: new Date('2026-05-01T00:00:00Z'),
      maxOccurrences: 3,
    });
    expect(dates).toHaveLength(3);
    expect(dates[0].getTime()).toBeGreaterThanOrEqual(from.getTime());
    for (const d of dates) expect(localToInstant(instantToLocal(d, KYIV), KYIV).getTime()).toBe(d.getTime());
  });

  it('interprets UNTIL given in UTC as an instant', () => {
    // UNTIL 07:59Z on 30 March is 10:59 Kyiv: the 10:00 occurrence that day is included.
    const dates = expandRecurrence({
      rrule: 'FREQ=DAILY;UNTIL=20260330T075900Z',
      dtstart: '2026-03-28T10:00',
      tzid: KYIV,
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-04-30T00:00:00Z'),
    });
    expect(dates.map(kyivWall)).toEqual(['Sat 2026-03-28 10:00', 'Sun 2026-03-29 10:00', 'Mon 2026-03-30 10:00']);
  });

  it('throws a typed error on invalid input', () => {
    const call = (): Date[] =>
      expandRecurrence({ rrule: 'FREQ=SOMETIMES', dtstart: '2026-03-16T10:00', tzid: KYIV, from: new Date(0), to: new Date() });
    expect(call).toThrow(RecurrenceInputError);
  });
});

describe('local wall time ↔ instant', () => {
  it('converts both ways in Kyiv, summer and winter', () => {
    expect(localToInstant('2026-01-15T10:00', KYIV).toISOString()).toBe('2026-01-15T08:00:00.000Z');
    expect(localToInstant('2026-07-15T10:00:00', KYIV).toISOString()).toBe('2026-07-15T07:00:00.000Z');
    expect(instantToLocal(new Date('2026-07-15T07:00:00Z'), KYIV)).toBe('2026-07-15T10:00:00');
  });

  it('moves a wall time in the spring gap forward and picks the earlier of an ambiguous one', () => {
    // 03:30 on 29 March does not exist in Kyiv (03:00 → 04:00).
    expect(instantToLocal(localToInstant('2026-03-29T03:30', KYIV), KYIV)).toBe('2026-03-29T04:30:00');
    // 03:30 on 25 October happens twice; the first one is still summer time (UTC+3).
    expect(localToInstant('2026-10-25T03:30', KYIV).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('rejects malformed wall times', () => {
    expect(() => localToInstant('2026-02-30T10:00', KYIV)).toThrow(RangeError);
    expect(() => localToInstant('10:00', KYIV)).toThrow(RangeError);
  });
});

describe('isValidTimeZone', () => {
  it('knows IANA names and rejects others', () => {
    expect(isValidTimeZone('Europe/Kyiv')).toBe(true);
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Europe/Atlantis')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('validateRecurrence', () => {
  it('accepts a bounded series and returns its occurrences', () => {
    const r = validateRecurrence('FREQ=WEEKLY;BYDAY=TU;COUNT=10', '2026-03-03T16:00', KYIV);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.occurrences).toHaveLength(10);
      expect(r.occurrences.map((d) => DateTime.fromJSDate(d, { zone: KYIV }).hour)).toEqual(Array(10).fill(16));
    }
  });

  it.each([
    ['garbage', 'recurrence'],
    ['FREQ=WEEKLY;FOO=1;COUNT=2', 'recurrence'],
    ['COUNT=3', 'recurrence'],
    ['FREQ=WEEKLY;COUNT=abc', 'recurrence'],
    ['FREQ=WEEKLY;BYDAY=XX;COUNT=2', 'recurrence'],
    ['FREQ=WEEKLY;INTERVAL=0;COUNT=2', 'recurrence'],
    ['', 'recurrence'],
  ])('rejects the invalid RRULE %p', (rrule, field) => {
    const r = validateRecurrence(rrule, '2026-03-03T16:00', KYIV);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toBe(field);
  });

  it('rejects an unknown time zone on the timeZone field', () => {
    const r = validateRecurrence('FREQ=DAILY;COUNT=2', '2026-03-03T16:00', 'Mars/Olympus_Mons');
    expect(r).toEqual({ ok: false, error: { field: 'timeZone', message: expect.stringContaining('Mars/Olympus_Mons') } });
  });

  it('rejects a malformed start on the startsAt field', () => {
    const r = validateRecurrence('FREQ=DAILY;COUNT=2', '2026-13-03T16:00', KYIV);
    expect(r.ok === false && r.error.field).toBe('startsAt');
  });

  it('rejects an unbounded series', () => {
    const r = validateRecurrence('FREQ=WEEKLY;BYDAY=MO', '2026-03-02T10:00', KYIV);
    expect(r.ok === false && r.error).toEqual({ field: 'recurrence', message: expect.stringMatching(/unbounded/) });
  });

  it('rejects a series longer than a year, by UNTIL or by COUNT', () => {
    const byUntil = validateRecurrence('FREQ=WEEKLY;UNTIL=20280101T000000Z', '2026-03-02T10:00', KYIV);
    expect(byUntil.ok === false && byUntil.error.message).toMatch(/longer than 366 days/);
    const byCount = validateRecurrence('FREQ=WEEKLY;COUNT=60', '2026-03-02T10:00', KYIV);
    expect(byCount.ok === false && byCount.error.message).toMatch(/longer than 366 days/);
    const justAYear = validateRecurrence('FREQ=WEEKLY;COUNT=52', '2026-03-02T10:00', KYIV);
    expect(justAYear.ok).toBe(true);
  });

  it('rejects too many occurrences', () => {
    const r = validateRecurrence('FREQ=DAILY;COUNT=5000', '2026-03-02T10:00', KYIV, { maxCount: 1000 });
    expect(r.ok === false && r.error.message).toMatch(/too many/);
    const hourlyYear = validateRecurrence('FREQ=DAILY;BYHOUR=8,9,10,11;UNTIL=20270101T000000Z', '2026-03-02T10:00', KYIV, { maxCount: 100 });
    expect(hourlyYear.ok === false && hourlyYear.error.message).toMatch(/too many/);
  });

  it('rejects a series with no occurrence', () => {
    const r = validateRecurrence('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1', '2026-03-02T10:00', KYIV);
    expect(r.ok).toBe(false);
  });
});
