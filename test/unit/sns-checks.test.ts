// SNS's pure rules as klambda applies them: topic names (SNS's and a Topic object's), ARNs, endpoints as SNS shows them
// and as a Topic stores them, subscription ARNs, the DeliveryPolicy attribute, subjects, the 256 KB count, NextToken pages.
import { parseForm } from '../../src/router/query/form.js';
import { checkTopicName, snsArnParts, storedEndpoint, subscriptionArn, topicNameOf, wireEndpoint } from '../../src/router/sns/arns.js';
import { checkSubject, MAX_MESSAGE_BYTES, messageInput } from '../../src/router/sns/message-checks.js';
import { page } from '../../src/router/sns/paging.js';
import { deliveryPolicyAttribute, parseDeliveryPolicy } from '../../src/router/sns/topic-attributes.js';
import { refused } from '../helpers/refusal.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };
const user = 'arn:aws:iam::000000000000:user/u';

describe('topic names', () => {
  it("takes what both SNS and a Topic object take; SNS's refusals and klambda's differ in words", () => {
    for (const ok of ['a', 'orders', 'a-b-1', 'x'.repeat(63)]) expect(refused(() => checkTopicName(ok))).toBeUndefined();
    for (const bad of ['', 'a.b', 'a b', 'x'.repeat(257), 'é']) expect(refused(() => checkTopicName(bad))?.message).toBe('Invalid parameter: Topic Name');
    for (const kube of ['A', 'a_b', 'x'.repeat(64), '-a', 'a-', 'x'.repeat(256)]) expect(refused(() => checkTopicName(kube))?.message).toMatch(/^Invalid parameter: Topic Name Reason: klambda keeps a topic as a Topic object/);
  });
});

describe('ARNs', () => {
  it("reads a topic ARN of the caller's account and region; refuses the others as SNS does", () => {
    expect(topicNameOf('arn:aws:sns:us-east-1:000000000000:orders', 'TopicArn', ctx, user, 'SNS:Publish')).toBe('orders');
    expect(refused(() => topicNameOf('a:b:c', 'TopicArn', ctx, user, 'SNS:Publish'))?.message).toBe('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 3');
    expect(refused(() => topicNameOf('arn:aws:sns:us-east-1:000000000000:orders:extra', 'TopicArn', ctx, user, 'SNS:Publish'))?.message).toBe('Invalid parameter: TopicArn');
    expect(refused(() => topicNameOf('arn:aws:sns:us-east-1:0000:orders', 'TopicArn', ctx, user, 'SNS:Publish'))?.message).toBe('Invalid parameter: TopicArn');
    expect(refused(() => topicNameOf('arn:aws:sns:us-west-2:000000000000:orders', 'TopicArn', ctx, user, 'SNS:Publish'))?.message).toBe('Invalid parameter: TopicArn');
    expect(refused(() => snsArnParts('arn:aws:sns:us-east-1:123456789012:orders', 'TopicArn', ctx, user, 'SNS:Publish'))).toMatchObject({ statusCode: 403, awsType: 'AuthorizationError' });
    expect(refused(() => topicNameOf('arn:aws:sns:us-east-1:000000000000:Big_Name', 'TopicArn', ctx, user, 'SNS:Publish'))).toMatchObject({ statusCode: 404, awsType: 'NotFound' });
    expect(refused(() => topicNameOf(undefined, 'TopicArn', ctx, user, 'SNS:Publish'))).toMatchObject({ awsType: 'ValidationError' });
  });

  it('stores endpoints as the Topic kind holds them and shows them as SNS does, both ways', () => {
    const cases: Array<[string, string, string, string]> = [
      ['lambda', 'arn:aws:lambda:us-east-1:000000000000:function:f', 'lambda', 'f'],
      ['lambda', 'arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST', 'lambda', 'f:$LATEST'],
      ['sqs', 'arn:aws:sqs:us-east-1:000000000000:jobs_1', 'queue', 'jobs_1'],
      ['https', 'https://h.example/p?q=1', 'https', 'https://h.example/p?q=1'],
    ];
    for (const [protocol, endpoint, kind, kept] of cases) {
      const stored = storedEndpoint(ctx, protocol, endpoint);
      expect(stored).toEqual({ protocol: kind, endpoint: kept });
      expect(wireEndpoint(ctx, stored)).toEqual({ protocol, endpoint });
    }
    expect(refused(() => storedEndpoint(ctx, 'sqs', 'arn:aws:sqs:eu-west-1:000000000000:jobs'))?.message).toMatch(/^Invalid parameter: Endpoint Reason: klambda delivers only to queues of this account and region/);
    expect(refused(() => storedEndpoint(ctx, 'https', undefined))?.message).toBe('Invalid parameter: Endpoint Reason: no value for required parameter');
    expect(refused(() => storedEndpoint(ctx, 'http', 'http://'))?.message).toBe('Invalid parameter: Endpoint must match the specified protocol');
    expect(refused(() => storedEndpoint(ctx, 'constructor', 'x'))?.message).toBe('Invalid parameter: Amazon SNS does not support this protocol string: constructor');
  });

  it('derives a subscription ARN from the topic, protocol and endpoint: stable, and distinct per endpoint', () => {
    const a = subscriptionArn(ctx, 'orders', { protocol: 'lambda', endpoint: 'f' });
    expect(a).toMatch(/^arn:aws:sns:us-east-1:000000000000:orders:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(subscriptionArn(ctx, 'orders', { protocol: 'lambda', endpoint: 'f' })).toBe(a);
    expect(subscriptionArn(ctx, 'orders', { protocol: 'lambda', endpoint: 'g' })).not.toBe(a);
    expect(subscriptionArn(ctx, 'orders', { protocol: 'queue', endpoint: 'f' })).not.toBe(a);
  });
});

describe('DeliveryPolicy', () => {
  it("reads SNS's http.defaultHealthyRetryPolicy into the kind's settings; an empty value restores the defaults", () => {
    expect(parseDeliveryPolicy(JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 0, minDelayTarget: 1, maxDelayTarget: 3600, backoffFunction: 'linear', numNoDelayRetries: 0 }, disableSubscriptionOverrides: false } })))
      .toEqual({ numRetries: 0, minDelaySeconds: 1, maxDelaySeconds: 3600 });
    expect(parseDeliveryPolicy('')).toEqual({ numRetries: 3, minDelaySeconds: 20, maxDelaySeconds: 20 });
    expect(deliveryPolicyAttribute({ numRetries: 3, minDelaySeconds: 20, maxDelaySeconds: 20 })).toBeUndefined();
  });

  it('refuses what it cannot apply, worded for the call', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ sqs: {} }, /DeliveryPolicy: klambda applies the http delivery policy to every protocol; "sqs" is not supported\.$/],
      [{ http: { defaultHealthyRetryPolicy: { numRetries: 101 } } }, /numRetries must be an integer from 0 to 100\.$/],
      [{ http: { defaultHealthyRetryPolicy: { minDelayTarget: 0 } } }, /minDelayTarget must be an integer from 1 to 3600\.$/],
      [{ http: { defaultHealthyRetryPolicy: { maxDelayTarget: 2.5 } } }, /maxDelayTarget must be an integer from 1 to 3600\.$/],
      [{ http: { defaultHealthyRetryPolicy: { numMinDelayRetries: 2 } } }, /numMinDelayRetries 0 is the only value klambda applies\.$/],
      [{ http: { defaultHealthyRetryPolicy: { retries: 2 } } }, /"retries" is not a retry policy setting\.$/],
      [{ http: { disableSubscriptionOverrides: true } }, /http\."disableSubscriptionOverrides" is not supported by klambda\.$/],
      [[1], /must be a JSON object\.$/],
    ];
    for (const [policy, message] of cases) expect(refused(() => parseDeliveryPolicy(JSON.stringify(policy)))?.message).toMatch(message);
    expect(refused(() => parseDeliveryPolicy('{"http":1}', 'Attributes Reason: '))?.message).toBe('Invalid parameter: Attributes Reason: DeliveryPolicy: http must be a JSON object.');
  });
});

describe('messages', () => {
  it('Subject: printable ASCII, not starting with a space, 1 to 100 characters', () => {
    for (const ok of ['a', 'Order #42: paid!', 's'.repeat(100), '!x']) expect(refused(() => checkSubject(ok))).toBeUndefined();
    for (const bad of ['', ' x', 's'.repeat(101), 'tab\there', 'ß', 'a\u007f']) expect(refused(() => checkSubject(bad))?.message).toBe('Invalid parameter: Subject');
  });

  it('counts the message and each attribute (name, type, value; binary decoded) against 256 KB', () => {
    const form = (message: string, extra = '') => parseForm(`Message=${encodeURIComponent(message)}${extra}`);
    const attr = '&MessageAttributes.entry.1.Name=ab&MessageAttributes.entry.1.Value.DataType=Binary&MessageAttributes.entry.1.Value.BinaryValue=AAAA';
    const attrBytes = 2 + 6 + 3;
    expect(messageInput(form('x'.repeat(MAX_MESSAGE_BYTES - attrBytes), attr)).bytes).toBe(MAX_MESSAGE_BYTES);
    expect(refused(() => messageInput(form('x'.repeat(MAX_MESSAGE_BYTES - attrBytes + 1), attr)))?.message).toBe('Invalid parameter: Message too long');
    expect(messageInput(form('€')).bytes).toBe(3);
  });

  it('a batch entry names itself in a ValidationError', () => {
    const entry = parseForm('MessageAttributes.entry.1.Name=n&MessageAttributes.entry.1.Value.StringValue=v&Message=m');
    expect(refused(() => messageInput(entry, 'publishBatchRequestEntries.2.member'))?.message)
      .toBe("1 validation error detected: Value null at 'publishBatchRequestEntries.2.member.messageAttributes.n.member.dataType' failed to satisfy constraint: Member must not be null");
  });
});

describe('NextToken pages', () => {
  it('names the next page by its first key; a token it did not give is refused', () => {
    const arns = Array.from({ length: 5 }, (_, i) => `arn:aws:sns:us-east-1:000000000000:t${i}`);
    const first = page(arns, (a) => a, undefined, 2);
    expect(first.items).toEqual(arns.slice(0, 2));
    const second = page(arns.slice(1), (a) => a, first.nextToken, 2);
    expect(second.items).toEqual(arns.slice(2, 4));
    expect(page(arns, (a) => a, second.nextToken, 2)).toEqual({ items: arns.slice(4) });
    expect(refused(() => page(arns, (a) => a, 'bm9wZQ', 2))?.message).toBe('Invalid parameter: NextToken');
  });
});
