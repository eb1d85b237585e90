// EventBridge's target calls: PutTargets, RemoveTargets, ListTargetsByRule, ListRuleNamesByTarget. A target ARN is a
// Lambda function (a qualifier kept: name:qualifier) or an SNS topic of the caller's; any other kind fails its entry.
import { MAX_TARGETS, RuleTargetSchema, type RuleTarget } from '../../api/event-rule.js';
import { schemaIssues } from '../../api/validate.js';
import type { RuleView } from '../../events/contracts.js';
import { targetInputProblem } from '../../events/targets/input-check.js';
import { ARN_FORMAT, arnOfTarget, targetOfArn } from './arns.js';
import { limitExceeded, ruleNotFound, validationError, type EventBridgeContext } from './context.js';
import { readMembers } from './members.js';
import { byKey, page } from './pages.js';
import { existingBus } from './rules.js';
import { SHAPES, type TargetMembers } from './shapes.js';

export interface FailedEntry { TargetId: string; ErrorCode: string; ErrorMessage: string }
export interface TargetShape { Id: string; Arn: string; Input?: string; InputPath?: string; InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string } }

const failures = (failed: FailedEntry[]) => ({ FailedEntryCount: failed.length, FailedEntries: failed });

/** The kind's target for one PutTargets entry, or why it fails (per entry, as EventBridge reports a target it cannot add). */
function kindTarget(t: TargetMembers, ctx: EventBridgeContext): RuleTarget | FailedEntry {
  const kind = targetOfArn(t.Arn, ctx.arn);
  if ('refused' in kind) return { TargetId: t.Id, ErrorCode: 'ValidationException', ErrorMessage: kind.refused };
  const target: RuleTarget = {
    id: t.Id, ...kind,
    ...(t.Input !== undefined ? { input: t.Input } : {}),
    ...(t.InputPath !== undefined ? { inputPath: t.InputPath } : {}),
    ...(t.InputTransformer !== undefined ? {
      inputTransformer: { ...(t.InputTransformer.InputPathsMap ? { inputPathsMap: t.InputTransformer.InputPathsMap } : {}), inputTemplate: t.InputTransformer.InputTemplate },
    } : {}),
  };
  // a name the kind cannot hold (Kubernetes names: lower case, at most 63 characters)
  const issue = schemaIssues(RuleTargetSchema, target)[0];
  if (issue) return { TargetId: t.Id, ErrorCode: 'ValidationException', ErrorMessage: `Target ${t.Arn} cannot be a klambda rule target: ${issue.path} ${issue.message}.` };
  return target;
}

/**
 * `{FailedEntryCount, FailedEntries}`. The request's own faults refuse it whole, as AWS does (an ARN that is not one,
 * an input EventBridge cannot use, more than 5 targets on the rule); a target klambda cannot deliver to fails its entry.
 */
export async function putTargets(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<{ FailedEntryCount: number; FailedEntries: FailedEntry[] }> {
  const m = readMembers<{ Rule: string; EventBusName?: string; Targets: TargetMembers[] }>(SHAPES.PutTargets, input);
  const bus = await existingBus(m.EventBusName, ctx);
  const bad = m.Targets.find((t) => !ARN_FORMAT.test(t.Arn));
  if (bad) throw validationError(`Parameter ${bad.Arn} is not valid. Reason: Provided Arn is not in correct format.`);
  for (const t of m.Targets) {
    const problem = targetInputProblem({
      id: t.Id, ...(t.Input !== undefined ? { input: t.Input } : {}), ...(t.InputPath !== undefined ? { inputPath: t.InputPath } : {}),
      ...(t.InputTransformer !== undefined ? { inputTransformer: { inputPathsMap: t.InputTransformer.InputPathsMap ?? {}, inputTemplate: t.InputTransformer.InputTemplate } } : {}),
    });
    if (problem) throw validationError(problem);
  }
  const failed: FailedEntry[] = [];
  const added: RuleTarget[] = [];
  for (const t of m.Targets) {
    const k = kindTarget(t, ctx);
    if ('ErrorCode' in k) failed.push(k); else added.push(k);
  }
  await ctx.backend.putRule(bus, m.Rule, (current) => {
    if (!current) throw ruleNotFound(m.Rule, bus);
    // a target with an id the rule has is replaced in place; a new one goes after the others
    const targets = [...current.spec.targets];
    for (const t of added) {
      const at = targets.findIndex((x) => x.id === t.id);
      if (at >= 0) targets[at] = t; else targets.push(t);
    }
    if (targets.length > MAX_TARGETS) throw limitExceeded();
    return { ...current, spec: { ...current.spec, targets } };
  });
  return failures(failed);
}

/** Ids the rule does not have are already removed (no failure). */
export async function removeTargets(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<{ FailedEntryCount: number; FailedEntries: FailedEntry[] }> {
  const m = readMembers<{ Rule: string; EventBusName?: string; Ids: string[]; Force?: boolean }>(SHAPES.RemoveTargets, input);
  const bus = await existingBus(m.EventBusName, ctx);
  const ids = new Set(m.Ids);
  await ctx.backend.putRule(bus, m.Rule, (current) => {
    if (!current) throw ruleNotFound(m.Rule, bus);
    return { ...current, spec: { ...current.spec, targets: current.spec.targets.filter((t) => !ids.has(t.id)) } };
  });
  return failures([]);
}

export function targetShape(t: RuleTarget, ctx: EventBridgeContext): TargetShape {
  return {
    Id: t.id,
    Arn: arnOfTarget(t, ctx.arn),
    ...(t.input !== undefined ? { Input: t.input } : {}),
    ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
    ...(t.inputTransformer !== undefined ? {
      InputTransformer: { ...(t.inputTransformer.inputPathsMap ? { InputPathsMap: t.inputTransformer.inputPathsMap } : {}), InputTemplate: t.inputTransformer.inputTemplate },
    } : {}),
  };
}

/** The rule's targets by id (ids are unique in a rule: the token holds the last id given). */
export async function listTargetsByRule(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<{ Targets: TargetShape[]; NextToken?: string }> {
  const m = readMembers<{ Rule: string; EventBusName?: string; NextToken?: string; Limit?: number }>(SHAPES.ListTargetsByRule, input);
  const bus = await existingBus(m.EventBusName, ctx);
  const rule = await ctx.backend.getRule(bus, m.Rule);
  if (!rule) throw ruleNotFound(m.Rule, bus);
  const id = (t: RuleTarget) => t.id;
  const p = page([...rule.spec.targets].sort(byKey(id)), id, m.NextToken, m.Limit);
  return { Targets: p.items.map((t) => targetShape(t, ctx)), ...(p.next !== undefined ? { NextToken: p.next } : {}) };
}

/** The names of the bus's rules with a target of that ARN (a function ARN with its qualifier, or without). */
export async function listRuleNamesByTarget(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<{ RuleNames: string[]; NextToken?: string }> {
  const m = readMembers<{ TargetArn: string; EventBusName?: string; NextToken?: string; Limit?: number }>(SHAPES.ListRuleNamesByTarget, input);
  const bus = await existingBus(m.EventBusName, ctx);
  const name = (r: RuleView) => r.name;
  const rules = (await ctx.backend.listRules(bus))
    .filter((r) => r.spec.targets.some((t) => arnOfTarget(t, ctx.arn) === m.TargetArn))
    .sort(byKey(name));
  const p = page(rules, name, m.NextToken, m.Limit);
  return { RuleNames: p.items.map(name), ...(p.next !== undefined ? { NextToken: p.next } : {}) };
}
