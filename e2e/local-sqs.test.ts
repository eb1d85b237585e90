// SQS through the local mode's router, as @aws-sdk/client-sqs sends it: queues and messages on the local Redis, an
// async destination `{queue: …}` read back with ReceiveMessage, and an EventSourceMapping on a queue feeding a function.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand,
  SQSClient, type Message,
} from '@aws-sdk/client-sqs';
import { awsCli } from './helpers/aws-cli.js';
import { fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

let f: Fixture;
let sqs: SQSClient;

beforeAll(async () => {
  f = await startFixture({
    'hello.yaml': fn('hello', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async (event) => ({ hello: event.name });' },
      '  async:\n    onSuccess: {queue: results}\n'),
    'worker.yaml': fn('worker', 'nodejs20', 'index.handler', {
      'index.mjs': `export const handler = async (event) => {
  for (const r of event.Records) console.log('GOT ' + r.body + ' from ' + r.eventSourceARN);
  return { batchItemFailures: [] };
};`,
    }),
    'mapping.yaml': 'apiVersion: klambda.dev/v1alpha1\nkind: EventSourceMapping\nmetadata: {name: jobs-to-worker}\nspec:\n'
      + '  source: {queue: jobs}\n  functionName: worker\n  batchSize: 10\n  functionResponseTypes: [ReportBatchItemFailures]\n',
  });
  sqs = new SQSClient({ endpoint: f.local.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  await f?.stop();
});

it('creates a queue, sends a batch and receives it with its attributes; the queue URL is the router\'s', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '5' } }));
  expect(QueueUrl).toBe(`${f.local.url}/000000000000/orders`);
  const sent = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [
    { Id: 'a', MessageBody: 'first', MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } } },
    { Id: 'b', MessageBody: 'second' },
  ] }));
  expect(sent.Successful).toHaveLength(2);
  const got: Message[] = [];
  await waitFor(async () => {
    got.push(...((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }))).Messages ?? []));
    return got.length >= 2 ? true : undefined;
  }, 15_000, 'both messages');
  expect(got.map((m) => m.Body).sort()).toEqual(['first', 'second']);
  expect(got.find((m) => m.Body === 'first')!.MessageAttributes).toEqual({ kind: { DataType: 'String', StringValue: 'order' } });
  for (const m of got) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  expect(attrs.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
});

it('an async invocation\'s onSuccess record on {queue: results} is an SQS message ReceiveMessage returns', async () => {
  const out = await f.lambda.send(new InvokeCommand({ FunctionName: 'hello', InvocationType: 'Event', Payload: Buffer.from('{"name":"sqs"}') }));
  const requestId = out.$metadata.requestId!;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'results' }));
  const message = await waitFor(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }))).Messages?.[0], 30_000, 'the destination record');
  expect(JSON.parse(message.Body!)).toMatchObject({
    requestContext: { requestId, condition: 'Success' }, requestPayload: { name: 'sqs' }, responsePayload: { hello: 'sqs' },
  });
});

it('an EventSourceMapping on a queue runs the function on what is sent to it, and deletes it', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'job-1' }));
  await waitFor(() => (f.logs.some((l) => l.includes('GOT job-1 from arn:aws:sqs:us-east-1:000000000000:jobs')) ? true : undefined), 30_000, 'the worker to log the job');
  await waitFor(async () => {
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
    return a.ApproximateNumberOfMessages === '0' && a.ApproximateNumberOfMessagesNotVisible === '0' ? true : undefined;
  }, 15_000, 'the job deleted');
}, 60_000);

it('the AWS CLI v1 speaks to it too, and shows SQS\'s query error codes', async () => {
  const aws = awsCli('sqs', f.local.url, { accessKeyId: 'test', secretAccessKey: 'test' });
  const { QueueUrl } = JSON.parse(await aws('create-queue', '--queue-name', 'cli')) as { QueueUrl: string };
  await aws('send-message', '--queue-url', QueueUrl, '--message-body', 'from the cli', '--message-attributes', '{"k":{"DataType":"String","StringValue":"v"}}');
  const got = JSON.parse(await aws('receive-message', '--queue-url', QueueUrl, '--message-attribute-names', 'All', '--attribute-names', 'All')) as { Messages: Array<{ Body: string; MessageAttributes: unknown }> };
  expect(got.Messages[0]).toMatchObject({ Body: 'from the cli', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } });
  await expect(aws('get-queue-url', '--queue-name', 'nope')).rejects.toThrow('An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: The specified queue does not exist.');
  await expect(aws('receive-message', '--queue-url', QueueUrl, '--max-number-of-messages', '11')).rejects.toThrow('(InvalidParameterValue)');
}, 120_000);
