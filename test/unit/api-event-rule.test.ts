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

  it('refuses zero targets and more than five', () => {
    expect(problems(withTargets())).toEqual(['spec.targets: must have at least 1 item, got 0']);
    const six = Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, function: 'audit' }));
    expect(problems(withTargets(...six))).toEqual(['spec.targets: must have at most 5 items, got 6']);
    const { targets: _none, ...noTargets } = rule({}).spec;
    expect(problems({ ...rule({}), spec: noTargets })).toEqual(['spec.targets: is required']);
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
  it('accepts values, operators, nesting and $or', () => {
    const eventPattern = { source: ['shop'], 'detail-type': [{ prefix: 'order-' }], detail: { total: [{ numeric: ['>', 100] }], $or: [{ a: [1] }, { b: [{ exists: true }] }] } };
    expect(problems(rule({ eventPattern }))).toEqual([]);
  });

  it('refuses an empty pattern, a bare value and an empty list', () => {
    expect(problems(rule({ eventPattern: {} }))).toEqual(['spec.eventPattern: must not be empty']);
    expect(problems(rule({ eventPattern: { source: 'shop', detail: { total: [] } } }))).toEqual([
      'spec.eventPattern.source: must be a list of values to match (e.g. ["x"]) or a nested pattern, got "shop"',
      'spec.eventPattern.detail.total: must list at least one value to match',
    ]);
  });

  it('refuses a pattern that is not a map', () => {
    expect(problems(rule({ eventPattern: 'source = shop' }))).toEqual(['spec.eventPattern: must be a map of fields, got "source = shop"']);
  });

  it('refuses a pattern over 2048 characters of JSON', () => {
    const eventPattern = { source: Array.from({ length: 300 }, (_, i) => `source-${i}`) };
    expect(problems(rule({ eventPattern }))[0]).toMatch(/^spec.eventPattern: must be at most 2048 characters as JSON, got \d+$/);
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
