import { compilePattern } from '../../src/events/pattern/compile.js';
import { matches } from '../../src/events/pattern/match.js';

interface Case { pattern: unknown; match: unknown[]; miss: unknown[] }

function table(cases: Record<string, Case>): void {
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const compiled = compilePattern(c.pattern, 'eventbridge');
      for (const e of c.match) expect({ event: e, matches: matches(compiled, e) }).toEqual({ event: e, matches: true });
      for (const e of c.miss) expect({ event: e, matches: matches(compiled, e) }).toEqual({ event: e, matches: false });
    });
  }
}

const ec2 = {
  version: '0', id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', 'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2', account: '111122223333', time: '2017-12-22T18:43:48Z', region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const autoscaling = {
  version: '0', id: '3e3c153a-8339-4e30-8c35-687ebef853fe', 'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling', account: '123456789012', time: '2015-11-11T21:31:47Z', region: 'us-east-1', resources: [],
  detail: { eventVersion: '', responseElements: null },
};
const withDetail = (detail: unknown, extra: Record<string, unknown> = {}) => ({ ...ec2, ...extra, detail });

describe('EventBridge event patterns', () => {
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html ("Amazon EventBridge event patterns":
  // the EC2 event, match values, field matching, value matching)
  table({
    'the EC2 instance-termination pattern matches the page\'s event, not a running instance': {
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } },
      match: [ec2],
      miss: [withDetail({ ...ec2.detail, state: 'running' }), { ...ec2, source: 'aws.ec2x' }, { source: 'aws.ec2' }],
    },
    'a list of values matches any of them (aws.ec2 or aws.fargate)': {
      pattern: { source: ['aws.ec2', 'aws.fargate'] },
      match: [ec2, { ...ec2, source: 'aws.fargate' }],
      miss: [{ ...ec2, source: 'aws.s3' }],
    },
    'field matching on a null responseElements': {
      pattern: { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } },
      match: [autoscaling],
      miss: [{ ...autoscaling, detail: { eventVersion: '', responseElements: {} } }],
    },
    'value matching on the Macie finding: severity.score 1 and count 2': {
      pattern: { source: ['aws.macie'], 'detail-type': ['Macie Finding'], detail: { severity: { score: [1] }, count: [2] } },
      match: [{ source: 'aws.macie', 'detail-type': 'Macie Finding', detail: { severity: { score: 1, description: 'Low' }, count: 2 } }],
      miss: [{ source: 'aws.macie', 'detail-type': 'Macie Finding', detail: { severity: { score: 1 }, count: 3 } }],
    },
  });

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
  table({
    'an empty string matches "" only, not null': {
      pattern: { detail: { eventVersion: [''] } },
      match: [autoscaling],
      miss: [{ ...autoscaling, detail: { eventVersion: null } }, { ...autoscaling, detail: {} }],
    },
    'null matches null only, not "" nor the string "null"': {
      pattern: { detail: { responseElements: [null] } },
      match: [autoscaling],
      miss: [{ ...autoscaling, detail: { responseElements: '' } }, { ...autoscaling, detail: { responseElements: 'null' } }],
    },
  });

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
  table({
    'an event array matches when it shares a value with the pattern\'s list': {
      pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f', 'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] },
      match: [{ resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate', 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }],
      miss: [{ resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate'] }, { resources: [] }],
    },
  });

  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html ("Comparison operators
  // for use in event patterns", the summary table and each operator's section; formerly "Content filtering in Amazon
  // EventBridge event patterns", eb-event-patterns-content-based-filtering.html)
  table({
    'And: Location is "New York" and Day is "Monday"': {
      pattern: { Location: ['New York'], Day: ['Monday'] },
      match: [{ Location: 'New York', Day: 'Monday' }],
      miss: [{ Location: 'New York', Day: 'Tuesday' }, { Location: 'New York' }],
    },
    'Or: PaymentType is "Credit" or "Debit"': {
      pattern: { PaymentType: ['Credit', 'Debit'] },
      match: [{ PaymentType: 'Credit' }, { PaymentType: 'Debit' }],
      miss: [{ PaymentType: 'Cash' }],
    },
    'Or (multiple fields): Location is "New York", or Day is "Monday"': {
      pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] },
      match: [{ Location: 'Paris', Day: 'Monday' }, { Location: 'New York', Day: 'Friday' }],
      miss: [{ Location: 'Paris', Day: 'Friday' }],
    },
    'Equals and Equals (ignore case): Name is "Alice"': {
      pattern: { Name: ['Alice', { 'equals-ignore-case': 'bob' }] },
      match: [{ Name: 'Alice' }, { Name: 'BOB' }, { Name: 'Bob' }],
      miss: [{ Name: 'alice' }, { Name: 'Bobby' }],
    },
    'Null and Empty: UserID is null, LastName is empty': {
      pattern: { UserID: [null], LastName: [''] },
      match: [{ UserID: null, LastName: '' }],
      miss: [{ UserID: 'u1', LastName: '' }, { LastName: '' }],
    },
    'Not: Weather is anything but "Raining"': {
      pattern: { Weather: [{ 'anything-but': ['Raining'] }] },
      match: [{ Weather: 'Sunny' }, { Weather: null }, { Weather: 12 }],
      miss: [{ Weather: 'Raining' }, {}],
    },
    'Numeric (equals): Price is 100, and 1e2 is the same number': {
      pattern: { Price: [{ numeric: ['=', 100] }] },
      match: [{ Price: 100 }, JSON.parse('{"Price": 1e2}'), JSON.parse('{"Price": 100.0}')],
      miss: [{ Price: 101 }, { Price: '100' }],
    },
    'Numeric (range): Price is more than 10, and less than or equal to 20': {
      pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] },
      match: [{ Price: 10.5 }, { Price: 20 }],
      miss: [{ Price: 10 }, { Price: 20.0001 }, { Price: null }],
    },
    'Exists and Does not exist: ProductName': {
      pattern: { ProductName: [{ exists: true }], Discontinued: [{ exists: false }] },
      match: [{ ProductName: 'Widget' }, { ProductName: null }],
      miss: [{ ProductName: 'Widget', Discontinued: true }, { Discontinued: false }],
    },
    'Begins with: Region is in the US': {
      pattern: { Region: [{ prefix: 'us-' }] },
      match: [{ Region: 'us-east-1' }],
      miss: [{ Region: 'eu-west-1' }, { Region: 'US-east-1' }],
    },
    'prefix: time starting with 2017-10-02': {
      pattern: { time: [{ prefix: '2017-10-02' }] },
      match: [{ time: '2017-10-02T18:43:48Z' }],
      miss: [{ time: '2017-10-03T18:43:48Z' }],
    },
    'prefix with equals-ignore-case: service starting with EventB in any case': {
      pattern: { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
      match: [{ detail: { service: 'EventBridge' } }, { detail: { service: 'EVENTBRIDGE' } }, { detail: { service: 'eventb' } }],
      miss: [{ detail: { service: 'Event' } }, { detail: { service: 'SNS' } }],
    },
    'suffix: FileName ending with .png (case matters)': {
      pattern: { FileName: [{ suffix: '.png' }] },
      match: [{ FileName: 'image.png' }],
      miss: [{ FileName: 'image.PNG' }, { FileName: 'image.png.bak' }],
    },
    'suffix with equals-ignore-case: FileName ending with .png in any case': {
      pattern: { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      match: [{ detail: { FileName: 'image.PNG' } }, { detail: { FileName: 'image.png' } }],
      miss: [{ detail: { FileName: 'image.jpg' } }],
    },
    'anything-but a string, a number, a list of strings, a list of numbers': {
      pattern: { detail: { state: [{ 'anything-but': 'initializing' }], 'x-limit': [{ 'anything-but': [100, 200, 300] }], code: [{ 'anything-but': 123 }], phase: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      match: [{ detail: { state: 'pending', 'x-limit': 150, code: 124, phase: 'running' } }],
      miss: [
        { detail: { state: 'initializing', 'x-limit': 150, code: 124, phase: 'running' } },
        { detail: { state: 'pending', 'x-limit': 200, code: 124, phase: 'running' } },
        { detail: { state: 'pending', 'x-limit': 150, code: 123, phase: 'running' } },
        { detail: { state: 'pending', 'x-limit': 150, code: 124, phase: 'stopped' } },
        { detail: { 'x-limit': 150, code: 124, phase: 'running' } },
      ],
    },
    'anything-but prefix: state not starting with "init"': {
      pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      match: [{ detail: { state: 'running' } }, { detail: { state: 12 } }],
      miss: [{ detail: { state: 'initializing' } }, { detail: {} }],
    },
    'anything-but suffix: FileName not ending with .png': {
      pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      match: [{ FileName: 'notes.txt' }],
      miss: [{ FileName: 'image.png' }],
    },
    'anything-but equals-ignore-case: state besides "initializing" in any case': {
      pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] },
      match: [{ state: 'pending' }],
      miss: [{ state: 'INITIALIZING' }, { state: 'Initializing' }],
    },
    'anything-but wildcard: FilePath not including /lib/': {
      pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      match: [{ FilePath: '/usr/bin/env' }],
      miss: [{ FilePath: '/usr/lib/libc.so' }],
    },
    'wildcard: any .png file within the folder "dir" (* matches any run, / included)': {
      pattern: { FileName: [{ wildcard: 'dir/*.png' }] },
      match: [{ FileName: 'dir/a.png' }, { FileName: 'dir/sub/b.png' }, { FileName: 'dir/.png' }],
      miss: [{ FileName: 'other/a.png' }, { FileName: 'dir/a.png.txt' }],
    },
    'numeric matching on all fields (c-count, d-count, x-limit = 3.018e2)': {
      pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } },
      match: [{ detail: { 'c-count': 5, 'd-count': 9, 'x-limit': 301.8 } }],
      miss: [{ detail: { 'c-count': 0, 'd-count': 9, 'x-limit': 301.8 } }, { detail: { 'c-count': 5, 'd-count': 9, 'x-limit': 301.80001 } }],
    },
    'numeric matching works on JSON numbers between -5.0e9 and +5.0e9 inclusive': {
      pattern: { detail: { size: [{ numeric: ['>=', -5e9] }] } },
      match: [{ detail: { size: 5e9 } }, { detail: { size: -5e9 } }],
      miss: [{ detail: { size: 5.0000001e9 } }, { detail: { size: -6e9 } }],
    },
    'IP address matching: 10.0.0.0/24': {
      pattern: { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } },
      match: [{ detail: { sourceIPAddress: '10.0.0.0' } }, { detail: { sourceIPAddress: '10.0.0.255' } }],
      miss: [{ detail: { sourceIPAddress: '10.0.1.0' } }, { detail: { sourceIPAddress: '10.0.0.256' } }, { detail: { sourceIPAddress: 167772161 } }],
    },
    'IP address matching also takes IPv6 blocks': {
      pattern: { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } },
      match: [{ detail: { sourceIPAddress: '2001:0db8:1234:1a00:0000:0000:0000:0000' } }, { detail: { sourceIPAddress: '2001:db8:1234:1a00::ffff' } }],
      miss: [{ detail: { sourceIPAddress: '2001:0db8:123f:1a01::' } }, { detail: { sourceIPAddress: '10.0.0.1' } }],
    },
    'exists matching: the page\'s event has detail.state, the other does not': {
      pattern: { detail: { state: [{ exists: true }] } },
      match: [withDetail({ 'instance-id': 'i-abcd1111', state: 'pending' })],
      miss: [{ 'detail-type': ['EC2 Instance State-change Notification'], resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'], detail: { 'c-count': { c1: 100 } } }],
    },
    'exists matching only works on leaf nodes: an object is not "existing"': {
      pattern: { detail: { 'c-count': [{ exists: true }] } },
      match: [{ detail: { 'c-count': 0 } }],
      miss: [{ detail: { 'c-count': { c1: 100 } } }],
    },
    'exists false matches an absent field': {
      pattern: { detail: { state: [{ exists: false }] } },
      match: [{ detail: { 'c-count': { c1: 100 } } }, { source: 'x' }, { detail: { state: [] } }],
      miss: [withDetail({ state: 'pending' }), withDetail({ state: null })],
    },
    'equals-ignore-case on detail-type (the page\'s event, an array)': {
      pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
      match: [{ 'detail-type': ['EC2 Instance State-change Notification'], detail: { 'c-count': { c1: 100 } } }],
      miss: [{ 'detail-type': ['EC2 Spot Instance Interruption Warning'] }],
    },
    'complex example with multiple matching': {
      pattern: {
        time: [{ prefix: '2017-10-02' }],
        detail: { state: [{ 'anything-but': 'initializing' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ 'anything-but': [100, 200, 300] }] },
      },
      match: [{ time: '2017-10-02T18:43:48Z', detail: { state: 'processing', 'c-count': 3, 'd-count': 9, 'x-limit': 999 } }],
      miss: [{ time: '2017-10-02T18:43:48Z', detail: { state: 'processing', 'c-count': 3, 'd-count': 9, 'x-limit': 300 } }],
    },
    'complex example with $or matching': {
      pattern: { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }] } },
      match: [{ detail: { 'c-count': 0, 'd-count': 9, 'x-limit': 901.8 } }, { detail: { 'x-limit': 301.8 } }],
      miss: [{ detail: { 'c-count': 0, 'd-count': 10, 'x-limit': 901.8 } }],
    },
  });

  it('a key given twice keeps its last list (the pattern as JSON text)', () => {
    const compiled = compilePattern('{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}', 'eventbridge');
    expect(matches(compiled, { detail: { location: 'eu-west-1' } })).toBe(true);
    expect(matches(compiled, { detail: { location: 'us-east' } })).toBe(false);
  });
});

// How EventBridge reads events beyond the documented examples, as AWS answered TestEventPattern (the cases
// localstack/localstack records against AWS: tests/aws/services/events/event_pattern_templates/*.json5).
describe('EventBridge matching details AWS showed', () => {
  table({
    'a dotted pattern key reads nested event fields, and a dotted event key reads like nesting': {
      pattern: { detail: { 'state.status': ['running'] } },
      match: [{ detail: { state: { status: 'running' } } }, { detail: { 'state.status': 'running' } }],
      miss: [{ detail: { state: { status: { status: 'running' } } } }],
    },
    'a nested pattern inside a list of objects matches when one element has the field': {
      pattern: { detail: { automations: { id: [{ exists: true }] } } },
      match: [{ detail: { automations: [{ key1: 'value1' }, { id: 'match-does-exist' }, { key2: 'value2' }] } }],
      miss: [{ detail: { automations: [{ key1: 'value1' }] } }],
    },
    'numeric never matches a string, even one that spells a number': {
      pattern: { number: [{ numeric: ['>', 100] }] },
      match: [{ number: 101 }],
      miss: [{ number: '300' }, { number: null }],
    },
    'anything-but or exists false on a DynamoDB image (present but not "roses", or absent)': {
      pattern: { dynamodb: { NewImage: { homemade: { S: [{ 'anything-but': ['roses'] }, { exists: false }] } } } },
      match: [{ dynamodb: { NewImage: { homemade: { S: 'ABCD' } } } }, { dynamodb: { NewImage: { purchased: { N: '789' } } } }],
      miss: [{ dynamodb: { NewImage: { homemade: { S: 'roses' } } } }],
    },
    'keys are case-sensitive': {
      pattern: { MY_KEY: ['my-value'] },
      match: [{ MY_KEY: 'my-value' }],
      miss: [{ my_key: 'my-value' }],
    },
    'a JSON string inside the event is a string, not an object': {
      pattern: { detail: { 'my-key': ['my-value'] } },
      match: [{ detail: { 'my-key': 'my-value' } }],
      miss: [{ detail: '{"my-key": "my-value"}' }],
    },
  });

  it('an event that is not a JSON object matches nothing', () => {
    const compiled = compilePattern({ source: [{ exists: false }] }, 'eventbridge');
    expect(matches(compiled, {})).toBe(true);
    for (const e of [null, 'x', 1, [], [{}]]) expect(matches(compiled, e)).toBe(false);
  });
});

// The engine behind EventBridge, aws/event-ruler (README "JSON Array Matching"; CIDR.ipToRangeIfPossible).
describe('EventBridge matching as event-ruler documents it', () => {
  const employees = { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }, { firstName: 'Peter', lastName: 'Jones' }] };
  table({
    'arrays are crushed out of the pattern, but two fields must come from one element': {
      pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
      match: [employees, { employees: [[employees.employees[0], employees.employees[1]], [employees.employees[2]]] }],
      miss: [{ employees: [{ firstName: 'Anna', lastName: 'Jones' }, { firstName: 'Peter', lastName: 'Smith' }] }],
    },
    'the Anna/Jones rule does not match across elements': {
      pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      match: [{ employees: [{ firstName: 'Anna', lastName: 'Jones' }] }],
      miss: [employees],
    },
    'exists false is judged within the element the other fields came from': {
      pattern: { employees: { firstName: ['Anna'], middleName: [{ exists: false }] } },
      match: [employees],
      miss: [{ employees: [{ firstName: 'Anna', middleName: 'Maria' }, { firstName: 'Peter' }] }],
    },
    'a plain IP value is compared as an address': {
      pattern: { ip: ['2001:db8::1', '10.0.0.1'] },
      match: [{ ip: '2001:0db8:0000:0000:0000:0000:0000:0001' }, { ip: '10.0.0.1' }],
      miss: [{ ip: '2001:db8::2' }, { ip: '10.0.0.2' }],
    },
  });
});
