// Matching: a compiled pattern against an event's JSON view; fields AND, a field's list OR, `$or` sub-rules OR.
import type { CompiledPattern, FieldCheck, SubRule } from './compile.js';
import type { Dialect } from './errors.js';
import { consistent, flatten, join, NO_MEMBERSHIP, type FieldValues, type Fields, type Membership } from './flatten.js';
import type { Leaf } from './leaf.js';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * True when `event` (a JSON object: an EventBridge event, or the view of an SNS message or a Lambda record) matches.
 * Anything that is not an object matches nothing. SNS: a message without attributes matches no attribute policy
 * (AWS: "An empty set of attributes results in the filter not matching"), and `exists: true` wants a value that is
 * neither null nor empty.
 */
export function matches(compiled: CompiledPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  if (compiled.dialect === 'sns-attributes' && compiled.paths.size > 0 && Object.keys(event).length === 0) return false;
  const fields = flatten(event, compiled.paths, compiled.prefixes);
  for (const sr of compiled.subRules) if (subRuleMatches(sr, fields, compiled.dialect)) return true;
  return false;
}

/** One sub-rule against an already flattened event (the rule index flattens once for all its rules). */
export function subRuleMatches(sr: SubRule, fields: Fields, dialect: Dialect): boolean {
  const sns = dialect === 'sns-attributes' || dialect === 'sns-body';
  if (!fields.objectArrays) {
    for (const f of sr.fields) if (!fieldMatches(f, fields.byPath.get(f.path), sns)) return false;
    return true;
  }
  return search(sr.fields, 0, NO_MEMBERSHIP, fields, sns);
}

const present = (v: Leaf, sns: boolean) => !sns || (v !== null && v !== '');

/** A field on its own (no array of objects in the event: any of its values may serve). */
function fieldMatches(f: FieldCheck, slot: FieldValues | undefined, sns: boolean): boolean {
  const leaf = f.leaf;
  const values = slot?.values;
  if (!values || values.length === 0) return leaf.existsFalse;
  if (leaf.existsTrue) for (const v of values) if (present(v, sns)) return true;
  for (let i = 0; i < values.length; i++) if (leaf.test(values[i] as Leaf)) return true;
  for (const t of leaf.every) if (values.every(t)) return true;
  return false;
}

/** Backtracking over the values that could serve each field, keeping their array elements consistent. */
function search(checks: FieldCheck[], i: number, member: Membership, fields: Fields, sns: boolean): boolean {
  if (i === checks.length) return true;
  const f = checks[i] as FieldCheck;
  const leaf = f.leaf;
  const slot = fields.byPath.get(f.path);
  let anyConsistent = false;
  if (slot) {
    const consistentValues: Leaf[] = [];
    for (let k = 0; k < slot.values.length; k++) {
      const m = slot.members[k] as Membership;
      if (!consistent(member, m)) continue;
      anyConsistent = true;
      const v = slot.values[k] as Leaf;
      consistentValues.push(v);
      if (((leaf.existsTrue && present(v, sns)) || leaf.test(v)) && search(checks, i + 1, join(member, m), fields, sns)) return true;
    }
    if (consistentValues.length > 0) {
      for (const t of leaf.every) if (consistentValues.every(t) && search(checks, i + 1, member, fields, sns)) return true;
    }
  }
  return !anyConsistent && leaf.existsFalse && search(checks, i + 1, member, fields, sns);
}
