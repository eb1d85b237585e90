// The Kinesis API on the router, spoken to by @aws-sdk/client-kinesis over a real listening server and a real Redis.
import {
  CreateStreamCommand, DeleteStreamCommand, DescribeStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand,
  GetShardIteratorCommand, KinesisClient, ListShardsCommand, ListStreamsCommand, PutRecordCommand, PutRecordsCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../src/core/logger.js';
import { hashKeyOf, MAX_HASH_KEY, shardIdOf } from '../../src/events/kinesis/hash-keys.js';
import { KinesisStore } from '../../src/events/kinesis/store.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { createRouterApp } from '../../src/router/app.js';
import { jsonRoutes } from '../../src/router/json-rpc/dispatch.js';
import { putRecord, putRecords } from '../../src/router/kinesis/records.js';
import { kinesisApi } from '../../src/router/kinesis/targets.js';
import { listen, type Listening } from '../../src/router/listen.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';

const ARN = { region: 'us-east-1', accountId: '000000000000' };
const text = (d: Uint8Array | undefined): string => Buffer.from(d ?? []).toString('utf8');

let redis: TestRedis;
let conn: RedisConnection;
let store: KinesisStore;
let http: Listening;
let kinesis: KinesisClient;
/** The router's clock: real time plus this much, so an iterator can be made old without waiting. */
let skewMs = 0;

beforeAll(async () => {
  redis = await useRedis();
  conn = connectRedis(redis.url);
  store = new KinesisStore(conn, { keyPrefix: randomPrefix() });
  const app = createRouterApp({
    logger: silentLogger,
    invoke: () => { throw new Error('no Lambda API in this test'); },
    routes: [jsonRoutes([kinesisApi(() => ({ store, namespace: 'default', arn: ARN }), () => Date.now() + skewMs)])],
  });
  http = await listen(app, 0, '127.0.0.1');
  // the Kinesis client speaks HTTP/2 by default (for SubscribeToShard): over the router's plain HTTP, HTTP/1.1
  kinesis = new KinesisClient({ requestHandler: new NodeHttpHandler(), endpoint: http.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  kinesis?.destroy();
  await http?.close();
  conn?.disconnect();
  await redis?.stop();
});

const errorOf = async (p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> => {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
};

async function readAll(stream: string, shardId: string, type: ShardIteratorType = 'TRIM_HORIZON', extra: Record<string, unknown> = {}) {
  const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type, ...extra }));
  const got = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  return got;
}

describe('streams', () => {
  it('creates a stream of N shards whose hash key ranges cover the whole space, lists and describes it', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 3 }));
    const d = (await kinesis.send(new DescribeStreamCommand({ StreamName: 'clicks' }))).StreamDescription!;
    expect(d.StreamStatus).toBe('ACTIVE');
    expect(d.StreamARN).toBe('arn:aws:kinesis:us-east-1:000000000000:stream/clicks');
    expect(d.Shards!.map((s) => s.ShardId)).toEqual([shardIdOf(0), shardIdOf(1), shardIdOf(2)]);
    expect(d.Shards![0]!.HashKeyRange!.StartingHashKey).toBe('0');
    expect(d.Shards![2]!.HashKeyRange!.EndingHashKey).toBe(MAX_HASH_KEY.toString());
    for (let i = 1; i < 3; i++) {
      expect(BigInt(d.Shards![i]!.HashKeyRange!.StartingHashKey!)).toBe(BigInt(d.Shards![i - 1]!.HashKeyRange!.EndingHashKey!) + 1n);
    }
    expect(d.RetentionPeriodHours).toBe(24);
    expect(d.StreamCreationTimestamp).toBeInstanceOf(Date);
    const s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'clicks' }))).StreamDescriptionSummary!;
    expect(s.OpenShardCount).toBe(3);
    expect(s.StreamModeDetails?.StreamMode).toBe('PROVISIONED');
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: 'clicks', MaxResults: 2 }));
    expect(shards.Shards!.map((x) => x.ShardId)).toEqual([shardIdOf(0), shardIdOf(1)]);
    const rest = await kinesis.send(new ListShardsCommand({ NextToken: shards.NextToken }));
    expect(rest.Shards!.map((x) => x.ShardId)).toEqual([shardIdOf(2)]);
    expect(rest.NextToken).toBeUndefined();
  });

  it('gives ON_DEMAND streams 4 shards and a stream without ShardCount 1', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    await kinesis.send(new CreateStreamCommand({ StreamName: 'one' }));
    const od = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'od' }))).StreamDescriptionSummary!;
    expect([od.OpenShardCount, od.StreamModeDetails?.StreamMode]).toEqual([4, 'ON_DEMAND']);
    expect((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'one' }))).StreamDescriptionSummary!.OpenShardCount).toBe(1);
  });

  it('refuses a second stream of the same name, and names missing streams as Kinesis does', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'twice', ShardCount: 1 }));
    const again = await errorOf(kinesis.send(new CreateStreamCommand({ StreamName: 'twice', ShardCount: 1 })));
    expect(again).toEqual({ name: 'ResourceInUseException', message: 'Stream twice under account 000000000000 already exists.', status: 400 });
    const missing = await errorOf(kinesis.send(new DescribeStreamCommand({ StreamName: 'nope' })));
    expect(missing).toEqual({ name: 'ResourceNotFoundException', message: 'Stream nope under account 000000000000 not found.', status: 400 });
  });

  it('lists streams in name order, page by page', async () => {
    for (const n of ['list-b', 'list-a', 'list-c']) await kinesis.send(new CreateStreamCommand({ StreamName: n, ShardCount: 1 }));
    const page = await kinesis.send(new ListStreamsCommand({ Limit: 2, ExclusiveStartStreamName: 'list-' }));
    expect(page.StreamNames).toEqual(['list-a', 'list-b']);
    expect(page.HasMoreStreams).toBe(true);
    expect(page.StreamSummaries![0]!.StreamARN).toBe('arn:aws:kinesis:us-east-1:000000000000:stream/list-a');
    const next = await kinesis.send(new ListStreamsCommand({ Limit: 1, NextToken: page.NextToken }));
    expect(next.StreamNames).toEqual(['list-c']);
  });

  it('deletes a stream with its records; one created again under the name starts empty', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'gone', ShardCount: 1 }));
    await kinesis.send(new PutRecordCommand({ StreamName: 'gone', PartitionKey: 'k', Data: Buffer.from('old') }));
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'gone', ShardId: shardIdOf(0), ShardIteratorType: 'TRIM_HORIZON' }));
    await kinesis.send(new DeleteStreamCommand({ StreamName: 'gone' }));
    expect((await errorOf(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'gone' })))).name).toBe('ResourceNotFoundException');
    expect((await errorOf(kinesis.send(new DeleteStreamCommand({ StreamName: 'gone' })))).name).toBe('ResourceNotFoundException');
    await kinesis.send(new CreateStreamCommand({ StreamName: 'gone', ShardCount: 1 }));
    expect((await readAll('gone', shardIdOf(0))).Records).toEqual([]);
    // the old stream's iterator reads nothing of the new one
    const stale = await errorOf(kinesis.send(new GetRecordsCommand({ ShardIterator })));
    expect(stale).toEqual({ name: 'ResourceNotFoundException', message: 'Shard shardId-000000000000 in stream gone under account 000000000000 does not exist', status: 400 });
  });
});

describe('records', () => {
  beforeAll(async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 4 }));
  });

  it('puts a record on the shard its partition key hashes to, or its ExplicitHashKey names', async () => {
    for (const key of ['a', 'b', 'customer-17', 'ü']) {
      const put = await kinesis.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: key, Data: Buffer.from(key) }));
      const expected = Number(hashKeyOf(key) / ((1n << 128n) / 4n));
      expect(put.ShardId).toBe(shardIdOf(expected));
      expect(put.SequenceNumber).toMatch(/^\d+$/);
    }
    const explicit = await kinesis.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'a', ExplicitHashKey: MAX_HASH_KEY.toString(), Data: Buffer.from('x') }));
    expect(explicit.ShardId).toBe(shardIdOf(3));
    const tooBig = await errorOf(kinesis.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'a', ExplicitHashKey: (MAX_HASH_KEY + 1n).toString(), Data: Buffer.from('x') })));
    expect(tooBig).toEqual({ name: 'InvalidArgumentException', status: 400, message: `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${MAX_HASH_KEY + 1n}` });
  });

  it('reads a shard in order from TRIM_HORIZON, with increasing sequence numbers and arrival times', async () => {
    const explicit = '0';
    const seqs: string[] = [];
    for (let i = 0; i < 5; i++) {
      seqs.push((await kinesis.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: `p${i}`, ExplicitHashKey: explicit, Data: Buffer.from(`r${i}`) }))).SequenceNumber!);
    }
    for (let i = 1; i < seqs.length; i++) expect(BigInt(seqs[i]!) > BigInt(seqs[i - 1]!)).toBe(true);
    const got = await readAll('orders', shardIdOf(0));
    const mine = got.Records!.filter((r) => seqs.includes(r.SequenceNumber!));
    expect(mine.map((r) => [r.PartitionKey, text(r.Data)])).toEqual([0, 1, 2, 3, 4].map((i) => [`p${i}`, `r${i}`]));
    expect(mine[0]!.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
    expect(Math.abs(mine[0]!.ApproximateArrivalTimestamp!.getTime() - Date.now())).toBeLessThan(60_000);
    // AT and AFTER a sequence number
    const at = await readAll('orders', shardIdOf(0), 'AT_SEQUENCE_NUMBER', { StartingSequenceNumber: seqs[2] });
    expect(at.Records!.map((r) => r.SequenceNumber)).toEqual(seqs.slice(2));
    const after = await readAll('orders', shardIdOf(0), 'AFTER_SEQUENCE_NUMBER', { StartingSequenceNumber: seqs[2] });
    expect(after.Records!.map((r) => r.SequenceNumber)).toEqual(seqs.slice(3));
    // AT_TIMESTAMP: from the arrival of the fourth
    const fourth = mine[3]!.ApproximateArrivalTimestamp!;
    const fromTime = await readAll('orders', shardIdOf(0), 'AT_TIMESTAMP', { Timestamp: fourth });
    expect(fromTime.Records!.map((r) => r.SequenceNumber)).toContain(seqs[3]);
    expect(fromTime.Records!.map((r) => r.SequenceNumber)).toContain(seqs[4]);
    expect(fromTime.Records!.every((r) => r.ApproximateArrivalTimestamp!.getTime() >= fourth.getTime())).toBe(true);
  });

  it('pages with Limit and NextShardIterator, says how far behind it is, and LATEST sees only what comes after', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'paged', ShardCount: 1 }));
    for (let i = 0; i < 3; i++) await kinesis.send(new PutRecordCommand({ StreamName: 'paged', PartitionKey: 'k', Data: Buffer.from(String(i)) }));
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'paged', ShardId: shardIdOf(0), ShardIteratorType: 'TRIM_HORIZON' }));
    const latest = (await kinesis.send(new GetShardIteratorCommand({ StreamName: 'paged', ShardId: shardIdOf(0), ShardIteratorType: 'LATEST' }))).ShardIterator;
    const first = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 2 }));
    expect(first.Records!.map((r) => text(r.Data))).toEqual(['0', '1']);
    expect(first.MillisBehindLatest).toBeGreaterThanOrEqual(0);
    const second = await kinesis.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator, Limit: 2 }));
    expect(second.Records!.map((r) => text(r.Data))).toEqual(['2']);
    expect(second.MillisBehindLatest).toBe(0);
    const empty = await kinesis.send(new GetRecordsCommand({ ShardIterator: second.NextShardIterator }));
    expect(empty.Records).toEqual([]);
    await kinesis.send(new PutRecordCommand({ StreamName: 'paged', PartitionKey: 'k', Data: Buffer.from('3') }));
    expect((await kinesis.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator }))).Records!.map((r) => text(r.Data))).toEqual(['3']);
    expect((await kinesis.send(new GetRecordsCommand({ ShardIterator: latest }))).Records!.map((r) => text(r.Data))).toEqual(['3']);
  });

  it('puts a batch with PutRecords: per-record results in order, none failed', async () => {
    const res = await kinesis.send(new PutRecordsCommand({
      StreamName: 'orders',
      Records: ['x', 'y', 'z'].map((k) => ({ PartitionKey: k, Data: Buffer.from(`batch-${k}`) })),
    }));
    expect(res.FailedRecordCount).toBe(0);
    expect(res.Records!.map((r) => r.ShardId)).toEqual(['x', 'y', 'z'].map((k) => shardIdOf(Number(hashKeyOf(k) / ((1n << 128n) / 4n)))));
    const shard = res.Records![0]!.ShardId!;
    const read = await readAll('orders', shard, 'AT_SEQUENCE_NUMBER', { StartingSequenceNumber: res.Records![0]!.SequenceNumber });
    expect(text(read.Records![0]!.Data)).toBe('batch-x');
  });

  it('works with StreamARN and the endpoint set to the router', async () => {
    const arn = 'arn:aws:kinesis:us-east-1:000000000000:stream/orders';
    const put = await kinesis.send(new PutRecordCommand({ StreamARN: arn, PartitionKey: 'by-arn', Data: Buffer.from('arn') }));
    const got = await kinesis.send(new GetShardIteratorCommand({ StreamARN: arn, ShardId: put.ShardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber }));
    const recs = await kinesis.send(new GetRecordsCommand({ StreamARN: arn, ShardIterator: got.ShardIterator }));
    expect(text(recs.Records![0]!.Data)).toBe('arn');
    const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: arn }));
    expect(summary.StreamDescriptionSummary!.StreamName).toBe('orders');
    const other = await errorOf(kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: 'arn:aws:kinesis:us-east-1:111111111111:stream/orders' })));
    expect(other.name).toBe('AccessDeniedException');
  });
});

describe('refusals', () => {
  beforeAll(async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'strict', ShardCount: 2 }));
  });

  it('checks members as Kinesis does (ValidationException listing each failure)', async () => {
    const longKey = 'k'.repeat(257);
    const e = await errorOf(kinesis.send(new PutRecordCommand({ StreamName: 'strict', PartitionKey: longKey, Data: Buffer.from('x') })));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toBe(`1 validation error detected: Value '${longKey.slice(0, 256)}...' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256`);
    const empty = await errorOf(kinesis.send(new PutRecordsCommand({ StreamName: 'strict', Records: [] })));
    expect(empty.name).toBe('ValidationException');
    expect(empty.message).toContain("at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1");
    const many = await errorOf(kinesis.send(new PutRecordsCommand({ StreamName: 'strict', Records: Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: Buffer.from('x') })) })));
    expect(many.message).toContain('Member must have length less than or equal to 500');
    const inner = await errorOf(kinesis.send(new PutRecordsCommand({ StreamName: 'strict', Records: [{ PartitionKey: 'ok', Data: Buffer.from('x') }, { PartitionKey: '', Data: Buffer.from('x') }] })));
    expect(inner.message).toBe("1 validation error detected: Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1");
    const badName = await errorOf(kinesis.send(new CreateStreamCommand({ StreamName: 'no spaces', ShardCount: 0 })));
    expect(badName.message).toBe("2 validation errors detected: Value 'no spaces' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  it('refuses a StreamMode that is not one', async () => {
    const e = await errorOf(kinesis.send(new CreateStreamCommand({ StreamName: 'mode', StreamModeDetails: { StreamMode: 'FAST' as 'ON_DEMAND' } })));
    expect(e).toEqual({ name: 'ValidationException', status: 400, message: "1 validation error detected: Value 'FAST' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]" });
  });

  // Through the router a body over its JSON limit is refused first (413); the operations' own limits, called directly:
  it('takes a record of 1 MiB with its partition key and no more, and PutRecords up to 5 MiB in all', async () => {
    const call = { store, namespace: 'default', arn: ARN, now: Date.now() };
    const mib = 1024 * 1024;
    const key = 'k'.repeat(10);
    const fits = await putRecord({ StreamName: 'strict', PartitionKey: key, Data: Buffer.alloc(mib - 10).toString('base64') }, call);
    expect(fits.ShardId).toMatch(/^shardId-/);
    const over = await errorOf(putRecord({ StreamName: 'strict', PartitionKey: key, Data: Buffer.alloc(mib - 9).toString('base64') }, call));
    expect(over.name).toBe('InvalidArgumentException');
    const dataOver = await errorOf(putRecord({ StreamName: 'strict', PartitionKey: key, Data: Buffer.alloc(mib + 1).toString('base64') }, call));
    expect(dataOver.message).toBe(`1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${mib + 1} cap=${mib + 1}]' at 'data' failed to satisfy constraint: Member must have length less than or equal to ${mib}`);
    const five = Array.from({ length: 5 }, () => ({ PartitionKey: 'k', Data: Buffer.alloc(mib - 1).toString('base64') }));
    expect((await putRecords({ StreamName: 'strict', Records: five }, call)).FailedRecordCount).toBe(0);
    const six = [...five, { PartitionKey: 'k', Data: Buffer.alloc(10).toString('base64') }];
    expect(await errorOf(putRecords({ StreamName: 'strict', Records: six }, call))).toEqual({ name: 'InvalidArgumentException', message: 'Records size exceeds 5 MB limit', status: undefined });
  });

  it('refuses shards the stream does not have and sequence numbers of another shard', async () => {
    const noShard = await errorOf(kinesis.send(new GetShardIteratorCommand({ StreamName: 'strict', ShardId: shardIdOf(5), ShardIteratorType: 'LATEST' })));
    expect(noShard).toEqual({ name: 'ResourceNotFoundException', status: 400, message: 'Shard shardId-000000000005 in stream strict under account 000000000000 does not exist' });
    const put = await kinesis.send(new PutRecordCommand({ StreamName: 'strict', PartitionKey: 'a', ExplicitHashKey: '0', Data: Buffer.from('x') }));
    const wrong = await errorOf(kinesis.send(new GetShardIteratorCommand({ StreamName: 'strict', ShardId: shardIdOf(1), ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber })));
    expect(wrong).toEqual({ name: 'InvalidArgumentException', status: 400, message: 'Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in a call to a shard with shardId-000000000001' });
    const noSeq = await errorOf(kinesis.send(new GetShardIteratorCommand({ StreamName: 'strict', ShardId: shardIdOf(0), ShardIteratorType: 'AT_SEQUENCE_NUMBER' })));
    expect(noSeq.name).toBe('InvalidArgumentException');
    const noTime = await errorOf(kinesis.send(new GetShardIteratorCommand({ StreamName: 'strict', ShardId: shardIdOf(0), ShardIteratorType: 'AT_TIMESTAMP' })));
    expect(noTime.name).toBe('InvalidArgumentException');
  });

  it('refuses an iterator that is not one, and one older than 5 minutes (ExpiredIteratorException)', async () => {
    const bad = await errorOf(kinesis.send(new GetRecordsCommand({ ShardIterator: 'bm90IGFuIGl0ZXJhdG9y' })));
    expect(bad).toEqual({ name: 'InvalidArgumentException', message: 'Invalid ShardIterator.', status: 400 });
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'strict', ShardId: shardIdOf(0), ShardIteratorType: 'TRIM_HORIZON' }));
    skewMs = 300_001;
    try {
      const old = await errorOf(kinesis.send(new GetRecordsCommand({ ShardIterator })));
      expect(old.name).toBe('ExpiredIteratorException');
      expect(old.message).toMatch(/^Iterator expired\. The iterator was created at time \w{3} \w{3} \d{2} [\d:]{8} UTC \d{4} while right now it is .* which is further in the future than the tolerated delay of 300000 milliseconds\.$/);
    } finally {
      skewMs = 0;
    }
  });

  it('answers an unknown operation and a stream name without a stream as Kinesis does', async () => {
    const res = await fetch(`${http.url}/`, { method: 'POST', headers: { 'X-Amz-Target': 'Kinesis_20131202.MergeShards', 'Content-Type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    const neither = await fetch(`${http.url}/`, { method: 'POST', headers: { 'X-Amz-Target': 'Kinesis_20131202.DescribeStreamSummary', 'Content-Type': 'application/x-amz-json-1.1' }, body: '{}' });
    expect(await neither.json()).toEqual({ __type: 'InvalidArgumentException', message: 'Either StreamName or StreamARN should be provided.' });
    const wrongType = await fetch(`${http.url}/`, { method: 'POST', headers: { 'X-Amz-Target': 'Kinesis_20131202.CreateStream', 'Content-Type': 'application/x-amz-json-1.1' }, body: '{"StreamName":"x","ShardCount":"2"}' });
    expect(((await wrongType.json()) as { __type: string }).__type).toBe('SerializationException');
  });
});
