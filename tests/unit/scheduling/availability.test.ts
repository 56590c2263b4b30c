import { DateTime } from 'luxon';
import {
  type AvailabilityRule,
  expandAvailability,
  freeSlots,
  openingHoursIntervals,
  specialistFreeTime,
} from '../../../src/scheduling/availability';
import { localToInstant } from '../../../src/scheduling/recurrence';

// Expectations are written as Kyiv wall times so they hold whatever TZ the test process runs in.
const KYIV = 'Europe/Kyiv';
const at = (wall: string): number => localToInstant(wall, KYIV).getTime();
const wall = (ms: number): string => DateTime.fromMillis(ms, { zone: KYIV }).toFormat("yyyy-LL-dd'T'HH:mm");
const show = (list: { start: number; end: number }[]): string[] => list.map((i) => `${wall(i.start)}–${wall(i.end).slice(11)}`);

// The week of the spring DST change (Sunday 29 March 2026).
const from = new Date(at('2026-03-23T00:00'));
const to = new Date(at('2026-03-30T00:00'));
const weekdays9to17: AvailabilityRule = {
  kind: 'AVAILABLE',
  rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20261231T000000Z',
  dtstart: '2026-01-05T09:00',
  tzid: KYIV,
  durationMinutes: 8 * 60,
};

describe('expandAvailability', () => {
  it('expands AVAILABLE windows inside the bounded window', () => {
    expect(show(expandAvailability([weekdays9to17], from, to))).toEqual([
      '2026-03-23T09:00–17:00',
      '2026-03-24T09:00–17:00',
      '2026-03-25T09:00–17:00',
      '2026-03-26T09:00–17:00',
      '2026-03-27T09:00–17:00',
    ]);
  });

  it('removes UNAVAILABLE exceptions (a day of leave, a recurring team meeting)', () => {
    const leave: AvailabilityRule = { kind: 'UNAVAILABLE', rrule: 'FREQ=DAILY;COUNT=1', dtstart: '2026-03-25T00:00', tzid: KYIV, durationMinutes: 24 * 60 };
    const meeting: AvailabilityRule = {
      kind: 'UNAVAILABLE',
      rrule: 'FREQ=WEEKLY;BYDAY=MO,TH;COUNT=20',
      dtstart: '2026-03-02T12:00',
      tzid: KYIV,
      durationMinutes: 90,
    };
    expect(show(expandAvailability([weekdays9to17, leave, meeting], from, to))).toEqual([
      '2026-03-23T09:00–12:00',
      '2026-03-23T13:30–17:00',
      '2026-03-24T09:00–17:00',
      '2026-03-26T09:00–12:00',
      '2026-03-26T13:30–17:00',
      '2026-03-27T09:00–17:00',
    ]);
  });

  it('keeps a window that opened before the period and is still open in it', () => {
    const night: AvailabilityRule = { kind: 'AVAILABLE', rrule: 'FREQ=DAILY;COUNT=30', dtstart: '2026-03-01T22:00', tzid: KYIV, durationMinutes: 240 };
    const got = expandAvailability([night], from, to);
    expect(wall(got[0].start)).toBe('2026-03-23T00:00');
    expect(wall(got[0].end)).toBe('2026-03-23T02:00');
  });
});

describe('openingHoursIntervals', () => {
  it('evaluates opening hours in the centre zone on both sides of the DST change', () => {
    const hours = [
      { weekday: 6, opens: '09:00', closes: '14:00' },
      { weekday: 1, opens: '08:00', closes: '19:00' },
    ];
    const twoWeeks = openingHoursIntervals(hours, KYIV, from, new Date(at('2026-04-06T00:00')));
    expect(show(twoWeeks)).toEqual([
      '2026-03-23T08:00–19:00',
      '2026-03-28T09:00–14:00',
      '2026-03-30T08:00–19:00',
      '2026-04-04T09:00–14:00',
    ]);
    // Same wall time, one hour earlier in UTC after the change.
    expect(new Date(twoWeeks[0].start).getUTCHours()).toBe(6);
    expect(new Date(twoWeeks[2].start).getUTCHours()).toBe(5);
  });

  it('accepts 24:00 as closing time', () => {
    const got = openingHoursIntervals([{ weekday: 2, opens: '20:00', closes: '24:00' }], KYIV, from, to);
    expect(show(got)).toEqual(['2026-03-24T20:00–00:00']);
    expect(got[0].end - got[0].start).toBe(4 * 3_600_000);
  });
});

describe('specialistFreeTime', () => {
  it('intersects availability with opening hours and removes busy time padded by the break', () => {
    const free = specialistFreeTime({
      rules: [weekdays9to17],
      openingHours: [{ weekday: 1, opens: '10:00', closes: '19:00' }],
      timeZone: KYIV,
      busy: [{ start: at('2026-03-23T12:00'), end: at('2026-03-23T13:00') }],
      minBreakMinutes: 15,
      from,
      to,
    });
    expect(show(free)).toEqual(['2026-03-23T10:00–11:45', '2026-03-23T13:15–17:00']);
  });
});

describe('freeSlots', () => {
  const a = { id: 'a', free: [{ start: at('2026-03-23T09:10'), end: at('2026-03-23T11:00') }] };
  const b = { id: 'b', free: [{ start: at('2026-03-23T10:00'), end: at('2026-03-23T12:00') }] };

  it('offers starts on the local step grid with the specialists free for the whole slot', () => {
    const slots = freeSlots({ specialists: [a, b], from, to, durationMinutes: 50, stepMinutes: 30, timeZone: KYIV });
    expect(slots.map((s) => `${wall(s.startsAt.getTime()).slice(11)} ${s.specialistIds.join(',')}`)).toEqual([
      '09:30 a',
      '10:00 a,b',
      '10:30 b',
      '11:00 b',
    ]);
    for (const s of slots) expect(s.endsAt.getTime() - s.startsAt.getTime()).toBe(50 * 60_000);
  });

  it('aligns to the local clock in a zone with a half-hour offset', () => {
    const india = { id: 'x', free: [{ start: Date.UTC(2026, 2, 23, 3, 0), end: Date.UTC(2026, 2, 23, 6, 0) }] };
    const slots = freeSlots({ specialists: [india], from, to, durationMinutes: 60, stepMinutes: 60, timeZone: 'Asia/Kolkata' });
    // 03:00Z is 08:30 in Kolkata: the first hour mark is 09:00 local = 03:30Z.
    expect(slots.map((s) => s.startsAt.toISOString())).toEqual(['2026-03-23T03:30:00.000Z', '2026-03-23T04:30:00.000Z']);
  });

  it('respects the window and returns nothing when nothing fits', () => {
    expect(freeSlots({ specialists: [a], from, to: new Date(at('2026-03-23T10:00')), durationMinutes: 50, timeZone: KYIV })).toHaveLength(0);
    expect(freeSlots({ specialists: [a], from, to, durationMinutes: 180, timeZone: KYIV })).toHaveLength(0);
  });
});
