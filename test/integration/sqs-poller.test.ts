// The queue poller of an event source mapping against a real Redis, with a tiny in-process function behind the
// SyncInvoker: batches and the batching window, Lambda's SQS event, partial batch failures, redrive after
// maxReceiveCount, messages coming back after a poller stopped mid-batch, filter criteria.
import type { EventSourceMappingSpec } from '../../src/api/event-source-mapping.js';
import type { InvocationResult } from '../../src/core/invocation.js';
import type { EventInvocation, SyncInvoker } from '../../src/events/contracts.js';
import { checkAttributes } from '../../src/events/sqs/attributes.js';
import type { SqsRecord } from '../../src/events/sqs/lambda-event.js';
import { SqsPoller } from '../../src/events/sqs/poller.js';
import { SqsStore, type QueueId } from '../../src/events/sqs/store.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { deleteKeys, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const ARN = { region: 'us-east-1', accountId: '000000000000' };
let server: TestRedis;
let redis: RedisConnection;
let prefix: string;
let store: SqsStore;
const pollers: SqsPoller[] = [];
const q: QueueId = { namespace: 'default', name: 'work' };
const dlq: QueueId = { namespace: 'default', name: 'work-dlq' };

beforeAll(async () => { server = await useRedis(); redis = connectRedis(server.url); });
afterAll(async () => { redis.disconnect(); await server.stop(); });
beforeEach(() => { prefix = randomPrefix(); store = new SqsStore(redis, { keyPrefix: prefix, longPollIntervalMs: 20 }); });
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
  await deleteKeys(redis, `${prefix}:*`);
});

interface SqsEvent { Records: SqsRecord[] }
type Handler = (event: SqsEvent) => unknown;

/** The function: runs `handler` in this process; a throw is the function's error, as the runtime reports it. */
class InProcessFunction implements SyncInvoker {
  readonly events: SqsEvent[] = [];
  constructor(private readonly handler: Handler) {}
  async invokeSync(_namespace: string, _ref: string, inv: EventInvocation): Promise<InvocationResult> {
    const event = JSON.parse(inv.payload) as SqsEvent;
    this.events.push(event);
    try {
      const out = await this.handler(event);
      return { requestId: inv.requestId, payload: out === undefined ? 'null' : JSON.stringify(out), executedVersion: '$LATEST', durationMs: 1 };
    } catch (e) {
      return { requestId: inv.requestId, payload: JSON.stringify({ errorType: 'Error', errorMessage: (e as Error).message }), functionError: 'Unhandled', executedVersion: '$LATEST', durationMs: 1 };
    }
  }
  bodies(): string[] { return this.events.flatMap((e) => e.Records.map((r) => r.body)); }
}

function spec(extra: Partial<EventSourceMappingSpec> = {}): EventSourceMappingSpec {
  return {
    source: { queue: q.name }, functionName: 'worker', enabled: true, batchSize: 10, maximumBatchingWindowSeconds: 0,
    maximumRetryAttempts: -1, maximumRecordAgeSeconds: -1, bisectBatchOnFunctionError: false, parallelizationFactor: 1, ...extra,
  };
}

function start(fn: SyncInvoker, s: EventSourceMappingSpec, concurrency = 2): SqsPoller {
  const p = new SqsPoller({ store, invoker: fn, namespace: 'default', mapping: 'm', spec: s, arn: ARN, concurrency, backoff: { minMs: 10, maxMs: 50 } });
  pollers.push(p);
  p.start();
  return p;
}

const send = (body: string, attributes?: Record<string, { DataType: string; StringValue: string }>) =>
  store.sendOne(q, { body, senderId: 'AIDEXAMPLE', ...(attributes ? { attributes } : {}) });
const drained = async (queue: QueueId = q) => { const s = await store.stats(queue); return s.visible + s.inflight + s.delayed === 0 || undefined; };

it('delivers batches of at most batchSize in Lambda\'s SQS event, and deletes each batch the function took', async () => {
  await store.createQueue(q);
  const fn = new InProcessFunction(() => ({ ok: true }));
  for (let i = 0; i < 25; i++) await send(`m${i}`, i === 0 ? { kind: { DataType: 'String', StringValue: 'first' } } : undefined);
  start(fn, spec({ batchSize: 4 }));
  await waitFor(() => (fn.bodies().length >= 25 ? true : undefined), 15_000, 'all 25 messages');
  await waitFor(drained, 10_000, 'the queue to be empty');
  expect(fn.bodies().sort()).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`).sort());
  expect(fn.events.every((e) => e.Records.length >= 1 && e.Records.length <= 4)).toBe(true);
  const first = fn.events.flatMap((e) => e.Records).find((r) => r.body === 'm0')!;
  expect(first).toMatchObject({
    eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:work', awsRegion: 'us-east-1',
    md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
    attributes: { ApproximateReceiveCount: '1', SenderId: 'AIDEXAMPLE', SentTimestamp: expect.stringMatching(/^\d+$/), ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/) },
    messageAttributes: { kind: { stringValue: 'first', stringListValues: [], binaryListValues: [], dataType: 'String' } },
  });
  expect(typeof first.receiptHandle).toBe('string');
});

it('waits up to the batching window to fill a batch with messages sent after the first', async () => {
  await store.createQueue(q);
  const fn = new InProcessFunction(() => null);
  start(fn, spec({ batchSize: 3, maximumBatchingWindowSeconds: 30 }), 1);
  await send('a');
  // the poller holds "a" (in flight) and waits for more within its window
  await waitFor(async () => ((await store.stats(q)).inflight === 1 ? true : undefined), 10_000, 'the first message taken');
  expect(fn.events).toHaveLength(0);
  await send('b');
  await send('c');
  await waitFor(() => (fn.events.length > 0 ? true : undefined), 15_000, 'the batch');
  // a standard queue's order is best effort: messages sent in the same millisecond come in either order
  expect(fn.events[0]!.Records.map((r) => r.body).sort()).toEqual(['a', 'b', 'c']);
});

it('with ReportBatchItemFailures deletes all but the failed items, which come back', async () => {
  await store.createQueue(q, checkAttributes({ VisibilityTimeout: '1' }, ARN));
  const seen = new Map<string, number>();
  const fn = new InProcessFunction((event) => {
    const failures = event.Records.filter((r) => {
      seen.set(r.body, (seen.get(r.body) ?? 0) + 1);
      return r.body.startsWith('bad') && seen.get(r.body)! < 2;
    }).map((r) => ({ itemIdentifier: r.messageId }));
    return { batchItemFailures: failures };
  });
  await send('good1');
  await send('bad1');
  await send('good2');
  start(fn, spec({ functionResponseTypes: ['ReportBatchItemFailures'] }), 1);
  await waitFor(drained, 15_000, 'every message deleted');
  expect(seen).toEqual(new Map([['good1', 1], ['bad1', 2], ['good2', 1]]));
  const retry = fn.events.flatMap((e) => e.Records).filter((r) => r.body === 'bad1');
  expect(retry.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
});

it('a malformed batchItemFailures answer leaves the whole batch to come back', async () => {
  await store.createQueue(q, checkAttributes({ VisibilityTimeout: '1' }, ARN));
  let calls = 0;
  const fn = new InProcessFunction(() => (++calls === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : {}));
  await send('x');
  start(fn, spec({ functionResponseTypes: ['ReportBatchItemFailures'] }), 1);
  await waitFor(drained, 15_000, 'the message deleted on the second try');
  expect(fn.events.map((e) => e.Records[0]!.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
});

it('a function that keeps failing: the queue\'s redrive policy moves the message to its dead-letter queue', async () => {
  await store.createQueue(dlq);
  await store.createQueue(q, checkAttributes({
    VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:work-dlq', maxReceiveCount: 2 }),
  }, ARN));
  const fn = new InProcessFunction(() => { throw new Error('always'); });
  const sent = await send('poison');
  start(fn, spec(), 1);
  const dead = await waitFor(async () => (await store.peek(dlq))[0], 20_000, 'the message in the DLQ');
  expect(dead).toMatchObject({ MessageId: sent.messageId, Body: 'poison' });
  expect(fn.events.map((e) => e.Records[0]!.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
  await waitFor(drained, 10_000, 'the source queue empty');
});

it('a batch held by a poller stopped mid-invocation comes back after the visibility timeout, to the next poller', async () => {
  await store.createQueue(q, checkAttributes({ VisibilityTimeout: '1' }, ARN));
  let release: () => void = () => undefined;
  const stuck = new InProcessFunction(() => new Promise<void>((r) => { release = r; }));
  await send('held');
  const first = start(stuck, spec(), 1);
  await waitFor(() => (stuck.events.length === 1 ? true : undefined), 10_000, 'the first poller invoking');
  await first.stop();
  const fn = new InProcessFunction(() => null);
  start(fn, spec(), 1);
  await waitFor(drained, 15_000, 'the message processed by the second poller');
  expect(fn.events[0]!.Records[0]).toMatchObject({ body: 'held', attributes: { ApproximateReceiveCount: '2' } });
  release();
});

it('filter criteria: only matching messages reach the function; the others are deleted', async () => {
  await store.createQueue(q);
  const fn = new InProcessFunction(() => null);
  await send(JSON.stringify({ kind: 'keep', n: 1 }));
  await send(JSON.stringify({ kind: 'drop', n: 2 }));
  await send('plain text');
  await send(JSON.stringify({ kind: 'keep', n: 3 }));
  start(fn, spec({ filterCriteria: { filters: [{ pattern: '{"body": {"kind": ["keep"]}}' }] } }), 1);
  await waitFor(drained, 15_000, 'every message gone');
  expect(fn.bodies().map((b) => (JSON.parse(b) as { n: number }).n).sort()).toEqual([1, 3]);
});

it('an invoker that cannot run the function (throttled): the messages stay and are delivered once it can', async () => {
  await store.createQueue(q, checkAttributes({ VisibilityTimeout: '1' }, ARN));
  let throttle = true;
  const inner = new InProcessFunction(() => null);
  const fn: SyncInvoker = {
    invokeSync: async (ns, ref, inv) => {
      if (throttle) { throttle = false; throw Object.assign(new Error('Rate Exceeded.'), { statusCode: 429, awsType: 'TooManyRequestsException' }); }
      return inner.invokeSync(ns, ref, inv);
    },
  };
  await send('later');
  start(fn, spec(), 1);
  await waitFor(drained, 15_000, 'the message delivered after the throttle');
  expect(inner.events[0]!.Records[0]!.attributes.ApproximateReceiveCount).toBe('2');
});

it('keeps a batch within its byte limit (Lambda\'s 6 MB): a message that would pass it waits for the next batch', async () => {
  await store.createQueue(q);
  const inner = new InProcessFunction(() => null);
  for (let i = 0; i < 7; i++) await send(`${i}`.padEnd(1_000, 'x'));
  // 6 messages of 1,000 bytes (+1,024 for the rest of each record) fit in 12,200 bytes, a 7th does not
  const p = new SqsPoller({ store, invoker: inner, namespace: 'default', mapping: 'm', spec: spec({ batchSize: 10 }), arn: ARN, concurrency: 1, maxBatchBytes: 12_200 });
  pollers.push(p);
  p.start();
  await waitFor(drained, 20_000, 'all seven delivered');
  expect(inner.events.map((e) => e.Records.length)).toEqual([6, 1]);
});
