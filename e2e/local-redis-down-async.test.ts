// An async invoke while the Redis of klambda dev is away is refused at once with ServiceException (the invocation
// was not queued) instead of waiting out the client's reconnect attempts, and accepted again once Redis is back.
import { InvokeCommand, ServiceException } from '@aws-sdk/client-lambda';
import { startRedisServer, type RedisServerHandle } from '../src/local/redis-server.js';
import { fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

let server: RedisServerHandle;
let f: Fixture;
beforeAll(async () => {
  server = await startRedisServer();
  f = await startFixture({ 'hello.yaml': fn('hello', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async () => ({});' }) },
    { redisUrl: server.url });
}, 60_000);
afterAll(async () => { await f?.stop(); await server?.stop(); });

const sendEvent = () => f.lambda.send(new InvokeCommand({ FunctionName: 'hello', InvocationType: 'Event', Payload: Buffer.from('{}') }));

it('refuses an async invoke with ServiceException while Redis is away, and accepts it once Redis is back', async () => {
  expect((await sendEvent()).StatusCode).toBe(202);
  const port = server.port;
  await server.stop();
  // once the router has noticed (its connection is reconnecting), the refusal comes without waiting for Redis
  const err = await waitFor(async () => {
    const e = await sendEvent().then(() => undefined, (x: unknown) => x);
    return e instanceof ServiceException && e.message.includes('not queued') ? e : undefined;
  }, 30_000, 'the refusal');
  expect([err.name, err.$metadata.httpStatusCode]).toEqual(['ServiceException', 500]);
  server = await startRedisServer({ port });
  await waitFor(async () => ((await sendEvent().catch(() => undefined))?.StatusCode === 202 ? true : undefined), 30_000, 'accepted again');
}, 90_000);
