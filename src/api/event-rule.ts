// The EventRule kind: EventBridge-style — an event pattern on a bus, or a schedule, routed to up to 5 targets (none yet
// for a rule PutRule made, as at EventBridge, where PutTargets adds them after).
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, DNS_1123_LABEL, FUNCTION_REF, hintedPattern, JsonObject, kindSchema, StringEnum, StringMap, type WithDefaults, type KindObject } from './common.js';
import { isRecord, type SpecIssue } from './function.js';
import { patternIssue } from './pattern-issues.js';
import { isJson, show } from './validate.js';
import { PLACEHOLDER, PREDEFINED_VARIABLES, isJsonTemplate } from '../events/targets/input.js';
import { parseJsonPath } from '../events/targets/json-path.js';
import { parseSchedule, ScheduleError } from '../events/schedule/index.js';

export const RULE_STATES = ['ENABLED', 'DISABLED'] as const;
export const DEFAULT_EVENT_BUS = 'default';
export const EVENT_BUS_NAME = hintedPattern('^[/.\\-_A-Za-z0-9]+$', "must be an event bus name: letters, digits, '.', '-', '_' and '/'");
export const SCHEDULE_EXPRESSION = hintedPattern(
  '^(rate\\(\\d+ (minute|minutes|hour|hours|day|days)\\)|cron\\(.+\\))$',
  'must be rate(N minutes|hours|days) or cron(minutes hours day-of-month month day-of-week year)',
);
export const TARGET_ID = hintedPattern('^[.\\-_A-Za-z0-9]+$', "must be letters, digits, '.', '-' and '_'");
export const INPUT_PATH_KEY = '^[A-Za-z0-9_-]+$';
/** AWS's limits on a rule's targets and on an input transformer. */
export const MAX_TARGETS = 5;
export const MAX_INPUT_PATHS = 100;
/** AWS's tag quota per resource, and its key and value lengths (TagResource, PutRule's Tags). */
export const MAX_TAGS = 50;
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
/** EventBridge's default quota on an event pattern, counted as JSON characters. */
export const EVENT_PATTERN_MAX_CHARS = 2048;
export const TARGET_KINDS = ['function', 'topic'] as const;
export const TARGET_INPUTS = ['input', 'inputPath', 'inputTransformer'] as const;

export const InputTransformerSchema = Type.Object({
  /** Variable name → JSON path into the event (`$.detail.total`); `<name>` in the template takes its value. */
  inputPathsMap: Type.Optional(StringMap(Type.String({ minLength: 1, maxLength: 256 }), { maxProperties: MAX_INPUT_PATHS })),
  inputTemplate: Type.String({ minLength: 1, maxLength: 8192 }),
}, { additionalProperties: false });
export type InputTransformer = Static<typeof InputTransformerSchema>;

/** Where matched events go: exactly one of function or topic, with at most one of input, inputPath or inputTransformer. */
export const RuleTargetSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: TARGET_ID }),
  function: Type.Optional(Type.String({ maxLength: 192, pattern: FUNCTION_REF })),
  topic: Type.Optional(Type.String({ maxLength: 63, pattern: DNS_1123_LABEL })),
  /** JSON text sent instead of the event. */
  input: Type.Optional(Type.String({ maxLength: 8192 })),
  /** JSON path of the part of the event to send (`$.detail`). */
  inputPath: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  inputTransformer: Type.Optional(InputTransformerSchema),
}, { additionalProperties: false });
export type RuleTarget = Static<typeof RuleTargetSchema>;

export const EventRuleSpecSchema = Type.Object({
  eventBusName: Type.Optional(Type.String({ minLength: 1, maxLength: 256, pattern: EVENT_BUS_NAME, default: DEFAULT_EVENT_BUS })),
  /** Exactly one of eventPattern and scheduleExpression. */
  eventPattern: Type.Optional(JsonObject()),
  scheduleExpression: Type.Optional(Type.String({ maxLength: 256, pattern: SCHEDULE_EXPRESSION })),
  state: Type.Optional(StringEnum(RULE_STATES, { default: 'ENABLED' })),
  description: Type.Optional(Type.String({ maxLength: 512 })),
  /** None yet is a rule that matches and sends nowhere (PutRule makes one; PutTargets adds to it). */
  targets: Type.Optional(Type.Array(RuleTargetSchema, { maxItems: MAX_TARGETS, default: [] })),
  /** AWS's tags on the rule (PutRule's Tags, TagResource). */
  tags: Type.Optional(StringMap(Type.String({ maxLength: TAG_VALUE_MAX }), { maxProperties: MAX_TAGS })),
}, { additionalProperties: false });

export type EventRuleSpecInput = Static<typeof EventRuleSpecSchema>;
export type EventRuleSpec = WithDefaults<EventRuleSpecInput, 'eventBusName' | 'state' | 'targets'>;

export const EventRuleSchema = kindSchema(API_VERSION, 'EventRule', EventRuleSpecSchema);

export type EventRule = KindObject<'EventRule', EventRuleSpec>;

/** Rules beyond the schema: pattern xor schedule, a well-formed schedule, one target kind and one input each, unique ids. */
export function eventRuleSpecIssues(spec: unknown): SpecIssue[] {
  if (!isRecord(spec)) return [];
  const issues: SpecIssue[] = [];
  const hasPattern = spec.eventPattern !== undefined;
  const hasSchedule = spec.scheduleExpression !== undefined;
  if (hasPattern && hasSchedule) {
    issues.push({ path: 'scheduleExpression', message: 'cannot be combined with eventPattern: a rule has exactly one of them (make two rules)' });
  } else if (!hasPattern && !hasSchedule) {
    issues.push({ path: '', message: 'a rule needs exactly one of eventPattern or scheduleExpression; none is set' });
  }
  if (isRecord(spec.eventPattern)) issues.push(...eventPatternIssues(spec.eventPattern));
  if (typeof spec.scheduleExpression === 'string') {
    const problem = scheduleProblem(spec.scheduleExpression);
    if (problem) issues.push({ path: 'scheduleExpression', message: problem });
    if (spec.eventBusName !== undefined && spec.eventBusName !== DEFAULT_EVENT_BUS) {
      issues.push({ path: 'eventBusName', message: `must be ${DEFAULT_EVENT_BUS} for a scheduled rule, got ${show(spec.eventBusName)}` });
    }
  }
  if (isRecord(spec.tags)) {
    for (const key of Object.keys(spec.tags)) {
      if (key.length < 1 || key.length > TAG_KEY_MAX) issues.push({ path: `tags[${JSON.stringify(key.slice(0, 40))}]`, message: `tag keys are 1 to ${TAG_KEY_MAX} characters, got ${key.length}` });
    }
  }
  const seen = new Map<unknown, number>();
  const targets = Array.isArray(spec.targets) ? spec.targets : [];
  targets.forEach((t: unknown, i) => {
    if (!isRecord(t)) return;
    issues.push(...targetIssues(t, `targets[${i}]`));
    const first = seen.get(t.id);
    if (first === undefined) seen.set(t.id, i);
    else issues.push({ path: `targets[${i}].id`, message: `repeats targets[${first}].id ${show(t.id)}: target ids must be unique` });
  });
  return issues;
}

/** What EventBridge refuses in a rule's pattern: the engine's reason (PutRule's wording), and the size quota. */
function eventPatternIssues(pattern: Record<string, unknown>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const chars = JSON.stringify(pattern).length;
  if (chars > EVENT_PATTERN_MAX_CHARS) issues.push({ path: 'eventPattern', message: `must be at most ${EVENT_PATTERN_MAX_CHARS} characters as JSON, got ${chars}` });
  const refused = patternIssue(pattern, 'eventbridge', 'eventPattern');
  if (refused) issues.push(refused);
  return issues;
}

function targetIssues(t: Record<string, unknown>, path: string): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const kinds = TARGET_KINDS.filter((k) => t[k] !== undefined);
  if (kinds.length !== 1) {
    issues.push({ path, message: `a target needs exactly one of ${TARGET_KINDS.join(', ')}; ${kinds.length === 0 ? 'none is set' : `got ${kinds.join(' and ')}`}` });
  }
  const inputs = TARGET_INPUTS.filter((k) => t[k] !== undefined);
  if (inputs.length > 1) issues.push({ path, message: `a target takes at most one of ${TARGET_INPUTS.join(', ')}; got ${inputs.join(' and ')}` });
  if (typeof t.input === 'string' && !isJson(t.input)) issues.push({ path: `${path}.input`, message: `must be JSON text, got ${show(t.input)}` });
  if (typeof t.inputPath === 'string' && !t.inputPath.startsWith('$')) {
    issues.push({ path: `${path}.inputPath`, message: `must be a JSON path starting with $ (e.g. $.detail), got ${show(t.inputPath)}` });
  } else if (typeof t.inputPath === 'string' && !parseJsonPath(t.inputPath)) {
    issues.push({ path: `${path}.inputPath`, message: `${JSON_PATH_SUBSET}, got ${show(t.inputPath)}` });
  }
  const transformer = isRecord(t.inputTransformer) ? t.inputTransformer : undefined;
  const paths = transformer?.inputPathsMap;
  if (isRecord(paths)) {
    for (const [name, jsonPath] of Object.entries(paths)) {
      const at = `${path}.inputTransformer.inputPathsMap[${JSON.stringify(name)}]`;
      if (!new RegExp(INPUT_PATH_KEY).test(name)) issues.push({ path: at, message: "variable names hold only letters, digits, '-' and '_'" });
      else if (typeof jsonPath === 'string' && !jsonPath.startsWith('$')) issues.push({ path: at, message: `must be a JSON path starting with $ (e.g. $.detail.total), got ${show(jsonPath)}` });
      else if (typeof jsonPath === 'string' && !parseJsonPath(jsonPath)) issues.push({ path: at, message: `${JSON_PATH_SUBSET}, got ${show(jsonPath)}` });
    }
  }
  if (typeof transformer?.inputTemplate === 'string') issues.push(...templateIssues(transformer.inputTemplate, isRecord(paths) ? paths : {}, `${path}.inputTransformer.inputTemplate`));
  return issues;
}

const JSON_PATH_SUBSET = "must be a JSON path EventBridge reads: $ then .name (letters, digits, '-', '_', '/'), [N] or * steps";

/** A template's variables must be defined (by inputPathsMap or EventBridge), and a JSON template must stay JSON. */
function templateIssues(template: string, paths: Record<string, unknown>, at: string): SpecIssue[] {
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (!Object.hasOwn(paths, name) && !(PREDEFINED_VARIABLES as readonly string[]).includes(name)) {
      return [{ path: at, message: `<${name}> is neither a variable of inputPathsMap nor one of EventBridge's (${PREDEFINED_VARIABLES.join(', ')})` }];
    }
  }
  if (isJsonTemplate(template) && !isJson(template.replace(PLACEHOLDER, '0'))) {
    return [{ path: at, message: 'starts as JSON ({ or [) but is not JSON text, with each <variable> taken as a value' }];
  }
  return [];
}

/**
 * Why a schedule matching SCHEDULE_EXPRESSION is still not one EventBridge accepts (the schedule parser's reason), or
 * undefined. What the pattern refuses is left to it, so one mistake is reported once.
 */
export function scheduleProblem(expression: string): string | undefined {
  if (!new RegExp(SCHEDULE_EXPRESSION).test(expression)) return undefined;
  try {
    parseSchedule(expression);
    return undefined;
  } catch (err) {
    if (err instanceof ScheduleError) return err.reason;
    throw err;
  }
}

