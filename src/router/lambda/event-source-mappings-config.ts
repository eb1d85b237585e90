// A stored EventSourceMapping as Lambda's API answers it: EventSourceMappingConfiguration (pure).
import type { EventSourceMappingSpec } from '../../api/event-source-mapping.js';
import { functionArn, type ArnContext } from '../../core/arn.js';
import { destinationArn } from '../../core/destination-arn.js';
import type { StoredMapping } from './event-source-mappings-backend.js';
import { eventSourceArn } from './event-source-mappings-input.js';

/**
 * AWS's states. Get and List answer Enabled or Disabled (spec.enabled): the object is written when the call returns.
 * Create answers Creating, Update Updating (Enabling/Disabling when it turns the mapping on or off), Delete Deleting,
 * as Lambda's calls do; klambda's pollers pick the change up from the object.
 */
export type MappingState = 'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';

/** Lambda's EventSourceMappingConfiguration, with the members a Kinesis or SQS mapping has. */
export interface EventSourceMappingConfiguration {
  UUID: string;
  EventSourceMappingArn: string;
  EventSourceArn: string;
  FunctionArn: string;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  FunctionResponseTypes: string[];
  FilterCriteria?: { Filters: { Pattern: string }[] };
  /** Epoch seconds: the SDKs read this member as a timestamp. */
  LastModified: number;
  State: MappingState;
  StateTransitionReason: 'USER_INITIATED';
  // streams only
  StartingPosition?: string;
  StartingPositionTimestamp?: number;
  ParallelizationFactor?: number;
  MaximumRecordAgeInSeconds?: number;
  MaximumRetryAttempts?: number;
  BisectBatchOnFunctionError?: boolean;
  TumblingWindowInSeconds?: number;
  DestinationConfig?: { OnFailure: { Destination?: string } };
}

/** The ARN Lambda gives a mapping: `arn:aws:lambda:{region}:{account}:event-source-mapping:{uuid}`. */
export const eventSourceMappingArn = (ctx: ArnContext, uuid: string): string => `arn:aws:lambda:${ctx.region}:${ctx.accountId}:event-source-mapping:${uuid}`;

/** The FunctionArn of `name` or `name:qualifier`: qualified when the mapping names a version or alias, as Lambda's is. */
export function mappingFunctionArn(ctx: ArnContext, functionName: string): string {
  const colon = functionName.indexOf(':');
  return colon < 0 ? functionArn(ctx, functionName) : functionArn(ctx, functionName.slice(0, colon), functionName.slice(colon + 1));
}

const epochSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** The stream members: those Lambda answers for a Kinesis mapping, with their values in force. */
function streamMembers(spec: EventSourceMappingSpec, ctx: ArnContext): Partial<EventSourceMappingConfiguration> {
  const onFailure = spec.destinationConfig?.onFailure;
  return {
    ...(spec.startingPosition !== undefined ? { StartingPosition: spec.startingPosition } : {}),
    ...(spec.startingPositionTimestamp !== undefined ? { StartingPositionTimestamp: Date.parse(spec.startingPositionTimestamp) / 1000 } : {}),
    ParallelizationFactor: spec.parallelizationFactor,
    MaximumRecordAgeInSeconds: spec.maximumRecordAgeSeconds,
    MaximumRetryAttempts: spec.maximumRetryAttempts,
    BisectBatchOnFunctionError: spec.bisectBatchOnFunctionError,
    TumblingWindowInSeconds: 0,
    DestinationConfig: { OnFailure: onFailure ? { Destination: destinationArn(ctx, onFailure) } : {} },
  };
}

/** A mapping as Lambda answers it; `state` overrides the one spec.enabled gives (what Create, Update and Delete answer). */
export function mappingConfiguration(ctx: ArnContext, m: StoredMapping, state?: MappingState): EventSourceMappingConfiguration {
  const { spec } = m;
  const filters = spec.filterCriteria?.filters ?? [];
  const onFailure = spec.destinationConfig?.onFailure;
  return {
    UUID: m.uuid,
    EventSourceMappingArn: eventSourceMappingArn(ctx, m.uuid),
    EventSourceArn: eventSourceArn(spec.source, ctx),
    FunctionArn: mappingFunctionArn(ctx, spec.functionName),
    BatchSize: spec.batchSize,
    MaximumBatchingWindowInSeconds: spec.maximumBatchingWindowSeconds,
    FunctionResponseTypes: [...(spec.functionResponseTypes ?? [])],
    ...(filters.length > 0 ? { FilterCriteria: { Filters: filters.map((f) => ({ Pattern: f.pattern })) } } : {}),
    LastModified: epochSeconds(m.lastModified),
    State: state ?? (spec.enabled ? 'Enabled' : 'Disabled'),
    StateTransitionReason: 'USER_INITIATED',
    ...(spec.source.stream !== undefined ? streamMembers(spec, ctx) : {}),
    // a queue's destination is klambda's own (a manifest may set one): shown when set
    ...(spec.source.queue !== undefined && onFailure ? { DestinationConfig: { OnFailure: { Destination: destinationArn(ctx, onFailure) } } } : {}),
  };
}

/** What UpdateEventSourceMapping answers: Enabling/Disabling when it turned the mapping on or off, else Updating. */
export function updateState(before: EventSourceMappingSpec, after: EventSourceMappingSpec): MappingState {
  if (before.enabled !== after.enabled) return after.enabled ? 'Enabling' : 'Disabling';
  return 'Updating';
}
