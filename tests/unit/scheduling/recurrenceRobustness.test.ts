import fc from 'fast-check';
import { RRule } from 'rrule';
import { checkRecurrence, expandRecurrence, validateRecurrence } from '../../../src/scheduling/recurrence';
import { calendarDateProblem, instantProblem } from '../../../src/scheduling/dateRange';

// Issue 7: rrule 2.8.1 walks period by period until an occurrence past the window, COUNT, or year 9999, and
// loops forever inside a period on some sub-daily rules. These tests pin that no rule, valid or not, can
// make an expansion long: each is refused on a named field or expands within a small bound.

const KYIV = 'Europe/Kyiv';
/**
 * Generous, since the machine is shared: every walk is bounded to 1,500 rrule periods (about 50 ms at worst
 * when idle); before, these rules took 10-40 s or never returned. Speed figures come from bench:bystander.
 */
const BOUND_MS = 1000;

function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = process.hrtime.bigint();
  const value = f();
  return { value, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

describe('RRULE parts are checked against RFC 5545 ranges', () => {
  it.each([
    ['FREQ=DAILY;BYHOUR=25;COUNT=1', /BYHOUR values must be between 0 and 23/],
    ['FREQ=DAILY;BYHOUR=-1;COUNT=1', /BYHOUR/],
    ['FREQ=DAILY;BYMINUTE=61;COUNT=1', /BYMINUTE values must be between 0 and 59/],
    ['FREQ=DAILY;BYSECOND=60;COUNT=1', /BYSECOND/],
    ['FREQ=MONTHLY;BYMONTHDAY=0;COUNT=1', /BYMONTHDAY .*never 0/],
    ['FREQ=MONTHLY;BYMONTHDAY=32;COUNT=1', /BYMONTHDAY/],
    ['FREQ=MONTHLY;BYMONTHDAY=-32;COUNT=1', /BYMONTHDAY/],
    ['FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0;COUNT=1', /BYSETPOS .*never 0/],
    ['FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367;COUNT=1', /BYSETPOS/],
    ['FREQ=YEARLY;BYYEARDAY=367;COUNT=1', /BYYEARDAY/],
    ['FREQ=YEARLY;BYWEEKNO=54;COUNT=1', /BYWEEKNO/],
    ['FREQ=YEARLY;BYMONTH=13;COUNT=1', /BYMONTH/],
    ['FREQ=MONTHLY;BYDAY=6MO;COUNT=1', /BYDAY ordinals must be between 1 and 5/],
    ['FREQ=WEEKLY;BYDAY=1MO;COUNT=1', /only allowed with FREQ=MONTHLY or YEARLY/],
    ['FREQ=WEEKLY;BYDAY=XX;COUNT=1', /BYDAY values must be weekdays/],
    ['FREQ=WEEKLY;BYMONTHDAY=3;COUNT=1', /BYMONTHDAY cannot be used with FREQ=WEEKLY/],
    ['FREQ=MONTHLY;BYYEARDAY=3;COUNT=1', /BYYEARDAY cannot be used/],
    ['FREQ=MONTHLY;BYWEEKNO=3;COUNT=1', /BYWEEKNO can only be used with FREQ=YEARLY/],
    ['FREQ=DAILY;BYSETPOS=1;COUNT=1', /BYSETPOS needs another BYxxx part/],
    ['FREQ=DAILY;INTERVAL=0;COUNT=1', /INTERVAL/],
    ['FREQ=DAILY;COUNT=0', /COUNT/],
    ['FREQ=DAILY;COUNT=1;COUNT=2', /given twice/],
    ['FREQ=DAILY;BYEASTER=0;COUNT=1', /unknown or unsupported RRULE part/],
    ['FREQ=DAILY;WKST=XX;COUNT=1', /WKST/],
    ['FREQ=DAILY;UNTIL=20270230T000000Z', /UNTIL is not a real date/],
    ['FREQ=DAILY;UNTIL=99991231T000000Z', /UNTIL must lie between 2000 and 2100/],
    ['FREQ=HOURLY;BYHOUR=25;COUNT=1', /BYHOUR/],
    ['FREQ=HOURLY;INTERVAL=2;BYHOUR=11;COUNT=2', /FREQ=HOURLY is not supported/],
    ['FREQ=MINUTELY;BYMINUTE=61', /BYMINUTE/],
    ['FREQ=MINUTELY;COUNT=3', /FREQ=MINUTELY is not supported/],
    ['FREQ=SOMETIMES;COUNT=3', /FREQ must be one of/],
  ])('%s is refused on the recurrence field', (rrule, message) => {
    const r = validateRecurrence(rrule, '2026-12-01T10:00', KYIV);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.field).toBe('recurrence');
      expect(r.error.message).toMatch(message);
    }
  });

  it('refuses a start outside the programme years on startsAt', () => {
    for (const start of ['1900-01-01T00:00', '9999-12-01T08:00', '2101-01-01T00:00']) {
      const r = validateRecurrence('FREQ=DAILY;COUNT=2', start, KYIV);
      expect(r.ok === false && r.error.field).toBe('startsAt');
      expect(checkRecurrence('FREQ=DAILY', start, KYIV)?.field).toBe('startsAt');
    }
  });
});

describe('rules that can never produce an occurrence are refused, quickly', () => {
  it.each([
    ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1', '2026-12-01T10:00'],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=1', '2026-03-02T10:00'],
    ['FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31;COUNT=1', '2026-03-02T10:00'],
    // Only every fourth year from 2025, so never a leap year.
    ['FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29;COUNT=1', '2025-01-01T10:00'],
    // Every 7 days from a Monday never lands on a Tuesday.
    ['FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=2', '2026-11-30T10:00'],
    ['FREQ=DAILY;BYDAY=MO;BYMONTHDAY=13;BYMONTH=1;UNTIL=20270601T000000Z', '2026-11-30T10:00'],
  ])('%s (series)', (rrule, start) => {
    const { value, ms } = timed(() => validateRecurrence(rrule, start, KYIV));
    expect(value).toEqual({ ok: false, error: { field: 'recurrence', message: expect.stringMatching(/no occurrence|longer than/) } });
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it.each([
    'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30',
    'FREQ=MONTHLY;INTERVAL=12;BYMONTH=2;BYMONTHDAY=1',
    'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30,31',
    'FREQ=DAILY;INTERVAL=14;BYDAY=TU',
  ])('%s (open-ended availability)', (rrule) => {
    const { value, ms } = timed(() => checkRecurrence(rrule, '2026-11-30T10:00', KYIV));
    expect(value).toEqual({ field: 'recurrence', message: expect.stringMatching(/no occurrence/) });
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('refuses an availability rule whose COUNT would run past the walking budget', () => {
    expect(checkRecurrence('FREQ=DAILY;BYDAY=MO;COUNT=1000', '2026-11-30T10:00', KYIV)?.message).toMatch(/COUNT must end within/);
    expect(checkRecurrence('FREQ=DAILY;COUNT=5', '2026-11-30T10:00', KYIV)).toBeNull();
  });

  it('accepts ordinary open-ended availability', () => {
    expect(checkRecurrence('FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', '2026-11-30T09:00', KYIV)).toBeNull();
    expect(checkRecurrence('FREQ=MONTHLY;BYDAY=-1FR', '2026-11-30T09:00', KYIV)).toBeNull();
    expect(checkRecurrence('FREQ=DAILY;BYHOUR=9,14;BYMINUTE=0,30', '2026-11-30T09:00', KYIV)).toBeNull();
  });
});

describe('expansion walks the window, not the years since DTSTART', () => {
  const from = new Date('2026-12-01T00:00:00Z');
  const to = new Date('2027-01-01T00:00:00Z');

  it('a stored daily rule from 1900 expands December 2026 like one that starts then', () => {
    const { value: old, ms } = timed(() => expandRecurrence({ rrule: 'FREQ=DAILY', dtstart: '1900-01-01T09:00', tzid: KYIV, from, to }));
    const fresh = expandRecurrence({ rrule: 'FREQ=DAILY', dtstart: '2026-11-01T09:00', tzid: KYIV, from, to });
    expect(old).toHaveLength(31);
    expect(old).toEqual(fresh);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('a stored rule that never matches costs only the window', () => {
    const { value, ms } = timed(() => expandRecurrence({ rrule: 'FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', dtstart: '2000-01-01T09:00', tzid: KYIV, from, to }));
    expect(value).toEqual([]);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('a window in year 9999 returns promptly', () => {
    const { value, ms } = timed(() => expandRecurrence({
      rrule: 'FREQ=WEEKLY;BYDAY=MO', dtstart: '2026-11-30T09:00', tzid: KYIV, from: new Date('9999-12-01T00:00:00Z'), to: new Date('9999-12-02T00:00:00Z'),
    }));
    expect(Array.isArray(value)).toBe(true);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('moving DTSTART to the window keeps every occurrence (compared with rrule walking from DTSTART)', () => {
    const weekday = fc.constantFrom('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU');
    const rule = fc.oneof(
      fc.record({ f: fc.constant('DAILY'), i: fc.integer({ min: 1, max: 3 }), extra: fc.constantFrom('', ';BYDAY=MO,TH', ';BYHOUR=8,15;BYMINUTE=0,45', ';BYMONTHDAY=1,15,-1') }),
      fc.record({ f: fc.constant('WEEKLY'), i: fc.integer({ min: 1, max: 3 }), extra: fc.oneof(fc.constant(''), weekday.map((d) => `;BYDAY=${d}`), fc.constant(';BYDAY=MO,WE;WKST=SU'), fc.constant(';BYDAY=MO,TU,WE;BYSETPOS=-1')) }),
      fc.record({ f: fc.constant('MONTHLY'), i: fc.integer({ min: 1, max: 3 }), extra: fc.constantFrom('', ';BYDAY=2TU', ';BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', ';BYMONTHDAY=31', ';BYMONTHDAY=-1;BYHOUR=9') }),
      fc.record({ f: fc.constant('YEARLY'), i: fc.integer({ min: 1, max: 2 }), extra: fc.constantFrom('', ';BYMONTH=3,9;BYDAY=1MO', ';BYYEARDAY=100,200', ';BYWEEKNO=10;BYDAY=WE') }),
    ).map(({ f, i, extra }) => `FREQ=${f};INTERVAL=${i}${extra}`);
    fc.assert(fc.property(
      rule,
      fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.integer({ min: 0, max: 400 }),
      (rrule, start, offsetDays) => {
        const dtstart = start.toISOString().slice(0, 16);
        const wFrom = new Date(start.getTime() + offsetDays * 86_400_000);
        const wTo = new Date(wFrom.getTime() + 31 * 86_400_000);
        const got = expandRecurrence({ rrule, dtstart, tzid: 'UTC', from: wFrom, to: wTo }).map((d) => d.getTime());
        // Reference: rrule's own walk from DTSTART (UTC, so floating time is real time).
        const ref: number[] = [];
        new RRule({ ...RRule.parseString(rrule), dtstart: new Date(`${dtstart}:00Z`) }, true).all((d) => {
          if (d >= wTo) return false;
          if (d >= wFrom) ref.push(d.getTime());
          return true;
        });
        expect(got).toEqual(ref);
      },
    ), { numRuns: 120, seed: 7 });
  });
});

describe('property: every generated rule is refused on a named field or expands within the bound', () => {
  const part = fc.oneof(
    fc.constantFrom('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'HOURLY', 'MINUTELY', 'SECONDLY').map((f) => `FREQ=${f}`),
    fc.integer({ min: -2, max: 1200 }).map((n) => `INTERVAL=${n}`),
    fc.integer({ min: -1, max: 2000 }).map((n) => `COUNT=${n}`),
    fc.integer({ min: -2, max: 62 }).map((n) => `BYMINUTE=${n}`),
    fc.array(fc.integer({ min: -1, max: 25 }), { minLength: 1, maxLength: 3 }).map((a) => `BYHOUR=${a.join(',')}`),
    fc.array(fc.integer({ min: -33, max: 33 }), { minLength: 1, maxLength: 3 }).map((a) => `BYMONTHDAY=${a.join(',')}`),
    fc.array(fc.integer({ min: 0, max: 13 }), { minLength: 1, maxLength: 2 }).map((a) => `BYMONTH=${a.join(',')}`),
    fc.array(fc.integer({ min: -370, max: 370 }), { minLength: 1, maxLength: 2 }).map((a) => `BYSETPOS=${a.join(',')}`),
    fc.array(fc.integer({ min: -370, max: 370 }), { minLength: 1, maxLength: 2 }).map((a) => `BYYEARDAY=${a.join(',')}`),
    fc.array(fc.integer({ min: -55, max: 55 }), { minLength: 1, maxLength: 2 }).map((a) => `BYWEEKNO=${a.join(',')}`),
    fc.tuple(fc.integer({ min: -6, max: 54 }), fc.constantFrom('MO', 'TU', 'SU', 'XX')).map(([n, d]) => `BYDAY=${n === 0 ? '' : n}${d}`),
    fc.constantFrom('UNTIL=20270101T000000Z', 'UNTIL=99991231T000000Z', 'UNTIL=20270230', 'WKST=SU', 'WKST=ZZ', 'BYSECOND=60', 'BYEASTER=1'),
  );
  const rules = fc.array(part, { minLength: 1, maxLength: 6 }).map((ps) => ps.join(';'));
  const starts = fc.constantFrom('2026-12-01T10:00', '2000-01-01T00:00', '1900-01-01T00:00', '9999-12-01T08:00', '2027-02-30T10:00', '2028-02-29T23:30');

  it('validateRecurrence (series) and checkRecurrence (availability)', () => {
    fc.assert(fc.property(rules, starts, (rrule, start) => {
      const series = timed(() => validateRecurrence(rrule, start, KYIV));
      if (!series.value.ok) expect(['recurrence', 'startsAt']).toContain(series.value.error.field);
      expect(series.ms).toBeLessThan(BOUND_MS);
      const open = timed(() => checkRecurrence(rrule, start, KYIV));
      if (open.value) expect(['recurrence', 'startsAt']).toContain(open.value.field);
      expect(open.ms).toBeLessThan(BOUND_MS);
    }), { numRuns: 400, seed: 42 });
  });

  it('expandRecurrence over a month, whatever the window year', () => {
    fc.assert(fc.property(rules, starts, fc.integer({ min: 2000, max: 9999 }), (rrule, start, year) => {
      const from = new Date(Date.UTC(year, 0, 1));
      const r = timed(() => {
        try {
          return expandRecurrence({ rrule, dtstart: start, tzid: KYIV, from, to: new Date(from.getTime() + 31 * 86_400_000) });
        } catch (e) {
          return e as Error & { error?: { field: string } };
        }
      });
      if (r.value instanceof Error) expect(['recurrence', 'startsAt']).toContain(r.value.error?.field);
      expect(r.ms).toBeLessThan(BOUND_MS);
    }), { numRuns: 300, seed: 9 });
  });
});

describe('scheduling dates', () => {
  it.each(['2027-02-30', '2026-13-01', '0000-01-01', '1999-12-31', '9999-12-31', '2026-1-01', 'tomorrow'])('%s is refused', (d) => {
    expect(calendarDateProblem(d)).not.toBeNull();
  });
  it.each(['2000-01-01', '2028-02-29', '2100-12-31'])('%s is fine', (d) => expect(calendarDateProblem(d)).toBeNull());
  it('instants outside 2000..2100 are refused', () => {
    expect(instantProblem(new Date('9999-12-01T08:00:00Z'))).toMatch(/between 2000 and 2100/);
    expect(instantProblem(new Date('2026-12-01T08:00:00Z'))).toBeNull();
    expect(instantProblem(new Date(NaN))).toMatch(/not a date-time/);
  });
});
