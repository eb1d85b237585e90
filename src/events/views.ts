// Topic and EventRule objects (from a manifest or the API server) as the event APIs and the fan-out see them, and the
// rules of each bus indexed for matching (pure, cached per generation of the objects).
import type { EventRule, EventRuleSpec } from '../api/event-rule.js';
import type { Subscription, Topic } from '../api/topic.js';
import { compilePattern, RuleIndex } from './pattern/index.js';
import type { BusEvent, RuleView, TopicView } from './contracts.js';

/** Tags of a Topic or EventRule object, as JSON (the kinds have no tags field: AWS's tags are not Kubernetes labels). */
export const TAGS_ANNOTATION = 'klambda.dev/tags';
/** An EventBridge rule name a Kubernetes name cannot hold (upper case, '_', '.', over 63), kept beside the object's name. */
export const RULE_NAME_ANNOTATION = 'klambda.dev/rule-name';

interface Meta { name: string; namespace?: string; annotations?: Record<string, string> }

export function tagsOf(meta: Meta): Record<string, string> {
  const text = meta.annotations?.[TAGS_ANNOTATION];
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch { /* unreadable tags: none */ }
  return {};
}

export function topicView(t: Topic): TopicView {
  const policy = t.spec.deliveryPolicy ?? {};
  return {
    namespace: t.metadata.namespace ?? 'default',
    name: t.metadata.name,
    ...(t.spec.displayName !== undefined ? { displayName: t.spec.displayName } : {}),
    subscriptions: (t.spec.subscriptions ?? []).map((s): Subscription => ({
      ...s, filterPolicyScope: s.filterPolicyScope ?? 'MessageAttributes', rawMessageDelivery: s.rawMessageDelivery ?? false,
    })),
    deliveryPolicy: { numRetries: policy.numRetries ?? 3, minDelaySeconds: policy.minDelaySeconds ?? 20, maxDelaySeconds: policy.maxDelaySeconds ?? 20 },
    tags: tagsOf(t.metadata),
  };
}

export function ruleView(r: EventRule): RuleView {
  const spec: EventRuleSpec = { ...r.spec, eventBusName: r.spec.eventBusName ?? 'default', state: r.spec.state ?? 'ENABLED', targets: r.spec.targets ?? [] };
  return { namespace: r.metadata.namespace ?? 'default', name: r.metadata.annotations?.[RULE_NAME_ANNOTATION] ?? r.metadata.name, spec };
}

/** The rules of every bus of one set of objects, each bus's patterns compiled once into an index. */
export class RuleSets {
  private generation: unknown = Symbol('none');
  private byBus = new Map<string, { index: RuleIndex<RuleView>; rules: Map<string, RuleView> }>();

  /** The rules are read (and indexed) again only when `source.generation()` differs from the last call's. */
  constructor(private readonly source: { generation(): unknown; rules(): readonly RuleView[] }) {}

  private current(): Map<string, { index: RuleIndex<RuleView>; rules: Map<string, RuleView> }> {
    const generation = this.source.generation();
    if (generation === this.generation) return this.byBus;
    const rules = this.source.rules();
    const byBus = new Map<string, { index: RuleIndex<RuleView>; rules: Map<string, RuleView> }>();
    for (const r of rules) {
      const key = `${r.namespace}\u0000${r.spec.eventBusName}`;
      let bus = byBus.get(key);
      if (!bus) byBus.set(key, (bus = { index: new RuleIndex<RuleView>(), rules: new Map() }));
      bus.rules.set(r.name, r);
      if (r.spec.state !== 'ENABLED' || r.spec.eventPattern === undefined) continue;
      // a pattern the engine refuses was refused when it was written (the object is not Ready): it matches nothing
      try { bus.index.add(r, compilePattern(r.spec.eventPattern, 'eventbridge')); } catch { /* skipped */ }
    }
    this.byBus = byBus;
    this.generation = generation;
    return byBus;
  }

  matching(namespace: string, bus: string, event: BusEvent): RuleView[] {
    return this.current().get(`${namespace}\u0000${bus}`)?.index.match(event as unknown as Record<string, unknown>) ?? [];
  }

  rule(namespace: string, bus: string, name: string): RuleView | undefined {
    return this.current().get(`${namespace}\u0000${bus}`)?.rules.get(name);
  }

  /** Every bus a rule of the namespace names. */
  buses(namespace: string): string[] {
    return [...this.current().keys()].filter((k) => k.startsWith(`${namespace}\u0000`)).map((k) => k.slice(namespace.length + 1));
  }
}
