// AWS's cron(minutes hours day-of-month month day-of-week year), parsed into the values of each field. Pure, UTC.
import { DAY_OF_MONTH, DAY_OF_WEEK, fieldValue, fieldValues, HOURS, MINUTES, MONTH, YEAR } from './cron-field.js';
import type { DayRule } from './days.js';
import { quoted, refuse } from './errors.js';

export interface CronSchedule {
  kind: 'cron';
  expression: string;
  /** Each ascending, without repeats. */
  minutes: readonly number[];
  hours: readonly number[];
  months: readonly number[];
  years: readonly number[];
  days: DayRule;
}

const CRON_FIELD = /^[0-9A-Za-z,*?/#-]+$/;
const FIELD_NAMES = 'minutes hours day-of-month month day-of-week year';

/** Parses `cron(…)`; throws ScheduleError with the reason EventBridge would not give. */
export function parseCron(expression: string): CronSchedule {
  const body = /^cron\((.*)\)$/s.exec(expression)?.[1];
  if (body === undefined) return refuse(`must be cron(${FIELD_NAMES}), got ${quoted(expression)}`);
  const fields = body.trim() === '' ? [] : body.trim().split(/\s+/);
  if (fields.length !== 6) return refuse(`cron(…) takes 6 fields (${FIELD_NAMES}), got ${fields.length}: ${quoted(expression)}`);
  const bad = fields.find((f) => !CRON_FIELD.test(f));
  if (bad !== undefined) refuse(`cron field ${quoted(bad)} may only hold digits, names and , - * ? / L W #`);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  if ([minutes, hours, month, year].some((f) => f.includes('?'))) refuse('? is only allowed in day-of-month or day-of-week');
  // AWS: "You can't specify the Day-of-month and Day-of-week fields in the same cron expression"
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    refuse(`needs ? in exactly one of day-of-month and day-of-week (e.g. cron(0 12 * * ? *)), got ${quoted(expression)}`);
  }
  return {
    kind: 'cron',
    expression,
    minutes: fieldValues(minutes, MINUTES),
    hours: fieldValues(hours, HOURS),
    days: dayOfMonth === '?' ? dayOfWeekRule(dayOfWeek) : dayOfMonthRule(dayOfMonth),
    months: fieldValues(month, MONTH),
    years: fieldValues(year, YEAR),
  };
}

/** `L`, `L-3`, `LW` and `15W` stand alone; anything else is a list of days. */
function dayOfMonthRule(text: string): DayRule {
  const t = text.toUpperCase();
  if (t === 'L') return { kind: 'lastDay', offset: 0 };
  if (t === 'LW') return { kind: 'lastWeekday' };
  const offset = /^L-(\d+)$/.exec(t)?.[1];
  if (offset !== undefined) {
    const n = Number(offset);
    if (n > 30) refuse(`day-of-month ${quoted(text)}: L-n counts back at most 30 days from the last day of the month`);
    return { kind: 'lastDay', offset: n };
  }
  const weekday = /^(\d+)W$/.exec(t)?.[1];
  if (weekday !== undefined) return { kind: 'nearestWeekday', day: fieldValue(weekday, text, DAY_OF_MONTH) };
  return { kind: 'monthDays', days: fieldValues(text, DAY_OF_MONTH) };
}

/** `L` (Saturday, the last day of the week), `6L` and `3#2` stand alone; anything else is a list of days. */
function dayOfWeekRule(text: string): DayRule {
  const t = text.toUpperCase();
  if (t === 'L') return { kind: 'weekDays', days: [7] };
  const lastOf = /^(\w+)L$/.exec(t)?.[1];
  if (lastOf !== undefined) return { kind: 'lastWeekDay', weekday: fieldValue(lastOf, text, DAY_OF_WEEK) };
  const nth = /^(\w+)#(\w*)$/.exec(t);
  if (nth) {
    const n = /^[1-5]$/.test(nth[2] ?? '') ? Number(nth[2]) : refuse(`day-of-week ${quoted(text)}: the number after # must be 1 to 5 (the week of the month)`);
    return { kind: 'nthWeekDay', weekday: fieldValue(nth[1] ?? '', text, DAY_OF_WEEK), nth: n };
  }
  return { kind: 'weekDays', days: fieldValues(text, DAY_OF_WEEK) };
}
