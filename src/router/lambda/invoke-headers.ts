// The Invoke API's request headers, checked as AWS checks them before anything runs (pure).
import type { IncomingHttpHeaders } from 'node:http';
import { invalidContent, invalidParameter } from '../../core/errors.js';
import type { InvocationType } from '../../core/invocation.js';

/** AWS's limit of X-Amz-Client-Context: "up to 3,583 bytes of base64-encoded data". */
export const CLIENT_CONTEXT_MAX = 3583;

export type LogType = 'None' | 'Tail';

/** A header as one string; Node joins a repeated header with ", ", which then fails the checks below. */
const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);

const shown = (value: string): string => (value.length > 64 ? `${value.slice(0, 64)}...` : value);

export function invocationType(headers: IncomingHttpHeaders): InvocationType | 'DryRun' {
  const raw = one(headers['x-amz-invocation-type']);
  if (raw === undefined || raw === 'RequestResponse') return 'RequestResponse';
  if (raw === 'Event' || raw === 'DryRun') return raw;
  throw invalidParameter(`1 validation error detected: Value '${shown(raw)}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
}

export function logType(headers: IncomingHttpHeaders): LogType {
  const raw = one(headers['x-amz-log-type']);
  if (raw === undefined || raw === 'None') return 'None';
  if (raw === 'Tail') return 'Tail';
  throw invalidParameter(`1 validation error detected: Value '${shown(raw)}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]`);
}

const BASE64 = /^[A-Za-z0-9+/]*$/;

/** Standard base64, padded or not (AWS's decoder accepts both); undefined if it is not. */
function decodeBase64(text: string): Buffer | undefined {
  const body = text.replace(/={1,2}$/, '');
  if (!BASE64.test(body) || body.length % 4 === 1) return undefined;
  if (body.length !== text.length && text.length % 4 !== 0) return undefined;
  return Buffer.from(body, 'base64');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** X-Amz-Client-Context: at most 3,583 bytes, the base64 of a JSON object; returned as sent (base64). */
export function clientContext(headers: IncomingHttpHeaders): string | undefined {
  const raw = one(headers['x-amz-client-context']);
  if (raw === undefined || raw === '') return undefined;
  if (Buffer.byteLength(raw) > CLIENT_CONTEXT_MAX) {
    throw invalidContent(`Client context too large: it must be at most ${CLIENT_CONTEXT_MAX} bytes of base64-encoded data.`);
  }
  const bytes = decodeBase64(raw);
  let value: unknown;
  try {
    value = bytes === undefined ? undefined : JSON.parse(utf8.decode(bytes));
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidContent('Client context must be a valid Base64-encoded JSON object.');
  }
  return raw;
}
