// The event invoke config (Put/Update/Get/Delete/ListFunctionEventInvokeConfig) over `spec.async` (pure): request
// validation, Put's replace, Update's merge, Delete keeping the dead letter, and when an object holds a config.
import type { Destination } from '../api/function.js';
import { functionArn, type ArnContext } from './arn.js';
import { destinationFromArn } from './destination-arn.js';
import { invalidParameter, notFound } from './errors.js';

export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21600;

/** The fields of `spec.async` an event invoke config is made of (`deadLetter` is not one: see README). */
export const EVENT_INVOKE_FIELDS = ['maximumRetryAttempts', 'maximumEventAgeSeconds', 'onSuccess', 'onFailure'] as const;

/** `spec.async` as a manifest writes it: every field optional (the schema's defaults are not filled in). */
export interface WrittenAsync {
  maximumRetryAttempts?: number;
  maximumEventAgeSeconds?: number;
  onSuccess?: Destination;
  onFailure?: Destination;
  deadLetter?: Destination;
}

/** The settings a FunctionEventInvokeConfig shows: the limits as in force (defaults filled in), the destinations set. */
export interface EventInvokeSettings {
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  onSuccess?: Destination;
  onFailure?: Destination;
}

/**
 * A Put or Update request, validated and in our names: a field left undefined was not given; a destination given
 * without a `Destination` (`"OnSuccess": {}`) is null, which removes it.
 */
export interface EventInvokeConfigInput {
  maximumRetryAttempts?: number;
  maximumEventAgeSeconds?: number;
  onSuccess?: Destination | null;
  onFailure?: Destination | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** AWS's wording of a value out of range (its validation errors count the problems found). */
function outOfRange(value: unknown, field: string, min: number, max: number): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return `Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must be an integer`;
  if (value < min) return `Value '${value}' at '${field}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`;
  if (value > max) return `Value '${value}' at '${field}' failed to satisfy constraint: Member must have value less than or equal to ${max}`;
  return undefined;
}

function destinationIn(config: Record<string, unknown>, key: 'OnSuccess' | 'OnFailure', ctx: ArnContext, functionName: string): Destination | null | undefined {
  const side = config[key];
  if (side === undefined) return undefined;
  if (side === null) return null;
  if (!isRecord(side)) throw invalidParameter(`DestinationConfig.${key} must be an object with a Destination ARN`);
  const arn = side.Destination;
  if (arn === undefined || arn === null || arn === '') return null;
  if (typeof arn !== 'string') throw invalidParameter(`DestinationConfig.${key}.Destination must be an ARN string`);
  const d = destinationFromArn(ctx, arn);
  if (d.function !== undefined && d.function.split(':')[0] === functionName) throw invalidParameter("You can't specify the function as a destination for itself.");
  return d;
}

/**
 * The body of PutFunctionEventInvokeConfig / UpdateFunctionEventInvokeConfig, checked as AWS checks it: the limits
 * in range, destinations this account's and region's (see destination-arn.ts), not the function itself, and at
 * least one setting given. Throws 400 InvalidParameterValueException.
 */
export function parseEventInvokeConfigInput(body: Record<string, unknown>, ctx: ArnContext, functionName: string): EventInvokeConfigInput {
  const input: EventInvokeConfigInput = {};
  const problems: string[] = [];
  const retries = body.MaximumRetryAttempts;
  if (retries !== undefined && retries !== null) {
    const p = outOfRange(retries, 'maximumRetryAttempts', 0, 2);
    if (p) problems.push(p); else input.maximumRetryAttempts = retries as number;
  }
  const age = body.MaximumEventAgeInSeconds;
  if (age !== undefined && age !== null) {
    const p = outOfRange(age, 'maximumEventAgeInSeconds', 60, 21600);
    if (p) problems.push(p); else input.maximumEventAgeSeconds = age as number;
  }
  if (problems.length > 0) throw invalidParameter(`${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`);
  const config = body.DestinationConfig;
  let destinations = false;
  if (config !== undefined && config !== null) {
    if (!isRecord(config)) throw invalidParameter('DestinationConfig must be an object with OnSuccess and/or OnFailure');
    destinations = true;
    const onSuccess = destinationIn(config, 'OnSuccess', ctx, functionName);
    const onFailure = destinationIn(config, 'OnFailure', ctx, functionName);
    if (onSuccess !== undefined) input.onSuccess = onSuccess;
    if (onFailure !== undefined) input.onFailure = onFailure;
  }
  if (!destinations && input.maximumRetryAttempts === undefined && input.maximumEventAgeSeconds === undefined) {
    throw invalidParameter('You must specify at least one of error handling or destination setting.');
  }
  return input;
}

/** True when a `spec.async` as written holds an event invoke config: any field but the dead letter. */
export function hasEventInvokeConfig(written: unknown): boolean {
  return isRecord(written) && EVENT_INVOKE_FIELDS.some((k) => written[k] !== undefined);
}

/**
 * True when an async config whose defaults were filled in (a FunctionVersion's snapshot; a Function as the API
 * server defaults it) says more than the defaults: a destination, or a limit other than AWS's.
 */
export function differsFromDefaults(async: EventInvokeSettings): boolean {
  return async.onSuccess !== undefined || async.onFailure !== undefined
    || async.maximumRetryAttempts !== DEFAULT_MAXIMUM_RETRY_ATTEMPTS || async.maximumEventAgeSeconds !== DEFAULT_MAXIMUM_EVENT_AGE_SECONDS;
}

/** The dead letter of `current`, which Put and Delete keep (it is the function configuration's DeadLetterConfig). */
function deadLetterOf(current: WrittenAsync | undefined): WrittenAsync {
  return current?.deadLetter !== undefined ? { deadLetter: current.deadLetter } : {};
}

/**
 * Put: the whole config replaced. The limits not given are written as AWS's defaults (so the manifest says what is in
 * force), the destinations not given are removed, the dead letter stays.
 */
export function putAsync(current: WrittenAsync | undefined, input: EventInvokeConfigInput): WrittenAsync {
  const out: WrittenAsync = {
    maximumRetryAttempts: input.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    maximumEventAgeSeconds: input.maximumEventAgeSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  };
  if (input.onSuccess) out.onSuccess = input.onSuccess;
  if (input.onFailure) out.onFailure = input.onFailure;
  return { ...out, ...deadLetterOf(current) };
}

/** Update: `current` with only the settings given changed; a destination given empty is removed, one not given stays. */
export function updateAsync(current: WrittenAsync | undefined, input: EventInvokeConfigInput): WrittenAsync {
  const out: WrittenAsync = { ...current };
  if (input.maximumRetryAttempts !== undefined) out.maximumRetryAttempts = input.maximumRetryAttempts;
  if (input.maximumEventAgeSeconds !== undefined) out.maximumEventAgeSeconds = input.maximumEventAgeSeconds;
  for (const side of ['onSuccess', 'onFailure'] as const) {
    const d = input[side];
    if (d === null) delete out[side];
    else if (d !== undefined) out[side] = d;
  }
  return out;
}

/** Delete: nothing but the dead letter left; undefined when there is none (the `async` field goes). */
export function deleteAsync(current: WrittenAsync | undefined): WrittenAsync | undefined {
  const left = deadLetterOf(current);
  return left.deadLetter !== undefined ? left : undefined;
}

/** The limits in force for a written config (AWS's defaults where it says nothing), and its destinations. */
export function settingsOf(async: WrittenAsync | undefined): EventInvokeSettings {
  const out: EventInvokeSettings = {
    maximumRetryAttempts: async?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    maximumEventAgeSeconds: async?.maximumEventAgeSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  };
  if (async?.onSuccess) out.onSuccess = async.onSuccess;
  if (async?.onFailure) out.onFailure = async.onFailure;
  return out;
}

/** How a qualifier names the config: `$LATEST` (or none), a published version's, or an alias's. */
export type EventInvokeQualifier = { kind: 'latest' } | { kind: 'version'; version: string } | { kind: 'alias'; alias: string };

export function classifyQualifier(qualifier: string | undefined): EventInvokeQualifier {
  if (qualifier === undefined || qualifier === '$LATEST') return { kind: 'latest' };
  if (/^\d+$/.test(qualifier)) return { kind: 'version', version: qualifier };
  return { kind: 'alias', alias: qualifier };
}

/** The qualifier a FunctionArn of this API carries: `$LATEST` when none was given, as AWS answers. */
export const qualifierOf = (q: EventInvokeQualifier): string => (q.kind === 'latest' ? '$LATEST' : q.kind === 'version' ? q.version : q.alias);

/** AWS's 404 for Get/Update/Delete of a function, version or alias that has no config. */
export function noEventInvokeConfig(ctx: ArnContext, name: string, q: EventInvokeQualifier) {
  return notFound(`The function ${functionArn(ctx, name, qualifierOf(q))} doesn't have an EventInvokeConfig`);
}

/** Put/Update/Delete on a published version: klambda's versions are immutable snapshots. */
export function versionConfigIsFixed(name: string, version: string) {
  return invalidParameter(
    `Version ${version} of ${name} is a published version: an immutable snapshot whose event invoke config was fixed when it was published. ` +
    'Configure an alias that points at it (Qualifier=ALIAS) or $LATEST (no Qualifier) instead.',
  );
}
