// The shape of an EventBridge event pattern or an SNS filter policy (every field matches a list), checked before matching.
import { isRecord, type SpecIssue } from './function.js';
import { joinPath, show } from './validate.js';

/** EventBridge's default quota on an event pattern, counted as JSON characters. */
export const EVENT_PATTERN_MAX_CHARS = 2048;
/** SNS's limits on a filter policy. */
export const FILTER_POLICY_MAX_BYTES = 256 * 1024;
export const FILTER_POLICY_MAX_KEYS = 5;
export const FILTER_POLICY_MAX_COMBINATIONS = 150;

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

/** Problems of an event pattern at `path`: its shape (nested patterns allowed) and its size. */
export function eventPatternIssues(pattern: Record<string, unknown>, path: string): SpecIssue[] {
  const issues = shapeIssues(pattern, path, true);
  const chars = JSON.stringify(pattern).length;
  if (chars > EVENT_PATTERN_MAX_CHARS) issues.push({ path, message: `must be at most ${EVENT_PATTERN_MAX_CHARS} characters as JSON, got ${chars}` });
  return issues;
}

/** Problems of a filter policy at `path`: its shape (flat on message attributes), keys, combinations and size. */
export function filterPolicyIssues(policy: Record<string, unknown>, scope: FilterPolicyScope, path: string): SpecIssue[] {
  const issues = shapeIssues(policy, path, scope === 'MessageBody');
  if (issues.length > 0) return issues;
  const keys = leafKeys(policy);
  if (keys > FILTER_POLICY_MAX_KEYS) issues.push({ path, message: `must have at most ${FILTER_POLICY_MAX_KEYS} keys, got ${keys}` });
  const combinations = combinationsOf(policy);
  if (combinations > FILTER_POLICY_MAX_COMBINATIONS) {
    issues.push({ path, message: `must have at most ${FILTER_POLICY_MAX_COMBINATIONS} combinations of values (the product of the list lengths), got ${combinations}` });
  }
  const bytes = Buffer.byteLength(JSON.stringify(policy));
  if (bytes > FILTER_POLICY_MAX_BYTES) issues.push({ path, message: `must be at most 256 KB as JSON, got ${bytes} bytes` });
  return issues;
}

/** Every field holds a non-empty list of values/operators, a nested pattern (when `nested`), or (`$or`) a list of patterns. */
function shapeIssues(pattern: Record<string, unknown>, path: string, nested: boolean): SpecIssue[] {
  if (Object.keys(pattern).length === 0) return [{ path, message: 'must not be empty' }];
  const issues: SpecIssue[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    const at = joinPath(path, key);
    if (key === '$or') {
      if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
        value.forEach((p, i) => issues.push(...shapeIssues(p, `${at}[${i}]`, nested)));
      } else {
        issues.push({ path: at, message: `must be a list of patterns, got ${show(value)}` });
      }
    } else if (Array.isArray(value)) {
      if (value.length === 0) issues.push({ path: at, message: 'must list at least one value to match' });
    } else if (isRecord(value) && nested) {
      issues.push(...shapeIssues(value, at, nested));
    } else {
      const expected = nested ? 'a list of values to match (e.g. ["x"]) or a nested pattern' : 'a list of values to match (e.g. ["x"]); message attributes are not nested';
      issues.push({ path: at, message: `must be ${expected}, got ${show(value)}` });
    }
  }
  return issues;
}

/** The fields that match values, however deep (SNS counts these as the policy's keys). */
function leafKeys(pattern: Record<string, unknown>): number {
  let n = 0;
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or' && Array.isArray(value)) n += value.filter(isRecord).reduce((sum, p) => sum + leafKeys(p), 0);
    else if (Array.isArray(value)) n += 1;
    else if (isRecord(value)) n += leafKeys(value);
  }
  return n;
}

/** SNS's complexity: the product of the list lengths; the branches of `$or` add up. */
function combinationsOf(pattern: Record<string, unknown>): number {
  let product = 1;
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or' && Array.isArray(value)) product *= value.filter(isRecord).reduce((sum, p) => sum + combinationsOf(p), 0);
    else if (Array.isArray(value)) product *= value.length;
    else if (isRecord(value)) product *= combinationsOf(value);
  }
  return product;
}
