// Work a killed klambda dev left behind (queued, or held by its agents) runs when klambda dev starts again, with no
// new invoke: the reaper looks at every version of the folder and tells the scaler about what is pending.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Invocation } from '../src/core/invocation.js';
import { QueueConsumer } from '../src/queue/consumer.js';
import { WorkQueue } from '../src/queue/work-queue.js';
import { randomPrefix, useRedis, type TestRedis } from '../test/helpers/redis.js';
import { fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

const outDir = sharedOutDir('klambda-backlog-');
const recorder = fn('leftover', 'nodejs20', 'index.handler', {
  'index.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async (event, context) => { appendFileSync(process.env.OUT_DIR + '/runs.log', context.awsRequestId + '\\n'); return 'ok'; };`,
}, `  timeoutSeconds: 1\n  environment: {OUT_DIR: "${outDir}"}\n`);

let server: TestRedis;
let redis: Redis;
let f: Fixture | undefined;
const prefix = randomPrefix();
const ref = { namespace: 'default', functionName: 'leftover', version: '$LATEST' };

beforeAll(async () => { server = await useRedis(); redis = new Redis(server.url); });
afterAll(async () => { await f?.stop(); redis.disconnect(); await server.stop(); });

const event = (id: string): Invocation => ({
  requestId: id, functionName: 'leftover', version: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:leftover',
  payload: '{}', type: 'Event', acceptedAt: Date.now(), traceId: 'Root=1-00000000-000000000000000000000000',
  async: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 }, expiresAt: Date.now() + 3_600_000,
});

const runs = (): string[] => {
  const file = join(outDir, 'runs.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
};

it('runs what the last klambda dev left queued and held, without a new invoke', async () => {
  const queue = new WorkQueue(redis, { keyPrefix: prefix });
  // one job waiting, and one held by an agent of the killed klambda (its lease runs out: 1 ms)
  await queue.enqueue(ref, event('00000000-0000-4000-8000-000000000001'));
  await queue.enqueue(ref, event('00000000-0000-4000-8000-000000000002'));
  const dead = new QueueConsumer(server.url, ref, { keyPrefix: prefix, visibilityTimeoutMs: 1 });
  expect((await dead.next(0))?.invocation.requestId).toBe('00000000-0000-4000-8000-000000000001');
  await dead.close();
  f = await startFixture({ 'leftover.yaml': recorder }, { redisUrl: server.url, keyPrefix: prefix });
  await waitFor(() => (runs().length >= 2 ? true : undefined), 30_000, 'both left-over events to run');
  expect(runs().sort()).toEqual(['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002']);
}, 60_000);
