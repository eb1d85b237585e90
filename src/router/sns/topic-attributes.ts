// A topic's attributes as SNS shows and takes them (pure): GetTopicAttributes' map, SNS's default policy, and the
// DeliveryPolicy JSON read into the Topic kind's delivery policy and written back.
import type { ArnContext } from '../../core/arn.js';
import type { DeliveryPolicy } from '../../api/topic.js';
import type { TopicView } from '../../events/contracts.js';
import { snsTopicArn } from '../../core/query-apis.js';
import { invalidParameter } from './params.js';

/** The Topic kind's defaults (SNS's own: 3 retries, 20 s apart). */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = { numRetries: 3, minDelaySeconds: 20, maxDelaySeconds: 20 };
export const DISPLAY_NAME_MAX = 100;

/** The policy SNS gives a topic it creates: the owner's account may do the topic actions. */
export function defaultTopicPolicy(ctx: ArnContext, topic: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [{
      Sid: '__default_statement_ID',
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
      Resource: snsTopicArn(ctx, topic),
      Condition: { StringEquals: { 'AWS:SourceOwner': ctx.accountId } },
    }],
  });
}

/** SNS's full HTTP delivery policy for the Topic's three settings, the others at SNS's defaults. */
export function effectiveDeliveryPolicy(p: DeliveryPolicy): string {
  return JSON.stringify({
    http: {
      defaultHealthyRetryPolicy: {
        minDelayTarget: p.minDelaySeconds, maxDelayTarget: p.maxDelaySeconds, numRetries: p.numRetries,
        numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear',
      },
      disableSubscriptionOverrides: false,
      defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
    },
  });
}

/** The DeliveryPolicy attribute: what was set (the settings klambda keeps), absent while the defaults hold. */
export function deliveryPolicyAttribute(p: DeliveryPolicy): string | undefined {
  if (p.numRetries === DEFAULT_DELIVERY_POLICY.numRetries && p.minDelaySeconds === DEFAULT_DELIVERY_POLICY.minDelaySeconds && p.maxDelaySeconds === DEFAULT_DELIVERY_POLICY.maxDelaySeconds) return undefined;
  return JSON.stringify({ http: { defaultHealthyRetryPolicy: { minDelayTarget: p.minDelaySeconds, maxDelayTarget: p.maxDelaySeconds, numRetries: p.numRetries } } });
}

/** GetTopicAttributes' map. Subscriptions are confirmed when made, so none is ever pending (or deleted). */
export function topicAttributes(ctx: ArnContext, t: TopicView): Map<string, string> {
  const attrs = new Map<string, string>([
    ['Policy', defaultTopicPolicy(ctx, t.name)],
    ['Owner', ctx.accountId],
    ['SubscriptionsPending', '0'],
    ['TopicArn', snsTopicArn(ctx, t.name)],
    ['EffectiveDeliveryPolicy', effectiveDeliveryPolicy(t.deliveryPolicy)],
    ['SubscriptionsConfirmed', String(t.subscriptions.length)],
    ['DisplayName', t.displayName ?? ''],
    ['SubscriptionsDeleted', '0'],
  ]);
  const set = deliveryPolicyAttribute(t.deliveryPolicy);
  if (set !== undefined) attrs.set('DeliveryPolicy', set);
  return attrs;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Settings of SNS's delivery policy klambda does not apply: accepted only at SNS's defaults. */
const FIXED_RETRY: Readonly<Record<string, unknown>> = { numNoDelayRetries: 0, numMinDelayRetries: 0, numMaxDelayRetries: 0, backoffFunction: 'linear' };

/**
 * A DeliveryPolicy attribute read into the Topic kind's settings (`http.defaultHealthyRetryPolicy`'s numRetries,
 * minDelayTarget and maxDelayTarget), or the refusal worded for `lead` ("Attributes Reason: " from CreateTopic). An
 * empty value resets the defaults. Settings klambda does not apply are refused unless they hold SNS's default.
 */
export function parseDeliveryPolicy(text: string, lead = ''): DeliveryPolicy {
  const refuse = (reason: string) => invalidParameter(`${lead}DeliveryPolicy: ${reason}`);
  if (text.trim() === '') return { ...DEFAULT_DELIVERY_POLICY };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw refuse('failed to parse JSON.');
  }
  if (!isRecord(doc)) throw refuse('must be a JSON object.');
  for (const key of Object.keys(doc)) if (key !== 'http') throw refuse(`klambda applies the http delivery policy to every protocol; ${shownKey(key)} is not supported.`);
  const http = doc.http ?? {};
  if (!isRecord(http)) throw refuse('http must be a JSON object.');
  for (const [key, value] of Object.entries(http)) {
    if (key === 'defaultHealthyRetryPolicy') continue;
    if (key === 'disableSubscriptionOverrides' && value === false) continue;
    if (key === 'defaultRequestPolicy' || key === 'defaultThrottlePolicy') continue;
    throw refuse(`http.${shownKey(key)} is not supported by klambda.`);
  }
  const retry = http.defaultHealthyRetryPolicy ?? {};
  if (!isRecord(retry)) throw refuse('http.defaultHealthyRetryPolicy must be a JSON object.');
  const out = { ...DEFAULT_DELIVERY_POLICY };
  for (const [key, value] of Object.entries(retry)) {
    if (Object.hasOwn(FIXED_RETRY, key)) {
      if (value !== FIXED_RETRY[key]) throw refuse(`${key} ${JSON.stringify(FIXED_RETRY[key])} is the only value klambda applies.`);
      continue;
    }
    const field = key === 'numRetries' ? 'numRetries' : key === 'minDelayTarget' ? 'minDelaySeconds' : key === 'maxDelayTarget' ? 'maxDelaySeconds' : undefined;
    if (!field) throw refuse(`healthyRetryPolicy: ${shownKey(key)} is not a retry policy setting.`);
    const [min, max] = field === 'numRetries' ? [0, 100] : [1, 3600];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw refuse(`healthyRetryPolicy: ${key} must be an integer from ${min} to ${max}.`);
    out[field] = value;
  }
  if (out.minDelaySeconds > out.maxDelaySeconds) throw refuse('healthyRetryPolicy: minDelayTarget must be less than or equal to maxDelayTarget.');
  return out;
}

const shownKey = (key: string): string => JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}...` : key);

/** The DisplayName attribute, or the refusal worded for `lead`. */
export function checkDisplayName(value: string, lead = ''): string {
  if (value.length > DISPLAY_NAME_MAX) throw invalidParameter(`${lead}DisplayName`);
  return value;
}
