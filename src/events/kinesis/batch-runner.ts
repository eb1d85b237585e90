// Runs one batch of a shard's lane through the function until it is done or discarded: retries (maximumRetryAttempts),
// the record age limit (maximumRecordAgeSeconds, else the retention), bisect on function error, partial batch
// responses; a discarded part goes to the on-failure callback as Lambda's record of it.
import { isAwsError } from '../../core/errors.js';
import type { InvocationResult } from '../../core/invocation.js';
import type { Logger } from '../../core/logger.js';
import type { SyncInvoker } from '../contracts.js';
import { batchOutcome } from './batch-result.js';
import { batchRequestId, kinesisEventRecord, kinesisFailureRecord, type FailureCondition, type KinesisFailureRecord, type RecordContext } from './lambda-records.js';
import type { StreamPollConfig } from './mapping-config.js';
import type { StoredRecord } from './store.js';

export interface BatchRunnerDeps {
  config: StreamPollConfig;
  namespace: string;
  /** namespace/name of the mapping: part of each batch's request id. */
  mappingKey: string;
  functionArn: string;
  record: RecordContext;
  invoker: SyncInvoker;
  /** The stream's retention: the age limit when the mapping sets none. */
  retentionMs: number;
  now(): number;
  /** Delay before the nth retry (1-based). */
  retryDelayMs(attempt: number): number;
  /** Resolves after `ms`, or early when the poller stops. */
  sleep(ms: number): Promise<void>;
  running(): boolean;
  onFailure(record: KinesisFailureRecord): Promise<void>;
  onIteratorAge(ageMs: number): void;
  /** How each invocation ended (and each discard), for metrics. */
  onOutcome(outcome: BatchOutcomeName): void;
  logger: Logger;
}

/** success, failure (a function error or a whole batch reported failed), partial, not-invoked (throttled, not found…), discarded. */
export type BatchOutcomeName = 'success' | 'failure' | 'partial' | 'not-invoked' | 'discarded';

/** One part of the batch still to run, with what its invocations so far have left. */
interface Part { records: StoredRecord[]; invokes: number; failures: number; lastResult?: InvocationResult; lastStatus?: number }

/**
 * Runs `batch`, calling `done` for records processed or discarded, in order. Returns early (without `done` for what is
 * left) when the poller stops: those records are read again by whoever holds the shard next.
 */
export async function runBatch(deps: BatchRunnerDeps, batch: StoredRecord[], done: (records: StoredRecord[]) => void): Promise<void> {
  const maxAgeMs = Math.min(deps.config.maximumRecordAgeMs ?? Infinity, deps.retentionMs);
  const parts: Part[] = [{ records: batch, invokes: 0, failures: 0 }];
  while (parts.length > 0 && deps.running()) {
    const part = parts[0]!;
    const oldest = deps.now() - maxAgeMs;
    const expired = part.records.filter((r) => r.arrival < oldest);
    if (expired.length > 0) {
      await discard(deps, part, expired, 'RecordAgeExceeded');
      done(expired);
      part.records = part.records.filter((r) => r.arrival >= oldest);
      if (part.records.length === 0) parts.shift();
      continue;
    }
    const step = await invokeOnce(deps, part);
    if (step === 'retry') {
      await deps.sleep(deps.retryDelayMs(Math.max(1, part.failures)));
      continue;
    }
    if (step.kind === 'success') {
      done(part.records);
      parts.shift();
      continue;
    }
    if (step.kind === 'partial') {
      done(part.records.slice(0, step.retryFrom));
      part.records = part.records.slice(step.retryFrom);
      part.failures++;
    } else if (deps.config.bisectBatchOnFunctionError && part.records.length > 1) {
      // splitting does not use up the retry quota: each half goes on with the count so far
      const half = Math.ceil(part.records.length / 2);
      parts.splice(0, 1, { ...part, records: part.records.slice(0, half) }, { ...part, records: part.records.slice(half) });
      continue;
    } else {
      part.failures++;
    }
    const max = deps.config.maximumRetryAttempts;
    if (max !== -1 && part.failures > max) {
      await discard(deps, part, part.records, 'RetryAttemptsExhausted');
      done(part.records);
      parts.shift();
      continue;
    }
    await deps.sleep(deps.retryDelayMs(part.failures));
  }
}

/** One invocation of the part: its outcome, or 'retry' when the function could not be run (not a function error). */
async function invokeOnce(deps: BatchRunnerDeps, part: Part): Promise<ReturnType<typeof batchOutcome> | 'retry'> {
  const last = part.records[part.records.length - 1]!;
  deps.onIteratorAge(Math.max(0, deps.now() - last.arrival));
  const payload = JSON.stringify({ Records: part.records.map((r) => kinesisEventRecord(r, deps.record)) });
  const requestId = batchRequestId(deps.mappingKey, deps.record.shardId, part.records);
  try {
    part.invokes++;
    const result = await deps.invoker.invokeSync(deps.namespace, deps.config.functionName, { payload, requestId });
    part.lastResult = result;
    const outcome = batchOutcome(result, part.records, deps.config.reportBatchItemFailures);
    deps.onOutcome(outcome.kind);
    return outcome;
  } catch (err) {
    // throttled, unknown function, no answer: retried until the records expire, not counted as a function error
    part.lastStatus = isAwsError(err) ? err.statusCode : 500;
    deps.onOutcome('not-invoked');
    deps.logger.warn({ msg: 'stream batch not invoked', mapping: deps.mappingKey, shardId: deps.record.shardId, requestId, error: err instanceof Error ? err.message : String(err) });
    return 'retry';
  }
}

async function discard(deps: BatchRunnerDeps, part: Part, records: StoredRecord[], condition: FailureCondition): Promise<void> {
  const requestId = batchRequestId(deps.mappingKey, deps.record.shardId, records);
  deps.onOutcome('discarded');
  deps.logger.warn({ msg: 'stream batch discarded', mapping: deps.mappingKey, shardId: deps.record.shardId, condition, records: records.length, requestId });
  const record = kinesisFailureRecord(records, deps.record, {
    requestId, functionArn: deps.functionArn, condition, invokeCount: part.invokes,
    ...(part.lastResult ? { lastResult: part.lastResult } : {}), ...(part.lastStatus !== undefined ? { lastStatus: part.lastStatus } : {}), now: deps.now(),
  });
  try {
    await deps.onFailure(record);
  } catch (err) {
    deps.logger.error({ msg: 'on-failure record not delivered', mapping: deps.mappingKey, shardId: deps.record.shardId, requestId, error: err instanceof Error ? err.message : String(err) });
  }
}
