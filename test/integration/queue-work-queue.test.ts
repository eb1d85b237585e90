// The work queue against a real Redis: FIFO delivery, depth, idempotent enqueue, release, ack with a reply, purge, blocking reads.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Invocation, InvocationResult } from '../../src/core/invocation.js';
import type { Lease, QueueRef } from '../../src/core/queue-contract.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { QueueConsumer } from '../../src/queue/consumer.js';
import { InvalidQueueNameError } from '../../src/queue/errors.js';
import { allKeys, queueKeys, replyListKey } from '../../src/queue/keys.js';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { clientLists, keysMatching, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const keySlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

let server: TestRedis;
let admin: RedisConnection;
let prefix: string;
let queue: WorkQueue;
const consumers: QueueConsumer[] = [];
const ref: QueueRef = { namespace: 'default', functionName: 'hello', version: '1' };

beforeAll(async () => { server = await useRedis(); admin = connectRedis(server.url); });
afterAll(async () => { admin.disconnect(); await server.stop(); });
beforeEach(() => { prefix = randomPrefix(); queue = new WorkQueue(admin, { keyPrefix: prefix }); });
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.close()));
  await queue.purge(ref);
});

function consumer(visibilityTimeoutMs = 30_000): QueueConsumer {
  const c = new QueueConsumer(server.url, ref, { keyPrefix: prefix, visibilityTimeoutMs, redisOptions: { connectionName: prefix } });
  consumers.push(c);
  return c;
}

function invocation(extra: Partial<Invocation> = {}): Invocation {
  return {
    requestId: randomUUID(), functionName: 'hello', version: '1',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:hello:1',
    payload: '{"name":"world"}', type: 'Event', acceptedAt: Date.now(), traceId: 'Root=1-00000000-000000000000000000000000', ...extra,
  };
}

async function take(c: QueueConsumer): Promise<Lease> {
  const lease = await c.next(2000);
  if (!lease) throw new Error('expected a job, got none');
  return lease;
}

const keysOfPrefix = () => keysMatching(admin, `${prefix}:*`);

describe('WorkQueue and QueueConsumer', () => {
  it('delivers jobs in the order they were enqueued, each with its invocation intact', async () => {
    const sent = [invocation({ payload: '{"n":1}' }), invocation({ payload: '{"n":2}' }), invocation({ payload: '{"n":3}' })];
    for (const inv of sent) await queue.enqueue(ref, inv);
    const c = consumer();
    const got: Lease[] = [];
    for (let i = 0; i < 3; i++) got.push(await take(c));
    expect(got.map((l) => l.invocation)).toEqual(sent);
    expect(got.map((l) => l.attempt)).toEqual([1, 1, 1]);
    expect(got.every((l) => l.queue === c.queue)).toBe(true);
  });

  it('counts pending and in-flight jobs', async () => {
    expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 0 });
    for (let i = 0; i < 3; i++) await queue.enqueue(ref, invocation());
    const c = consumer();
    const lease = await take(c);
    expect(await queue.depth(ref)).toEqual({ pending: 2, inFlight: 1 });
    await c.ack(lease);
    expect(await queue.depth(ref)).toEqual({ pending: 2, inFlight: 0 });
  });

  it('ignores a second enqueue of a request id that is still queued', async () => {
    const inv = invocation();
    await queue.enqueue(ref, inv);
    await queue.enqueue(ref, { ...inv, payload: '{"again":true}' });
    expect(await queue.depth(ref)).toEqual({ pending: 1, inFlight: 0 });
    expect((await take(consumer())).invocation.payload).toBe(inv.payload);
  });

  it('gives a lease that expires after the consumer visibility timeout, by the Redis clock', async () => {
    await queue.enqueue(ref, invocation());
    const before = Date.now();
    const lease = await take(consumer(5000));
    expect(lease.leaseExpiresAt).toBeGreaterThanOrEqual(before + 5000 - 50);
    expect(lease.leaseExpiresAt).toBeLessThanOrEqual(Date.now() + 5000 + 50);
  });

  it('puts a released job back at the front, with the same request id and the next attempt number', async () => {
    const first = invocation();
    const second = invocation();
    await queue.enqueue(ref, first);
    await queue.enqueue(ref, second);
    const c = consumer();
    const lease = await take(c);
    await c.release(lease);
    const again = await take(c);
    expect(again.invocation.requestId).toBe(first.requestId);
    expect(again.attempt).toBe(2);
    expect((await take(c)).invocation.requestId).toBe(second.requestId);
  });

  it('pushes the result on the router\'s reply list under the version\'s hash tag when acking, and leaves only that list behind', async () => {
    const replyTo = randomUUID();
    const inv = invocation({ type: 'RequestResponse', replyTo, replyBy: Date.now() + 10_000 });
    await queue.enqueue(ref, inv);
    const c = consumer();
    const lease = await take(c);
    const result: InvocationResult = { requestId: inv.requestId, payload: '{"hello":"world"}', executedVersion: '1', durationMs: 3 };
    await c.ack(lease, result);
    const list = replyListKey(ref, replyTo, prefix);
    expect(keySlot(list)).toBe(keySlot(queue.keys(ref).pending));
    // and the consumer, idle from its ack (enqueue hands the next job to it)
    const k = queue.keys(ref);
    expect(await keysOfPrefix()).toEqual([k.idle, k.idleUntil, list].sort());
    expect(JSON.parse((await admin.lpop(list))!)).toEqual(result);
    expect(await admin.pttl(list)).toBe(-2); // gone once read; a list nobody reads expires
  });

  it('answers nobody when the job has no replyTo', async () => {
    await queue.enqueue(ref, invocation());
    const c = consumer();
    const lease = await take(c);
    await c.ack(lease, { requestId: lease.invocation.requestId, payload: '1', executedVersion: '1', durationMs: 1 });
    await c.close();
    // nothing but the figures of nothing: a closed consumer leaves the idle set
    expect(await keysOfPrefix()).toEqual([]);
  });

  it('returns null from next() when nothing arrives within the timeout', async () => {
    const started = Date.now();
    expect(await consumer().next(150)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('wakes a waiting consumer as soon as a job is enqueued', async () => {
    const c = consumer();
    const waiting = c.next(20_000);
    await waitUntilBlocked();
    const inv = invocation();
    const started = Date.now();
    await queue.enqueue(ref, inv);
    expect((await within(waiting, 1000, 'job'))?.invocation.requestId).toBe(inv.requestId);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('hands a job to the consumer that became idle last, already leased, so calls keep landing on one warm consumer', async () => {
    const k = queue.keys(ref);
    const first = consumer();
    const firstWaiting = first.next(20_000);
    await waitFor(async () => (await admin.zcard(k.idle)) === 1 || undefined, 5000, 'the first consumer idle', 5);
    const last = consumer();
    const lastWaiting = last.next(20_000);
    await waitFor(async () => (await admin.zcard(k.idle)) === 2 || undefined, 5000, 'the second consumer idle', 5);
    for (let i = 0; i < 3; i++) {
      const inv = invocation();
      await queue.enqueue(ref, inv);
      // not pending: leased to the last idle consumer in the enqueue itself
      expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 1 });
      const lease = await within(i === 0 ? lastWaiting : last.next(20_000), 5000, 'the handed job');
      expect([lease?.invocation, lease?.attempt]).toEqual([inv, 1]);
      expect(Number(await admin.zscore(k.leases, inv.requestId))).toBe(lease?.leaseExpiresAt);
      // its ack makes it the last idle again, before its caller hears
      await last.ack(lease!);
    }
    await first.close();
    expect(await within(firstWaiting, 1000, 'return from next()')).toBeNull();
  });

  it('takes a job handed to it while it was busy first, and skips one whose lease was reclaimed meanwhile', async () => {
    const c = consumer(200);
    await queue.enqueue(ref, invocation());
    await c.ack(await take(c)); // idle from its ack, not waiting yet
    const handed = invocation();
    await queue.enqueue(ref, handed);
    const lease = await take(c);
    expect([lease.invocation.requestId, lease.attempt]).toEqual([handed.requestId, 1]);
    await c.ack(lease);

    // handed while it was idle, then it "paused" past the lease: the reaper gave the job back to pending
    const late = invocation({ type: 'RequestResponse' }); // reclaimed to pending (an event backs off to delayed)
    await queue.enqueue(ref, late);
    await waitFor(async () => ((await queue.reclaim(ref)).expired > 0) || undefined, 5000, 'the lease reclaimed', 20);
    const again = await take(c);
    expect([again.invocation.requestId, again.attempt]).toEqual([late.requestId, 2]);
  });

  it('gets a job handed to a consumer that died idle back to work once its lease ends', async () => {
    const k = queue.keys(ref);
    // a consumer that registered idle (visibility 50 ms) and died: nothing reads its list
    const now = Number((await admin.time())[0]) * 1000;
    await admin.zadd(k.idle, now, 'gone~50');
    await admin.zadd(k.idleUntil, now + 60_000, 'gone~50');
    const inv = invocation({ type: 'RequestResponse' });
    await queue.enqueue(ref, inv);
    expect(await admin.llen(`${k.wake}:gone~50`)).toBe(1);
    const alive = consumer();
    const next = alive.next(20_000);
    await waitFor(async () => ((await queue.reclaim(ref)).expired > 0) || undefined, 5000, 'the lease reclaimed', 20);
    const lease = await within(next, 5000, 'the job back');
    expect([lease?.invocation.requestId, lease?.attempt]).toEqual([inv.requestId, 2]);
  });

  it('gives the jobs handed to it back to pending when it closes', async () => {
    const c = consumer();
    await queue.enqueue(ref, invocation());
    await c.ack(await take(c)); // idle from its ack
    const inv = invocation();
    await queue.enqueue(ref, inv);
    expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 1 });
    await c.close();
    expect(await queue.depth(ref)).toEqual({ pending: 1, inFlight: 0 });
    const lease = await take(consumer());
    expect([lease.invocation.requestId, lease.attempt]).toEqual([inv.requestId, 2]);
  });

  it('unblocks a waiting next() promptly on close(), which then returns null', async () => {
    const c = consumer();
    const waiting = c.next(20_000);
    await waitUntilBlocked();
    const started = Date.now();
    await c.close();
    expect(await within(waiting, 1000, 'return from next()')).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await c.next(1000)).toBeNull();
  });

  it('purges every key of the queue', async () => {
    await queue.enqueue(ref, invocation());
    await queue.enqueue(ref, invocation());
    const c = consumer();
    const lease = await take(c);
    expect((await keysOfPrefix()).length).toBeGreaterThan(0);
    await queue.purge(ref);
    expect(await keysOfPrefix()).toEqual([]);
    expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 0 });
    await expect(c.ack(lease)).rejects.toMatchObject({ name: 'LeaseLostError' });
  });

  it('builds every key of a queue under one hash tag, so its scripts can run on Redis Cluster', async () => {
    const keys = allKeys(queueKeys({ namespace: 'team-a', functionName: 'resize', version: '$LATEST' }, 'kl'));
    expect(keys.every((k) => k.startsWith('kl:{team-a/resize/$LATEST}:'))).toBe(true);
    expect(new Set(keys.map(keySlot)).size).toBe(1);
    expect(new Set(keys).size).toBe(keys.length);
    const other = allKeys(queueKeys({ namespace: 'team-a', functionName: 'resize', version: '2' }, 'kl'));
    expect(keySlot(other[0] ?? '')).not.toBe(keySlot(keys[0] ?? ''));
  });

  it('refuses names that would break the hash tag', () => {
    expect(() => queueKeys({ namespace: 'ns', functionName: 'a}b', version: '1' })).toThrow(InvalidQueueNameError);
    expect(() => queueKeys(ref, 'pre{fix')).toThrow(InvalidQueueNameError);
    expect(() => queueKeys({ namespace: '', functionName: 'f', version: '1' })).toThrow(InvalidQueueNameError);
  });
});

/** Fails instead of hanging when `p` does not settle in time. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Waits until a consumer's blocking connection is parked in BLMOVE on the server. */
async function waitUntilBlocked(): Promise<void> {
  await waitFor(async () => {
    const list = await clientLists(admin);
    return list.split('\n').some((line) => line.includes(`name=${prefix} `) && line.includes('cmd=blpop')) || undefined;
  }, 5000, 'a consumer blocked in BLPOP', 5);
}
