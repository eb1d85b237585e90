// Reading SQS's request members (pure): each member as its model types it, SQS's errors for one missing or out of range.
import { invalidValue, missingParameter } from '../../events/sqs/errors.js';
import type { MessageAttributeValue } from '../../events/sqs/md5.js';
import { serializationError } from '../json-rpc/input.js';

export type Input = Readonly<Record<string, unknown>>;

const present = (input: Input, name: string): unknown => (Object.hasOwn(input, name) && input[name] !== null ? input[name] : undefined);

const kind = (v: unknown): string => (Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v);

export function optionalString(input: Input, name: string): string | undefined {
  const v = present(input, name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw serializationError(`${name} must be a string, not ${kind(v)}.`);
  return v;
}

export function requiredString(input: Input, name: string): string {
  const v = optionalString(input, name);
  if (v === undefined) throw missingParameter(name);
  return v;
}

/** An integer member; `range` checked with SQS's sentence (`reason` says the range as SQS words it). */
export function optionalInteger(input: Input, name: string, range?: { min: number; max: number; reason: string }): number | undefined {
  const v = present(input, name);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw serializationError(`${name} must be an integer, not ${kind(v)}.`);
  if (range && (v < range.min || v > range.max)) throw invalidValue(name, v, range.reason);
  return v;
}

export function stringList(input: Input, name: string): string[] {
  const v = present(input, name);
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw serializationError(`${name} must be a list of strings.`);
  return v as string[];
}

export function stringMap(input: Input, name: string): Record<string, string> {
  const v = present(input, name);
  if (v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v) || !Object.values(v as object).every((s) => typeof s === 'string')) {
    throw serializationError(`${name} must be a map of strings.`);
  }
  return { ...(v as Record<string, string>) };
}

/** MessageAttributes: name → {DataType, StringValue | BinaryValue (base64)}; the list members are not supported by SQS. */
export function messageAttributeMap(input: Input, name: string): Record<string, MessageAttributeValue> {
  const v = present(input, name);
  if (v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw serializationError(`${name} must be a map of message attribute values.`);
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, a] of Object.entries(v as Record<string, unknown>)) {
    if (typeof a !== 'object' || a === null || Array.isArray(a)) throw serializationError(`${name}.${k} must be a message attribute value.`);
    const m = a as Record<string, unknown>;
    for (const f of ['DataType', 'StringValue', 'BinaryValue'] as const) {
      if (m[f] !== undefined && m[f] !== null && typeof m[f] !== 'string') throw serializationError(`${name}.${k}.${f} must be a string.`);
    }
    out[k] = {
      DataType: (m.DataType as string | undefined) ?? '',
      ...(typeof m.StringValue === 'string' ? { StringValue: m.StringValue } : {}),
      ...(typeof m.BinaryValue === 'string' ? { BinaryValue: m.BinaryValue } : {}),
    };
  }
  return out;
}

/** A batch's Entries: a list of objects (the batch rules are the caller's). */
export function entries(input: Input): Input[] {
  const v = present(input, 'Entries');
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e))) throw serializationError('Entries must be a list of objects.');
  return v as Input[];
}
