// EventBridge's TagResource, UntagResource and ListTagsForResource, for rules: the tags live in the rule's spec.
// An event bus has none (a bus is no object of its own here: it has nowhere to keep them).
import { MAX_TAGS } from '../../api/event-rule.js';
import { KlambdaError } from '../../core/errors.js';
import { parseBusArn, parseRuleArn } from './arns.js';
import { busNotFound, ruleNotFound, validationError, type EventBridgeContext } from './context.js';
import { readMembers } from './members.js';
import { tagMap } from './rule-shapes.js';
import { SHAPES, type Tag } from './shapes.js';

type Resource = { kind: 'rule'; bus: string; name: string } | { kind: 'bus'; bus: string };

/** The caller's rule or bus an ARN names; another region's or account's is not found, a text that is no such ARN invalid. */
function resourceOf(arn: string, ctx: EventBridgeContext): Resource {
  const rule = parseRuleArn(arn);
  if (rule) {
    if (rule.region !== ctx.arn.region || rule.accountId !== ctx.arn.accountId) throw ruleNotFound(rule.name, rule.bus);
    return { kind: 'rule', bus: rule.bus, name: rule.name };
  }
  const bus = parseBusArn(arn);
  if (bus) {
    if (bus.region !== ctx.arn.region || bus.accountId !== ctx.arn.accountId) throw busNotFound(bus.bus);
    return { kind: 'bus', bus: bus.bus };
  }
  throw validationError(`Parameter ResourceARN is not valid. Reason: ${arn.length > 256 ? `${arn.slice(0, 256)}...` : arn} is not the ARN of an EventBridge rule or event bus.`);
}

const busTagsRefused = (): KlambdaError =>
  validationError('klambda keeps tags on rules only: an event bus here is the name its rules share, with nowhere to hold tags.');

async function retag(ctx: EventBridgeContext, r: Resource, change: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
  if (r.kind === 'bus') {
    if (!await ctx.backend.busExists(r.bus)) throw busNotFound(r.bus);
    // untagging a bus that has no tags changes nothing
    if (Object.keys(change({})).length > 0) throw busTagsRefused();
    return;
  }
  await ctx.backend.putRule(r.bus, r.name, (current) => {
    if (!current) throw ruleNotFound(r.name, r.bus);
    const tags = change({ ...current.spec.tags });
    if (Object.keys(tags).length > MAX_TAGS) throw new KlambdaError(400, 'LimitExceededException', 'The requested resource exceeds the maximum number allowed.');
    const { tags: _old, ...spec } = current.spec;
    return { ...current, spec: Object.keys(tags).length > 0 ? { ...spec, tags } : spec };
  });
}

export async function tagResource(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<Record<string, never>> {
  const m = readMembers<{ ResourceARN: string; Tags: Tag[] }>(SHAPES.TagResource, input);
  const added = tagMap(m.Tags);
  await retag(ctx, resourceOf(m.ResourceARN, ctx), (tags) => ({ ...tags, ...added }));
  return {};
}

export async function untagResource(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<Record<string, never>> {
  const m = readMembers<{ ResourceARN: string; TagKeys: string[] }>(SHAPES.UntagResource, input);
  const gone = new Set(m.TagKeys);
  await retag(ctx, resourceOf(m.ResourceARN, ctx), (tags) => Object.fromEntries(Object.entries(tags).filter(([k]) => !gone.has(k))));
  return {};
}

export async function listTagsForResource(input: Record<string, unknown>, ctx: EventBridgeContext): Promise<{ Tags: Tag[] }> {
  const m = readMembers<{ ResourceARN: string }>(SHAPES.ListTagsForResource, input);
  const r = resourceOf(m.ResourceARN, ctx);
  if (r.kind === 'bus') {
    if (!await ctx.backend.busExists(r.bus)) throw busNotFound(r.bus);
    return { Tags: [] };
  }
  const rule = await ctx.backend.getRule(r.bus, r.name);
  if (!rule) throw ruleNotFound(r.name, r.bus);
  return { Tags: Object.entries(rule.spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) };
}
