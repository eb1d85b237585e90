// What the Lambda API routes read from a request: the JSON body, the function name (and qualifier) in the path, query values.
import type { Request } from 'express';
import type { IncomingMessage } from 'node:http';
import { parseFunctionName, type ArnContext, type FunctionNameRef } from '../../core/arn.js';
import { invalidContent, invalidParameter } from '../../core/errors.js';
import { readBody } from '../body.js';
import { stashedJson } from '../body-stash.js';

const BODY_LIMIT = 256 * 1024;

export async function jsonBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<Record<string, unknown>> {
  const raw = await readBody(req, limit);
  if (raw.length === 0) return {};
  const parsed = stashedJson(req);
  if (parsed) return parsed;
  let value: unknown;
  try { value = JSON.parse(raw.toString('utf8')); } catch { throw invalidContent('Could not parse request body into json'); }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidContent('The request body must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * The function name in the path, as a caller of the catalog's region and account names it (`action` is the IAM
 * action, for the refusal of another account's ARN); it may carry a qualifier only where AWS allows one.
 */
export function fnName(req: Request, arn: ArnContext, action: string, allowQualifier = false): FunctionNameRef {
  const raw = req.query.Qualifier;
  if (raw !== undefined && typeof raw !== 'string') throw invalidParameter('The Qualifier parameter must be given at most once.');
  const ref = parseFunctionName(String(req.params.name), raw, arn, action);
  if (!allowQualifier && ref.qualifier !== undefined) throw invalidParameter('This operation does not take a qualifier');
  return ref;
}

export const query = (req: Request, key: string): string | undefined => (typeof req.query[key] === 'string' ? req.query[key] : undefined);
