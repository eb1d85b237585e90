// KinesisStore over a real Redis (or Redis Cluster): retention, ensureStream under a race, order within a shard, delete.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { hashKeyOf } from '../../src/events/kinesis/hash-keys.js';
import { KinesisStore } from '../../src/events/kinesis/store.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { keysMatching, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let redis: TestRedis;
let conn: RedisConnection;

beforeAll(async () => {
  redis = await useRedis();
  conn = connectRedis(redis.url);
});

afterAll(async () => {
  conn?.disconnect();
  await redis?.stop();
});

const entry = (key: string, data: string) => ({ partitionKey: key, data: Buffer.from(data), hashKey: hashKeyOf(key) });
const redisNow = async (): Promise<number> => { const [s, us] = await conn.time(); return Number(s) * 1000 + Math.floor(Number(us) / 1000); };

it('never returns records past the retention, and a position before it reads on from it (no empty pages)', async () => {
  const prefix = randomPrefix();
  const store = new KinesisStore(conn, { keyPrefix: prefix });
  const meta = (await store.createStream('default', 'ret', { shardCount: 1, mode: 'PROVISIONED' }))!;
  await store.put('default', meta, [entry('k', 'old')]);
  const [old] = await store.read('default', meta, 0, '-', 1);
  await waitFor(async () => ((await redisNow()) > old!.arrival + 2 ? true : undefined), 5000, 'Redis\'s clock to move on');
  await store.put('default', meta, [entry('k', 'new')]);
  const [, recent] = await store.read('default', meta, 0, '-', 2);
  // a day later, as seen from just after "old" expired
  const later = new KinesisStore(conn, { keyPrefix: prefix, now: () => recent!.arrival + 24 * 3600_000 });
  expect((await later.read('default', meta, 0, '-', 10)).map((r) => r.data.toString())).toEqual(['new']);
  expect((await later.read('default', meta, 0, old!.id, 1)).map((r) => r.data.toString())).toEqual(['new']);
  expect((await later.read('default', meta, 0, `(${old!.id}`, 1)).map((r) => r.data.toString())).toEqual(['new']);
});

it('makes a stream a mapping names once, however many ask at the same time', async () => {
  const store = new KinesisStore(conn, { keyPrefix: randomPrefix() });
  const all = await Promise.all(Array.from({ length: 8 }, () => store.ensureStream('default', 'raced')));
  expect(new Set(all.map((m) => m.epoch)).size).toBe(1);
  expect(all[0]!.shardCount).toBe(1);
  expect((await store.listStreams('default', 10)).names).toEqual(['raced']);
});

it('keeps the order of one shard\'s records within and across PutRecords calls', async () => {
  const store = new KinesisStore(conn, { keyPrefix: randomPrefix() });
  const meta = (await store.createStream('default', 'order', { shardCount: 4, mode: 'PROVISIONED' }))!;
  const calls = Array.from({ length: 5 }, (_, c) => Array.from({ length: 50 }, (_, i) => entry(`key-${i % 7}`, `${c}-${i}`)));
  for (const batch of calls) await store.put('default', meta, batch);
  const read = (await Promise.all([0, 1, 2, 3].map((s) => store.read('default', meta, s, '-', 1000)))).flat();
  expect(read).toHaveLength(250);
  for (let k = 0; k < 7; k++) {
    const got = read.filter((r) => r.partitionKey === `key-${k}`).map((r) => r.data.toString());
    const want = calls.flat().filter((e) => e.partitionKey === `key-${k}`).map((e) => e.data.toString());
    expect(got).toEqual(want);
  }
});

it('deletes every key of a stream', async () => {
  const prefix = randomPrefix();
  const store = new KinesisStore(conn, { keyPrefix: prefix });
  const meta = (await store.createStream('default', 'doomed', { shardCount: 3, mode: 'PROVISIONED' }))!;
  await store.put('default', meta, Array.from({ length: 30 }, (_, i) => entry(`k${i}`, 'x')));
  await conn.hset(store.shardKeys('default', meta, 0).checkpoints, 'm', '1-0');
  expect((await keysMatching(conn, `${prefix}:*`)).length).toBeGreaterThan(3);
  expect(await store.deleteStream('default', 'doomed')).toBe(true);
  expect(await keysMatching(conn, `${prefix}:*`)).toEqual([]);
  expect(await store.deleteStream('default', 'doomed')).toBe(false);
});
