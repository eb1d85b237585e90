// SNS's subscription calls through the router with @aws-sdk/client-sns over an in-memory TopicBackend: Subscribe for
// each protocol (sqs → the Topic kind's queue, a function ARN → its name), confirmed at once; the same endpoint again;
// filter policies checked by the pattern engine in SNS's words; the lists; Get/SetSubscriptionAttributes; Unsubscribe;
// a manifest's subscription with the ARN Subscribe gives it.
import {
  GetSubscriptionAttributesCommand, InvalidParameterException, ListSubscriptionsByTopicCommand, ListSubscriptionsCommand, NotFoundException,
  SetSubscriptionAttributesCommand, SNSClient, SubscribeCommand, UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { SnsRouter } from '../helpers/memory-topics.js';
import { refusal, startSns, stopSns } from '../helpers/sns.js';

const ARN = 'arn:aws:sns:us-east-1:000000000000';
const TOPIC = `${ARN}:orders`;
const FN = 'arn:aws:lambda:us-east-1:000000000000:function';
let router: SnsRouter;
let sns: SNSClient;

beforeEach(async () => { ({ router, sns } = await startSns(['orders'])); });
afterEach(() => stopSns({ router, sns }));

const subs = () => router.backend.topics.get('orders')!.subscriptions;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('Subscribe', () => {
  it('stores each protocol as the Topic kind does (sqs → queue name, a function ARN → name:qualifier) and answers the ARN at once', async () => {
    const cases: Array<[string, string, { protocol: string; endpoint: string }]> = [
      ['lambda', `${FN}:billing`, { protocol: 'lambda', endpoint: 'billing' }],
      ['lambda', `${FN}:audit:live`, { protocol: 'lambda', endpoint: 'audit:live' }],
      ['sqs', 'arn:aws:sqs:us-east-1:000000000000:jobs', { protocol: 'queue', endpoint: 'jobs' }],
      ['http', 'http://127.0.0.1:8080/hook', { protocol: 'http', endpoint: 'http://127.0.0.1:8080/hook' }],
      ['https', 'https://example.com/hook', { protocol: 'https', endpoint: 'https://example.com/hook' }],
    ];
    const arns: string[] = [];
    for (const [Protocol, Endpoint, stored] of cases) {
      // an http(s) endpoint gets no SubscriptionConfirmation round trip: the ARN, never "pending confirmation"
      const out = await sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol, Endpoint }));
      expect(out.SubscriptionArn).toMatch(new RegExp(`^${TOPIC}:${UUID}$`));
      arns.push(out.SubscriptionArn!);
      expect(subs().at(-1)).toEqual({ ...stored, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false });
    }
    expect(new Set(arns).size).toBe(cases.length);
    const listed = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC }))).Subscriptions!;
    expect(listed.map((s) => [s.Protocol, s.Endpoint]).sort()).toEqual(cases.map(([p, e]) => [p, e]).sort());
    expect(listed.every((s) => s.Owner === '000000000000' && s.TopicArn === TOPIC)).toBe(true);
  });

  it('the same protocol and endpoint again is the same subscription; with other attributes it is refused', async () => {
    const first = await sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:jobs', Attributes: { RawMessageDelivery: 'true' } }));
    const again = await sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:jobs', Attributes: { RawMessageDelivery: 'TRUE' }, ReturnSubscriptionArn: true }));
    expect(again.SubscriptionArn).toBe(first.SubscriptionArn);
    expect((await refusal(sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:jobs' })))).message)
      .toBe('Invalid parameter: Attributes Reason: Subscription already exists with different attributes');
    expect(subs()).toHaveLength(1);
  });

  it("a manifest's subscription (a bare function name) has the ARN Subscribe answers for its function ARN, and the lists show that ARN", async () => {
    await router.backend.updateTopic('orders', (t) => ({ ...t, subscriptions: [{ protocol: 'lambda', endpoint: 'billing', filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false }] }));
    const listed = (await sns.send(new ListSubscriptionsCommand({}))).Subscriptions!;
    expect(listed).toEqual([{ SubscriptionArn: expect.stringMatching(new RegExp(`^${TOPIC}:${UUID}$`)), Owner: '000000000000', Protocol: 'lambda', Endpoint: `${FN}:billing`, TopicArn: TOPIC }]);
    const out = await sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'lambda', Endpoint: `${FN}:billing` }));
    expect(out.SubscriptionArn).toBe(listed[0]!.SubscriptionArn);
    expect(subs()).toHaveLength(1);
  });

  it("refuses protocols, endpoints and attributes in SNS's words, and writes nothing", async () => {
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ Protocol: 'email', Endpoint: 'a@b.c' }, 'Invalid parameter: Protocol Reason: klambda delivers to lambda, http, https and sqs subscriptions, not email'],
      [{ Protocol: 'carrier-pigeon', Endpoint: 'x' }, 'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon'],
      [{ Protocol: 'http', Endpoint: 'https://example.com' }, 'Invalid parameter: Endpoint must match the specified protocol'],
      [{ Protocol: 'sqs', Endpoint: 'jobs' }, 'Invalid parameter: SQS endpoint ARN'],
      [{ Protocol: 'lambda', Endpoint: 'billing' }, 'Invalid parameter: Lambda endpoint ARN'],
      [{ Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:111111111111:function:billing' }, 'Invalid parameter: Endpoint Reason: klambda delivers only to functions of this account and region (arn:aws:lambda:us-east-1:000000000000:function:NAME)'],
      [{ Protocol: 'lambda', Endpoint: `${FN}:f`, Attributes: { RawMessageDelivery: 'true' } }, 'Invalid parameter: Attributes Reason: RawMessageDelivery: a function always gets the SNS event; raw delivery is for http, https and sqs subscriptions'],
      [{ Protocol: 'https', Endpoint: 'https://x.example', Attributes: { RawMessageDelivery: 'yes' } }, 'Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be true or false.'],
      [{ Protocol: 'https', Endpoint: 'https://x.example', Attributes: { FilterPolicyScope: 'Body' } }, 'Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes'],
      [{ Protocol: 'https', Endpoint: 'https://x.example', Attributes: { FilterPolicy: '{"a":' } }, 'Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON.'],
      [{ Protocol: 'https', Endpoint: 'https://x.example', Attributes: { RedrivePolicy: '{}' } }, 'Invalid parameter: Attributes Reason: klambda does not support the subscription attribute RedrivePolicy'],
      [{ Protocol: 'https', Endpoint: 'https://x.example', Attributes: { Colour: 'red' } }, 'Invalid parameter: Attributes Reason: AttributeName'],
    ];
    for (const [input, message] of refused) {
      const e = await refusal(sns.send(new SubscribeCommand({ TopicArn: TOPIC, ...input } as never)));
      expect([e.name, e.message]).toEqual(['InvalidParameterException', message]);
      expect(e.$metadata.httpStatusCode).toBe(400);
    }
    expect(subs()).toEqual([]);
  });

  it("checks a filter policy with the pattern engine for its scope, in SNS's words for Subscribe", async () => {
    const nested = await refusal(sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:jobs', Attributes: { FilterPolicy: '{"a":{"b":["c"]}}' } })));
    expect(nested).toBeInstanceOf(InvalidParameterException);
    expect(nested.message).toBe('Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not support nested filter policy');
    const wildcard = await refusal(sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:jobs', Attributes: { FilterPolicy: '{"a":[{"wildcard":"x*"}]}' } })));
    expect(wildcard.message).toMatch(/^Invalid parameter: Attributes Reason: FilterPolicy: /);
    expect(subs()).toEqual([]);
    await sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:jobs', Attributes: { FilterPolicy: '{"a":{"b":["c"]}}', FilterPolicyScope: 'MessageBody' } }));
    expect(subs()[0]).toMatchObject({ filterPolicy: { a: { b: ['c'] } }, filterPolicyScope: 'MessageBody' });
  });

  it('a topic that does not exist: NotFound', async () => {
    const e = await refusal(sns.send(new SubscribeCommand({ TopicArn: `${ARN}:missing`, Protocol: 'https', Endpoint: 'https://x.example' })));
    expect(e).toBeInstanceOf(NotFoundException);
  });
});

describe('subscription attributes and Unsubscribe', () => {
  let arn: string;
  beforeEach(async () => {
    arn = (await sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: 'https', Endpoint: 'https://x.example/hook', Attributes: { FilterPolicy: '{"kind":["placed"]}' } }))).SubscriptionArn!;
  });

  it("GetSubscriptionAttributes shows SNS's map: confirmed, the endpoint, the policy and its scope", async () => {
    const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!;
    expect(a).toMatchObject({
      SubscriptionArn: arn, TopicArn: TOPIC, Owner: '000000000000', Protocol: 'https', Endpoint: 'https://x.example/hook',
      PendingConfirmation: 'false', ConfirmationWasAuthenticated: 'true', RawMessageDelivery: 'false',
      FilterPolicy: '{"kind":["placed"]}', FilterPolicyScope: 'MessageAttributes',
    });
    expect(JSON.parse(a.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries).toBe(3);
  });

  it('SetSubscriptionAttributes sets FilterPolicy, FilterPolicyScope and RawMessageDelivery; an empty policy removes it', async () => {
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' }));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'FilterPolicy', AttributeValue: '{"total":[{"numeric":[">",100]}]}' }));
    expect(subs()[0]).toMatchObject({ rawMessageDelivery: true, filterPolicy: { total: [{ numeric: ['>', 100] }] } });
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'FilterPolicy', AttributeValue: '' }));
    expect(subs()[0]!.filterPolicy).toBeUndefined();
    expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!.FilterPolicy).toBeUndefined();
  });

  it("refuses in SetSubscriptionAttributes' words, a scope the policy does not fit included, and changes nothing", async () => {
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageBody' }));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'FilterPolicy', AttributeValue: '{"order":{"kind":["placed"]}}' }));
    const before = structuredClone(subs());
    const back = await refusal(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageAttributes' })));
    expect(back.message).toBe('Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy');
    expect((await refusal(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'FilterPolicy', AttributeValue: '[1]' })))).message).toMatch(/^Invalid parameter: FilterPolicy: /);
    expect((await refusal(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'DeliveryPolicy', AttributeValue: '{}' })))).message)
      .toBe('Invalid parameter: klambda does not support the subscription attribute DeliveryPolicy');
    expect(subs()).toEqual(before);
  });

  it('Unsubscribe removes it, and again succeeds; afterwards its attributes are NotFound', async () => {
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    expect(subs()).toEqual([]);
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    const e = await refusal(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn })));
    expect([e.name, e.message, e.$metadata.httpStatusCode]).toEqual(['NotFoundException', 'Subscription does not exist', 404]);
  });

  it("a SubscriptionArn that is not one is refused in SNS's words", async () => {
    expect((await refusal(sns.send(new UnsubscribeCommand({ SubscriptionArn: 'nope' })))).message).toBe('Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1');
    expect((await refusal(sns.send(new UnsubscribeCommand({ SubscriptionArn: TOPIC })))).message).toBe('Invalid parameter: SubscriptionId');
    expect(subs()).toHaveLength(1);
  });
});

describe('the lists', () => {
  it('ListSubscriptions covers every topic; both page by NextToken, 100 at a time', async () => {
    await router.backend.createTopic('other', {});
    await router.backend.updateTopic('orders', (t) => ({
      ...t, subscriptions: Array.from({ length: 100 }, (_, i) => ({ protocol: 'queue' as const, endpoint: `q${i}`, filterPolicyScope: 'MessageAttributes' as const, rawMessageDelivery: false })),
    }));
    await router.backend.updateTopic('other', (t) => ({ ...t, subscriptions: [{ protocol: 'https', endpoint: 'https://x.example', filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false }] }));
    const first = await sns.send(new ListSubscriptionsCommand({}));
    expect(first.Subscriptions).toHaveLength(100);
    const second = await sns.send(new ListSubscriptionsCommand({ NextToken: first.NextToken }));
    expect(second.Subscriptions).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    const all = [...first.Subscriptions!, ...second.Subscriptions!].map((s) => s.SubscriptionArn);
    expect(new Set(all).size).toBe(101);
    const byTopic = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC }));
    expect(byTopic.Subscriptions).toHaveLength(100);
    expect(byTopic.NextToken).toBeUndefined();
  });
});
