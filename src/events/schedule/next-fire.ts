// When a schedule fires: the first fire after a time, or the last at or before it. Pure, UTC, whole minutes for cron.
// A cron search walks the fields from the year down and skips whole years, months, days and hours that cannot
// match, so it never steps minute by minute: the worst case (an expression that never fires) visits 230 × 12 months.
import type { CronSchedule } from './cron.js';
import { matchingDays } from './days.js';
import type { RateSchedule } from './rate.js';
import type { Schedule } from './schedule.js';

const MINUTE_MS = 60_000;

/**
 * The first fire time strictly after `afterMs` (epoch ms). A rate fires at anchor + k × period for k ≥ 1 (the first
 * one period after the anchor: when the rule was created or enabled; epoch 0 without one). Undefined once a cron's
 * years are over.
 */
export function nextFire(schedule: Schedule, afterMs: number, anchorMs = 0): number | undefined {
  checkTime(afterMs, 'afterMs');
  if (schedule.kind === 'rate') return anchorMs + rateIndex(schedule, afterMs, anchorMs, 'after') * schedule.periodMs;
  return searchCron(schedule, Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS, true);
}

/** The last fire time at or before `atMs`: undefined when there is none (a rate before its first period is up). */
export function lastFire(schedule: Schedule, atMs: number, anchorMs = 0): number | undefined {
  checkTime(atMs, 'atMs');
  if (schedule.kind === 'rate') {
    const k = rateIndex(schedule, atMs, anchorMs, 'atOrBefore');
    return k >= 1 ? anchorMs + k * schedule.periodMs : undefined;
  }
  return searchCron(schedule, Math.floor(atMs / MINUTE_MS) * MINUTE_MS, false);
}

function checkTime(ms: number, name: string): void {
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be a finite epoch time in ms, got ${ms}`);
}

/** The index k of the rate's fire anchor + k × period: the first after `ms`, or the last at or before it. */
function rateIndex(schedule: RateSchedule, ms: number, anchorMs: number, which: 'after' | 'atOrBefore'): number {
  const k = Math.floor((ms - anchorMs) / schedule.periodMs);
  return which === 'after' ? Math.max(1, k + 1) : k;
}

/**
 * The first fire at or after `fromMs` (forward), or the last at or before it (backward). Each field is walked in
 * order; while every larger field equals `fromMs`'s, values on the wrong side of it are skipped.
 */
function searchCron(c: CronSchedule, fromMs: number, forward: boolean): number | undefined {
  const at = new Date(fromMs);
  const Y = at.getUTCFullYear();
  const M = at.getUTCMonth() + 1;
  const D = at.getUTCDate();
  const h = at.getUTCHours();
  const m = at.getUTCMinutes();
  const order = (xs: readonly number[]): readonly number[] => (forward ? xs : [...xs].reverse());
  const wrongSide = (v: number, bound: number): boolean => (forward ? v < bound : v > bound);
  const minutes = order(c.minutes);
  const hours = order(c.hours);
  const months = order(c.months);
  for (const year of order(c.years)) {
    if (wrongSide(year, Y)) continue;
    const sameY = year === Y;
    for (const month of months) {
      if (sameY && wrongSide(month, M)) continue;
      const sameM = sameY && month === M;
      for (const day of order(matchingDays(c.days, year, month))) {
        if (sameM && wrongSide(day, D)) continue;
        const sameD = sameM && day === D;
        for (const hour of hours) {
          if (sameD && wrongSide(hour, h)) continue;
          const sameH = sameD && hour === h;
          for (const minute of minutes) {
            if (sameH && wrongSide(minute, m)) continue;
            return Date.UTC(year, month - 1, day, hour, minute);
          }
        }
      }
    }
  }
  return undefined;
}
