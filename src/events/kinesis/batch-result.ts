// What a function's answer means for its batch (pure): done, failed, or done up to the lowest record it reports failed.
import type { InvocationResult } from '../../core/invocation.js';
import type { StoredRecord } from './store.js';

export type BatchOutcome =
  | { kind: 'success' }
  | { kind: 'failure' }
  /** Records before `retryFrom` are done; the rest is retried from the lowest sequence number reported. */
  | { kind: 'partial'; retryFrom: number };

/**
 * A function error fails the batch. With ReportBatchItemFailures, the answer's `batchItemFailures` decide: none, null
 * or an empty list = success; a list whose every itemIdentifier is a sequence number of the batch = partial (from the
 * lowest); an identifier that is empty, not a string or not in the batch, or a list that is not a list = the whole
 * batch failed (Lambda's rules for streams).
 */
export function batchOutcome(result: InvocationResult, batch: readonly StoredRecord[], reportBatchItemFailures: boolean): BatchOutcome {
  if (result.functionError) return { kind: 'failure' };
  if (!reportBatchItemFailures) return { kind: 'success' };
  let answer: unknown;
  try {
    answer = JSON.parse(result.payload);
  } catch {
    return { kind: 'success' };
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return { kind: 'success' };
  const failures = (answer as Record<string, unknown>).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure' };
  if (failures.length === 0) return { kind: 'success' };
  let lowest = Infinity;
  for (const f of failures) {
    const id = typeof f === 'object' && f !== null ? (f as Record<string, unknown>).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { kind: 'failure' };
    const at = batch.findIndex((r) => r.sequenceNumber === id);
    if (at < 0) return { kind: 'failure' };
    lowest = Math.min(lowest, at);
  }
  return { kind: 'partial', retryFrom: lowest };
}
