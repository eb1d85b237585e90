// Many consumers on one queue against a real Redis: every job is delivered, and acked exactly once.
import { randomUUID } from 'node:crypto';
import type { Invocation } from '../../src/core/invocation.js';
import type { QueueRef } from '../../src/core/queue-contract.js';
import { QueueConsumer } from '../../src/queue/consumer.js';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { keysMatching, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let admin: RedisConnection;
beforeAll(async () => { server = await useRedis(); admin = connectRedis(server.url); });
afterAll(async () => { admin.disconnect(); await server.stop(); });

const ref: QueueRef = { namespace: 'default', functionName: 'busy', version: '3' };

const invocation = (n: number): Invocation => ({
  requestId: randomUUID(), functionName: 'busy', version: '3',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:busy:3',
  payload: JSON.stringify({ n }), type: 'Event', acceptedAt: Date.now(), traceId: 'Root=1-00000000-000000000000000000000000',
});

it('acks each of 200 jobs exactly once across 8 competing consumers', async () => {
  const prefix = randomPrefix();
  const queue = new WorkQueue(admin, { keyPrefix: prefix });
  const jobs = Array.from({ length: 200 }, (_, n) => invocation(n));
  const consumers = Array.from({ length: 8 }, () => new QueueConsumer(server.url, ref, { keyPrefix: prefix, visibilityTimeoutMs: 30_000 }));
  const acked = new Map<string, number>();
  const byConsumer = consumers.map(() => 0);
  try {
    // Consumers start waiting first, so they race for jobs as they arrive as well as for a backlog.
    const workers = consumers.map(async (c, i) => {
      while (acked.size < jobs.length) {
        const lease = await c.next(200);
        if (!lease) continue;
        await new Promise((r) => setImmediate(r)); // let the others interleave while this one "runs" the job
        await c.ack(lease);
        acked.set(lease.invocation.requestId, (acked.get(lease.invocation.requestId) ?? 0) + 1);
        byConsumer[i] = (byConsumer[i] ?? 0) + 1;
      }
    });
    await Promise.all(jobs.slice(0, 100).map((j) => queue.enqueue(ref, j)));
    for (const j of jobs.slice(100)) await queue.enqueue(ref, j);
    await Promise.all(workers);

    expect(acked.size).toBe(200);
    expect([...acked.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(acked.keys())).toEqual(new Set(jobs.map((j) => j.requestId)));
    expect(byConsumer.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 0 });
    // closed consumers leave the idle set: nothing is left behind
    await Promise.all(consumers.map((c) => c.close()));
    expect(await keysMatching(admin, `${prefix}:*`)).toEqual([]);
  } finally {
    await Promise.all(consumers.map((c) => c.close()));
    await queue.purge(ref);
  }
});

it('never leaves a taken job without its lease: a reaper running all along finds nothing to reclaim and nothing runs twice', async () => {
  const prefix = randomPrefix();
  // stalledAfterMs 0: a job seen active without a lease on two passes would be taken back at once
  const queue = new WorkQueue(admin, { keyPrefix: prefix, stalledAfterMs: 0 });
  const jobs = Array.from({ length: 150 }, (_, n) => invocation(n));
  const consumers = Array.from({ length: 6 }, () => new QueueConsumer(server.url, ref, { keyPrefix: prefix, visibilityTimeoutMs: 30_000 }));
  const taken = new Map<string, number>();
  let reclaimed = 0;
  let done = false;
  try {
    const reaper = (async () => {
      while (!done) {
        const c = await queue.reclaim(ref);
        reclaimed += c.expired + c.stalled + c.dead;
      }
    })();
    const workers = consumers.map(async (c) => {
      while (taken.size < jobs.length) {
        const lease = await c.next(200);
        if (!lease) continue;
        taken.set(lease.invocation.requestId, (taken.get(lease.invocation.requestId) ?? 0) + 1);
        await c.ack(lease);
      }
    });
    for (const j of jobs) await queue.enqueue(ref, j);
    await Promise.all(workers);
    done = true;
    await reaper;
    expect(reclaimed).toBe(0);
    expect(taken.size).toBe(150);
    expect([...taken.values()].every((n) => n === 1)).toBe(true);
  } finally {
    done = true;
    await Promise.all(consumers.map((c) => c.close()));
    await queue.purge(ref);
  }
});
