// AWS's rate(value unit): every N minutes, hours or days, counted from when the rule was created or enabled. Pure.
import { quoted, refuse } from './errors.js';

export type RateUnit = 'minute' | 'hour' | 'day';

export interface RateSchedule {
  kind: 'rate';
  expression: string;
  value: number;
  unit: RateUnit;
  periodMs: number;
}

const UNIT_MS: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Parses `rate(…)`; throws ScheduleError with the reason EventBridge would not give. */
export function parseRate(expression: string): RateSchedule {
  const m = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression);
  if (!m) return refuse(`rate(…) takes a whole number and a unit: minute(s), hour(s) or day(s) (e.g. rate(5 minutes)), got ${quoted(expression)}`);
  const [, digits, unit, plural] = m as unknown as [string, string, RateUnit, string];
  const value = Number(digits);
  // "If the value is equal to 1, then the unit must be singular. If the value is greater than 1, the unit must be plural."
  if (value < 1) refuse(`the rate must be at least 1, got ${quoted(expression)}`);
  if (value === 1 && plural) refuse(`takes the singular for 1: rate(1 ${unit}), got ${quoted(expression)}`);
  if (value > 1 && !plural) refuse(`takes the plural for ${value}: rate(${value} ${unit}s), got ${quoted(expression)}`);
  const periodMs = value * UNIT_MS[unit];
  if (!Number.isSafeInteger(periodMs)) refuse(`the rate is too long to count in milliseconds: ${quoted(expression)}`);
  return { kind: 'rate', expression, value, unit, periodMs };
}
