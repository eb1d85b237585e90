// At-least-once delivery against a real Redis: jobs of dead consumers come back, live leases are never stolen, the reaper logs.
import { randomUUID } from 'node:crypto';
import type { Invocation, InvocationResult } from '../../src/core/invocation.js';
import { jsonLogger } from '../../src/core/logger.js';
import type { Lease, QueueRef } from '../../src/core/queue-contract.js';
import { QueueConsumer } from '../../src/queue/consumer.js';
import { LeaseLostError } from '../../src/queue/errors.js';
import { queueKeys, replyListKey } from '../../src/queue/keys.js';
import { Reaper } from '../../src/queue/reaper.js';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let server: TestRedis;
let admin: RedisConnection;
let prefix: string;
let queue: WorkQueue;
const consumers: QueueConsumer[] = [];
const ref: QueueRef = { namespace: 'default', functionName: 'worker', version: '$LATEST' };

beforeAll(async () => { server = await useRedis(); admin = connectRedis(server.url); });
afterAll(async () => { admin.disconnect(); await server.stop(); });
beforeEach(() => { prefix = randomPrefix(); queue = new WorkQueue(admin, { keyPrefix: prefix, stalledAfterMs: 0 }); });
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.close()));
  await queue.purge(ref);
});

function consumer(visibilityTimeoutMs = 30_000): QueueConsumer {
  const c = new QueueConsumer(server.url, ref, { keyPrefix: prefix, visibilityTimeoutMs });
  consumers.push(c);
  return c;
}

function invocation(extra: Partial<Invocation> = {}): Invocation {
  return {
    requestId: randomUUID(), functionName: 'worker', version: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:worker',
    payload: '{}', type: 'Event', acceptedAt: Date.now(), traceId: 'Root=1-00000000-000000000000000000000000', ...extra,
  };
}

async function take(c: QueueConsumer): Promise<Lease> {
  const lease = await c.next(2000);
  if (!lease) throw new Error('expected a job, got none');
  return lease;
}

/** What a consumer's BLMOVE does, without the lease that follows it. */
const moveToActiveWithoutLease = (): Promise<string | null> => {
  const k = queueKeys(ref, prefix);
  return admin.lmove(k.pending, k.active, 'LEFT', 'RIGHT');
};

describe('reclaiming the jobs of consumers that went away', () => {
  it('reclaims a job whose consumer died and redelivers it with the same request id', async () => {
    const inv = invocation();
    await queue.enqueue(ref, inv);
    const dying = consumer(200);
    expect((await take(dying)).attempt).toBe(1);
    await dying.close(); // dies holding the job, without ack

    expect(await queue.reclaimExpired(ref)).toBe(0); // the lease has not expired yet
    await waitFor(async () => ((await queue.reclaimExpired(ref)) === 1) || undefined, 5000, 'the lease to expire and the job to be reclaimed', 10);
    expect(await queue.depth(ref)).toEqual({ pending: 1, inFlight: 0 });

    const again = await take(consumer());
    expect(again.invocation).toEqual(inv);
    expect(again.attempt).toBe(2);
  });

  it('never reclaims a job whose lease is still running', async () => {
    await queue.enqueue(ref, invocation());
    const c = consumer(30_000);
    const lease = await take(c);
    expect(await queue.reclaimExpired(ref)).toBe(0);
    expect(await queue.reclaimExpired(ref)).toBe(0);
    expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 1 });
    await c.ack(lease);
  });

  it('reclaims a job left in active without a lease, but only on a later pass than the one that first saw it', async () => {
    const inv = invocation();
    await queue.enqueue(ref, inv);
    expect(await moveToActiveWithoutLease()).toBe(inv.requestId); // an agent of an older klambda (BLMOVE, then lease) died in between

    expect(await queue.reclaim(ref)).toEqual({ expired: 0, stalled: 0, dead: 0, pending: 0 }); // first sight: only marked
    expect(await queue.reclaim(ref)).toEqual({ expired: 0, stalled: 1, dead: 0, pending: 1 });
    const lease = await take(consumer());
    expect(lease.invocation.requestId).toBe(inv.requestId);
    expect(lease.attempt).toBe(1); // it was never delivered to a handler
  });

  it('never reclaims a job whose lease its consumer keeps extending, and reclaims it once the extensions stop', async () => {
    const inv = invocation();
    await queue.enqueue(ref, inv);
    const c = consumer(1500);
    const lease = await take(c);
    const first = lease.leaseExpiresAt;
    // extend past several lease lengths (a long run, or a re-init inside the run), the reaper looking each time
    for (let i = 0; i < 3; i++) {
      await waitFor(async () => (Date.now() > lease.leaseExpiresAt - 1000 ? true : undefined), 5000, 'the lease near its end', 10);
      const deadline = await c.extendLease(lease);
      expect(deadline).toBeGreaterThan(Date.now());
      expect(await queue.reclaim(ref)).toEqual({ expired: 0, stalled: 0, dead: 0, pending: 0 });
    }
    expect(lease.leaseExpiresAt).toBeGreaterThan(first);
    // no more extensions: once it runs out, the job goes back, and the old holder can neither extend nor ack it
    await waitFor(async () => ((await queue.reclaim(ref)).expired === 1 ? true : undefined), 5000, 'the lease to run out', 20);
    await expect(c.extendLease(lease)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(c.ack(lease)).rejects.toBeInstanceOf(LeaseLostError);
    const again = await take(consumer());
    expect([again.invocation.requestId, again.attempt]).toEqual([inv.requestId, 2]);
    await consumers[consumers.length - 1]!.ack(again);
  });

  it('waits stalledAfterMs before reclaiming a job that was never leased', async () => {
    const patient = new WorkQueue(admin, { keyPrefix: prefix, stalledAfterMs: 60_000 });
    await patient.enqueue(ref, invocation());
    await moveToActiveWithoutLease();
    expect(await patient.reclaimExpired(ref)).toBe(0);
    expect(await patient.reclaimExpired(ref)).toBe(0);
    expect(await patient.depth(ref)).toEqual({ pending: 0, inFlight: 1 });
  });

  it('puts reclaimed jobs back in front of newer ones, oldest first', async () => {
    const [a, b, c] = [invocation(), invocation(), invocation()];
    await queue.enqueue(ref, a);
    await queue.enqueue(ref, b);
    const dying = consumer(100);
    await take(dying);
    await take(dying);
    await dying.close();
    await queue.enqueue(ref, c);
    // both leases must have expired before the one pass that puts them back (they may be a millisecond apart)
    const leases = queue.keys(ref).leases;
    await waitFor(async () => ((await admin.zcount(leases, '-inf', String(Date.now() - 1))) === 2) || undefined, 5000, 'both leases to expire', 10);
    expect(await queue.reclaimExpired(ref)).toBe(2);
    const next = consumer();
    const order = [(await take(next)).invocation.requestId, (await take(next)).invocation.requestId, (await take(next)).invocation.requestId];
    expect(order).toEqual([a.requestId, b.requestId, c.requestId]);
  });

  it('rejects the ack of a lease that was reclaimed and redelivered, and answers nothing: the current holder answers', async () => {
    const replyTo = randomUUID();
    const inv = invocation({ type: 'RequestResponse', replyTo });
    await queue.enqueue(ref, inv);
    const slow = consumer(100);
    const stale = await take(slow);
    await waitFor(async () => ((await queue.reclaimExpired(ref)) === 1) || undefined, 5000, 'the slow lease to be reclaimed', 10);
    const fast = consumer();
    const current = await take(fast);
    expect(current.attempt).toBe(2);

    const late: InvocationResult = { requestId: inv.requestId, payload: '"late"', executedVersion: '$LATEST', durationMs: 150 };
    await expect(slow.ack(stale, late)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(slow.release(stale)).rejects.toBeInstanceOf(LeaseLostError);
    const list = replyListKey(ref, replyTo, prefix);
    expect(await admin.llen(list)).toBe(0);
    expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 1 }); // the redelivery is untouched
    await fast.ack(current, { ...late, payload: '"current"' });
    expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 0 });
    expect(await admin.lrange(list, 0, -1)).toEqual([JSON.stringify({ ...late, payload: '"current"' })]);
    await admin.del(list);
  });
});

describe('Reaper', () => {
  it('reclaims on every pass over the queues it is given and logs what it reclaimed', async () => {
    const lines: string[] = [];
    const logger = jsonLogger({ write: (s: string) => lines.push(s) }, { component: 'test' });
    const reaper = new Reaper({ queue, queues: async () => [ref], intervalMs: 20, logger });
    const inv = invocation();
    await queue.enqueue(ref, inv);
    const dying = consumer(50);
    await take(dying);
    await dying.close();
    reaper.start();
    try {
      await waitFor(async () => (lines.length > 0) || undefined, 5000, 'the reaper to log a reclaim', 10);
    } finally {
      await reaper.stop();
    }
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'warn', component: 'test', queue: 'default/worker/$LATEST', expired: 1, stalled: 0 });
    expect(typeof entry.time).toBe('string');
    expect((await take(consumer())).invocation.requestId).toBe(inv.requestId);
  });

  it('logs a queue that fails and carries on with the others', async () => {
    const lines: string[] = [];
    const broken = { reclaim: async () => { throw new Error('boom'); } };
    const reaper = new Reaper({ queue: broken, queues: () => [ref, ref], intervalMs: 1000, logger: jsonLogger({ write: (s: string) => lines.push(s) }) });
    expect(await reaper.runOnce()).toBe(0);
    expect(lines.map((l) => JSON.parse(l) as { level: string; error: string })).toEqual([
      expect.objectContaining({ level: 'error', error: 'Error: boom' }),
      expect.objectContaining({ level: 'error', error: 'Error: boom' }),
    ]);
  });

  it('starts no pass after stop()', async () => {
    let passes = 0;
    const reaper = new Reaper({ queue, queues: () => { passes++; return []; }, intervalMs: 5, logger: jsonLogger({ write: () => true }) });
    reaper.start();
    await waitFor(async () => (passes >= 3) || undefined, 5000, 'a few passes', 10);
    await reaper.stop();
    const after = passes;
    await new Promise((r) => setTimeout(r, 50)); // a stretch of 10 intervals in which nothing may happen
    expect(passes).toBe(after);
  });
});
