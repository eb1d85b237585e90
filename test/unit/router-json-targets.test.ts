// The router's JSON-protocol calls, pure parts: which X-Amz-Target names which API and operation, the service a call
// must be signed for, its IAM action against a key's policy, AWS's member checks, and TestEventPattern itself.
import { EVENTBRIDGE, jsonTargetOf, targetAction } from '../../src/core/json-targets.js';
import { parsePolicy } from '../../src/core/iam-policy.js';
import { authorize, signingService } from '../../src/router/auth/sigv4-middleware.js';
import type { Principal } from '../../src/router/auth/principal.js';
import { eventBridgeApi } from '../../src/router/eventbridge/targets.js';
import { parseEvent, testEventPattern } from '../../src/router/eventbridge/test-event-pattern.js';
import { stringMembers } from '../../src/router/json-rpc/input.js';
import { refused } from '../helpers/refusal.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };
const EVENT = { id: '1', account: '000000000000', source: 'com.example', time: '2026-01-02T03:04:05Z', region: 'us-east-1', resources: [], 'detail-type': 'Test' };

describe('X-Amz-Target', () => {
  it('names an operation on POST / only; other methods and paths are the Lambda REST API', () => {
    expect(jsonTargetOf('POST', '/', 'AWSEvents.TestEventPattern')).toEqual({ target: 'AWSEvents.TestEventPattern', api: EVENTBRIDGE, operation: 'TestEventPattern' });
    expect(jsonTargetOf('GET', '/', 'AWSEvents.TestEventPattern')).toBeUndefined();
    expect(jsonTargetOf('POST', '/2015-03-31/functions/f/invocations', 'AWSEvents.TestEventPattern')).toBeUndefined();
    expect(jsonTargetOf('POST', '/', undefined)).toBeUndefined();
  });

  it('of a prefix no API has: no API; of an operation EventBridge lacks or an object-prototype name: no action', () => {
    expect(jsonTargetOf('POST', '/', 'DynamoDB_20120810.ListTables')).toEqual({ target: 'DynamoDB_20120810.ListTables', operation: 'ListTables' });
    for (const op of ['CreatePartnerEventSource', 'constructor', 'toString', '__proto__', 'hasOwnProperty', '']) {
      expect(targetAction(jsonTargetOf('POST', '/', `AWSEvents.${op}`)!, ctx)).toBeUndefined();
    }
    expect(targetAction(jsonTargetOf('POST', '/', 'AWSEvents')!, ctx)).toBeUndefined();
    expect(targetAction(jsonTargetOf('POST', '/', 'AWSEvents.TestEventPattern')!, ctx)).toEqual({ action: 'events:TestEventPattern', resource: '*' });
  });

  it('the router handles exactly the EventBridge operations core gives an IAM action', () => {
    const api = eventBridgeApi(() => { throw new Error('not called'); }, () => ctx);
    expect(Object.keys(api.targets).sort()).toEqual(Object.keys(EVENTBRIDGE.operations).sort());
  });

  it('a call must be signed for its API\'s service; an unknown prefix for any the router serves', () => {
    expect(signingService(jsonTargetOf('POST', '/', 'AWSEvents.TestEventPattern'))).toBe('events');
    expect(signingService(jsonTargetOf('GET', '/2015-03-31/functions/', undefined))).toBe('lambda');
    expect(signingService(jsonTargetOf('POST', '/', 'AmazonSQS.SendMessage'))).toBe('sqs');
    expect(signingService(jsonTargetOf('POST', '/', 'Kinesis_20131202.PutRecord'))).toBe('kinesis');
    expect(signingService(jsonTargetOf('POST', '/', 'DynamoDB_20120810.ListTables'))).toBeUndefined();
  });
});

describe('authorize() of a JSON call', () => {
  const principal = (policy?: unknown): Principal => ({
    namespace: 'default', accountId: '000000000000', userArn: 'arn:aws:iam::000000000000:user/k', ...(policy ? { policy: parsePolicy(policy) } : {}),
  });
  const call = (p: Principal, target: string) => refused(() => authorize(p, 'POST', '/', 'us-east-1', target));

  it('checks a call on the resource its members name: a rule, a stream, a queue', () => {
    const only = (action: string, resource: string) => principal({ Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
    const withMembers = (p: Principal, target: string, members: Record<string, unknown>) => refused(() => authorize(p, 'POST', '/', 'us-east-1', target, undefined, members));
    const rules = only('events:PutRule', 'arn:aws:events:us-east-1:000000000000:rule/mine');
    expect(withMembers(rules, 'AWSEvents.PutRule', { Name: 'mine' })).toBeUndefined();
    expect(withMembers(rules, 'AWSEvents.PutRule', { Name: 'theirs' })).toMatchObject({ awsType: 'AccessDeniedException', message: expect.stringContaining('rule/theirs') });
    const streams = only('kinesis:PutRecord', 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks');
    expect(withMembers(streams, 'Kinesis_20131202.PutRecord', { StreamName: 'clicks' })).toBeUndefined();
    expect(withMembers(streams, 'Kinesis_20131202.PutRecord', { StreamName: 'orders' })).toMatchObject({ awsType: 'AccessDeniedException' });
    const queues = only('sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:jobs');
    expect(withMembers(queues, 'AmazonSQS.SendMessage', { QueueUrl: 'http://127.0.0.1:9000/000000000000/jobs' })).toBeUndefined();
    expect(withMembers(queues, 'AmazonSQS.SendMessage', { QueueUrl: 'http://127.0.0.1:9000/000000000000/other' })).toMatchObject({ awsType: 'AccessDeniedException' });
  });

  it('checks events:TestEventPattern on "*" against the key\'s policy', () => {
    expect(call(principal(), 'AWSEvents.TestEventPattern')).toBeUndefined();
    expect(call(principal({ Statement: [{ Effect: 'Allow', Action: 'events:Test*', Resource: '*' }] }), 'AWSEvents.TestEventPattern')).toBeUndefined();
    expect(call(principal({ Statement: [{ Effect: 'Allow', Action: 'lambda:*', Resource: '*' }] }), 'AWSEvents.TestEventPattern')).toMatchObject({
      statusCode: 403, awsType: 'AccessDeniedException',
      message: 'User: arn:aws:iam::000000000000:user/k is not authorized to perform: events:TestEventPattern on resource: * because no identity-based policy allows the events:TestEventPattern action',
    });
    const denied = call(principal({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'events:*', Resource: '*' }] }), 'AWSEvents.TestEventPattern');
    expect(denied?.message).toContain('with an explicit deny in an identity-based policy');
  });

  it('an unknown target is 400 UnknownOperationException; X-Amz-Target on a Lambda path changes nothing', () => {
    expect(call(principal(), 'AWSEvents.constructor')).toMatchObject({ statusCode: 400, awsType: 'UnknownOperationException' });
    expect(call(principal(), 'Foo.Bar')).toMatchObject({ statusCode: 400, awsType: 'UnknownOperationException' });
    const p = principal({ Statement: [{ Effect: 'Allow', Action: 'events:*', Resource: '*' }] });
    expect(refused(() => authorize(p, 'GET', '/2015-03-31/functions/', 'us-east-1', 'AWSEvents.TestEventPattern'))?.message).toContain('lambda:ListFunctions');
  });
});

describe("AWS's member checks", () => {
  const members = [{ name: 'EventPattern', required: true, maxLength: 10 }, { name: 'Event', required: true }];

  it('lists every failed constraint in the model\'s order, a JSON null as absent', () => {
    expect(refused(() => stringMembers({}, members))).toMatchObject({
      statusCode: 400, awsType: 'ValidationException',
      message: "2 validation errors detected: Value null at 'eventPattern' failed to satisfy constraint: Member must not be null; Value null at 'event' failed to satisfy constraint: Member must not be null",
    });
    expect(refused(() => stringMembers({ EventPattern: '{"a":["bc"]}', Event: null }, members))?.message).toBe(
      "2 validation errors detected: Value '{\"a\":[\"bc\"]}' at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 10; "
      + "Value null at 'event' failed to satisfy constraint: Member must not be null");
    expect(refused(() => stringMembers({ EventPattern: '{}', Event: 'x' }, members))).toBeUndefined();
  });

  it('a member that is not a string: SerializationException', () => {
    expect(refused(() => stringMembers({ EventPattern: { source: ['x'] }, Event: '{}' }, members))).toMatchObject({ statusCode: 400, awsType: 'SerializationException' });
  });

  it('echoes at most 256 characters of a value', () => {
    const e = refused(() => stringMembers({ EventPattern: 'x'.repeat(5000), Event: '' }, [{ name: 'EventPattern', maxLength: 4096 }]));
    expect(e?.message).toBe(`1 validation error detected: Value '${'x'.repeat(256)}...' at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to 4096`);
  });
});

describe('TestEventPattern', () => {
  it('wants id, account, source, time, region and detail-type in the event; resources may be absent', () => {
    expect(parseEvent(JSON.stringify(EVENT))).toEqual(EVENT);
    const { resources: _r, ...noResources } = EVENT;
    expect(parseEvent(JSON.stringify(noResources))).toEqual(noResources);
    for (const field of ['id', 'account', 'source', 'time', 'region', 'detail-type']) {
      const { [field]: _gone, ...rest } = EVENT as Record<string, unknown>;
      expect(refused(() => parseEvent(JSON.stringify(rest)))).toMatchObject({ awsType: 'ValidationException', message: 'Parameter Event is not valid.' });
    }
  });

  it('checks the members, then the event, then the pattern', () => {
    expect(refused(() => testEventPattern({ EventPattern: '{"source":"x"}' }))?.awsType).toBe('ValidationException');
    expect(refused(() => testEventPattern({ EventPattern: '{"source":"x"}', Event: '{}' }))?.message).toBe('Parameter Event is not valid.');
    expect(refused(() => testEventPattern({ EventPattern: '{"source":"x"}', Event: JSON.stringify(EVENT) }))).toMatchObject({
      awsType: 'InvalidEventPatternException', message: 'Event pattern is not valid. Reason: "source" must be an object or an array',
    });
    expect(testEventPattern({ EventPattern: '{"source":[{"prefix":"com."}]}', Event: JSON.stringify(EVENT) })).toEqual({ Result: true });
    expect(testEventPattern({ EventPattern: '{"source":[{"prefix":"org."}]}', Event: JSON.stringify(EVENT) })).toEqual({ Result: false });
  });
});
