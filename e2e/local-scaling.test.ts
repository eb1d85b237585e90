// Capacity in the local mode: started on the first request, one environment per concurrent invocation,
// never above reserved concurrency, and stopped after the idle timeout.
import { InvokeCommand, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

const sleeper = (name: string, extra = '') => fn(name, 'nodejs20', 'index.handler', {
  // Its log stream names its execution environment, as on Lambda (its pid is 1 in every one: each has its own PID namespace).
  'index.mjs': 'export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? 0)); return process.env.AWS_LAMBDA_LOG_STREAM_NAME; };',
}, extra);

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ 'wide.yaml': sleeper('wide'), 'narrow.yaml': sleeper('narrow', '  reservedConcurrency: 1\n') }, { idleTimeoutSeconds: 2 });
}, 60_000);
afterAll(async () => { await f?.stop(); });

const queue = (functionName: string) => ({ namespace: 'default', functionName, version: '$LATEST' });
const invoke = (FunctionName: string, ms: number) =>
  f.lambda.send(new InvokeCommand({ FunctionName, Payload: Buffer.from(JSON.stringify({ ms })) }));

it('starts no environment before the first request, one per concurrent invocation, then stops them when idle', async () => {
  expect(f.local.backend.count(queue('wide'))).toBe(0);
  const outs = await Promise.all([invoke('wide', 1500), invoke('wide', 1500), invoke('wide', 1500)]);
  const environments = new Set(outs.map((o) => Buffer.from(o.Payload!).toString()));
  expect(environments.size).toBe(3);
  expect(f.local.backend.count(queue('wide'))).toBe(3);
  await waitFor(() => (f.local.backend.count(queue('wide')) === 0 ? true : undefined), 15_000, 'the idle environments to stop');
}, 40_000);

it('throttles a second concurrent call above reserved concurrency 1 and runs one environment at most', async () => {
  const first = invoke('narrow', 1000);
  await waitFor(() => (f.local.backend.count(queue('narrow')) === 1 ? true : undefined), 10_000, 'the first environment');
  await expect(invoke('narrow', 0)).rejects.toBeInstanceOf(TooManyRequestsException);
  expect((await first).StatusCode).toBe(200);
  expect(f.local.backend.count(queue('narrow'))).toBe(1);
}, 30_000);
