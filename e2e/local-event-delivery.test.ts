// Events reach functions in the local mode: a topic's message (Publish through @aws-sdk/client-sns and `aws sns
// publish`) to its lambda subscription as Lambda's SNS event, filtered; an event put on the bus (PutEvents through
// @aws-sdk/client-eventbridge and `aws events put-events`) to the targets of the matching rules, with an input
// transformer, and through a topic target; a rule and subscription written through the APIs land in the folder.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { asyncClock } from '../src/core/async-policy.js';
import { awsCli } from './helpers/aws-cli.js';
import { fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

const hasCli = spawnSync('aws', ['--version']).status === 0;

describe('event delivery (local mode)', () => {
  let fx: Fixture;
  let out: string;
  let sns: SNSClient;
  let events: EventBridgeClient;
  const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

  /** Every event `sink` received, by the name its caller put in it. */
  const received = (): Array<{ tag: string; event: Record<string, unknown> }> =>
    readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as { tag: string; event: Record<string, unknown> });
  const receivedTag = (tag: string) => waitFor(() => received().find((r) => r.tag === tag), 30_000, `an event tagged ${tag}`);

  beforeAll(async () => {
    out = sharedOutDir('klambda-events-');
    // the sink keeps each event under the tag it finds in it (SNS message, bus detail or transformed input)
    // written as .tmp and renamed: the test never reads half a file
    const sink = `import { renameSync, writeFileSync } from 'node:fs';
const tagOf = (e) => { const m = e.Records ? JSON.parse(e.Records[0].Sns.Message) : e; return m.tag ?? m.detail?.tag; };
export const handler = async (e) => { const f = ${JSON.stringify(out)} + '/' + Date.now() + '-' + Math.random() + '.json'; writeFileSync(f + '.tmp', JSON.stringify({ tag: tagOf(e), event: e })); renameSync(f + '.tmp', f); return 'ok'; };`;
    fx = await startFixture({
      'sink.yaml': fn('sink', 'nodejs20', 'index.handler', { 'index.mjs': sink }),
      'relay.yaml': fn('relay', 'nodejs20', 'index.handler', {
        'index.mjs': "export const handler = async (e) => { if (e.fail) throw new Error('relay failed: ' + e.tag); return { relayed: e.tag }; };",
      }, '  async: {maximumRetryAttempts: 0, onSuccess: {topic: all}, onFailure: {eventBus: default}}\n'),
      'relay-failures.yaml': `apiVersion: klambda.dev/v1alpha1
kind: EventRule
metadata: {name: relay-failures}
spec:
  eventPattern: {source: [lambda], detail-type: [Lambda Function Invocation Result - Failure]}
  targets: [{id: sink, function: sink, inputPath: $.detail.requestPayload}]
`,
      'orders.yaml': `apiVersion: klambda.dev/v1alpha1
kind: Topic
metadata: {name: orders}
spec:
  subscriptions:
    - {protocol: lambda, endpoint: sink, filterPolicy: {kind: [order]}}
`,
      'shop.yaml': `apiVersion: klambda.dev/v1alpha1
kind: EventRule
metadata: {name: shop-orders}
spec:
  eventPattern: {source: [shop], detail: {total: [{numeric: [">", 100]}]}}
  targets:
    - id: sink
      function: sink
      inputTransformer:
        inputPathsMap: {tag: $.detail.tag, total: $.detail.total}
        inputTemplate: '{"tag": <tag>, "big": <total>, "rule": "<aws.events.rule-name>"}'
    - {id: topic, topic: all}
`,
      'all.yaml': `apiVersion: klambda.dev/v1alpha1
kind: Topic
metadata: {name: all}
spec:
  subscriptions: [{protocol: lambda, endpoint: sink}]
`,
    });
    sns = new SNSClient({ endpoint: fx.local.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    events = new EventBridgeClient({ endpoint: fx.local.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  }, 60_000);

  afterAll(async () => {
    sns?.destroy();
    events?.destroy();
    await fx?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('delivers a published message to the lambda subscription as Lambda\'s SNS event; the filter policy holds back others', async () => {
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:orders';
    const skipped = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ tag: 'refund-1' }), MessageAttributes: { kind: { DataType: 'String', StringValue: 'refund' } } }));
    const res = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: 'new', Message: JSON.stringify({ tag: 'order-1' }), MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } } }));
    expect(res.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const got = await receivedTag('order-1');
    const record = (got.event.Records as Array<Record<string, any>>)[0]!;
    expect(record).toMatchObject({ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: expect.stringMatching(/^arn:aws:sns:us-east-1:000000000000:orders:[0-9a-f-]{36}$/) });
    expect(record.Sns).toMatchObject({
      Type: 'Notification', MessageId: res.MessageId, TopicArn: topicArn, Subject: 'new', Message: JSON.stringify({ tag: 'order-1' }),
      MessageAttributes: { kind: { Type: 'String', Value: 'order' } },
    });
    expect(skipped.MessageId).toBeDefined();
    // a later message is delivered, so the filtered one would have been by now: it never is
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ tag: 'order-2' }), MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' } } }));
    await receivedTag('order-2');
    expect(received().some((r) => r.tag === 'refund-1')).toBe(false);
  }, 60_000);

  it('puts events on the bus: the matching rule\'s targets get the transformed input and, through a topic, the event in an SNS message', async () => {
    const res = await events.send(new PutEventsCommand({ Entries: [
      { Source: 'shop', DetailType: 'order', Detail: JSON.stringify({ tag: 'big-1', total: 250 }) },
      { Source: 'shop', DetailType: 'order', Detail: JSON.stringify({ tag: 'small-1', total: 5 }) },
    ] }));
    expect(res.FailedEntryCount).toBe(0);
    const transformed = await waitFor(() => received().find((r) => r.tag === 'big-1' && r.event.big !== undefined), 30_000, 'the transformed input');
    expect(transformed.event).toEqual({ tag: 'big-1', big: 250, rule: 'shop-orders' });
    // the topic target publishes the whole event to `all`, whose subscription gets it as an SNS message
    const viaTopic = await waitFor(() => received().find((r) => r.tag === 'big-1' && r.event.Records !== undefined), 30_000, 'the event through the topic');
    const message = JSON.parse((viaTopic.event.Records as Array<{ Sns: { Message: string; TopicArn: string } }>)[0]!.Sns.Message) as Record<string, unknown>;
    expect(message).toMatchObject({ version: '0', source: 'shop', 'detail-type': 'order', account: '000000000000', region: 'us-east-1', detail: { tag: 'big-1', total: 250 } });
    // an event no rule matches (total 5) sends nothing: a later one arrives, it never does
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'order', Detail: JSON.stringify({ tag: 'big-2', total: 101 }) }] }));
    await waitFor(() => received().filter((r) => r.tag === 'big-2').length >= 1 ? true : undefined, 30_000, 'big-2');
    expect(received().some((r) => r.tag === 'small-1')).toBe(false);
  }, 60_000);

  it('writes a rule and its target through the API into the folder, and delivers through it', async () => {
    await events.send(new PutRuleCommand({ Name: 'Audit_All', EventPattern: JSON.stringify({ source: ['audit'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'Audit_All', Targets: [{ Id: 'sink', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:sink', InputPath: '$.detail' }] }));
    const manifest = await waitFor(() => readdirSync(fx.dir).find((f) => f.endsWith('.rule.yaml')), 10_000, 'the rule manifest');
    expect(readFileSync(join(fx.dir, manifest), 'utf8')).toContain('klambda.dev/rule-name: Audit_All');
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'audit', DetailType: 'x', Detail: JSON.stringify({ tag: 'audit-1' }) }] }));
    expect((await receivedTag('audit-1')).event).toEqual({ tag: 'audit-1' });
  }, 60_000);

  it('async destinations to a topic and to the event bus: onSuccess publishes Lambda\'s record, onFailure puts it as an EventBridge event', async () => {
    const { InvokeCommand } = await import('@aws-sdk/client-lambda');
    await fx.lambda.send(new InvokeCommand({ FunctionName: 'relay', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ tag: 'relay-ok' })) }));
    // through the topic `all`: the sink gets an SNS event whose message is the destination record
    const viaTopic = await waitFor(() => received().map((r) => r.event).find((e) => {
      const m = (e.Records as Array<{ Sns?: { Message: string } }> | undefined)?.[0]?.Sns?.Message;
      return m !== undefined && m.includes('relay-ok');
    }), 30_000, 'the onSuccess record through the topic');
    const record = JSON.parse((viaTopic.Records as Array<{ Sns: { Message: string } }>)[0]!.Sns.Message) as Record<string, any>;
    expect(record).toMatchObject({ requestContext: { condition: 'Success', functionArn: expect.stringMatching(/^arn:aws:lambda:us-east-1:000000000000:function:relay/) }, requestPayload: { tag: 'relay-ok' }, responsePayload: { relayed: 'relay-ok' } });
    // the failure: an EventBridge event (source lambda) on the default bus, matched by relay-failures, its payload to the sink
    await fx.lambda.send(new InvokeCommand({ FunctionName: 'relay', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ tag: 'relay-bad', fail: true })) }));
    expect((await receivedTag('relay-bad')).event).toEqual({ tag: 'relay-bad', fail: true });
  }, 60_000);

  it('http and sqs subscriptions made with Subscribe: the endpoint gets SNS\'s notification and headers, the queue the raw message', async () => {
    const { CreateTopicCommand, SubscribeCommand } = await import('@aws-sdk/client-sns');
    const { CreateQueueCommand, ReceiveMessageCommand, SQSClient } = await import('@aws-sdk/client-sqs');
    const posts: Array<{ headers: Record<string, unknown>; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => { body += d.toString(); });
      req.on('end', () => { posts.push({ headers: req.headers, body }); res.writeHead(200).end(); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const sqs = new SQSClient({ endpoint: fx.local.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    try {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'hooks' }));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'hooked' }));
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sns`;
      const httpSub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: endpoint, ReturnSubscriptionArn: true }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:hooked', Attributes: { RawMessageDelivery: 'true' } }));
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'ping', Subject: 'hi' }));
      const post = await waitFor(() => posts[0], 30_000, 'the HTTP notification');
      expect(post.headers).toMatchObject({ 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-message-id': MessageId, 'x-amz-sns-topic-arn': TopicArn, 'x-amz-sns-subscription-arn': httpSub.SubscriptionArn });
      expect(JSON.parse(post.body)).toMatchObject({ Type: 'Notification', MessageId, TopicArn, Subject: 'hi', Message: 'ping' });
      const got = await waitFor(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0], 30_000, 'the queued message');
      expect(got.Body).toBe('ping');
    } finally {
      sqs.destroy();
      await new Promise((r) => server.close(r));
    }
  }, 60_000);

  const itIfCli = hasCli ? it : it.skip;
  itIfCli('`aws sns publish` and `aws events put-events` (AWS CLI v1) deliver too', async () => {
    const snsCli = awsCli('sns', fx.local.url, creds);
    const eventsCli = awsCli('events', fx.local.url, creds);
    const published = JSON.parse(await snsCli('publish', '--topic-arn', 'arn:aws:sns:us-east-1:000000000000:orders', '--message', JSON.stringify({ tag: 'cli-sns' }),
      '--message-attributes', '{"kind":{"DataType":"String","StringValue":"order"}}')) as { MessageId: string };
    expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    await receivedTag('cli-sns');
    const put = JSON.parse(await eventsCli('put-events', '--entries', JSON.stringify([{ Source: 'shop', DetailType: 'order', Detail: JSON.stringify({ tag: 'cli-bus', total: 500 }) }]))) as { FailedEntryCount: number };
    expect(put.FailedEntryCount).toBe(0);
    await receivedTag('cli-bus');
    expect(existsSync(out)).toBe(true);
  }, 120_000);
});

describe('scheduled rules (local mode, a sped-up clock)', () => {
  let fx: Fixture;
  let out: string;

  beforeAll(async () => {
    out = sharedOutDir('klambda-schedules-');
    const sink = `import { renameSync, writeFileSync } from 'node:fs';
export const handler = async (e) => { const f = ${JSON.stringify(out)} + '/' + e.id + '.json'; writeFileSync(f + '.tmp', JSON.stringify(e)); renameSync(f + '.tmp', f); return 'ok'; };`;
    const rule = (name: string, state: string) => `apiVersion: klambda.dev/v1alpha1
kind: EventRule
metadata: {name: ${name}}
spec:
  scheduleExpression: rate(1 minute)
  state: ${state}
  targets: [{id: sink, function: sink}]
`;
    // 240×: a minute of schedule time is a quarter of a second
    fx = await startFixture({
      'sink.yaml': fn('sink', 'nodejs20', 'index.handler', { 'index.mjs': sink }),
      'every-minute.yaml': rule('every-minute', 'ENABLED'),
      'paused.yaml': rule('paused', 'DISABLED'),
    }, { asyncClock: asyncClock(240) });
  }, 60_000);

  afterAll(async () => {
    await fx?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('fires an ENABLED rate rule\'s Scheduled Event to its target tick after tick; a DISABLED rule fires nothing', async () => {
    const events = () => readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as Record<string, unknown>);
    await waitFor(() => (events().length >= 3 ? true : undefined), 60_000, 'three ticks');
    const all = events();
    for (const e of all) {
      expect(e).toMatchObject({ version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', region: 'us-east-1', detail: {} });
      expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(new Set(all.flatMap((e) => e.resources as string[]))).toEqual(new Set(['arn:aws:events:us-east-1:000000000000:rule/every-minute']));
    // each tick once: distinct ids (the id is derived from rule and tick)
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  }, 90_000);
});
