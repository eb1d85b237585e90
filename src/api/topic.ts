// The Topic kind: SNS-style fan-out of each message to subscriptions (functions, http(s) endpoints, queues), with filters.
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, FUNCTION_REF, JsonObject, kindSchema, QUEUE_NAME, StringEnum, type Simplify, type WithDefaults, type KindObject } from './common.js';
import { isRecord, type SpecIssue } from './function.js';
import { patternIssue } from './pattern-issues.js';
import { isUrlOf, show } from './validate.js';

export const SUBSCRIPTION_PROTOCOLS = ['lambda', 'http', 'https', 'queue'] as const;
export type SubscriptionProtocol = (typeof SUBSCRIPTION_PROTOCOLS)[number];
export const FILTER_POLICY_SCOPES = ['MessageAttributes', 'MessageBody'] as const;
/** Subscriptions of one Topic object (AWS allows millions; one Kubernetes object should stay small). */
export const MAX_SUBSCRIPTIONS = 100;
/** A function ARN, as the Lambda API hands them out (`arn:aws:lambda:{region}:{account}:function:{name}[:{qualifier}]`). */
export const LAMBDA_FUNCTION_ARN = '^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(:(\\$LATEST|[a-zA-Z0-9_-]{1,128}))?$';

export const SubscriptionSchema = Type.Object({
  protocol: StringEnum(SUBSCRIPTION_PROTOCOLS),
  /** lambda: a function name, name:qualifier or function ARN; http/https: a URL of that scheme; queue: a queue name. */
  endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
  filterPolicy: Type.Optional(JsonObject()),
  filterPolicyScope: Type.Optional(StringEnum(FILTER_POLICY_SCOPES, { default: 'MessageAttributes' })),
  /** Deliver the message alone, without the SNS envelope (http, https and queue only). */
  rawMessageDelivery: Type.Optional(Type.Boolean({ default: false })),
}, { additionalProperties: false });
export type Subscription = WithDefaults<Static<typeof SubscriptionSchema>, 'filterPolicyScope' | 'rawMessageDelivery'>;

/** How a failed delivery is retried: SNS's HTTP delivery policy (numRetries, minDelayTarget, maxDelayTarget). */
export const DeliveryPolicySchema = Type.Object({
  numRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 3 })),
  minDelaySeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, default: 20 })),
  maxDelaySeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, default: 20 })),
}, { additionalProperties: false, default: {} });
export type DeliveryPolicy = WithDefaults<Static<typeof DeliveryPolicySchema>, 'numRetries' | 'minDelaySeconds' | 'maxDelaySeconds'>;

export const TopicSpecSchema = Type.Object({
  displayName: Type.Optional(Type.String({ maxLength: 100 })),
  subscriptions: Type.Optional(Type.Array(SubscriptionSchema, { maxItems: MAX_SUBSCRIPTIONS, default: [] })),
  deliveryPolicy: Type.Optional(DeliveryPolicySchema),
}, { additionalProperties: false });

export type TopicSpecInput = Static<typeof TopicSpecSchema>;
/** A Topic spec after parsing: subscriptions and the delivery policy always present, with their defaults. */
export type TopicSpec = Simplify<Omit<TopicSpecInput, 'subscriptions' | 'deliveryPolicy'> & { subscriptions: Subscription[]; deliveryPolicy: DeliveryPolicy }>;

export const TopicSchema = kindSchema(API_VERSION, 'Topic', TopicSpecSchema);

export type Topic = KindObject<'Topic', TopicSpec>;

/** Rules beyond the schema: endpoints that fit their protocol, filter policies, no duplicates, delays in order. */
export function topicSpecIssues(spec: unknown): SpecIssue[] {
  if (!isRecord(spec)) return [];
  const issues: SpecIssue[] = [];
  const seen = new Map<string, number>();
  const subscriptions = Array.isArray(spec.subscriptions) ? spec.subscriptions : [];
  subscriptions.forEach((s: unknown, i) => {
    if (!isRecord(s)) return;
    const path = `subscriptions[${i}]`;
    const problem = typeof s.endpoint === 'string' ? endpointProblem(s.protocol, s.endpoint) : undefined;
    if (problem) issues.push({ path: `${path}.endpoint`, message: problem });
    if (s.protocol === 'lambda' && s.rawMessageDelivery === true) {
      issues.push({ path: `${path}.rawMessageDelivery`, message: 'is for http, https and queue subscriptions; a function always gets the SNS event' });
    }
    const dialect = policyDialect(s.filterPolicyScope);
    // under a scope SNS does not have (the schema reports it) the policy has no reading to check
    if (isRecord(s.filterPolicy) && dialect) {
      const refused = patternIssue(s.filterPolicy, dialect, `${path}.filterPolicy`);
      if (refused) issues.push(refused);
    }
    const key = `${String(s.protocol)} ${String(s.endpoint)}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else issues.push({ path, message: `repeats subscriptions[${first}] (same protocol and endpoint)` });
  });
  const policy = spec.deliveryPolicy;
  if (isRecord(policy) && typeof policy.minDelaySeconds === 'number' && typeof policy.maxDelaySeconds === 'number' && policy.minDelaySeconds > policy.maxDelaySeconds) {
    issues.push({ path: 'deliveryPolicy.minDelaySeconds', message: `must be <= maxDelaySeconds (${policy.maxDelaySeconds}), got ${policy.minDelaySeconds}` });
  }
  return issues;
}

/** SNS reads a filter policy by its scope: flat over message attributes (the default), nested over a JSON body. */
function policyDialect(scope: unknown): 'sns-attributes' | 'sns-body' | undefined {
  if (scope === undefined || scope === 'MessageAttributes') return 'sns-attributes';
  return scope === 'MessageBody' ? 'sns-body' : undefined;
}

/** Why `endpoint` does not fit `protocol`, or undefined. */
export function endpointProblem(protocol: unknown, endpoint: string): string | undefined {
  switch (protocol) {
    case 'lambda':
      if (new RegExp(FUNCTION_REF).test(endpoint) || new RegExp(LAMBDA_FUNCTION_ARN).test(endpoint)) return undefined;
      return `a lambda endpoint must be a function name, name:qualifier or function ARN, got ${show(endpoint)}`;
    case 'http':
    case 'https':
      return isUrlOf(endpoint, `${protocol}:`) ? undefined : `an ${protocol} endpoint must be an ${protocol}:// URL, got ${show(endpoint)}`;
    case 'queue':
      return new RegExp(QUEUE_NAME).test(endpoint) ? undefined : `a queue endpoint must be a queue name (1 to 80 letters, digits, '-' and '_'), got ${show(endpoint)}`;
    default:
      return undefined;
  }
}

