// A streamed response on the cluster's path: a real agent process, logged in as its version's Redis ACL user, appends
// each chunk to the response stream as the function writes it, and the router's reader passes it on before the
// function returns; the end comes on the reply list after every chunk. The append is fenced by the lease like the ack.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessBackend } from '../../src/backends/process-backend.js';
import { packageRoot } from '../../src/core/package-root.js';
import type { QueueRef } from '../../src/core/queue-contract.js';
import type { ResolvedTarget } from '../../src/core/registry.js';
import { newPassword, redisUrlFor } from '../../src/queue/acl.js';
import { AgentUsers } from '../../src/queue/agent-users.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { QueueConsumer } from '../../src/queue/consumer.js';
import { LeaseLostError } from '../../src/queue/errors.js';
import { responseStreamKey } from '../../src/queue/keys.js';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { ConcurrencyLimiter } from '../../src/router/lambda/concurrency.js';
import { invokeStreaming } from '../../src/router/lambda/invoke-stream.js';
import type { InvokeDeps } from '../../src/router/lambda/invoke.js';
import { ReplyListener } from '../../src/router/replies.js';
import { fixtureSpec, invocation, memoryLogger } from '../fixtures/functions/specs.js';
import { deleteKeys, onEveryServer, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const agentMain = join(packageRoot(), 'dist', 'agent', 'main.js');

let redis: TestRedis;
let admin: RedisConnection;
beforeAll(async () => { redis = await useRedis(); admin = connectRedis(redis.url); });
afterAll(async () => { admin.disconnect(); await redis.stop(); });

describe('a streamed response from an agent process to the router', () => {
  const spec = fixtureSpec('node-stream', 'nodejs20', 'index.handler', { functionName: `stream-${randomUUID().slice(0, 8)}`, timeoutSeconds: 30 });
  const queue: QueueRef = { namespace: 'default', functionName: spec.functionName, version: spec.version };
  const target: ResolvedTarget = { namespace: 'default', functionName: spec.functionName, version: spec.version, timeoutSeconds: spec.timeoutSeconds };
  const keyPrefix = randomPrefix();
  const gates = mkdtempSync(join(tmpdir(), 'klambda-stream-gate-'));
  chmodSync(gates, 0o1777);
  let backend: ProcessBackend;
  let replies: ReplyListener;
  let deps: InvokeDeps;
  const stderr: string[] = [];
  const users = () => new AgentUsers(admin, keyPrefix);

  beforeAll(async () => {
    backend = new ProcessBackend({
      // the agent logs in as its version's ACL user: its appends reach only this version's keys
      agentRedisUrl: async (q) => { const password = newPassword(); return redisUrlFor(redis.url, await users().ensure(q, [password]), password); },
      keyPrefix, visibilityGraceMs: 5000, logger: memoryLogger(), agentMain,
      onOutput: (_q, stream, line) => { if (stream === 'stderr') stderr.push(line); return undefined; },
    });
    await backend.scale({ queue, spec }, 1);
    await waitFor(() => (stderr.some((l) => l.includes('"msg":"ready"')) ? true : undefined), 30_000, 'the agent to be ready');
    replies = new ReplyListener({ connect: () => connectRedis(redis.url, { maxRetriesPerRequest: null }), keyPrefix, logger: memoryLogger() });
    const work = new WorkQueue(admin, { keyPrefix });
    deps = {
      registry: { resolve: () => target }, enqueue: (ref, inv) => work.enqueue(ref, inv), replies,
      arn: { region: 'us-east-1', accountId: '000000000000' }, syncGraceMs: 30_000, limiter: new ConcurrencyLimiter(100),
      now: Date.now, random: Math.random,
    };
  }, 60_000);
  afterAll(async () => {
    await backend?.stopAll();
    await replies?.close();
    for (const u of await users().list()) await onEveryServer(admin, 'ACL', 'DELUSER', u);
    await deleteKeys(admin, `${keyPrefix}:*`);
    rmSync(gates, { recursive: true, force: true });
  });

  it('passes the first chunk on before the function returns, then the rest, then the end', async () => {
    const gate = join(gates, 'open');
    const seen: string[] = [];
    let type: string | undefined;
    const inv = invocation(spec, { gate });
    const result = await invokeStreaming(deps, target, queue, inv, (data, contentType) => {
      type ??= contentType;
      seen.push(data.toString());
      // the function is still waiting for the gate: this chunk came while it ran
      if (seen.join('') === 'first;') {
        expect(existsSync(gate)).toBe(false);
        writeFileSync(gate, '');
      }
    });
    expect(type).toBe('text/plain');
    expect(seen.join('')).toBe('first;second');
    expect(result.functionError).toBeUndefined();
    expect(result.streamed).toBeGreaterThanOrEqual(2);
    // the router deletes the stream it has read
    await waitFor(async () => ((await admin.exists(responseStreamKey(queue, replies.routerId, inv.requestId, keyPrefix))) === 0 ? true : undefined), 10_000, 'the stream to be deleted');
  }, 60_000);

  it('ends with the function error after the chunks written before it', async () => {
    const seen: string[] = [];
    const result = await invokeStreaming(deps, target, queue, invocation(spec, { fail: true }), (data) => { seen.push(data.toString()); });
    expect(seen.join('')).toBe('first;');
    expect(result.functionError).toBe('Unhandled');
    expect(JSON.parse(result.payload)).toMatchObject({ errorType: 'Error', errorMessage: 'failed after the first chunk' });
  }, 60_000);

  it('cuts the answer short when entries of another delivery appear in its stream', async () => {
    const gate = join(gates, 'intruded');
    const seen: string[] = [];
    const inv = invocation(spec, { gate });
    const key = responseStreamKey(queue, replies.routerId, inv.requestId, keyPrefix);
    const call = invokeStreaming(deps, target, queue, inv, async (data) => {
      seen.push(data.toString());
      if (seen.join('') === 'first;') {
        // as a redelivery of the job (its first run's lease lost) would write into the same answer
        await admin.xadd(key, '*', 'a', '99', 'd', 'intruder');
        writeFileSync(gate, '');
      }
    });
    await expect(call).rejects.toMatchObject({ awsType: 'ServiceException' });
    expect(seen.join('')).toBe('first;');
  }, 60_000);

  it('refuses an append from a delivery whose lease is gone, and from another version', async () => {
    const other: QueueRef = { ...queue, functionName: `${spec.functionName}-other` };
    const password = newPassword();
    const url = redisUrlFor(redis.url, await users().ensure(queue, [password]), password);
    const work = new WorkQueue(admin, { keyPrefix });
    const consumer = new QueueConsumer(url, queue, { keyPrefix, visibilityTimeoutMs: 60_000 });
    try {
      await backend.scale({ queue, spec }, 0); // the agent takes no more work
      const inv = invocation(spec, {}, { replyTo: replies.routerId, responseStream: true });
      await work.enqueue(queue, inv);
      const lease = await waitFor(async () => (await consumer.next(200)) ?? undefined, 10_000, 'the job');
      await consumer.appendStream(lease, { data: Buffer.from('mine'), contentType: 'text/plain' });
      const key = responseStreamKey(queue, replies.routerId, inv.requestId, keyPrefix);
      expect(await admin.xlen(key)).toBe(1);
      // an earlier delivery (its attempt is no longer the job's) may not write into the answer
      await expect(consumer.appendStream({ ...lease, attempt: lease.attempt - 1 }, { data: Buffer.from('stale') })).rejects.toBeInstanceOf(LeaseLostError);
      expect(await admin.xlen(key)).toBe(1);
      // nor can this version's user reach another version's stream: its ACL opens only its own hash tag
      const direct = connectRedis(url, { enableReadyCheck: false, maxRetriesPerRequest: 0 });
      try {
        await expect(direct.xadd(responseStreamKey(other, replies.routerId, inv.requestId, keyPrefix), '*', 'd', 'x')).rejects.toThrow(/NOPERM/);
      } finally {
        direct.disconnect();
      }
      expect(await admin.pttl(key)).toBeGreaterThan(0);
      await consumer.ack(lease);
    } finally {
      await consumer.close();
    }
  }, 60_000);
});
