// Fan-out (pure): the deliveries one inbox entry makes — a topic's message to each subscription whose filter policy
// matches, a bus event to each target of each matching rule, a schedule tick to its rule's targets. Each delivery has
// an id derived from the entry's and the destination's, so a fan-out redone after a crash repeats the same ids.
import type { ArnContext } from '../core/arn.js';
import type { Subscription, DeliveryPolicy } from '../api/topic.js';
import type { RuleTarget } from '../api/event-rule.js';
import { derivedRequestId } from '../dispatcher/dispatcher.js';
import { compilePattern, matches, snsAttributesView, snsBodyView, type CompiledPattern } from './pattern/index.js';
import type { BusEvent, RuleView, SnsAttribute, SnsMessage, TopicView } from './contracts.js';
import type { InboxEntry } from './inbox.js';
import { lambdaSnsEvent, notificationHeaders, notificationJson, messageFor, snsTopicArn, subscriptionArn, type Delivered } from './sns-shapes.js';
import { targetInput } from './targets/input.js';
import { ruleArn } from '../router/eventbridge/arns.js';
import type { BucketNotification } from '../api/bucket-notification.js';
import { objectInvocations, s3BusEvent, toEventBridge } from './s3/object-events.js';

export type Delivery =
  | { to: 'function'; namespace: string; functionRef: string; payload: string; id: string; traceId?: string; from: string }
  | { to: 'queue'; namespace: string; queue: string; body: string; attributes?: Record<string, SnsAttribute>; id: string; from: string }
  | { to: 'http'; namespace: string; url: string; body: string; headers: Record<string, string>; policy: DeliveryPolicy; id: string; from: string }
  | { to: 'topic'; namespace: string; topic: string; message: SnsMessage; from: string };

/** What the fan-out reads: the topics and rules as the folder or the cluster has them now. */
export interface EventCatalog {
  topic(namespace: string, name: string): TopicView | undefined;
  /** The ENABLED rules of the bus whose event pattern matches the event (scheduled rules never do). */
  matchingRules(namespace: string, bus: string, event: BusEvent): RuleView[];
  /** A rule by its name on its bus (a schedule tick names its rule). */
  rule(namespace: string, bus: string, name: string): RuleView | undefined;
  /** `default`, or a bus a rule of the namespace names. */
  busExists(namespace: string, bus: string): boolean;
  arnFor(namespace: string): ArnContext;
  /** The BucketNotifications of a bucket (none where the mode has no such objects yet). */
  bucketNotifications?(namespace: string, bucket: string): BucketNotification[];
}

export { ruleArn };

/** Compiled filter policies by their text: a topic's subscriptions are compiled once, not per message. */
const policies = new Map<string, CompiledPattern | null>();
const MAX_POLICIES = 5000;

function compiledPolicy(s: Subscription): CompiledPattern | null {
  const dialect = s.filterPolicyScope === 'MessageBody' ? 'sns-body' : 'sns-attributes';
  const key = `${dialect}\u0000${JSON.stringify(s.filterPolicy)}`;
  let p = policies.get(key);
  if (p === undefined) {
    // a policy that does not compile was refused when it was written; one that slipped through filters everything out
    try { p = compilePattern(s.filterPolicy, dialect); } catch { p = null; }
    if (policies.size >= MAX_POLICIES) policies.clear();
    policies.set(key, p);
  }
  return p;
}

/** Whether a subscription's filter policy lets the message through (SNS: no policy, or `{}`, passes everything). */
export function passesFilter(s: Subscription, m: SnsMessage): boolean {
  if (s.filterPolicy === undefined || Object.keys(s.filterPolicy).length === 0) return true;
  const p = compiledPolicy(s);
  if (!p) return false;
  if (s.filterPolicyScope === 'MessageBody') {
    const view = snsBodyView(messageFor(m, s.protocol));
    return view !== undefined && matches(p, view);
  }
  return matches(p, snsAttributesView(m.messageAttributes));
}

export function topicDeliveries(topic: TopicView, m: SnsMessage, arn: ArnContext, unsubscribeBase: string): Delivery[] {
  const topicArn = snsTopicArn(arn, topic.name);
  const from = `topic ${topic.namespace}/${topic.name}`;
  return topic.subscriptions.filter((s) => passesFilter(s, m)).map((s): Delivery => {
    const subArn = subscriptionArn(arn, topic.name, s);
    const d: Delivered = { topicArn, subscriptionArn: subArn, unsubscribeUrl: `${unsubscribeBase}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subArn)}` };
    const id = derivedRequestId(m.messageId, subArn);
    const base = { namespace: topic.namespace, from };
    switch (s.protocol) {
      case 'lambda':
        return { ...base, to: 'function', functionRef: s.endpoint, payload: lambdaSnsEvent(m, d), id, ...(m.traceId ? { traceId: m.traceId } : {}) };
      case 'queue':
        return s.rawMessageDelivery
          ? { ...base, to: 'queue', queue: s.endpoint, body: messageFor(m, 'queue'), attributes: m.messageAttributes, id }
          : { ...base, to: 'queue', queue: s.endpoint, body: notificationJson(m, d, 'queue'), id };
      case 'http':
      case 'https':
        return {
          ...base, to: 'http', url: s.endpoint, id, policy: topic.deliveryPolicy,
          body: s.rawMessageDelivery ? messageFor(m, s.protocol) : notificationJson(m, d, s.protocol),
          headers: notificationHeaders(m, d, s.rawMessageDelivery),
        };
    }
  });
}

/** The deliveries of one rule's targets for an event. */
export function ruleDeliveries(rule: RuleView, event: BusEvent, arn: ArnContext, ingestionTime: string, traceId?: string): Delivery[] {
  const arnOfRule = ruleArn(arn, rule.spec.eventBusName, rule.name);
  const from = `rule ${rule.namespace}/${rule.name}`;
  return (rule.spec.targets ?? []).map((t: RuleTarget): Delivery => {
    const input = targetInput(event, t, { arn: arnOfRule, name: rule.name }, ingestionTime);
    const id = derivedRequestId(event.id, `${arnOfRule}\u0000${t.id}`);
    if (t.function !== undefined) return { to: 'function', namespace: rule.namespace, functionRef: t.function, payload: input, id, from, ...(traceId ? { traceId } : {}) };
    // a topic target publishes the input as the message (EventBridge → SNS)
    const message: SnsMessage = { messageId: id, message: input, messageAttributes: {}, timestamp: Date.parse(ingestionTime) || Date.now() };
    return { to: 'topic', namespace: rule.namespace, topic: t.topic!, message, from };
  });
}

/** Every delivery of one inbox entry, as the catalog is now; an entry whose topic or rule is gone makes none. */
export function entryDeliveries(e: InboxEntry, catalog: EventCatalog, unsubscribeBase: string): Delivery[] {
  const arn = catalog.arnFor(e.namespace);
  switch (e.kind) {
    case 'topic': {
      const topic = catalog.topic(e.namespace, e.topic);
      return topic ? topicDeliveries(topic, e.message, arn, unsubscribeBase) : [];
    }
    case 'bus': {
      const ingestion = new Date(e.ingestedAt).toISOString();
      return catalog.matchingRules(e.namespace, e.bus, e.event).flatMap((r) => ruleDeliveries(r, e.event, arn, ingestion, e.traceId));
    }
    case 'rule': {
      const rule = catalog.rule(e.namespace, 'default', e.rule);
      if (!rule || rule.spec.state === 'DISABLED') return [];
      return ruleDeliveries(rule, e.event, arn, new Date(e.ingestedAt).toISOString());
    }
    case 'object': {
      const notifications = catalog.bucketNotifications?.(e.namespace, e.record.bucket) ?? [];
      const from = `bucket ${e.namespace}/${e.record.bucket}`;
      const out: Delivery[] = objectInvocations(notifications, e.record, arn)
        .map((i) => ({ to: 'function', namespace: e.namespace, functionRef: i.functionRef, payload: i.payload, id: i.id, from }));
      // the bus event is matched here, not queued as an entry of its own: its rules' deliveries have ids derived from it
      const event = toEventBridge(notifications, e.record.bucket) ? s3BusEvent(e.record, arn) : undefined;
      if (event) {
        const ingestion = new Date(e.ingestedAt).toISOString();
        out.push(...catalog.matchingRules(e.namespace, 'default', event).flatMap((r) => ruleDeliveries(r, event, arn, ingestion)));
      }
      return out;
    }
  }
}
