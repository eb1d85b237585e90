import { compilePattern } from '../../src/events/pattern/compile.js';
import { PatternError, type Dialect } from '../../src/events/pattern/errors.js';

function refusal(pattern: unknown, dialect: Dialect = 'eventbridge'): PatternError {
  try {
    compilePattern(pattern, dialect);
  } catch (err) {
    if (err instanceof PatternError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(pattern)}`);
}

function table(rows: [pattern: unknown, reason: string][]): void {
  for (const [pattern, reason] of rows) {
    it(`${typeof pattern === 'string' ? pattern : JSON.stringify(pattern)} → ${reason}`, () => {
      const err = refusal(pattern);
      expect(err).toMatchObject({ statusCode: 400, awsType: 'InvalidEventPatternException', reason });
      expect(err.message).toBe(`Event pattern is not valid. Reason: ${reason}`);
    });
  }
}

describe('event patterns EventBridge refuses', () => {
  // AWS's own answers to PutRule/TestEventPattern, recorded by localstack/localstack against AWS (December 2024):
  // tests/aws/services/events/test_events_patterns.snapshot.json with the patterns of event_pattern_templates/*_EXC.json5.
  // AWS appends Jackson's "\n at [Source: …; line: 1, column: N]" to most of these; we send the reason alone.
  table([
    [{ int: 42 }, '"int" must be an object or an array'],
    [{ string: 'my-value' }, '"string" must be an object or an array'],
    [{ resources: [] }, 'Empty arrays are not allowed'],
    ['["not", "a", "dict", "but valid json"]', 'Filter is not an object'],
    [{ detail: { equal: [{ NUMERIC: ['=', 5] }] } }, 'Unrecognized match type NUMERIC'],
    [{ my_key: [{ EXISTS: true }] }, 'Unrecognized match type EXISTS'],
    [{ detail: { 'c-count': [{ numeric: ['>', 0, '>', 0] }] } }, 'Bad numeric range operator: >'],
    [{ detail: { 'c-count': [{ numeric: ['>', 0, '<'] }] } }, 'Value of < must be numeric'],
    [{ detail: { 'c-count': [{ numeric: 10 }] } }, 'Value of numeric must be an array.'],
    [{ time: [{ prefix: ['2022-07-13'] }] }, 'prefix match pattern must be a string'],
    [{ time: [{ prefix: 123 }] }, 'prefix match pattern must be a string'],
    [{ FileName: [{ suffix: 123 }] }, 'suffix match pattern must be a string'],
    [{ FileName: [{ suffix: ['.png'] }] }, 'suffix match pattern must be a string'],
    [{ 'detail-type': [{ 'equals-ignore-case': ['ec2 instance state-change notification'] }] }, 'equals-ignore-case match pattern must be a string'],
    [{ 'detail-type': [{ 'equals-ignore-case': { prefix: 'ec2' } }] }, 'equals-ignore-case match pattern must be a string'],
    [{ EventBusArn: [{ wildcard: 123 }] }, 'wildcard match pattern must be a string'],
    [{ EventBusArn: [{ wildcard: ['arn:aws:events:us-east-1:**:event-bus/*'] }] }, 'wildcard match pattern must be a string'],
    [{ EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:**:event-bus/*' }] }, 'Consecutive wildcard characters at pos 26'],
    [{ EventBusArn: [{ wildcard: '*:*:*:*:*:event-bus/*' }] }, 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character'],
    [{ detail: { sourceIPAddress: [{ cidr: 'bad-filter' }] } }, "Malformed CIDR, one '/' required"],
    [{ detail: { sourceIPAddress: [{ cidr: 'bad-/64filter' }] } }, 'Malformed CIDR, mask bits must be an integer'],
    [{ detail: { sourceIPAddress: [{ cidr: 'xx.11.xx/8' }] } }, 'Nonstandard IP address: xx.11.xx'],
    [{ detail: { sourceIPAddress: [{ cidr: 'xxxx:db8:1234:1a00::/64' }] } }, 'Nonstandard IP address: xxxx:db8:1234:1a00::'],
    [{ detail: { sourceIPAddress: [{ cidr: ['bad-type'] }] } }, 'prefix match pattern must be a string'],
    [{ detail: { state: [{ 'anything-but': null }] } }, 'Value of anything-but must be an array or single string/number value.'],
    [{ detail: { state: [{ 'anything-but': ['stopped', null] }] } }, 'Inside anything but list, start|null|boolean is not supported.'],
    [{ detail: { state: [{ 'anything-but': { 'equals-ignore-case': 123 } }] } }, 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'],
    [{ detail: { state: [{ 'anything-but': { 'equals-ignore-case': [123, 456] } }] } }, 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'],
    [{ detail: { state: [{ 'anything-but': { prefix: 123 } }] } }, 'prefix/suffix match pattern must be a string'],
    [{ detail: { state: [{ 'anything-but': { prefix: [123, 'test'] } }] } }, 'prefix/suffix match pattern must be a string'],
    [{ detail: { FileName: [{ 'anything-but': { suffix: 123 } }] } }, 'prefix/suffix match pattern must be a string'],
    [{ detail: { FileName: [{ 'anything-but': { suffix: [null, '.txt'] } }] } }, 'prefix/suffix match pattern must be a string'],
    [{ detail: { FileName: [{ 'anything-but': { prefix: '' } }] } }, 'Null prefix/suffix not allowed'],
    [{ detail: { FileName: [{ 'anything-but': { suffix: '' } }] } }, 'Null prefix/suffix not allowed'],
    [{ detail: { FileName: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'file' } } }] } }, 'Value of anything-but must be an array or single string/number value.'],
    [{ detail: { FileName: [{ 'anything-but': { suffix: { 'equals-ignore-case': '.png' } } }] } }, 'Value of anything-but must be an array or single string/number value.'],
    [{ detail: { state: [{ 'anything-but': { wildcard: [123, '*/dir/*'] } }] } }, 'wildcard match pattern must be a string'],
    [{ detail: { FilePath: [{ 'anything-but': { wildcard: 123 } }] } }, 'wildcard match pattern must be a string'],
  ]);

  // Not seen from AWS: worded as the engine EventBridge runs, aws/event-ruler (JsonRuleCompiler, CIDR, WildcardParser,
  // ComparableNumber before it took all doubles) and the $or limit of the "Comparison operators" page.
  table([
    [{}, 'Empty objects are not allowed'],
    [{ detail: {} }, 'Empty objects are not allowed'],
    [{ a: [[1]] }, 'Match value must be String, number, true, false, or null'],
    [{ a: [{}] }, 'Match expression name not found'],
    [{ a: [{ contains: 'x' }] }, 'Unrecognized match type contains'],
    [{ a: [{ prefix: 'x', suffix: 'y' }] }, 'Only one key allowed in match expression'],
    [{ a: [{ exists: 'yes' }] }, 'exists match pattern must be either true or false.'],
    [{ a: [{ prefix: {} }] }, 'Prefix expression name not found'],
    [{ a: [{ suffix: { 'equals-ignore-cases': 'x' } }] }, 'Unsupported suffix pattern: equals-ignore-cases'],
    [{ a: [{ 'anything-but': {} }] }, 'Anything-But expression name not found'],
    [{ a: [{ 'anything-but': { exists: false } }] }, 'Unsupported anything-but pattern: exists'],
    [{ a: [{ 'anything-but': [] }] }, 'Inside anything but list, either all values are number or string, mixed type is not supported'],
    [{ a: [{ 'anything-but': ['x', 1] }] }, 'Inside anything but list, either all values are number or string, mixed type is not supported'],
    [{ a: [{ 'anything-but': 'x', prefix: 'y' }] }, 'Too many elements in numeric expression'],
    [{ a: [{ numeric: [] }] }, 'Invalid member in numeric match: ]'],
    [{ a: [{ numeric: ['~', 1] }] }, 'Unrecognized numeric range operator: ~'],
    [{ a: [{ numeric: ['=', 1, '<', 2] }] }, 'Too many elements in numeric expression'],
    [{ a: [{ numeric: ['>', 5, '<=', 5] }] }, 'Bottom must be less than top'],
    [{ a: [{ numeric: ['>', 1, '<', 2, '<', 3] }] }, 'Too many terms in numeric range expression'],
    [{ a: [{ numeric: ['<', 5e10] }] }, 'Value must be between -5.0E9 and 5.0E9, inclusive'],
    [{ a: [{ cidr: '10.0.0.1/32' }] }, 'IPv4 mask bits must be < 32'],
    [{ a: [{ cidr: '::1/128' }] }, 'IPv6 mask bits must be < 128'],
    [{ a: [{ cidr: '10.0.0.1/-1' }] }, 'Malformed CIDR, mask bits must not be negative'],
    [{ a: [{ cidr: '10.0.0.256/24' }] }, 'Invalid IP address: 10.0.0.256'],
    [{ a: [{ wildcard: 'a\\b' }] }, 'Invalid escape character at pos 2'],
    [{ $or: {} }, 'It must be an Array followed with $or.'],
    [{ $or: [{ a: ['x'] }] }, 'There must have at least 2 Objects in $or relationship.'],
    [{ $or: [{ a: ['x'] }, 'b'] }, 'Only JSON object is allowed in array of $or relationship.'],
    [{ $or: [{ prefix: ['x'] }, { b: ['y'] }] }, 'prefix is Ruler reserved fieldName which cannot be used inside $or.'],
    [{ $or: [{ a: ['x'] }, { b: { numeric: ['y'] } }] }, 'numeric is Ruler reserved fieldName which cannot be used inside $or.'],
    [{ a: { $or: Array.from({ length: 11 }, (_, i) => ({ [`k${i}`]: ['v'] })) }, b: { $or: Array.from({ length: 10 }, (_, i) => ({ [`k${i}`]: ['v'] })) }, c: { $or: Array.from({ length: 10 }, (_, i) => ({ [`k${i}`]: ['v'] })) } }, 'The use of $or results in over 1000 rule combinations'],
  ]);

  it('takes the pattern as JSON text and refuses text that is not JSON', () => {
    expect(compilePattern('{"source": ["aws.ec2"]}', 'eventbridge').subRules).toHaveLength(1);
    expect(refusal('{"source": ["aws.ec2"]').awsType).toBe('InvalidEventPatternException');
  });

  it('accepts $or up to 1000 combinations, a wildcard AWS accepted, and numbers at the documented limits', () => {
    const tenWays = Array.from({ length: 10 }, (_, i) => ({ [`k${i}`]: ['v'] }));
    expect(compilePattern({ a: { $or: tenWays }, b: { $or: tenWays }, c: { $or: tenWays } }, 'eventbridge').subRules).toHaveLength(1000);
    expect(() => compilePattern({ FileName: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] }, 'eventbridge')).not.toThrow();
    expect(() => compilePattern({ a: [{ numeric: ['>=', -5e9, '<=', 5e9] }], account: [123456789012] }, 'eventbridge')).not.toThrow();
  });
});

// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html; Lambda's wording as AWS answered
// CreateEventSourceMapping (localstack/localstack tests/aws/services/lambda_/event_source_mapping/*.snapshot.json).
describe('filter patterns Lambda refuses', () => {
  it('answers InvalidParameterValueException "Invalid filter pattern definition." and keeps the reason', () => {
    for (const [pattern, reason] of [
      ['simple string', 'Unexpected token'],
      ['{"eventSource": "aws:sqs"}', '"eventSource" must be an object or an array'],
      ['{"eventSource": []}', 'Empty arrays are not allowed'],
    ] as const) {
      const err = refusal(pattern, 'esm-filter');
      expect(err).toMatchObject({ statusCode: 400, awsType: 'InvalidParameterValueException', message: 'Invalid filter pattern definition.' });
      expect(err.reason).toContain(reason);
    }
  });
});
