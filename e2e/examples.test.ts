// The examples/ folder a new user starts with: both functions answer through the AWS SDK.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { join } from 'node:path';
import { silentLogger } from '../src/core/logger.js';
import { packageRoot } from '../src/core/package-root.js';
import { startLocal, type LocalKlambda } from '../src/local/dev.js';
import { decode } from './helpers/local.js';

let local: LocalKlambda;
let lambda: LambdaClient;

beforeAll(async () => {
  local = await startLocal({
    dir: join(packageRoot(), 'examples'), port: 0, host: '127.0.0.1', idleTimeoutSeconds: 300, region: 'us-east-1',
    accountId: '000000000000', logger: silentLogger, keyPrefix: `ex${Math.random().toString(36).slice(2, 10)}`,
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
  });
  lambda = new LambdaClient({ endpoint: local.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
}, 60_000);
afterAll(async () => { lambda?.destroy(); await local?.stop(); });

it('the nodejs example greets by name', async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'hello', Payload: Buffer.from('{"name":"klambda"}') }));
  expect(decode(out.Payload)).toMatchObject({ hello: 'klambda', greeting: 'hi' });
});

it('the python example greets by name', async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'greet', Payload: Buffer.from('{"name":"Ada"}') }));
  expect(decode(out.Payload)).toMatchObject({ message: 'Hello, Ada!', version: '$LATEST' });
});
