// A rule's schedule expression, rate(…) or cron(…), parsed once. Pure.
import { parseCron, type CronSchedule } from './cron.js';
import { quoted, refuse } from './errors.js';
import { parseRate, type RateSchedule } from './rate.js';

export type Schedule = RateSchedule | CronSchedule;

/** EventBridge's length limit on ScheduleExpression. */
export const SCHEDULE_EXPRESSION_MAX = 256;

/** Parses a schedule expression as PutRule accepts it; throws ScheduleError (PutRule's ValidationException) with the reason. */
export function parseSchedule(expression: string): Schedule {
  if (typeof expression !== 'string') return refuse(`must be a string, got ${typeof expression}`);
  if (expression.length > SCHEDULE_EXPRESSION_MAX) refuse(`must be at most ${SCHEDULE_EXPRESSION_MAX} characters, got ${expression.length}`);
  if (expression.startsWith('rate(')) return parseRate(expression);
  if (expression.startsWith('cron(')) return parseCron(expression);
  return refuse(`must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year), got ${quoted(expression)}`);
}
