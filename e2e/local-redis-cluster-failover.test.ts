// klambda dev on a 3-master Redis Cluster while the master holding a function's queue dies (SIGKILL): its replica takes
// its slots, and every invocation accepted before, while it was down, and after is run at least once. Async ones were
// answered 202 only once a replica had them (WAIT), so none is lost. A sync call waiting while its reply list's master
// died is answered at once with a ServiceException that says it may have run (the router cannot know whether the dead
// master had its reply: src/router/replies.ts), and it does run; once the replica serves the slots, sync calls are
// answered with their result. The dead node comes back as a replica, gets the agents' users again, and serves the slots
// once more after a manual failover, with the agents working on it as their own users.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueueRef } from '../src/core/queue-contract.js';
import { connectRedis, type RedisConnection } from '../src/queue/connection.js';
import { keySlot } from '../src/queue/key-slot.js';
import { agentUserName, queueKeys } from '../src/queue/keys.js';
import { WorkQueue } from '../src/queue/work-queue.js';
import { startRedisCluster, type RedisClusterHandle } from '../test/helpers/redis-cluster.js';
import { decode, fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

const outDir = sharedOutDir('klambda-cluster-failover-');

// each run appends its event's id; a `gated` one first waits for the test's `go` file (so it is running, or queued behind
// the running ones, when the master dies)
const recorder = fn('rec', 'nodejs20', 'index.handler', {
  'index.mjs': `import { appendFileSync, existsSync } from 'node:fs';
export const handler = async (event) => {
  while (event.gated && !existsSync(process.env.OUT_DIR + '/go')) await new Promise((r) => setTimeout(r, 50));
  appendFileSync(process.env.OUT_DIR + '/runs.log', event.id + '\\n');
  return { id: event.id };
};`,
}, `  timeoutSeconds: 60\n  environment: {OUT_DIR: "${outDir}"}\n`);

const rec: QueueRef = { namespace: 'default', functionName: 'rec', version: '$LATEST' };

let cluster: RedisClusterHandle;
let f: Fixture;
let admin: RedisConnection;
beforeAll(async () => {
  cluster = await startRedisCluster();
  f = await startFixture({ 'rec.yaml': recorder }, { redisUrl: cluster.url, visibilityGraceMs: 1000, maxEnvironments: 4 });
  admin = connectRedis(cluster.url);
}, 60_000);
afterAll(async () => {
  admin?.disconnect();
  await f?.stop();
  await cluster?.stop();
});

const runs = (): string[] => {
  const file = join(outDir, 'runs.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
};
const ids = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

async function sendAsync(id: string, gated = false): Promise<void> {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'rec', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ id, gated })) }));
  expect(out.StatusCode).toBe(202);
}

async function sendSync(id: string, gated = false): Promise<void> {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'rec', Payload: Buffer.from(JSON.stringify({ id, gated })) }));
  expect([out.StatusCode, out.FunctionError, decode(out.Payload)]).toEqual([200, undefined, { id }]);
}

/** A sync call made while a master is failing: its result, or the router's word that its reply connection was lost. */
async function sendSyncThroughFailover(id: string, gated = false): Promise<'answered' | 'lost'> {
  try {
    await sendSync(id, gated);
    return 'answered';
  } catch (err) {
    expect(err).toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 500 } });
    expect((err as Error).message).toMatch(/lost while waiting for the result; the invocation may have run/);
    return 'lost';
  }
}

/** Resolves when every id has run at least once (at-least-once: a run cut short by the failover may run again). */
const untilRun = (all: string[], what: string) =>
  waitFor(() => { const done = new Set(runs()); return all.every((id) => done.has(id)) || undefined; }, 60_000, what, 100);

it('runs every invocation accepted before, during and after a failover of the queue\'s master, and after a failover back', async () => {
  const slot = keySlot(queueKeys(rec, f.local.keyPrefix).pending);
  await sendSync('warm');
  const master = await cluster.masterOf(slot);

  // before: sync calls and events running (4 environments at most) or queued behind them when the master dies
  const before = ids('before', 12);
  const beforeSync = ids('before-sync', 3);
  const beforeSyncCalls = beforeSync.map((id) => sendSyncThroughFailover(id, true));
  for (const id of before) await sendAsync(id, true);
  const queue = new WorkQueue(admin, { keyPrefix: f.local.keyPrefix });
  await waitFor(async () => {
    const d = await queue.depth(rec);
    return (d.inFlight === 4 && d.pending + d.inFlight === before.length + beforeSync.length) || undefined;
  }, 30_000, '4 runs in flight, the rest queued');

  await cluster.kill(master);
  // sent while the slots have no master: the router's enqueue waits through the client's retries
  const during = ids('during', 5);
  const duringSync = ids('during-sync', 3);
  const duringCalls = [...during.map((id) => sendAsync(id)), ...duringSync.map((id) => sendSyncThroughFailover(id))];
  await waitFor(async () => ((await cluster.masterOf(slot).catch(() => master)) !== master) || undefined, 30_000, 'the replica to take the slots', 100);
  expect(runs()).toEqual(['warm']);
  writeFileSync(join(outDir, 'go'), '');
  await Promise.all([...beforeSyncCalls, ...duringCalls]);

  // the router answers sync calls with their results again (each probe that was answered otherwise still runs)
  let probes = 0;
  await waitFor(async () => ((await sendSyncThroughFailover(`probe-${probes++}`)) === 'answered') || undefined, 30_000, 'a sync call answered again');
  const after = ids('after', 12);
  const afterSync = ids('after-sync', 3);
  await Promise.all([...after.map((id) => sendAsync(id)), ...afterSync.map((id) => sendSync(id))]);
  await untilRun([...before, ...beforeSync, ...during, ...duringSync, ...after, ...afterSync], 'every invocation of the first failover run');

  // the dead node rejoins as a replica of the promoted one, with no ACL users: the local mode notices (a new run_id)
  // and makes the agents' users on it again
  await cluster.restart(master);
  await cluster.untilHealthy();
  const user = agentUserName(rec, f.local.keyPrefix);
  const restarted = cluster.node(master);
  try {
    await waitFor(async () => ((await restarted.call('ACL', 'USERS')) as string[]).includes(user) || undefined, 30_000, 'the agents\' user on the restarted node', 200);
    // it serves the slots again: agents now reach their queue there, as their own user. FORCE: it has synced
    // (untilHealthy), so it needs no handshake with its master, only the masters' votes; an election lost on a busy
    // machine is asked again every 50 looks.
    let looks = 0;
    await waitFor(async () => {
      if ((await cluster.masterOf(slot)) === master) return true;
      if (looks++ % 50 === 0) await restarted.call('CLUSTER', 'FAILOVER', 'FORCE');
      return undefined;
    }, 60_000, 'the restarted node to take the slots back', 100);
  } finally {
    restarted.disconnect();
  }
  const back = ids('back', 10);
  const backSync = ids('back-sync', 3);
  await Promise.all([...back.map((id) => sendAsync(id)), ...backSync.map((id) => sendSync(id))]);
  await untilRun([...back, ...backSync], 'every invocation after the failover back');
}, 180_000);
