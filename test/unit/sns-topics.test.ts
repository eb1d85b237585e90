// SNS's topic calls through the router as @aws-sdk/client-sns sends them (the query protocol, answered in SNS's XML),
// over an in-memory TopicBackend on a real listening server: CreateTopic (idempotent, SNS's and the Topic kind's name
// rules), ListTopics' pages, Get/SetTopicAttributes, DeleteTopic, the tag calls, SNS's errors, and the JSON APIs beside it.
import {
  CreateTopicCommand, DeleteTopicCommand, GetTopicAttributesCommand, InvalidParameterException, ListTagsForResourceCommand,
  ListTopicsCommand, NotFoundException, ResourceNotFoundException, SetTopicAttributesCommand, SNSClient,
  TagLimitExceededException, TagResourceCommand, UntagResourceCommand, AuthorizationErrorException,
} from '@aws-sdk/client-sns';
import { EventBridgeClient, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { EVENTBRIDGE } from '../../src/core/json-targets.js';
import { testEventPattern } from '../../src/router/eventbridge/test-event-pattern.js';
import { jsonRoutes } from '../../src/router/json-rpc/dispatch.js';
import type { TopicView } from '../../src/events/contracts.js';
import { MemoryTopics, startSnsRouter, type SnsRouter } from '../helpers/memory-topics.js';
import { refusal, snsClient, startSns, stopSns, TEST_KEY } from '../helpers/sns.js';

const ARN = 'arn:aws:sns:us-east-1:000000000000';
let router: SnsRouter;
let sns: SNSClient;

beforeEach(async () => { ({ router, sns } = await startSns()); });
afterEach(() => stopSns({ router, sns }));

describe('CreateTopic', () => {
  it('creates the topic in the backend with its display name, delivery policy and tags, and answers its ARN', async () => {
    const out = await sns.send(new CreateTopicCommand({
      Name: 'orders',
      Attributes: { DisplayName: 'Orders', DeliveryPolicy: JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 2, maxDelayTarget: 30 } } }) },
      Tags: [{ Key: 'team', Value: 'shop' }],
    }));
    expect(out.TopicArn).toBe(`${ARN}:orders`);
    expect(router.backend.topics.get('orders')).toMatchObject({
      name: 'orders', displayName: 'Orders', tags: { team: 'shop' }, deliveryPolicy: { numRetries: 5, minDelaySeconds: 2, maxDelaySeconds: 30 },
    });
  });

  it('is idempotent as SNS: the same name again answers the same ARN; other attributes or tags are refused', async () => {
    await sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' }, Tags: [{ Key: 'a', Value: '1' }] }));
    expect((await sns.send(new CreateTopicCommand({ Name: 'orders' }))).TopicArn).toBe(`${ARN}:orders`);
    expect((await sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' }, Tags: [{ Key: 'a', Value: '1' }] }))).TopicArn).toBe(`${ARN}:orders`);
    const attrs = await refusal(sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Other' } })));
    expect(attrs).toBeInstanceOf(InvalidParameterException);
    expect(attrs.message).toBe('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
    expect((await refusal(sns.send(new CreateTopicCommand({ Name: 'orders', Tags: [{ Key: 'a', Value: '2' }] })))).message)
      .toBe('Invalid parameter: Tags Reason: Topic already exists with different tags');
    expect(router.backend.topics.size).toBe(1);
  });

  it('another call that created the topic first (between the read and the create) is held to the same checks', async () => {
    /** A backend whose reads miss a topic another router has just created. */
    class Racing extends MemoryTopics {
      override async getTopic(): Promise<TopicView | undefined> { return undefined; }
    }
    const racing = new Racing();
    await racing.createTopic('orders', { displayName: 'First' });
    const r = await startSnsRouter({ backend: racing });
    const c = snsClient(r.url);
    try {
      expect((await refusal(c.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Second' } })))).message)
        .toBe('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
      expect((await c.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'First' } }))).TopicArn).toBe(`${ARN}:orders`);
    } finally {
      c.destroy();
      await r.close();
    }
  });

  it("refuses SNS's invalid names in SNS's words, and names SNS takes that a Topic object cannot have in klambda's", async () => {
    for (const Name of ['a.b', 'with space', 'x'.repeat(257), 'ü']) {
      const e = await refusal(sns.send(new CreateTopicCommand({ Name })));
      expect(e).toBeInstanceOf(InvalidParameterException);
      expect(e.message).toBe('Invalid parameter: Topic Name');
      expect(e.$metadata.httpStatusCode).toBe(400);
    }
    for (const Name of ['Orders', 'my_topic', 'x'.repeat(64), '-lead', 'trail-']) {
      const e = await refusal(sns.send(new CreateTopicCommand({ Name })));
      expect(e).toBeInstanceOf(InvalidParameterException);
      expect(e.message).toMatch(/^Invalid parameter: Topic Name Reason: klambda keeps a topic as a Topic object, whose name must be 1 to 63 lowercase letters/);
    }
    expect((await sns.send(new CreateTopicCommand({ Name: 'x'.repeat(63) }))).TopicArn).toBe(`${ARN}:${'x'.repeat(63)}`);
    expect(router.backend.topics.size).toBe(1);
  });

  it('refuses attributes klambda does not keep by name, a DisplayName over 100, and a delivery policy it cannot apply', async () => {
    expect((await refusal(sns.send(new CreateTopicCommand({ Name: 't', Attributes: { KmsMasterKeyId: 'alias/aws/sns' } })))).message)
      .toBe('Invalid parameter: Attributes Reason: klambda does not support the topic attribute KmsMasterKeyId');
    expect((await refusal(sns.send(new CreateTopicCommand({ Name: 't', Attributes: { Bogus: 'x' } })))).message).toBe('Invalid parameter: Attributes Reason: AttributeName');
    expect((await refusal(sns.send(new CreateTopicCommand({ Name: 't', Attributes: { DisplayName: 'd'.repeat(101) } })))).message).toBe('Invalid parameter: Attributes Reason: DisplayName');
    expect((await refusal(sns.send(new CreateTopicCommand({ Name: 't', Attributes: { DeliveryPolicy: '{' } })))).message).toBe('Invalid parameter: Attributes Reason: DeliveryPolicy: failed to parse JSON.');
    const swapped = JSON.stringify({ http: { defaultHealthyRetryPolicy: { minDelayTarget: 30, maxDelayTarget: 10 } } });
    expect((await refusal(sns.send(new CreateTopicCommand({ Name: 't', Attributes: { DeliveryPolicy: swapped } })))).message)
      .toBe('Invalid parameter: Attributes Reason: DeliveryPolicy: healthyRetryPolicy: minDelayTarget must be less than or equal to maxDelayTarget.');
    const geometric = JSON.stringify({ http: { defaultHealthyRetryPolicy: { backoffFunction: 'geometric' } } });
    expect((await refusal(sns.send(new CreateTopicCommand({ Name: 't', Attributes: { DeliveryPolicy: geometric } })))).message).toMatch(/backoffFunction "linear" is the only value klambda applies/);
    expect(router.backend.topics.size).toBe(0);
    expect((await sns.send(new CreateTopicCommand({ Name: 't', Attributes: { FifoTopic: 'false' } }))).TopicArn).toBe(`${ARN}:t`);
  });

  it('a missing Name is a ValidationError, 400', async () => {
    const e = await refusal(sns.send(new CreateTopicCommand({} as never)));
    expect(e.name).toBe('ValidationError');
    expect(e.message).toBe("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
    expect(e.$metadata.httpStatusCode).toBe(400);
  });
});

describe('ListTopics', () => {
  it('pages 100 topics at a time by NextToken, in ARN order, none skipped or repeated when one is deleted meanwhile', async () => {
    for (let i = 0; i < 205; i++) await router.backend.createTopic(`t${String(i).padStart(3, '0')}`, {});
    const first = await sns.send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    expect(first.Topics![0]!.TopicArn).toBe(`${ARN}:t000`);
    expect(first.NextToken).toBeDefined();
    await router.backend.deleteTopic('t000');
    const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
    expect(second.Topics!.map((t) => t.TopicArn)[0]).toBe(`${ARN}:t100`);
    const third = await sns.send(new ListTopicsCommand({ NextToken: second.NextToken }));
    expect(third.Topics!.map((t) => t.TopicArn)).toEqual(['t200', 't201', 't202', 't203', 't204'].map((n) => `${ARN}:${n}`));
    expect(third.NextToken).toBeUndefined();
  });

  it('an empty list, and a NextToken it never gave refused', async () => {
    expect((await sns.send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    expect((await refusal(sns.send(new ListTopicsCommand({ NextToken: 'garbage!' })))).message).toBe('Invalid parameter: NextToken');
  });
});

describe('Get/SetTopicAttributes', () => {
  it("shows SNS's attributes: TopicArn, Owner, the default Policy, the counts, DisplayName and the delivery policies", async () => {
    await router.backend.createTopic('orders', {});
    await router.backend.updateTopic('orders', (t) => ({ ...t, subscriptions: [{ protocol: 'lambda', endpoint: 'billing', filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false }] }));
    const { Attributes: a } = await sns.send(new GetTopicAttributesCommand({ TopicArn: `${ARN}:orders` }));
    expect(a).toMatchObject({
      TopicArn: `${ARN}:orders`, Owner: '000000000000', DisplayName: '', SubscriptionsConfirmed: '1', SubscriptionsPending: '0', SubscriptionsDeleted: '0',
    });
    expect(a!.DeliveryPolicy).toBeUndefined();
    expect(JSON.parse(a!.Policy!)).toEqual({
      Version: '2008-10-17', Id: '__default_policy_ID',
      Statement: [{
        Sid: '__default_statement_ID', Effect: 'Allow', Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: `${ARN}:orders`, Condition: { StringEquals: { 'AWS:SourceOwner': '000000000000' } },
      }],
    });
    expect(JSON.parse(a!.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy).toMatchObject({ numRetries: 3, minDelayTarget: 20, maxDelayTarget: 20, backoffFunction: 'linear' });
  });

  it('sets DisplayName (escaped both ways: markup, quotes, CR LF, non-ASCII) and DeliveryPolicy; an empty DisplayName clears it', async () => {
    await router.backend.createTopic('orders', {});
    const name = `<b>"Q" & 'A'</b>\r\nzürich ✓`;
    await sns.send(new SetTopicAttributesCommand({ TopicArn: `${ARN}:orders`, AttributeName: 'DisplayName', AttributeValue: name }));
    expect(router.backend.topics.get('orders')!.displayName).toBe(name);
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn: `${ARN}:orders` }))).Attributes!.DisplayName).toBe(name);
    const policy = { http: { defaultHealthyRetryPolicy: { numRetries: 7, minDelayTarget: 1, maxDelayTarget: 9 } } };
    await sns.send(new SetTopicAttributesCommand({ TopicArn: `${ARN}:orders`, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify(policy) }));
    expect(router.backend.topics.get('orders')!.deliveryPolicy).toEqual({ numRetries: 7, minDelaySeconds: 1, maxDelaySeconds: 9 });
    const a = (await sns.send(new GetTopicAttributesCommand({ TopicArn: `${ARN}:orders` }))).Attributes!;
    expect(JSON.parse(a.DeliveryPolicy!)).toEqual(policy);
    expect(JSON.parse(a.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy).toMatchObject({ numRetries: 7, minDelayTarget: 1, maxDelayTarget: 9 });
    await sns.send(new SetTopicAttributesCommand({ TopicArn: `${ARN}:orders`, AttributeName: 'DisplayName', AttributeValue: '' }));
    expect(router.backend.topics.get('orders')!.displayName).toBeUndefined();
  });

  it('refuses other attributes, and answers NotFound (404) for a topic that does not exist', async () => {
    await router.backend.createTopic('orders', {});
    expect((await refusal(sns.send(new SetTopicAttributesCommand({ TopicArn: `${ARN}:orders`, AttributeName: 'Policy', AttributeValue: '{}' })))).message)
      .toBe('Invalid parameter: klambda does not support the topic attribute Policy');
    expect((await refusal(sns.send(new SetTopicAttributesCommand({ TopicArn: `${ARN}:orders`, AttributeName: 'Nope', AttributeValue: 'x' })))).message).toBe('Invalid parameter: AttributeName');
    for (const call of [
      sns.send(new GetTopicAttributesCommand({ TopicArn: `${ARN}:missing` })),
      sns.send(new SetTopicAttributesCommand({ TopicArn: `${ARN}:missing`, AttributeName: 'DisplayName', AttributeValue: 'x' })),
      sns.send(new GetTopicAttributesCommand({ TopicArn: `${ARN}:Not_A_Kube_Name` })),
    ]) {
      const e = await refusal(call);
      expect(e).toBeInstanceOf(NotFoundException);
      expect(e.message).toBe('Topic does not exist');
      expect(e.$metadata.httpStatusCode).toBe(404);
    }
  });

  it("refuses a TopicArn that is not one in SNS's words; another region's as invalid, another account's as not authorized", async () => {
    expect((await refusal(sns.send(new GetTopicAttributesCommand({ TopicArn: 'orders' })))).message).toBe('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1');
    expect((await refusal(sns.send(new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sqs:us-east-1:000000000000:orders' })))).message).toBe('Invalid parameter: TopicArn');
    expect((await refusal(sns.send(new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:eu-west-1:000000000000:orders' })))).message).toBe('Invalid parameter: TopicArn');
    const other = await refusal(sns.send(new GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:us-east-1:111111111111:orders' })));
    expect(other).toBeInstanceOf(AuthorizationErrorException);
    expect(other.$metadata.httpStatusCode).toBe(403);
    expect(other.message).toBe('User: arn:aws:iam::000000000000:user/anonymous is not authorized to perform: SNS:GetTopicAttributes on resource: arn:aws:sns:us-east-1:111111111111:orders because no resource-based policy allows the SNS:GetTopicAttributes action');
  });
});

describe('DeleteTopic', () => {
  it('deletes it; deleting a topic that does not exist succeeds, as at SNS', async () => {
    await router.backend.createTopic('orders', {});
    await sns.send(new DeleteTopicCommand({ TopicArn: `${ARN}:orders` }));
    expect(router.backend.topics.has('orders')).toBe(false);
    await sns.send(new DeleteTopicCommand({ TopicArn: `${ARN}:orders` }));
  });
});

describe('tags', () => {
  it('lists, adds (a key again replaces its value) and removes tags; at most 50', async () => {
    await router.backend.createTopic('orders', { tags: { a: '1' } });
    const ResourceArn = `${ARN}:orders`;
    await sns.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '' }] }));
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags).toEqual([{ Key: 'a', Value: '2' }, { Key: 'b', Value: '' }]);
    await sns.send(new UntagResourceCommand({ ResourceArn, TagKeys: ['a', 'nope'] }));
    expect(router.backend.topics.get('orders')!.tags).toEqual({ b: '' });
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const e = await refusal(sns.send(new TagResourceCommand({ ResourceArn, Tags: many })));
    expect(e).toBeInstanceOf(TagLimitExceededException);
    expect(e.message).toBe('Could not complete request: tag quota of per resource exceeded');
    expect(router.backend.topics.get('orders')!.tags).toEqual({ b: '' });
  });

  it('a topic that does not exist: ResourceNotFound (404)', async () => {
    const e = await refusal(sns.send(new ListTagsForResourceCommand({ ResourceArn: `${ARN}:missing` })));
    expect(e).toBeInstanceOf(ResourceNotFoundException);
    expect(e.$metadata.httpStatusCode).toBe(404);
  });
});

describe('beside the JSON APIs on POST /', () => {
  for (const first of [false, true]) {
    it(`SNS and EventBridge both answer, whichever is installed first (json first: ${first})`, async () => {
      const both = await startSnsRouter({ routes: [jsonRoutes([{ api: EVENTBRIDGE, targets: { TestEventPattern: (input) => testEventPattern(input) } }])], first });
      const s = snsClient(both.url);
      const eb = new EventBridgeClient({ endpoint: both.url, region: 'us-east-1', credentials: TEST_KEY, maxAttempts: 1 });
      try {
        expect((await s.send(new CreateTopicCommand({ Name: 'orders' }))).TopicArn).toBe(`${ARN}:orders`);
        const event = JSON.stringify({ id: '1', account: '000000000000', source: 'shop', time: '2026-01-01T00:00:00Z', region: 'us-east-1', 'detail-type': 'x', detail: {} });
        expect((await eb.send(new TestEventPatternCommand({ EventPattern: '{"source":["shop"]}', Event: event }))).Result).toBe(true);
      } finally {
        s.destroy();
        eb.destroy();
        await both.close();
      }
    });
  }
});
