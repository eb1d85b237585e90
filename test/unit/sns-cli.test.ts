// The AWS CLI v1 (botocore's query serializer and XML parser) against the router's SNS API over an in-memory
// TopicBackend: create-topic, list-topics, publish with attributes, publish-batch, subscribe, attributes with characters
// XML must escape, and SNS's errors as the CLI prints them (it failed on JSON answers with "invalid XML received").
import { awsCli } from '../../e2e/helpers/aws-cli.js';
import { startSnsRouter, type SnsRouter } from '../helpers/memory-topics.js';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:orders';
let router: SnsRouter;
let aws: (...args: string[]) => Promise<string>;

beforeAll(async () => {
  router = await startSnsRouter();
  await router.backend.createTopic('orders', {});
  aws = awsCli('sns', router.url, { accessKeyId: 'test', secretAccessKey: 'test' }, 120_000);
});
afterAll(async () => { await router?.close(); });

async function cliError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the command to fail');
}

it('create-topic, list-topics and get-topic-attributes (a display name XML must escape)', async () => {
  const NEWS = 'arn:aws:sns:us-east-1:000000000000:news';
  const name = `A & B <c> "d" 'e'`;
  expect(JSON.parse(await aws('create-topic', '--name', 'news', '--attributes', JSON.stringify({ DisplayName: name }), '--tags', 'Key=team,Value=shop'))).toEqual({ TopicArn: NEWS });
  expect(router.backend.topics.get('news')).toMatchObject({ displayName: name, tags: { team: 'shop' } });
  expect(JSON.parse(await aws('list-topics'))).toEqual({ Topics: [{ TopicArn: NEWS }, { TopicArn: TOPIC }] });
  const attrs = JSON.parse(await aws('get-topic-attributes', '--topic-arn', NEWS)).Attributes;
  expect(attrs).toMatchObject({ TopicArn: NEWS, DisplayName: name, SubscriptionsConfirmed: '0' });
}, 120_000);

it('publish with message attributes and publish-batch reach the backend', async () => {
  const out = JSON.parse(await aws('publish', '--topic-arn', TOPIC, '--message', 'hello', '--subject', 'Hi',
    '--message-attributes', '{"kind":{"DataType":"String","StringValue":"placed"},"n":{"DataType":"Number","StringValue":"3"}}'));
  expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
  expect(router.backend.messagesOf('orders').at(-1)).toMatchObject({
    messageId: out.MessageId, message: 'hello', subject: 'Hi',
    messageAttributes: { kind: { DataType: 'String', StringValue: 'placed' }, n: { DataType: 'Number', StringValue: '3' } },
  });
  const batch = JSON.parse(await aws('publish-batch', '--topic-arn', TOPIC, '--publish-batch-request-entries', 'Id=a,Message=one', 'Id=b,Message=two'));
  expect(batch.Successful.map((s: { Id: string }) => s.Id)).toEqual(['a', 'b']);
  expect(batch.Failed ?? []).toEqual([]);
  expect(router.backend.messagesOf('orders').slice(-2).map((m) => m.message)).toEqual(['one', 'two']);
}, 120_000);

it('subscribe a function and list it', async () => {
  const sub = JSON.parse(await aws('subscribe', '--topic-arn', TOPIC, '--protocol', 'lambda', '--notification-endpoint', 'arn:aws:lambda:us-east-1:000000000000:function:billing',
    '--attributes', '{"FilterPolicy":"{\\"kind\\":[\\"placed\\"]}"}'));
  expect(sub.SubscriptionArn).toMatch(new RegExp(`^${TOPIC}:[0-9a-f-]{36}$`));
  const listed = JSON.parse(await aws('list-subscriptions-by-topic', '--topic-arn', TOPIC)).Subscriptions;
  expect(listed).toEqual([{ SubscriptionArn: sub.SubscriptionArn, Owner: '000000000000', Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:billing', TopicArn: TOPIC }]);
  expect(router.backend.topics.get('orders')!.subscriptions[0]).toMatchObject({ protocol: 'lambda', endpoint: 'billing', filterPolicy: { kind: ['placed'] } });
}, 120_000);

it("SNS's errors as the CLI shows them: their codes and messages", async () => {
  expect(await cliError(aws('publish', '--topic-arn', 'arn:aws:sns:us-east-1:000000000000:missing', '--message', 'x')))
    .toContain('An error occurred (NotFound) when calling the Publish operation: Topic does not exist');
  expect(await cliError(aws('create-topic', '--name', 'bad.name')))
    .toContain('An error occurred (InvalidParameter) when calling the CreateTopic operation: Invalid parameter: Topic Name');
  expect(await cliError(aws('publish', '--topic-arn', TOPIC, '--message', 'x', '--message-attributes', '{"n":{"DataType":"Number","StringValue":"ten"}}')))
    .toContain("An error occurred (ParameterValueInvalid) when calling the Publish operation: Could not cast message attribute 'n' value to number.");
}, 120_000);
