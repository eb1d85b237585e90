// Reads the bodies of CreateEventSourceMapping and UpdateEventSourceMapping into our spec's terms, with AWS's checks of
// each member on its own (pure); the rules that depend on the source are event-source-mappings-spec.ts's.
import { FUNCTION_RESPONSE_TYPES, MAX_FILTER_PATTERN, MAX_FILTERS, STARTING_POSITIONS } from '../../api/event-source-mapping.js';
import type { EventSource, FilterCriteria, OnFailureDestination } from '../../api/event-source-mapping.js';
import { parseFunctionName, type ArnContext, type FunctionNameRef } from '../../core/arn.js';
import { destinationFromArn } from '../../core/destination-arn.js';
import { invalidParameter, KlambdaError } from '../../core/errors.js';
import { compileFilterCriteria } from '../../events/pattern/index.js';
import { str } from './function-input.js';

/** A value as echoed in an error message: hostile input is not reflected at full length. */
const shown = (value: string): string => (value.length > 256 ? `${value.slice(0, 256)}...` : value);
const validation = (problems: string[]) =>
  new KlambdaError(400, 'ValidationException', `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`);

/** The settings a request gave, in our spec's names; undefined: not given; null: given empty, which removes it. */
export interface MappingSettings {
  enabled?: boolean;
  batchSize?: number;
  maximumBatchingWindowSeconds?: number;
  parallelizationFactor?: number;
  maximumRecordAgeSeconds?: number;
  maximumRetryAttempts?: number;
  bisectBatchOnFunctionError?: boolean;
  functionResponseTypes?: Array<(typeof FUNCTION_RESPONSE_TYPES)[number]> | null;
  filterCriteria?: FilterCriteria | null;
  onFailure?: OnFailureDestination | null;
  tumblingWindowSeconds?: number;
}

/** What Create and Update share: the function (if given), the settings, and which AWS members were given at all. */
export interface MappingRequest {
  function?: FunctionNameRef;
  settings: MappingSettings;
  /** The members given (not null), by AWS's names: a queue refuses those that are for streams. */
  given: Set<string>;
  /** DestinationConfig.OnSuccess was given a destination: no source of ours takes one. */
  onSuccess: boolean;
}

export interface CreateMappingRequest extends MappingRequest {
  function: FunctionNameRef;
  source: EventSource;
  startingPosition?: (typeof STARTING_POSITIONS)[number];
  /** RFC 3339, from the epoch seconds the request carries. */
  startingPositionTimestamp?: string;
}

/** Members of Lambda's API for sources and features klambda does not have: refused when given with a value. */
const UNSUPPORTED = [
  'Topics', 'Queues', 'SourceAccessConfigurations', 'SelfManagedEventSource', 'SelfManagedKafkaEventSourceConfig', 'AmazonManagedKafkaEventSourceConfig',
  'DocumentDBEventSourceConfig', 'KMSKeyArn', 'MetricsConfig', 'LoggingConfig', 'ScalingConfig', 'ProvisionedPollerConfig', 'Tags',
] as const;

const isEmpty = (v: unknown) => v === undefined || v === null || (typeof v === 'object' && Object.keys(v).length === 0);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const lowerFirst = (key: string) => `${key[0]!.toLowerCase()}${key.slice(1)}`;

// integer members: AWS's name, ours, AWS's range
const INTEGERS = [
  ['BatchSize', 'batchSize', 1, 10000],
  ['MaximumBatchingWindowInSeconds', 'maximumBatchingWindowSeconds', 0, 300],
  ['ParallelizationFactor', 'parallelizationFactor', 1, 10],
  ['MaximumRecordAgeInSeconds', 'maximumRecordAgeSeconds', -1, 604800],
  ['MaximumRetryAttempts', 'maximumRetryAttempts', -1, 10000],
  ['TumblingWindowInSeconds', 'tumblingWindowSeconds', 0, 900],
] as const;
const BOOLEANS = [['Enabled', 'enabled'], ['BisectBatchOnFunctionError', 'bisectBatchOnFunctionError']] as const;

/** AWS's wording of a member out of its range. */
function rangeProblem(value: unknown, at: string, min: number, max: number): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) return `Value '${shown(String(value))}' at '${at}' failed to satisfy constraint: Member must be an integer`;
  if (value < min) return `Value '${value}' at '${at}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`;
  if (value > max) return `Value '${value}' at '${at}' failed to satisfy constraint: Member must have value less than or equal to ${max}`;
  return undefined;
}

/** The members Create and Update share, checked one by one; every range problem is reported at once, as AWS does. */
function readShared(body: Record<string, unknown>, ctx: ArnContext, action: string): MappingRequest {
  for (const key of UNSUPPORTED) {
    if (!isEmpty(body[key])) throw invalidParameter(`klambda does not support ${key} on event source mappings: it polls its own Kinesis streams and SQS queues`);
  }
  const given = new Set(Object.keys(body).filter((k) => body[k] !== undefined && body[k] !== null));
  const settings: MappingSettings = {};
  const problems: string[] = [];
  for (const [aws, ours, min, max] of INTEGERS) {
    const v = body[aws];
    if (v === undefined || v === null) continue;
    const p = rangeProblem(v, lowerFirst(aws), min, max);
    if (p) problems.push(p); else settings[ours] = v as number;
  }
  const types = functionResponseTypes(body.FunctionResponseTypes);
  if (typeof types === 'string') problems.push(types); else if (types !== undefined) settings.functionResponseTypes = types;
  if (problems.length > 0) throw validation(problems);
  for (const [aws, ours] of BOOLEANS) {
    const v = body[aws];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') throw invalidParameter(`${aws} must be true or false`);
    settings[ours] = v;
  }
  const filters = filterCriteria(body.FilterCriteria);
  if (filters !== undefined) settings.filterCriteria = filters;
  const destinations = destinationConfig(body.DestinationConfig, ctx);
  if (destinations.onFailure !== undefined) settings.onFailure = destinations.onFailure;
  const request: MappingRequest = { settings, given, onSuccess: destinations.onSuccess };
  const fn = str(body, 'FunctionName');
  if (fn !== undefined) request.function = parseFunctionName(fn, undefined, ctx, action);
  return request;
}

/** FunctionResponseTypes: [] (none) or [ReportBatchItemFailures]; a problem in AWS's words. */
function functionResponseTypes(v: unknown): MappingSettings['functionResponseTypes'] | string {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string')) return "Value at 'functionResponseTypes' failed to satisfy constraint: Member must be a list of strings";
  const allowed: readonly string[] = FUNCTION_RESPONSE_TYPES;
  if (v.length > 1 || v.some((t: string) => !allowed.includes(t))) {
    return `Value '[${shown(v.join(', '))}]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${allowed.join(', ')}]]${v.length > 1 ? ', Member must have length less than or equal to 1' : ''}`;
  }
  return v.length === 0 ? null : (v as MappingSettings['functionResponseTypes']);
}

/**
 * FilterCriteria: up to five patterns, each compiled as Lambda compiles it (a refusal is its InvalidParameterValueException
 * "Invalid filter pattern definition."). `{}` or no filters: null, which removes the criteria.
 */
function filterCriteria(v: unknown): FilterCriteria | null | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw invalidParameter('FilterCriteria must be an object with a Filters list');
  const list = v.Filters;
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list)) throw invalidParameter('FilterCriteria.Filters must be a list of {"Pattern": "…"}');
  if (list.length === 0) return null;
  if (list.length > MAX_FILTERS) throw invalidParameter(`The number of filters (${list.length}) exceeds the limit of ${MAX_FILTERS} filters for an event source mapping.`);
  const filters = list.map((f: unknown, i) => {
    const pattern = isRecord(f) ? f.Pattern : undefined;
    if (typeof pattern === 'string' && pattern.length > MAX_FILTER_PATTERN) {
      throw validation([`Value '${shown(pattern)}' at 'filterCriteria.filters.${i + 1}.member.pattern' failed to satisfy constraint: Member must have length less than or equal to ${MAX_FILTER_PATTERN}`]);
    }
    return { Pattern: pattern };
  });
  compileFilterCriteria({ Filters: filters });
  return { filters: filters.map((f) => ({ pattern: f.Pattern as string })) };
}

/** DestinationConfig: OnFailure's ARN → a function, queue or topic (null: given empty); OnSuccess only noted. */
function destinationConfig(v: unknown, ctx: ArnContext): { onFailure?: OnFailureDestination | null; onSuccess: boolean } {
  if (v === undefined || v === null) return { onSuccess: false };
  if (!isRecord(v)) throw invalidParameter('DestinationConfig must be an object with OnFailure');
  const arnOf = (side: unknown, key: string): string | undefined => {
    if (side === undefined || side === null) return undefined;
    if (!isRecord(side)) throw invalidParameter(`DestinationConfig.${key} must be an object with a Destination ARN`);
    const arn = side.Destination;
    if (arn === undefined || arn === null || arn === '') return undefined;
    if (typeof arn !== 'string') throw invalidParameter(`DestinationConfig.${key}.Destination must be an ARN string`);
    return arn;
  };
  const onSuccess = arnOf(v.OnSuccess, 'OnSuccess') !== undefined;
  if (v.OnFailure === undefined) return { onSuccess };
  const arn = arnOf(v.OnFailure, 'OnFailure');
  if (arn === undefined) return { onFailure: null, onSuccess };
  const d = destinationFromArn(ctx, arn);
  if (d.function !== undefined) return { onFailure: { function: d.function }, onSuccess };
  if (d.queue !== undefined) return { onFailure: { queue: d.queue }, onSuccess };
  if (d.topic !== undefined) return { onFailure: { topic: d.topic }, onSuccess };
  throw invalidParameter(`The destination ARN ${shown(arn)} is invalid: an event source mapping records failed batches to a function, an SQS queue or an SNS topic`);
}

const KINESIS = /^arn:aws[a-zA-Z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})$/;
const SQS = /^arn:aws[a-zA-Z-]*:sqs:([a-z0-9-]+):(\d{12}):([a-zA-Z0-9_-]{1,80})$/;
const ANY_ARN = /^arn:aws[a-zA-Z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:/;

/**
 * The stream or queue an EventSourceArn names: a Kinesis stream or an SQS queue of the caller's region and account.
 * Anything else is refused (InvalidParameterValueException): klambda polls only its own streams and queues.
 */
export function parseEventSourceArn(arn: string, ctx: ArnContext): EventSource {
  const m = KINESIS.exec(arn) ?? SQS.exec(arn);
  if (!m) {
    const service = ANY_ARN.exec(arn)?.[1];
    if (service === 'kinesis') throw invalidParameter(`Unrecognized event source: ${shown(arn)}. klambda reads a Kinesis stream by its ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME), not a stream consumer`);
    if (service === 'sqs') throw invalidParameter(`Unrecognized event source: ${shown(arn)}. A queue name is 1 to 80 letters, digits, - or _ (klambda queues are not FIFO)`);
    throw invalidParameter(`Unrecognized event source, must be a Kinesis stream or an SQS queue: ${shown(arn)}`);
  }
  const [, region, account, name] = m as unknown as [string, string, string, string];
  if (account !== ctx.accountId) throw invalidParameter(`The event source ${shown(arn)} is in account ${account}; klambda reads streams and queues of this account (${ctx.accountId})`);
  if (region !== ctx.region) throw invalidParameter(`The event source ${shown(arn)} is in region '${region}'; klambda reads streams and queues of this region ('${ctx.region}')`);
  return m[0].includes(':kinesis:') ? { stream: name } : { queue: name };
}

/** The ARN of a mapping's source, in the caller's region and account. */
export function eventSourceArn(source: EventSource, ctx: ArnContext): string {
  return source.stream !== undefined
    ? `arn:aws:kinesis:${ctx.region}:${ctx.accountId}:stream/${source.stream}`
    : `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${source.queue ?? ''}`;
}

/** CreateEventSourceMapping's body: EventSourceArn and FunctionName required, the starting position as given. */
export function createMappingRequest(body: Record<string, unknown>, ctx: ArnContext): CreateMappingRequest {
  const arn = str(body, 'EventSourceArn');
  if (arn === undefined || arn === '') throw invalidParameter('Unrecognized event source.');
  const shared = readShared(body, ctx, 'lambda:CreateEventSourceMapping');
  if (!shared.function) throw invalidParameter("1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null");
  const request: CreateMappingRequest = { ...shared, function: shared.function, source: parseEventSourceArn(arn, ctx) };
  const position = str(body, 'StartingPosition');
  if (position !== undefined) {
    const allowed: readonly string[] = STARTING_POSITIONS;
    if (!allowed.includes(position)) {
      // AWS's order of the set, as its validation error lists it
      throw validation([`Value '${shown(position)}' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]`]);
    }
    request.startingPosition = position as CreateMappingRequest['startingPosition'];
  }
  const at = body.StartingPositionTimestamp;
  if (at !== undefined && at !== null) {
    // the SDKs send a timestamp member of a REST-JSON API as epoch seconds
    if (typeof at !== 'number' || !Number.isFinite(at) || Math.abs(at) > 8.64e12) throw invalidParameter('StartingPositionTimestamp must be a time in epoch seconds');
    request.startingPositionTimestamp = new Date(Math.round(at * 1000)).toISOString();
  }
  return request;
}

/** UpdateEventSourceMapping's body: any of the changeable members (FunctionName among them). */
export function updateMappingRequest(body: Record<string, unknown>, ctx: ArnContext): MappingRequest {
  return readShared(body, ctx, 'lambda:UpdateEventSourceMapping');
}
