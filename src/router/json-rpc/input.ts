// The AWS JSON protocols' request body: one JSON object of members, checked as AWS's front end checks it before the
// operation runs — SerializationException for a body or member it cannot read, ValidationException for the model's
// constraints (every failure listed in one message, in the model's order).
import type { IncomingMessage } from 'node:http';
import { KlambdaError } from '../../core/errors.js';
import { readBody } from '../body.js';

export const serializationError = (message: string): KlambdaError => new KlambdaError(400, 'SerializationException', message);
export const validationError = (message: string): KlambdaError => new KlambdaError(400, 'ValidationException', message);

/** The body's members; an empty body is an empty input, as the SDKs send `{}` for an operation without one. */
export async function readJsonInput(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const raw = await readBody(req, limit);
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw serializationError(`The request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw serializationError('The request body must be a JSON object of the operation\'s members.');
  return value as Record<string, unknown>;
}

/** A string member of an operation's input, as its model constrains it. */
export interface StringMember {
  name: string;
  required?: boolean;
  maxLength?: number;
}

/** A value as echoed in a message: hostile input is not reflected at full length. */
const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);

/** AWS's messages name members in lower camel case (EventPattern → eventPattern). */
const wireName = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/**
 * The input's string members (a JSON null is an absent member), or the error AWS answers: a member that is not a
 * string cannot be read (SerializationException); the constraints it fails are listed as
 * `N validation error(s) detected: Value … at 'member' failed to satisfy constraint: …; …` (ValidationException).
 */
export function stringMembers(input: Record<string, unknown>, members: readonly StringMember[]): Map<string, string> {
  const values = new Map<string, string>();
  const failures: string[] = [];
  for (const m of members) {
    const v = Object.hasOwn(input, m.name) ? input[m.name] : undefined;
    if (v === undefined || v === null) {
      if (m.required) failures.push(`Value null at '${wireName(m.name)}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    if (typeof v !== 'string') throw serializationError(`${m.name} must be a string, not ${Array.isArray(v) ? 'an array' : typeof v}.`);
    if (m.maxLength !== undefined && v.length > m.maxLength) {
      failures.push(`Value '${shown(v)}' at '${wireName(m.name)}' failed to satisfy constraint: Member must have length less than or equal to ${m.maxLength}`);
    }
    values.set(m.name, v);
  }
  if (failures.length > 0) {
    throw validationError(`${failures.length} validation error${failures.length === 1 ? '' : 's'} detected: ${failures.join('; ')}`);
  }
  return values;
}
