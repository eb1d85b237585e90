// An event read the way EventBridge reads it: leaf values by dotted path, each remembering which array elements hold it.
import type { Leaf } from './leaf.js';

/**
 * Which array elements a value sits in, as [arrayId, index, arrayId, index, …]. Two values can serve one sub-rule only
 * if they agree on every array they share (event-ruler's "array consistency": fields from one element of a list of
 * objects, not a mix of elements).
 */
export type Membership = readonly number[];
export const NO_MEMBERSHIP: Membership = [];

export interface FieldValues { values: Leaf[]; members: Membership[] }

/** A set of paths (a Set, or a Map of reference counts). */
export interface PathSet { has(path: string): boolean }

export interface Fields {
  byPath: Map<string, FieldValues>;
  /** Some array held objects or arrays: memberships matter. Without it every field can be judged on its own. */
  objectArrays: boolean;
}

/**
 * Collects the event's leaves at `paths`, descending only through `prefixes` (so a large event costs what the
 * patterns read). Keys join with `.`, so an event key `a.b` and the nesting a → b are the same path, as in AWS.
 * Arrays are flattened; objects and arrays are never values themselves (a field holding one is not a leaf).
 */
export function flatten(event: Record<string, unknown>, paths: PathSet, prefixes: PathSet): Fields {
  const walk: Walk = { fields: { byPath: new Map(), objectArrays: false }, paths, prefixes, nextArrayId: 0 };
  for (const k in event) {
    if (paths.has(k) || prefixes.has(k)) visit(walk, event[k], k, NO_MEMBERSHIP);
  }
  return walk.fields;
}

// Plain functions over a state object, not closures: flatten runs once per event on the hot path.
interface Walk { fields: Fields; paths: PathSet; prefixes: PathSet; nextArrayId: number }

function visit(w: Walk, v: unknown, path: string, member: Membership): void {
  if (v === null || typeof v !== 'object') {
    if (v !== undefined && w.paths.has(path)) record(w.fields, path, v as Leaf, member);
    return;
  }
  if (Array.isArray(v)) {
    if (!w.paths.has(path) && !w.prefixes.has(path)) return;
    const id = w.nextArrayId++;
    for (let i = 0; i < v.length; i++) {
      const el: unknown = v[i];
      if (el !== null && typeof el === 'object') {
        w.fields.objectArrays = true;
        visit(w, el, path, [...member, id, i]);
      } else {
        visit(w, el, path, member);
      }
    }
    return;
  }
  if (!w.prefixes.has(path)) return;
  const obj = v as Record<string, unknown>;
  for (const k in obj) visit(w, obj[k], `${path}.${k}`, member);
}

function record(fields: Fields, path: string, v: Leaf, member: Membership): void {
  const slot = fields.byPath.get(path);
  if (slot) {
    slot.values.push(v);
    slot.members.push(member);
  } else {
    fields.byPath.set(path, { values: [v], members: [member] });
  }
}

/** True when the two memberships agree on every array they share. */
export function consistent(a: Membership, b: Membership): boolean {
  if (a.length === 0 || b.length === 0) return true;
  for (let i = 0; i < a.length; i += 2) {
    for (let j = 0; j < b.length; j += 2) if (a[i] === b[j] && a[i + 1] !== b[j + 1]) return false;
  }
  return true;
}

/** The union of two consistent memberships. */
export function join(a: Membership, b: Membership): Membership {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = [...a];
  for (let j = 0; j < b.length; j += 2) {
    let known = false;
    for (let i = 0; i < a.length; i += 2) if (a[i] === b[j]) known = true;
    if (!known) out.push(b[j] as number, b[j + 1] as number);
  }
  return out;
}
