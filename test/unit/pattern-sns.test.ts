import { compilePattern } from '../../src/events/pattern/compile.js';
import { PatternError } from '../../src/events/pattern/errors.js';
import { matches } from '../../src/events/pattern/match.js';
import { snsAttributesView, snsBodyView, type SnsMessageAttribute } from '../../src/events/pattern/views.js';

const attr = (Type: string, Value: string): SnsMessageAttribute => ({ Type, Value });
const str = (v: string) => attr('String', v);
const array = (...vs: unknown[]) => attr('String.Array', JSON.stringify(vs));
const num = (v: string) => attr('Number', v);

/** A policy against message attributes (MessageAttributes scope) and message bodies (MessageBody scope). */
interface Case {
  policy: unknown;
  attributes?: { match: Record<string, SnsMessageAttribute>[]; miss: Record<string, SnsMessageAttribute>[] };
  bodies?: { match: unknown[]; miss: unknown[] };
}

function table(cases: Record<string, Case>): void {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      if (c.attributes) {
        const compiled = compilePattern(c.policy, 'sns-attributes');
        for (const a of c.attributes.match) expect({ a, matches: matches(compiled, snsAttributesView(a)) }).toEqual({ a, matches: true });
        for (const a of c.attributes.miss) expect({ a, matches: matches(compiled, snsAttributesView(a)) }).toEqual({ a, matches: false });
      }
      if (c.bodies) {
        const compiled = compilePattern(c.policy, 'sns-body');
        for (const b of c.bodies.match) expect({ b, matches: matches(compiled, snsBodyView(JSON.stringify(b))) }).toEqual({ b, matches: true });
        for (const b of c.bodies.miss) expect({ b, matches: matches(compiled, snsBodyView(JSON.stringify(b))) }).toEqual({ b, matches: false });
      }
    });
  }
}

const exampleAttributes = {
  customer_interests: array('soccer', 'rugby', 'hockey'), store: str('example_corp'), event: str('order_placed'), price_usd: num('210.75'),
};
const exampleBody = { customer_interests: ['soccer', 'rugby', 'hockey'], store: 'example_corp', event: 'order_placed', price_usd: 210.75 };

describe('SNS filter policies', () => {
  // https://docs.aws.amazon.com/sns/latest/dg/example-filter-policies.html
  table({
    'the policy that accepts the example message, in both scopes': {
      policy: { store: ['example_corp'], event: [{ 'anything-but': 'order_cancelled' }], customer_interests: ['rugby', 'football', 'baseball'], price_usd: [{ numeric: ['>=', 100] }] },
      attributes: { match: [exampleAttributes], miss: [{ ...exampleAttributes, price_usd: num('99.5') }] },
      bodies: { match: [exampleBody], miss: [{ ...exampleBody, event: 'order_cancelled' }] },
    },
    'the policy that rejects it (order_cancelled, an absent "encrypted", basketball or baseball)': {
      policy: { store: ['example_corp'], event: ['order_cancelled'], encrypted: [false], customer_interests: ['basketball', 'baseball'] },
      attributes: { match: [], miss: [exampleAttributes] },
      bodies: { match: [{ ...exampleBody, event: 'order_cancelled', encrypted: false, customer_interests: ['baseball'] }], miss: [exampleBody] },
    },
  });

  // https://docs.aws.amazon.com/sns/latest/dg/string-value-matching.html
  table({
    'exact matching: rugby or tennis, each String.Array element on its own': {
      policy: { customer_interests: ['rugby', 'tennis'] },
      attributes: { match: [{ customer_interests: str('rugby') }, { customer_interests: str('tennis') }, { customer_interests: array('rugby', 'tennis') }], miss: [{ customer_interests: str('baseball') }, { customer_interests: array('baseball') }] },
      bodies: { match: [{ customer_interests: 'rugby' }, { customer_interests: 'tennis' }], miss: [{ customer_interests: 'baseball' }] },
    },
    'prefix matching: "bas"': {
      policy: { customer_interests: [{ prefix: 'bas' }] },
      attributes: { match: [{ customer_interests: str('baseball') }, { customer_interests: str('basketball') }], miss: [{ customer_interests: str('rugby') }] },
      bodies: { match: [{ customer_interests: 'baseball' }, { customer_interests: 'basketball' }], miss: [{ customer_interests: 'rugby' }] },
    },
    'anything-but matching: a String.Array matches only when none of its elements is listed; a body array when one is not': {
      policy: { customer_interests: [{ 'anything-but': ['rugby', 'tennis'] }] },
      attributes: {
        match: [{ customer_interests: str('baseball') }, { customer_interests: str('football') }, { customer_interests: array('baseball', 'football') }],
        miss: [{ customer_interests: str('rugby') }, { customer_interests: array('rugby', 'baseball') }, { store: str('x') }],
      },
      bodies: { match: [{ customer_interests: 'baseball' }, { customer_interests: 'football' }, { customer_interests: ['rugby', 'baseball'] }], miss: [{ customer_interests: ['rugby'] }, { store: 'x' }] },
    },
    'anything-but with a prefix: "order-" denied': {
      policy: { event: [{ 'anything-but': { prefix: 'order-' } }] },
      attributes: { match: [{ event: str('data-entry') }, { event: str('order_number') }], miss: [{ event: str('order-cancelled') }] },
      bodies: { match: [{ event: 'data-entry' }, { event: 'order_number' }], miss: [{ event: 'order-cancelled' }] },
    },
    'IP address matching: 10.0.0.0/24': {
      policy: { source_ip: [{ cidr: '10.0.0.0/24' }] },
      attributes: { match: [{ source_ip: str('10.0.0.0') }, { source_ip: str('10.0.0.255') }], miss: [{ source_ip: str('10.1.1.0') }] },
      bodies: { match: [{ source_ip: '10.0.0.0' }, { source_ip: '10.0.0.255' }], miss: [{ source_ip: '10.1.1.0' }] },
    },
  });

  // https://docs.aws.amazon.com/sns/latest/dg/numeric-value-matching.html
  table({
    'numeric exact matching: 301.5 and 3.015e2 are one number': {
      policy: { price_usd: [{ numeric: ['=', 301.5] }] },
      attributes: { match: [{ price_usd: num('301.5') }, { price_usd: num('3.015e2') }], miss: [{ price_usd: num('301.51') }, { price_usd: str('301.5') }] },
      bodies: { match: [{ price_usd: 301.5 }, JSON.parse('{"price_usd": 3.015e2}')], miss: [{ price_usd: '301.5' }] },
    },
    'numeric anything-but: [100, 500]; a Number.Array matches when one value is neither': {
      policy: { price: [{ 'anything-but': [100, 500] }] },
      attributes: { match: [{ price: num('101') }, { price: num('100.1') }, { price: attr('Number.Array', '[100, 50]') }], miss: [{ price: num('100') }] },
      bodies: { match: [{ price: 101 }, { price: 100.1 }, { price: [100, 50] }], miss: [{ price: 100 }] },
    },
    'value range matching: negative numbers; above 0 up to and including 150': {
      policy: { price_usd: [{ numeric: ['<', 0] }, { numeric: ['>', 0, '<=', 150] }] },
      attributes: { match: [{ price_usd: num('-1') }, { price_usd: num('150') }], miss: [{ price_usd: num('0') }, { price_usd: num('150.01') }] },
      bodies: { match: [{ price_usd: -0.5 }, { price_usd: 0.01 }], miss: [{ price_usd: 0 }] },
    },
  });

  // https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html
  table({
    'exists true: the message has "store" (with a non-null, non-empty value)': {
      policy: { store: [{ exists: true }] },
      attributes: { match: [{ store: str('fans'), customer_interests: array('baseball', 'basketball') }], miss: [{ customer_interests: array('baseball', 'basketball') }] },
      bodies: { match: [{ store: 'fans', customer_interests: ['baseball', 'basketball'] }], miss: [{ customer_interests: ['baseball', 'basketball'] }, { store: null }, { store: '' }] },
    },
    'exists false: no "store", and at least one attribute': {
      policy: { store: [{ exists: false }] },
      attributes: { match: [{ customer_interests: array('baseball', 'basketball') }], miss: [{ store: str('fans'), customer_interests: array('baseball', 'basketball') }, {}] },
      bodies: { match: [{ customer_interests: ['baseball', 'basketball'] }], miss: [{ store: 'fans', customer_interests: ['baseball', 'basketball'] }] },
    },
  });

  // https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html
  table({
    'AND logic: rugby and more than 100': {
      policy: { customer_interests: ['rugby'], price_usd: [{ numeric: ['>', 100] }] },
      attributes: { match: [{ customer_interests: str('rugby'), price_usd: num('101') }], miss: [{ customer_interests: str('rugby'), price_usd: num('100') }, { customer_interests: str('rugby') }] },
      bodies: { match: [{ customer_interests: 'rugby', price_usd: 101 }], miss: [{ customer_interests: 'tennis', price_usd: 101 }] },
    },
    'OR logic: rugby, football or baseball': {
      policy: { customer_interests: ['rugby', 'football', 'baseball'] },
      attributes: { match: [{ customer_interests: str('football') }], miss: [{ customer_interests: str('tennis') }] },
    },
    'OR operator: source && (metricName || namespace)': {
      policy: { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] },
      attributes: { match: [{ source: str('aws.cloudwatch'), metricName: str('CPUUtilization') }, { source: str('aws.cloudwatch'), namespace: str('AWS/EC2') }], miss: [{ source: str('aws.cloudwatch'), metricName: str('ReadLatency') }, { metricName: str('CPUUtilization') }] },
      bodies: { match: [{ source: 'aws.cloudwatch', namespace: 'AWS/EC2' }], miss: [{ source: 'aws.cloudwatch' }] },
    },
  });

  // The string operators SNS added later (suffix, equals-ignore-case); examples ours.
  table({
    'suffix and equals-ignore-case': {
      policy: { file: [{ suffix: '.png' }], team: [{ 'equals-ignore-case': 'red' }] },
      attributes: { match: [{ file: str('a.png'), team: str('RED') }], miss: [{ file: str('a.PNG'), team: str('red') }, { file: str('a.png'), team: str('blue') }] },
      bodies: { match: [{ file: 'a.png', team: 'Red' }], miss: [{ file: 'a.png' }] },
    },
  });

  it('ignores Binary attributes and reads custom String/Number types as their base type', () => {
    const view = snsAttributesView({ b: { DataType: 'Binary', BinaryValue: 'AAE=' }, n: { DataType: 'Number.float', StringValue: '1.5' }, s: { DataType: 'String.custom', StringValue: 'x' } });
    expect(view).toEqual({ n: 1.5, s: 'x' });
    expect(matches(compilePattern({ b: [{ exists: false }], n: [{ numeric: ['>', 1] }] }, 'sns-attributes'), view)).toBe(true);
  });

  it('an empty policy ({}) filters nothing; a body that is not a JSON object matches no body policy', () => {
    expect(matches(compilePattern({}, 'sns-attributes'), {})).toBe(true);
    expect(matches(compilePattern('{}', 'sns-body'), snsBodyView('{"a": 1}'))).toBe(true);
    const compiled = compilePattern({ a: [{ exists: false }] }, 'sns-body');
    for (const body of ['plain text', '[1, 2]', '"a"', '{"a": 1']) expect(matches(compiled, snsBodyView(body))).toBe(false);
    expect(matches(compiled, snsBodyView('{"b": 1}'))).toBe(true);
  });
});

function snsRefusal(policy: unknown, scope: 'sns-attributes' | 'sns-body' = 'sns-attributes'): PatternError {
  try {
    compilePattern(policy, scope);
  } catch (err) {
    if (err instanceof PatternError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(policy)}`);
}

// https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html, with AWS's answers as
// localstack/localstack recorded them (tests/aws/services/sns/test_sns_filter_policy.py and its .snapshot.json).
describe('SNS filter policy constraints', () => {
  it('counts combinations as the page does: 3 × 1 × 2 = 6, and 3 × 4 × 2 × 3 = 72 for the nested policy', () => {
    expect(() => compilePattern({ key_a: ['value_one', 'value_two', 'value_three'], key_b: ['value_one'], key_c: ['value_one', 'value_two'] }, 'sns-attributes')).not.toThrow();
    expect(() => compilePattern({ key_a: { key_b: { key_c: ['value_one', 'value_two', 'value_three', 'value_four'] } }, key_d: { key_e: ['value_one', 'value_two', 'value_three'] } }, 'sns-body')).not.toThrow();
  });

  it.each([
    ['151 values in one list', { key: Array.from({ length: 151 }, (_, i) => `value${i}`) }, 'sns-attributes'],
    ['100 × 51 values', { key1: Array.from({ length: 100 }, (_, i) => `v${i}`), key2: Array.from({ length: 51 }, (_, i) => `v${i}`) }, 'sns-attributes'],
    ['the nested policy with key_f: 3 × 4 × 2 × 3 × 1 × 3 = 216', { key_a: { key_b: { key_c: ['1', '2', '3', '4'] } }, key_d: { key_e: ['1', '2', '3'] }, key_f: ['1', '2', '3'] }, 'sns-body'],
    ['$or: 4 × 6 + 4 × 4 × 4 + 4 × 4 × 4 = 152', { source: ['a', 'b', 'c', 'd'], $or: [{ metricName: ['1', '2', '3', '4', '5', '6'] }, { metricType: ['1', '2', '3', '4'], $or: [{ metricId: [1, 2, 3, 4] }, { spaceId: [1, 2, 3, 4] }] }] }, 'sns-attributes'],
    ['nested $or: 160', { $or: [{ metricName: ['a', 'b', 'c'] }, { namespace: ['a', 'b'] }], detail: { scope: ['a', 'b'], $or: [{ source: ['a'] }, { type: ['a', 'b', 'c'] }] } }, 'sns-body'],
  ] as const)('refuses %s as too complex', (_, policy, scope) => {
    expect(snsRefusal(policy, scope).snsMessage('Subscribe')).toBe('Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex');
  });

  it('accepts the $or policy of exactly 150 combinations', () => {
    const policy = { source: ['a', 'b', 'c'], $or: [{ metricName: ['1', '2', '3', '4', '5', '6'] }, { metricType: ['1', '2', '3', '4'], $or: [{ metricId: [1, 2, 3, 4] }, { spaceId: [1, 2, 3, 4, 5, 6, 7] }] }] };
    expect(compilePattern(policy, 'sns-attributes').subRules).toHaveLength(3);
  });

  it('refuses more than five attribute names', () => {
    const err = snsRefusal({ key1: ['value1'], key2: ['value2'], key3: ['value3'], key4: ['value4'], key5: ['value5'], key6: ['value6'] });
    expect(err).toMatchObject({ awsType: 'InvalidParameterException', statusCode: 400, message: 'Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys' });
    expect(err.snsMessage('Subscribe')).toBe('Invalid parameter: Attributes Reason: FilterPolicy: Filter policy can not have more than 5 keys');
  });

  it('refuses nesting in the MessageAttributes scope, after the nested object\'s own faults', () => {
    expect(snsRefusal({ key: { inner: ['x'] } }).message).toBe('Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy');
    expect(snsRefusal({ key: { suffix: 'value' } }).snsMessage('Subscribe')).toBe('Invalid parameter: Attributes Reason: FilterPolicy: "suffix" must be an object or an array');
  });

  it('refuses a policy over 256 KB', () => {
    expect(snsRefusal(JSON.stringify({ key: ['x'.repeat(256 * 1024)] })).reason).toBe('Filter policy is too large');
  });

  it.each([
    ['{"key":[["value"]]}', 'Match value must be String, number, true, false, or null'],
    ['{"key":[{"wrong-operator":true}]}', 'Unrecognized match type wrong-operator'],
    ['{"key":[{"suffix":"value","prefix":"value2"}]}', 'Only one key allowed in match expression'],
    ['{"key":[]}', 'Empty arrays are not allowed'],
    ['{"key":[{"suffix":100}]}', 'suffix match pattern must be a string'],
    ['{"key":[{"suffix":["test","test2"]}]}', 'suffix match pattern must be a string'],
    ['{"key":{"not-an-operator":"value"}}', '"not-an-operator" must be an object or an array'],
    ['{"key":[{"cidr":["bad-filter"]}]}', 'prefix match pattern must be a string'],
    ['{"key":[{"cidr":"bad-filter/24"}]}', 'Nonstandard IP address: bad-filter'],
    ['{"key":[{"numeric":[]}]}', 'Invalid member in numeric match: ]'],
    ['{"key":[{"numeric":["operator"]}]}', 'Unrecognized numeric range operator: operator'],
    ['{"key":[{"numeric":[1,"<="]}]}', 'Invalid member in numeric match: 1'],
    ['{"key":[{"numeric":["=","000"]}]}', 'Value of equals must be numeric'],
    ['{"key":[{"numeric":[">="]}]}', 'Value of >= must be numeric'],
    ['{"key":[{"numeric":["<",100,">",10]}]}', 'Too many elements in numeric expression'],
    ['{"key":[{"numeric":[">=",1,">",2]}]}', 'Bad numeric range operator: >'],
    ['{"key":[{"numeric":[">",3,"<",1]}]}', 'Bottom must be less than top'],
    ['{"key":[{"numeric":[">",20,30]}]}', 'Bad value in numeric range: 30'],
    ['{"key":[{"numeric":[">",20,"<",30,"<",50]}]}', 'Too many terms in numeric range expression'],
    ['{"key":[{"exists":null}]}', 'exists match pattern must be either true or false.'],
    ['{"key":[{"anything-but":{"wrong-operator":null}}]}', 'Unsupported anything-but pattern: wrong-operator'],
    ['{"key":[{"anything-but":{"suffix":"test"}}]}', 'Unsupported anything-but pattern: suffix'],
    ['{"key":[{"anything-but":{"exists":false}}]}', 'Unsupported anything-but pattern: exists'],
    ['{"key":[{"anything-but":{"prefix":false}}]}', 'prefix match pattern must be a string'],
  ])('refuses %s: %s', (policy, reason) => {
    const err = snsRefusal(policy);
    expect(err.reason).toBe(reason);
    expect(err.message).toBe(`Invalid parameter: FilterPolicy: ${reason}`);
    expect(err.snsMessage('Subscribe')).toBe(`Invalid parameter: Attributes Reason: FilterPolicy: ${reason}`);
  });

  it('has no wildcard operator and reads a malformed $or as an attribute name', () => {
    expect(snsRefusal({ key: [{ wildcard: '*.png' }] }).reason).toBe('Unrecognized match type wildcard');
    expect(compilePattern({ $or: ['x'] }, 'sns-body').subRules[0]?.fields.map((f) => f.path)).toEqual(['$or']);
  });
});
