// SNS through the local mode's router, as @aws-sdk/client-sns and the AWS CLI v1 send it: create a topic, subscribe a
// function with a filter policy, publish, and the function is invoked with Lambda's SNS event (Records[0].Sns…), its
// EventSubscriptionArn the one Subscribe answered. Real processes, real Redis, the manifest folder as the source of truth.
// With --auth, a key's policy holds it to sns:Publish on one topic.
import {
  AuthorizationErrorException, CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient, SNSServiceException, SubscribeCommand,
} from '@aws-sdk/client-sns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli } from './helpers/aws-cli.js';
import { fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:orders';
const RECEIVER = 'arn:aws:lambda:us-east-1:000000000000:function:receiver';
const MARK = 'SNS-EVENT ';

let f: Fixture;
let sns: SNSClient;

beforeAll(async () => {
  f = await startFixture({
    'receiver.yaml': fn('receiver', 'nodejs20', 'index.handler', {
      'index.mjs': `export const handler = async (event) => { console.log(${JSON.stringify(MARK)} + JSON.stringify(event)); return {}; };`,
    }),
  });
  sns = new SNSClient({ endpoint: f.local.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}, 60_000);
afterAll(async () => {
  sns?.destroy();
  await f?.stop();
});

/** The SNS events the receiver has logged so far. */
const received = (): Array<{ Records: Array<Record<string, unknown> & { Sns: Record<string, unknown> }> }> =>
  f.logs.filter((l) => l.includes(MARK)).map((l) => JSON.parse(l.slice(l.indexOf(MARK) + MARK.length)));

// snsRoutes as src/local/dev.ts wires it: the real TopicBackend (the manifest folder) and the fan-out.
it('a message published to a topic reaches a subscribed function as Lambda\'s SNS event', async () => {
  expect((await sns.send(new CreateTopicCommand({ Name: 'orders' }))).TopicArn).toBe(TOPIC);
  const sub = await sns.send(new SubscribeCommand({
    TopicArn: TOPIC, Protocol: 'lambda', Endpoint: RECEIVER, Attributes: { FilterPolicy: JSON.stringify({ kind: ['placed'] }) },
  }));
  expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC }))).Subscriptions).toEqual([
    { SubscriptionArn: sub.SubscriptionArn, Owner: '000000000000', Protocol: 'lambda', Endpoint: RECEIVER, TopicArn: TOPIC },
  ]);
  const aws = awsCli('sns', f.local.url, { accessKeyId: 'test', secretAccessKey: 'test' }, 120_000);
  const { MessageId } = JSON.parse(await aws('publish', '--topic-arn', TOPIC, '--message', 'order 42 <placed> & paid', '--subject', 'Order placed',
    '--message-attributes', '{"kind":{"DataType":"String","StringValue":"placed"},"total":{"DataType":"Number","StringValue":"42"}}'));
  const event = await waitFor(() => received().find((e) => e.Records[0]!.Sns.MessageId === MessageId), 60_000, 'the SNS event in the receiver');
  expect(event.Records).toHaveLength(1);
  expect(event.Records[0]).toEqual({
    EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: sub.SubscriptionArn,
    Sns: {
      Type: 'Notification', MessageId, TopicArn: TOPIC, Subject: 'Order placed', Message: 'order 42 <placed> & paid',
      Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/),
      SignatureVersion: '1', Signature: expect.any(String), SigningCertUrl: expect.any(String), UnsubscribeUrl: expect.any(String),
      MessageAttributes: { kind: { Type: 'String', Value: 'placed' }, total: { Type: 'Number', Value: '42' } },
    },
  });
}, 120_000);

describe('with --auth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-sns-keys-'));
  const keyFile = join(dir, 'keys.ini');
  writeFileSync(keyFile, `[admin]
aws_access_key_id = AKIAKLAMBDASNSADMIN1
aws_secret_access_key = sns-admin-secret

[publisher]
aws_access_key_id = AKIAKLAMBDASNSPUB001
aws_secret_access_key = sns-publisher-secret
klambda_policy = {"Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": "${TOPIC}"}]}
`);
  let signed: Fixture;
  const clientOf = (accessKeyId: string, secretAccessKey: string) =>
    new SNSClient({ endpoint: signed.local.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId, secretAccessKey } });
  beforeAll(async () => { signed = await startFixture({}, { auth: keyFile }); }, 60_000);
  afterAll(async () => {
    await signed?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("holds a key to its policy: sns:Publish on the one topic's ARN, everything else AuthorizationError", async () => {
    const admin = clientOf('AKIAKLAMBDASNSADMIN1', 'sns-admin-secret');
    const publisher = clientOf('AKIAKLAMBDASNSPUB001', 'sns-publisher-secret');
    try {
      await admin.send(new CreateTopicCommand({ Name: 'orders' }));
      await admin.send(new CreateTopicCommand({ Name: 'audit' }));
      expect((await publisher.send(new PublishCommand({ TopicArn: TOPIC, Message: 'ok' }))).MessageId).toMatch(/^[0-9a-f-]{36}$/);
      let refused: unknown;
      try {
        await publisher.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:audit', Message: 'no' }));
      } catch (e) {
        refused = e;
      }
      expect(refused).toBeInstanceOf(AuthorizationErrorException);
      expect((refused as SNSServiceException).message).toBe('User: arn:aws:iam::000000000000:user/publisher is not authorized to perform: sns:Publish on resource: arn:aws:sns:us-east-1:000000000000:audit because no identity-based policy allows the sns:Publish action');
    } finally {
      admin.destroy();
      publisher.destroy();
    }
  }, 60_000);
});
