// Async invocation as Lambda does it, in the local mode with real processes and Redis: retries after 1 then 2 minutes
// (on a clock sped up 600×: 100 ms, 200 ms), the event age limit, onSuccess/onFailure destinations with AWS's record,
// the dead-letter target, and the dead letters when an event has nowhere to go.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { asyncClock } from '../src/core/async-policy.js';
import { OutcomeQueue } from '../src/queue/outcomes.js';
import { WorkQueue } from '../src/queue/work-queue.js';
import { connectRedis, type RedisConnection } from '../src/queue/connection.js';
import { fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

const SPEED = 600;
const failing = (name: string, asyncBlock: string): string => fn(name, 'nodejs20', 'index.handler', {
  'index.mjs': `export const handler = async (event) => {
  if (event.crash) process.exit(3);
  if (event.fail) throw new Error('failed on purpose: ' + event.n);
  return { ok: event.n };
};`,
}, `  timeoutSeconds: 3\n  async:\n${asyncBlock}`);

// audit receives destination records; its own onSuccess puts what it received on a queue the test reads
const audit = fn('audit', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async (event) => event;' },
  '  async:\n    onSuccess: {queue: audited}\n');

let f: Fixture;
let redis: RedisConnection;
let outcomes: OutcomeQueue;
let queue: WorkQueue;

beforeAll(async () => {
  f = await startFixture({
    'retry.yaml': failing('retrier', '    maximumRetryAttempts: 2\n    onFailure: {queue: failures}\n    onSuccess: {function: audit}\n'),
    'once.yaml': failing('once', '    maximumRetryAttempts: 0\n    onFailure: {function: audit}\n'),
    'young.yaml': failing('young', '    maximumEventAgeSeconds: 150\n    onFailure: {queue: aged}\n'),
    'stale.yaml': failing('stale', '    maximumEventAgeSeconds: 60\n    onFailure: {queue: aged}\n'),
    'dlq.yaml': failing('dlq', '    maximumRetryAttempts: 1\n    deadLetter: {queue: dead-letters}\n'),
    'nowhere.yaml': failing('nowhere', '    maximumRetryAttempts: 0\n'),
    'audit.yaml': audit,
    'alias.yaml': 'apiVersion: klambda.dev/v1alpha1\nkind: Alias\nmetadata: {name: retrier-live}\nspec:\n  functionName: retrier\n  name: live\n'
      + '  functionVersion: "$LATEST"\n  async:\n    maximumRetryAttempts: 0\n    onFailure: {queue: alias-failures}\n',
  }, { asyncClock: asyncClock(SPEED) });
  redis = connectRedis(f.local.redisUrl);
  outcomes = new OutcomeQueue(redis, f.local.keyPrefix);
  queue = new WorkQueue(redis, { keyPrefix: f.local.keyPrefix });
}, 60_000);
afterAll(async () => {
  redis?.disconnect();
  await f?.stop();
});

async function send(name: string, event: unknown): Promise<string> {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }));
  expect(out.StatusCode).toBe(202);
  return out.$metadata.requestId!;
}

type Message = { MessageId: string; Body: string; MessageAttributes?: Record<string, { StringValue: string }> };
const messageFor = (q: string, requestId: string) => async (): Promise<Message | undefined> =>
  (await outcomes.messages('default', q)).find((m) => m.Body.includes(requestId));

/** The START lines of one request id, in order (each run logs one). */
const starts = (requestId: string): number => f.logs.filter((l) => l.startsWith(`START RequestId: ${requestId}`)).length;
/**
 * The runs of `requestId` once `n` have been logged: a run's outcome reaches a queue through Redis, its START line
 * through the agent's output, and under load the outcome can come first. A run beyond `n` still fails the test.
 */
const startsOnce = async (requestId: string, n: number): Promise<number> => {
  await waitFor(() => starts(requestId) >= n || undefined, 10_000, `${n} START lines of ${requestId}`).catch(() => undefined);
  return starts(requestId);
};

it('retries a failing event twice, then sends its RetriesExhausted record to the onFailure queue', async () => {
  const id = await send('retrier', { fail: true, n: 1 });
  const message = await waitFor(messageFor('failures', id), 30_000, 'the onFailure record');
  const record = JSON.parse(message.Body) as Record<string, any>;
  expect(record).toMatchObject({
    version: '1.0',
    requestContext: { requestId: id, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:retrier', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: { fail: true, n: 1 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: 'failed on purpose: 1' },
  });
  expect(await startsOnce(id, 3)).toBe(3);
}, 60_000);

it('sends a success to its onSuccess function with the Success record (and that function ran it)', async () => {
  const id = await send('retrier', { n: 2 });
  const message = await waitFor(async () => (await outcomes.messages('default', 'audited')).find((m) => m.Body.includes(id)), 30_000, 'audit to have run');
  const auditRun = JSON.parse(message.Body) as Record<string, any>;
  // audited holds audit's own Success record, whose requestPayload is the record audit received
  expect(auditRun.requestContext).toMatchObject({ condition: 'Success', approximateInvokeCount: 1 });
  expect(auditRun.requestPayload).toMatchObject({
    requestContext: { requestId: id, condition: 'Success', approximateInvokeCount: 1 },
    requestPayload: { n: 2 }, responseContext: { statusCode: 200, executedVersion: '$LATEST' }, responsePayload: { ok: 2 },
  });
  expect(auditRun.requestPayload.responseContext.functionError).toBeUndefined();
}, 60_000);

it('runs once with maximumRetryAttempts 0 and treats a crashed runtime as a function error', async () => {
  const id = await send('once', { crash: true });
  const message = await waitFor(async () => (await outcomes.messages('default', 'audited')).find((m) => m.Body.includes(id)), 30_000, 'the failure record at audit');
  const received = (JSON.parse(message.Body) as Record<string, any>).requestPayload;
  expect(received.requestContext).toMatchObject({ requestId: id, condition: 'RetriesExhausted', approximateInvokeCount: 1 });
  expect(received.responsePayload).toMatchObject({ errorType: 'Runtime.ExitError' });
  expect(await startsOnce(id, 1)).toBe(1);
}, 60_000);

it('gives up with EventAgeExceeded when the next retry would be older than maximumEventAgeSeconds', async () => {
  // warm first, so the first run comes at once: with 150 s of age the second retry (60 s + 120 s later) cannot fit
  await f.lambda.send(new InvokeCommand({ FunctionName: 'young', Payload: Buffer.from('{"n":0}') }));
  const id = await send('young', { fail: true, n: 3 });
  const message = await waitFor(messageFor('aged', id), 30_000, 'the EventAgeExceeded record');
  const record = JSON.parse(message.Body) as { requestContext: { condition: string; approximateInvokeCount: number } };
  expect(record.requestContext).toMatchObject({ requestId: id, condition: 'EventAgeExceeded' });
  // one or two runs (whether the first retry still fit depends on how soon the first run came), each one counted
  expect([1, 2]).toContain(record.requestContext.approximateInvokeCount);
  expect(await startsOnce(id, record.requestContext.approximateInvokeCount)).toBe(record.requestContext.approximateInvokeCount);
}, 60_000);

it('does not run an event that is already older than maximumEventAgeSeconds when taken', async () => {
  // 60 s of age is 100 ms on this clock: less than a cold start, so the event is too old by the time it is taken
  const id = await send('stale', { n: 6 });
  const message = await waitFor(messageFor('aged', id), 30_000, 'the EventAgeExceeded record');
  expect(JSON.parse(message.Body)).toMatchObject({ requestContext: { requestId: id, condition: 'EventAgeExceeded', approximateInvokeCount: 0 }, requestPayload: { n: 6 } });
  expect(JSON.parse(message.Body).responseContext).toBeUndefined();
  expect(starts(id)).toBe(0);
}, 60_000);

it("sends an event that exhausted its retries to the dead-letter queue as Lambda does: its payload, with the request id and error", async () => {
  const id = await send('dlq', { fail: true, n: 4 });
  const message = await waitFor(async () => (await outcomes.messages('default', 'dead-letters')).find((m) => m.MessageAttributes?.RequestID?.StringValue === id),
    30_000, 'the dead-letter message');
  expect(JSON.parse(message.Body)).toEqual({ fail: true, n: 4 });
  expect(message.MessageAttributes).toMatchObject({ RequestID: { StringValue: id }, ErrorCode: { StringValue: '200' }, ErrorMessage: { StringValue: 'failed on purpose: 4' } });
  expect(await startsOnce(id, 2)).toBe(2);
}, 60_000);

it('keeps an event that failed with nowhere to go in the dead letters, with the reason', async () => {
  const id = await send('nowhere', { fail: true, n: 5 });
  const dead = await waitFor(async () => (await queue.deadLetters({ namespace: 'default', functionName: 'nowhere', version: '$LATEST' })).find((d) => d.requestId === id),
    30_000, 'the dead letter');
  expect(dead.reason).toMatch(/failed on every attempt: failed on purpose: 5/);
  expect(dead.invocation.payload).toBe('{"fail":true,"n":5}');
}, 60_000);

it("applies an alias's own event invoke config to invocations through the alias", async () => {
  const id = await send('retrier:live', { fail: true, n: 7 });
  const message = await waitFor(messageFor('alias-failures', id), 30_000, "the alias's onFailure record");
  expect(JSON.parse(message.Body)).toMatchObject({
    requestContext: { requestId: id, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:retrier:live', condition: 'RetriesExhausted', approximateInvokeCount: 1 },
  });
  expect(await startsOnce(id, 1)).toBe(1);
}, 60_000);

it('counts what became of each async run on /metrics', async () => {
  const text = await (await fetch(`${f.local.url}/metrics`)).text();
  const value = (fn: string, outcome: string): number => {
    const line = text.split('\n').find((l) => l.startsWith('klambda_async_settled_total{') && l.includes(`function="${fn}"`) && l.includes(`outcome="${outcome}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  // retrier: one event failed 3 times (2 retries), one succeeded; nowhere: one dead-lettered
  expect(value('retrier', 'retried')).toBeGreaterThanOrEqual(2);
  expect(value('retrier', 'failed')).toBeGreaterThanOrEqual(1);
  expect(value('retrier', 'succeeded')).toBeGreaterThanOrEqual(1);
  expect(value('nowhere', 'dead_lettered')).toBe(1);
});
