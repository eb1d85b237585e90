// The poller's pure parts: what an answer means for a batch, where the checkpoint may go, lanes, the mapping's settings
// and the records Lambda hands out.
import { describe, expect, it } from '@jest/globals';
import type { EventSourceMapping } from '../../src/api/event-source-mapping.js';
import type { InvocationResult } from '../../src/core/invocation.js';
import { batchOutcome } from '../../src/events/kinesis/batch-result.js';
import { batchRequestId, eventRecordBytes, kinesisEventRecord, kinesisFailureRecord } from '../../src/events/kinesis/lambda-records.js';
import { streamPollConfig } from '../../src/events/kinesis/mapping-config.js';
import { laneOf, ShardProgress } from '../../src/events/kinesis/progress.js';
import { toSequenceNumber } from '../../src/events/kinesis/sequence-numbers.js';
import type { StoredRecord } from '../../src/events/kinesis/store.js';

const rec = (n: number, key = 'k'): StoredRecord => {
  const id = `1700000000${String(n).padStart(3, '0')}-0`;
  return { id, sequenceNumber: toSequenceNumber(0, id), partitionKey: key, data: Buffer.from(`d${n}`), arrival: 1_700_000_000_000 + n };
};
const batch = [rec(1), rec(2), rec(3), rec(4)];
const answer = (payload: unknown, functionError?: 'Unhandled'): InvocationResult => ({
  requestId: 'r', executedVersion: '$LATEST', durationMs: 1, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), ...(functionError ? { functionError } : {}),
});
const failures = (...ids: unknown[]) => ({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) });

describe('batchOutcome (Lambda\'s rules for stream batches)', () => {
  it('fails the batch on a function error, whatever the answer says', () => {
    expect(batchOutcome(answer({ batchItemFailures: [] }, 'Unhandled'), batch, true)).toEqual({ kind: 'failure' });
  });

  it('ignores the answer without ReportBatchItemFailures', () => {
    expect(batchOutcome(answer(failures(batch[1]!.sequenceNumber)), batch, false)).toEqual({ kind: 'success' });
  });

  it('takes no list, null or an empty list as success', () => {
    for (const p of [null, {}, { batchItemFailures: null }, { batchItemFailures: [] }, 'not json', 'null', [1]]) {
      expect(batchOutcome(answer(p), batch, true)).toEqual({ kind: 'success' });
    }
  });

  it('retries from the lowest sequence number reported, in any order', () => {
    expect(batchOutcome(answer(failures(batch[3]!.sequenceNumber, batch[1]!.sequenceNumber)), batch, true)).toEqual({ kind: 'partial', retryFrom: 1 });
    expect(batchOutcome(answer(failures(batch[0]!.sequenceNumber)), batch, true)).toEqual({ kind: 'partial', retryFrom: 0 });
  });

  it('fails the whole batch for an empty, null, non-string or unknown identifier, or a list that is not one', () => {
    for (const p of [failures(''), failures(null), failures(7), failures('123'), { batchItemFailures: [{ id: batch[0]!.sequenceNumber }] }, { batchItemFailures: 'x' }]) {
      expect(batchOutcome(answer(p), batch, true)).toEqual({ kind: 'failure' });
    }
  });
});

describe('ShardProgress', () => {
  it('moves the checkpoint only over a front run of done records', () => {
    const p = new ShardProgress();
    for (const r of batch) p.add(r.id);
    p.markDone([batch[1]!.id, batch[2]!.id]);
    expect(p.advance()).toBeUndefined();
    p.markDone([batch[0]!.id]);
    expect(p.advance()).toBe(batch[2]!.id);
    expect(p.outstanding).toBe(1);
    expect(p.advance()).toBeUndefined();
    p.markDone([batch[3]!.id]);
    expect(p.advance()).toBe(batch[3]!.id);
    expect(p.outstanding).toBe(0);
  });

  it('never passes a record still out, whatever order records finish in (generated orders)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const ids = Array.from({ length: 1 + Math.floor(random() * 40) }, (_, i) => `${i + 1}-0`);
      const p = new ShardProgress();
      ids.forEach((id) => p.add(id));
      const order = [...ids].sort(() => random() - 0.5);
      const finished = new Set<string>();
      let checkpoint = 0;
      for (const id of order) {
        finished.add(id);
        p.markDone([id]);
        const upTo = p.advance();
        if (upTo !== undefined) checkpoint = Number(upTo.split('-')[0]);
        for (let i = 1; i <= checkpoint; i++) expect(finished.has(`${i}-0`)).toBe(true);
      }
      expect(checkpoint).toBe(ids.length);
      expect(p.outstanding).toBe(0);
    }
  });
});

describe('laneOf', () => {
  it('puts one partition key always in the same lane, and spreads keys over the lanes', () => {
    const lanes = new Set(Array.from({ length: 100 }, (_, i) => laneOf(`key-${i}`, 4)));
    expect(lanes).toEqual(new Set([0, 1, 2, 3]));
    expect(laneOf('key-7', 4)).toBe(laneOf('key-7', 4));
    expect(laneOf('anything', 1)).toBe(0);
  });
});

describe('streamPollConfig', () => {
  const mapping = (spec: Record<string, unknown>): EventSourceMapping =>
    ({ apiVersion: 'klambda.dev/v1alpha1', kind: 'EventSourceMapping', metadata: { name: 'm', namespace: 'default' }, spec: { source: { stream: 's' }, functionName: 'f', ...spec } }) as unknown as EventSourceMapping;

  it('has Lambda\'s defaults for what a spec leaves out', () => {
    const c = streamPollConfig(mapping({}));
    expect([c.batchSize, c.batchingWindowMs, c.parallelizationFactor, c.maximumRetryAttempts, c.maximumRecordAgeMs, c.bisectBatchOnFunctionError, c.reportBatchItemFailures, c.startingPosition, c.enabled])
      .toEqual([100, 0, 1, -1, undefined, false, false, { type: 'TRIM_HORIZON' }, true]);
  });

  it('reads AT_TIMESTAMP, the factor, the filters and the response types', () => {
    const c = streamPollConfig(mapping({
      startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-07T21:00:00Z', parallelizationFactor: 3,
      filterCriteria: { filters: [{ pattern: '{"data":{"a":[1]}}' }] }, functionResponseTypes: ['ReportBatchItemFailures'], maximumRecordAgeSeconds: 60,
    }));
    expect(c.startingPosition).toEqual({ type: 'AT_TIMESTAMP', atMs: Date.parse('2026-12-07T21:00:00Z') });
    expect([c.parallelizationFactor, c.filters.patterns.length, c.reportBatchItemFailures, c.maximumRecordAgeMs]).toEqual([3, 1, true, 60_000]);
  });

  it('refuses a mapping without a stream and a filter that does not compile', () => {
    expect(() => streamPollConfig(mapping({ source: { queue: 'q' } }))).toThrow(/no stream source/);
    expect(() => streamPollConfig(mapping({ filterCriteria: { filters: [{ pattern: '{"a": 1}' }] } }))).toThrow();
  });
});

describe('records', () => {
  const ctx = { shardId: 'shardId-000000000000', streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s', region: 'us-east-1', invokeIdentityArn: 'arn:aws:iam::000000000000:role/r' };

  it('sizes a record as its JSON in the event', () => {
    const r = rec(1);
    expect(eventRecordBytes(r, ctx)).toBe(Buffer.byteLength(JSON.stringify(kinesisEventRecord(r, ctx))) + 1);
  });

  it('keeps a batch\'s request id across its retries, and gives another batch another', () => {
    expect(batchRequestId('ns/m', ctx.shardId, batch)).toBe(batchRequestId('ns/m', ctx.shardId, [...batch]));
    expect(batchRequestId('ns/m', ctx.shardId, batch)).not.toBe(batchRequestId('ns/m', ctx.shardId, batch.slice(1)));
    expect(batchRequestId('ns/m', ctx.shardId, batch)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('writes the on-failure record with the batch\'s first and last records', () => {
    const f = kinesisFailureRecord(batch, ctx, { requestId: 'r', functionArn: 'arn:f', condition: 'RecordAgeExceeded', invokeCount: 0, lastStatus: 429, now: 0 });
    expect(f.responseContext).toEqual({ statusCode: 429, executedVersion: '' });
    expect(f.KinesisBatchInfo).toEqual({
      shardId: ctx.shardId, startSequenceNumber: batch[0]!.sequenceNumber, endSequenceNumber: batch[3]!.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(batch[0]!.arrival).toISOString(), approximateArrivalOfLastRecord: new Date(batch[3]!.arrival).toISOString(),
      batchSize: 4, streamArn: ctx.streamArn,
    });
    expect(f.timestamp).toBe('1970-01-01T00:00:00.000Z');
  });
});
