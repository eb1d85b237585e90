// EventBridge's input members as its model (AWS JSON 1.1) constrains them, checked as AWS's front end does before an
// operation runs (pure): a member of the wrong JSON type cannot be read (SerializationException); the constraints it
// fails are listed in one ValidationException, `N validation error(s) detected: Value … at 'a.1.member.b' failed to
// satisfy constraint: …`, members named in lower camel case and list members by their 1-based index.
import { serializationError, validationError } from '../json-rpc/input.js';

export type Shape =
  | { type: 'string'; min?: number; max?: number; pattern?: string; enum?: readonly string[] }
  | { type: 'integer'; min?: number; max?: number }
  | { type: 'boolean' }
  /** Epoch seconds (what the SDKs send), or an ISO 8601 text. */
  | { type: 'timestamp' }
  | { type: 'list'; member: Shape; min?: number; max?: number }
  | { type: 'map'; key: Shape; value: Shape; max?: number }
  | Structure;

export interface Structure {
  type: 'structure';
  members: Readonly<Record<string, Shape>>;
  required?: readonly string[];
}

/** A value as echoed in a message: hostile input is not reflected at full length. */
const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);
const wireName = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
const display = (v: unknown): string => shown(typeof v === 'string' ? v : JSON.stringify(v));
const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : typeof v);

function typeMismatch(path: string, expected: string, v: unknown): never {
  throw serializationError(`${path || 'The request'} must be ${expected}, not ${jsonType(v)}.`);
}

function check(shape: Shape, v: unknown, path: string, failures: string[]): unknown {
  const fail = (constraint: string) => failures.push(`Value '${display(v)}' at '${path}' failed to satisfy constraint: ${constraint}`);
  switch (shape.type) {
    case 'string': {
      if (typeof v !== 'string') typeMismatch(path, 'a string', v);
      if (shape.min !== undefined && v.length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && v.length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern !== undefined && !new RegExp(`^(?:${shape.pattern})$`).test(v)) fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      if (shape.enum !== undefined && !shape.enum.includes(v)) fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return v;
    }
    case 'integer': {
      if (typeof v !== 'number' || !Number.isInteger(v)) typeMismatch(path, 'an integer', v);
      if (shape.min !== undefined && v < shape.min) fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && v > shape.max) fail(`Member must have value less than or equal to ${shape.max}`);
      return v;
    }
    case 'boolean':
      if (typeof v !== 'boolean') typeMismatch(path, 'a boolean', v);
      return v;
    case 'timestamp': {
      const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : Number.NaN;
      if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) typeMismatch(path, 'a timestamp (epoch seconds or ISO 8601)', v);
      return new Date(ms);
    }
    case 'list': {
      if (!Array.isArray(v)) typeMismatch(path, 'a list', v);
      if (shape.min !== undefined && v.length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && v.length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
      return v.map((m, i) => (m === null ? null : check(shape.member, m, `${path}.${i + 1}.member`, failures)));
    }
    case 'map': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) typeMismatch(path, 'an object', v);
      const entries = Object.entries(v);
      if (shape.max !== undefined && entries.length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
      const out: Record<string, unknown> = {};
      for (const [k, x] of entries) {
        check(shape.key, k, path, failures);
        if (x !== null) out[k] = check(shape.value, x, path, failures);
      }
      return out;
    }
    case 'structure':
      return structure(shape, v, path, failures);
  }
}

function structure(shape: Structure, v: unknown, path: string, failures: string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) typeMismatch(path, 'an object', v);
  const input = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape.members)) {
    const at = path === '' ? wireName(name) : `${path}.${wireName(name)}`;
    const x = Object.hasOwn(input, name) ? input[name] : undefined;
    // a JSON null is an absent member, as AWS's deserializers read it
    if (x === undefined || x === null) {
      if (shape.required?.includes(name)) failures.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    out[name] = check(member, x, at, failures);
  }
  return out;
}

/**
 * The input's members that `shape` knows, checked (unknown members are ignored, as AWS's deserializers ignore them),
 * timestamps as Dates; or the SerializationException / ValidationException AWS answers.
 */
export function readMembers<T>(shape: Structure, input: Record<string, unknown>): T {
  const failures: string[] = [];
  const out = structure(shape, input, '', failures);
  if (failures.length > 0) {
    throw validationError(`${failures.length} validation error${failures.length === 1 ? '' : 's'} detected: ${failures.join('; ')}`);
  }
  return out as T;
}
