// The EventSourceMapping kind: a stream or queue polled in batches into a function, with retries and partial failures.
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, DNS_1123_LABEL, FUNCTION_REF, hintedPattern, kindSchema, QUEUE_NAME, STREAM_NAME, StringEnum, type WithDefaults, type KindObject } from './common.js';
import { exactlyOne, isRecord, type SpecIssue } from './function.js';
import { show } from './validate.js';
import { compileFilterCriteria, PatternError } from '../events/pattern/index.js';

export const SOURCE_KINDS = ['stream', 'queue'] as const;
export const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;
export const FUNCTION_RESPONSE_TYPES = ['ReportBatchItemFailures'] as const;
export const ON_FAILURE_KINDS = ['function', 'topic', 'queue'] as const;
/** maximumRecordAgeSeconds: -1 (no limit) or this range. */
export const MIN_RECORD_AGE_SECONDS = 60;
export const MAX_RECORD_AGE_SECONDS = 604800;
/** Lambda's quota of filters per event source mapping. */
export const MAX_FILTERS = 5;
/** A filter pattern's length limit (Lambda's Pattern member: 0..4096). */
export const MAX_FILTER_PATTERN = 4096;
/** Batches read from one shard at once (Lambda's ParallelizationFactor). */
export const MAX_PARALLELIZATION_FACTOR = 10;
/** An RFC 3339 time with its offset (`2026-12-07T21:00:00Z`, `…+01:00`), as startingPositionTimestamp takes it. */
export const RFC_3339 = hintedPattern(
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$',
  'must be an RFC 3339 time with its offset (e.g. 2026-12-07T21:00:00Z)',
);

/** What is polled: exactly one of stream or queue (checked in code and by the CRD). */
export const EventSourceSchema = Type.Object({
  stream: Type.Optional(Type.String({ pattern: STREAM_NAME })),
  queue: Type.Optional(Type.String({ pattern: QUEUE_NAME })),
}, { additionalProperties: false });
export type EventSource = Static<typeof EventSourceSchema>;

/** Where a batch that could not be processed is recorded: exactly one of function, topic, queue. */
export const OnFailureDestinationSchema = Type.Object({
  function: Type.Optional(Type.String({ maxLength: 192, pattern: FUNCTION_REF })),
  topic: Type.Optional(Type.String({ maxLength: 63, pattern: DNS_1123_LABEL })),
  queue: Type.Optional(Type.String({ pattern: QUEUE_NAME })),
}, { additionalProperties: false });
export type OnFailureDestination = Static<typeof OnFailureDestinationSchema>;

/** Which records reach the function: those matching any filter (an event pattern as a JSON string); none filters nothing. */
export const FilterCriteriaSchema = Type.Object({
  filters: Type.Array(Type.Object({
    pattern: Type.String({ minLength: 1, maxLength: MAX_FILTER_PATTERN }),
  }, { additionalProperties: false }), { maxItems: MAX_FILTERS }),
}, { additionalProperties: false });
export type FilterCriteria = Static<typeof FilterCriteriaSchema>;

export const EventSourceMappingSpecSchema = Type.Object({
  source: EventSourceSchema,
  functionName: Type.String({ maxLength: 192, pattern: FUNCTION_REF }),
  enabled: Type.Optional(Type.Boolean({ default: true })),
  batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 100 })),
  maximumBatchingWindowSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 300, default: 0 })),
  /** Required for a stream, not allowed for a queue. */
  startingPosition: Type.Optional(StringEnum(STARTING_POSITIONS)),
  /** Where AT_TIMESTAMP starts (RFC 3339); required with AT_TIMESTAMP, not allowed without it. */
  startingPositionTimestamp: Type.Optional(Type.String({ pattern: RFC_3339 })),
  /** Streams only: batches of one shard processed at once (records of one partition key stay in order). */
  parallelizationFactor: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PARALLELIZATION_FACTOR, default: 1 })),
  filterCriteria: Type.Optional(FilterCriteriaSchema),
  /** -1: retry until the record expires. */
  maximumRetryAttempts: Type.Optional(Type.Integer({ minimum: -1, maximum: 10000, default: -1 })),
  /** -1 (no limit) or 60..604800. */
  maximumRecordAgeSeconds: Type.Optional(Type.Integer({ minimum: -1, maximum: MAX_RECORD_AGE_SECONDS, default: -1 })),
  /** Streams only: split a failing batch in two and retry each half. */
  bisectBatchOnFunctionError: Type.Optional(Type.Boolean({ default: false })),
  functionResponseTypes: Type.Optional(Type.Array(StringEnum(FUNCTION_RESPONSE_TYPES), { maxItems: 1 })),
  destinationConfig: Type.Optional(Type.Object({
    onFailure: Type.Optional(OnFailureDestinationSchema),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export type EventSourceMappingSpecInput = Static<typeof EventSourceMappingSpecSchema>;
export type EventSourceMappingSpec = WithDefaults<EventSourceMappingSpecInput,
  'enabled' | 'batchSize' | 'maximumBatchingWindowSeconds' | 'maximumRetryAttempts' | 'maximumRecordAgeSeconds' | 'bisectBatchOnFunctionError'
  | 'parallelizationFactor'>;

export const EventSourceMappingSchema = kindSchema(API_VERSION, 'EventSourceMapping', EventSourceMappingSpecSchema);

export type EventSourceMapping = KindObject<'EventSourceMapping', EventSourceMappingSpec>;

/**
 * Rules beyond the schema: one source, a starting position for streams only (its timestamp with AT_TIMESTAMP only),
 * stream-only settings, the record age range, filter patterns Lambda compiles, one destination.
 */
export function eventSourceMappingSpecIssues(spec: unknown): SpecIssue[] {
  if (!isRecord(spec)) return [];
  const issues: SpecIssue[] = [];
  const source = isRecord(spec.source) ? spec.source : undefined;
  if (source) issues.push(...exactlyOne(source, SOURCE_KINDS, 'source', 'the source'));
  const isStream = source?.stream !== undefined && source.queue === undefined;
  const isQueue = source?.queue !== undefined && source.stream === undefined;
  if (isStream && spec.startingPosition === undefined) {
    issues.push({ path: 'startingPosition', message: 'is required for a stream source (TRIM_HORIZON, LATEST or AT_TIMESTAMP)' });
  }
  if (isQueue && spec.startingPosition !== undefined) {
    issues.push({ path: 'startingPosition', message: 'is for stream sources; a queue is always read from its oldest message' });
  }
  if (isQueue && spec.bisectBatchOnFunctionError === true) {
    issues.push({ path: 'bisectBatchOnFunctionError', message: 'is for stream sources; a queue batch has no order to bisect' });
  }
  // the schema fills the default 1 in for a queue too: only a real setting is refused
  if (isQueue && typeof spec.parallelizationFactor === 'number' && spec.parallelizationFactor !== 1) {
    issues.push({ path: 'parallelizationFactor', message: 'is for stream sources; a queue has no shards to read in parallel' });
  }
  issues.push(...timestampIssues(spec));
  const filters = isRecord(spec.filterCriteria) && Array.isArray(spec.filterCriteria.filters) ? spec.filterCriteria.filters : [];
  filters.forEach((f: unknown, i) => {
    if (!isRecord(f) || typeof f.pattern !== 'string' || f.pattern === '') return; // the schema reports it
    const problem = filterProblem(f.pattern);
    if (problem) issues.push({ path: `filterCriteria.filters[${i}].pattern`, message: problem });
  });
  const age = spec.maximumRecordAgeSeconds;
  if (typeof age === 'number' && age !== -1 && age >= 0 && age < MIN_RECORD_AGE_SECONDS) {
    issues.push({ path: 'maximumRecordAgeSeconds', message: `must be -1 (no limit) or ${MIN_RECORD_AGE_SECONDS}..${MAX_RECORD_AGE_SECONDS}, got ${show(age)}` });
  }
  const onFailure = isRecord(spec.destinationConfig) ? spec.destinationConfig.onFailure : undefined;
  if (isRecord(onFailure)) issues.push(...exactlyOne(onFailure, ON_FAILURE_KINDS, 'destinationConfig.onFailure', 'a destination'));
  return issues;
}

/** startingPositionTimestamp: required with AT_TIMESTAMP, refused without it, a real time. */
function timestampIssues(spec: Record<string, unknown>): SpecIssue[] {
  const at = spec.startingPositionTimestamp;
  if (spec.startingPosition === 'AT_TIMESTAMP' && at === undefined) {
    return [{ path: 'startingPositionTimestamp', message: 'is required with startingPosition AT_TIMESTAMP (an RFC 3339 time)' }];
  }
  if (spec.startingPosition !== 'AT_TIMESTAMP' && at !== undefined) {
    return [{ path: 'startingPositionTimestamp', message: `is only for startingPosition AT_TIMESTAMP, got startingPosition ${show(spec.startingPosition)}` }];
  }
  // the pattern passes 2026-13-45T…: the date itself must exist
  if (typeof at === 'string' && new RegExp(RFC_3339).test(at) && !isRealTime(at)) {
    return [{ path: 'startingPositionTimestamp', message: `is not a real time, got ${show(at)}` }];
  }
  return [];
}

/** Whether an RFC 3339 text names a time that exists (Date.parse rolls 02-30 over into March; this does not). */
function isRealTime(text: string): boolean {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return false;
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return m >= 1 && m <= 12 && d >= 1 && d <= days;
}

/** Why Lambda would refuse a filter pattern (the engine's reason), or undefined. */
function filterProblem(pattern: string): string | undefined {
  try {
    compileFilterCriteria({ Filters: [{ Pattern: pattern }] });
    return undefined;
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    // Lambda says only "Invalid filter pattern definition."; the engine's reason says what to fix. One issue, one line.
    return `${err.message} ${err.reason}`.replace(/\s*[\r\n]+\s*/g, ' ');
  }
}
