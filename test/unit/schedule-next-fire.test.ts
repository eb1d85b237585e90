// When schedules fire: AWS's documented cron examples, L, W and # against their definitions, leap years, month ends,
// the year bounds, and rates counted from their anchor.
import { lastFire, nextFire, parseSchedule } from '../../src/events/schedule/index.js';

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString().replace('.000Z', 'Z'));

/** The next `n` fires after `from`, as ISO times. */
function fires(expression: string, from: string, n: number, anchor?: string): (string | undefined)[] {
  const s = parseSchedule(expression);
  const out: (string | undefined)[] = [];
  let t: number | undefined = ms(from);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = nextFire(s, t, anchor === undefined ? undefined : ms(anchor));
    out.push(iso(t));
  }
  return out;
}

// Friday 11 December 2026, 17:58:30 UTC
const FRIDAY_EVENING = '2026-12-11T17:58:30Z';

describe("AWS's cron examples", () => {
  it.each([
    ['cron(0 10 * * ? *)', 'at 10:00 every day', ['2026-12-12T10:00:00Z', '2026-12-13T10:00:00Z']],
    ['cron(15 12 * * ? *)', 'at 12:15 every day', ['2026-12-12T12:15:00Z', '2026-12-13T12:15:00Z']],
    ['cron(0 18 ? * MON-FRI *)', 'at 18:00 Monday to Friday', ['2026-12-11T18:00:00Z', '2026-12-14T18:00:00Z', '2026-12-15T18:00:00Z']],
    ['cron(0 8 1 * ? *)', 'at 8:00 on the first of each month', ['2027-01-01T08:00:00Z', '2027-02-01T08:00:00Z']],
    ['cron(0/15 * * * ? *)', 'every 15 minutes', ['2026-12-11T18:00:00Z', '2026-12-11T18:15:00Z', '2026-12-11T18:30:00Z']],
    ['cron(0/10 * ? * MON-FRI *)', 'every 10 minutes Monday to Friday', ['2026-12-11T18:00:00Z', '2026-12-11T18:10:00Z']],
    ['cron(0/5 8-17 ? * MON-FRI *)', 'every 5 minutes from 8:00 to 17:55 Monday to Friday', ['2026-12-14T08:00:00Z', '2026-12-14T08:05:00Z']],
    ['cron(0 9 ? * 2#1 *)', 'at 9:00 on the first Monday of each month', ['2027-01-04T09:00:00Z', '2027-02-01T09:00:00Z', '2027-03-01T09:00:00Z', '2027-04-05T09:00:00Z']],
  ])('%s fires %s', (expression, _, expected) => {
    expect(fires(expression, FRIDAY_EVENING, expected.length)).toEqual(expected);
  });

  it('stops a weekday schedule at Friday 23:50 and starts again on Monday at midnight', () => {
    expect(fires('cron(0/10 * ? * MON-FRI *)', '2026-12-11T23:45:00Z', 2)).toEqual(['2026-12-11T23:50:00Z', '2026-12-14T00:00:00Z']);
    expect(fires('cron(0/5 8-17 ? * MON-FRI *)', '2026-12-14T17:50:00Z', 2)).toEqual(['2026-12-14T17:55:00Z', '2026-12-15T08:00:00Z']);
  });
});

describe('nextFire', () => {
  it('is strictly after the time given, and on whole minutes', () => {
    expect(fires('cron(0/15 * * * ? *)', '2026-12-11T18:00:00Z', 1)).toEqual(['2026-12-11T18:15:00Z']);
    expect(fires('cron(0/15 * * * ? *)', '2026-12-11T17:59:59.999Z', 1)).toEqual(['2026-12-11T18:00:00Z']);
    expect(fires('cron(* * * * ? *)', '2026-12-11T18:00:00.001Z', 1)).toEqual(['2026-12-11T18:01:00Z']);
  });

  it('rolls over hours, days, months and years', () => {
    expect(fires('cron(59 23 31 12 ? *)', '2026-12-31T23:59:00Z', 1)).toEqual(['2027-12-31T23:59:00Z']);
    expect(fires('cron(0 0 * * ? *)', '2026-12-31T12:00:00Z', 2)).toEqual(['2027-01-01T00:00:00Z', '2027-01-02T00:00:00Z']);
    expect(fires('cron(30 22-2 * * ? *)', '2026-12-11T21:00:00Z', 5)).toEqual([
      '2026-12-11T22:30:00Z', '2026-12-11T23:30:00Z', '2026-12-12T00:30:00Z', '2026-12-12T01:30:00Z', '2026-12-12T02:30:00Z',
    ]);
  });

  it('skips the days a month lacks: the 31st fires in seven months a year', () => {
    expect(fires('cron(0 0 31 * ? *)', '2027-01-01T00:00:00Z', 7)).toEqual([
      '2027-01-31T00:00:00Z', '2027-03-31T00:00:00Z', '2027-05-31T00:00:00Z', '2027-07-31T00:00:00Z', '2027-08-31T00:00:00Z',
      '2027-10-31T00:00:00Z', '2027-12-31T00:00:00Z',
    ]);
  });

  it('finds 29 February only in leap years (2100 is not one, 2000 was)', () => {
    expect(fires('cron(0 12 29 2 ? *)', '2026-01-01T00:00:00Z', 2)).toEqual(['2028-02-29T12:00:00Z', '2032-02-29T12:00:00Z']);
    expect(fires('cron(0 12 29 2 ? *)', '2096-03-01T00:00:00Z', 1)).toEqual(['2104-02-29T12:00:00Z']);
    expect(fires('cron(0 12 29 2 ? *)', '1999-01-01T00:00:00Z', 1)).toEqual(['2000-02-29T12:00:00Z']);
  });

  it('L is the last day of each month: 28, 29, 30 or 31', () => {
    expect(fires('cron(0 0 L * ? *)', '2027-12-31T00:00:00Z', 4)).toEqual([
      '2028-01-31T00:00:00Z', '2028-02-29T00:00:00Z', '2028-03-31T00:00:00Z', '2028-04-30T00:00:00Z',
    ]);
    expect(fires('cron(0 0 L 2 ? *)', '2099-03-01T00:00:00Z', 2)).toEqual(['2100-02-28T00:00:00Z', '2101-02-28T00:00:00Z']);
    expect(fires('cron(0 0 L-2 * ? *)', '2028-02-01T00:00:00Z', 2)).toEqual(['2028-02-27T00:00:00Z', '2028-03-29T00:00:00Z']);
  });

  it('LW is the last weekday: Friday the 29th when the 31st is a Sunday, the 30th when it is a Saturday', () => {
    expect(fires('cron(0 0 LW * ? *)', '2027-01-01T00:00:00Z', 1)).toEqual(['2027-01-29T00:00:00Z']);
    expect(fires('cron(0 0 LW * ? *)', '2026-10-01T00:00:00Z', 1)).toEqual(['2026-10-30T00:00:00Z']);
    expect(fires('cron(0 0 LW * ? *)', '2026-12-01T00:00:00Z', 1)).toEqual(['2026-12-31T00:00:00Z']);
  });

  it('nW is the nearest weekday in the same month: the 1st on a Saturday is Monday the 3rd', () => {
    expect(fires('cron(0 0 1W 5 ? *)', '2027-01-01T00:00:00Z', 1)).toEqual(['2027-05-03T00:00:00Z']); // 1 May 2027 is a Saturday
    expect(fires('cron(0 0 15W 5 ? *)', '2027-01-01T00:00:00Z', 1)).toEqual(['2027-05-14T00:00:00Z']); // the 15th a Saturday: Friday
    expect(fires('cron(0 0 16W 5 ? *)', '2027-01-01T00:00:00Z', 1)).toEqual(['2027-05-17T00:00:00Z']); // the 16th a Sunday: Monday
    expect(fires('cron(0 0 31W 1 ? *)', '2027-01-01T00:00:00Z', 1)).toEqual(['2027-01-29T00:00:00Z']); // the 31st a Sunday: Friday
    expect(fires('cron(0 0 31W * ? *)', '2027-04-01T00:00:00Z', 1)).toEqual(['2027-05-31T00:00:00Z']); // April has no 31st
  });

  it('6L is the last Friday and 3#2 the second Tuesday; a fifth one skips the months without it', () => {
    expect(fires('cron(0 0 ? * 6L *)', '2026-12-01T00:00:00Z', 3)).toEqual(['2026-12-25T00:00:00Z', '2027-01-29T00:00:00Z', '2027-02-26T00:00:00Z']);
    expect(fires('cron(0 0 ? * 3#2 *)', '2026-12-01T00:00:00Z', 2)).toEqual(['2026-12-08T00:00:00Z', '2027-01-12T00:00:00Z']);
    expect(fires('cron(0 0 ? * MON#5 *)', '2026-12-01T00:00:00Z', 2)).toEqual(['2027-03-29T00:00:00Z', '2027-05-31T00:00:00Z']);
  });

  it('L alone in day-of-week is Saturday, the last day of the week', () => {
    expect(fires('cron(0 0 ? * L *)', FRIDAY_EVENING, 2)).toEqual(['2026-12-12T00:00:00Z', '2026-12-19T00:00:00Z']);
  });

  it('is undefined once the years are over, and starts in 1970 before them', () => {
    expect(fires('cron(0 0 1 1 ? 2030)', '2026-01-01T00:00:00Z', 2)).toEqual(['2030-01-01T00:00:00Z', undefined]);
    expect(fires('cron(59 23 31 12 ? *)', '2199-12-31T23:58:00Z', 2)).toEqual(['2199-12-31T23:59:00Z', undefined]);
    expect(fires('cron(0 0 * * ? *)', '2300-01-01T00:00:00Z', 1)).toEqual([undefined]);
    expect(fires('cron(0 0 1 1 ? *)', '1900-06-01T00:00:00Z', 1)).toEqual(['1970-01-01T00:00:00Z']);
    expect(fires('cron(0 0 * * ? 2020-2025)', '2026-01-01T00:00:00Z', 1)).toEqual([undefined]);
  });

  it('answers undefined for a day that never comes (30 February)', () => {
    expect(fires('cron(0 0 30 2 ? *)', '1970-01-01T00:00:00Z', 1)).toEqual([undefined]);
    expect(fires('cron(0 0 ? 2 MON#5 2027)', '1970-01-01T00:00:00Z', 1)).toEqual([undefined]);
  });

  it('refuses a time that is not a number', () => {
    expect(() => nextFire(parseSchedule('rate(1 minute)'), Number.NaN)).toThrow('afterMs must be a finite epoch time in ms, got NaN');
  });
});

describe('day rules against their definitions, day by day over 2027 and 2028', () => {
  const DAY = 86_400_000;
  const days: Date[] = [];
  for (let t = ms('2027-01-01T00:00:00Z'); t < ms('2029-01-01T00:00:00Z'); t += DAY) days.push(new Date(t));
  const lastOfMonth = (d: Date): number => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  const isWeekday = (d: Date): boolean => d.getUTCDay() >= 1 && d.getUTCDay() <= 5;
  const sameMonth = (d: Date, day: number): Date => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), day));
  const weekdaysOfMonth = (d: Date): number[] => Array.from({ length: lastOfMonth(d) }, (_, i) => i + 1).filter((n) => isWeekday(sameMonth(d, n)));
  const nearest = (d: Date, n: number): number | undefined => {
    if (n > lastOfMonth(d)) return undefined;
    return weekdaysOfMonth(d).reduce((best, w) => (Math.abs(w - n) < Math.abs(best - n) ? w : best));
  };

  it.each([
    ['L', (d: Date) => d.getUTCDate() === lastOfMonth(d)],
    ['L-5', (d: Date) => d.getUTCDate() === lastOfMonth(d) - 5],
    ['LW', (d: Date) => d.getUTCDate() === Math.max(...weekdaysOfMonth(d))],
    ['1W', (d: Date) => d.getUTCDate() === nearest(d, 1)],
    ['15W', (d: Date) => d.getUTCDate() === nearest(d, 15)],
    ['30W', (d: Date) => d.getUTCDate() === nearest(d, 30)],
    ['1-31/10', (d: Date) => [1, 11, 21, 31].includes(d.getUTCDate())],
  ])('day-of-month %s', (field, selects) => {
    const schedule = parseSchedule(`cron(0 0 ${field} * ? *)`);
    const expected = days.filter(selects).map((d) => d.toISOString());
    const got: string[] = [];
    for (let t = nextFire(schedule, ms('2026-12-31T23:59:00Z')); t !== undefined && t < ms('2029-01-01T00:00:00Z'); t = nextFire(schedule, t)) {
      got.push(new Date(t).toISOString());
    }
    expect(got).toEqual(expected);
  });

  it.each([
    ['6L', (d: Date) => d.getUTCDay() === 5 && d.getUTCDate() + 7 > lastOfMonth(d)],
    ['1L', (d: Date) => d.getUTCDay() === 0 && d.getUTCDate() + 7 > lastOfMonth(d)],
    ['3#2', (d: Date) => d.getUTCDay() === 2 && Math.ceil(d.getUTCDate() / 7) === 2],
    ['7#5', (d: Date) => d.getUTCDay() === 6 && Math.ceil(d.getUTCDate() / 7) === 5],
    ['MON,WED-FRI', (d: Date) => [1, 3, 4, 5].includes(d.getUTCDay())],
    ['SAT-SUN', (d: Date) => [6, 0].includes(d.getUTCDay())],
  ])('day-of-week %s', (field, selects) => {
    const schedule = parseSchedule(`cron(0 0 ? * ${field} *)`);
    const expected = days.filter(selects).map((d) => d.toISOString());
    const got: string[] = [];
    for (let t = nextFire(schedule, ms('2026-12-31T23:59:00Z')); t !== undefined && t < ms('2029-01-01T00:00:00Z'); t = nextFire(schedule, t)) {
      got.push(new Date(t).toISOString());
    }
    expect(got).toEqual(expected);
  });
});

describe('lastFire', () => {
  it('is the latest fire at or before the time given', () => {
    const s = parseSchedule('cron(0/15 * * * ? *)');
    expect(iso(lastFire(s, ms('2026-12-11T18:00:00Z')))).toBe('2026-12-11T18:00:00Z');
    expect(iso(lastFire(s, ms('2026-12-11T18:14:59Z')))).toBe('2026-12-11T18:00:00Z');
    expect(iso(lastFire(parseSchedule('cron(0/5 8-17 ? * MON-FRI *)'), ms('2026-12-14T07:00:00Z')))).toBe('2026-12-11T17:55:00Z');
    expect(iso(lastFire(parseSchedule('cron(0 0 ? * 6L *)'), ms('2026-12-24T00:00:00Z')))).toBe('2026-11-27T00:00:00Z');
  });

  it('is undefined before the first year, and for a day that never comes', () => {
    expect(lastFire(parseSchedule('cron(0 0 * * ? 2030)'), ms('2029-12-31T23:59:00Z'))).toBeUndefined();
    expect(lastFire(parseSchedule('cron(0 0 30 2 ? *)'), ms('2199-12-31T00:00:00Z'))).toBeUndefined();
  });

  it('mirrors nextFire: the fire before each fire of a month', () => {
    const s = parseSchedule('cron(7/13 1-3,22 ? * TUE-THU *)');
    let prev = nextFire(s, ms('2027-03-01T00:00:00Z'))!;
    for (let i = 0; i < 100; i++) {
      const next = nextFire(s, prev)!;
      expect(lastFire(s, next - 1)).toBe(prev);
      expect(lastFire(s, next)).toBe(next);
      prev = next;
    }
  });
});

describe('rate schedules', () => {
  const anchor = '2026-12-11T17:58:30.250Z';

  it('fire one period after the anchor, then every period', () => {
    expect(fires('rate(5 minutes)', anchor, 3, anchor)).toEqual(['2026-12-11T18:03:30.250Z', '2026-12-11T18:08:30.250Z', '2026-12-11T18:13:30.250Z']);
    expect(fires('rate(1 day)', '2026-12-20T00:00:00Z', 1, anchor)).toEqual(['2026-12-20T17:58:30.250Z']);
  });

  it('give the first fire for any time before the anchor, and the next one from a fire itself', () => {
    expect(fires('rate(1 hour)', '2020-01-01T00:00:00Z', 1, anchor)).toEqual(['2026-12-11T18:58:30.250Z']);
    expect(fires('rate(1 hour)', '2026-12-11T18:58:30.250Z', 1, anchor)).toEqual(['2026-12-11T19:58:30.250Z']);
  });

  it('count from the epoch without an anchor', () => {
    expect(fires('rate(1 hour)', '2026-12-11T17:58:30Z', 1)).toEqual(['2026-12-11T18:00:00Z']);
  });

  it('have no last fire before the first period is up', () => {
    const s = parseSchedule('rate(5 minutes)');
    expect(lastFire(s, ms('2026-12-11T18:03:30.249Z'), ms(anchor))).toBeUndefined();
    expect(iso(lastFire(s, ms('2026-12-11T18:03:30.250Z'), ms(anchor)))).toBe('2026-12-11T18:03:30.250Z');
    expect(iso(lastFire(s, ms('2026-12-11T18:12:00Z'), ms(anchor)))).toBe('2026-12-11T18:08:30.250Z');
  });
});
