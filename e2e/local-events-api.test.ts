// EventBridge's TestEventPattern through the local mode's router, as the official SDK (@aws-sdk/client-eventbridge) and
// the AWS CLI v1 send it (AWS JSON 1.1: POST / with X-Amz-Target: AWSEvents.TestEventPattern): matching and
// non-matching events for the pattern operators, the engine's InvalidEventPatternException, AWS's refusal of an event
// and of the members, an unknown target; without --auth (the local guard) and with it (a key signed for `events`
// reaches EventBridge only and one signed for `lambda` the Lambda API only; a key's policy is applied).
import {
  AccessDeniedException, EventBridgeClient, EventBridgeServiceException, InvalidEventPatternException, TestEventPatternCommand,
  type TestEventPatternCommandInput,
} from '@aws-sdk/client-eventbridge';
import { LambdaClient, LambdaServiceException, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rejection } from '../test/helpers/refusal.js';
import { awsCli, type CliKey as Key } from './helpers/aws-cli.js';
import { startFixture, type Fixture } from './helpers/local.js';

const ADMIN: Key = { accessKeyId: 'AKIAKLAMBDAEVADMIN01', secretAccessKey: 'events-admin-secret' };
const INVOKER: Key = { accessKeyId: 'AKIAKLAMBDAEVLAMBDA1', secretAccessKey: 'lambda-only-secret' };
const TESTER: Key = { accessKeyId: 'AKIAKLAMBDAEVTESTER1', secretAccessKey: 'tester-secret' };
const keysDir = mkdtempSync(join(tmpdir(), 'klambda-events-keys-'));
const keyFile = join(keysDir, 'keys.ini');
writeFileSync(keyFile, `[admin]
aws_access_key_id = ${ADMIN.accessKeyId}
aws_secret_access_key = ${ADMIN.secretAccessKey}

[lambda-only]
aws_access_key_id = ${INVOKER.accessKeyId}
aws_secret_access_key = ${INVOKER.secretAccessKey}
klambda_policy = {"Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}]}

[tester]
aws_access_key_id = ${TESTER.accessKeyId}
aws_secret_access_key = ${TESTER.secretAccessKey}
klambda_policy = {"Statement": [{"Effect": "Allow", "Action": "events:TestEventPattern", "Resource": "*"}]}
`);

/** An event as EventBridge delivers it; `detail` and the top-level fields overridden per case. */
function event(over: Record<string, unknown> = {}, detail: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '0', id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', 'detail-type': 'Order Placed', source: 'com.example.shop',
    account: '000000000000', time: '2026-01-02T03:04:05Z', region: 'us-east-1', resources: ['arn:aws:ec2:us-east-1:000000000000:instance/i-1'],
    detail: { amount: 250, state: 'placed', sourceIp: '10.0.0.17', ...detail }, ...over,
  });
}

let open: Fixture;
let signed: Fixture;
const clients: Array<{ destroy(): void }> = [];
function eventBridge(url: string, credentials: Key = { accessKeyId: 'test', secretAccessKey: 'test' }): EventBridgeClient {
  const c = new EventBridgeClient({ endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials });
  clients.push(c);
  return c;
}
const testPattern = (c: EventBridgeClient, EventPattern: unknown, Event: string) =>
  c.send(new TestEventPatternCommand({ EventPattern: typeof EventPattern === 'string' ? EventPattern : JSON.stringify(EventPattern), Event }));

const refusal = (p: Promise<unknown>) => rejection(p, EventBridgeServiceException);

/** The SDK with its X-Amz-Target replaced before signing: an operation no API of the router has. */
function withTarget(c: EventBridgeClient, target: string): EventBridgeClient {
  c.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['x-amz-target'] = target;
    return next(args);
  }, { step: 'build', name: 'replaceTarget' });
  return c;
}

/** `aws events …` (the AWS CLI v1) with `key`; resolves to stdout, rejects with stderr. */
const awsEvents = (url: string, key: Key, ...args: string[]): Promise<string> => awsCli('events', url, key, 60_000)(...args);

beforeAll(async () => {
  [open, signed] = await Promise.all([startFixture({}), startFixture({}, { auth: keyFile })]);
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all([open?.stop(), signed?.stop()]);
  rmSync(keysDir, { recursive: true, force: true });
});

describe('TestEventPattern through the SDK (klambda dev without --auth)', () => {
  it.each([
    ['prefix', { source: [{ prefix: 'com.example' }] }, event(), event({ source: 'org.other.shop' })],
    ['numeric range', { detail: { amount: [{ numeric: ['>', 100, '<=', 500] }] } }, event(), event({}, { amount: 501 })],
    ['anything-but', { detail: { state: [{ 'anything-but': ['cancelled', 'failed'] }] } }, event(), event({}, { state: 'cancelled' })],
    ['exists: false', { detail: { coupon: [{ exists: false }] } }, event(), event({}, { coupon: 'SAVE10' })],
    ['cidr', { detail: { sourceIp: [{ cidr: '10.0.0.0/24' }] } }, event(), event({}, { sourceIp: '10.0.1.17' })],
    ['$or', { $or: [{ 'detail-type': ['Order Placed'] }, { detail: { amount: [{ numeric: ['>=', 1000] }] } }] },
      event({ 'detail-type': 'Order Shipped' }, { amount: 1000 }), event({ 'detail-type': 'Order Shipped' }, { amount: 999 })],
  ])('%s: true for the event it describes, false for one it does not', async (_op, pattern, yes, no) => {
    const c = eventBridge(open.local.url);
    expect((await testPattern(c, pattern, yes)).Result).toBe(true);
    expect((await testPattern(c, pattern, no)).Result).toBe(false);
  });

  it('takes an event without resources, as EventBridge does', async () => {
    const { resources: _r, ...rest } = JSON.parse(event()) as Record<string, unknown>;
    expect((await testPattern(eventBridge(open.local.url), { source: ['com.example.shop'] }, JSON.stringify(rest))).Result).toBe(true);
  });

  it('an invalid pattern: 400 InvalidEventPatternException with the engine\'s reason', async () => {
    const c = eventBridge(open.local.url);
    const e = await refusal(testPattern(c, { source: 'com.example.shop' }, event()));
    expect(e).toBeInstanceOf(InvalidEventPatternException);
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.message).toBe('Event pattern is not valid. Reason: "source" must be an object or an array');
    const numeric = await refusal(testPattern(c, { detail: { amount: [{ numeric: ['>', 'ten'] }] } }, event()));
    expect(numeric).toBeInstanceOf(InvalidEventPatternException);
    expect(numeric.message).toMatch(/^Event pattern is not valid\. Reason: /);
  });

  it('an event that is not JSON, not an object or lacks a required field: 400 ValidationException "Parameter Event is not valid."', async () => {
    const c = eventBridge(open.local.url);
    const { time: _t, ...noTime } = JSON.parse(event()) as Record<string, unknown>;
    for (const bad of ['plain string', '["an", "array"]', JSON.stringify(noTime), JSON.stringify({ testEvent: 'value' })]) {
      const e = await refusal(testPattern(c, { source: ['com.example.shop'] }, bad));
      expect([e.name, e.message, e.$metadata.httpStatusCode]).toEqual(['ValidationException', 'Parameter Event is not valid.', 400]);
    }
  });

  it('absent members and a pattern over 4096 characters: 400 ValidationException in AWS\'s words', async () => {
    const c = eventBridge(open.local.url);
    const none = await refusal(c.send(new TestEventPatternCommand({} as TestEventPatternCommandInput)));
    expect(none.name).toBe('ValidationException');
    expect(none.message).toBe("2 validation errors detected: Value null at 'eventPattern' failed to satisfy constraint: Member must not be null; "
      + "Value null at 'event' failed to satisfy constraint: Member must not be null");
    const long = JSON.stringify({ source: Array.from({ length: 500 }, (_, i) => `com.example.source${i}`) });
    const e = await refusal(testPattern(c, long, event()));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toMatch(/^1 validation error detected: Value '\{"source":\["com\.example\.source0",.*\.\.\.' at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096$/);
  });

  it.each([
    ['an EventBridge operation the router lacks', 'AWSEvents.PutEventsNowhere'],
    ['a name of the JavaScript object prototype', 'AWSEvents.constructor'],
    ['another JSON API', 'DynamoDB_20120810.ListTables'],
  ])('an unknown X-Amz-Target (%s): 400 UnknownOperationException', async (_what, target) => {
    const e = await refusal(testPattern(withTarget(eventBridge(open.local.url), target), { source: ['x'] }, event()));
    expect(e.name).toBe('UnknownOperationException');
    expect(e.$metadata.httpStatusCode).toBe(400);
  });

  it('answers on the wire as AWS JSON 1.1 does: the content type, {"Result"}, errors as {"__type","message"}', async () => {
    const call = (body: unknown) => fetch(`${open.local.url}/`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSEvents.TestEventPattern' },
    });
    const ok = await call({ EventPattern: '{"source":["com.example.shop"]}', Event: event() });
    expect([ok.status, ok.headers.get('content-type')]).toEqual([200, 'application/x-amz-json-1.1']);
    expect(await ok.json()).toEqual({ Result: true });
    const bad = await call({ EventPattern: '{"source":"x"}', Event: event() });
    expect([bad.status, bad.headers.get('content-type'), bad.headers.get('x-amzn-errortype')]).toEqual([400, 'application/x-amz-json-1.1', 'InvalidEventPatternException']);
    expect(await bad.json()).toEqual({ __type: 'InvalidEventPatternException', message: 'Event pattern is not valid. Reason: "source" must be an object or an array' });
    const notJson = await fetch(`${open.local.url}/`, { method: 'POST', body: '{"EventPattern":', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSEvents.TestEventPattern' } });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { __type: string }).__type).toBe('SerializationException');
  });

  it('the local guard treats it as any other write: a CORS-simple Content-Type (a web page\'s form post) is refused', async () => {
    const res = await fetch(`${open.local.url}/`, {
      method: 'POST', body: JSON.stringify({ EventPattern: '{"source":["x"]}', Event: event() }),
      headers: { 'Content-Type': 'text/plain', 'X-Amz-Target': 'AWSEvents.TestEventPattern' },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { __type: string }).__type).toBe('AccessDeniedException');
  });

  it('the AWS CLI v1: test-event-pattern prints the Result; an invalid pattern fails with AWS\'s error', async () => {
    const key = { accessKeyId: 'test', secretAccessKey: 'test' };
    expect(JSON.parse(await awsEvents(open.local.url, key, 'test-event-pattern', '--event-pattern', '{"source":[{"prefix":"com.example"}]}', '--event', event())))
      .toEqual({ Result: true });
    expect(JSON.parse(await awsEvents(open.local.url, key, 'test-event-pattern', '--event-pattern', '{"detail":{"amount":[{"numeric":["<",100]}]}}', '--event', event())))
      .toEqual({ Result: false });
    await expect(awsEvents(open.local.url, key, 'test-event-pattern', '--event-pattern', '{"source":"com.example.shop"}', '--event', event()))
      .rejects.toThrow('An error occurred (InvalidEventPatternException) when calling the TestEventPattern operation: Event pattern is not valid. Reason: "source" must be an object or an array');
  }, 60_000);
});

describe('TestEventPattern with SigV4 (klambda dev --auth)', () => {
  it('a key without a policy, signed for events: the SDK and the AWS CLI v1 get the Result', async () => {
    expect((await testPattern(eventBridge(signed.local.url, ADMIN), { source: [{ prefix: 'com.' }] }, event())).Result).toBe(true);
    expect(JSON.parse(await awsEvents(signed.local.url, ADMIN, 'test-event-pattern', '--event-pattern', '{"source":[{"prefix":"org."}]}', '--event', event())))
      .toEqual({ Result: false });
  }, 60_000);

  it('a key whose policy does not allow events:TestEventPattern: AccessDeniedException; a key allowed only that action gets it and is refused the Lambda API', async () => {
    const e = await refusal(testPattern(eventBridge(signed.local.url, INVOKER), { source: ['x'] }, event()));
    expect(e).toBeInstanceOf(AccessDeniedException);
    expect(e.message).toBe('User: arn:aws:iam::000000000000:user/lambda-only is not authorized to perform: events:TestEventPattern on resource: * '
      + 'because no identity-based policy allows the events:TestEventPattern action');
    expect((await testPattern(eventBridge(signed.local.url, TESTER), { source: ['com.example.shop'] }, event())).Result).toBe(true);
    const lambda = new LambdaClient({ endpoint: signed.local.url, region: 'us-east-1', maxAttempts: 1, credentials: TESTER });
    clients.push(lambda);
    const denied = await lambda.send(new ListFunctionsCommand({})).then(() => undefined, (err: unknown) => err);
    expect(denied).toBeInstanceOf(LambdaServiceException);
    expect((denied as LambdaServiceException).name).toBe('AccessDeniedException');
  });

  it('signed for the wrong service: 403 InvalidSignatureException naming the service the call needs', async () => {
    // the SDK's signingName setting (read by its SigV4 config resolver, not in the clients' config types)
    const signingAs = (signingName: string): object => ({ signingName });
    const asLambda = new EventBridgeClient({ endpoint: signed.local.url, region: 'us-east-1', maxAttempts: 1, credentials: ADMIN, ...signingAs('lambda') });
    const asEvents = new LambdaClient({ endpoint: signed.local.url, region: 'us-east-1', maxAttempts: 1, credentials: ADMIN, ...signingAs('events') });
    clients.push(asLambda, asEvents);
    const e = await refusal(testPattern(asLambda, { source: ['x'] }, event()));
    expect([e.name, e.message, e.$metadata.httpStatusCode]).toEqual(['InvalidSignatureException', "Credential should be scoped to correct service: 'events'. ", 403]);
    const l = await asEvents.send(new ListFunctionsCommand({})).then(() => undefined, (err: unknown) => err as LambdaServiceException);
    expect([l?.name, l?.message]).toEqual(['InvalidSignatureException', "Credential should be scoped to correct service: 'lambda'. "]);
  });

  it('an unknown X-Amz-Target, signed: 400 UnknownOperationException', async () => {
    const e = await refusal(testPattern(withTarget(eventBridge(signed.local.url, ADMIN), 'AWSEvents.NoSuchOperation'), { source: ['x'] }, event()));
    expect([e.name, e.$metadata.httpStatusCode]).toEqual(['UnknownOperationException', 400]);
  });
});
