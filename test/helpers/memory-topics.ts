// Test helper: a TopicBackend in memory (one namespace's topics), whose publish records what it was given.
import type { DeliveryPolicy } from '../../src/api/topic.js';
import { notFound } from '../../src/core/errors.js';
import type { SnsMessage, TopicBackend, TopicView } from '../../src/events/contracts.js';

const DEFAULT_POLICY: DeliveryPolicy = { numRetries: 3, minDelaySeconds: 20, maxDelaySeconds: 20 };

export class MemoryTopics implements TopicBackend {
  readonly topics = new Map<string, TopicView>();
  /** Every publish call, in order: the topic and the messages. */
  readonly published: Array<{ topic: string; messages: SnsMessage[] }> = [];

  constructor(readonly namespace = 'default') {}

  async getTopic(name: string): Promise<TopicView | undefined> {
    const t = this.topics.get(name);
    return t && structuredClone(t);
  }

  async listTopics(): Promise<TopicView[]> {
    return [...this.topics.values()].map((t) => structuredClone(t));
  }

  async createTopic(name: string, init: { displayName?: string; deliveryPolicy?: Partial<DeliveryPolicy>; tags?: Record<string, string> }): Promise<TopicView> {
    const existing = this.topics.get(name);
    if (existing) return structuredClone(existing);
    const t: TopicView = {
      namespace: this.namespace, name, subscriptions: [],
      deliveryPolicy: { ...DEFAULT_POLICY, ...init.deliveryPolicy }, tags: { ...init.tags },
      ...(init.displayName ? { displayName: init.displayName } : {}),
    };
    this.topics.set(name, t);
    return structuredClone(t);
  }

  async deleteTopic(name: string): Promise<void> {
    this.topics.delete(name);
  }

  async updateTopic(name: string, change: (current: TopicView) => TopicView): Promise<TopicView> {
    const t = this.topics.get(name);
    if (!t) throw notFound(`Topic ${name} does not exist`);
    const next = change(structuredClone(t));
    this.topics.set(name, structuredClone(next));
    return structuredClone(next);
  }

  async publish(topic: string, messages: SnsMessage[]): Promise<void> {
    if (!this.topics.has(topic)) throw notFound(`Topic ${topic} does not exist`);
    this.published.push({ topic, messages: structuredClone(messages) });
  }

  /** The messages published to `topic`, in order. */
  messagesOf(topic: string): SnsMessage[] {
    return this.published.filter((p) => p.topic === topic).flatMap((p) => p.messages);
  }
}
