// A rule target's input as EventBridge builds it: the examples of AWS's "Amazon EventBridge input transformation" page
// (its EC2 event, its templates and their outputs), InputPath, Input, the predefined variables, missing paths, and the
// checks PutTargets makes.
import { eventRuleSpecIssues, type RuleTarget } from '../../src/api/event-rule.js';
import type { BusEvent } from '../../src/events/contracts.js';
import { targetInput } from '../../src/events/targets/input.js';
import { targetInputProblem } from '../../src/events/targets/input-check.js';
import { evaluateJsonPath, parseJsonPath } from '../../src/events/targets/json-path.js';

/** The example Amazon EC2 event of AWS's page. */
const EC2: BusEvent = {
  version: '0', id: '7bf73129-1428-4cd3-a780-95db273d1602', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2',
  account: '123456789012', time: '2015-11-11T21:29:54Z', region: 'us-east-1', resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};
const RULE = { arn: 'arn:aws:events:us-east-2:123456789012:rule/example', name: 'example' };
const INGESTED = '2015-11-11T21:29:55Z';
/** The page's Input Path. */
const PATHS = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state' };

const transformed = (inputTemplate: string, inputPathsMap: Record<string, string> = PATHS, event: BusEvent = EC2) =>
  targetInput(event, { id: 't', function: 'f', inputTransformer: { inputPathsMap, inputTemplate } }, RULE, INGESTED);

describe('AWS\'s input transform examples', () => {
  it('simple string: "instance <instance> is in <state>"', () => {
    expect(transformed('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
  });

  it('string with escaped quotes', () => {
    expect(transformed('"instance \\"<instance>\\" is in <state>"')).toBe('"instance \\"i-0123456789\\" is in RUNNING"');
  });

  it('simple JSON: a variable in a value position becomes a JSON string', () => {
    expect(JSON.parse(transformed('{\n  "instance" : <instance>,\n  "state": <state>\n}'))).toEqual({ instance: 'i-0123456789', state: 'RUNNING' });
  });

  it('JSON with strings and variables: inside a string the text as is', () => {
    const out = transformed('{\n "instance" : <instance>,\n "state": "<state>",\n "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}');
    expect(JSON.parse(out)).toEqual({ instance: 'i-0123456789', state: 'RUNNING', instanceStatus: 'instance "i-0123456789" is in RUNNING' });
  });

  it('JSON with a mix of variables and static information', () => {
    expect(JSON.parse(transformed('{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}')))
      .toEqual({ instance: 'i-0123456789', state: [9, 'RUNNING', true], Transformed: 'Yes' });
  });

  it('reserved variables in JSON: the rule\'s ARN and name, the event without its detail, the whole event', () => {
    const out = JSON.parse(transformed('{"instance": <instance>, "state": <state>, "ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>,'
      + ' "originalEvent": <aws.events.event>, "full": <aws.events.event.json>, "at": <aws.events.event.ingestion-time>}')) as Record<string, unknown>;
    const { detail: _d, ...withoutDetail } = EC2;
    expect(out).toEqual({
      instance: 'i-0123456789', state: 'RUNNING', ruleArn: RULE.arn, ruleName: 'example', originalEvent: withoutDetail, full: EC2, at: INGESTED,
    });
  });

  it('reserved variables in a string: "<aws.events.rule-name> triggered"', () => {
    expect(transformed('"<aws.events.rule-name> triggered"')).toBe('"example triggered"');
  });

  it('the API reference\'s template that is not JSON: "<instance> is in state <status>" takes the text as is', () => {
    expect(transformed('<instance> is in state <state>')).toBe('i-0123456789 is in state RUNNING');
  });
});

describe('the values a variable takes', () => {
  const event: BusEvent = { ...EC2, detail: { n: 42, ok: false, nothing: null, tags: ['a', 'b'], obj: { 'instance-id': 'i-1', state: 'RUNNING' }, quote: 'say "hi"' } };
  const all = { n: '$.detail.n', ok: '$.detail.ok', nothing: '$.detail.nothing', tags: '$.detail.tags', obj: '$.detail.obj', quote: '$.detail.quote', gone: '$.detail.gone' };

  it('in a value position: numbers, booleans, null, lists and objects as JSON; a string with its JSON escapes', () => {
    expect(JSON.parse(transformed('{"n": <n>, "ok": <ok>, "nothing": <nothing>, "tags": <tags>, "obj": <obj>, "quote": <quote>}', all, event)))
      .toEqual({ n: 42, ok: false, nothing: null, tags: ['a', 'b'], obj: { 'instance-id': 'i-1', state: 'RUNNING' }, quote: 'say "hi"' });
  });

  it('inside a string: an object or list loses its quotes ("Detail is {instance-id:i-1,state:RUNNING}")', () => {
    expect(transformed('"Detail is <obj>; tags <tags>; n=<n>"', all, event)).toBe('"Detail is {instance-id:i-1,state:RUNNING}; tags [a,b]; n=42"');
  });

  it('a path that reaches nothing: null in a value position, nothing inside a string', () => {
    expect(JSON.parse(transformed('{"gone": <gone>, "text": "[<gone>]"}', all, event))).toEqual({ gone: null, text: '[]' });
  });

  it('a string is not escaped inside a string template, as EventBridge does not escape it', () => {
    expect(transformed('"said: <quote>"', all, event)).toBe('"said: say "hi""');
  });

  it('array indices and wildcards', () => {
    expect(JSON.parse(transformed('{"first": <first>, "all": <all>, "res": <res>}',
      { first: '$.detail.tags[0]', all: '$.detail.tags[*]', res: '$.resources[0]' }, event)))
      .toEqual({ first: 'a', all: ['a', 'b'], res: EC2.resources[0] });
  });
});

describe('Input, InputPath and the default', () => {
  const target = (t: Partial<RuleTarget>): RuleTarget => ({ id: 't', function: 'f', ...t });

  it('no input: the whole event as JSON', () => {
    expect(JSON.parse(targetInput(EC2, target({}), RULE, INGESTED))).toEqual(EC2);
  });

  it('Input: the JSON text as is, whatever the event', () => {
    expect(targetInput(EC2, target({ input: '{ "period":  "day" }' }), RULE, INGESTED)).toBe('{ "period":  "day" }');
  });

  it.each([
    ['$.detail', { 'instance-id': 'i-0123456789', state: 'RUNNING' }],
    ['$.detail.state', 'RUNNING'],
    ['$.resources[0]', 'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    ['$.detail.instance-id', 'i-0123456789'],
    ['$', EC2],
    ['$.detail.missing', null],
  ])('InputPath %s', (path, expected) => {
    expect(JSON.parse(targetInput(EC2, target({ inputPath: path }), RULE, INGESTED))).toEqual(expected);
  });
});

describe('the JSON path subset', () => {
  it.each(['$', '$.detail', '$.detail.a-b_c', '$.detail.list[0]', '$.detail.list[12].x', '$.detail.*', '$.detail.list[*].id', '$.detail.a/b'])('reads %s', (p) => {
    expect(parseJsonPath(p)).toBeDefined();
  });

  it.each(['', 'detail', '$.', '$..detail', "$['detail']", '$.detail[?(@.a)]', '$.list[0:2]', '$.detail.a b', '$detail'])('refuses %j', (p) => {
    expect(parseJsonPath(p)).toBeUndefined();
  });

  it('a wildcard over an object gives its values; a path through a missing field gives nothing', () => {
    expect(evaluateJsonPath(parseJsonPath('$.detail.*')!, EC2)).toEqual(['i-0123456789', 'RUNNING']);
    expect(evaluateJsonPath(parseJsonPath('$.detail.none.deeper')!, EC2)).toBeUndefined();
    expect(evaluateJsonPath(parseJsonPath('$.resources[5]')!, EC2)).toBeUndefined();
  });
});

describe('what PutTargets refuses in a target\'s input', () => {
  it('takes each kind alone', () => {
    expect(targetInputProblem({ id: 'a', input: '{"x": 1}' })).toBeUndefined();
    expect(targetInputProblem({ id: 'a', inputPath: '$.detail' })).toBeUndefined();
    expect(targetInputProblem({ id: 'a', inputTransformer: { inputPathsMap: PATHS, inputTemplate: '{"i": <instance>, "s": "<state>", "r": <aws.events.rule-arn>}' } })).toBeUndefined();
    expect(targetInputProblem({ id: 'a', inputTransformer: { inputTemplate: '"<aws.events.rule-name> triggered"' } })).toBeUndefined();
  });

  it('refuses two kinds, an Input that is not JSON, a path it cannot read, an undefined variable, a JSON template that is not JSON', () => {
    expect(targetInputProblem({ id: 'a', input: '{}', inputPath: '$' })).toBe('Only one of Input, InputPath, or InputTransformer must be provided for target a.');
    expect(targetInputProblem({ id: 'a', input: '{fixed: true}' })).toBe('Input for target a is not a valid JSON text.');
    expect(targetInputProblem({ id: 'a', inputPath: 'detail' })).toBe('InputPath for target a is not a valid JSON path: detail.');
    expect(targetInputProblem({ id: 'a', inputTransformer: { inputPathsMap: { x: '$..x' }, inputTemplate: '<x>' } }))
      .toBe('InputPathsMap for target a has an invalid JSON path for x: $..x.');
    expect(targetInputProblem({ id: 'a', inputTransformer: { inputPathsMap: PATHS, inputTemplate: '{"i": <instance>, "z": <zone>}' } }))
      .toBe('InputTemplate for target a contains invalid placeholder zone.');
    expect(targetInputProblem({ id: 'a', inputTransformer: { inputPathsMap: PATHS, inputTemplate: '{"i": <instance>,}' } }))
      .toBe('InputTemplate for target a is not a valid JSON text.');
  });
});

describe('the EventRule kind checks a target\'s paths and template as PutTargets does', () => {
  const issues = (target: Record<string, unknown>) =>
    eventRuleSpecIssues({ eventPattern: { source: ['shop'] }, targets: [{ id: 'a', function: 'audit', ...target }] }).map((i) => `${i.path}: ${i.message}`);

  it('takes the paths and templates of AWS\'s examples', () => {
    expect(issues({ inputPath: '$.detail.list[0]' })).toEqual([]);
    expect(issues({ inputTransformer: { inputPathsMap: PATHS, inputTemplate: '{"i": <instance>, "s": "<state>", "r": <aws.events.rule-arn>}' } })).toEqual([]);
  });

  it('refuses a path outside EventBridge\'s subset, an undefined variable, a JSON template that is not JSON', () => {
    expect(issues({ inputPath: '$..detail' })).toEqual([
      "targets[0].inputPath: must be a JSON path EventBridge reads: $ then .name (letters, digits, '-', '_', '/'), [N] or * steps, got \"$..detail\"",
    ]);
    expect(issues({ inputTransformer: { inputPathsMap: { x: "$['x']" }, inputTemplate: '<x>' } })).toEqual([
      "targets[0].inputTransformer.inputPathsMap[\"x\"]: must be a JSON path EventBridge reads: $ then .name (letters, digits, '-', '_', '/'), [N] or * steps, got \"$['x']\"",
    ]);
    expect(issues({ inputTransformer: { inputTemplate: '{"z": <zone>}' } })).toEqual([
      'targets[0].inputTransformer.inputTemplate: <zone> is neither a variable of inputPathsMap nor one of EventBridge\'s '
      + '(aws.events.rule-arn, aws.events.rule-name, aws.events.event.ingestion-time, aws.events.event, aws.events.event.json)',
    ]);
    expect(issues({ inputTransformer: { inputPathsMap: PATHS, inputTemplate: '{"i": <instance>,}' } })).toEqual([
      'targets[0].inputTransformer.inputTemplate: starts as JSON ({ or [) but is not JSON text, with each <variable> taken as a value',
    ]);
  });
});
