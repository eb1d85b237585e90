// Kinesis's input members, checked as its front end checks them before an operation runs: SerializationException for
// a member of the wrong JSON type, ValidationException listing every constraint that fails (`N validation errors
// detected: Value … at 'member' failed to satisfy constraint: …`), in the model's order.
import { serializationError, validationError } from '../json-rpc/input.js';

const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);
const wireName = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
const typeName = (v: unknown): string => (Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'a structure' : `a ${typeof v}`);

export interface StringRule { required?: boolean; minLength?: number; maxLength?: number; pattern?: string; values?: readonly string[] }
export interface IntegerRule { required?: boolean; min?: number; max?: number }

/** Collects the failures of one input (or one element of a list, under `path`), then throws them all at once. */
export class Members {
  private readonly failures: string[];

  constructor(private readonly input: Record<string, unknown>, private readonly path = '', failures?: string[]) {
    this.failures = failures ?? [];
  }

  private raw(name: string): unknown {
    const v = Object.hasOwn(this.input, name) ? this.input[name] : undefined;
    return v === null ? undefined : v;
  }

  private fail(name: string, value: string | undefined, constraint: string): void {
    this.failures.push(`Value ${value === undefined ? 'null' : `'${shown(value)}'`} at '${this.path}${wireName(name)}' failed to satisfy constraint: ${constraint}`);
  }

  string(name: string, rule: StringRule = {}): string | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (rule.required) this.fail(name, undefined, 'Member must not be null');
      return undefined;
    }
    if (typeof v !== 'string') throw serializationError(`${name} must be a string, not ${typeName(v)}.`);
    if (rule.minLength !== undefined && v.length < rule.minLength) this.fail(name, v, `Member must have length greater than or equal to ${rule.minLength}`);
    if (rule.maxLength !== undefined && v.length > rule.maxLength) this.fail(name, v, `Member must have length less than or equal to ${rule.maxLength}`);
    if (rule.pattern !== undefined && !new RegExp(`^(?:${rule.pattern})$`).test(v)) this.fail(name, v, `Member must satisfy regular expression pattern: ${rule.pattern}`);
    if (rule.values !== undefined && !rule.values.includes(v)) this.fail(name, v, `Member must satisfy enum value set: [${rule.values.join(', ')}]`);
    return v;
  }

  integer(name: string, rule: IntegerRule = {}): number | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (rule.required) this.fail(name, undefined, 'Member must not be null');
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw serializationError(`${name} must be a number, not ${typeName(v)}.`);
    const n = Math.trunc(v);
    if (rule.min !== undefined && n < rule.min) this.fail(name, String(n), `Member must have value greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && n > rule.max) this.fail(name, String(n), `Member must have value less than or equal to ${rule.max}`);
    return n;
  }

  /** A timestamp as the JSON protocols send it: epoch seconds, possibly with a fraction; returned in ms. */
  timestamp(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v * 1000;
    if (typeof v === 'string' && Number.isFinite(Date.parse(v))) return Date.parse(v);
    throw serializationError(`${name} must be a timestamp (epoch seconds), not ${typeName(v)}.`);
  }

  /** A blob: base64 text, decoded; `maxBytes` applies to the decoded bytes. */
  blob(name: string, rule: { required?: boolean; maxBytes?: number } = {}): Buffer | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (rule.required) this.fail(name, undefined, 'Member must not be null');
      return undefined;
    }
    if (typeof v !== 'string') throw serializationError(`${name} must be base64 text, not ${typeName(v)}.`);
    if (v.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw serializationError(`'${shown(v)}' can not be converted to a Blob: it is not valid base64.`);
    const bytes = Buffer.from(v, 'base64');
    if (rule.maxBytes !== undefined && bytes.length > rule.maxBytes) {
      this.fail(name, `java.nio.HeapByteBuffer[pos=0 lim=${bytes.length} cap=${bytes.length}]`, `Member must have length less than or equal to ${rule.maxBytes}`);
    }
    return bytes;
  }

  /** A structure member (an object), or undefined. */
  structure(name: string): Record<string, unknown> | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw serializationError(`${name} must be a structure, not ${typeName(v)}.`);
    return v as Record<string, unknown>;
  }

  /** A structure whose members are checked with this input's (their failures under `name.member`). */
  nested(name: string): Members | undefined {
    const v = this.structure(name);
    return v === undefined ? undefined : new Members(v, `${this.path}${wireName(name)}.`, this.failures);
  }

  /** A list of structures, each checked by `each` under `records.N.member.`; length limits as the model has them. */
  list<T>(name: string, rule: { required?: boolean; minLength?: number; maxLength?: number }, each: (m: Members) => T): T[] | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (rule.required) this.fail(name, undefined, 'Member must not be null');
      return undefined;
    }
    if (!Array.isArray(v)) throw serializationError(`${name} must be a list, not ${typeName(v)}.`);
    const listed = `[${v.length} items]`;
    if (rule.minLength !== undefined && v.length < rule.minLength) this.fail(name, listed, `Member must have length greater than or equal to ${rule.minLength}`);
    if (rule.maxLength !== undefined && v.length > rule.maxLength) this.fail(name, listed, `Member must have length less than or equal to ${rule.maxLength}`);
    return v.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) throw serializationError(`${name}[${i}] must be a structure, not ${typeName(item)}.`);
      return each(new Members(item as Record<string, unknown>, `${this.path}${wireName(name)}.${i + 1}.member.`, this.failures));
    });
  }

  /** Throws the ValidationException when any constraint failed (at most 10 listed, as AWS lists them). */
  check(): void {
    if (this.failures.length === 0) return;
    const listed = this.failures.slice(0, 10);
    throw validationError(`${this.failures.length} validation error${this.failures.length === 1 ? '' : 's'} detected: ${listed.join('; ')}`);
  }
}

/** Kinesis's StreamName: 1..128 of letters, digits, `_`, `.` and `-`. */
export const STREAM_NAME_RULE: StringRule = { minLength: 1, maxLength: 128, pattern: '[a-zA-Z0-9_.-]+' };
export const STREAM_ARN_RULE: StringRule = { minLength: 1, maxLength: 2048, pattern: 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+' };
export const SHARD_ID_RULE: StringRule = { minLength: 1, maxLength: 128, pattern: '[a-zA-Z0-9_.-]+' };
export const SEQUENCE_NUMBER_RULE: StringRule = { pattern: '0|([1-9]\\d{0,128})' };
