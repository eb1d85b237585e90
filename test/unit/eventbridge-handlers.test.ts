// EventBridge's operations over an in-memory EventBusBackend: PutEvents (entries checked as EventBridge checks them,
// events built with the caller's account and region, handed over once per bus), the rule calls, the target calls, the
// buses, the tags, AWS's member checks, and the IAM resource each operation is authorized on.
import { eventBridgeAction } from '../../src/core/json-apis/eventbridge.js';
import { jsonTargetOf, targetAction } from '../../src/core/json-targets.js';
import type { KlambdaError } from '../../src/core/errors.js';
import { parsePolicy } from '../../src/core/iam-policy.js';
import { describeEventBus, listEventBuses } from '../../src/router/eventbridge/buses.js';
import type { EventBridgeContext } from '../../src/router/eventbridge/context.js';
import { entrySize, putEvents, type ResultEntry } from '../../src/router/eventbridge/put-events.js';
import { listRuleNamesByTarget, listTargetsByRule, putTargets, removeTargets } from '../../src/router/eventbridge/rule-targets.js';
import { deleteRule, describeRule, disableRule, enableRule, listRules, putRule } from '../../src/router/eventbridge/rules.js';
import { listTagsForResource, tagResource, untagResource } from '../../src/router/eventbridge/tags.js';
import type { Principal } from '../../src/router/auth/principal.js';
import { MemoryBus } from '../helpers/memory-bus.js';

const ARN = { region: 'eu-west-1', accountId: '123456789012' };
const NOW = new Date('2026-12-07T10:11:12.345Z');

function setup(principal?: Principal): { bus: MemoryBus; ctx: EventBridgeContext } {
  const bus = new MemoryBus();
  let n = 0;
  const ctx: EventBridgeContext = {
    backend: bus, arn: ARN, namespace: 'shop', now: () => NOW, newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    ...(principal ? { principal } : {}),
  };
  return { bus, ctx };
}

async function refusal(p: Promise<unknown>): Promise<KlambdaError> {
  try {
    await p;
  } catch (e) {
    return e as KlambdaError;
  }
  throw new Error('expected the call to be refused');
}

const idOf = (r: ResultEntry | undefined): string | undefined => (r && 'EventId' in r ? r.EventId : undefined);
const entry = (over: Record<string, unknown> = {}) => ({ Source: 'com.example.shop', DetailType: 'Order Placed', Detail: '{"total": 250}', ...over });

describe('PutEvents', () => {
  it('answers an EventId per entry and hands the events to the backend, with the caller\'s account and region', async () => {
    const { bus, ctx } = setup();
    const out = await putEvents({ Entries: [entry({ Resources: ['arn:aws:s3:::b'] }), entry({ Time: 1767225600 })] }, ctx);
    expect(out).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: '00000000-0000-4000-8000-000000000001' }, { EventId: '00000000-0000-4000-8000-000000000002' }] });
    expect(bus.puts).toEqual([{
      bus: 'default',
      events: [
        { version: '0', id: '00000000-0000-4000-8000-000000000001', 'detail-type': 'Order Placed', source: 'com.example.shop', account: '123456789012', time: '2026-12-07T10:11:12Z', region: 'eu-west-1', resources: ['arn:aws:s3:::b'], detail: { total: 250 } },
        { version: '0', id: '00000000-0000-4000-8000-000000000002', 'detail-type': 'Order Placed', source: 'com.example.shop', account: '123456789012', time: '2026-01-01T00:00:00Z', region: 'eu-west-1', resources: [], detail: { total: 250 } },
      ],
    }]);
  });

  it('fails each bad entry alone, in EventBridge\'s words; the others go on', async () => {
    const { bus, ctx } = setup();
    const out = await putEvents({ Entries: [
      entry({ Source: undefined }), entry({ DetailType: '' }), entry({ Detail: undefined }), entry({ Detail: '{"total": ' }), entry({ Detail: '[1, 2]' }),
      entry({ DetailType: 'x'.repeat(129) }), entry(),
    ] }, ctx);
    expect(out.FailedEntryCount).toBe(6);
    expect(out.Entries.slice(0, 6)).toEqual([
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is longer than 128 characters.' },
    ]);
    expect(out.Entries[6]).toEqual({ EventId: expect.any(String) });
    expect(bus.events()).toHaveLength(1);
  });

  it('calls the backend once per bus, a bus by name or ARN; a bus no rule names takes the entry and delivers nothing, as AWS does', async () => {
    const { bus, ctx } = setup();
    await putRule({ Name: 'r', EventBusName: 'orders', EventPattern: '{"source": ["x"]}' }, ctx);
    const out = await putEvents({ Entries: [
      entry(), entry({ EventBusName: 'orders' }), entry({ EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' }), entry({ EventBusName: 'nowhere' }),
    ] }, ctx);
    expect(out.FailedEntryCount).toBe(0);
    expect(bus.puts.map((p) => [p.bus, p.events.map((e) => e.id)])).toEqual([
      ['default', [idOf(out.Entries[0])]],
      ['orders', [idOf(out.Entries[1]), idOf(out.Entries[2])]],
    ]);
  });

  it('refuses per entry a bus of another account or region, and one the key\'s policy does not allow', async () => {
    const policy = parsePolicy({ Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' }] });
    const { bus, ctx } = setup({ namespace: 'shop', accountId: '123456789012', userArn: 'arn:aws:iam::123456789012:user/k', policy });
    await putRule({ Name: 'r', EventBusName: 'orders', EventPattern: '{"source": ["x"]}' }, { ...ctx, principal: undefined });
    const out = await putEvents({ Entries: [
      entry({ EventBusName: 'arn:aws:events:eu-west-1:999999999999:event-bus/default' }), entry({ EventBusName: 'orders' }), entry(),
    ] }, ctx);
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries[0]).toEqual({ ErrorCode: 'AccessDeniedException', ErrorMessage: expect.stringContaining('not authorized to perform: events:PutEvents on resource: arn:aws:events:eu-west-1:999999999999:event-bus/default') });
    expect(out.Entries[1]).toEqual({
      ErrorCode: 'AccessDeniedException',
      ErrorMessage: 'User: arn:aws:iam::123456789012:user/k is not authorized to perform: events:PutEvents on resource: arn:aws:events:eu-west-1:123456789012:event-bus/orders because no identity-based policy allows the events:PutEvents action',
    });
    expect(bus.events().map((e) => e.id)).toEqual([idOf(out.Entries[2])]);
  });

  it('a bus whose events the backend cannot take fails those entries with InternalFailure (retryable), not the others', async () => {
    const { bus, ctx } = setup();
    await putRule({ Name: 'r', EventBusName: 'orders', EventPattern: '{"source": ["x"]}' }, ctx);
    bus.failPutEventsOn.add('orders');
    const out = await putEvents({ Entries: [entry({ EventBusName: 'orders' }), entry()] }, ctx);
    expect(out).toEqual({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'Internal Failure' }, { EventId: expect.any(String) }] });
    expect(bus.events('default')).toHaveLength(1);
  });

  it('sizes entries as AWS documents it and refuses a request over 256 KB whole', async () => {
    expect(entrySize({ Time: NOW, Source: 'é', DetailType: 'ab', Detail: '{}', Resources: ['arn', null] })).toBe(14 + 2 + 2 + 2 + 3);
    const { bus, ctx } = setup();
    const half = `{"x": "${'a'.repeat(128 * 1024)}"}`;
    const e = await refusal(putEvents({ Entries: [entry({ Detail: half }), entry({ Detail: half })] }, ctx));
    expect([e.awsType, e.message]).toEqual(['ValidationException', 'Total size of the entries in the request is over the limit.']);
    expect(bus.puts).toEqual([]);
  });

  it('takes 1 to 10 entries (AWS\'s member check)', async () => {
    const { ctx } = setup();
    const none = await refusal(putEvents({ Entries: [] }, ctx));
    expect(none.message).toBe("1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
    const eleven = await refusal(putEvents({ Entries: Array.from({ length: 11 }, () => entry()) }, ctx));
    expect(eleven.message).toMatch(/^1 validation error detected: Value '.*' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10$/);
    const missing = await refusal(putEvents({}, ctx));
    expect(missing.message).toBe("1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null");
    const wrongType = await refusal(putEvents({ Entries: [{ Source: 5 }] }, ctx));
    expect(wrongType.awsType).toBe('SerializationException');
    const badBus = await refusal(putEvents({ Entries: [entry({ EventBusName: 'has space' })] }, ctx));
    expect(badBus.message).toBe("1 validation error detected: Value 'has space' at 'entries.1.member.eventBusName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[\\.\\-_A-Za-z0-9]+");
  });
});

describe('rules', () => {
  it('PutRule answers the rule\'s ARN (rule/NAME on the default bus, rule/BUS/NAME on another) and DescribeRule shows it', async () => {
    const { bus, ctx } = setup();
    expect(await putRule({ Name: 'big-orders', EventPattern: '{"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}}', Description: 'd' }, ctx))
      .toEqual({ RuleArn: 'arn:aws:events:eu-west-1:123456789012:rule/big-orders' });
    expect(await putRule({ Name: 'Audit_All.v2', EventPattern: '{"source": [{"prefix": ""}]}', EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders', State: 'DISABLED' }, ctx))
      .toEqual({ RuleArn: 'arn:aws:events:eu-west-1:123456789012:rule/orders/Audit_All.v2' });
    expect(await describeRule({ Name: 'big-orders' }, ctx)).toEqual({
      Name: 'big-orders', Arn: 'arn:aws:events:eu-west-1:123456789012:rule/big-orders', EventPattern: '{"source":["shop"],"detail":{"total":[{"numeric":[">",100]}]}}',
      State: 'ENABLED', Description: 'd', EventBusName: 'default', CreatedBy: '123456789012',
    });
    expect(bus.rules.get('orders')!.get('Audit_All.v2')).toEqual({
      namespace: 'shop', name: 'Audit_All.v2', spec: { eventBusName: 'orders', eventPattern: { source: [{ prefix: '' }] }, state: 'DISABLED', targets: [] },
    });
  });

  it('PutRule replaces the pattern, state and description but keeps the targets; tags add up', async () => {
    const { bus, ctx } = setup();
    await putRule({ Name: 'r', EventPattern: '{"source": ["a"]}', Description: 'first', Tags: [{ Key: 'team', Value: 'shop' }] }, ctx);
    await putTargets({ Rule: 'r', Targets: [{ Id: 't', Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:audit' }] }, ctx);
    await putRule({ Name: 'r', ScheduleExpression: 'rate(5 minutes)', Tags: [{ Key: 'env', Value: 'dev' }] }, ctx);
    expect(bus.rules.get('default')!.get('r')!.spec).toEqual({
      eventBusName: 'default', scheduleExpression: 'rate(5 minutes)', state: 'ENABLED', targets: [{ id: 't', function: 'audit' }], tags: { team: 'shop', env: 'dev' },
    });
  });

  it.each([
    [{ Name: 'r' }, 'ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.'],
    [{ Name: 'r', ScheduleExpression: 'rate(1 minutes)' }, 'ValidationException', 'Parameter ScheduleExpression is not valid.'],
    [{ Name: 'r', ScheduleExpression: 'every day' }, 'ValidationException', 'Parameter ScheduleExpression is not valid.'],
    [{ Name: 'r', ScheduleExpression: 'rate(5 minutes)', EventBusName: 'orders' }, 'ValidationException', 'ScheduleExpression is supported only on the default event bus.'],
    [{ Name: 'r', EventPattern: '{"source": "shop"}' }, 'InvalidEventPatternException', 'Event pattern is not valid. Reason: "source" must be an object or an array'],
    [{ Name: 'r', EventPattern: '{"source": ["a"]}', Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] }, 'ValidationException', 'Invalid parameter: Duplicated keys are not allowed.'],
    [{ Name: 'has space', EventPattern: '{}' }, 'ValidationException', "1 validation error detected: Value 'has space' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"],
    [{ Name: 'r', EventPattern: '{"source": ["a"]}', State: 'ON' }, 'ValidationException', "1 validation error detected: Value 'ON' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"],
    [{ Name: 'r', EventPattern: '{"source": ["a"]}', EventBusName: 'arn:aws:events:eu-west-1:999999999999:event-bus/orders' }, 'ResourceNotFoundException', 'Event bus orders does not exist.'],
  ])('PutRule refuses %j: %s', async (input, type, message) => {
    const { bus, ctx } = setup();
    const e = await refusal(putRule(input, ctx));
    expect([e.awsType, e.message]).toEqual([type, message]);
    expect(bus.rules.size).toBe(0);
  });

  it('a rule that is not there: ResourceNotFoundException in EventBridge\'s words; a bus that is not there likewise', async () => {
    const { ctx } = setup();
    for (const call of [describeRule({ Name: 'gone' }, ctx), enableRule({ Name: 'gone' }, ctx), disableRule({ Name: 'gone' }, ctx), listTargetsByRule({ Rule: 'gone' }, ctx)]) {
      const e = await refusal(call);
      expect([e.awsType, e.message]).toEqual(['ResourceNotFoundException', 'Rule gone does not exist on EventBus default.']);
    }
    const e = await refusal(listRules({ EventBusName: 'nowhere' }, ctx));
    expect([e.awsType, e.message]).toEqual(['ResourceNotFoundException', 'Event bus nowhere does not exist.']);
  });

  it('ListRules: by name, NamePrefix, Limit and NextToken', async () => {
    const { ctx } = setup();
    for (const n of ['b-2', 'a-1', 'b-1', 'c']) await putRule({ Name: n, EventPattern: '{"source": ["x"]}' }, ctx);
    const first = await listRules({ Limit: 2 }, ctx);
    expect(first.Rules.map((r) => r.Name)).toEqual(['a-1', 'b-1']);
    const second = await listRules({ Limit: 2, NextToken: first.NextToken }, ctx);
    expect(second.Rules.map((r) => r.Name)).toEqual(['b-2', 'c']);
    expect(second.NextToken).toBeUndefined();
    expect((await listRules({ NamePrefix: 'b-' }, ctx)).Rules.map((r) => r.Name)).toEqual(['b-1', 'b-2']);
    expect((await listRules({}, ctx)).Rules[0]).toEqual({ Name: 'a-1', Arn: 'arn:aws:events:eu-west-1:123456789012:rule/a-1', EventPattern: '{"source":["x"]}', State: 'ENABLED', EventBusName: 'default' });
    const bad = await refusal(listRules({ NextToken: 'not-ours' }, ctx));
    expect([bad.awsType, bad.message]).toEqual(['ValidationException', 'The NextToken provided is invalid.']);
  });

  it('DeleteRule is refused while the rule has targets, unless Force; a rule that is not there is deleted already', async () => {
    const { bus, ctx } = setup();
    await putRule({ Name: 'r', EventPattern: '{"source": ["a"]}' }, ctx);
    await putTargets({ Rule: 'r', Targets: [{ Id: 't', Arn: 'arn:aws:sns:eu-west-1:123456789012:orders' }] }, ctx);
    const e = await refusal(deleteRule({ Name: 'r' }, ctx));
    expect([e.awsType, e.message]).toEqual(['ValidationException', "Rule can't be deleted since it has targets."]);
    await deleteRule({ Name: 'r', Force: true }, ctx);
    expect(await bus.getRule('default', 'r')).toBeUndefined();
    await expect(deleteRule({ Name: 'r' }, ctx)).resolves.toEqual({});
  });

  it('EnableRule and DisableRule set the state and nothing else', async () => {
    const { bus, ctx } = setup();
    await putRule({ Name: 'r', EventPattern: '{"source": ["a"]}', Description: 'kept' }, ctx);
    await disableRule({ Name: 'r' }, ctx);
    expect(bus.rules.get('default')!.get('r')!.spec).toEqual({ eventBusName: 'default', eventPattern: { source: ['a'] }, state: 'DISABLED', description: 'kept', targets: [] });
    await enableRule({ Name: 'r' }, ctx);
    expect((await describeRule({ Name: 'r' }, ctx)).State).toBe('ENABLED');
  });
});

describe('targets', () => {
  async function withRule() {
    const s = setup();
    await putRule({ Name: 'r', EventPattern: '{"source": ["a"]}' }, s.ctx);
    return s;
  }

  it('a Lambda function ARN (its qualifier kept) and an SNS topic ARN become the kind\'s targets, with their input', async () => {
    const { bus, ctx } = await withRule();
    const out = await putTargets({ Rule: 'r', Targets: [
      { Id: 'live', Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:audit:live', InputPath: '$.detail' },
      { Id: 'topic', Arn: 'arn:aws:sns:eu-west-1:123456789012:orders', Input: '{"fixed": true}' },
      { Id: 'shaped', Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:audit', InputTransformer: { InputPathsMap: { t: '$.detail.total' }, InputTemplate: '{"total": <t>}' } },
    ] }, ctx);
    expect(out).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
    expect(bus.rules.get('default')!.get('r')!.spec.targets).toEqual([
      { id: 'live', function: 'audit:live', inputPath: '$.detail' },
      { id: 'topic', topic: 'orders', input: '{"fixed": true}' },
      { id: 'shaped', function: 'audit', inputTransformer: { inputPathsMap: { t: '$.detail.total' }, inputTemplate: '{"total": <t>}' } },
    ]);
    expect((await listTargetsByRule({ Rule: 'r' }, ctx)).Targets).toEqual([
      { Id: 'live', Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:audit:live', InputPath: '$.detail' },
      { Id: 'shaped', Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:audit', InputTransformer: { InputPathsMap: { t: '$.detail.total' }, InputTemplate: '{"total": <t>}' } },
      { Id: 'topic', Arn: 'arn:aws:sns:eu-west-1:123456789012:orders', Input: '{"fixed": true}' },
    ]);
    expect((await listRuleNamesByTarget({ TargetArn: 'arn:aws:sns:eu-west-1:123456789012:orders' }, ctx)).RuleNames).toEqual(['r']);
    expect((await listRuleNamesByTarget({ TargetArn: 'arn:aws:sns:eu-west-1:123456789012:other' }, ctx)).RuleNames).toEqual([]);
  });

  it('a target klambda cannot deliver to fails its entry; the others are added', async () => {
    const { bus, ctx } = await withRule();
    const out = await putTargets({ Rule: 'r', Targets: [
      { Id: 'q', Arn: 'arn:aws:sqs:eu-west-1:123456789012:jobs' },
      { Id: 'far', Arn: 'arn:aws:lambda:us-east-1:123456789012:function:audit' },
      { Id: 'upper', Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:Audit' },
      { Id: 'ok', Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:audit' },
    ] }, ctx);
    expect(out.FailedEntryCount).toBe(3);
    expect(out.FailedEntries.map((f) => [f.TargetId, f.ErrorCode])).toEqual([['q', 'ValidationException'], ['far', 'ValidationException'], ['upper', 'ValidationException']]);
    expect(out.FailedEntries[0]!.ErrorMessage).toMatch(/^Target arn:aws:sqs:eu-west-1:123456789012:jobs is not a kind klambda delivers to/);
    expect(bus.rules.get('default')!.get('r')!.spec.targets).toEqual([{ id: 'ok', function: 'audit' }]);
  });

  it('refuses the request whole for an ARN that is not one, an input EventBridge cannot use, more than 5 targets on the rule', async () => {
    const { bus, ctx } = await withRule();
    const fn = (id: string) => ({ Id: id, Arn: `arn:aws:lambda:eu-west-1:123456789012:function:f${id}` });
    const cases: Array<[unknown[], string, string]> = [
      [[{ Id: 'a', Arn: 'not-an-arn' }], 'ValidationException', 'Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.'],
      [[{ ...fn('a'), Input: '{oops' }], 'ValidationException', 'Input for target a is not a valid JSON text.'],
      [[{ ...fn('a'), Input: '{}', InputPath: '$' }], 'ValidationException', 'Only one of Input, InputPath, or InputTransformer must be provided for target a.'],
      [[{ ...fn('a'), InputTransformer: { InputTemplate: '{"x": <y>}' } }], 'ValidationException', 'InputTemplate for target a contains invalid placeholder y.'],
      [['1', '2', '3', '4', '5', '6'].map(fn), 'LimitExceededException', 'The requested resource exceeds the maximum number allowed.'],
    ];
    for (const [Targets, type, message] of cases) {
      const e = await refusal(putTargets({ Rule: 'r', Targets }, ctx));
      expect([e.awsType, e.message]).toEqual([type, message]);
    }
    expect(bus.rules.get('default')!.get('r')!.spec.targets).toEqual([]);
    const gone = await refusal(putTargets({ Rule: 'nope', Targets: [fn('a')] }, ctx));
    expect([gone.awsType, gone.message]).toEqual(['ResourceNotFoundException', 'Rule nope does not exist on EventBus default.']);
  });

  it('a target with an id the rule has is replaced in place; RemoveTargets takes ids away (unknown ids are no failure)', async () => {
    const { bus, ctx } = await withRule();
    await putTargets({ Rule: 'r', Targets: [{ Id: 'a', Arn: 'arn:aws:sns:eu-west-1:123456789012:t1' }, { Id: 'b', Arn: 'arn:aws:sns:eu-west-1:123456789012:t2' }] }, ctx);
    await putTargets({ Rule: 'r', Targets: [{ Id: 'a', Arn: 'arn:aws:sns:eu-west-1:123456789012:t3' }] }, ctx);
    expect(bus.rules.get('default')!.get('r')!.spec.targets).toEqual([{ id: 'a', topic: 't3' }, { id: 'b', topic: 't2' }]);
    expect(await removeTargets({ Rule: 'r', Ids: ['a', 'zzz'] }, ctx)).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
    expect(bus.rules.get('default')!.get('r')!.spec.targets).toEqual([{ id: 'b', topic: 't2' }]);
  });
});

describe('buses and tags', () => {
  it('the buses are default and every bus a rule names', async () => {
    const { ctx } = setup();
    await putRule({ Name: 'r', EventPattern: '{"source": ["a"]}', EventBusName: 'orders' }, ctx);
    expect(await listEventBuses({}, ctx)).toEqual({ EventBuses: [
      { Name: 'default', Arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' },
      { Name: 'orders', Arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' },
    ] });
    expect(await listEventBuses({ NamePrefix: 'ord' }, ctx)).toEqual({ EventBuses: [{ Name: 'orders', Arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' }] });
    expect(await describeEventBus({}, ctx)).toEqual({ Name: 'default', Arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' });
    expect(await describeEventBus({ Name: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' }, ctx)).toEqual({ Name: 'orders', Arn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' });
    const e = await refusal(describeEventBus({ Name: 'nowhere' }, ctx));
    expect([e.awsType, e.message]).toEqual(['ResourceNotFoundException', 'Event bus nowhere does not exist.']);
  });

  it('tags a rule by its ARN, lists and untags; a bus has none and takes none', async () => {
    const { bus, ctx } = setup();
    const { RuleArn } = await putRule({ Name: 'r', EventPattern: '{"source": ["a"]}', EventBusName: 'orders' }, ctx);
    await tagResource({ ResourceARN: RuleArn, Tags: [{ Key: 'team', Value: 'shop' }, { Key: 'env', Value: 'dev' }] }, ctx);
    expect(await listTagsForResource({ ResourceARN: RuleArn }, ctx)).toEqual({ Tags: [{ Key: 'team', Value: 'shop' }, { Key: 'env', Value: 'dev' }] });
    await untagResource({ ResourceARN: RuleArn, TagKeys: ['team', 'none'] }, ctx);
    expect(bus.rules.get('orders')!.get('r')!.spec.tags).toEqual({ env: 'dev' });
    await untagResource({ ResourceARN: RuleArn, TagKeys: ['env'] }, ctx);
    expect(bus.rules.get('orders')!.get('r')!.spec).not.toHaveProperty('tags');
    const busArn = 'arn:aws:events:eu-west-1:123456789012:event-bus/orders';
    expect(await listTagsForResource({ ResourceARN: busArn }, ctx)).toEqual({ Tags: [] });
    expect((await refusal(tagResource({ ResourceARN: busArn, Tags: [{ Key: 'k', Value: 'v' }] }, ctx))).awsType).toBe('ValidationException');
    const gone = await refusal(listTagsForResource({ ResourceARN: 'arn:aws:events:eu-west-1:123456789012:rule/gone' }, ctx));
    expect([gone.awsType, gone.message]).toEqual(['ResourceNotFoundException', 'Rule gone does not exist on EventBus default.']);
  });
});

describe('the IAM action and resource of each operation', () => {
  const ctx = { region: 'eu-west-1', accountId: '123456789012' };
  const action = (op: string, input?: Record<string, unknown>) =>
    (input === undefined ? targetAction(jsonTargetOf('POST', '/', `AWSEvents.${op}`)!, ctx) : eventBridgeAction(op, ctx, input));

  it('a rule call is on the rule\'s ARN (rule/BUS/NAME on a custom bus), PutEvents on its bus, tags on the ARN they name', () => {
    expect(action('PutRule', { Name: 'r' })).toEqual({ action: 'events:PutRule', resource: 'arn:aws:events:eu-west-1:123456789012:rule/r' });
    expect(action('PutRule', { Name: 'r', EventBusName: 'orders' })).toEqual({ action: 'events:PutRule', resource: 'arn:aws:events:eu-west-1:123456789012:rule/orders/r' });
    expect(action('PutTargets', { Rule: 'r', EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' }))
      .toEqual({ action: 'events:PutTargets', resource: 'arn:aws:events:eu-west-1:123456789012:rule/orders/r' });
    expect(action('PutEvents', { Entries: [{ EventBusName: 'orders' }] })).toEqual({ action: 'events:PutEvents', resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders' });
    expect(action('PutEvents', { Entries: [{}] })).toEqual({ action: 'events:PutEvents', resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' });
    expect(action('TagResource', { ResourceARN: 'arn:aws:events:eu-west-1:123456789012:rule/r' })).toEqual({ action: 'events:TagResource', resource: 'arn:aws:events:eu-west-1:123456789012:rule/r' });
    expect(action('ListRules', {})).toEqual({ action: 'events:ListRules', resource: '*' });
  });

  it('without the request\'s members (the gate as it calls today): every rule or bus of the caller\'s', () => {
    expect(action('DeleteRule')).toEqual({ action: 'events:DeleteRule', resource: 'arn:aws:events:eu-west-1:123456789012:rule/*' });
    expect(action('PutEvents')).toEqual({ action: 'events:PutEvents', resource: 'arn:aws:events:eu-west-1:123456789012:event-bus/*' });
    expect(action('TestEventPattern')).toEqual({ action: 'events:TestEventPattern', resource: '*' });
  });
});
