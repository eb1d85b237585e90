// Compiles an event pattern / filter policy once: refuses what AWS refuses, and expands `$or` into sub-rules of paths.
import { PatternError, ReasonError, refuse, type Dialect } from './errors.js';
import { compileLeaf, type LeafMatcher } from './leaf.js';
import { checkSnsLimits, checkSnsSize, eventBridgeCombinations, EVENTBRIDGE_MAX_COMBINATIONS, type RawEntry, type RawNode } from './limits.js';

/** One field of a sub-rule: the event's leaves at `path` (keys joined with `.`) must satisfy `leaf`. */
export interface FieldCheck {
  path: string;
  leaf: LeafMatcher;
}

/** One alternative of the pattern after `$or` expansion: every field must match (fields that may be absent last). */
export interface SubRule { fields: FieldCheck[] }

export interface CompiledPattern {
  dialect: Dialect;
  /** The pattern matches when any sub-rule does. An empty SNS policy is one sub-rule with no fields. */
  subRules: SubRule[];
  /** Every field path the sub-rules read, and every dotted prefix of them (the parts of an event worth reading). */
  paths: ReadonlySet<string>;
  prefixes: ReadonlySet<string>;
}

/**
 * Compiles `pattern` (a JSON string or an already-parsed object) for a dialect, or throws a PatternError with AWS's
 * reason. Match with `matches()` from match.ts against the JSON view of what arrived: an EventBridge event, an SNS
 * message's attributes (`snsAttributesView`) or body (`snsBodyView`), a Lambda record (`esmFilterView`).
 */
export function compilePattern(pattern: unknown, dialect: Dialect): CompiledPattern {
  try {
    return compile(pattern, dialect);
  } catch (err) {
    if (err instanceof ReasonError) throw new PatternError(dialect, err.message, err.message.startsWith(SNS_NESTED));
    throw err;
  }
}

const SNS_NESTED = 'Filter policy scope MessageAttributes does not support nested filter policy';
const isSns = (d: Dialect) => d === 'sns-attributes' || d === 'sns-body';

/** Names event-ruler keeps for operators; EventBridge refuses them as field names inside `$or`, SNS stops reading `$or`. */
const RESERVED = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case', 'date-after', 'date-on-or-after',
  'date-before', 'date-on-or-before', 'in-date-range', 'ip-address-in-range', 'ip-address-not-in-range',
]);

function compile(pattern: unknown, dialect: Dialect): CompiledPattern {
  const sns = isSns(dialect);
  if (sns) checkSnsSize(pattern);
  const root = parse(pattern);
  if (sns && Object.keys(root).length === 0) return { dialect, subRules: [{ fields: [] }], paths: new Set(), prefixes: new Set() };
  const tree = walk(root, dialect, 1, false);
  if (sns) {
    checkSnsLimits(tree);
    compileLeaves(tree, dialect);
  } else if (eventBridgeCombinations(tree) > EVENTBRIDGE_MAX_COMBINATIONS) {
    refuse(`The use of $or results in over ${EVENTBRIDGE_MAX_COMBINATIONS} rule combinations`);
  }
  const subRules = expand(tree, '').map(orderFields);
  const paths = new Set<string>();
  const prefixes = new Set<string>();
  for (const sr of subRules) for (const f of sr.fields) addPath(f.path, paths, prefixes);
  return { dialect, subRules, paths, prefixes };
}

/** Records a path and its dotted prefixes: a pattern key `a.b` also reads an event's `a` → `b` (and the reverse). */
function addPath(path: string, paths: Set<string>, prefixes: Set<string>): void {
  paths.add(path);
  for (let i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) prefixes.add(path.slice(0, i));
}

function parse(pattern: unknown): Record<string, unknown> {
  let value = pattern;
  if (typeof pattern === 'string') {
    try {
      value = JSON.parse(pattern);
    } catch (err) {
      refuse((err as Error).message);
    }
  }
  if (!isObject(value)) refuse('Filter is not an object');
  return value as Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The structure pass, in document order. EventBridge and Lambda compile each list as they meet it (one pass, like AWS). */
function walk(obj: Record<string, unknown>, dialect: Dialect, depth: number, insideOr: boolean): RawNode {
  const entries: RawEntry[] = [];
  const keys = Object.keys(obj);
  if (keys.length === 0) refuse('Empty objects are not allowed');
  for (const key of keys) {
    const v = obj[key];
    if (key === '$or' && (!isSns(dialect) || snsReadsOr(v))) {
      entries.push({ kind: 'or', branches: orBranches(v, dialect, depth) });
      continue;
    }
    if (insideOr && !isSns(dialect) && RESERVED.has(key)) refuse(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    if (Array.isArray(v)) {
      if (v.length === 0) refuse('Empty arrays are not allowed');
      entries.push({ kind: 'leaf', key, values: v, leaf: isSns(dialect) ? undefined : compileLeaf(v, dialect), depth });
    } else if (isObject(v)) {
      const node = walk(v, dialect, depth + 1, insideOr);
      // SNS reads the nested object (its own faults come first), then refuses the nesting.
      if (dialect === 'sns-attributes') refuse(SNS_NESTED);
      entries.push({ kind: 'node', key, node });
    } else {
      refuse(`"${key}" must be an object or an array`);
    }
  }
  return { entries };
}

function orBranches(v: unknown, dialect: Dialect, depth: number): RawNode[] {
  if (!Array.isArray(v)) refuse('It must be an Array followed with $or.');
  const branches: RawNode[] = [];
  for (const b of v as unknown[]) {
    if (!isObject(b)) refuse('Only JSON object is allowed in array of $or relationship.');
    branches.push(walk(b as Record<string, unknown>, dialect, depth, true));
  }
  if (branches.length < 2) refuse('There must have at least 2 Objects in $or relationship.');
  return branches;
}

/** SNS reads `$or` only as an array of at least two objects without reserved keys; otherwise it is an attribute name. */
function snsReadsOr(v: unknown): boolean {
  return Array.isArray(v) && v.length >= 2 && v.every((b) => isObject(b) && Object.keys(b).every((k) => !RESERVED.has(k)));
}

/** SNS checks its limits before the lists' contents; compile the lists afterwards, in document order. */
function compileLeaves(node: RawNode, dialect: Dialect): void {
  for (const e of node.entries) {
    if (e.kind === 'leaf') e.leaf = compileLeaf(e.values, dialect);
    else if (e.kind === 'node') compileLeaves(e.node, dialect);
    else e.branches.forEach((b) => compileLeaves(b, dialect));
  }
}

/** `$or` expansion, event-ruler's way: each branch forks every sub-rule built so far; a repeated path keeps the last list. */
function expand(node: RawNode, base: string): FieldCheck[][] {
  let partials: FieldCheck[][] = [[]];
  for (const e of node.entries) {
    if (e.kind === 'leaf') {
      const field: FieldCheck = { path: base ? `${base}.${e.key}` : e.key, leaf: e.leaf as LeafMatcher };
      partials = partials.map((p) => merge(p, [field]));
    } else {
      const alternatives = e.kind === 'node' ? expand(e.node, base ? `${base}.${e.key}` : e.key) : e.branches.flatMap((b) => expand(b, base));
      partials = partials.flatMap((p) => alternatives.map((c) => merge(p, c)));
    }
  }
  return partials;
}

function merge(a: FieldCheck[], b: FieldCheck[]): FieldCheck[] {
  const later = new Set(b.map((f) => f.path));
  return [...a.filter((f) => !later.has(f.path)), ...b];
}

/** Fields that need a present value first, those satisfied by absence last (absence is judged in the chosen array element). */
function orderFields(fields: FieldCheck[]): SubRule {
  const rank = (f: FieldCheck) => (f.leaf.absenceOnly ? 2 : f.leaf.existsFalse ? 1 : 0);
  return { fields: [...fields].sort((a, b) => rank(a) - rank(b)) };
}
