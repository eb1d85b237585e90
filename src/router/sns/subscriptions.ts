// SNS's subscription operations over a TopicBackend: Subscribe (confirmed at once), Unsubscribe, the two lists and
// Get/SetSubscriptionAttributes. A subscription is found by its ARN, derived from its protocol and endpoint.
import { MAX_SUBSCRIPTIONS, type Subscription } from '../../api/topic.js';
import type { QueryParams } from '../../core/query-apis.js';
import type { TopicView } from '../../events/contracts.js';
import { snsError } from '../query/errors.js';
import { stringMap } from '../query/form.js';
import { XmlMap, type XmlValue } from '../query/xml.js';
import { snsArnParts, storedEndpoint, subscriptionArn, topicNameOf, wireEndpoint, isTopicName } from './arns.js';
import { page } from './paging.js';
import { invalidParameter, missingMember, required, subscriptionNotFound, type SnsContext } from './params.js';
import { sameAttributes, subscriptionAttributes, subscriptionItem, withAttributes } from './subscription-attributes.js';
import { existingTopic } from './topics.js';

const sameEndpoint = (ctx: SnsContext, a: Subscription, b: Subscription): boolean => {
  const x = wireEndpoint(ctx.arn, a);
  const y = wireEndpoint(ctx.arn, b);
  return x.protocol === y.protocol && x.endpoint === y.endpoint;
};

const subscriptionLimit = () =>
  snsError(403, 'SubscriptionLimitExceeded', `Subscription limit exceeded: a klambda topic holds at most ${MAX_SUBSCRIPTIONS} subscriptions`);

/**
 * Subscribes and confirms at once (no SubscriptionConfirmation is sent to an http endpoint), so the answer is always the
 * subscription's ARN. The same protocol and endpoint again is the same subscription, unless its attributes differ.
 */
export async function subscribe(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const topic = topicNameOf(params.get('TopicArn'), 'TopicArn', ctx.arn, ctx.userArn, 'SNS:Subscribe');
  const { protocol, endpoint } = storedEndpoint(ctx.arn, required(params, 'Protocol'), params.get('Endpoint'));
  const base: Subscription = { protocol, endpoint, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false };
  const wanted = withAttributes(base, stringMap(params, 'Attributes') ?? new Map(), 'Subscribe');
  await existingTopic(ctx, topic);
  // the subscription as the topic holds it: a manifest may name the same function by its ARN
  let held = wanted;
  await ctx.backend.updateTopic(topic, (t) => {
    held = wanted;
    const same = t.subscriptions.find((s) => sameEndpoint(ctx, s, wanted));
    if (same) {
      if (!sameAttributes(same, wanted)) throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
      held = same;
      return t;
    }
    if (t.subscriptions.length >= MAX_SUBSCRIPTIONS) throw subscriptionLimit();
    return { ...t, subscriptions: [...t.subscriptions, wanted] };
  });
  return { SubscriptionArn: subscriptionArn(ctx.arn, topic, held) };
}

interface Found { topic: TopicView; subscription: Subscription }

/** The topic name and the ARN a SubscriptionArn names, or SNS's refusal of its form. */
function subscriptionRef(raw: string | undefined, ctx: SnsContext, action: string): { topic: string } | undefined {
  if (raw === undefined) throw missingMember('SubscriptionArn');
  const { resource } = snsArnParts(raw, 'SubscriptionArn', ctx.arn, ctx.userArn, action);
  if (resource.length === 1) throw invalidParameter('SubscriptionId');
  if (resource.length !== 2) throw invalidParameter('SubscriptionArn');
  return isTopicName(resource[0]!) ? { topic: resource[0]! } : undefined;
}

async function findSubscription(raw: string | undefined, ctx: SnsContext, action: string): Promise<Found | undefined> {
  const ref = subscriptionRef(raw, ctx, action);
  const topic = ref && (await ctx.backend.getTopic(ref.topic));
  const subscription = topic?.subscriptions.find((s) => subscriptionArn(ctx.arn, topic.name, s) === raw);
  return topic && subscription ? { topic, subscription } : undefined;
}

/** Unsubscribing what is not subscribed succeeds, as at SNS. */
export async function unsubscribe(params: QueryParams, ctx: SnsContext): Promise<undefined> {
  const raw = params.get('SubscriptionArn');
  const found = await findSubscription(raw, ctx, 'SNS:Unsubscribe');
  if (!found) return undefined;
  await ctx.backend.updateTopic(found.topic.name, (t) => ({ ...t, subscriptions: t.subscriptions.filter((s) => subscriptionArn(ctx.arn, t.name, s) !== raw) }));
  return undefined;
}

export async function listSubscriptionsByTopic(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const name = topicNameOf(params.get('TopicArn'), 'TopicArn', ctx.arn, ctx.userArn, 'SNS:ListSubscriptionsByTopic');
  const topic = await existingTopic(ctx, name);
  const p = page(topic.subscriptions.map((s) => subscriptionItem(ctx.arn, name, s)), (i) => i.SubscriptionArn, params.get('NextToken'));
  return { Subscriptions: p.items, NextToken: p.nextToken };
}

export async function listSubscriptions(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const all = (await ctx.backend.listTopics()).flatMap((t) => t.subscriptions.map((s) => subscriptionItem(ctx.arn, t.name, s)));
  const p = page(all, (i) => i.SubscriptionArn, params.get('NextToken'));
  return { Subscriptions: p.items, NextToken: p.nextToken };
}

export async function getSubscriptionAttributes(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const found = await findSubscription(params.get('SubscriptionArn'), ctx, 'SNS:GetSubscriptionAttributes');
  if (!found) throw subscriptionNotFound();
  return { Attributes: new XmlMap(subscriptionAttributes(ctx.arn, found.topic, found.subscription)) };
}

export async function setSubscriptionAttributes(params: QueryParams, ctx: SnsContext): Promise<undefined> {
  const raw = params.get('SubscriptionArn');
  const name = required(params, 'AttributeName');
  const value = params.get('AttributeValue') ?? '';
  const found = await findSubscription(raw, ctx, 'SNS:SetSubscriptionAttributes');
  if (!found) throw subscriptionNotFound();
  // checked before the write, so a refusal leaves the topic as it was
  withAttributes(found.subscription, new Map([[name, value]]), 'SetSubscriptionAttributes');
  await ctx.backend.updateTopic(found.topic.name, (t) => {
    const i = t.subscriptions.findIndex((s) => subscriptionArn(ctx.arn, t.name, s) === raw);
    if (i < 0) throw subscriptionNotFound();
    const subscriptions = [...t.subscriptions];
    subscriptions[i] = withAttributes(subscriptions[i]!, new Map([[name, value]]), 'SetSubscriptionAttributes');
    return { ...t, subscriptions };
  });
  return undefined;
}
