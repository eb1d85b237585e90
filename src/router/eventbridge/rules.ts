// EventBridge's rule calls: PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule, over the caller's
// EventBusBackend. PutRule keeps a rule's targets; a rule on a bus no rule named yet brings that bus into being.
import type { RuleView } from '../../events/contracts.js';
import { busRef, ruleArn } from './arns.js';
import { busNotFound, ruleNotFound, validationError, type EventBridgeContext } from './context.js';
import { readMembers } from './members.js';
import { byKey, page } from './pages.js';
import { checkRuleSpec, describedRule, ruleShape, ruleSpecOf, tagMap, type RuleShape } from './rule-shapes.js';
import { SHAPES, type Tag } from './shapes.js';

interface PutRuleInput {
  Name: string; ScheduleExpression?: string; EventPattern?: string; State?: string; Description?: string; RoleArn?: string; Tags?: Tag[]; EventBusName?: string;
}

/** The bus a rule call names; one of another region or account is no bus of the caller's. */
function ownBus(nameOrArn: string | undefined, ctx: EventBridgeContext): string {
  const bus = busRef(nameOrArn, ctx.arn);
  if (bus.foreign) throw busNotFound(bus.name);
  return bus.name;
}

async function existingBus(nameOrArn: string | undefined, ctx: EventBridgeContext): Promise<string> {
  const bus = ownBus(nameOrArn, ctx);
  if (!await ctx.backend.busExists(bus)) throw busNotFound(bus);
  return bus;
}

/** `{RuleArn}`. Replaces the rule's pattern or schedule, state and description (what is left out is cleared, as at AWS). */
export async function putRule(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<{ RuleArn: string }> {
  const m = readMembers<PutRuleInput>(SHAPES.PutRule, input);
  const bus = ownBus(m.EventBusName, ctx);
  const spec = ruleSpecOf({
    bus,
    ...(m.EventPattern !== undefined ? { eventPattern: m.EventPattern } : {}),
    ...(m.ScheduleExpression !== undefined ? { scheduleExpression: m.ScheduleExpression } : {}),
    ...(m.State !== undefined ? { state: m.State } : {}),
    ...(m.Description !== undefined ? { description: m.Description } : {}),
  });
  const tags = tagMap(m.Tags ?? []);
  await ctx.backend.putRule(bus, m.Name, (current) => {
    const merged = { ...current?.spec.tags, ...tags };
    const next: RuleView = {
      namespace: current?.namespace ?? ctx.namespace,
      name: m.Name,
      spec: { ...spec, targets: current?.spec.targets ?? [], ...(Object.keys(merged).length > 0 ? { tags: merged } : {}) },
    };
    checkRuleSpec(next.spec);
    return next;
  });
  return { RuleArn: ruleArn(ctx.arn, bus, m.Name) };
}

export async function describeRule(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<RuleShape & { CreatedBy: string }> {
  const m = readMembers<{ Name: string; EventBusName?: string }>(SHAPES.RuleByName, input);
  const bus = await existingBus(m.EventBusName, ctx);
  const rule = await ctx.backend.getRule(bus, m.Name);
  if (!rule) throw ruleNotFound(m.Name, bus);
  return describedRule(ctx.arn, rule);
}

export async function listRules(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<{ Rules: RuleShape[]; NextToken?: string }> {
  const m = readMembers<{ NamePrefix?: string; EventBusName?: string; NextToken?: string; Limit?: number }>(SHAPES.ListRules, input);
  const bus = await existingBus(m.EventBusName, ctx);
  const name = (r: RuleView) => r.name;
  const rules = (await ctx.backend.listRules(bus)).filter((r) => m.NamePrefix === undefined || r.name.startsWith(m.NamePrefix)).sort(byKey(name));
  const p = page(rules, name, m.NextToken, m.Limit);
  return { Rules: p.items.map((r) => ruleShape(ctx.arn, r)), ...(p.next !== undefined ? { NextToken: p.next } : {}) };
}

/** Refused while the rule has targets, unless Force; a rule that is not there is already deleted (AWS answers success). */
export async function deleteRule(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<Record<string, never>> {
  const m = readMembers<{ Name: string; EventBusName?: string; Force?: boolean }>(SHAPES.DeleteRule, input);
  const bus = await existingBus(m.EventBusName, ctx);
  const rule = await ctx.backend.getRule(bus, m.Name);
  if (!rule) return {};
  if (rule.spec.targets.length > 0 && m.Force !== true) throw validationError("Rule can't be deleted since it has targets.");
  await ctx.backend.deleteRule(bus, m.Name);
  return {};
}

async function setState(input: Record<string, unknown>, ctx: EventBridgeContext, state: 'ENABLED' | 'DISABLED'): Promise<Record<string, never>> {
  const m = readMembers<{ Name: string; EventBusName?: string }>(SHAPES.RuleByName, input);
  const bus = await existingBus(m.EventBusName, ctx);
  await ctx.backend.putRule(bus, m.Name, (current) => {
    if (!current) throw ruleNotFound(m.Name, bus);
    return { ...current, spec: { ...current.spec, state } };
  });
  return {};
}

export const enableRule = (input: Record<string, unknown>, ctx: EventBridgeContext) => setState(input, ctx, 'ENABLED');
export const disableRule = (input: Record<string, unknown>, ctx: EventBridgeContext) => setState(input, ctx, 'DISABLED');

export { existingBus, ownBus };
