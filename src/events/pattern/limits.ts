// The size limits AWS puts on a pattern's shape: SNS's keys, combinations and bytes, EventBridge's `$or` expansions.
import { refuse } from './errors.js';
import type { LeafMatcher } from './leaf.js';

/** The pattern's structure before expansion: lists, nested objects and `$or` groups, in document order. */
export type RawEntry =
  | { kind: 'leaf'; key: string; values: unknown[]; leaf: LeafMatcher | undefined; depth: number }
  | { kind: 'node'; key: string; node: RawNode }
  | { kind: 'or'; branches: RawNode[] };
export interface RawNode { entries: RawEntry[] }

/** EventBridge: "InvalidEventPatternException if the use of $or results in over 1000 rule combinations". */
export const EVENTBRIDGE_MAX_COMBINATIONS = 1000;
export const SNS_MAX_KEYS = 5;
export const SNS_MAX_COMBINATIONS = 150;
export const SNS_MAX_BYTES = 256 * 1024;

/** How many sub-rules `$or` expands the pattern into: the branches of a group add up, groups multiply. */
export function eventBridgeCombinations(node: RawNode): number {
  let n = 1;
  for (const e of node.entries) {
    if (e.kind === 'node') n *= eventBridgeCombinations(e.node);
    else if (e.kind === 'or') n *= e.branches.reduce((sum, b) => sum + eventBridgeCombinations(b), 0);
  }
  return n;
}

/**
 * SNS's complexity: each list counts its values times its nesting depth, lists multiply, `$or` branches add up
 * (AWS's own examples: 3 × 4 × 2 × 3 = 72 for a 4-value list 3 deep and a 3-value list 2 deep).
 */
export function snsCombinations(node: RawNode): number {
  let n = 1;
  for (const e of node.entries) {
    if (e.kind === 'leaf') n *= e.values.length * e.depth;
    else if (e.kind === 'node') n *= snsCombinations(e.node);
    else n *= e.branches.reduce((sum, b) => sum + snsCombinations(b), 0);
  }
  return n;
}

/**
 * SNS's "maximum of five attribute names; for a nested policy, only parent keys are counted", read per `$or`
 * alternative: the top-level names plus the most any alternative of each group adds.
 */
export function snsKeys(node: RawNode): number {
  let n = 0;
  for (const e of node.entries) n += e.kind === 'or' ? Math.max(...e.branches.map(snsKeys)) : 1;
  return n;
}

export function checkSnsLimits(tree: RawNode): void {
  if (snsKeys(tree) > SNS_MAX_KEYS) refuse(`Filter policy can not have more than ${SNS_MAX_KEYS} keys`);
  if (snsCombinations(tree) > SNS_MAX_COMBINATIONS) refuse('Filter policy is too complex');
}

/** SNS's 256 KB cap on the policy's JSON (UTF-8 bytes). */
export function checkSnsSize(pattern: unknown): void {
  const text = typeof pattern === 'string' ? pattern : JSON.stringify(pattern) ?? '';
  if (Buffer.byteLength(text) > SNS_MAX_BYTES) refuse('Filter policy is too large');
}
