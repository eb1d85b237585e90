// The EventRule kind: pattern or schedule, the shape of each, targets and their input, defaults.
import type { EventRule } from '../../src/api/event-rule.js';
import { scheduleProblem } from '../../src/api/event-rule.js';
import { checkObject } from '../../src/api/parse.js';

const target = { id: 'audit', function: 'audit' };
const rule = (spec: Record<string, unknown>) => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'EventRule', metadata: { name: 'big-orders' }, spec: { eventPattern: { source: ['shop'] }, targets: [target], ...spec },
});
const scheduled = (scheduleExpression: string, extra: Record<string, unknown> = {}) => rule({ eventPattern: undefined, scheduleExpression, ...extra });
const withTargets = (...targets: unknown[]) => rule({ targets });

function problems(value: unknown): string[] {
  const r = checkObject(value);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('EventRule', () => {
  it('defaults to the default bus, enabled', () => {
    const r = checkObject(rule({}));
    expect(r.ok && (r.object as EventRule).spec).toEqual({ eventBusName: 'default', state: 'ENABLED', eventPattern: { source: ['shop'] }, targets: [target] });
  });

  it('takes a custom bus, a description and the DISABLED state', () => {
    expect(problems(rule({ eventBusName: 'orders.v2/eu', state: 'DISABLED', description: 'x' }))).toEqual([]);
    expect(problems(rule({ state: 'PAUSED' }))).toEqual(['spec.state: must be one of ENABLED, DISABLED, got "PAUSED"']);
    expect(problems(rule({ eventBusName: 'my bus' }))[0]).toBe("spec.eventBusName: must be an event bus name: letters, digits, '.', '-', '_' and '/', got \"my bus\"");
  });

  it('refuses both a pattern and a schedule, and neither', () => {
    expect(problems(rule({ scheduleExpression: 'rate(5 minutes)' }))).toEqual([
      'spec.scheduleExpression: cannot be combined with eventPattern: a rule has exactly one of them (make two rules)',
    ]);
    expect(problems(rule({ eventPattern: undefined }))).toEqual(['spec: a rule needs exactly one of eventPattern or scheduleExpression; none is set']);
  });

  it('refuses a schedule on another bus than default', () => {
    expect(problems(scheduled('rate(5 minutes)', { eventBusName: 'orders' }))).toEqual(['spec.eventBusName: must be default for a scheduled rule, got "orders"']);
  });

  it('takes a rule with no targets yet (PutRule makes one), refuses more than five', () => {
    expect(problems(withTargets())).toEqual([]);
    const six = Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, function: 'audit' }));
    expect(problems(withTargets(...six))).toEqual(['spec.targets: must have at most 5 items, got 6']);
    const { targets: _none, ...noTargets } = rule({}).spec;
    expect(problems({ ...rule({}), spec: noTargets })).toEqual([]);
  });
});

describe('EventRule schedules', () => {
  it.each(['rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'rate(12 hours)', 'rate(1 day)', 'rate(7 days)',
    'cron(0 12 * * ? *)', 'cron(0/15 * ? * MON-FRI *)', 'cron(0 8 1 * ? 2030)', 'cron(0 18 ? * 6L *)', 'cron(0 10 ? * 2#3 *)'])('accepts %p', (expression) => {
    expect(problems(scheduled(expression))).toEqual([]);
  });

  it.each([
    ['every 5 minutes', 'must be rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year), got "every 5 minutes"'],
    ['rate(5 seconds)', 'must be rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year), got "rate(5 seconds)"'],
    ['rate(0 minutes)', 'the rate must be at least 1, got "rate(0 minutes)"'],
    ['rate(1 minutes)', 'takes the singular for 1: rate(1 minute), got "rate(1 minutes)"'],
    ['rate(5 minute)', 'takes the plural for 5: rate(5 minutes), got "rate(5 minute)"'],
    ['cron(0 12 * * *)', 'cron(…) takes 6 fields (minutes hours day-of-month month day-of-week year), got 5: "cron(0 12 * * *)"'],
    ['cron(0 12 * * * *)', 'needs ? in exactly one of day-of-month and day-of-week (e.g. cron(0 12 * * ? *)), got "cron(0 12 * * * *)"'],
    ['cron(0 12 ? * ? *)', 'needs ? in exactly one of day-of-month and day-of-week (e.g. cron(0 12 * * ? *)), got "cron(0 12 ? * ? *)"'],
    ['cron(? 12 * * ? *)', '? is only allowed in day-of-month or day-of-week'],
    ['cron(0 12 * * ? $)', 'cron field "$" may only hold digits, names and , - * ? / L W #'],
  ])('refuses %p', (expression, message) => {
    expect(problems(scheduled(expression))).toEqual([`spec.scheduleExpression: ${message}`]);
  });

  it('reports nothing for what the pattern already refused', () => {
    expect(scheduleProblem('hourly')).toBeUndefined();
  });
});

describe('EventRule patterns', () => {
  const at = 'spec.eventPattern';
  const invalid = (reason: string) => `${at}: Event pattern is not valid. Reason: ${reason}`;

  it('accepts values, operators, nesting and $or', () => {
    const eventPattern = { source: ['shop'], 'detail-type': [{ prefix: 'order-' }], detail: { total: [{ numeric: ['>', 100] }], $or: [{ a: [1] }, { b: [{ exists: true }] }] } };
    expect(problems(rule({ eventPattern }))).toEqual([]);
  });

  it.each([
    ['wildcard', { detail: { file: [{ wildcard: 'uploads/*.png' }] } }],
    ['anything-but a prefix, suffix or wildcard', { detail: { a: [{ 'anything-but': { prefix: 'tmp-' } }], b: [{ 'anything-but': { suffix: '.tmp' } }], c: [{ 'anything-but': { wildcard: '*/tmp/*' } }] } }],
    ['equals-ignore-case and suffix', { 'detail-type': [{ 'equals-ignore-case': 'Order Placed' }], detail: { file: [{ suffix: '.png' }] } }],
    ['cidr, IPv4 and IPv6', { detail: { ip: [{ cidr: '10.0.0.0/24' }, { cidr: '2001:db8::/32' }] } }],
    ['numbers at the ±5e9 limit and null', { detail: { n: [{ numeric: ['>=', -5e9, '<=', 5e9] }], gone: [null] } }],
    ['exists: false', { detail: { coupon: [{ exists: false }] } }],
  ])('accepts %s', (_, eventPattern) => {
    expect(problems(rule({ eventPattern }))).toEqual([]);
  });

  it.each([
    ['an empty pattern', {}, 'Empty objects are not allowed'],
    ['an empty nested pattern', { detail: {} }, 'Empty objects are not allowed'],
    ['a bare value', { source: 'shop' }, '"source" must be an object or an array'],
    ['an empty list', { detail: { total: [] } }, 'Empty arrays are not allowed'],
    ['an operator in capitals', { detail: { total: [{ NUMERIC: ['=', 5] }] } }, 'Unrecognized match type NUMERIC'],
    ['an operator EventBridge does not have', { source: [{ contains: 'shop' }] }, 'Unrecognized match type contains'],
    ['two operators in one match', { source: [{ prefix: 'a', suffix: 'b' }] }, 'Only one key allowed in match expression'],
    ['a prefix that is not a string', { time: [{ prefix: ['2022-07-13'] }] }, 'prefix match pattern must be a string'],
    ['a numeric range upside down', { detail: { total: [{ numeric: ['>', 5, '<=', 5] }] } }, 'Bottom must be less than top'],
    ['a number beyond ±5e9', { detail: { total: [{ numeric: ['<', 5e10] }] } }, 'Value must be between -5.0E9 and 5.0E9, inclusive'],
    ['consecutive wildcards', { resources: [{ wildcard: 'arn:aws:s3:::**' }] }, 'Consecutive wildcard characters at pos 14'],
    ['a malformed CIDR', { detail: { ip: [{ cidr: '10.0.0.0' }] } }, "Malformed CIDR, one '/' required"],
    ['null in an anything-but list', { detail: { state: [{ 'anything-but': ['stopped', null] }] } }, 'Inside anything but list, start|null|boolean is not supported.'],
    ['$or with one alternative', { $or: [{ source: ['shop'] }] }, 'There must have at least 2 Objects in $or relationship.'],
    ['$or that is not a list', { $or: { source: ['shop'] } }, 'It must be an Array followed with $or.'],
    ['an operator name as a field inside $or', { $or: [{ prefix: ['x'] }, { source: ['shop'] }] }, 'prefix is Ruler reserved fieldName which cannot be used inside $or.'],
  ])('refuses %s, with the reason EventBridge gives', (_, eventPattern, reason) => {
    expect(problems(rule({ eventPattern }))).toEqual([invalid(reason)]);
  });

  it('refuses $or that expands into more than 1000 rules', () => {
    const tenWays = Array.from({ length: 10 }, (_, i) => ({ [`k${i}`]: ['v'] }));
    expect(problems(rule({ eventPattern: { a: { $or: tenWays }, b: { $or: tenWays }, c: { $or: tenWays } } }))).toEqual([]);
    const elevenWays = [...tenWays, { k10: ['v'] }];
    expect(problems(rule({ eventPattern: { a: { $or: elevenWays }, b: { $or: tenWays }, c: { $or: tenWays } } }))).toEqual([
      invalid('The use of $or results in over 1000 rule combinations'),
    ]);
  });

  it('refuses a pattern that is not a map', () => {
    expect(problems(rule({ eventPattern: 'source = shop' }))).toEqual(['spec.eventPattern: must be a map of fields, got "source = shop"']);
  });

  it('refuses a pattern over 2048 characters of JSON, and says why else EventBridge would refuse it', () => {
    const sources = Array.from({ length: 300 }, (_, i) => `source-${i}`);
    expect(problems(rule({ eventPattern: { source: sources } }))).toEqual([`${at}: must be at most 2048 characters as JSON, got 3802`]);
    expect(problems(rule({ eventPattern: { source: sources, detail: {} } }))).toEqual([
      `${at}: must be at most 2048 characters as JSON, got 3814`, invalid('Empty objects are not allowed'),
    ]);
  });

  it('words each refusal on one line', () => {
    expect(problems(rule({ eventPattern: { 'detail\ntype': 'x' } }))).toEqual([invalid('"detail type" must be an object or an array')]);
  });
});

describe('EventRule targets', () => {
  it('accepts a function or alias, or a topic, with one kind of input', () => {
    expect(problems(withTargets(
      { id: 'a', function: 'audit:live', input: '{"fixed": true}' },
      { id: 'b.2', topic: 'orders', inputPath: '$.detail' },
      { id: 'c_3', function: 'audit:7', inputTransformer: { inputPathsMap: { t: '$.detail.total' }, inputTemplate: '{"total": <t>}' } },
      { id: 'd-4', function: 'audit', inputTransformer: { inputTemplate: '"<aws.events.rule-name> fired"' } },
    ))).toEqual([]);
  });

  it('refuses a target with both function and topic, or neither', () => {
    expect(problems(withTargets({ id: 'a', function: 'audit', topic: 'orders' }))).toEqual(['spec.targets[0]: a target needs exactly one of function, topic; got function and topic']);
    expect(problems(withTargets({ id: 'a' }))).toEqual(['spec.targets[0]: a target needs exactly one of function, topic; none is set']);
  });

  it('refuses two kinds of input on one target', () => {
    expect(problems(withTargets({ id: 'a', function: 'audit', input: '{}', inputPath: '$.detail' }))).toEqual([
      'spec.targets[0]: a target takes at most one of input, inputPath, inputTransformer; got input and inputPath',
    ]);
  });

  it('refuses input that is not JSON, and paths that do not start with $', () => {
    expect(problems(withTargets({ id: 'a', function: 'audit', input: '{fixed: true}' }))).toEqual(['spec.targets[0].input: must be JSON text, got "{fixed: true}"']);
    expect(problems(withTargets({ id: 'a', function: 'audit', inputPath: 'detail' }))).toEqual([
      'spec.targets[0].inputPath: must be a JSON path starting with $ (e.g. $.detail), got "detail"',
    ]);
    expect(problems(withTargets({ id: 'a', function: 'audit', inputTransformer: { inputPathsMap: { t: 'detail.total', 'a b': '$' }, inputTemplate: '<t>' } }))).toEqual([
      'spec.targets[0].inputTransformer.inputPathsMap["t"]: must be a JSON path starting with $ (e.g. $.detail.total), got "detail.total"',
      'spec.targets[0].inputTransformer.inputPathsMap["a b"]: variable names hold only letters, digits, \'-\' and \'_\'',
    ]);
  });

  it('refuses an input transformer without a template', () => {
    expect(problems(withTargets({ id: 'a', function: 'audit', inputTransformer: { inputPathsMap: { t: '$.x' } } }))).toEqual([
      'spec.targets[0].inputTransformer.inputTemplate: is required',
    ]);
  });

  it('refuses bad ids, duplicate ids and bad references', () => {
    expect(problems(withTargets({ id: 'a b', function: 'audit' }))).toEqual(["spec.targets[0].id: must be letters, digits, '.', '-' and '_', got \"a b\""]);
    expect(problems(withTargets({ id: 'x'.repeat(65), function: 'audit' }))).toEqual(['spec.targets[0].id: must be at most 64 characters, got 65']);
    expect(problems(withTargets({ id: 'a', function: 'audit' }, { id: 'a', topic: 'orders' }))).toEqual([
      'spec.targets[1].id: repeats targets[0].id "a": target ids must be unique',
    ]);
    expect(problems(withTargets({ id: 'a', function: 'Audit' }))).toEqual(['spec.targets[0].function: must be a function name or name:qualifier (e.g. billing or billing:live), got "Audit"']);
    expect(problems(withTargets({ id: 'a', topic: 'Orders' }))[0]).toMatch(/^spec.targets\[0\].topic: must be a DNS-1123 label/);
  });
});
