// The Topic kind: subscriptions by protocol, endpoints that fit them, filter policies, delivery policy, defaults.
import { checkObject } from '../../src/api/parse.js';
import type { Topic } from '../../src/api/topic.js';

const topic = (spec: Record<string, unknown>) => ({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Topic', metadata: { name: 'orders' }, spec });
const sub = (protocol: string, endpoint: string, extra: Record<string, unknown> = {}) => ({ protocol, endpoint, ...extra });
const withSubs = (...subscriptions: unknown[]) => topic({ subscriptions });

function problems(value: unknown): string[] {
  const r = checkObject(value);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('Topic', () => {
  it('fills the defaults: no subscriptions, 3 retries 20 s apart', () => {
    const r = checkObject(topic({}));
    expect(r.ok && (r.object as Topic).spec).toEqual({ subscriptions: [], deliveryPolicy: { numRetries: 3, minDelaySeconds: 20, maxDelaySeconds: 20 } });
  });

  it('defaults each subscription to attribute filtering and the SNS envelope', () => {
    const r = checkObject(withSubs(sub('lambda', 'billing', { filterPolicy: { kind: ['order-placed'] } })));
    expect(r.ok && (r.object as Topic).spec.subscriptions).toEqual([
      { protocol: 'lambda', endpoint: 'billing', filterPolicy: { kind: ['order-placed'] }, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false },
    ]);
  });

  it.each([
    ['lambda', 'billing'],
    ['lambda', 'billing:live'],
    ['lambda', 'billing:$LATEST'],
    ['lambda', 'arn:aws:lambda:us-east-1:000000000000:function:billing:7'],
    ['http', 'http://billing.default.svc:8080/sns'],
    ['https', 'https://hooks.example.com/orders?token=x'],
    ['queue', 'order-audit_2'],
  ])('accepts a %s subscription to %p', (protocol, endpoint) => {
    expect(problems(withSubs(sub(protocol, endpoint)))).toEqual([]);
  });

  it('refuses a protocol it does not deliver to', () => {
    expect(problems(withSubs(sub('smtp', 'ops@example.com')))).toEqual(['spec.subscriptions[0].protocol: must be one of lambda, http, https, queue, got "smtp"']);
  });

  it.each([
    ['lambda', 'Billing', 'a lambda endpoint must be a function name, name:qualifier or function ARN, got "Billing"'],
    ['lambda', 'arn:aws:sns:us-east-1:000000000000:orders', 'a lambda endpoint must be a function name, name:qualifier or function ARN, got "arn:aws:sns:us-east-1:000000000000:orders"'],
    ['http', 'https://hooks.example.com', 'an http endpoint must be an http:// URL, got "https://hooks.example.com"'],
    ['https', 'http://hooks.example.com', 'an https endpoint must be an https:// URL, got "http://hooks.example.com"'],
    ['https', 'https://', 'an https endpoint must be an https:// URL, got "https://"'],
    ['queue', 'jobs.fifo', "a queue endpoint must be a queue name (1 to 80 letters, digits, '-' and '_'), got \"jobs.fifo\""],
  ])('refuses a %s endpoint %p', (protocol, endpoint, message) => {
    expect(problems(withSubs(sub(protocol, endpoint)))).toEqual([`spec.subscriptions[0].endpoint: ${message}`]);
  });

  it('refuses an empty endpoint, and a missing one', () => {
    expect(problems(withSubs(sub('queue', '')))).toEqual(['spec.subscriptions[0].endpoint: must not be empty']);
    expect(problems(withSubs({ protocol: 'queue' }))).toEqual(['spec.subscriptions[0].endpoint: is required']);
  });

  it('refuses raw message delivery to a function', () => {
    expect(problems(withSubs(sub('lambda', 'billing', { rawMessageDelivery: true })))).toEqual([
      'spec.subscriptions[0].rawMessageDelivery: is for http, https and queue subscriptions; a function always gets the SNS event',
    ]);
    expect(problems(withSubs(sub('queue', 'audit', { rawMessageDelivery: true })))).toEqual([]);
  });

  it('refuses the same protocol and endpoint twice', () => {
    expect(problems(withSubs(sub('queue', 'audit'), sub('lambda', 'audit'), sub('queue', 'audit')))).toEqual([
      'spec.subscriptions[2]: repeats subscriptions[0] (same protocol and endpoint)',
    ]);
  });

  it('refuses more than 100 subscriptions', () => {
    const many = Array.from({ length: 101 }, (_, i) => sub('queue', `q${i}`));
    expect(problems(withSubs(...many))).toEqual(['spec.subscriptions: must have at most 100 items, got 101']);
  });

  it('refuses an unknown field, suggesting the right one', () => {
    expect(problems(withSubs(sub('queue', 'audit', { filterpolicy: {} })))[0]).toMatch(/^spec.subscriptions\[0\].filterpolicy: unknown field \(did you mean filterPolicy\?\)/);
  });
});

describe('Topic filter policies', () => {
  const policy = (filterPolicy: unknown, filterPolicyScope?: string) =>
    withSubs(sub('lambda', 'billing', { filterPolicy, ...(filterPolicyScope ? { filterPolicyScope } : {}) }));
  const at = 'spec.subscriptions[0].filterPolicy';
  const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);

  it('accepts lists of values and operators, $or, and nested keys when filtering the body', () => {
    expect(problems(policy({ kind: ['order-placed', { prefix: 'order-' }], total: [{ numeric: ['>', 100] }] }))).toEqual([]);
    expect(problems(policy({ $or: [{ kind: ['a'] }, { region: ['eu'] }] }))).toEqual([]);
    expect(problems(policy({ order: { total: [{ numeric: ['>', 100] }] } }, 'MessageBody'))).toEqual([]);
    expect(problems(policy({ ip: [{ cidr: '10.0.0.0/24' }], tier: [{ 'anything-but': { prefix: 'free-' } }], coupon: [{ exists: false }] }))).toEqual([]);
  });

  it('accepts an empty policy, which SNS reads as no filter', () => {
    expect(problems(policy({}))).toEqual([]);
  });

  it('refuses a policy that is not a map', () => {
    expect(problems(policy(['kind']))).toEqual([`${at}: must be a map of fields, got a list`]);
  });

  it.each([
    ['a bare value where a list belongs', { kind: 'order-placed' }, 'MessageAttributes', '"kind" must be an object or an array'],
    ['an empty list', { 'detail-type': [] }, 'MessageBody', 'Empty arrays are not allowed'],
    ['an empty nested map', { order: {} }, 'MessageBody', 'Empty objects are not allowed'],
    ['a list inside the list', { kind: [['a']] }, 'MessageAttributes', 'Match value must be String, number, true, false, or null'],
    ['an operator SNS does not have', { kind: [{ contains: 'order' }] }, 'MessageAttributes', 'Unrecognized match type contains'],
    ['wildcard, which SNS does not take', { kind: [{ wildcard: 'order-*' }] }, 'MessageAttributes', 'Unrecognized match type wildcard'],
    ['two operators in one match', { kind: [{ prefix: 'a', suffix: 'b' }] }, 'MessageAttributes', 'Only one key allowed in match expression'],
    ['a numeric range upside down', { total: [{ numeric: ['>', 3, '<', 1] }] }, 'MessageAttributes', 'Bottom must be less than top'],
    ['a malformed CIDR', { ip: [{ cidr: 'bad-filter/24' }] }, 'MessageAttributes', 'Nonstandard IP address: bad-filter'],
    ['exists without true or false', { coupon: [{ exists: null }] }, 'MessageAttributes', 'exists match pattern must be either true or false.'],
  ])('refuses %s, with the reason SNS gives', (_, filterPolicy, scope, reason) => {
    expect(problems(policy(filterPolicy, scope))).toEqual([`${at}: ${reason}`]);
  });

  it('refuses nesting when filtering message attributes', () => {
    expect(problems(policy({ order: { total: [1] } }))).toEqual([`${at}: Filter policy scope MessageAttributes does not support nested filter policy`]);
  });

  it('counts parent keys against the limit of 5, not the lists under them', () => {
    // 5 parent keys and 7 lists: SNS counts only the parents of a nested policy
    expect(problems(policy({ order: { total: [1], currency: ['EUR'], channel: ['web'] }, a: [1], b: [1], c: [1], d: [1] }, 'MessageBody'))).toEqual([]);
    expect(problems(policy({ order: { total: [1] }, a: [1], b: [1], c: [1], d: [1], e: [1] }, 'MessageBody'))).toEqual([`${at}: Filter policy can not have more than 5 keys`]);
    expect(problems(policy({ a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] }))).toEqual([`${at}: Filter policy can not have more than 5 keys`]);
  });

  it('refuses more than 150 combinations, each list counted times its nesting depth', () => {
    expect(problems(policy({ a: values(10), b: values(15) }))).toEqual([]);
    expect(problems(policy({ a: values(10), b: values(16) }))).toEqual([`${at}: Filter policy is too complex`]);
    // AWS's example: 4 values 3 deep and 3 values 2 deep are 3 × 4 × 2 × 3 = 72; 3 more values at the top make 216
    const nested = { key_a: { key_b: { key_c: ['1', '2', '3', '4'] } }, key_d: { key_e: ['1', '2', '3'] } };
    expect(problems(policy(nested, 'MessageBody'))).toEqual([]);
    expect(problems(policy({ ...nested, key_f: ['1', '2', '3'] }, 'MessageBody'))).toEqual([`${at}: Filter policy is too complex`]);
  });

  it('refuses a policy over 256 KB', () => {
    expect(problems(policy({ kind: ['x'.repeat(256 * 1024)] }))).toEqual([`${at}: Filter policy is too large`]);
  });

  it('reads $or only as a list of alternatives; otherwise it is an attribute name', () => {
    expect(problems(policy({ $or: [{ kind: ['a'] }, { total: [{ numeric: ['>', 1] }] }] }, 'MessageBody'))).toEqual([]);
    expect(problems(policy({ $or: { kind: ['a'] } }))).toEqual([`${at}: Filter policy scope MessageAttributes does not support nested filter policy`]);
  });

  it('refuses a scope other than MessageAttributes or MessageBody, and says nothing of the policy under it', () => {
    expect(problems(policy({ order: { total: [1] } }, 'Body'))).toEqual(['spec.subscriptions[0].filterPolicyScope: must be one of MessageAttributes, MessageBody, got "Body"']);
  });

  it('words each refusal on one line', () => {
    expect(problems(policy({ 'order\nkind': 'x' }))).toEqual([`${at}: "order kind" must be an object or an array`]);
  });
});

describe('Topic delivery policy', () => {
  const delivery = (deliveryPolicy: Record<string, unknown>) => topic({ deliveryPolicy });

  it('fills what is not set', () => {
    const r = checkObject(delivery({ numRetries: 10 }));
    expect(r.ok && (r.object as Topic).spec.deliveryPolicy).toEqual({ numRetries: 10, minDelaySeconds: 20, maxDelaySeconds: 20 });
  });

  it('refuses retries outside 0..100 and delays outside 1..3600', () => {
    expect(problems(delivery({ numRetries: 101, minDelaySeconds: 0, maxDelaySeconds: 3601 }))).toEqual([
      'spec.deliveryPolicy.numRetries: must be <= 100, got 101',
      'spec.deliveryPolicy.minDelaySeconds: must be >= 1, got 0',
      'spec.deliveryPolicy.maxDelaySeconds: must be <= 3600, got 3601',
    ]);
  });

  it('refuses a minimum delay above the maximum', () => {
    expect(problems(delivery({ minDelaySeconds: 30, maxDelaySeconds: 10 }))).toEqual(['spec.deliveryPolicy.minDelaySeconds: must be <= maxDelaySeconds (10), got 30']);
  });

  it('refuses a display name over 100 characters', () => {
    expect(problems(topic({ displayName: 'x'.repeat(101) }))).toEqual(['spec.displayName: must be at most 100 characters, got 101']);
  });
});
