// The EventSourceMapping kind: a stream or queue polled in batches into a function, with retries and partial failures.
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, DNS_1123_LABEL, FUNCTION_REF, kindSchema, QUEUE_NAME, STREAM_NAME, StringEnum, type WithDefaults, type KindObject } from './common.js';
import { exactlyOne, isRecord, type SpecIssue } from './function.js';
import { show } from './validate.js';

export const SOURCE_KINDS = ['stream', 'queue'] as const;
export const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST'] as const;
export const FUNCTION_RESPONSE_TYPES = ['ReportBatchItemFailures'] as const;
export const ON_FAILURE_KINDS = ['function', 'topic', 'queue'] as const;
/** maximumRecordAgeSeconds: -1 (no limit) or this range. */
export const MIN_RECORD_AGE_SECONDS = 60;
export const MAX_RECORD_AGE_SECONDS = 604800;

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

export const EventSourceMappingSpecSchema = Type.Object({
  source: EventSourceSchema,
  functionName: Type.String({ maxLength: 192, pattern: FUNCTION_REF }),
  enabled: Type.Optional(Type.Boolean({ default: true })),
  batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 100 })),
  maximumBatchingWindowSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 300, default: 0 })),
  /** Required for a stream, not allowed for a queue. */
  startingPosition: Type.Optional(StringEnum(STARTING_POSITIONS)),
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
  'enabled' | 'batchSize' | 'maximumBatchingWindowSeconds' | 'maximumRetryAttempts' | 'maximumRecordAgeSeconds' | 'bisectBatchOnFunctionError'>;

export const EventSourceMappingSchema = kindSchema(API_VERSION, 'EventSourceMapping', EventSourceMappingSpecSchema);

export type EventSourceMapping = KindObject<'EventSourceMapping', EventSourceMappingSpec>;

/** Rules beyond the schema: one source, a starting position for streams only, the record age range, one destination. */
export function eventSourceMappingSpecIssues(spec: unknown): SpecIssue[] {
  if (!isRecord(spec)) return [];
  const issues: SpecIssue[] = [];
  const source = isRecord(spec.source) ? spec.source : undefined;
  if (source) issues.push(...exactlyOne(source, SOURCE_KINDS, 'source', 'the source'));
  const isStream = source?.stream !== undefined && source.queue === undefined;
  const isQueue = source?.queue !== undefined && source.stream === undefined;
  if (isStream && spec.startingPosition === undefined) {
    issues.push({ path: 'startingPosition', message: `is required for a stream source (${STARTING_POSITIONS.join(' or ')})` });
  }
  if (isQueue && spec.startingPosition !== undefined) {
    issues.push({ path: 'startingPosition', message: 'is for stream sources; a queue is always read from its oldest message' });
  }
  if (isQueue && spec.bisectBatchOnFunctionError === true) {
    issues.push({ path: 'bisectBatchOnFunctionError', message: 'is for stream sources; a queue batch has no order to bisect' });
  }
  const age = spec.maximumRecordAgeSeconds;
  if (typeof age === 'number' && age !== -1 && age >= 0 && age < MIN_RECORD_AGE_SECONDS) {
    issues.push({ path: 'maximumRecordAgeSeconds', message: `must be -1 (no limit) or ${MIN_RECORD_AGE_SECONDS}..${MAX_RECORD_AGE_SECONDS}, got ${show(age)}` });
  }
  const onFailure = isRecord(spec.destinationConfig) ? spec.destinationConfig.onFailure : undefined;
  if (isRecord(onFailure)) issues.push(...exactlyOne(onFailure, ON_FAILURE_KINDS, 'destinationConfig.onFailure', 'a destination'));
  return issues;
}
