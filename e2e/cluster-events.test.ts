// Events and HTTP triggers on a real control plane, through the router with SigV4 and the official SDK clients: a topic made with
// CreateTopic/Subscribe is a Topic object and Publish reaches its function; a rule made with PutRule/PutTargets is an
// EventRule object and PutEvents reaches its target; a scheduled rule fires; an SQS queue and a Kinesis stream feed a
// function through event source mappings polled by the leading controller (a stream batch the function keeps
// failing goes to the on-failure queue). The function's own async onSuccess queue shows what reached it. A Function
// applied with `spec.url` is served at its URL (NONE, and AWS_IAM with a signature), and has an Ingress for its host name.
import { request as httpRequest } from 'node:http';
import { CreateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { SignatureV4 } from '@smithy/signature-v4';
import { OutcomeQueue } from '../src/queue/outcomes.js';
import { urlId } from '../src/core/function-url.js';
import { Sha256 } from '../test/helpers/sdk-sha256.js';
import { waitFor } from './helpers/local.js';
import { ADMIN_KEY, invokeReady, podDiagnostics, startKlambdaOnCluster, type KlambdaOnCluster } from './helpers/cluster.js';
import { LEASE_NAMESPACE } from '../test/control-plane/cluster-fixture.js';

let k: KlambdaOnCluster;
const api = '/apis/klambda.dev/v1alpha1/namespaces/default';
const region = 'us-east-1';
const clients = () => {
  const c = { endpoint: k.routerUrl, region, maxAttempts: 1, credentials: { ...ADMIN_KEY } };
  return { sns: new SNSClient(c), events: new EventBridgeClient(c), sqs: new SQSClient(c), kinesis: new KinesisClient(c) };
};
let c: ReturnType<typeof clients>;

/** The payloads that reached `sink` asynchronously (its onSuccess records), from the queue `seen`. */
async function seen(): Promise<Array<Record<string, any>>> {
  return (await new OutcomeQueue(k.redis, k.keyPrefix).messages('default', 'seen')).map((m) => (JSON.parse(m.Body) as { requestPayload: Record<string, any> }).requestPayload);
}

beforeAll(async () => {
  // each Function URL gets an Ingress (the kind every API server serves) in front of the router
  k = await startKlambdaOnCluster({ controllerArgs: ['--url-expose', 'ingress', '--url-ingress-class', 'nginx', '--router-service', 'klambda-router:9000'] });
  c = clients();
  // `sink` answers what it got; async runs send their record to the queue `seen`. A Kinesis batch with "poison" fails.
  await k.cluster.admin.create(`${api}/functions`, {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'sink' },
    spec: {
      runtime: 'nodejs20', handler: 'index.handler', async: { onSuccess: { queue: 'seen' } },
      code: { inline: { 'index.mjs': `export const handler = async (e) => {
  if (e.Records?.some((r) => r.kinesis && Buffer.from(r.kinesis.data, 'base64').toString().includes('poison'))) throw new Error('poison');
  return e;
};` } },
    },
  });
  await invokeReady(k.lambda, 'sink', {});
}, 45 * 60_000);

afterAll(async () => {
  if (process.env.KLAMBDA_TEST_POD_LOGS && k) process.stderr.write(`${await podDiagnostics(k)}\n`);
  for (const x of Object.values(c ?? {})) x.destroy();
  await k?.stop();
});

it('SNS: CreateTopic and Subscribe make a Topic object; Publish reaches the function as Lambda\'s SNS event', async () => {
  const { TopicArn } = await c.sns.send(new CreateTopicCommand({ Name: 'orders' }));
  expect(TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:orders');
  await c.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:sink' }));
  const topic = await k.cluster.admin.get<{ spec: { subscriptions: Array<{ protocol: string; endpoint: string }> } }>(`${api}/topics/orders`);
  expect(topic.spec.subscriptions).toEqual([expect.objectContaining({ protocol: 'lambda', endpoint: 'sink' })]);
  // the controller's informer has the subscription a moment after the API server: publish until a message arrives
  const got = await waitFor(async () => {
    const { MessageId } = await c.sns.send(new PublishCommand({ TopicArn, Message: 'hello from sns' }));
    return waitFor(async () => (await seen()).find((p) => p.Records?.[0]?.Sns?.MessageId === MessageId), 5_000, 'the SNS event').catch(() => undefined);
  }, 60_000, 'the SNS event');
  expect(got.Records[0]).toMatchObject({ EventSource: 'aws:sns', Sns: { TopicArn, Message: 'hello from sns', Type: 'Notification' } });
}, 120_000);

it('EventBridge: PutRule and PutTargets make an EventRule object; PutEvents reaches the target; a schedule fires', async () => {
  await c.events.send(new PutRuleCommand({ Name: 'shop', EventPattern: JSON.stringify({ source: ['shop'] }) }));
  await c.events.send(new PutTargetsCommand({ Rule: 'shop', Targets: [{ Id: 'sink', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:sink', InputPath: '$.detail' }] }));
  expect((await k.cluster.admin.get<{ spec: { targets: unknown[] } }>(`${api}/eventrules/shop`)).spec.targets).toEqual([expect.objectContaining({ id: 'sink', function: 'sink', inputPath: '$.detail' })]);
  // until the controller's informer has the rule, an event matches nothing: put again until one arrives
  await waitFor(async () => {
    const tag = `order-${Date.now()}`;
    const res = await c.events.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'order', Detail: JSON.stringify({ tag }) }] }));
    expect(res.FailedEntryCount).toBe(0);
    return waitFor(async () => (await seen()).find((p) => p.tag === tag), 5_000, tag).catch(() => undefined);
  }, 60_000, 'an event through the rule');
  // rate(1 minute) on the controller's 600× clock: a tick every 100 ms
  await c.events.send(new PutRuleCommand({ Name: 'tick', ScheduleExpression: 'rate(1 minute)' }));
  await c.events.send(new PutTargetsCommand({ Rule: 'tick', Targets: [{ Id: 'sink', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:sink' }] }));
  const tick = await waitFor(async () => (await seen()).find((p) => p['detail-type'] === 'Scheduled Event'), 60_000, 'a scheduled event');
  expect(tick).toMatchObject({ source: 'aws.events', resources: ['arn:aws:events:us-east-1:000000000000:rule/tick'] });
}, 180_000);

it('event source mappings: an SQS queue is drained into the function; a Kinesis batch that keeps failing goes to the on-failure queue', async () => {
  const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
  await k.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'sink', EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:jobs', BatchSize: 5 }));
  for (let i = 0; i < 5; i++) await c.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `job ${i}` }));
  // sent, then taken by the poller and deleted once the function answered
  await waitFor(async () => {
    const a = await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return a.Attributes?.ApproximateNumberOfMessages === '0' && a.Attributes.ApproximateNumberOfMessagesNotVisible === '0' ? true : undefined;
  }, 60_000, 'the queue drained by its mapping');

  await c.kinesis.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 1 }));
  await k.lambda.send(new CreateEventSourceMappingCommand({
    FunctionName: 'sink', EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks', StartingPosition: 'TRIM_HORIZON',
    MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:stream-failures' } },
  }));
  await c.kinesis.send(new PutRecordCommand({ StreamName: 'clicks', PartitionKey: 'k', Data: Buffer.from('poison') }));
  const failure = await waitFor(async () => (await new OutcomeQueue(k.redis, k.keyPrefix).messages('default', 'stream-failures'))[0], 90_000, 'the on-failure record');
  expect(JSON.parse(failure.Body)).toMatchObject({
    requestContext: { functionArn: expect.stringContaining(':function:sink'), condition: 'RetryAttemptsExhausted' },
    KinesisBatchInfo: { shardId: 'shardId-000000000000', batchSize: 1, streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks' },
  });
}, 180_000);

it('Function URLs: spec.url applied with the Function is served by the router at /lambda-url/<url-id>/; AWS_IAM needs a signature', async () => {
  const handler = "export const handler = async (e) => ({ statusCode: 201, headers: { 'x-seen': e.rawPath }, body: JSON.stringify({ path: e.rawPath, q: e.queryStringParameters, method: e.requestContext.http.method, iam: e.requestContext.authorizer?.iam?.userArn ?? null }) });";
  for (const [name, authType] of [['web', 'NONE'], ['private', 'AWS_IAM']] as const) {
    await k.cluster.admin.create(`${api}/functions`, {
      apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name },
      spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': handler } }, url: { authType } },
    });
  }
  const { GetFunctionUrlConfigCommand } = await import('@aws-sdk/client-lambda');
  const config = await waitFor(() => k.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'web' })).catch(() => undefined), 30_000, 'the URL config');
  expect(config.FunctionUrl).toBe(`http://${urlId('default', 'web', '$LATEST')}.lambda-url.us-east-1.localhost:${new URL(k.routerUrl).port}/`);
  const at = (name: string, path: string) => `${k.routerUrl}/lambda-url/${urlId('default', name, '$LATEST')}${path}`;
  // served once the controller has routed it and an environment answers
  const res = await waitFor(async () => {
    const r = await fetch(at('web', '/orders/7?x=1&x=2'), { method: 'POST', body: 'hi' });
    return r.status === 201 ? r : undefined;
  }, 120_000, 'the URL served');
  expect(res.headers.get('x-seen')).toBe('/orders/7');
  expect(await res.json()).toEqual({ path: '/orders/7', q: { x: '1,2' }, method: 'POST', iam: null });
  // the controller's Ingress for the URL: its host is the FunctionUrl's, and the router answers that host name
  type Ingress = { spec: { ingressClassName: string; rules: Array<{ host: string; http: { paths: Array<{ backend: unknown }> } }> } };
  const ing = await waitFor(() => k.cluster.admin.find<Ingress>(`/apis/networking.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/ingresses/lambda-url-${urlId('default', 'web', '$LATEST')}`), 30_000, 'the Ingress of web');
  expect(ing.spec.ingressClassName).toBe('nginx');
  expect(ing.spec.rules[0]!.host).toBe(new URL(config.FunctionUrl!).hostname);
  expect(ing.spec.rules[0]!.http.paths[0]!.backend).toEqual({ service: { name: 'klambda-router', port: { number: 9000 } } });
  const byHost = await new Promise<{ status: number; body: string }>((ok, fail) => {
    const u = new URL(k.routerUrl);
    const req = httpRequest({ hostname: u.hostname, port: u.port, path: '/by-host', headers: { host: ing.spec.rules[0]!.host } }, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => ok({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', fail).end();
  });
  expect(byHost.status).toBe(201);
  expect(JSON.parse(byHost.body)).toMatchObject({ path: '/by-host', method: 'GET' });
  // AWS_IAM: refused without a signature (once routed), served with one
  await waitFor(async () => ((await fetch(at('private', '/'))).status === 403 ? true : undefined), 60_000, 'an unsigned call refused');
  const url = new URL(at('private', '/who'));
  const signer = new SignatureV4({ credentials: { ...ADMIN_KEY }, region: 'us-east-1', service: 'lambda', sha256: Sha256 });
  const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host } } as never);
  const ok = await waitFor(async () => {
    const r = await fetch(url, { headers: (signed as unknown as { headers: Record<string, string> }).headers });
    return r.status === 201 ? r : undefined;
  }, 120_000, 'a signed call served');
  expect(((await ok.json()) as { iam: string }).iam).toMatch(/^arn:aws:iam::000000000000:/);
}, 300_000);
