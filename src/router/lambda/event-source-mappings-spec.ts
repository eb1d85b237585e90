// From a checked Create/Update request to the EventSourceMapping spec written (pure): AWS's rules that depend on the
// source (stream or queue), its per-source defaults, the patch an update makes, and one mapping per function and source.
import type { EventSource, EventSourceMappingSpec } from '../../api/event-source-mapping.js';
import { MIN_RECORD_AGE_SECONDS, MAX_RECORD_AGE_SECONDS } from '../../api/event-source-mapping.js';
import type { ArnContext, FunctionNameRef } from '../../core/arn.js';
import { conflict, invalidParameter } from '../../core/errors.js';
import type { SpecPatch, StoredMapping } from './event-source-mappings-backend.js';
import { eventSourceArn, type CreateMappingRequest, type MappingRequest, type MappingSettings } from './event-source-mappings-input.js';

/** Lambda's default batch sizes: 10 records from a queue, 100 from a stream. */
export const DEFAULT_QUEUE_BATCH_SIZE = 10;
export const DEFAULT_STREAM_BATCH_SIZE = 100;
/** An SQS batch over this many records needs a batching window (AWS's rule). */
const QUEUE_BATCH_WITHOUT_WINDOW = 10;

/** Members of the API that only streams take; a queue mapping given one is refused in AWS's words. */
const STREAM_ONLY = ['ParallelizationFactor', 'MaximumRecordAgeInSeconds', 'MaximumRetryAttempts', 'BisectBatchOnFunctionError', 'TumblingWindowInSeconds'];

const isQueue = (source: EventSource) => source.queue !== undefined;

/** `name` or `name:qualifier`, as spec.functionName holds a function. */
export const functionRef = (f: FunctionNameRef): string => (f.qualifier === undefined ? f.name : `${f.name}:${f.qualifier}`);

/** The rules of a request that depend on the source, as AWS words them. */
function checkForSource(source: EventSource, request: MappingRequest): void {
  const { given, settings } = request;
  if (request.onSuccess || (isQueue(source) && settings.onFailure)) {
    throw invalidParameter('Unsupported DestinationConfig parameter for given event source mapping type.');
  }
  if (isQueue(source)) {
    if (given.has('StartingPosition')) throw invalidParameter('StartingPosition is not valid for SQS event sources.');
    for (const key of [...STREAM_ONLY, 'StartingPositionTimestamp']) {
      if (given.has(key)) throw invalidParameter(`Unsupported '${key[0]!.toLowerCase()}${key.slice(1)}' parameter for given event source mapping type.`);
    }
  }
  if (settings.tumblingWindowSeconds !== undefined && settings.tumblingWindowSeconds > 0) {
    throw invalidParameter('klambda does not support tumbling windows (TumblingWindowInSeconds) on event source mappings');
  }
  const age = settings.maximumRecordAgeSeconds;
  if (age !== undefined && age !== -1 && age < MIN_RECORD_AGE_SECONDS) {
    throw invalidParameter(`MaximumRecordAgeInSeconds must be -1 (infinite) or between ${MIN_RECORD_AGE_SECONDS} and ${MAX_RECORD_AGE_SECONDS}, got ${age}`);
  }
}

/** AWS's rule on a queue's batch: more than 10 records only with a batching window. */
function checkQueueBatch(source: EventSource, batchSize: number, windowSeconds: number): void {
  if (isQueue(source) && batchSize > QUEUE_BATCH_WITHOUT_WINDOW && windowSeconds === 0) {
    throw invalidParameter('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
  }
}

/** The spec fields the settings set; a setting given empty is undefined (removed). */
function settingFields(s: MappingSettings): SpecPatch {
  const out: SpecPatch = {};
  const copy = ['enabled', 'batchSize', 'maximumBatchingWindowSeconds', 'parallelizationFactor', 'maximumRecordAgeSeconds', 'maximumRetryAttempts', 'bisectBatchOnFunctionError'] as const;
  for (const key of copy) if (s[key] !== undefined) out[key] = s[key];
  if (s.functionResponseTypes !== undefined) out.functionResponseTypes = s.functionResponseTypes ?? undefined;
  if (s.filterCriteria !== undefined) out.filterCriteria = s.filterCriteria ?? undefined;
  if (s.onFailure !== undefined) out.destinationConfig = s.onFailure ? { onFailure: s.onFailure } : undefined;
  return out;
}

/**
 * The spec a CreateEventSourceMapping writes: the source, the function, the batch size (AWS's default for the source
 * when not given: a queue's differs from the schema's), the starting position, and only the other settings given.
 */
export function createSpec(request: CreateMappingRequest): Record<string, unknown> {
  const { source } = request;
  checkForSource(source, request);
  if (!isQueue(source)) {
    if (request.startingPosition === undefined) {
      throw invalidParameter("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
    }
    if (request.startingPosition === 'AT_TIMESTAMP' && request.startingPositionTimestamp === undefined) throw invalidParameter('Need to specify a timestamp');
    if (request.startingPosition !== 'AT_TIMESTAMP' && request.startingPositionTimestamp !== undefined) {
      throw invalidParameter('StartingPositionTimestamp is only valid with StartingPosition AT_TIMESTAMP');
    }
  }
  const batchSize = request.settings.batchSize ?? (isQueue(source) ? DEFAULT_QUEUE_BATCH_SIZE : DEFAULT_STREAM_BATCH_SIZE);
  checkQueueBatch(source, batchSize, request.settings.maximumBatchingWindowSeconds ?? 0);
  const fields = Object.entries(settingFields(request.settings)).filter(([, v]) => v !== undefined);
  return {
    source, functionName: functionRef(request.function), batchSize,
    ...(request.startingPosition !== undefined ? { startingPosition: request.startingPosition } : {}),
    ...(request.startingPositionTimestamp !== undefined ? { startingPositionTimestamp: request.startingPositionTimestamp } : {}),
    ...Object.fromEntries(fields),
  };
}

/** The patch an UpdateEventSourceMapping makes of `current`: the members given, checked against its source. */
export function updatePatch(current: EventSourceMappingSpec, request: MappingRequest): SpecPatch {
  checkForSource(current.source, request);
  const patch = settingFields(request.settings);
  if (request.function) patch.functionName = functionRef(request.function);
  const batchSize = (patch.batchSize as number | undefined) ?? current.batchSize;
  const window = (patch.maximumBatchingWindowSeconds as number | undefined) ?? current.maximumBatchingWindowSeconds;
  checkQueueBatch(current.source, batchSize, window);
  return patch;
}

/**
 * Refuses a second mapping of one function (same name and qualifier) and one source, as Lambda does (409
 * ResourceConflictException, its words for a queue and for a stream).
 */
export function checkNoDuplicate(others: StoredMapping[], functionName: string, source: EventSource, ctx: ArnContext): void {
  const same = others.find((m) => m.spec.functionName === functionName && m.spec.source.stream === source.stream && m.spec.source.queue === source.queue);
  if (!same) return;
  const arn = eventSourceArn(source, ctx);
  if (isQueue(source)) {
    throw conflict(`An event source mapping with SQS arn (" ${arn} ") and function (" ${functionName} ") already exists. Please update or delete the existing mapping with UUID ${same.uuid}`);
  }
  throw conflict(`The event source arn (" ${arn} ") and function (" ${functionName} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${same.uuid}`);
}
