// Redis ACL users per function version against a real Redis (each node of a Redis Cluster): an agent's user works its own
// queue and nothing else.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Invocation, InvocationResult } from '../../src/core/invocation.js';
import type { QueueRef } from '../../src/core/queue-contract.js';
import { newPassword, redisUrlFor, routerAclRules } from '../../src/queue/acl.js';
import { AgentUsers } from '../../src/queue/agent-users.js';
import { connectRedis, serversOf, type RedisConnection } from '../../src/queue/connection.js';
import { QueueConsumer } from '../../src/queue/consumer.js';
import { queueKeys, replyListKey } from '../../src/queue/keys.js';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { clientLists, deleteKeys, onEveryServer, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let server: TestRedis;
let admin: RedisConnection;
let prefix: string;
let users: AgentUsers;
const open: Array<{ disconnect(): void } | QueueConsumer> = [];
const mine: QueueRef = { namespace: 'team-a', functionName: 'hello', version: '1' };
const victim: QueueRef = { namespace: 'team-b', functionName: 'payroll', version: '$LATEST' };

beforeAll(async () => { server = await useRedis(); admin = connectRedis(server.url); });
afterAll(async () => { admin.disconnect(); await server.stop(); });
beforeEach(() => { prefix = randomPrefix(); users = new AgentUsers(admin, prefix); });
afterEach(async () => {
  for (const c of open.splice(0)) { if (c instanceof QueueConsumer) await c.close(); else c.disconnect(); }
  for (const u of await users.list()) await onEveryServer(admin, 'ACL', 'DELUSER', u);
  await deleteKeys(admin, `${prefix}:*`);
});

function invocation(ref: QueueRef, extra: Partial<Invocation> = {}): Invocation {
  return {
    requestId: randomUUID(), functionName: ref.functionName, version: ref.version,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${ref.functionName}`,
    payload: '{"secret":"payload"}', type: 'Event', acceptedAt: Date.now(), traceId: 'Root=1-0-0', ...extra,
  };
}

async function agentUrl(ref: QueueRef): Promise<string> {
  const password = newPassword();
  const user = await users.ensure(ref, [password]);
  return redisUrlFor(server.url, user, password);
}

/** A connection as an agent opens it: to the server, or a cluster client. */
function connect(url: string): RedisConnection {
  const r = connectRedis(url, { enableReadyCheck: false, maxRetriesPerRequest: 0, lazyConnect: true });
  open.push(r);
  return r;
}

/** Whether the URL's credentials open any server (each node of a cluster, each asked directly). */
async function authenticates(url: string): Promise<boolean> {
  const u = new URL(url);
  const opens = await Promise.all((await serversOf(admin)).map((s) => new Promise<boolean>((resolve) => {
    const r = new Redis({
      host: s.options.host, port: s.options.port, username: decodeURIComponent(u.username), password: decodeURIComponent(u.password),
      enableReadyCheck: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null,
    });
    open.push(r);
    // a refused AUTH surfaces as an error event, not a rejection
    r.once('error', (err: Error) => resolve(!/WRONGPASS|invalid username-password|NOAUTH/.test(err.message)));
    r.connect().then(() => r.ping()).then(() => resolve(true), (err: Error) => resolve(!/WRONGPASS|invalid username-password|NOAUTH/.test(err.message)));
  })));
  return opens.some(Boolean);
}

describe('an agent\'s Redis user', () => {
  it('runs its own version\'s queue: takes a job and answers the waiting router', async () => {
    const queue = new WorkQueue(admin, { keyPrefix: prefix });
    const routerId = randomUUID();
    const inv = invocation(mine, { type: 'RequestResponse', replyTo: routerId });
    await queue.enqueue(mine, inv);
    const consumer = new QueueConsumer(await agentUrl(mine), mine, { keyPrefix: prefix, visibilityTimeoutMs: 10_000 });
    open.push(consumer);
    const lease = await consumer.next(2000);
    expect(lease?.invocation.requestId).toBe(inv.requestId);
    const result: InvocationResult = { requestId: inv.requestId, payload: '"ok"', executedVersion: '1', durationMs: 1 };
    await consumer.ack(lease!, result);
    expect(await admin.lpop(replyListKey(mine, routerId, prefix))).toBe(JSON.stringify(result));
  });

  it('takes a job handed to it while it waits, releases one, and gives a handed job back when it closes', async () => {
    const queue = new WorkQueue(admin, { keyPrefix: prefix });
    const consumer = new QueueConsumer(await agentUrl(mine), mine, { keyPrefix: prefix, visibilityTimeoutMs: 10_000 });
    open.push(consumer);
    const waiting = consumer.next(5000);
    // enqueued once the consumer blocks (idle, after moveToActive found nothing: every command of it allowed), so
    // enqueue hands it the job on its own list
    await waitFor(async () => (await clientLists(admin)).includes('cmd=blpop') || undefined, 5000, 'the consumer blocking', 10);
    const inv = invocation(mine);
    await queue.enqueue(mine, inv);
    const lease = await waiting;
    expect([lease?.invocation.requestId, lease?.attempt]).toEqual([inv.requestId, 1]);
    await consumer.release(lease!);
    expect((await queue.depth(mine)).pending).toBe(1);
    await consumer.ack((await consumer.next(2000))!); // idle from its ack
    const handed = invocation(mine);
    await queue.enqueue(mine, handed);
    expect(await queue.depth(mine)).toEqual({ pending: 0, inFlight: 1 });
    // leaving (ZREM of its idle entries, LPOP of its list, the release script) is allowed too
    await consumer.close();
    expect(await queue.depth(mine)).toEqual({ pending: 1, inFlight: 0 });
    expect(await admin.zcard(queueKeys(mine, prefix).idle)).toBe(0);
    await queue.purge(mine);
  });

  it('is refused everything else: other versions\' keys, KEYS, SCAN, PUBLISH, scripts that reach out, admin and CLUSTER commands', async () => {
    const queue = new WorkQueue(admin, { keyPrefix: prefix });
    await queue.enqueue(victim, invocation(victim));
    const r = connect(await agentUrl(mine));
    await r.connect();
    const v = queueKeys(victim, prefix);
    const refused = async (p: Promise<unknown>) => expect(p).rejects.toThrow(/NOPERM|no permissions|can't access|can't run/);
    await refused(r.keys('*'));
    await refused(r.scan('0'));
    await refused(r.hgetall(v.jobs));
    await refused(r.call('HGET', v.jobs, 'x'));
    await refused(r.lrange(v.pending, 0, -1));
    await refused(r.publish(`${prefix}:replies:anything`, '{"forged":true}'));
    await refused(r.call('RPUSH', replyListKey(victim, randomUUID(), prefix), '{"forged":true}'));
    await refused(r.eval(`return redis.call('HGETALL', KEYS[1])`, 1, v.jobs));
    await refused(r.eval(`return redis.call('HGETALL', '${v.jobs}')`, 0));
    await refused(r.eval(`return redis.call('KEYS', '*')`, 0));
    await refused(r.call('CONFIG', 'GET', '*'));
    await refused(r.call('ACL', 'LIST'));
    await refused(r.call('FLUSHALL'));
    await refused(r.call('INFO'));
    await refused(r.call('SUBSCRIBE', `${prefix}:routes:changed`));
    // of CLUSTER, only the slot map a cluster client needs: nothing that lists or counts keys, no topology change
    await refused(r.call('CLUSTER', 'GETKEYSINSLOT', '0', '10'));
    await refused(r.call('CLUSTER', 'COUNTKEYSINSLOT', '0'));
    await refused(r.call('CLUSTER', 'NODES'));
    await refused(r.call('CLUSTER', 'FAILOVER'));
    // and its own keys only through the queue's commands: it cannot read payloads with a plain GET/HGETALL either
    await refused(r.hgetall(queueKeys(mine, prefix).jobs));
    expect(await admin.llen(v.pending)).toBe(1); // the victim's job is untouched
  });

  it('adds its figures to its own version\'s stats hash with the queue\'s script, and to no other version\'s', async () => {
    const consumer = new QueueConsumer(await agentUrl(mine), mine, { keyPrefix: prefix, visibilityTimeoutMs: 10_000 });
    open.push(consumer);
    // in the ack of a delivery, as the agent records them
    await new WorkQueue(admin, { keyPrefix: prefix }).enqueue(mine, invocation(mine));
    await consumer.ack((await consumer.next(2000))!, undefined, [['inv:success', 1], ['dur:3', 1], ['dur:sum_us', 4200]]);
    expect(await admin.hgetall(queueKeys(mine, prefix).stats)).toEqual({ 'inv:success': '1', 'dur:3': '1', 'dur:sum_us': '4200' });
    const r = connect(await agentUrl(mine));
    await r.connect();
    const theirs = queueKeys(victim, prefix).stats;
    await expect(r.eval(`return redis.call('HINCRBY', KEYS[1], 'inv:success', 1)`, 1, theirs)).rejects.toThrow(/NOPERM|no permissions|can't access/);
    await expect(r.call('HINCRBY', theirs, 'inv:success', '1')).rejects.toThrow(/NOPERM|no permissions|can't access/);
    // and it reads no stats at all, not even its own (the exporting process does)
    await expect(r.hgetall(queueKeys(mine, prefix).stats)).rejects.toThrow(/NOPERM|no permissions|can't access|can't run/);
    expect(await admin.exists(theirs)).toBe(0);
  });

  it('without the password, or with another version\'s, opens nothing', async () => {
    await agentUrl(mine);
    const user = users.userName(mine);
    await expect(authenticates(redisUrlFor(server.url, user, 'not-the-password'))).resolves.toBe(false);
  });

  it('keeps working through a password rotation: both passwords are valid until the old one is dropped', async () => {
    const first = newPassword();
    const second = newPassword();
    await users.ensure(mine, [first]);
    const before = connect(redisUrlFor(server.url, users.userName(mine), first));
    await before.connect();
    await users.ensure(mine, [second, first]);
    const after = connect(redisUrlFor(server.url, users.userName(mine), second));
    await after.connect();
    expect(await before.ping()).toBe('PONG');
    await users.ensure(mine, [second]);
    await expect(authenticates(redisUrlFor(server.url, users.userName(mine), first))).resolves.toBe(false);
    expect(await after.ping()).toBe('PONG');
  });
});

describe('the router\'s Redis user', () => {
  it('may queue to any version under the prefix but not run KEYS, CONFIG or ACL', async () => {
    const name = `${prefix}-router`;
    const password = newPassword();
    await onEveryServer(admin, 'ACL', 'SETUSER', name, ...routerAclRules([password], prefix));
    try {
      const r = connect(redisUrlFor(server.url, name, password));
      await r.connect();
      await new WorkQueue(r, { keyPrefix: prefix }).enqueue(victim, invocation(victim));
      await expect(r.keys('*')).rejects.toThrow(/NOPERM|no permissions/);
      await expect(r.call('CONFIG', 'GET', '*')).rejects.toThrow(/NOPERM|no permissions/);
      await expect(r.call('ACL', 'SETUSER', 'x')).rejects.toThrow(/NOPERM|no permissions/);
      await expect(r.get('other:key')).rejects.toThrow(/NOPERM|no permissions/);
    } finally {
      await onEveryServer(admin, 'ACL', 'DELUSER', name);
    }
  });
});
