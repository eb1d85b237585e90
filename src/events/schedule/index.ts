// Schedules of EventRules: rate(…) and cron(…) parsed and timed (pure), the scheduler that fires them (Redis).
export { parseSchedule, SCHEDULE_EXPRESSION_MAX, type Schedule } from './schedule.js';
export type { CronSchedule } from './cron.js';
export type { RateSchedule, RateUnit } from './rate.js';
export type { DayRule } from './days.js';
export { ScheduleError, SCHEDULE_EXPRESSION_NOT_VALID } from './errors.js';
export { nextFire, lastFire } from './next-fire.js';
export { Scheduler, type SchedulerOptions } from './scheduler.js';
export { dueTick, type ScheduledRule } from './due.js';
export { scheduledEvent, scheduledEventId, type ScheduledEventInput } from './scheduled-event.js';
