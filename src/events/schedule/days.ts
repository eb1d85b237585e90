// Which days of one month a cron expression's day rule selects (day-of-month or day-of-week, with L, W and #). Pure, UTC.

/** The day part of a cron expression: exactly one of day-of-month and day-of-week is set, the other is `?`. */
export type DayRule =
  /** day-of-month values (1-31; a day the month lacks is skipped) */
  | { kind: 'monthDays'; days: readonly number[] }
  /** `L` (offset 0) or `L-3`: the last day of the month, or that many days before it */
  | { kind: 'lastDay'; offset: number }
  /** `LW`: the last weekday (Monday to Friday) of the month */
  | { kind: 'lastWeekday' }
  /** `15W`: the weekday nearest the 15th, never in another month */
  | { kind: 'nearestWeekday'; day: number }
  /** day-of-week values, 1 = Sunday … 7 = Saturday (`L` alone is 7, the last day of the week) */
  | { kind: 'weekDays'; days: readonly number[] }
  /** `6L`: the last Friday of the month */
  | { kind: 'lastWeekDay'; weekday: number }
  /** `3#2`: the second Tuesday of the month (none when the month has no fifth one) */
  | { kind: 'nthWeekDay'; weekday: number; nth: number };

export const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** 1 = Sunday … 7 = Saturday, as the day-of-week field counts. */
export const weekdayOf = (year: number, month: number, day: number): number => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

const SUNDAY = 1;
const SATURDAY = 7;

/** The days of `month` (1-12) of `year` the rule selects, ascending. */
export function matchingDays(rule: DayRule, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  switch (rule.kind) {
    case 'monthDays':
      return rule.days.filter((d) => d <= last);
    case 'lastDay':
      return last - rule.offset >= 1 ? [last - rule.offset] : [];
    case 'lastWeekday': {
      const wd = weekdayOf(year, month, last);
      return [wd === SUNDAY ? last - 2 : wd === SATURDAY ? last - 1 : last];
    }
    case 'nearestWeekday':
      return rule.day <= last ? [nearestWeekday(year, month, rule.day, last)] : [];
    case 'weekDays': {
      const first = weekdayOf(year, month, 1);
      const days: number[] = [];
      for (let d = 1; d <= last; d++) if (rule.days.includes(((first - 1 + d - 1) % 7) + 1)) days.push(d);
      return days;
    }
    case 'lastWeekDay':
      return [last - ((weekdayOf(year, month, last) - rule.weekday + 7) % 7)];
    case 'nthWeekDay': {
      const d = 1 + ((rule.weekday - weekdayOf(year, month, 1) + 7) % 7) + 7 * (rule.nth - 1);
      return d <= last ? [d] : [];
    }
  }
}

/** A Saturday moves to Friday and a Sunday to Monday, unless that leaves the month: the 1st on a Saturday is Monday the 3rd. */
function nearestWeekday(year: number, month: number, day: number, last: number): number {
  const wd = weekdayOf(year, month, day);
  if (wd === SATURDAY) return day === 1 ? 3 : day - 1;
  if (wd === SUNDAY) return day === last ? day - 2 : day + 1;
  return day;
}
