// The SQS API behind the router's SigV4 gate, with @aws-sdk/client-sqs signing for `sqs`: a key's policy is checked
// against sqs:<Action> on the queue the call names (by QueueUrl or QueueName), batches as their single action.
import {
  CreateQueueCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parsePolicy } from '../../src/core/iam-policy.js';
import { silentLogger } from '../../src/core/logger.js';
import { SqsStore } from '../../src/events/sqs/store.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { createRouterApp } from '../../src/router/app.js';
import { principalOf, type AccessKey } from '../../src/router/auth/principal.js';
import { sigv4Auth } from '../../src/router/auth/sigv4-middleware.js';
import { jsonRoutes } from '../../src/router/json-rpc/dispatch.js';
import { listen, type Listening } from '../../src/router/listen.js';
import { sqsApi } from '../../src/router/sqs/targets.js';
import { deleteKeys, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';

const KEYS: AccessKey[] = [
  { accessKeyId: 'AKIASQSADMIN00000001', secretAccessKey: 'admin-secret', userName: 'admin', namespace: 'team-a', accountId: '111111111111' },
  {
    accessKeyId: 'AKIASQSORDERS0000001', secretAccessKey: 'orders-secret', userName: 'orders', namespace: 'team-a', accountId: '111111111111',
    policy: parsePolicy({ Statement: [
      { Effect: 'Allow', Action: 'sqs:*', Resource: 'arn:aws:sqs:us-east-1:111111111111:orders*' },
      { Effect: 'Allow', Action: 'sqs:ListQueues', Resource: '*' },
    ] }),
  },
];

let redis: TestRedis;
let conn: RedisConnection;
let http: Listening;
let prefix: string;
const clients: SQSClient[] = [];

beforeAll(async () => {
  redis = await useRedis();
  conn = connectRedis(redis.url);
  prefix = randomPrefix();
  const store = new SqsStore(conn, { keyPrefix: prefix });
  const app = createRouterApp({
    logger: silentLogger,
    invoke: () => { throw new Error('no Lambda API in this test'); },
    auth: sigv4Auth({ keys: { find: (id) => KEYS.find((k) => k.accessKeyId === id) }, region: 'us-east-1' }),
    routes: [jsonRoutes([sqsApi((req) => {
      const p = principalOf(req)!;
      return { store, namespace: p.namespace, arn: { region: 'us-east-1', accountId: p.accountId }, baseUrl: http.url };
    })])],
  });
  http = await listen(app, 0, '127.0.0.1');
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await http?.close();
  if (conn) await deleteKeys(conn, `${prefix}:*`);
  conn?.disconnect();
  await redis?.stop();
});

function client(key: AccessKey): SQSClient {
  const c = new SQSClient({ endpoint: http.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } });
  clients.push(c);
  return c;
}

const refused = async (p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> => {
  try { await p; } catch (e) { const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } }; return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode }; }
  throw new Error('expected a refusal');
};

it('a key limited to orders* reaches those queues only; SenderId is the caller\'s account', async () => {
  const admin = client(KEYS[0]!);
  const orders = client(KEYS[1]!);
  const { QueueUrl: payroll } = await admin.send(new CreateQueueCommand({ QueueName: 'payroll' }));
  const { QueueUrl } = await orders.send(new CreateQueueCommand({ QueueName: 'orders-eu' }));
  expect(QueueUrl).toBe(`${http.url}/111111111111/orders-eu`);
  await orders.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'one' }] }));
  const got = await orders.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ['SenderId'] }));
  expect(got.Messages![0]!.Attributes).toEqual({ SenderId: '111111111111' });
  expect((await orders.send(new ListQueuesCommand({}))).QueueUrls).toHaveLength(2);
  expect(await refused(orders.send(new SendMessageCommand({ QueueUrl: payroll, MessageBody: 'x' })))).toMatchObject({
    status: 403, message: expect.stringContaining('sqs:SendMessage on resource: arn:aws:sqs:us-east-1:111111111111:payroll'),
  });
  expect(await refused(orders.send(new CreateQueueCommand({ QueueName: 'payroll-2' })))).toMatchObject({ status: 403, message: expect.stringContaining('sqs:CreateQueue') });
  // another account's queue URL is refused before any policy
  expect(await refused(admin.send(new SendMessageCommand({ QueueUrl: `${http.url}/222222222222/orders-eu`, MessageBody: 'x' })))).toMatchObject({ status: 403 });
});
