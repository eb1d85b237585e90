// One field's list of values and match expressions, compiled to a test on the event's leaf values (the list is an OR).
import { refuse, type Dialect } from './errors.js';
import { inCidr, ipHex, looksLikeIp, parseCidr } from './ip.js';
import { EVENTBRIDGE_NUMERIC_LIMIT, inRange, parseNumeric } from './numeric.js';
import { parseWildcard, TOO_COMPLEX, wildcardComplexity, wildcardMatches, WILDCARD_MAX_COMPLEXITY } from './wildcard.js';

/** A JSON leaf of an event: objects and arrays are never leaves (arrays are flattened into their elements). */
export type Leaf = string | number | boolean | null;
type Test = (v: Leaf) => boolean;

export interface LeafMatcher {
  /** `{"exists": true}` is in the list. */
  existsTrue: boolean;
  /** `{"exists": false}` is in the list: the field may be absent. */
  existsFalse: boolean;
  /** True when some single leaf value satisfies the list (exists excluded). */
  test: Test;
  /** SNS String.Array attributes: anything-but holds only when no element is excluded (each test over all values). */
  every: Test[];
  /** The list is plain values only (no operators, no IP literals): a rule index may key on them. */
  exactOnly: boolean;
  /** The list is `{"exists": false}` alone: only an absent field satisfies it. */
  absenceOnly: boolean;
  /** The plain values (strings, numbers, true/false/null), for indexing. */
  exact: Leaf[];
}

interface Parts { exact: Leaf[]; ips: string[]; tests: Test[]; every: Test[]; existsTrue: boolean; existsFalse: boolean }

/** Compiles a field's list; `values` is non-empty (the structure pass refused empty lists). */
export function compileLeaf(values: unknown[], dialect: Dialect): LeafMatcher {
  const parts: Parts = { exact: [], ips: [], tests: [], every: [], existsTrue: false, existsFalse: false };
  for (const v of values) {
    if (v === null || typeof v === 'boolean' || typeof v === 'number') parts.exact.push(v);
    else if (typeof v === 'string') {
      const hex = looksLikeIp(v) ? ipHex(v) : undefined;
      if (hex !== undefined) parts.ips.push(hex);
      else parts.exact.push(v);
    } else if (typeof v === 'object' && !Array.isArray(v)) matchExpression(v as Record<string, unknown>, dialect, parts);
    else refuse('Match value must be String, number, true, false, or null');
  }
  return finish(parts);
}

function finish(p: Parts): LeafMatcher {
  const strings = new Set(p.exact.filter((v): v is string => typeof v === 'string'));
  const numbers = new Set(p.exact.filter((v): v is number => typeof v === 'number'));
  const hasNull = p.exact.includes(null), hasTrue = p.exact.includes(true), hasFalse = p.exact.includes(false);
  const ips = new Set(p.ips);
  const tests = p.tests;
  const test: Test = (v) => {
    if (typeof v === 'string') {
      if (strings.has(v)) return true;
      if (ips.size > 0 && looksLikeIp(v)) { const hex = ipHex(v); if (hex !== undefined && ips.has(hex)) return true; }
    } else if (typeof v === 'number') {
      if (numbers.has(v)) return true;
    } else if (v === null ? hasNull : v ? hasTrue : hasFalse) return true;
    for (let i = 0; i < tests.length; i++) if ((tests[i] as Test)(v)) return true;
    return false;
  };
  const operators = tests.length > 0 || p.every.length > 0 || ips.size > 0;
  const exactOnly = !operators && !p.existsTrue && !p.existsFalse;
  const absenceOnly = p.existsFalse && !p.existsTrue && !operators && p.exact.length === 0;
  return { existsTrue: p.existsTrue, existsFalse: p.existsFalse, test, every: p.every, exactOnly, absenceOnly, exact: p.exact };
}

const isSns = (d: Dialect) => d === 'sns-attributes' || d === 'sns-body';

/** One `{ operator: operand }` object of a list. The first key decides; a second key is refused after it. */
function matchExpression(expr: Record<string, unknown>, dialect: Dialect, parts: Parts): void {
  const keys = Object.keys(expr);
  if (keys.length === 0) refuse('Match expression name not found');
  const op = keys[0] as string;
  const arg = expr[op];
  // event-ruler reads the first operator before noticing a second; its wording for that differs by operator.
  const oneKey = () => {
    if (keys.length > 1) refuse(op === 'numeric' || op === 'anything-but' ? 'Too many elements in numeric expression' : 'Only one key allowed in match expression');
  };
  const limit = dialect === 'eventbridge' || dialect === 'esm-filter' ? EVENTBRIDGE_NUMERIC_LIMIT : Infinity;
  switch (op) {
    case 'prefix':
    case 'suffix': {
      const s = affix(op, arg, dialect);
      oneKey();
      parts.tests.push(affixTest(op, s.value, s.ignoreCase));
      return;
    }
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') refuse('equals-ignore-case match pattern must be a string');
      oneKey();
      const lower = (arg as string).toLowerCase(), upper = (arg as string).toUpperCase();
      parts.tests.push((v) => typeof v === 'string' && (v.toLowerCase() === lower || v.toUpperCase() === upper));
      return;
    }
    case 'numeric': {
      const range = parseNumeric(arg, limit);
      oneKey();
      parts.tests.push((v) => typeof v === 'number' && Math.abs(v) <= limit && inRange(range, v));
      return;
    }
    case 'exists': {
      if (typeof arg !== 'boolean') refuse('exists match pattern must be either true or false.');
      oneKey();
      if (arg) parts.existsTrue = true;
      else parts.existsFalse = true;
      return;
    }
    case 'cidr': {
      if (typeof arg !== 'string') refuse('prefix match pattern must be a string');
      const range = parseCidr(arg as string);
      oneKey();
      parts.tests.push((v) => typeof v === 'string' && inCidr(range, v));
      return;
    }
    case 'wildcard': {
      if (isSns(dialect)) refuse(`Unrecognized match type ${op}`);
      const w = wildcardOf(arg);
      oneKey();
      parts.tests.push((v) => typeof v === 'string' && wildcardMatches(w, v));
      return;
    }
    case 'anything-but': {
      const t = anythingBut(arg, dialect);
      oneKey();
      // SNS documents a String.Array attribute as matching string anything-but only when none of its elements is
      // excluded, while a Number.Array matches numeric anything-but when some element is not (both pages' examples).
      (dialect === 'sns-attributes' && !excludesNumbers(arg) ? parts.every : parts.tests).push(t);
      return;
    }
    default:
      refuse(`Unrecognized match type ${op}`);
  }
}

const excludesNumbers = (arg: unknown) => typeof arg === 'number' || (Array.isArray(arg) && arg.length > 0 && arg.every((x) => typeof x === 'number'));

/** `prefix`/`suffix`: a string, or (EventBridge, Lambda) `{ "equals-ignore-case": string }`. */
function affix(op: 'prefix' | 'suffix', arg: unknown, dialect: Dialect): { value: string; ignoreCase: boolean } {
  if (typeof arg === 'string') return { value: arg, ignoreCase: false };
  if (arg === null || typeof arg !== 'object' || Array.isArray(arg) || isSns(dialect)) refuse(`${op} match pattern must be a string`);
  const inner = arg as Record<string, unknown>;
  const keys = Object.keys(inner);
  const Name = op === 'prefix' ? 'Prefix' : 'Suffix';
  if (keys.length === 0) refuse(`${Name} expression name not found`);
  if (keys[0] !== 'equals-ignore-case') refuse(`Unsupported ${op} pattern: ${keys[0] as string}`);
  const value = inner['equals-ignore-case'];
  if (typeof value !== 'string') refuse('equals-ignore-case match pattern must be a string');
  if (keys.length > 1) refuse('Only one key allowed in match expression');
  return { value: value as string, ignoreCase: true };
}

function affixTest(op: 'prefix' | 'suffix', value: string, ignoreCase: boolean): Test {
  if (!ignoreCase) return op === 'prefix' ? (v) => typeof v === 'string' && v.startsWith(value) : (v) => typeof v === 'string' && v.endsWith(value);
  const lower = value.toLowerCase();
  return op === 'prefix'
    ? (v) => typeof v === 'string' && v.toLowerCase().startsWith(lower)
    : (v) => typeof v === 'string' && v.toLowerCase().endsWith(lower);
}

function wildcardOf(arg: unknown) {
  if (typeof arg !== 'string') refuse('wildcard match pattern must be a string');
  const w = parseWildcard(arg as string);
  if (wildcardComplexity(w) > WILDCARD_MAX_COMPLEXITY) refuse(TOO_COMPLEX);
  return w;
}

/**
 * `anything-but`: a string or number, a list of only strings or only numbers, or one of prefix / suffix /
 * equals-ignore-case / wildcard (SNS: prefix only) with a string or a list of strings. A present leaf of another
 * type (null, true, a number against strings) is "anything but" and matches; an absent field never does.
 */
function anythingBut(arg: unknown, dialect: Dialect): Test {
  if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) return anythingButOperator(arg as Record<string, unknown>, dialect);
  if (typeof arg === 'string' || typeof arg === 'number') return (v) => v !== arg;
  if (!Array.isArray(arg)) refuse('Value of anything-but must be an array or single string/number value.');
  const list = arg as unknown[];
  for (const item of list) if (typeof item !== 'string' && typeof item !== 'number') refuse('Inside anything but list, start|null|boolean is not supported.');
  const strings = list.every((x) => typeof x === 'string'), numbers = list.every((x) => typeof x === 'number');
  if (list.length === 0 || (!strings && !numbers)) refuse('Inside anything but list, either all values are number or string, mixed type is not supported');
  const excluded = new Set(list as (string | number)[]);
  return (v) => !excluded.has(v as string | number);
}

function anythingButOperator(arg: Record<string, unknown>, dialect: Dialect): Test {
  const keys = Object.keys(arg);
  if (keys.length === 0) refuse('Anything-But expression name not found');
  const op = keys[0] as string;
  const allowed = isSns(dialect) ? ['prefix'] : ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];
  if (!allowed.includes(op)) refuse(`Unsupported anything-but pattern: ${op}`);
  const value = arg[op];
  const badType = op === 'equals-ignore-case' ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
    : op === 'wildcard' ? 'wildcard match pattern must be a string'
      // SNS words a bad anything-but prefix like a bad prefix.
      : isSns(dialect) ? 'prefix match pattern must be a string' : 'prefix/suffix match pattern must be a string';
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) refuse('Value of anything-but must be an array or single string/number value.');
  if (Array.isArray(value) && isSns(dialect)) refuse(badType);
  const list = Array.isArray(value) ? value : [value];
  for (const item of list) {
    if (typeof item !== 'string') refuse(badType);
    if ((op === 'prefix' || op === 'suffix') && item === '') refuse('Null prefix/suffix not allowed');
  }
  if (keys.length > 1) refuse('Too many elements in numeric expression');
  const strings = list as string[];
  switch (op) {
    case 'prefix': return (v) => typeof v !== 'string' || !strings.some((p) => v.startsWith(p));
    case 'suffix': return (v) => typeof v !== 'string' || !strings.some((p) => v.endsWith(p));
    case 'equals-ignore-case': {
      const lowers = new Set(strings.map((s) => s.toLowerCase()));
      return (v) => typeof v !== 'string' || !lowers.has(v.toLowerCase());
    }
    default: {
      const wildcards = strings.map(wildcardOf);
      return (v) => typeof v !== 'string' || !wildcards.some((w) => wildcardMatches(w, v));
    }
  }
}
