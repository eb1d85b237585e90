// Sync callers whose reply cannot arrive: Redis is SIGKILLed under a router with callers waiting on a 60 s function.
// They get a 500 ServiceException at once (not after 60 s + grace), a call made while Redis is down gets one too, and
// once Redis is back on its port (with its append-only file) invokes answer again, each caller with its own result.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer, type RedisServerHandle } from '../../src/local/redis-server.js';
import { QueueConsumer } from '../../src/queue/consumer.js';
import { replyListKey } from '../../src/queue/keys.js';
import { randomPrefix } from '../helpers/redis.js';
import { invokeSync, latest, startSyncRouter, type SyncRouter } from '../helpers/sync-router.js';
import { waitFor } from '../helpers/wait.js';

/** `slow` has a 60 s timeout: a caller answered within this test's 30 s was not timed out. */
const FUNCTION_TIMEOUT_S = 60;
const slow = latest('slow');

/** Everything redis-server's append-only files hold (Redis 7: a folder of base and incremental files). */
function appendOnlyText(dir: string): string {
  const aof = join(dir, 'appendonlydir');
  if (!existsSync(aof)) return '';
  return readdirSync(aof).map((f) => readFileSync(join(aof, f), 'latin1')).join('');
}

let dataDir: string;
let port: number;
let redis: RedisServerHandle;
let router: SyncRouter;
let keyPrefix: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'klambda-redis-lost-'));
  port = await freePort();
  redis = await startRedisServer({ port, dataDir });
  keyPrefix = randomPrefix();
  router = await startSyncRouter(redis.url, keyPrefix, FUNCTION_TIMEOUT_S);
});

afterAll(async () => {
  await router?.stop();
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a router whose Redis dies while sync callers wait', () => {
  it('answers every waiting caller with a 500 ServiceException saying the connection was lost, not after the function timeout', async () => {
    const waiting = [0, 1, 2].map((caller) => invokeSync(router, 'slow', { caller }));
    // queued (no agent takes them), their callers waiting, and the jobs in the append-only file for after the restart
    await waitFor(() => (router.replies.pending === 3 ? true : undefined), 10_000, 'three callers waiting');
    await waitFor(async () => ((await router.queue.depth(slow)).pending === 3 ? true : undefined), 10_000, 'three jobs queued');
    await waitFor(() => ([0, 1, 2].every((c) => appendOnlyText(dataDir).includes(`\\"caller\\":${c}`)) ? true : undefined), 10_000, 'the jobs in the append-only file');
    process.kill(redis.pid, 'SIGKILL');
    await redis.exited;

    const answers = await Promise.all(waiting);
    for (const a of answers) {
      expect(a.status).toBe(500);
      expect(a.errorType).toBe('ServiceException');
      expect(a.body.Message).toBe('The queue connection was lost while waiting for the result; the invocation may have run.');
    }
    expect(router.replies.pending).toBe(0);
  });

  it('refuses a new sync call while Redis is down with a 500 ServiceException, queueing nothing, instead of holding it', async () => {
    const a = await invokeSync(router, 'slow', { caller: 'while-down' });
    expect([a.status, a.errorType]).toEqual([500, 'ServiceException']);
    expect(a.body.Message).toBe('The queue is unreachable (the router lost its connection to Redis); the invocation was not queued.');
    expect(router.replies.pending).toBe(0);
  });

  it('answers a sync call 500 ServiceException on a router that never read a reply before Redis went down', async () => {
    const fresh = await startSyncRouter(redis.url, randomPrefix(), FUNCTION_TIMEOUT_S);
    try {
      const a = await invokeSync(fresh, 'slow', { caller: 'fresh-router' });
      expect([a.status, a.errorType]).toEqual([500, 'ServiceException']);
      // its reply connection fails first (answered at once), or ioredis gives up on the enqueue
      expect(a.body.Message).toMatch(/connection was lost|could not be queued/);
      expect(fresh.replies.pending).toBe(0);
    } finally {
      await fresh.stop();
    }
  });

  it('invokes again once Redis is back on its port; the restored jobs\' late replies reach nobody, each caller gets its own', async () => {
    redis = await startRedisServer({ port, dataDir });
    await waitFor(() => (router.replies.reachable && router.commands.status === 'ready' ? true : undefined), 20_000, 'the router connected again');
    // the jobs the killed callers left are still queued (append-only file): an agent runs them and replies to nobody
    expect((await router.queue.depth(slow)).pending).toBe(3);
    const agent = new QueueConsumer(redis.url, slow, { keyPrefix, visibilityTimeoutMs: 30_000 });
    let stopped = false;
    const serving = (async () => {
      while (!stopped) {
        const lease = await agent.next(200);
        if (!lease) continue;
        const event = JSON.parse(lease.invocation.payload) as { caller: number };
        await agent.ack(lease, { requestId: lease.invocation.requestId, payload: JSON.stringify({ echo: event.caller }), executedVersion: '$LATEST', durationMs: 1 });
      }
    })();
    try {
      // acked, so replied (one script): the reader left over from before the kill may already have read one past
      await waitFor(async () => { const d = await router.queue.depth(slow); return d.pending + d.inFlight === 0 ? true : undefined; }, 10_000, 'the restored jobs answered');
      const a = await invokeSync(router, 'slow', { caller: 7 });
      expect([a.status, a.errorType, a.body]).toEqual([200, null, { echo: 7 }]);
      expect(router.replies.pending).toBe(0);
      // read past on the way to its own, and dropped
      expect(await router.commands.llen(replyListKey(slow, router.replies.routerId, keyPrefix))).toBe(0);
    } finally {
      stopped = true;
      await serving;
      await agent.close();
    }
  });
});
