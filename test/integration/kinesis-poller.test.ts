// The stream poller of an event source mapping over a real Redis: the function is a tiny in-process one behind a
// SyncInvoker (the function itself, not a stand-in for Redis or Kubernetes).
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventSourceMapping, EventSourceMappingSpec } from '../../src/api/event-source-mapping.js';
import type { InvocationResult } from '../../src/core/invocation.js';
import type { EventInvocation, SyncInvoker } from '../../src/events/contracts.js';
import type { KinesisEventRecord, KinesisFailureRecord } from '../../src/events/kinesis/index.js';
import { KinesisPoller, KinesisStore, type StreamMeta } from '../../src/events/kinesis/index.js';
import { hashKeyOf, shardIdOf } from '../../src/events/kinesis/hash-keys.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const ARN = { region: 'us-east-1', accountId: '000000000000' };

let redis: TestRedis;
let conn: RedisConnection;
let store: KinesisStore;
const pollers: KinesisPoller[] = [];
let streamCount = 0;

beforeAll(async () => {
  redis = await useRedis();
  conn = connectRedis(redis.url);
  store = new KinesisStore(conn, { keyPrefix: randomPrefix() });
});

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  conn?.disconnect();
  await redis?.stop();
});

interface Call { requestId: string; records: KinesisEventRecord[] }
type Answer = { payload?: unknown; functionError?: 'Unhandled' | 'Handled' };

/** A function in this process: `handler` sees each batch's records and answers; every call is kept. */
function fn(handler: (records: KinesisEventRecord[], call: number) => Answer | Promise<Answer> = () => ({})): SyncInvoker & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    async invokeSync(_ns: string, _fn: string, inv: EventInvocation): Promise<InvocationResult> {
      const records = (JSON.parse(inv.payload) as { Records: KinesisEventRecord[] }).Records;
      calls.push({ requestId: inv.requestId, records });
      const a = await handler(records, calls.length);
      return {
        requestId: inv.requestId, executedVersion: '$LATEST', durationMs: 1,
        payload: a.payload === undefined ? 'null' : JSON.stringify(a.payload),
        ...(a.functionError ? { functionError: a.functionError } : {}),
      };
    },
  };
}

function mapping(stream: string, spec: Partial<EventSourceMappingSpec> = {}, name = `m-${stream}`): EventSourceMapping {
  return {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'EventSourceMapping', metadata: { name, namespace: 'default' },
    spec: {
      source: { stream }, functionName: 'counter', enabled: true, batchSize: 10, maximumBatchingWindowSeconds: 0,
      startingPosition: 'TRIM_HORIZON', maximumRetryAttempts: -1, maximumRecordAgeSeconds: -1, bisectBatchOnFunctionError: false,
      parallelizationFactor: 1, ...spec,
    } as EventSourceMappingSpec,
  };
}

async function newStream(shards = 1): Promise<StreamMeta> {
  const name = `s${++streamCount}`;
  return (await store.createStream('default', name, { shardCount: shards, mode: 'PROVISIONED' }))!;
}

async function put(meta: StreamMeta, records: [string, string][]): Promise<string[]> {
  const results = await store.put('default', meta, records.map(([k, d]) => ({ partitionKey: k, data: Buffer.from(d), hashKey: hashKeyOf(k) })));
  return results.map((r) => (r.error ? '' : r.sequenceNumber));
}

async function startPoller(m: EventSourceMapping, invoker: SyncInvoker, extra: Partial<ConstructorParameters<typeof KinesisPoller>[0]> = {}): Promise<KinesisPoller> {
  const p = new KinesisPoller({ store, invoker, mapping: m, arn: ARN, pollIntervalMs: 20, retryDelayMs: () => 5, ...extra });
  pollers.push(p);
  await p.start();
  return p;
}

const dataOf = (r: KinesisEventRecord): string => Buffer.from(r.kinesis.data, 'base64').toString('utf8');
const delivered = (f: { calls: Call[] }): KinesisEventRecord[] => f.calls.flatMap((c) => c.records);

/** Each key's data in the order the function first saw it. */
function perKey(records: KinesisEventRecord[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of records) m.set(r.kinesis.partitionKey, [...(m.get(r.kinesis.partitionKey) ?? []), dataOf(r)]);
  return m;
}

describe('delivery', () => {
  it('delivers every record in Lambda\'s Kinesis event, in order, in batches of at most batchSize', async () => {
    const meta = await newStream();
    const input: [string, string][] = Array.from({ length: 35 }, (_, i) => [`k${i % 5}`, `d${i}`]);
    const seqs = await put(meta, input);
    const f = fn();
    await startPoller(mapping(meta.name, { batchSize: 10 }), f);
    await waitFor(() => (delivered(f).length >= 35 ? true : undefined), 15_000, '35 records');
    expect(delivered(f).map(dataOf)).toEqual(input.map(([, d]) => d));
    expect(f.calls.every((c) => c.records.length <= 10)).toBe(true);
    const first = delivered(f)[0]!;
    expect(first).toEqual({
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'k0', sequenceNumber: seqs[0], data: Buffer.from('d0').toString('base64'), approximateArrivalTimestamp: expect.any(Number) },
      eventSource: 'aws:kinesis', eventVersion: '1.0', eventID: `${shardIdOf(0)}:${seqs[0]}`, eventName: 'aws:kinesis:record',
      invokeIdentityArn: expect.stringMatching(/^arn:aws:iam::000000000000:role\//), awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${meta.name}`,
    });
    expect(Math.abs(first.kinesis.approximateArrivalTimestamp * 1000 - Date.now())).toBeLessThan(600_000);
    // the checkpoint reaches the last record
    const keys = store.shardKeys('default', meta, 0);
    const last = (await store.lastId('default', meta, 0))!;
    await waitFor(async () => ((await conn.hget(keys.checkpoints, `m-${meta.name}`)) === last ? true : undefined), 10_000, 'checkpoint');
  });

  it('reads each shard of a stream, and creates a stream a mapping names on first use', async () => {
    const f = fn();
    const p = await startPoller(mapping('made-by-mapping'), f);
    const meta = (await store.getStream('default', 'made-by-mapping'))!;
    expect(meta.shardCount).toBe(1);
    expect(p.ownedShards()).toEqual([shardIdOf(0)]);
    const multi = await newStream(3);
    const g = fn();
    const q = await startPoller(mapping(multi.name), g);
    expect(q.ownedShards()).toEqual([shardIdOf(0), shardIdOf(1), shardIdOf(2)]);
    const input: [string, string][] = Array.from({ length: 30 }, (_, i) => [`key-${i}`, `v${i}`]);
    await put(multi, input);
    await waitFor(() => (delivered(g).length >= 30 ? true : undefined), 15_000, '30 records');
    expect(new Set(delivered(g).map(dataOf))).toEqual(new Set(input.map(([, d]) => d)));
    expect(new Set(g.calls.map((c) => c.records[0]!.eventID.split(':')[0])).size).toBe(3);
  });

  it('starts at LATEST without the records already there', async () => {
    const meta = await newStream();
    await put(meta, [['a', 'old']]);
    const f = fn();
    await startPoller(mapping(meta.name, { startingPosition: 'LATEST' }), f);
    await put(meta, [['a', 'new']]);
    await waitFor(() => (delivered(f).length >= 1 ? true : undefined), 10_000, 'the new record');
    expect(delivered(f).map(dataOf)).toEqual(['new']);
  });

  it('starts AT_TIMESTAMP from the first record that arrived at or after it', async () => {
    const meta = await newStream();
    await put(meta, [['a', 'before']]);
    const [first] = await store.read('default', meta, 0, '-', 1);
    const redisNow = async (): Promise<number> => { const [sec, micro] = await conn.time(); return Number(sec) * 1000 + Math.floor(Number(micro) / 1000); };
    await waitFor(async () => ((await redisNow()) > first!.arrival + 2 ? true : undefined), 5000, 'Redis\'s clock to move on');
    await put(meta, [['a', 'after']]);
    const [, second] = await store.read('default', meta, 0, '-', 2);
    const f = fn();
    await startPoller(mapping(meta.name, { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: new Date(second!.arrival).toISOString() }), f);
    await waitFor(() => (delivered(f).length >= 1 ? true : undefined), 10_000, 'a record');
    expect(delivered(f).map(dataOf)).toEqual(['after']);
  });

  it('passes only the records the filter criteria match, and checkpoints past the others', async () => {
    const meta = await newStream();
    await put(meta, [['a', '{"kind":"keep","n":1}'], ['a', '{"kind":"drop"}'], ['a', 'not json'], ['a', '{"kind":"keep","n":2}'], ['a', '{"kind":"drop"}']]);
    const f = fn();
    await startPoller(mapping(meta.name, { filterCriteria: { filters: [{ pattern: '{"data":{"kind":["keep"]}}' }] } }), f);
    await waitFor(() => (delivered(f).length >= 2 ? true : undefined), 10_000, 'kept records');
    expect(delivered(f).map((r) => (JSON.parse(dataOf(r)) as { n: number }).n)).toEqual([1, 2]);
    const keys = store.shardKeys('default', meta, 0);
    const last = (await store.lastId('default', meta, 0))!;
    await waitFor(async () => ((await conn.hget(keys.checkpoints, `m-${meta.name}`)) === last ? true : undefined), 10_000, 'checkpoint past the dropped');
  });

  it('sends a partial batch when the batching window ends, and a batch full by bytes (6 MB) at once', async () => {
    const small = await newStream();
    await put(small, [['a', 'alone']]);
    const f = fn();
    await startPoller(mapping(small.name, { batchSize: 10, maximumBatchingWindowSeconds: 1 }), f);
    await waitFor(() => (delivered(f).length >= 1 ? true : undefined), 10_000, 'the partial batch');
    expect(f.calls.map((c) => c.records.map(dataOf))).toEqual([['alone']]);

    const big = await newStream();
    const mib = 'x'.repeat(1024 * 1024);
    await put(big, Array.from({ length: 7 }, (_, i) => ['a', `${i}${mib}`] as [string, string]));
    const sizes: number[] = [];
    const g = fn((records) => { sizes.push(Buffer.byteLength(JSON.stringify({ Records: records }))); return {}; });
    // a window far longer than the test: only a batch full by its bytes goes out
    await startPoller(mapping(big.name, { batchSize: 100, maximumBatchingWindowSeconds: 300 }), g);
    await waitFor(() => (g.calls.length >= 1 ? true : undefined), 10_000, 'the first batch');
    expect(g.calls[0]!.records).toHaveLength(4);
    expect(sizes[0]).toBeLessThanOrEqual(6 * 1024 * 1024);
  });

  it('does nothing for a disabled mapping', async () => {
    const p = await startPoller(mapping('never-made', { enabled: false }), fn());
    expect(p.ownedShards()).toEqual([]);
    expect(await store.getStream('default', 'never-made')).toBeUndefined();
  });

  it('lets go of a deleted stream, and reads the stream made again under its name', async () => {
    const meta = await newStream();
    await put(meta, [['a', 'first life']]);
    const f = fn();
    const p = await startPoller(mapping(meta.name, { startingPosition: 'TRIM_HORIZON' }), f, { leaseMs: 300 });
    await waitFor(() => (delivered(f).length >= 1 ? true : undefined), 10_000, 'the first record');
    await store.deleteStream('default', meta.name);
    await waitFor(() => (p.ownedShards().length === 0 ? true : undefined), 10_000, 'the shard let go');
    const again = (await store.createStream('default', meta.name, { shardCount: 2, mode: 'PROVISIONED' }))!;
    await put(again, [['a', 'second life']]);
    await waitFor(() => (p.ownedShards().length === 2 ? true : undefined), 10_000, 'the new shards');
    await waitFor(() => (delivered(f).length >= 2 ? true : undefined), 10_000, 'the new record');
    expect(delivered(f).map(dataOf)).toEqual(['first life', 'second life']);
  });

  it('reports the iterator age of each batch', async () => {
    const meta = await newStream();
    await put(meta, [['a', '1']]);
    const ages: number[] = [];
    await startPoller(mapping(meta.name), fn(), { onIteratorAge: (_m, shardId, ms) => { expect(shardId).toBe(shardIdOf(0)); ages.push(ms); } });
    await waitFor(() => (ages.length > 0 ? true : undefined), 10_000, 'an iterator age');
    expect(ages[0]).toBeGreaterThanOrEqual(0);
  });
});

describe('parallelization', () => {
  it('runs up to parallelizationFactor batches of one shard at once, each partition key in order', async () => {
    const meta = await newStream();
    const input: [string, string][] = Array.from({ length: 60 }, (_, i) => [`key-${i % 12}`, `${i}`]);
    await put(meta, input);
    let inFlight = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const two = new Promise<void>((r) => { release = r; });
    const f = fn(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      if (inFlight >= 2) release();
      // the first batches wait until another is running beside them (no time limit: on a busy machine the second
      // may be slow to start; were the shard read one batch at a time, the test would fail waiting for the records)
      await two;
      inFlight--;
      return {};
    });
    await startPoller(mapping(meta.name, { parallelizationFactor: 4, batchSize: 5 }), f);
    await waitFor(() => (delivered(f).length >= 60 ? true : undefined), 20_000, '60 records');
    expect(most).toBeGreaterThan(1);
    const expected = perKey(input.map(([k, d]) => ({ kinesis: { partitionKey: k, data: Buffer.from(d).toString('base64') } }) as KinesisEventRecord));
    expect(perKey(delivered(f))).toEqual(expected);
    // checkpoint only once every lane is done: at the very end
    const keys = store.shardKeys('default', meta, 0);
    const last = (await store.lastId('default', meta, 0))!;
    await waitFor(async () => ((await conn.hget(keys.checkpoints, `m-${meta.name}`)) === last ? true : undefined), 10_000, 'checkpoint');
  });

  it('keeps the checkpoint before a record a slow lane still holds', async () => {
    const meta = await newStream();
    // two keys in different lanes of 2
    const keysByLane = new Map<number, string>();
    const { laneOf } = await import('../../src/events/kinesis/progress.js');
    for (let i = 0; keysByLane.size < 2; i++) keysByLane.set(laneOf(`k${i}`, 2), `k${i}`);
    const slow = keysByLane.get(0)!;
    const fast = keysByLane.get(1)!;
    await put(meta, [[slow, 'slow-1'], [fast, 'fast-1'], [fast, 'fast-2']]);
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((r) => { unblock = r; });
    const f = fn(async (records) => {
      if (records.some((r) => r.kinesis.partitionKey === slow)) await blocked;
      return {};
    });
    await startPoller(mapping(meta.name, { parallelizationFactor: 2 }), f);
    await waitFor(() => (delivered(f).filter((r) => r.kinesis.partitionKey === fast).length >= 2 ? true : undefined), 10_000, 'the fast lane');
    const cpKeys = store.shardKeys('default', meta, 0);
    expect(await conn.hget(cpKeys.checkpoints, `m-${meta.name}`)).toBeNull();
    unblock();
    const last = (await store.lastId('default', meta, 0))!;
    await waitFor(async () => ((await conn.hget(cpKeys.checkpoints, `m-${meta.name}`)) === last ? true : undefined), 10_000, 'checkpoint');
  });
});

describe('errors', () => {
  it('retries a failing batch with the same request id until it succeeds, then goes on', async () => {
    const meta = await newStream();
    await put(meta, [['a', '1'], ['a', '2']]);
    const f = fn((_r, n) => (n <= 2 ? { functionError: 'Unhandled', payload: { errorMessage: 'boom' } } : {}));
    await startPoller(mapping(meta.name), f);
    await waitFor(() => (f.calls.length >= 3 ? true : undefined), 10_000, 'three calls');
    await put(meta, [['a', '3']]);
    await waitFor(() => (f.calls.length >= 4 ? true : undefined), 10_000, 'the next batch');
    expect(f.calls.slice(0, 3).map((c) => c.records.map(dataOf))).toEqual([['1', '2'], ['1', '2'], ['1', '2']]);
    expect(new Set(f.calls.slice(0, 3).map((c) => c.requestId)).size).toBe(1);
    expect(f.calls[3]!.records.map(dataOf)).toEqual(['3']);
  });

  it('discards a batch after maximumRetryAttempts with Lambda\'s on-failure record, and moves on', async () => {
    const meta = await newStream();
    const seqs = await put(meta, [['a', 'poison'], ['a', 'x']]);
    const failures: KinesisFailureRecord[] = [];
    const outcomes: string[] = [];
    const f = fn((records) => (records.some((r) => dataOf(r) === 'poison') ? { functionError: 'Unhandled', payload: { errorMessage: 'bad' } } : {}));
    await startPoller(mapping(meta.name, { maximumRetryAttempts: 2 }), f, { onFailure: (_m, r) => { failures.push(r); }, onOutcome: (_m, _s, o) => { outcomes.push(o); } });
    await waitFor(() => (failures.length >= 1 ? true : undefined), 10_000, 'an on-failure record');
    expect(f.calls.length).toBe(3);
    expect(outcomes).toEqual(['failure', 'failure', 'failure', 'discarded']);
    const r = failures[0]!;
    expect(r).toEqual({
      requestContext: { requestId: f.calls[0]!.requestId, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:counter', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      KinesisBatchInfo: {
        shardId: shardIdOf(0), startSequenceNumber: seqs[0], endSequenceNumber: seqs[1],
        approximateArrivalOfFirstRecord: expect.stringMatching(/Z$/), approximateArrivalOfLastRecord: expect.stringMatching(/Z$/),
        batchSize: 2, streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${meta.name}`,
      },
    });
    await put(meta, [['a', 'after']]);
    await waitFor(() => (delivered(f).some((x) => dataOf(x) === 'after') ? true : undefined), 10_000, 'the next record');
  });

  it('bisects a failing batch down to the bad record, which alone is discarded', async () => {
    const meta = await newStream();
    const seqs = await put(meta, [['a', '1'], ['a', '2'], ['a', 'poison'], ['a', '4']]);
    const failures: KinesisFailureRecord[] = [];
    const f = fn((records) => (records.some((r) => dataOf(r) === 'poison') ? { functionError: 'Unhandled' } : {}));
    await startPoller(mapping(meta.name, { maximumRetryAttempts: 0, bisectBatchOnFunctionError: true }), f, { onFailure: (_m, r) => { failures.push(r); } });
    await waitFor(() => (failures.length >= 1 && delivered(f).some((r) => dataOf(r) === '4') ? true : undefined), 10_000, 'bisect to the end');
    expect(f.calls.map((c) => c.records.map(dataOf))).toEqual([['1', '2', 'poison', '4'], ['1', '2'], ['poison', '4'], ['poison'], ['4']]);
    // the record was in three invocations: 4, 2, then alone
    expect(failures.map((x) => [x.KinesisBatchInfo.batchSize, x.KinesisBatchInfo.startSequenceNumber, x.requestContext.condition, x.requestContext.approximateInvokeCount])).toEqual([[1, seqs[2], 'RetryAttemptsExhausted', 3]]);
  });

  it('with ReportBatchItemFailures, checkpoints before the lowest failed record and retries from it', async () => {
    const meta = await newStream();
    const seqs = await put(meta, [['a', '1'], ['a', '2'], ['a', '3'], ['a', '4'], ['a', '5']]);
    const f = fn((records, n) => {
      if (n === 1) return { payload: { batchItemFailures: [{ itemIdentifier: records[3]!.kinesis.sequenceNumber }, { itemIdentifier: records[2]!.kinesis.sequenceNumber }] } };
      return { payload: { batchItemFailures: [] } };
    });
    await startPoller(mapping(meta.name, { functionResponseTypes: ['ReportBatchItemFailures'] }), f);
    await waitFor(() => (f.calls.length >= 2 ? true : undefined), 10_000, 'the retry');
    expect(f.calls.map((c) => c.records.map(dataOf))).toEqual([['1', '2', '3', '4', '5'], ['3', '4', '5']]);
    const keys = store.shardKeys('default', meta, 0);
    const { fromSequenceNumber } = await import('../../src/events/kinesis/sequence-numbers.js');
    await waitFor(async () => ((await conn.hget(keys.checkpoints, `m-${meta.name}`)) === fromSequenceNumber(seqs[4]!)!.id ? true : undefined), 10_000, 'checkpoint');
  });

  it('with ReportBatchItemFailures, retries the whole batch for an identifier not in it', async () => {
    const meta = await newStream();
    await put(meta, [['a', '1'], ['a', '2']]);
    const f = fn((_r, n) => (n === 1 ? { payload: { batchItemFailures: [{ itemIdentifier: '' }] } } : {}));
    await startPoller(mapping(meta.name, { functionResponseTypes: ['ReportBatchItemFailures'] }), f);
    await waitFor(() => (f.calls.length >= 2 ? true : undefined), 10_000, 'the retry');
    expect(f.calls.map((c) => c.records.map(dataOf))).toEqual([['1', '2'], ['1', '2']]);
  });

  it('discards records older than maximumRecordAgeSeconds (RecordAgeExceeded)', async () => {
    const meta = await newStream();
    await put(meta, [['a', 'old']]);
    let skew = 0;
    const failures: KinesisFailureRecord[] = [];
    const f = fn(() => {
      skew = 61_000; // from the first failure on, the record is past its 60 s
      return { functionError: 'Unhandled' };
    });
    await startPoller(mapping(meta.name, { maximumRecordAgeSeconds: 60 }), f, { now: () => Date.now() + skew, onFailure: (_m, r) => { failures.push(r); } });
    await waitFor(() => (failures.length >= 1 ? true : undefined), 10_000, 'an on-failure record');
    expect(failures[0]!.requestContext.condition).toBe('RecordAgeExceeded');
    expect(f.calls.length).toBe(1);
  });

  it('retries a batch the function could not run (not counted against maximumRetryAttempts)', async () => {
    const meta = await newStream();
    await put(meta, [['a', '1']]);
    let n = 0;
    const calls: string[] = [];
    const invoker: SyncInvoker = {
      async invokeSync(_ns, _fn, inv) {
        n++;
        if (n <= 3) throw Object.assign(new Error('Rate Exceeded.'), { statusCode: 429, awsType: 'TooManyRequestsException' });
        calls.push(inv.payload);
        return { requestId: inv.requestId, executedVersion: '$LATEST', durationMs: 1, payload: 'null' };
      },
    };
    const failures: KinesisFailureRecord[] = [];
    await startPoller(mapping(meta.name, { maximumRetryAttempts: 0 }), invoker, { onFailure: (_m, r) => { failures.push(r); } });
    await waitFor(() => (calls.length >= 1 ? true : undefined), 10_000, 'a successful call');
    expect(failures).toEqual([]);
  });
});

describe('leases', () => {
  it('reads a shard from one poller at a time; a dead poller\'s shard is taken over from its checkpoint (at least once)', async () => {
    const meta = await newStream();
    await put(meta, Array.from({ length: 6 }, (_, i) => ['a', `${i}`] as [string, string]));
    const m = mapping(meta.name, { batchSize: 2 });
    // poller A on a connection of its own: it handles the first batch, then hangs in the second, and its Redis goes away
    const connA = connectRedis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    connA.on('error', () => undefined);
    const storeA = new KinesisStore(connA, { keyPrefix: store.prefix });
    let hang: () => void = () => undefined;
    const hung = new Promise<void>((r) => { hang = r; });
    const a = fn(async (_r, n) => { if (n === 2) await hung; return {}; });
    const pollerA = new KinesisPoller({ store: storeA, invoker: a, mapping: m, arn: ARN, owner: 'A', leaseMs: 600, pollIntervalMs: 20, retryDelayMs: () => 5 });
    await pollerA.start();
    expect(pollerA.ownedShards()).toEqual([shardIdOf(0)]);
    const b = fn();
    const pollerB = await startPoller(m, b, { owner: 'B', leaseMs: 600 });
    expect(pollerB.ownedShards()).toEqual([]);
    await waitFor(() => (a.calls.length >= 2 ? true : undefined), 10_000, 'A in its second batch');
    const keys = store.shardKeys('default', meta, 0);
    const firstBatchEnd = a.calls[0]!.records[1]!.kinesis.sequenceNumber;
    const { fromSequenceNumber } = await import('../../src/events/kinesis/sequence-numbers.js');
    await waitFor(async () => ((await conn.hget(keys.checkpoints, m.metadata.name)) === fromSequenceNumber(firstBatchEnd)!.id ? true : undefined), 10_000, 'A\'s checkpoint');
    connA.disconnect();
    // B takes the shard once A's lease lapses, and starts after A's checkpoint: A's batch in flight again, then the rest
    await waitFor(() => (delivered(b).length >= 4 ? true : undefined), 15_000, 'B to read the rest');
    expect(pollerB.ownedShards()).toEqual([shardIdOf(0)]);
    expect(delivered(b).map(dataOf)).toEqual(['2', '3', '4', '5']);
    expect(a.calls[1]!.records.map(dataOf)).toEqual(['2', '3']);
    hang();
    await pollerA.stop();
  });

  it('lets go of its shards on stop, for another poller to take at once', async () => {
    const meta = await newStream(2);
    const m = mapping(meta.name);
    const first = await startPoller(m, fn(), { owner: 'one', leaseMs: 600 });
    expect(first.ownedShards()).toEqual([shardIdOf(0), shardIdOf(1)]);
    const second = await startPoller(m, fn(), { owner: 'two', leaseMs: 600 });
    expect(second.ownedShards()).toEqual([]);
    await first.stop();
    await waitFor(() => (second.ownedShards().length === 2 ? true : undefined), 10_000, 'the second poller to take both');
  });
});
