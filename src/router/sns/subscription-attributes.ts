// A subscription's attributes as SNS takes and shows them (pure): FilterPolicy checked by the pattern engine for its
// scope, FilterPolicyScope, RawMessageDelivery; GetSubscriptionAttributes' map.
import type { Subscription } from '../../api/topic.js';
import type { ArnContext } from '../../core/arn.js';
import { compilePattern, PatternError, type SnsCall } from '../../events/pattern/index.js';
import type { TopicView } from '../../events/contracts.js';
import { snsError } from '../query/errors.js';
import { snsTopicArn, subscriptionArn, wireEndpoint } from './arns.js';
import { booleanOf, invalidParameter, shown } from './params.js';
import { effectiveDeliveryPolicy } from './topic-attributes.js';

/** The attributes klambda applies; SNS's others are refused by name. */
export const SUBSCRIPTION_ATTRIBUTES = ['FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery'] as const;
const UNSUPPORTED = new Set(['DeliveryPolicy', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy']);

/** How SNS words a refused attribute for the call: Subscribe adds `Attributes Reason: `. */
const leadOf = (call: SnsCall) => (call === 'Subscribe' ? 'Attributes Reason: ' : '');

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The policy as an object, or SNS's refusal; an empty value removes the policy. */
function filterPolicyOf(text: string, scope: Subscription['filterPolicyScope'], call: SnsCall): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw invalidParameter(`${leadOf(call)}FilterPolicy: failed to parse JSON.`);
  }
  checkPolicy(policy, scope, call);
  return isRecord(policy) ? policy : undefined;
}

/** The pattern engine's refusal in SNS's words (InvalidParameter). */
function checkPolicy(policy: unknown, scope: Subscription['filterPolicyScope'], call: SnsCall): void {
  try {
    compilePattern(policy, scope === 'MessageBody' ? 'sns-body' : 'sns-attributes');
  } catch (err) {
    if (err instanceof PatternError) throw snsError(400, 'InvalidParameter', err.snsMessage(call));
    throw err;
  }
}

/**
 * `s` with the attributes set (Subscribe's map in its order, or SetSubscriptionAttributes' one), or SNS's refusal. The
 * policy is checked under the scope it ends up with, as SNS checks a scope change against the policy already set.
 */
export function withAttributes(s: Subscription, attributes: ReadonlyMap<string, string>, call: SnsCall): Subscription {
  const lead = leadOf(call);
  const out: Subscription = { ...s };
  let policyText: string | undefined;
  for (const [name, value] of attributes) {
    switch (name) {
      case 'FilterPolicy':
        policyText = value;
        break;
      case 'FilterPolicyScope':
        if (value !== 'MessageAttributes' && value !== 'MessageBody') {
          throw invalidParameter(`${lead}FilterPolicyScope: Invalid value [${shown(value)}]. Please use either MessageBody or MessageAttributes`);
        }
        out.filterPolicyScope = value;
        break;
      case 'RawMessageDelivery': {
        const raw = booleanOf(value);
        if (raw === undefined) throw invalidParameter(`${lead}RawMessageDelivery: Invalid value [${shown(value)}]. Must be true or false.`);
        if (raw && s.protocol === 'lambda') throw invalidParameter(`${lead}RawMessageDelivery: a function always gets the SNS event; raw delivery is for http, https and sqs subscriptions`);
        out.rawMessageDelivery = raw;
        break;
      }
      default:
        if (UNSUPPORTED.has(name)) throw invalidParameter(`${lead}klambda does not support the subscription attribute ${name}`);
        throw invalidParameter(`${lead}AttributeName`);
    }
  }
  if (policyText !== undefined) {
    const policy = filterPolicyOf(policyText, out.filterPolicyScope, call);
    if (policy) out.filterPolicy = policy;
    else delete out.filterPolicy;
  } else if (out.filterPolicy && out.filterPolicyScope !== s.filterPolicyScope) {
    checkPolicy(out.filterPolicy, out.filterPolicyScope, call);
  }
  return out;
}

/** JSON with object keys sorted: two policies that differ only in key order are the same policy. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** Whether two subscriptions of one endpoint have the same attributes (Subscribe again: the same subscription). */
export const sameAttributes = (a: Subscription, b: Subscription): boolean =>
  a.filterPolicyScope === b.filterPolicyScope && a.rawMessageDelivery === b.rawMessageDelivery && canonical(a.filterPolicy ?? null) === canonical(b.filterPolicy ?? null);

/** ListSubscriptions' item. */
export function subscriptionItem(ctx: ArnContext, topic: string, s: Subscription) {
  const w = wireEndpoint(ctx, s);
  return { SubscriptionArn: subscriptionArn(ctx, topic, s), Owner: ctx.accountId, Protocol: w.protocol, Endpoint: w.endpoint, TopicArn: snsTopicArn(ctx, topic) };
}

/** GetSubscriptionAttributes' map: confirmed at once, so never pending. */
export function subscriptionAttributes(ctx: ArnContext, topic: TopicView, s: Subscription): Map<string, string> {
  const item = subscriptionItem(ctx, topic.name, s);
  const attrs = new Map<string, string>([
    ['ConfirmationWasAuthenticated', 'true'],
    ['PendingConfirmation', 'false'],
    ['Owner', item.Owner],
    ['RawMessageDelivery', String(s.rawMessageDelivery)],
    ['TopicArn', item.TopicArn],
    ['Endpoint', item.Endpoint],
    ['Protocol', item.Protocol],
    ['SubscriptionArn', item.SubscriptionArn],
    ['EffectiveDeliveryPolicy', effectiveDeliveryPolicy(topic.deliveryPolicy)],
  ]);
  if (s.filterPolicy) {
    attrs.set('FilterPolicy', JSON.stringify(s.filterPolicy));
    attrs.set('FilterPolicyScope', s.filterPolicyScope);
  }
  return attrs;
}
