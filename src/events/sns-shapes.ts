// What an SNS subscriber receives, by protocol (pure): Lambda's SNS event, the HTTP(S) notification with its headers,
// the SQS message (the notification as its body, or the bare message with raw delivery). klambda holds no SNS signing
// key: Signature and SigningCertUrl are empty (a subscriber that checks signatures must not rely on them).
import { uuidOf } from '../core/ids.js';
import type { ArnContext } from '../core/arn.js';
import type { Subscription, SubscriptionProtocol } from '../api/topic.js';
import type { SnsAttribute, SnsMessage } from './contracts.js';

export const snsTopicArn = (arn: ArnContext, topic: string): string => `arn:aws:sns:${arn.region}:${arn.accountId}:${topic}`;

/** A UUID-shaped id derived from the subscription's protocol and endpoint: the same subscription, the same ARN. */
export function subscriptionId(protocol: string, endpoint: string): string {
  return uuidOf(`${protocol}\u0000${endpoint}`);
}

export const subscriptionArn = (arn: ArnContext, topic: string, s: Pick<Subscription, 'protocol' | 'endpoint'>): string =>
  `${snsTopicArn(arn, topic)}:${subscriptionId(s.protocol, s.endpoint)}`;

/** The protocol key of a MessageStructure=json message for each subscription protocol. */
const STRUCTURE_KEY: Record<SubscriptionProtocol, string> = { lambda: 'lambda', http: 'http', https: 'https', queue: 'sqs' };

/** The text a subscription gets: with MessageStructure=json, its protocol's entry, else `default`. */
export function messageFor(m: SnsMessage, protocol: SubscriptionProtocol): string {
  if (m.messageStructure !== 'json') return m.message;
  try {
    const texts = JSON.parse(m.message) as Record<string, unknown>;
    const text = texts[STRUCTURE_KEY[protocol]] ?? texts.default;
    return typeof text === 'string' ? text : JSON.stringify(text ?? '');
  } catch {
    return m.message;
  }
}

const timestamp = (ms: number): string => new Date(ms).toISOString();

/** Attributes as SNS shows them in notifications: {Type, Value}. */
function shownAttributes(attrs: Record<string, SnsAttribute>): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, a] of Object.entries(attrs)) out[name] = { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue ?? '' };
  return out;
}

export interface Delivered { topicArn: string; subscriptionArn: string; unsubscribeUrl: string }

/** Lambda's SNS event: one record. */
export function lambdaSnsEvent(m: SnsMessage, d: Delivered): string {
  return JSON.stringify({
    Records: [{
      EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: d.subscriptionArn,
      Sns: {
        Type: 'Notification', MessageId: m.messageId, TopicArn: d.topicArn, Subject: m.subject ?? null,
        Message: messageFor(m, 'lambda'), Timestamp: timestamp(m.timestamp),
        SignatureVersion: '1', Signature: '', SigningCertUrl: '', UnsubscribeUrl: d.unsubscribeUrl,
        MessageAttributes: shownAttributes(m.messageAttributes),
      },
    }],
  });
}

/** The JSON document an HTTP(S) endpoint or (without raw delivery) a queue receives. */
export function notificationJson(m: SnsMessage, d: Delivered, protocol: SubscriptionProtocol): string {
  const attrs = Object.keys(m.messageAttributes).length > 0 ? { MessageAttributes: shownAttributes(m.messageAttributes) } : {};
  return JSON.stringify({
    Type: 'Notification', MessageId: m.messageId, TopicArn: d.topicArn, ...(m.subject !== undefined ? { Subject: m.subject } : {}),
    Message: messageFor(m, protocol), Timestamp: timestamp(m.timestamp),
    SignatureVersion: '1', Signature: '', SigningCertURL: '', UnsubscribeURL: d.unsubscribeUrl, ...attrs,
  });
}

/** The headers SNS sends with an HTTP(S) notification. */
export function notificationHeaders(m: SnsMessage, d: Delivered, raw: boolean): Record<string, string> {
  return {
    'content-type': 'text/plain; charset=UTF-8',
    'x-amz-sns-message-type': 'Notification',
    'x-amz-sns-message-id': m.messageId,
    'x-amz-sns-topic-arn': d.topicArn,
    'x-amz-sns-subscription-arn': d.subscriptionArn,
    ...(raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
    'user-agent': 'Amazon Simple Notification Service Agent',
  };
}

/** SNS attributes as SQS message attributes (raw delivery to a queue). */
export function sqsAttributes(attrs: Record<string, SnsAttribute>): Record<string, { DataType: string; StringValue: string }> {
  return Object.fromEntries(Object.entries(attrs).map(([k, a]) => [k, { DataType: a.DataType, StringValue: a.StringValue ?? a.BinaryValue ?? '' }]));
}
