// klambda dev's own Redis dies (SIGKILL) while a sync caller waits on a function with a 60 s timeout: the caller
// gets a 500 ServiceException saying the queue connection was lost, not an answer after 60 s + grace; once Redis is
// started again, sync invokes answer.
import { InvokeCommand, ServiceException } from '@aws-sdk/client-lambda';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decode, fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

const outDir = sharedOutDir('klambda-redis-lost-sync-');

// says it started, then holds its invocation for its whole 60 s timeout
const stuck = fn('stuck', 'nodejs20', 'index.handler', {
  'index.mjs': `import { writeFileSync } from 'node:fs';
export const handler = async () => {
  writeFileSync(process.env.OUT_DIR + '/started', '');
  await new Promise((r) => setTimeout(r, 120_000));
};`,
}, `  timeoutSeconds: 60\n  environment: {OUT_DIR: "${outDir}"}\n`);
const hello = fn('hello', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async (e) => ({ hello: e.name });' });

let f: Fixture;
beforeAll(async () => {
  // klambda's own Redis, which the test may kill
  f = await startFixture({ 'stuck.yaml': stuck, 'hello.yaml': hello }, { redisUrl: undefined });
}, 60_000);
afterAll(async () => { await f?.stop(); });

it('answers a waiting sync caller 500 ServiceException when Redis dies, and invokes again once it is back', async () => {
  const waiting = f.lambda.send(new InvokeCommand({ FunctionName: 'stuck', Payload: Buffer.from('{}') }))
    .then(() => undefined, (err: unknown) => err);
  await waitFor(() => (existsSync(join(outDir, 'started')) ? true : undefined), 30_000, 'stuck running');
  const redis = f.local.ownRedis!;
  process.kill(redis.pid(), 'SIGKILL');

  const err = await waiting;
  expect(err).toBeInstanceOf(ServiceException);
  const e = err as ServiceException;
  expect([e.name, e.$metadata.httpStatusCode, e.message])
    .toEqual(['ServiceException', 500, 'The queue connection was lost while waiting for the result; the invocation may have run.']);

  await waitFor(() => (redis.restarts() >= 1 ? true : undefined), 20_000, 'redis-server started again');
  const out = await waitFor(async () => {
    const r = await f.lambda.send(new InvokeCommand({ FunctionName: 'hello', Payload: Buffer.from('{"name":"again"}') })).catch(() => undefined);
    return r?.StatusCode === 200 ? r : undefined;
  }, 20_000, 'a sync invoke answered again', 100);
  expect([out.FunctionError, decode(out.Payload)]).toEqual([undefined, { hello: 'again' }]);
}, 90_000);
