// klambda dev's own Redis dies (SIGKILL) with async work accepted and one invocation running: it is started again on
// its port with its append-only file (in the folder's .klambda/redis), the agents' users are made again, every
// accepted event is delivered, /healthz says ok again, and later invokes answer. A second klambda on the same folder
// does not share that data.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../src/core/logger.js';
import { startSupervisedRedis } from '../src/local/supervised-redis.js';
import { decode, fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

const outDir = sharedOutDir('klambda-redis-restart-');

// each run appends its event id, once the test has written the `go` file
const recorder = fn('rec', 'nodejs20', 'index.handler', {
  'index.mjs': `import { appendFileSync, existsSync } from 'node:fs';
export const handler = async (event) => {
  while (!existsSync(process.env.OUT_DIR + '/go')) await new Promise((r) => setTimeout(r, 50));
  appendFileSync(process.env.OUT_DIR + '/rec.log', event.id + '\\n');
  return 'ok';
};`,
}, `  timeoutSeconds: 60\n  environment: {OUT_DIR: "${outDir}"}\n`);
const hello = fn('hello', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async (e) => ({ hello: e.name });' });

let f: Fixture;
beforeAll(async () => {
  // klambda's own Redis, not a shared one
  f = await startFixture({ 'rec.yaml': recorder, 'hello.yaml': hello }, { redisUrl: undefined, visibilityGraceMs: 500 });
}, 60_000);
afterAll(async () => { await f?.stop(); });

const recorded = (): string[] => {
  const file = join(outDir, 'rec.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
};
const healthz = async (): Promise<number> => (await fetch(`${f.local.url}/healthz`).catch(() => undefined))?.status ?? 0;

it('keeps its data in the folder and starts its Redis again when it dies; nothing accepted is lost', async () => {
  const redis = f.local.ownRedis!;
  expect(redis.persistent).toBe(true);
  expect(existsSync(join(f.dir, '.klambda', 'redis', 'lock'))).toBe(true);
  expect(await healthz()).toBe(200);
  const ids = ['a', 'b', 'c'];
  for (const id of ids) {
    const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'rec', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ id })) }));
    expect(out.StatusCode).toBe(202);
  }
  // one of them is running (its agent holds it), the others wait in the queue
  await waitFor(() => (f.local.backend.pids({ namespace: 'default', functionName: 'rec', version: '$LATEST' }).length > 0 ? true : undefined), 20_000, 'rec\'s agent');
  const pid = redis.pid();
  process.kill(pid, 'SIGKILL');
  await waitFor(() => (redis.restarts() >= 1 ? true : undefined), 20_000, 'redis-server started again');
  expect(redis.pid()).not.toBe(pid);
  await waitFor(async () => ((await healthz()) === 200 ? true : undefined), 20_000, '/healthz ok again');

  writeFileSync(join(outDir, 'go'), '');
  await waitFor(() => (ids.every((id) => recorded().includes(id)) ? true : undefined), 60_000, 'every accepted event delivered');
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'hello', Payload: Buffer.from('{"name":"again"}') }));
  expect([out.StatusCode, out.FunctionError, decode(out.Payload)]).toEqual([200, undefined, { hello: 'again' }]);
}, 180_000);

it('leaves a second klambda on the same folder its own Redis without the folder\'s data', async () => {
  const second = await startSupervisedRedis({ dataDir: join(f.dir, '.klambda', 'redis'), password: 'x', logger: silentLogger });
  try {
    expect(second.persistent).toBe(false);
  } finally {
    await second.stop();
  }
  // the first one still holds the lock
  expect(readFileSync(join(f.dir, '.klambda', 'redis', 'lock'), 'utf8')).toBe(String(process.pid));
});
