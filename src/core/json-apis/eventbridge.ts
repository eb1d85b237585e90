// EventBridge's operations on the router (X-Amz-Target AWSEvents.<name>) and the IAM action and resource of each
// (pure), as AWS's service authorization reference lists them: a rule call on the rule's ARN
// (arn:aws:events:REGION:ACCOUNT:rule/NAME, rule/BUS/NAME on a custom bus), PutEvents and the bus calls on the bus's
// (event-bus/NAME), the tag calls on the ARN they name, the list calls that name no rule on `*`.
import type { ArnContext } from '../arn.js';
import type { JsonApi, TargetAction } from '../json-targets.js';

/** The request's members, when the caller has read them (the resource is then the one they name). */
export type Members = Readonly<Record<string, unknown>> | undefined;

const text = (input: Members, name: string): string | undefined => {
  const v = input?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** A bus member (name or ARN) as its ARN; without the members, every bus of the caller's. */
export function busResource(ctx: ArnContext, nameOrArn: string | undefined, known = true): string {
  if (nameOrArn?.startsWith('arn:')) return nameOrArn;
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${known ? nameOrArn ?? 'default' : '*'}`;
}

/** A rule of a bus as its ARN; without the members, every rule of the caller's. */
export function ruleResource(ctx: ArnContext, input: Members, nameMember: string): string {
  const name = text(input, nameMember);
  if (input === undefined || name === undefined) return `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/*`;
  const given = text(input, 'EventBusName');
  const bus = given?.startsWith('arn:') ? given.slice(given.indexOf(':event-bus/') + ':event-bus/'.length) : given ?? 'default';
  const at = given?.startsWith('arn:') ? given.split(':').slice(3, 5) : [ctx.region, ctx.accountId];
  return `arn:aws:events:${at[0]}:${at[1]}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
}

type Resolve = (ctx: ArnContext, input?: Members) => TargetAction;

const onRule = (action: string, nameMember = 'Name'): Resolve => (ctx, input) => ({ action: `events:${action}`, resource: ruleResource(ctx, input, nameMember) });
const onAny = (action: string): Resolve => () => ({ action: `events:${action}`, resource: '*' });
const onArn = (action: string): Resolve => (ctx, input) => ({ action: `events:${action}`, resource: text(input, 'ResourceARN') ?? `arn:aws:events:${ctx.region}:${ctx.accountId}:*` });

/**
 * PutEvents is authorized on the bus of its first entry here; the handler checks each entry's bus against the key's
 * policy again (a denied entry fails alone, with AccessDeniedException, as EventBridge reports it).
 */
const putEvents: Resolve = (ctx, input) => {
  const entries = input?.Entries;
  const first = Array.isArray(entries) && typeof entries[0] === 'object' && entries[0] !== null ? entries[0] as Record<string, unknown> : undefined;
  return { action: 'events:PutEvents', resource: busResource(ctx, input === undefined ? undefined : text(first, 'EventBusName'), input !== undefined) };
};

const OPERATIONS: Readonly<Record<string, Resolve>> = {
  TestEventPattern: onAny('TestEventPattern'),
  PutEvents: putEvents,
  PutRule: onRule('PutRule'),
  DescribeRule: onRule('DescribeRule'),
  DeleteRule: onRule('DeleteRule'),
  EnableRule: onRule('EnableRule'),
  DisableRule: onRule('DisableRule'),
  PutTargets: onRule('PutTargets', 'Rule'),
  RemoveTargets: onRule('RemoveTargets', 'Rule'),
  ListTargetsByRule: onRule('ListTargetsByRule', 'Rule'),
  ListRules: onAny('ListRules'),
  ListRuleNamesByTarget: onAny('ListRuleNamesByTarget'),
  ListEventBuses: onAny('ListEventBuses'),
  DescribeEventBus: (ctx, input) => ({ action: 'events:DescribeEventBus', resource: busResource(ctx, text(input, 'Name'), input !== undefined) }),
  TagResource: onArn('TagResource'),
  UntagResource: onArn('UntagResource'),
  ListTagsForResource: onArn('ListTagsForResource'),
};

/** The operation's action and resource with the request's members (undefined for an operation EventBridge lacks here). */
export function eventBridgeAction(operation: string, ctx: ArnContext, input: Members): TargetAction | undefined {
  return Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation]!(ctx, input) : undefined;
}

export const EVENTBRIDGE: JsonApi = {
  prefix: 'AWSEvents',
  service: 'events',
  protocol: 'awsJson1_1',
  operations: OPERATIONS,
};
