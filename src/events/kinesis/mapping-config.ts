// What a stream poller needs from an EventSourceMapping's spec, with Lambda's defaults (pure). Fields are read
// defensively: a spec from an older manifest or a hand-made object may lack any of them.
import type { EventSourceMapping } from '../../api/event-source-mapping.js';
import { compileFilterCriteria, type CompiledFilterCriteria } from '../pattern/index.js';

/** Lambda's synchronous payload limit: a batch's event fits in it. */
export const MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024;

export type StartingPosition =
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  | { type: 'AT_TIMESTAMP'; atMs: number };

export interface StreamPollConfig {
  stream: string;
  functionName: string;
  enabled: boolean;
  batchSize: number;
  batchingWindowMs: number;
  startingPosition: StartingPosition;
  parallelizationFactor: number;
  /** -1: until the record expires. */
  maximumRetryAttempts: number;
  /** undefined: no limit but the stream's retention. */
  maximumRecordAgeMs: number | undefined;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  filters: CompiledFilterCriteria;
}

const int = (v: unknown, fallback: number, min: number, max: number): number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback;

function startingPosition(spec: Record<string, unknown>): StartingPosition {
  if (spec.startingPosition === 'LATEST') return { type: 'LATEST' };
  if (spec.startingPosition === 'AT_TIMESTAMP') {
    const at = spec.startingPositionTimestamp;
    const ms = typeof at === 'number' ? at * 1000 : typeof at === 'string' ? Date.parse(at) : NaN;
    if (Number.isFinite(ms)) return { type: 'AT_TIMESTAMP', atMs: ms };
  }
  return { type: 'TRIM_HORIZON' };
}

/** The mapping's settings for a stream source; throws when it has no stream source or a filter does not compile. */
export function streamPollConfig(mapping: EventSourceMapping): StreamPollConfig {
  const spec = mapping.spec as unknown as Record<string, unknown>;
  const source = spec.source as { stream?: unknown } | undefined;
  if (typeof source?.stream !== 'string') throw new RangeError(`EventSourceMapping ${mapping.metadata.name} has no stream source`);
  const criteria = spec.filterCriteria as { filters?: { pattern?: unknown }[] } | undefined;
  const age = int(spec.maximumRecordAgeSeconds, -1, -1, 604_800);
  const types = Array.isArray(spec.functionResponseTypes) ? spec.functionResponseTypes : [];
  return {
    stream: source.stream,
    functionName: String(spec.functionName),
    enabled: spec.enabled !== false,
    batchSize: int(spec.batchSize, 100, 1, 10_000),
    batchingWindowMs: int(spec.maximumBatchingWindowSeconds, 0, 0, 300) * 1000,
    startingPosition: startingPosition(spec),
    parallelizationFactor: int(spec.parallelizationFactor, 1, 1, 10),
    maximumRetryAttempts: int(spec.maximumRetryAttempts, -1, -1, 10_000),
    maximumRecordAgeMs: age === -1 ? undefined : age * 1000,
    bisectBatchOnFunctionError: spec.bisectBatchOnFunctionError === true,
    reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
    filters: compileFilterCriteria({ Filters: (criteria?.filters ?? []).map((f) => ({ Pattern: f?.pattern })) }),
  };
}
