// Sync callers on a Redis Cluster whose master dies: the callers whose reply list that master served get a 500
// ServiceException at once (the reply their BLPOP held, or one not yet replicated, may be gone), not after the
// function's 60 s timeout; a caller whose list another master serves keeps waiting and gets its result, and once the
// replica has taken over, invokes on the lost master's slots answer again.
import { QueueConsumer } from '../../src/queue/consumer.js';
import { keySlot } from '../../src/queue/key-slot.js';
import { replyListKey } from '../../src/queue/keys.js';
import { startRedisCluster, type RedisClusterHandle } from '../helpers/redis-cluster.js';
import { randomPrefix } from '../helpers/redis.js';
import { invokeSync, latest, startSyncRouter, type SyncRouter } from '../helpers/sync-router.js';
import { waitFor } from '../helpers/wait.js';

let cluster: RedisClusterHandle;
let router: SyncRouter;
let keyPrefix: string;

beforeAll(async () => {
  cluster = await startRedisCluster();
  keyPrefix = randomPrefix();
  router = await startSyncRouter(cluster.url, keyPrefix, 60);
}, 60_000);

afterAll(async () => {
  await router?.stop();
  await cluster?.stop();
});

/** The master serving this router's reply list (and the queue: they share the hash tag) of a function. */
const masterOf = (fn: string): Promise<number> => cluster.masterOf(keySlot(replyListKey(latest(fn), router.replies.routerId, keyPrefix)));

/** Answers every job of `fn` with {echo: event.caller} until stopped. */
function serve(fn: string): { stop(): Promise<void> } {
  const agent = new QueueConsumer(cluster.url, latest(fn), { keyPrefix, visibilityTimeoutMs: 30_000 });
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const lease = await agent.next(200).catch(() => null);
      if (!lease) continue;
      const event = JSON.parse(lease.invocation.payload) as { caller: unknown };
      await agent.ack(lease, { requestId: lease.invocation.requestId, payload: JSON.stringify({ echo: event.caller }), executedVersion: '$LATEST', durationMs: 1 });
    }
  })();
  return { stop: async () => { stopped = true; await loop; await agent.close(); } };
}

it('answers the callers of the dead master\'s lists 500 ServiceException at once; the others get their results', async () => {
  // two functions whose lists live on different masters
  const victim = 'f0';
  const victimMaster = await masterOf(victim);
  let other = '';
  for (let i = 1; !other; i++) if ((await masterOf(`f${i}`)) !== victimMaster) other = `f${i}`;

  // a call on each at once first, so two readers' connections are ready and kept (a Cluster client still connecting
  // when a master dies fails its ready check and reconnects, which answers its callers too)
  const warming = [victim, other].map((fn) => invokeSync(router, fn, { caller: 'warm' }));
  await waitFor(() => (router.replies.pending === 2 ? true : undefined), 10_000, 'two callers waiting');
  const warm = [serve(victim), serve(other)];
  try {
    expect((await Promise.all(warming)).map((a) => a.body)).toEqual([{ echo: 'warm' }, { echo: 'warm' }]);
  } finally {
    await Promise.all(warm.map((a) => a.stop()));
  }

  const lost = [0, 1].map((caller) => invokeSync(router, victim, { caller }));
  const kept = invokeSync(router, other, { caller: 'kept' });
  await waitFor(() => (router.replies.pending === 3 ? true : undefined), 10_000, 'three callers waiting');
  await waitFor(async () => ((await router.queue.depth(latest(victim))).pending === 2 && (await router.queue.depth(latest(other))).pending === 1 ? true : undefined),
    10_000, 'their jobs queued');
  await cluster.kill(victimMaster);

  for (const a of await Promise.all(lost)) {
    expect([a.status, a.errorType, a.body.Message])
      .toEqual([500, 'ServiceException', 'The queue connection was lost while waiting for the result; the invocation may have run.']);
  }
  expect(router.replies.pending).toBe(1);

  // the replica takes over; the caller on the other master was never told anything but its result
  await cluster.untilHealthy();
  const agents = [serve(victim), serve(other)];
  try {
    expect(await kept).toEqual({ status: 200, errorType: null, body: { echo: 'kept' } });
    const again = await waitFor(async () => {
      const a = await invokeSync(router, victim, { caller: 'again' });
      return a.status === 200 ? a : undefined;
    }, 20_000, 'an invoke on the promoted replica answered', 200);
    expect(again.body).toEqual({ echo: 'again' });
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
  }
}, 60_000);

