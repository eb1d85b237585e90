// The slow re-init: after a crash, the environment initialises again inside the next invocation, for longer than one
// lease (timeout + grace). Its agent keeps extending the lease meanwhile, so the reaper never hands the job to another
// environment: it runs once. Real agents, runtimes and Redis; the async clock sped up so a wrongly reclaimed event
// would be redelivered at once.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncClock } from '../src/core/async-policy.js';
import { fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

const outDir = sharedOutDir('klambda-lease-');
// init waits 2.5 s (after the first, it happens inside an invocation); the lease is 1 s + 300 ms
const slow = fn('slowinit', 'nodejs20', 'index.handler', {
  'index.mjs': `import { appendFileSync } from 'node:fs';
await new Promise((r) => setTimeout(r, 2500));
export const handler = async (event, context) => {
  if (event.crash) process.exit(1);
  appendFileSync(process.env.OUT_DIR + '/runs.log', context.awsRequestId + '\\n');
  return 'ran';
};`,
}, `  timeoutSeconds: 1\n  environment: {OUT_DIR: "${outDir}"}\n`);

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ 'slow.yaml': slow }, { visibilityGraceMs: 300, maxEnvironments: 2, asyncClock: asyncClock(600) });
}, 60_000);
afterAll(async () => { await f?.stop(); });

const runs = (): string[] => {
  const file = join(outDir, 'runs.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
};

it('runs an event once although its environment re-initialises for longer than a lease', async () => {
  // warm, then crash the environment: the next invocation re-initialises inside its run
  const warm = await f.lambda.send(new InvokeCommand({ FunctionName: 'slowinit', Payload: Buffer.from('{}') }));
  expect(warm.FunctionError).toBeUndefined();
  const crashed = await f.lambda.send(new InvokeCommand({ FunctionName: 'slowinit', Payload: Buffer.from('{"crash":true}') }));
  expect(crashed.FunctionError).toBe('Unhandled');
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'slowinit', InvocationType: 'Event', Payload: Buffer.from('{"n":1}') }));
  const id = out.$metadata.requestId!;
  await waitFor(() => (runs().includes(id) ? true : undefined), 30_000, 'the event to run');
  // settled: nothing of it left in the queue (no reclaimed copy waiting or running), and it ran exactly once
  const k = `${f.local.keyPrefix}:{default/slowinit/$LATEST}`;
  const { connectRedis } = await import('../src/queue/connection.js');
  const redis = connectRedis(f.local.redisUrl);
  try {
    await waitFor(async () => ((await redis.hexists(`${k}:jobs`, id)) === 0 && (await redis.llen(`${k}:outcomes`)) === 0 ? true : undefined), 10_000, 'the event settled');
  } finally {
    redis.disconnect();
  }
  expect(runs().filter((r) => r === id)).toEqual([id]);
  expect(f.logs.filter((l) => l.startsWith(`START RequestId: ${id}`))).toHaveLength(1);
}, 60_000);
