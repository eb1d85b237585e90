// `numeric` match expressions: `=` one value, or a range (`>`/`>=` then optionally `<`/`<=`, or `<`/`<=` alone).
import { refuse } from './errors.js';

/** EventBridge documents numeric matching for values between -5.0e9 and +5.0e9 inclusive. */
export const EVENTBRIDGE_NUMERIC_LIMIT = 5e9;

export interface NumericRange {
  low: number; lowOpen: boolean;
  high: number; highOpen: boolean;
}

const OPS = new Set(['=', '<', '<=', '>', '>=']);

/** How Jackson prints a token that is not what was expected (event-ruler puts it in its reasons). */
function tokenText(v: unknown): string {
  if (v === undefined) return ']';
  if (Array.isArray(v)) return '[';
  if (v !== null && typeof v === 'object') return '{';
  return typeof v === 'string' ? v : String(v);
}

/**
 * Parses the array of a `numeric` expression with event-ruler's reasons, in its order. `limit` bounds the operands
 * (EventBridge's documented range); SNS passes Infinity.
 */
export function parseNumeric(expr: unknown, limit: number): NumericRange {
  if (!Array.isArray(expr)) refuse('Value of numeric must be an array.');
  const items = expr as unknown[];
  const op = items[0];
  if (typeof op !== 'string') refuse(`Invalid member in numeric match: ${tokenText(op)}`);
  if (!OPS.has(op as string)) refuse(`Unrecognized numeric range operator: ${op as string}`);
  const value = operand(items[1], op === '=' ? 'equals' : (op as string), limit);
  if (op === '=' || op === '<' || op === '<=') {
    if (items.length > 2) refuse('Too many elements in numeric expression');
    if (op === '=') return { low: value, lowOpen: false, high: value, highOpen: false };
    return { low: -Infinity, lowOpen: true, high: value, highOpen: op === '<' };
  }
  const range: NumericRange = { low: value, lowOpen: op === '>', high: Infinity, highOpen: true };
  if (items.length === 2) return range;
  const op2 = items[2];
  if (typeof op2 !== 'string') refuse(`Bad value in numeric range: ${tokenText(op2)}`);
  if (op2 !== '<' && op2 !== '<=') refuse(`Bad numeric range operator: ${op2 as string}`);
  const top = operand(items[3], op2 as string, limit);
  if (items.length > 4) refuse('Too many terms in numeric range expression');
  if (!(value < top)) refuse('Bottom must be less than top');
  return { ...range, high: top, highOpen: op2 === '<' };
}

function operand(v: unknown, name: string, limit: number): number {
  if (typeof v !== 'number') refuse(`Value of ${name} must be numeric`);
  const n = v as number;
  if (Math.abs(n) > limit) refuse(`Value must be between ${javaDouble(-limit)} and ${javaDouble(limit)}, inclusive`);
  return n;
}

/** Java's Double.toString for the limits in the reason (`5.0E9`). */
function javaDouble(n: number): string {
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exp)}`;
}

export function inRange(r: NumericRange, v: number): boolean {
  return (r.lowOpen ? v > r.low : v >= r.low) && (r.highOpen ? v < r.high : v <= r.high);
}
