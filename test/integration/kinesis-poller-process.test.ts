// A stream poller in a process of its own, killed (SIGKILL) in the middle of a batch: another poller takes the shard
// over once the lease lapses and goes on from the dead one's checkpoint, so every record is delivered at least once.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { EventSourceMapping } from '../../src/api/event-source-mapping.js';
import type { EventInvocation, SyncInvoker } from '../../src/events/contracts.js';
import { hashKeyOf, shardIdOf } from '../../src/events/kinesis/hash-keys.js';
import { KinesisPoller, KinesisStore, type KinesisEventRecord } from '../../src/events/kinesis/index.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let redis: TestRedis;
let conn: RedisConnection;
let child: ChildProcess | undefined;
let poller: KinesisPoller | undefined;

beforeAll(async () => {
  redis = await useRedis();
  conn = connectRedis(redis.url);
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await poller?.stop();
  conn?.disconnect();
  await redis?.stop();
});

it('a killed poller\'s shard is taken over from its checkpoint, its batch in flight delivered again', async () => {
  const prefix = randomPrefix();
  const store = new KinesisStore(conn, { keyPrefix: prefix });
  const meta = (await store.createStream('default', 'killed', { shardCount: 1, mode: 'PROVISIONED' }))!;
  const data = ['0', '1', '2', '3', 'hang', '5', '6', '7'];
  await store.put('default', meta, data.map((d) => ({ partitionKey: 'p', data: Buffer.from(d), hashKey: hashKeyOf('p') })));
  const mapping: EventSourceMapping = {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'EventSourceMapping', metadata: { name: 'survivor', namespace: 'default' },
    spec: {
      source: { stream: 'killed' }, functionName: 'f', enabled: true, batchSize: 2, maximumBatchingWindowSeconds: 0, startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: -1, maximumRecordAgeSeconds: -1, bisectBatchOnFunctionError: false, parallelizationFactor: 1,
    },
  };
  const seen = `${prefix}:child-seen`;
  // tsx as a loader in this one process (its CLI would run the script in a grandchild that SIGKILL does not reach)
  child = spawn(process.execPath, ['--import', 'tsx', 'test/integration/kinesis-poller-child.ts', JSON.stringify({ url: redis.url, prefix, mapping, leaseMs: 1000, seen })], { stdio: ['ignore', 'pipe', 'inherit'] });
  const keys = store.shardKeys('default', meta, 0);
  // the child holds the shard and hangs in the batch [hang, 5] after checkpointing [2, 3]
  await waitFor(async () => ((await conn.lrange(seen, 0, -1)).includes(JSON.stringify(['hang', '5'])) ? true : undefined), 30_000, 'the child in its hanging batch');
  const fourth = (await store.read('default', meta, 0, '-', 4))[3]!;
  await waitFor(async () => ((await conn.hget(keys.checkpoints, 'survivor')) === fourth.id ? true : undefined), 10_000, 'the child\'s checkpoint after 3');
  expect((await conn.hget(keys.leases, 'survivor'))?.startsWith('child-')).toBe(true);
  child.kill('SIGKILL');
  await new Promise((r) => child!.once('exit', r));

  const calls: string[][] = [];
  const invoker: SyncInvoker = {
    async invokeSync(_ns: string, _fn: string, inv: EventInvocation) {
      calls.push((JSON.parse(inv.payload) as { Records: KinesisEventRecord[] }).Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString('utf8')));
      return { requestId: inv.requestId, executedVersion: '$LATEST', durationMs: 1, payload: 'null' };
    },
  };
  poller = new KinesisPoller({ store, invoker, mapping, arn: { region: 'us-east-1', accountId: '000000000000' }, owner: 'survivor', leaseMs: 1000, pollIntervalMs: 20 });
  await poller.start();
  await waitFor(() => (poller!.ownedShards().length === 1 ? true : undefined), 15_000, 'the lease to lapse and be taken');
  expect(poller.ownedShards()).toEqual([shardIdOf(0)]);
  await waitFor(() => (calls.flat().includes('7') ? true : undefined), 15_000, 'the rest of the shard');
  const childSeen = (await conn.lrange(seen, 0, -1)).map((x) => JSON.parse(x) as string[]);
  expect(childSeen).toEqual([['0', '1'], ['2', '3'], ['hang', '5']]);
  // from the checkpoint: the batch the child died in, again, then the rest; nothing before it again
  expect(calls.flat()).toEqual(['hang', '5', '6', '7']);
});
