// A poison job against a real Redis: one whose consumer goes away on every delivery (it kills its runtime, agent or
// pod) is delivered at most maxDeliveries times, then given up to the queue's dead letters with the reason, its
// version's dead_letters counter up — never silently away, never back forever. Other jobs keep flowing.
import { randomUUID } from 'node:crypto';
import type { Invocation } from '../../src/core/invocation.js';
import type { QueueRef } from '../../src/core/queue-contract.js';
import { QueueConsumer } from '../../src/queue/consumer.js';
import { queueKeys } from '../../src/queue/keys.js';
import { DEFAULT_MAX_DELIVERIES, WorkQueue } from '../../src/queue/work-queue.js';
import { OutcomeQueue } from '../../src/queue/outcomes.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let server: TestRedis;
let admin: RedisConnection;
const prefix = randomPrefix();
const ref: QueueRef = { namespace: 'default', functionName: 'poison', version: '$LATEST' };
const consumers: QueueConsumer[] = [];

beforeAll(async () => { server = await useRedis(); admin = connectRedis(server.url); });
afterAll(async () => {
  await Promise.all(consumers.map((c) => c.close()));
  admin.disconnect();
  await server.stop();
});

const invocation = (type: Invocation['type'] = 'RequestResponse'): Invocation => ({
  requestId: randomUUID(), functionName: 'poison', version: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:poison',
  payload: '{"x":1}', type, acceptedAt: Date.now(), traceId: 'Root=1-00000000-000000000000000000000000',
});

/** A consumer that takes one job and goes away without acking (its lease runs out at once). */
async function dieWithNextJob(): Promise<{ requestId: string; attempt: number } | undefined> {
  const c = new QueueConsumer(server.url, ref, { keyPrefix: prefix, visibilityTimeoutMs: 1 });
  consumers.push(c);
  const lease = await c.next(0);
  await c.close();
  return lease ? { requestId: lease.invocation.requestId, attempt: lease.attempt } : undefined;
}

it(`gives a job up after ${DEFAULT_MAX_DELIVERIES} deliveries whose consumer went away, to the dead letters with the reason`, async () => {
  const queue = new WorkQueue(admin, { keyPrefix: prefix, stalledAfterMs: 0 });
  const poison = invocation();
  await queue.enqueue(ref, poison);
  const deliveries: number[] = [];
  for (let i = 0; i < DEFAULT_MAX_DELIVERIES; i++) {
    const taken = await dieWithNextJob();
    expect(taken?.requestId).toBe(poison.requestId);
    deliveries.push(taken!.attempt);
    // the lease (1 ms) has run out by the time the reaper looks
    const counts = await waitFor(async () => {
      const c = await queue.reclaim(ref);
      return c.expired + c.dead > 0 ? c : undefined;
    }, 5000, 'the expired lease reclaimed', 5);
    expect(counts).toEqual(i < DEFAULT_MAX_DELIVERIES - 1 ? { expired: 1, stalled: 0, dead: 0, pending: 1 } : { expired: 0, stalled: 0, dead: 1, pending: 0 });
  }
  expect(deliveries).toEqual([1, 2, 3, 4, 5]);
  // gone from the queue, not delivered again
  expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 0 });
  expect(await dieWithNextJob()).toBeUndefined();
  const k = queueKeys(ref, prefix);
  expect([await admin.hexists(k.jobs, poison.requestId), await admin.hexists(k.attempts, poison.requestId)]).toEqual([0, 0]);
  // kept with the reason, and counted
  const dead = await queue.deadLetters(ref);
  expect(dead).toHaveLength(1);
  expect(dead[0]).toMatchObject({ requestId: poison.requestId, attempts: 5, invocation: poison });
  expect(dead[0]!.reason).toMatch(/went away during each of 5 deliveries/);
  expect(await admin.hget(k.stats, 'dead_letters')).toBe('1');

  // a healthy job behind it runs as ever; enqueueing the dead job's id again starts it afresh
  const healthy = invocation();
  await queue.enqueue(ref, healthy);
  await queue.enqueue(ref, poison);
  const c = new QueueConsumer(server.url, ref, { keyPrefix: prefix, visibilityTimeoutMs: 30_000 });
  consumers.push(c);
  const first = await c.next(1000);
  const second = await c.next(1000);
  expect([first?.invocation.requestId, first?.attempt, second?.invocation.requestId, second?.attempt]).toEqual([healthy.requestId, 1, poison.requestId, 1]);
  await c.ack(first!);
  await c.ack(second!);
  // gone: idle since its ack, it would be handed the next test's event
  await c.close();
});

it('gives an async event up to the dispatcher (its failure destination decides), not to the dead letters', async () => {
  const queue = new WorkQueue(admin, { keyPrefix: prefix, stalledAfterMs: 0, maxDeliveries: 2 });
  const event = invocation('Event');
  await queue.enqueue(ref, event);
  const before = (await queue.deadLetters(ref)).length;
  for (let i = 0; i < 2; i++) {
    expect((await dieWithNextJob())?.requestId).toBe(event.requestId);
    await waitFor(async () => { const c = await queue.reclaim(ref); return c.expired + c.dead > 0 || undefined; }, 5000, 'reclaimed', 5);
  }
  const k = queueKeys(ref, prefix);
  const outcomes = await admin.lrange(k.outcomes, 0, -1);
  expect(outcomes.map((o) => JSON.parse(o) as unknown)).toEqual([{ invocation: JSON.stringify(event), notRun: 'DeliveryFailed' }]);
  expect(await queue.deadLetters(ref)).toHaveLength(before);
  expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 0 });
  await admin.del(k.outcomes);
});

it('backs an async event off, doubling, when its consumer went away, and the dispatcher moves it back when due', async () => {
  const queue = new WorkQueue(admin, { keyPrefix: prefix, stalledAfterMs: 0, eventBackoff: { baseMs: 200, maxMs: 300 } });
  const outcomes = new OutcomeQueue(admin, prefix);
  const k = queueKeys(ref, prefix);
  const event = invocation('Event');
  await queue.enqueue(ref, event);
  const redisNow = async (): Promise<number> => { const [sec, micros] = await admin.time(); return Number(sec) * 1000 + Number(micros) / 1000; };
  for (const expected of [200, 300, 300]) { // 200 ms, then 400 ms capped at 300 ms
    expect((await dieWithNextJob())?.requestId).toBe(event.requestId);
    let before = 0;
    let after = 0;
    await waitFor(async () => {
      before = await redisNow();
      const c = await queue.reclaim(ref);
      after = await redisNow();
      return c.expired === 1 ? true : undefined;
    }, 5000, 'reclaimed', 5);
    // not pending but delayed, due `expected` ms after the reclaim (which ran between before and after)
    expect(await queue.depth(ref)).toEqual({ pending: 0, inFlight: 0 });
    const due = Number(await admin.zscore(k.delayed, event.requestId));
    expect(due - before).toBeGreaterThanOrEqual(expected - 1);
    expect(due - after).toBeLessThanOrEqual(expected + 1);
    await waitFor(async () => ((await outcomes.promote(ref)) === 1 ? true : undefined), 5000, 'the event due again', 20);
    expect(await queue.depth(ref)).toEqual({ pending: 1, inFlight: 0 });
  }
  await queue.purge(ref);
});

it('caps nothing with maxDeliveries 0', async () => {
  const queue = new WorkQueue(admin, { keyPrefix: prefix, stalledAfterMs: 0, maxDeliveries: 0 });
  const inv = invocation();
  await queue.enqueue(ref, inv);
  for (let i = 0; i < DEFAULT_MAX_DELIVERIES + 2; i++) {
    expect((await dieWithNextJob())?.attempt).toBe(i + 1);
    await waitFor(async () => ((await queue.reclaim(ref)).expired === 1 ? true : undefined), 5000, 'reclaimed', 5);
  }
  expect((await queue.depth(ref)).pending).toBe(1);
  await queue.purge(ref);
});
