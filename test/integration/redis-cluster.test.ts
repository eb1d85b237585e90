// klambda's Redis code on a real 3-master Redis Cluster (a replica each): agents' users on every node, an agent sealed
// to its own version there too, an enqueue that returns once a replica has the job, and a node that restarts getting
// the agents' users again.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisRestartWatch } from '../../src/controller/redis-restarts.js';
import type { Invocation } from '../../src/core/invocation.js';
import { silentLogger } from '../../src/core/logger.js';
import type { QueueRef } from '../../src/core/queue-contract.js';
import { newPassword, redisUrlFor } from '../../src/queue/acl.js';
import { AgentUsers } from '../../src/queue/agent-users.js';
import { connectRedis, replicasOf, serversOf, type RedisConnection } from '../../src/queue/connection.js';
import { QueueConsumer } from '../../src/queue/consumer.js';
import { keySlot } from '../../src/queue/key-slot.js';
import { queueKeys } from '../../src/queue/keys.js';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { startRedisCluster, type RedisClusterHandle } from '../helpers/redis-cluster.js';
import { randomPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let cluster: RedisClusterHandle;
let admin: RedisConnection;
let prefix: string;
const open: Array<{ disconnect(): void } | QueueConsumer> = [];
const mine: QueueRef = { namespace: 'team-a', functionName: 'hello', version: '1' };
const victim: QueueRef = { namespace: 'team-b', functionName: 'payroll', version: '$LATEST' };

beforeAll(async () => { cluster = await startRedisCluster(); admin = connectRedis(cluster.url); }, 60_000);
afterAll(async () => { admin?.disconnect(); await cluster?.stop(); });
beforeEach(() => { prefix = randomPrefix(); });
afterEach(async () => {
  for (const c of open.splice(0)) { if (c instanceof QueueConsumer) await c.close(); else c.disconnect(); }
});

function invocation(ref: QueueRef): Invocation {
  return {
    requestId: randomUUID(), functionName: ref.functionName, version: ref.version,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${ref.functionName}`,
    payload: '{}', type: 'Event', acceptedAt: Date.now(), traceId: 'Root=1-0-0',
  };
}

/** ACL USERS of one node, asked directly. */
async function usersOn(port: number): Promise<string[]> {
  const r = cluster.node(port);
  try { return (await r.call('ACL', 'USERS')) as string[]; } finally { r.disconnect(); }
}

it('makes and deletes an agent\'s user on every node, masters and replicas', async () => {
  const users = new AgentUsers(admin, prefix);
  const name = await users.ensure(mine, [newPassword()]);
  expect((await serversOf(admin)).length).toBe(6);
  for (const port of cluster.ports) expect(await usersOn(port)).toContain(name);
  expect(await users.list()).toEqual([name]);
  await users.remove(mine);
  for (const port of cluster.ports) expect(await usersOn(port)).not.toContain(name);
});

it('lets an agent work its own queue through the cluster client, and nothing of another version on any node', async () => {
  const users = new AgentUsers(admin, prefix);
  const password = newPassword();
  const url = redisUrlFor(cluster.url, await users.ensure(mine, [password]), password);
  try {
    const queue = new WorkQueue(admin, { keyPrefix: prefix });
    const job = invocation(mine);
    await queue.enqueue(mine, job);
    await queue.enqueue(victim, invocation(victim));
    const consumer = new QueueConsumer(url, mine, { keyPrefix: prefix, visibilityTimeoutMs: 10_000 });
    open.push(consumer);
    const lease = await consumer.next(5000);
    expect(lease?.invocation.requestId).toBe(job.requestId);
    await consumer.ack(lease!);

    const v = queueKeys(victim, prefix);
    const refused = (p: Promise<unknown>) => expect(p).rejects.toThrow(/NOPERM|no permissions|can't access|can't run/);
    // each node asked directly, as the agent's user: the slot map is all it reads beyond its own queue
    for (const port of cluster.ports) {
      const r = new Redis({ port, host: '127.0.0.1', username: users.userName(mine), password, enableReadyCheck: false, maxRetriesPerRequest: 0 });
      open.push(r);
      r.on('error', () => undefined); // Redis closes its connections when the user is deleted below
      expect(Array.isArray(await r.call('CLUSTER', 'SLOTS'))).toBe(true);
      await refused(r.hgetall(v.jobs));
      await refused(r.call('LRANGE', v.pending, '0', '-1'));
      await refused(r.eval(`return redis.call('HGETALL', KEYS[1])`, 1, v.jobs));
      await refused(r.call('CLUSTER', 'GETKEYSINSLOT', String(keySlot(v.jobs)), '10'));
      await refused(r.call('CLUSTER', 'COUNTKEYSINSLOT', String(keySlot(v.jobs))));
      await refused(r.keys('*'));
    }
    expect((await queue.depth(victim)).pending).toBe(1);
    await queue.purge(victim);
  } finally {
    await users.remove(mine);
  }
});

it('returns from enqueue once a replica has the job; with the replica stopped, queues it anyway and says so', async () => {
  const unreplicated: string[] = [];
  const queue = new WorkQueue(admin, { keyPrefix: prefix, replicaWaitMs: 300, onUnreplicated: (_ref, id) => unreplicated.push(id) });
  const k = queueKeys(mine, prefix);
  const master = await cluster.masterOf(keySlot(k.jobs));
  const replica = (await cluster.topology()).find((n) => n.masterPort === master)!.port;
  const onReplica = cluster.node(replica);
  open.push(onReplica);
  await onReplica.call('READONLY');
  // Redis lists a replica in CLUSTER SLOTS (the client's slot map) once it has replicated something: until then there
  // is no replica to wait for
  await queue.enqueue(mine, invocation(mine));
  await waitFor(() => replicasOf(admin, k.pending) === 1 || undefined, 20_000, 'the replica in the client\'s slot map', 100);

  const first = invocation(mine);
  await queue.enqueue(mine, first);
  // no waiting: the replica had it before enqueue returned
  expect(await onReplica.hexists(k.jobs, first.requestId)).toBe(1);
  expect(unreplicated).toEqual([]);

  await cluster.pause(replica);
  const second = invocation(mine);
  try {
    await queue.enqueue(mine, second);
  } finally {
    cluster.resume(replica);
  }
  expect(unreplicated).toEqual([second.requestId]);
  expect(await admin.hexists(k.jobs, second.requestId)).toBe(1);
  expect((await queue.depth(mine)).pending).toBe(3);
  await queue.purge(mine);
}, 60_000);

it('notices a node that restarted (a new run_id), so the agents\' users are made on it again', async () => {
  const users = new AgentUsers(admin, prefix);
  const password = newPassword();
  const name = await users.ensure(mine, [password]);
  let restarts = 0;
  const watch = new RedisRestartWatch(admin, 100, silentLogger, () => { restarts++; void users.ensure(mine, [password]); });
  const replica = (await cluster.topology()).find((n) => n.role === 'replica')!.port;
  try {
    watch.start();
    await waitFor(async () => (await usersOn(replica)).includes(name) || undefined, 5000, 'the user on the replica');
    await cluster.kill(replica);
    await cluster.restart(replica);
    await cluster.untilHealthy();
    // it came back without the user; the watch sees its new run_id once the client's slot map has it again
    await waitFor(async () => (await usersOn(replica)).includes(name) || undefined, 30_000, 'the user made again on the restarted node', 100);
    expect(restarts).toBeGreaterThanOrEqual(1);
  } finally {
    watch.stop();
    await users.remove(mine);
  }
}, 60_000);
