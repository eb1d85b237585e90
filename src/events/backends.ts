// The TopicBackend and EventBusBackend of src/events/contracts.ts, for both modes: reads and writes go through an
// EventObjects port (the manifest folder, or the API server), publish and putEvents into the inbox.
import { createHash } from 'node:crypto';
import { ResourceNotFoundError } from '../api/errors.js';
import type { EventRule, EventRuleSpec } from '../api/event-rule.js';
import type { Topic, TopicSpecInput } from '../api/topic.js';
import type { BusEvent, EventBusBackend, RuleView, SnsMessage, TopicBackend, TopicView } from './contracts.js';
import type { EventInbox } from './inbox.js';
import { RULE_NAME_ANNOTATION, TAGS_ANNOTATION, ruleView, topicView } from './views.js';

type Made = { spec: Record<string, unknown>; annotations?: Record<string, string> } | undefined;

/** One namespace's Topic and EventRule objects, as the folder or the API server has them. */
export interface EventObjects {
  namespace: string;
  topics(): Promise<Topic[]>;
  rules(): Promise<EventRule[]>;
  /** Creates or replaces the object's spec and annotations (`make` → undefined: leave it). */
  putTopic(name: string, make: (current: Topic | undefined) => Made): Promise<Topic | undefined>;
  removeTopic(name: string): Promise<void>;
  putRule(objectName: string, make: (current: EventRule | undefined) => Made): Promise<EventRule | undefined>;
  removeRule(objectName: string): Promise<void>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The object name of a rule: its own name where Kubernetes can hold it (default bus), else a readable name + hash. */
export function ruleObjectName(bus: string, name: string): string {
  if (bus === 'default' && DNS_LABEL.test(name)) return name;
  const readable = `${bus === 'default' ? '' : `${bus}-`}${name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  const hash = createHash('sha256').update(`${bus}\u0000${name}`).digest('hex').slice(0, 8);
  return `${readable || 'rule'}-${hash}`;
}

function annotationsWith(current: Record<string, string> | undefined, tags: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...current, ...extra };
  if (Object.keys(tags).length > 0) out[TAGS_ANNOTATION] = JSON.stringify(tags); else delete out[TAGS_ANNOTATION];
  return out;
}

function topicSpec(v: TopicView): TopicSpecInput {
  return {
    ...(v.displayName !== undefined && v.displayName !== '' ? { displayName: v.displayName } : {}),
    ...(v.subscriptions.length > 0 ? { subscriptions: v.subscriptions } : {}),
    deliveryPolicy: v.deliveryPolicy,
  };
}

const notFoundTopic = (): ResourceNotFoundError => Object.assign(new ResourceNotFoundError('Topic does not exist'), { awsType: 'NotFound' });

export function topicBackend(objects: EventObjects, inbox: EventInbox): TopicBackend {
  const get = async (name: string): Promise<Topic | undefined> => (await objects.topics()).find((t) => t.metadata.name === name);
  return {
    async getTopic(name) {
      const t = await get(name);
      return t ? topicView(t) : undefined;
    },
    async listTopics() {
      return (await objects.topics()).map(topicView);
    },
    async createTopic(name, init) {
      const made = await objects.putTopic(name, (current) => {
        if (current) return undefined; // SNS: creating an existing topic answers its ARN
        const view: TopicView = {
          namespace: objects.namespace, name, ...(init.displayName !== undefined ? { displayName: init.displayName } : {}), subscriptions: [],
          deliveryPolicy: { numRetries: 3, minDelaySeconds: 20, maxDelaySeconds: 20, ...init.deliveryPolicy }, tags: init.tags ?? {},
        };
        return { spec: topicSpec(view) as Record<string, unknown>, annotations: annotationsWith(undefined, view.tags) };
      });
      return topicView(made!);
    },
    async deleteTopic(name) {
      await objects.removeTopic(name);
    },
    async updateTopic(name, change) {
      const made = await objects.putTopic(name, (current) => {
        if (!current) throw notFoundTopic();
        const next = change(topicView(current));
        return { spec: topicSpec(next) as Record<string, unknown>, annotations: annotationsWith(current.metadata.annotations, next.tags) };
      });
      return topicView(made!);
    },
    async publish(topic, messages: SnsMessage[]) {
      if (!await get(topic)) throw notFoundTopic();
      await inbox.add(messages.map((message) => ({ kind: 'topic', namespace: objects.namespace, topic, message })));
    },
  };
}

function ruleSpec(v: RuleView): Record<string, unknown> {
  const s: EventRuleSpec = v.spec;
  return Object.fromEntries(Object.entries({ ...s, targets: s.targets ?? [] }).filter(([, x]) => x !== undefined));
}

export function eventBusBackend(objects: EventObjects, inbox: EventInbox, now: () => number = Date.now): EventBusBackend & { listBuses(): Promise<string[]> } {
  const views = async (): Promise<RuleView[]> => (await objects.rules()).map(ruleView);
  return {
    async listBuses() {
      return [...new Set((await views()).map((r) => r.spec.eventBusName))].sort();
    },
    async busExists(bus) {
      return bus === 'default' || (await views()).some((r) => r.spec.eventBusName === bus);
    },
    async putEvents(bus, events: BusEvent[], traceId?: string) {
      const ingestedAt = now();
      await inbox.add(events.map((event) => ({ kind: 'bus', namespace: objects.namespace, bus, event, ingestedAt, ...(traceId ? { traceId } : {}) })));
    },
    async listRules(bus) {
      return (await views()).filter((r) => r.spec.eventBusName === bus).sort((a, b) => a.name.localeCompare(b.name));
    },
    async getRule(bus, name) {
      return (await views()).find((r) => r.spec.eventBusName === bus && r.name === name);
    },
    async putRule(bus, name, change) {
      const objectName = ruleObjectName(bus, name);
      const made = await objects.putRule(objectName, (current) => {
        const next = change(current ? ruleView(current) : undefined);
        const extra: Record<string, string> = objectName === name ? {} : { [RULE_NAME_ANNOTATION]: name };
        const annotations = annotationsWith(current?.metadata.annotations, tagsOfView(next), extra);
        return { spec: ruleSpec({ ...next, spec: { ...next.spec, eventBusName: bus } }), annotations };
      });
      return ruleView(made!);
    },
    async deleteRule(bus, name) {
      await objects.removeRule(ruleObjectName(bus, name));
    },
  };
}

/** Rule tags travel in the view as a `tags` member when the EventBridge API sets them. */
function tagsOfView(v: RuleView): Record<string, string> {
  return (v as RuleView & { tags?: Record<string, string> }).tags ?? {};
}
