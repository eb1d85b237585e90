// Schedule expressions as EventBridge's PutRule takes them: what it accepts, and what it refuses with our reason.
import { scheduleProblem } from '../../src/api/event-rule.js';
import { checkObject } from '../../src/api/parse.js';
import { parseSchedule, ScheduleError, SCHEDULE_EXPRESSION_NOT_VALID, type CronSchedule, type Schedule } from '../../src/events/schedule/index.js';

const cron = (expression: string): CronSchedule => {
  const s = parseSchedule(expression);
  if (s.kind !== 'cron') throw new Error(`${expression} is not a cron`);
  return s;
};

function reason(expression: string): string {
  try {
    parseSchedule(expression);
  } catch (err) {
    if (err instanceof ScheduleError) return err.reason;
    throw err;
  }
  throw new Error(`${expression} was accepted`);
}

describe('rate expressions', () => {
  it.each([
    ['rate(1 minute)', 'minute', 60_000],
    ['rate(5 minutes)', 'minute', 300_000],
    ['rate(1 hour)', 'hour', 3_600_000],
    ['rate(12 hours)', 'hour', 43_200_000],
    ['rate(1 day)', 'day', 86_400_000],
    ['rate(7 days)', 'day', 604_800_000],
  ])('accepts %s', (expression, unit, periodMs) => {
    expect(parseSchedule(expression)).toEqual({ kind: 'rate', expression, value: periodMs / { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[unit]!, unit, periodMs });
  });

  it.each([
    ['rate(0 minutes)', 'the rate must be at least 1, got "rate(0 minutes)"'],
    ['rate(1 minutes)', 'takes the singular for 1: rate(1 minute), got "rate(1 minutes)"'],
    ['rate(1 hours)', 'takes the singular for 1: rate(1 hour), got "rate(1 hours)"'],
    ['rate(5 minute)', 'takes the plural for 5: rate(5 minutes), got "rate(5 minute)"'],
    ['rate(3 day)', 'takes the plural for 3: rate(3 days), got "rate(3 day)"'],
    ['rate(5 seconds)', 'rate(…) takes a whole number and a unit: minute(s), hour(s) or day(s) (e.g. rate(5 minutes)), got "rate(5 seconds)"'],
    ['rate(-5 minutes)', 'rate(…) takes a whole number and a unit: minute(s), hour(s) or day(s) (e.g. rate(5 minutes)), got "rate(-5 minutes)"'],
    ['rate(1.5 hours)', 'rate(…) takes a whole number and a unit: minute(s), hour(s) or day(s) (e.g. rate(5 minutes)), got "rate(1.5 hours)"'],
    ['rate(5  minutes)', 'rate(…) takes a whole number and a unit: minute(s), hour(s) or day(s) (e.g. rate(5 minutes)), got "rate(5  minutes)"'],
    ['rate(99999999999999 days)', 'the rate is too long to count in milliseconds: "rate(99999999999999 days)"'],
  ])('refuses %s', (expression, why) => {
    expect(reason(expression)).toBe(why);
  });
});

describe('cron expressions', () => {
  it.each([
    'cron(0 10 * * ? *)', 'cron(15 12 * * ? *)', 'cron(0 18 ? * MON-FRI *)', 'cron(0 8 1 * ? *)', 'cron(0/15 * * * ? *)',
    'cron(0/10 * ? * MON-FRI *)', 'cron(0/5 8-17 ? * MON-FRI *)', 'cron(0 9 ? * 2#1 *)', 'cron(0 12 ? * 6L 2030)',
    'cron(0 0 L * ? *)', 'cron(0 0 LW * ? *)', 'cron(0 0 15W * ? *)', 'cron(0 0 L-3 * ? *)', 'cron(0 0 ? * L *)',
    'cron(0 0 ? JAN,FEB,MAR MON#2 2030-2035)', 'cron(*/5 * * * ? *)', 'cron( 0 12 * * ? * )',
  ])('accepts %s', (expression) => {
    expect(parseSchedule(expression).kind).toBe('cron');
  });

  it('reads each field into its values, ascending', () => {
    expect(cron('cron(0/15 8-17 1,15 * ? *)')).toEqual({
      kind: 'cron', expression: 'cron(0/15 8-17 1,15 * ? *)',
      minutes: [0, 15, 30, 45], hours: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17], days: { kind: 'monthDays', days: [1, 15] },
      months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], years: Array.from({ length: 230 }, (_, i) => 1970 + i),
    });
  });

  it('starts an increment at its value: 1/10 is minutes 1, 11, 21, 31, 41, 51', () => {
    expect(cron('cron(1/10 * * * ? *)').minutes).toEqual([1, 11, 21, 31, 41, 51]);
    expect(cron('cron(*/20 * * * ? *)').minutes).toEqual([0, 20, 40]);
    expect(cron('cron(10-30/10 * * * ? *)').minutes).toEqual([10, 20, 30]);
    expect(cron('cron(0 0 ? * * 2030/50)').years).toEqual([2030, 2080, 2130, 2180]);
  });

  it('takes month and day names in any case, 1 = Sunday', () => {
    expect(cron('cron(0 0 ? jan-Mar,DEC sun,SAT *)')).toMatchObject({ months: [1, 2, 3, 12], days: { kind: 'weekDays', days: [1, 7] } });
    expect(cron('cron(0 0 ? * MON-FRI *)').days).toEqual({ kind: 'weekDays', days: [2, 3, 4, 5, 6] });
  });

  it('wraps a range round the end of a cyclic field', () => {
    expect(cron('cron(0 22-2 * * ? *)').hours).toEqual([0, 1, 2, 22, 23]);
    expect(cron('cron(0 0 ? * FRI-MON *)').days).toEqual({ kind: 'weekDays', days: [1, 2, 6, 7] });
    expect(cron('cron(0 0 1 NOV-FEB ? *)').months).toEqual([1, 2, 11, 12]);
  });

  it('reads L, W and # into their day rules', () => {
    expect(cron('cron(0 0 L * ? *)').days).toEqual({ kind: 'lastDay', offset: 0 });
    expect(cron('cron(0 0 L-3 * ? *)').days).toEqual({ kind: 'lastDay', offset: 3 });
    expect(cron('cron(0 0 LW * ? *)').days).toEqual({ kind: 'lastWeekday' });
    expect(cron('cron(0 0 3W * ? *)').days).toEqual({ kind: 'nearestWeekday', day: 3 });
    expect(cron('cron(0 0 ? * L *)').days).toEqual({ kind: 'weekDays', days: [7] });
    expect(cron('cron(0 0 ? * 6L *)').days).toEqual({ kind: 'lastWeekDay', weekday: 6 });
    expect(cron('cron(0 0 ? * FRIL *)').days).toEqual({ kind: 'lastWeekDay', weekday: 6 });
    expect(cron('cron(0 0 ? * 3#2 *)').days).toEqual({ kind: 'nthWeekDay', weekday: 3, nth: 2 });
    expect(cron('cron(0 0 ? * TUE#5 *)').days).toEqual({ kind: 'nthWeekDay', weekday: 3, nth: 5 });
  });

  it.each([
    ['hourly', 'must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year), got "hourly"'],
    ['cron 0 12 * * ? *', 'must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year), got "cron 0 12 * * ? *"'],
    ['cron(0 12 * * *)', 'cron(…) takes 6 fields (minutes hours day-of-month month day-of-week year), got 5: "cron(0 12 * * *)"'],
    ['cron()', 'cron(…) takes 6 fields (minutes hours day-of-month month day-of-week year), got 0: "cron()"'],
    ['cron(0 0 12 * * ? *)', 'cron(…) takes 6 fields (minutes hours day-of-month month day-of-week year), got 7: "cron(0 0 12 * * ? *)"'],
    ['cron(0 12 * * * *)', 'needs ? in exactly one of day-of-month and day-of-week (e.g. cron(0 12 * * ? *)), got "cron(0 12 * * * *)"'],
    ['cron(0 12 ? * ? *)', 'needs ? in exactly one of day-of-month and day-of-week (e.g. cron(0 12 * * ? *)), got "cron(0 12 ? * ? *)"'],
    ['cron(7 20 * * 1-7 *)', 'needs ? in exactly one of day-of-month and day-of-week (e.g. cron(0 12 * * ? *)), got "cron(7 20 * * 1-7 *)"'],
    ['cron(? 12 * * ? *)', '? is only allowed in day-of-month or day-of-week'],
    ['cron(0 12 * * ? $)', 'cron field "$" may only hold digits, names and , - * ? / L W #'],
    ['cron(60 12 * * ? *)', 'minutes "60": 60 is out of range 0-59'],
    ['cron(0 24 * * ? *)', 'hours "24": 24 is out of range 0-23'],
    ['cron(0 8-25 * * ? *)', 'hours "8-25": 25 is out of range 0-23'],
    ['cron(0 12 0 * ? *)', 'day-of-month "0": 0 is out of range 1-31'],
    ['cron(0 12 32 * ? *)', 'day-of-month "32": 32 is out of range 1-31'],
    ['cron(0 12 * 13 ? *)', 'month "13": 13 is out of range 1-12'],
    ['cron(0 12 * FOO ? *)', 'month "FOO": "FOO" is not a month (1-12 or JAN-DEC)'],
    ['cron(0 12 * MON ? *)', 'month "MON": "MON" is not a month (1-12 or JAN-DEC)'],
    ['cron(0 12 ? * 0 *)', 'day-of-week "0": 0 is out of range 1-7'],
    ['cron(0 12 ? * MON-FRY *)', 'day-of-week "MON-FRY": "FRY" is not a day-of-week (1-7 or SUN-SAT)'],
    ['cron(x 12 * * ? *)', 'minutes "x": "x" is not a minute (0-59)'],
    ['cron(0 12 * * ? 1969)', 'year "1969": 1969 is out of range 1970-2199'],
    ['cron(0 12 * * ? 2200)', 'year "2200": 2200 is out of range 1970-2199'],
    ['cron(0 12 * * ? 2030-2020)', 'year "2030-2020": the range 2030-2020 runs backwards'],
    ['cron(0/0 * * * ? *)', 'minutes "0/0": the increment in "0/0" must be a number from 1 to 59'],
    ['cron(0/60 * * * ? *)', 'minutes "0/60": the increment in "0/60" must be a number from 1 to 59'],
    ['cron(0 */x * * ? *)', 'hours "*/x": the increment in "*/x" must be a number from 1 to 23'],
    ['cron(0/5/2 * * * ? *)', 'minutes "0/5/2": "0/5/2" has more than one /'],
    ['cron(1-2-3 * * * ? *)', 'minutes "1-2-3": "1-2-3" is not a range a-b'],
    ['cron(1,,2 * * * ? *)', 'minutes "1,,2": a list holds an empty value'],
    ['cron(-5 * * * ? *)', 'minutes "-5": a value is missing'],
    ['cron(0 12 ? * 3#1,6#3 *)', 'day-of-week "3#1,6#3": 3#1: # takes one day alone (e.g. 3#2 or MON#1), not in a list or range'],
    ['cron(0 12 ? * 3#6 *)', 'day-of-week "3#6": the number after # must be 1 to 5 (the week of the month)'],
    ['cron(0 12 ? * 3# *)', 'day-of-week "3#": the number after # must be 1 to 5 (the week of the month)'],
    ['cron(0 12 ? * 8#1 *)', 'day-of-week "8#1": 8 is out of range 1-7'],
    ['cron(0 12 ? * 8L *)', 'day-of-week "8L": 8 is out of range 1-7'],
    ['cron(0 12 1 * 3#1 *)', 'needs ? in exactly one of day-of-month and day-of-week (e.g. cron(0 12 * * ? *)), got "cron(0 12 1 * 3#1 *)"'],
    ['cron(0 12 1#1 * ? *)', 'day-of-month "1#1": # is only allowed in day-of-week'],
    ['cron(0 12 ? * 2W *)', 'day-of-week "2W": W is only allowed in day-of-month'],
    ['cron(L 12 * * ? *)', 'minutes "L": L is only allowed in day-of-month and day-of-week'],
    ['cron(0 12 * JANL ? *)', 'month "JANL": "JANL" is not a month (1-12 or JAN-DEC)'],
    ['cron(0 12 1,L * ? *)', 'day-of-month "1,L": L: L stands alone (L, L-3, LW in day-of-month; L or 6L in day-of-week), not in a list or range'],
    ['cron(0 12 ? * 2,6L *)', 'day-of-week "2,6L": 6L: L stands alone (L, L-3, LW in day-of-month; L or 6L in day-of-week), not in a list or range'],
    ['cron(0 12 1,15W * ? *)', 'day-of-month "1,15W": 15W: W takes one day alone (e.g. 15W or LW), not in a list or range'],
    ['cron(0 12 32W * ? *)', 'day-of-month "32W": 32 is out of range 1-31'],
    ['cron(0 12 L-31 * ? *)', 'day-of-month "L-31": L-n counts back at most 30 days from the last day of the month'],
    ['cron(0 12 ?,1 * ? *)', 'day-of-month "?,1": ? stands alone in day-of-month or day-of-week: it means no value'],
  ])('refuses %s', (expression, why) => {
    expect(reason(expression)).toBe(why);
  });

  it('refuses an expression over 256 characters', () => {
    const long = `cron(0 12 * * ? ${Array.from({ length: 60 }, (_, i) => 2000 + i).join(',')})`;
    expect(reason(long)).toBe(`must be at most 256 characters, got ${long.length}`);
  });
});

describe('refusals', () => {
  it("carry PutRule's ValidationException, and the reason beside it", () => {
    let caught: unknown;
    try {
      parseSchedule('cron(0 12 * * * *)');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ScheduleError);
    expect(caught).toMatchObject({ statusCode: 400, awsType: 'ValidationException', message: 'Parameter ScheduleExpression is not valid.' });
    expect(SCHEDULE_EXPRESSION_NOT_VALID).toBe('Parameter ScheduleExpression is not valid.');
  });

  it('refuses what is not a string with a reason, not a crash', () => {
    expect(() => parseSchedule(42 as unknown as string)).toThrow(ScheduleError);
    expect(reason(undefined as unknown as string)).toBe('must be a string, got undefined');
  });

  it('keeps the expression it parsed', () => {
    const s: Schedule = parseSchedule('rate(5 minutes)');
    expect(s.expression).toBe('rate(5 minutes)');
  });
});

describe('an EventRule manifest or object with a schedule EventBridge refuses', () => {
  const issues = (scheduleExpression: string): string[] => {
    const r = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'EventRule', metadata: { name: 'nightly' }, spec: { scheduleExpression, targets: [{ id: 't', function: 'report' }] } });
    return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
  };

  it('is refused with the reason', () => {
    expect(issues('cron(0 25 * * ? *)')).toEqual(['spec.scheduleExpression: hours "25": 25 is out of range 0-23']);
    expect(issues('cron(0 12 ? * 3#1,6#3 *)')).toEqual(['spec.scheduleExpression: day-of-week "3#1,6#3": 3#1: # takes one day alone (e.g. 3#2 or MON#1), not in a list or range']);
    expect(issues('cron(0 12 ? * MON-FRI *)')).toEqual([]);
  });

  it('is refused once for what the schema pattern already refuses', () => {
    expect(issues('rate(5 seconds)')).toEqual(['spec.scheduleExpression: must be rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year), got "rate(5 seconds)"']);
    expect(scheduleProblem('rate(5 seconds)')).toBeUndefined();
  });
});
