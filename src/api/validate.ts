// Checks a value against a kind's schema and words every problem for people: field path + reason.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { PATTERN_HINTS } from './common.js';

export interface PathIssue { path: string; message: string }

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker(schema: TSchema): TypeCheck<TSchema> {
  let c = compiled.get(schema);
  if (!c) compiled.set(schema, (c = TypeCompiler.Compile(schema)));
  return c;
}

/** Every schema problem of `value`, at most one per field, with dotted paths (`spec.memoryMB`). */
export function schemaIssues(schema: TSchema, value: unknown): PathIssue[] {
  const out: PathIssue[] = [];
  const seen = new Set<string>();
  for (const e of checker(schema).Errors(value)) {
    const path = pointerToPath(e.path, value);
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, message: describe(e) });
  }
  return out;
}

/** `/spec/code/inline/index.mjs` → `spec.code.inline["index.mjs"]`; with the value, list indexes read `targets[0]`. */
export function pointerToPath(pointer: string, root?: unknown): string {
  if (pointer === '') return '';
  let path = '';
  let node = root;
  for (const key of pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    path = Array.isArray(node) && /^\d+$/.test(key) ? `${path}[${key}]` : joinPath(path, key);
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return path;
}

/** Appends one key to a dotted path, bracketing keys that are not plain identifiers. */
export function joinPath(path: string, key: string): string {
  if (/^[a-zA-Z_$][a-zA-Z0-9_$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** A short rendering of a value for "got …". */
export function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describe(e: ValueError): string {
  const s = e.schema as Record<string, unknown>;
  const v = e.value;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty: return 'is required';
    case ValueErrorType.ObjectAdditionalProperties: return unknownField(e);
    case ValueErrorType.Kind: return `must be one of ${(s.enum as string[]).join(', ')}, got ${show(v)}`;
    case ValueErrorType.Integer:
      return typeof v === 'number' ? `must be a whole number, got ${v}` : `must be an integer, got ${show(v)}`;
    case ValueErrorType.Number: return `must be a number, got ${show(v)}`;
    case ValueErrorType.String:
      return `must be a string, got ${show(v)}${typeof v === 'number' || typeof v === 'boolean' ? ` (quote it: "${String(v)}")` : ''}`;
    case ValueErrorType.Boolean: return `must be true or false, got ${show(v)}`;
    case ValueErrorType.Object: return `must be a map of fields, got ${show(v)}`;
    case ValueErrorType.Array: return `must be a list, got ${show(v)}`;
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(s.minItems)} ${items(Number(s.minItems))}, got ${Array.isArray(v) ? v.length : show(v)}`;
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${String(s.maxItems)} ${items(Number(s.maxItems))}, got ${Array.isArray(v) ? v.length : show(v)}`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum: return `must be >= ${String(s.minimum)}, got ${show(v)}`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum: return `must be <= ${String(s.maximum)}, got ${show(v)}`;
    case ValueErrorType.StringMinLength:
      return s.minLength === 1 ? 'must not be empty' : `must be at least ${String(s.minLength)} characters`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(s.maxLength)} characters, got ${typeof v === 'string' ? v.length : show(v)}`;
    case ValueErrorType.StringPattern: {
      const pattern = String(s.pattern);
      return `${PATTERN_HINTS[pattern] ?? `must match ${pattern}`}, got ${show(v)}`;
    }
    case ValueErrorType.ObjectMinProperties: return `must have at least ${String(s.minProperties)} ${entries(Number(s.minProperties))}`;
    case ValueErrorType.ObjectMaxProperties:
      return `must have at most ${String(s.maxProperties)} ${entries(Number(s.maxProperties))}, got ${typeof v === 'object' && v ? Object.keys(v).length : show(v)}`;
    default: return e.message;
  }
}

const entries = (n: number) => (n === 1 ? 'entry' : 'entries');
const items = (n: number) => (n === 1 ? 'item' : 'items');

function unknownField(e: ValueError): string {
  const key = e.path.slice(e.path.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~');
  const props = (e.schema as { properties?: Record<string, unknown> }).properties ?? {};
  const known = Object.keys(props);
  if (known.length === 0) return 'unknown field';
  const close = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => editDistance(k, key) <= 2);
  return `unknown field${close ? ` (did you mean ${close}?)` : ''}; known fields: ${known.join(', ')}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Whether the text parses as JSON. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** `scheme//host…` with a host, the scheme in lowercase as the CRD's rule checks it (e.g. `isUrlOf(u, 'https:')`). */
export function isUrlOf(text: string, scheme: string): boolean {
  if (!text.startsWith(`${scheme}//`)) return false;
  try {
    const url = new URL(text);
    return url.protocol === scheme && url.hostname !== '';
  } catch {
    return false;
  }
}
