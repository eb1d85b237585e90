// The SQS API on the router, spoken to by @aws-sdk/client-sqs over a real listening server and a real Redis: queues,
// attributes, messages with attributes (the SDK checks the MD5s), batches, visibility, long polling, SQS's errors.
import {
  ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand,
  DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, ListQueueTagsCommand, PurgeQueueCommand, ReceiveMessageCommand,
  SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient, TagQueueCommand, UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { silentLogger } from '../../src/core/logger.js';
import { md5OfMessageAttributes } from '../../src/events/sqs/md5.js';
import { SqsStore } from '../../src/events/sqs/store.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { createRouterApp } from '../../src/router/app.js';
import { jsonRoutes } from '../../src/router/json-rpc/dispatch.js';
import { listen, type Listening } from '../../src/router/listen.js';
import { sqsApi } from '../../src/router/sqs/targets.js';
import { deleteKeys, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';

const ARN = { region: 'us-east-1', accountId: '000000000000' };
let redis: TestRedis;
let conn: RedisConnection;
let http: Listening;
let sqs: SQSClient;
let prefix: string;

beforeAll(async () => {
  redis = await useRedis();
  conn = connectRedis(redis.url);
  prefix = randomPrefix();
  const store = new SqsStore(conn, { keyPrefix: prefix, longPollIntervalMs: 20 });
  const app = createRouterApp({
    logger: silentLogger,
    invoke: () => { throw new Error('no Lambda API in this test'); },
    routes: [jsonRoutes([sqsApi(() => ({ store, namespace: 'default', arn: ARN, baseUrl: http.url }))])],
  });
  http = await listen(app, 0, '127.0.0.1');
  sqs = new SQSClient({ endpoint: http.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  sqs?.destroy();
  await http?.close();
  if (conn) await deleteKeys(conn, `${prefix}:*`);
  conn?.disconnect();
  await redis?.stop();
});

const errorOf = async (p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined; code: string | undefined }> => {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode, code: err.Code };
  }
  throw new Error('expected the call to fail');
};

const create = async (name: string, Attributes?: Record<string, string>): Promise<string> =>
  (await sqs.send(new CreateQueueCommand({ QueueName: name, ...(Attributes ? { Attributes } : {}) }))).QueueUrl!;

it('creates, finds, lists and deletes queues; URLs are the router\'s own', async () => {
  const url = await create('orders');
  expect(url).toBe(`${http.url}/000000000000/orders`);
  expect(await create('orders')).toBe(url);
  await create('orders-dlq');
  await create('payments');
  expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl).toBe(url);
  expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'orders' }))).QueueUrls).toEqual([url, `${http.url}/000000000000/orders-dlq`]);
  const page1 = await sqs.send(new ListQueuesCommand({ MaxResults: 2 }));
  expect(page1.QueueUrls).toHaveLength(2);
  const page2 = await sqs.send(new ListQueuesCommand({ MaxResults: 2, NextToken: page1.NextToken! }));
  expect(page2.QueueUrls).toEqual([`${http.url}/000000000000/payments`]);
  expect(page2.NextToken).toBeUndefined();
  await sqs.send(new DeleteQueueCommand({ QueueUrl: `${http.url}/000000000000/payments` }));
  expect(await errorOf(sqs.send(new GetQueueUrlCommand({ QueueName: 'payments' })))).toEqual({
    name: 'QueueDoesNotExist', message: 'The specified queue does not exist.', status: 400, code: 'AWS.SimpleQueueService.NonExistentQueue',
  });
});

it('sends and receives a message with attributes: the MD5s are SQS\'s, the system attributes as asked', async () => {
  const QueueUrl = await create('attrs');
  const MessageAttributes = {
    kind: { DataType: 'String', StringValue: 'order-placed' },
    total: { DataType: 'Number', StringValue: '12.5' },
    blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]) },
  };
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'héllo 🌍', MessageAttributes }));
  // AWS's documented example value for an attribute set is checked by the unit test; here: the SDK accepted MD5OfMessageBody
  expect(sent.MD5OfMessageAttributes).toBe(md5OfMessageAttributes({
    kind: { DataType: 'String', StringValue: 'order-placed' }, total: { DataType: 'Number', StringValue: '12.5' },
    blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]).toString('base64') },
  }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], MaxNumberOfMessages: 10 }));
  expect(got.Messages).toHaveLength(1);
  const m = got.Messages![0]!;
  expect(m).toMatchObject({ MessageId: sent.MessageId, Body: 'héllo 🌍', MD5OfMessageAttributes: sent.MD5OfMessageAttributes });
  expect(m.MessageAttributes!.kind).toEqual({ DataType: 'String', StringValue: 'order-placed' });
  expect(Buffer.from(m.MessageAttributes!.blob!.BinaryValue!)).toEqual(Buffer.from([0, 1, 2, 255]));
  expect(m.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SenderId: '000000000000' });
  expect(Number(m.Attributes!.SentTimestamp)).toBeGreaterThan(0);
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
  // a second delete with the same (now stale) handle succeeds, as SQS's does
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
  expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toEqual([]);
});

it('counts messages in GetQueueAttributes, sets attributes, and refuses unknown names and bad values', async () => {
  const QueueUrl = await create('counted', { VisibilityTimeout: '60' });
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'c', DelaySeconds: 600 }));
  await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
  expect(attrs).toMatchObject({
    ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1', ApproximateNumberOfMessagesDelayed: '1',
    QueueArn: 'arn:aws:sqs:us-east-1:000000000000:counted', VisibilityTimeout: '60', DelaySeconds: '0', MessageRetentionPeriod: '345600',
  });
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: '5' } }));
  expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['DelaySeconds'] }))).Attributes).toEqual({ DelaySeconds: '5' });
  expect(await errorOf(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '43201' } })))).toMatchObject({
    name: 'InvalidAttributeValue', message: 'Invalid value for the parameter VisibilityTimeout.', status: 400,
  });
  expect(await errorOf(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Colour' as 'All'] })))).toMatchObject({
    name: 'InvalidAttributeName', message: 'Unknown Attribute Colour.',
  });
  expect(await errorOf(create('counted', { VisibilityTimeout: '61' }))).toMatchObject({ name: 'QueueNameExists', code: 'QueueAlreadyExists' });
});

it('sends and deletes in batches, with per-entry results, and refuses bad batches as SQS does', async () => {
  const QueueUrl = await create('batched');
  const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [
    { Id: 'a', MessageBody: 'one' }, { Id: 'b', MessageBody: 'bad \u0000 char' }, { Id: 'c', MessageBody: 'three', DelaySeconds: 0 },
  ] }));
  expect(out.Successful!.map((s) => s.Id).sort()).toEqual(['a', 'c']);
  expect(out.Failed).toEqual([{ Id: 'b', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.stringContaining('Invalid characters found') }]);
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  expect(got.Messages!.map((m) => m.Body).sort()).toEqual(['one', 'three']);
  const del = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [
    ...got.Messages!.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle! })), { Id: 'junk', ReceiptHandle: 'junk' },
  ] }));
  expect(del.Successful!.map((s) => s.Id).sort()).toEqual(['m0', 'm1']);
  expect(del.Failed).toEqual([{ Id: 'junk', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle "junk" is not a valid receipt handle.' }]);
  expect(await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })))).toMatchObject({ name: 'EmptyBatchRequest', code: 'AWS.SimpleQueueService.EmptyBatchRequest' });
  const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
  expect(await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: eleven })))).toMatchObject({
    name: 'TooManyEntriesInBatchRequest', message: 'Maximum number of entries per request are 10. You have sent 11.',
  });
  expect(await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'x', MessageBody: 'a' }, { Id: 'x', MessageBody: 'b' }] })))).toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
  expect(await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'has space', MessageBody: 'a' }] })))).toMatchObject({ name: 'InvalidBatchEntryId' });
});

it('changes visibility one by one and in batches: 0 gives a message back at once', async () => {
  const QueueUrl = await create('visibility');
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'v' }));
  const [m] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages!;
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m!.ReceiptHandle!, VisibilityTimeout: 0 }));
  const [again] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages!;
  expect(again!.Attributes).toEqual({ ApproximateReceiveCount: '2' });
  const batch = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: [
    { Id: 'now', ReceiptHandle: again!.ReceiptHandle!, VisibilityTimeout: 0 }, { Id: 'old', ReceiptHandle: m!.ReceiptHandle!, VisibilityTimeout: 0 },
  ] }));
  expect(batch.Successful).toEqual([{ Id: 'now' }]);
  expect(batch.Failed).toEqual([{ Id: 'old', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.stringContaining('Reason: The receipt handle has expired.') }]);
});

it('long-polls: a receive waiting on an empty queue gets the message sent meanwhile', async () => {
  const QueueUrl = await create('long');
  const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'arrived' }));
  expect((await waiting).Messages!.map((m) => m.Body)).toEqual(['arrived']);
});

it('answers SQS\'s errors: bad parameters, missing body, FIFO refused, purge twice, unknown queue', async () => {
  const QueueUrl = await create('errors');
  expect(await errorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })))).toEqual({
    name: 'InvalidParameterValue', code: 'InvalidParameterValue', status: 400,
    message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
  });
  expect(await errorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })))).toMatchObject({
    message: 'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
  });
  expect(await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '' })))).toMatchObject({
    code: 'MissingParameter', message: 'The request must contain the parameter MessageBody.',
  });
  expect(await errorOf(create('jobs.fifo', { FifoQueue: 'true' }))).toMatchObject({ name: 'UnsupportedOperation', message: expect.stringContaining('FIFO queues are not supported') });
  expect(await errorOf(create('bad name'))).toMatchObject({ code: 'InvalidParameterValue', message: 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length' });
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  expect(await errorOf(sqs.send(new PurgeQueueCommand({ QueueUrl })))).toMatchObject({ name: 'PurgeQueueInProgress', status: 403, message: 'Only one PurgeQueue operation on errors is allowed every 60 seconds.' });
  expect(await errorOf(sqs.send(new SendMessageCommand({ QueueUrl: `${http.url}/000000000000/nowhere`, MessageBody: 'x' })))).toMatchObject({ name: 'QueueDoesNotExist' });
  expect(await errorOf(sqs.send(new SendMessageCommand({ QueueUrl: `${http.url}/111111111111/errors`, MessageBody: 'x' })))).toMatchObject({ name: 'QueueDoesNotExist' });
});

it('a client without endpoint reaches the router through the QueueUrl\'s own origin', async () => {
  const QueueUrl = await create('by-url');
  const bare = new SQSClient({ region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, logger: { debug() {}, info() {}, warn() {}, error() {} } });
  try {
    await bare.send(new SendMessageCommand({ QueueUrl, MessageBody: 'via url' }));
  } finally {
    bare.destroy();
  }
  expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!.Body).toBe('via url');
});

const raw = async (target: string, body: unknown): Promise<{ status: number; type: string | null; query: string | null; json: Record<string, unknown> }> => {
  const res = await fetch(`${http.url}/`, {
    method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${target}`, 'x-amzn-query-mode': 'true' },
  });
  return { status: res.status, type: res.headers.get('content-type'), query: res.headers.get('x-amzn-query-error'), json: await res.json() as Record<string, unknown> };
};

it('on the wire: AWS JSON 1.0 errors with __type and x-amzn-query-error; bad input is a 400, never a 500', async () => {
  expect(await raw('GetQueueUrl', { QueueName: 'no-such-queue' })).toEqual({
    status: 400, type: 'application/x-amz-json-1.0', query: 'AWS.SimpleQueueService.NonExistentQueue;Sender',
    json: { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' },
  });
  expect((await raw('GetQueueUrl', { QueueName: 'has {braces} and spaces*' })).json.__type).toBe('com.amazonaws.sqs#QueueDoesNotExist');
  expect(await raw('GetQueueUrl', {})).toMatchObject({ status: 400, query: 'MissingParameter;Sender', json: { message: 'The request must contain the parameter QueueName.' } });
  const QueueUrl = await create('wire');
  for (const [target, body] of [
    ['SendMessage', { QueueUrl, MessageBody: 42 }], ['ReceiveMessage', { QueueUrl, MaxNumberOfMessages: '5' }], ['SetQueueAttributes', { QueueUrl, Attributes: { VisibilityTimeout: 5 } }],
    ['SendMessage', { QueueUrl, MessageBody: 'x', MessageAttributes: { a: 'not an object' } }], ['DeleteMessageBatch', { QueueUrl, Entries: 'x' }],
  ] as const) {
    const r = await raw(target, body);
    expect([r.status, r.json.__type]).toEqual([400, 'SerializationException']);
  }
  expect(await raw('ChangeMessageVisibility', { QueueUrl, ReceiptHandle: 'x' })).toMatchObject({ status: 400, query: 'MissingParameter;Sender' });
  expect(await raw('DeleteMessage', { QueueUrl, ReceiptHandle: 'Zm9v' })).toMatchObject({ status: 404, query: 'ReceiptHandleIsInvalid;Sender' });
  expect(await raw('ListQueues', { NextToken: '!!' })).toMatchObject({ status: 400, query: 'InvalidParameterValue;Sender' });
  expect(await raw('Nope', {})).toMatchObject({ status: 400, json: { __type: 'UnknownOperationException' } });
  expect(await raw('SendMessage', '{not json')).toMatchObject({ status: 400, json: { __type: 'SerializationException' } });
});

it('tags a queue: CreateQueue\'s tags, TagQueue, UntagQueue, ListQueueTags; SQS\'s 50-tag quota', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'tagged', tags: { team: 'billing' } }));
  await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'dev', empty: '' } }));
  expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ team: 'billing', env: 'dev', empty: '' });
  await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['team', 'empty'] }));
  expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ env: 'dev' });
  // tags are not attributes
  expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes).not.toHaveProperty('env');
  const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
  expect(await errorOf(sqs.send(new TagQueueCommand({ QueueUrl, Tags: many })))).toMatchObject({ code: 'InvalidParameterValue', message: expect.stringContaining('at most 50') });
  expect(Object.keys((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags!)).toEqual(['env']);
  expect(await errorOf(sqs.send(new TagQueueCommand({ QueueUrl, Tags: { 'aws:owner': 'x' } })))).toMatchObject({ code: 'InvalidParameterValue' });
  expect(await errorOf(sqs.send(new ListQueueTagsCommand({ QueueUrl: `${http.url}/000000000000/untagged-nowhere` })))).toMatchObject({ name: 'QueueDoesNotExist' });
});
