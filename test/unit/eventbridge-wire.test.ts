// The EventBridge API on the wire, as @aws-sdk/client-eventbridge 3.1164.0 and the AWS CLI v1 send it (AWS JSON 1.1,
// X-Amz-Target: AWSEvents.<Op>), against the router's app on a real listening server over an in-memory backend: rules,
// targets, events, buses and tags, and EventBridge's errors as the SDK's exception classes and the CLI's messages.
import {
  DeleteRuleCommand, DescribeEventBusCommand, DescribeRuleCommand, DisableRuleCommand, EventBridgeClient, EventBridgeServiceException,
  InvalidEventPatternException, LimitExceededException, ListEventBusesCommand, ListRuleNamesByTargetCommand, ListRulesCommand,
  ListTagsForResourceCommand, ListTargetsByRuleCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand,
  ResourceNotFoundException, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-eventbridge';
import { silentLogger } from '../../src/core/logger.js';
import { createRouterApp } from '../../src/router/app.js';
import { eventBridgeApi } from '../../src/router/eventbridge/targets.js';
import { jsonRoutes } from '../../src/router/json-rpc/dispatch.js';
import { listen, type Listening } from '../../src/router/listen.js';
import { awsCli } from '../../e2e/helpers/aws-cli.js';
import { MemoryBus } from '../helpers/memory-bus.js';
import { rejection } from '../helpers/refusal.js';

const ARN = { region: 'us-east-1', accountId: '000000000000' };
const KEY = { accessKeyId: 'test', secretAccessKey: 'test' };
let bus: MemoryBus;
let http: Listening;
let eb: EventBridgeClient;
const cli = (...args: string[]) => awsCli('events', http.url, KEY, 60_000)(...args);

beforeAll(async () => {
  bus = new MemoryBus();
  const app = createRouterApp({
    logger: silentLogger,
    invoke: () => { throw new Error('no Lambda API in this test'); },
    routes: [jsonRoutes([eventBridgeApi(() => bus, () => ARN)])],
  });
  http = await listen(app, 0, '127.0.0.1');
  eb = new EventBridgeClient({ endpoint: http.url, region: 'us-east-1', maxAttempts: 1, credentials: KEY });
});

afterAll(async () => {
  eb?.destroy();
  await http?.close();
});

const refusal = (p: Promise<unknown>) => rejection(p, EventBridgeServiceException);

describe('through @aws-sdk/client-eventbridge', () => {
  it('a rule with a pattern, its targets, DescribeRule, ListRules and ListTargetsByRule', async () => {
    const put = await eb.send(new PutRuleCommand({ Name: 'sdk-orders', EventPattern: JSON.stringify({ source: ['shop'] }), Description: 'orders', EventBusName: 'sdk-bus' }));
    expect(put.RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/sdk-bus/sdk-orders');
    const targets = await eb.send(new PutTargetsCommand({ Rule: 'sdk-orders', EventBusName: 'sdk-bus', Targets: [
      { Id: 'audit', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:audit:live', InputTransformer: { InputPathsMap: { t: '$.detail.total' }, InputTemplate: '{"total": <t>}' } },
      { Id: 'queue', Arn: 'arn:aws:sqs:us-east-1:000000000000:jobs' },
    ] }));
    expect(targets.FailedEntryCount).toBe(1);
    expect(targets.FailedEntries?.[0]).toMatchObject({ TargetId: 'queue', ErrorCode: 'ValidationException' });
    const described = await eb.send(new DescribeRuleCommand({ Name: 'sdk-orders', EventBusName: 'sdk-bus' }));
    expect(described).toMatchObject({ Name: 'sdk-orders', Arn: put.RuleArn, EventPattern: '{"source":["shop"]}', State: 'ENABLED', Description: 'orders', EventBusName: 'sdk-bus', CreatedBy: '000000000000' });
    expect((await eb.send(new ListRulesCommand({ EventBusName: 'sdk-bus' }))).Rules?.map((r) => r.Name)).toEqual(['sdk-orders']);
    expect((await eb.send(new ListTargetsByRuleCommand({ Rule: 'sdk-orders', EventBusName: 'sdk-bus' }))).Targets).toEqual([
      { Id: 'audit', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:audit:live', InputTransformer: { InputPathsMap: { t: '$.detail.total' }, InputTemplate: '{"total": <t>}' } },
    ]);
    expect((await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: 'arn:aws:lambda:us-east-1:000000000000:function:audit:live', EventBusName: 'sdk-bus' }))).RuleNames).toEqual(['sdk-orders']);
    expect((await eb.send(new ListEventBusesCommand({}))).EventBuses?.map((b) => b.Name)).toEqual(expect.arrayContaining(['default', 'sdk-bus']));
    expect(await eb.send(new DescribeEventBusCommand({ Name: 'sdk-bus' }))).toMatchObject({ Name: 'sdk-bus', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/sdk-bus' });
  });

  it('PutEvents: an EventId per entry, per-entry errors, the events handed to the bus with a time given as a Date', async () => {
    await eb.send(new PutRuleCommand({ Name: 'sdk-any', EventPattern: JSON.stringify({ source: [{ prefix: '' }] }), EventBusName: 'sdk-events' }));
    const out = await eb.send(new PutEventsCommand({ Entries: [
      { Source: 'com.example', DetailType: 'Order Placed', Detail: JSON.stringify({ total: 12 }), EventBusName: 'sdk-events', Time: new Date('2026-03-04T05:06:07.890Z'), Resources: ['arn:aws:s3:::b'] },
      { Source: 'com.example', DetailType: 'Order Placed', Detail: '{not json' },
    ] }));
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[1]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
    const id = out.Entries?.[0]?.EventId;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bus.events('sdk-events')).toEqual([{
      version: '0', id, 'detail-type': 'Order Placed', source: 'com.example', account: '000000000000', time: '2026-03-04T05:06:07Z', region: 'us-east-1',
      resources: ['arn:aws:s3:::b'], detail: { total: 12 },
    }]);
  });

  it('EventBridge\'s errors arrive as the SDK\'s exception classes with AWS\'s words', async () => {
    const missing = await refusal(eb.send(new DescribeRuleCommand({ Name: 'nope' })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect([missing.message, missing.$metadata.httpStatusCode]).toEqual(['Rule nope does not exist on EventBus default.', 400]);
    const pattern = await refusal(eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source": "shop"}' })));
    expect(pattern).toBeInstanceOf(InvalidEventPatternException);
    await eb.send(new PutRuleCommand({ Name: 'sdk-full', ScheduleExpression: 'rate(1 hour)' }));
    const six = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: `arn:aws:lambda:us-east-1:000000000000:function:f${i}` }));
    expect(await refusal(eb.send(new PutTargetsCommand({ Rule: 'sdk-full', Targets: six })))).toBeInstanceOf(LimitExceededException);
    await eb.send(new PutTargetsCommand({ Rule: 'sdk-full', Targets: six.slice(0, 1) }));
    const del = await refusal(eb.send(new DeleteRuleCommand({ Name: 'sdk-full' })));
    expect([del.name, del.message]).toEqual(['ValidationException', "Rule can't be deleted since it has targets."]);
    await eb.send(new RemoveTargetsCommand({ Rule: 'sdk-full', Ids: ['t0'] }));
    await eb.send(new DisableRuleCommand({ Name: 'sdk-full' }));
    await eb.send(new DeleteRuleCommand({ Name: 'sdk-full' }));
    expect(await bus.getRule('default', 'sdk-full')).toBeUndefined();
  });

  it('tags a rule, lists and untags', async () => {
    const { RuleArn } = await eb.send(new PutRuleCommand({ Name: 'sdk-tagged', EventPattern: '{"source": ["x"]}', Tags: [{ Key: 'team', Value: 'shop' }] }));
    await eb.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    expect((await eb.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([{ Key: 'team', Value: 'shop' }, { Key: 'env', Value: 'dev' }]);
    await eb.send(new UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ['team'] }));
    expect((await eb.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([{ Key: 'env', Value: 'dev' }]);
  });
});

describe('through the AWS CLI v1', () => {
  it('put-rule, put-targets (shorthand), list-targets-by-rule, put-events with a Time, and a refusal in AWS\'s words', async () => {
    const rule = JSON.parse(await cli('put-rule', '--name', 'cli-rule', '--event-pattern', '{"source": ["cli"]}', '--state', 'DISABLED')) as { RuleArn: string };
    expect(rule.RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/cli-rule');
    const targets = JSON.parse(await cli('put-targets', '--rule', 'cli-rule', '--targets', 'Id=1,Arn=arn:aws:sns:us-east-1:000000000000:orders')) as { FailedEntryCount: number };
    expect(targets.FailedEntryCount).toBe(0);
    const listed = JSON.parse(await cli('list-targets-by-rule', '--rule', 'cli-rule')) as { Targets: unknown[] };
    expect(listed.Targets).toEqual([{ Id: '1', Arn: 'arn:aws:sns:us-east-1:000000000000:orders' }]);
    const described = JSON.parse(await cli('describe-rule', '--name', 'cli-rule')) as { State: string };
    expect(described.State).toBe('DISABLED');
    const before = bus.events('default').length;
    const out = JSON.parse(await cli('put-events', '--entries', JSON.stringify([
      { Source: 'cli', DetailType: 'Tick', Detail: '{"n": 1}', Time: '2026-05-06T07:08:09Z' },
      { DetailType: 'Tick', Detail: '{}' },
    ]))) as { FailedEntryCount: number; Entries: Array<Record<string, string>> };
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries[1]).toEqual({ ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' });
    expect(bus.events('default').slice(before)).toEqual([expect.objectContaining({ id: out.Entries[0]!.EventId, source: 'cli', time: '2026-05-06T07:08:09Z', detail: { n: 1 } })]);
    await expect(cli('delete-rule', '--name', 'cli-rule')).rejects.toThrow(/ValidationException.*Rule can't be deleted since it has targets\./);
    await expect(cli('describe-rule', '--name', 'cli-none')).rejects.toThrow(/ResourceNotFoundException.*Rule cli-none does not exist on EventBus default\./);
  }, 120_000);
});
