// A rule as EventBridge's API shows it (DescribeRule, ListRules) and the rule spec PutRule writes (pure).
import { DEFAULT_EVENT_BUS, EventRuleSpecSchema, SCHEDULE_EXPRESSION, eventRuleSpecIssues, scheduleProblem, type EventRuleSpec } from '../../api/event-rule.js';
import { schemaIssues } from '../../api/validate.js';
import type { ArnContext } from '../../core/arn.js';
import { compilePattern } from '../../events/pattern/index.js';
import type { RuleView } from '../../events/contracts.js';
import { ruleArn } from './arns.js';
import { validationError } from './context.js';
import type { Tag } from './shapes.js';

export interface RuleShape {
  Name: string;
  Arn: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: string;
  Description?: string;
  EventBusName: string;
}

export function ruleShape(ctx: ArnContext, r: RuleView): RuleShape {
  const s = r.spec;
  return {
    Name: r.name,
    Arn: ruleArn(ctx, s.eventBusName, r.name),
    ...(s.eventPattern !== undefined ? { EventPattern: JSON.stringify(s.eventPattern) } : {}),
    ...(s.scheduleExpression !== undefined ? { ScheduleExpression: s.scheduleExpression } : {}),
    State: s.state,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    EventBusName: s.eventBusName,
  };
}

/** DescribeRule adds who made it: the account (AWS: "the account ID of the user that created the rule"). */
export const describedRule = (ctx: ArnContext, r: RuleView): RuleShape & { CreatedBy: string } => ({ ...ruleShape(ctx, r), CreatedBy: ctx.accountId });

export interface RuleInput {
  bus: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state?: string;
  description?: string;
}

/**
 * The spec PutRule asks for, or what EventBridge answers: neither a pattern nor a schedule, a schedule it cannot read or
 * on another bus than the default one, a pattern the engine refuses (InvalidEventPatternException with its reason).
 */
export function ruleSpecOf(input: RuleInput): Omit<EventRuleSpec, 'targets' | 'tags'> {
  const { eventPattern, scheduleExpression } = input;
  if (eventPattern === undefined && scheduleExpression === undefined) throw validationError('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  // EventBridge takes both on one rule; the EventRule kind holds one or the other
  if (eventPattern !== undefined && scheduleExpression !== undefined) {
    throw validationError('klambda takes EventPattern or ScheduleExpression on a rule, not both: make one rule for each.');
  }
  if (scheduleExpression !== undefined) {
    if (!new RegExp(SCHEDULE_EXPRESSION).test(scheduleExpression) || scheduleProblem(scheduleExpression) !== undefined) {
      throw validationError('Parameter ScheduleExpression is not valid.');
    }
    if (input.bus !== DEFAULT_EVENT_BUS) throw validationError('ScheduleExpression is supported only on the default event bus.');
  }
  let pattern: Record<string, unknown> | undefined;
  if (eventPattern !== undefined) {
    compilePattern(eventPattern, 'eventbridge');
    pattern = JSON.parse(eventPattern) as Record<string, unknown>;
  }
  return {
    eventBusName: input.bus,
    ...(pattern !== undefined ? { eventPattern: pattern } : {}),
    ...(scheduleExpression !== undefined ? { scheduleExpression } : {}),
    // ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: there are no CloudTrail events here, the rule is enabled
    state: input.state === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
}

/** Tags as the kind keeps them; a key given twice is refused as EventBridge refuses it. */
export function tagMap(tags: readonly Tag[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) {
    if (Object.hasOwn(out, t.Key)) throw validationError('Invalid parameter: Duplicated keys are not allowed.');
    out[t.Key] = t.Value;
  }
  return out;
}

/**
 * What the EventRule kind still refuses in a spec the API built (its quotas: a pattern over 2,048 characters, 50 tags…):
 * the kind's own words, so nothing is written that the folder or the API server would refuse.
 */
export function checkRuleSpec(spec: EventRuleSpec): void {
  const first = [...schemaIssues(EventRuleSpecSchema, spec), ...eventRuleSpecIssues(spec)][0];
  if (first) throw validationError(`${first.path ? `${first.path}: ` : ''}${first.message}`);
}
