// The SQS-like queue store against a real Redis (or Redis Cluster): send, receive with visibility timeouts, delete by
// receipt handle, change visibility, delays, long polling, redrive to a dead-letter queue, retention, purge.
import { checkAttributes } from '../../src/events/sqs/attributes.js';
import { SqsStore, type QueueId } from '../../src/events/sqs/store.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { deleteKeys, keysMatching, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };
let server: TestRedis;
let redis: RedisConnection;
let prefix: string;
let store: SqsStore;
const q: QueueId = { namespace: 'default', name: 'jobs' };

beforeAll(async () => { server = await useRedis(); redis = connectRedis(server.url); });
afterAll(async () => { redis.disconnect(); await server.stop(); });
beforeEach(() => { prefix = randomPrefix(); store = new SqsStore(redis, { keyPrefix: prefix, longPollIntervalMs: 20 }); });
afterEach(async () => { await deleteKeys(redis, `${prefix}:*`); });

const send = (body: string, extra: { delaySeconds?: number } = {}) => store.sendOne(q, { body, senderId: '000000000000', ...extra });

it('creates a queue with SQS defaults, keeps every key of it in one hash tag, and refuses another value of a named attribute', async () => {
  expect(await store.createQueue(q, checkAttributes({ VisibilityTimeout: '20' }, ctx))).toBe(true);
  expect(await store.createQueue(q, checkAttributes({ VisibilityTimeout: '20' }, ctx))).toBe(false);
  expect(await store.createQueue(q)).toBe(false);
  await expect(store.createQueue(q, checkAttributes({ VisibilityTimeout: '21' }, ctx))).rejects.toMatchObject({
    awsType: 'com.amazonaws.sqs#QueueNameExists', message: 'A queue already exists with the same name and a different value for attribute VisibilityTimeout',
  });
  const stats = await store.stats(q);
  expect(stats.attributes).toMatchObject({ VisibilityTimeout: '20', DelaySeconds: '0', MaximumMessageSize: '262144', MessageRetentionPeriod: '345600', ReceiveMessageWaitTimeSeconds: '0' });
  await send('x');
  const keys = (await keysMatching(redis, `${prefix}:mq:*`));
  expect(keys.length).toBeGreaterThan(2);
  expect(keys.every((k) => k.startsWith(`${prefix}:mq:{default/jobs}:`))).toBe(true);
  expect(await store.listQueues('default')).toEqual(['jobs']);
});

it('receives a message once, hides it for the visibility timeout, and gives it back with a new handle and count', async () => {
  await store.createQueue(q, checkAttributes({ VisibilityTimeout: '1' }, ctx));
  const sent = await send('hello');
  const [first] = await store.receive(q, { maxMessages: 10 });
  expect(first).toMatchObject({ messageId: sent.messageId, body: 'hello', receiveCount: 1, md5OfBody: '5d41402abc4b2a76b9719d911017c592' });
  expect(await store.receive(q, { maxMessages: 10 })).toEqual([]);
  expect((await store.stats(q))).toMatchObject({ visible: 0, inflight: 1 });
  const again = await waitFor(async () => (await store.receive(q, { maxMessages: 1 }))[0], 10_000, 'the message back');
  expect(again).toMatchObject({ messageId: sent.messageId, receiveCount: 2, firstReceiveTimestamp: first!.firstReceiveTimestamp });
  expect(again.receiptHandle).not.toBe(first!.receiptHandle);
  // the first handle is stale: SQS answers success and deletes nothing
  expect(await store.deleteMessage(q, first!.receiptHandle)).toBe(false);
  expect(await store.deleteMessage(q, again.receiptHandle)).toBe(true);
  expect(await store.peek(q)).toEqual([]);
});

it('changes visibility: 0 makes it visible at once; a gone message answers that its handle expired', async () => {
  await store.createQueue(q);
  await send('a');
  const [m] = await store.receive(q, { maxMessages: 1 });
  await store.changeVisibility(q, m!.receiptHandle, 0);
  const [back] = await store.receive(q, { maxMessages: 1 });
  expect(back!.messageId).toBe(m!.messageId);
  await expect(store.changeVisibility(q, m!.receiptHandle, 10)).rejects.toMatchObject({ awsType: 'com.amazon.coral.service#InvalidParameterValueException' });
  await store.deleteMessage(q, back!.receiptHandle);
  await expect(store.changeVisibility(q, back!.receiptHandle, 10)).rejects.toMatchObject({ queryCode: 'InvalidParameterValue' });
  await expect(store.deleteMessage(q, 'not-a-handle')).rejects.toMatchObject({ awsType: 'com.amazonaws.sqs#ReceiptHandleIsInvalid', statusCode: 404 });
});

it('holds a delayed message back until its delay is over, counting it as delayed meanwhile', async () => {
  await store.createQueue(q);
  await send('later', { delaySeconds: 1 });
  expect(await store.receive(q, { maxMessages: 1 })).toEqual([]);
  expect(await store.stats(q)).toMatchObject({ delayed: 1, visible: 0 });
  const m = await waitFor(async () => (await store.receive(q, { maxMessages: 1 }))[0], 10_000, 'the delayed message');
  expect(m.body).toBe('later');
});

it('long-polls until a message arrives; an abort, or closing the store, ends the wait with nothing received', async () => {
  await store.createQueue(q);
  const polling = store.receive(q, { maxMessages: 1, waitTimeSeconds: 20 });
  await send('woken');
  expect((await polling).map((m) => m.body)).toEqual(['woken']);
  const ctl = new AbortController();
  const aborted = store.receive(q, { maxMessages: 1, waitTimeSeconds: 20, signal: ctl.signal });
  ctl.abort();
  expect(await aborted).toEqual([]);
  const closing = store.receive(q, { maxMessages: 1, waitTimeSeconds: 20 });
  store.close();
  expect(await closing).toEqual([]);
});

it('moves a message received maxReceiveCount times to the dead-letter queue, with its id, body and source ARN', async () => {
  await store.createQueue({ namespace: 'default', name: 'dlq' });
  await store.createQueue(q, checkAttributes({ VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq', maxReceiveCount: 2 }) }, ctx));
  const sent = await store.sendOne(q, { body: 'poison', senderId: 'me', attributes: { kind: { DataType: 'String', StringValue: 'bad' } } });
  expect((await store.receive(q, { maxMessages: 1 }))[0]!.receiveCount).toBe(1);
  expect((await store.receive(q, { maxMessages: 1 }))[0]!.receiveCount).toBe(2);
  expect(await store.receive(q, { maxMessages: 1 })).toEqual([]);
  const [dead] = await store.receive({ namespace: 'default', name: 'dlq' }, { maxMessages: 1 });
  expect(dead).toMatchObject({ messageId: sent.messageId, body: 'poison', receiveCount: 1, deadLetterQueueSourceArn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
    attributes: { kind: { DataType: 'String', StringValue: 'bad' } }, md5OfMessageAttributes: sent.md5OfMessageAttributes });
  expect(await store.stats(q)).toMatchObject({ visible: 0, inflight: 0 });
});

it('drops messages older than the retention period', async () => {
  await store.createQueue(q, checkAttributes({ MessageRetentionPeriod: '60' }, ctx));
  await send('old');
  // a sent time 61 s back: what a minute of waiting would make of it
  const k = `${prefix}:mq:{default/jobs}:sent`;
  const [id] = await redis.zrange(k, 0, 0);
  await redis.zadd(k, Date.now() - 61_000, id!);
  expect(await store.receive(q, { maxMessages: 1 })).toEqual([]);
  expect(await store.peek(q)).toEqual([]);
});

it('refuses a message over MaximumMessageSize, a purge within a minute of the last, and a queue that does not exist', async () => {
  await store.createQueue(q, checkAttributes({ MaximumMessageSize: '1024' }, ctx));
  const [r] = await store.send(q, [{ body: 'x'.repeat(1025), senderId: 'me' }], [1025]);
  expect(r).toMatchObject({ message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.' });
  await send('a');
  await store.purgeQueue(q);
  expect(await store.peek(q)).toEqual([]);
  await expect(store.purgeQueue(q)).rejects.toMatchObject({ awsType: 'com.amazonaws.sqs#PurgeQueueInProgress', statusCode: 403 });
  await store.deleteQueue(q);
  await expect(send('a')).rejects.toMatchObject({ awsType: 'com.amazonaws.sqs#QueueDoesNotExist', queryCode: 'AWS.SimpleQueueService.NonExistentQueue' });
  expect(await store.listQueues('default')).toEqual([]);
});

it('keeps one copy of a message sent twice with the same id (a redone destination send)', async () => {
  await store.ensureQueue(q);
  await store.sendOne(q, { id: 'c0ffee00-0000-4000-8000-000000000001', body: 'once', senderId: 'me' });
  await store.sendOne(q, { id: 'c0ffee00-0000-4000-8000-000000000001', body: 'once', senderId: 'me' });
  expect((await store.peek(q)).map((m) => m.Body)).toEqual(['once']);
});
