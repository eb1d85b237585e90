// Which tick of a scheduled rule is due now, and what a scheduler remembers of the rule between passes. Pure: the
// time and the clock's scale come in as arguments.
import { ScheduleError } from './errors.js';
import { lastFire, nextFire } from './next-fire.js';
import { parseSchedule, type Schedule } from './schedule.js';

/** An EventRule with a schedule, as the scheduler is given it. */
export interface ScheduledRule {
  /** "namespace/name": stable, and the rule's hash tag in Redis. */
  key: string;
  expression: string;
  enabled: boolean;
  /** When the rule was created or last enabled (epoch ms): no tick at or before it fires; a rate counts from it. */
  anchorMs: number;
}

/** What one scheduler remembers of one rule. */
export interface RuleTrack {
  expression: string;
  enabled: boolean;
  /** Undefined when the expression does not parse (`problem` says why). */
  schedule?: Schedule;
  problem?: string;
  /** When this scheduler saw the expression change or the rule enabled (-Infinity: as it first found it). */
  changeSeenMs: number;
  /** The latest tick this scheduler fired or found done. */
  handledTick?: number;
}

/** Real ms that `policyMs` of schedule time take (AsyncClock.realMs): a sped-up clock shortens rate periods. */
export type RealMs = (policyMs: number) => number;

/**
 * The rule's track after this pass. A tick due before a change this scheduler saw (a new expression, the rule
 * enabled again) does not fire: as on EventBridge, a changed schedule starts from the change. `newProblem` is set
 * only when a changed expression fails to parse, so it is logged once per change.
 */
export function updateTrack(previous: RuleTrack | undefined, rule: ScheduledRule, nowMs: number, realMs: RealMs): { track: RuleTrack; newProblem?: string } {
  if (previous && previous.expression === rule.expression) {
    const enabledNow = !previous.enabled && rule.enabled;
    return { track: { ...previous, enabled: rule.enabled, ...(enabledNow ? { changeSeenMs: nowMs } : {}) } };
  }
  const changeSeenMs = previous ? nowMs : -Infinity;
  try {
    const schedule = scaled(parseSchedule(rule.expression), realMs);
    return { track: { expression: rule.expression, enabled: rule.enabled, schedule, changeSeenMs } };
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    return { track: { expression: rule.expression, enabled: rule.enabled, problem: err.reason, changeSeenMs }, newProblem: err.reason };
  }
}

/**
 * Cron expressions stay on the calendar; a rate's period is shortened on a sped-up clock (whole ms, at least one, so
 * every scheduler computes the same ticks).
 */
function scaled(schedule: Schedule, realMs: RealMs): Schedule {
  if (schedule.kind !== 'rate') return schedule;
  return { ...schedule, periodMs: Math.max(1, Math.round(realMs(schedule.periodMs))) };
}

/**
 * The tick to fire now, or undefined: the latest fire at or before `nowMs`, after the anchor and any change seen, and
 * not handled yet. Only the latest: ticks missed while no scheduler ran are not caught up (EventBridge does not either).
 */
export function dueTick(track: RuleTrack, anchorMs: number, nowMs: number): number | undefined {
  if (!track.enabled || !track.schedule) return undefined;
  const tick = lastFire(track.schedule, nowMs, anchorMs);
  if (tick === undefined || tick <= Math.max(anchorMs, track.changeSeenMs)) return undefined;
  if (track.handledTick !== undefined && tick <= track.handledTick) return undefined;
  return tick;
}

/** How long after `tickMs` its done mark is still needed: until the next tick is due, plus `marginMs`; 0 (keep) when there is none. */
export function doneKeepMs(schedule: Schedule, tickMs: number, anchorMs: number, marginMs: number): number {
  const next = nextFire(schedule, tickMs, anchorMs);
  return next === undefined ? 0 : next - tickMs + marginMs;
}
