// Test helper: a TopicBackend in memory (one namespace's topics), whose publish records what it was given, and a router
// serving the SNS API over it on a real listening server.
import type { RequestHandler } from 'express';
import type { DeliveryPolicy } from '../../src/api/topic.js';
import type { ArnContext } from '../../src/core/arn.js';
import { notFound } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import type { SnsMessage, TopicBackend, TopicView } from '../../src/events/contracts.js';
import { createRouterApp, type RouteInstaller } from '../../src/router/app.js';
import type { InvokeDeps } from '../../src/router/lambda/invoke.js';
import { listen } from '../../src/router/listen.js';
import { snsRoutes } from '../../src/router/sns/routes.js';

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

/** A router serving snsRoutes over `backend` (and any other routes) on a free loopback port, as the modes mount it. */
export interface SnsRouter { url: string; backend: MemoryTopics; close(): Promise<void> }

export async function startSnsRouter(opts: {
  backend?: MemoryTopics;
  arn?: ArnContext;
  auth?: RequestHandler;
  /** Installed with snsRoutes; `first` puts them before it (both orders must work). */
  routes?: RouteInstaller[];
  first?: boolean;
} = {}): Promise<SnsRouter> {
  const backend = opts.backend ?? new MemoryTopics();
  const arn = opts.arn ?? { region: 'us-east-1', accountId: '000000000000' };
  const sns = snsRoutes(() => backend, () => arn, silentLogger);
  const others = opts.routes ?? [];
  const app = createRouterApp({
    logger: silentLogger,
    // no function is invoked by these tests: the Invoke route is mounted but never reached
    invoke: {} as InvokeDeps,
    ...(opts.auth ? { auth: opts.auth } : {}),
    routes: opts.first ? [...others, sns] : [sns, ...others],
  });
  const http = await listen(app, 0, '127.0.0.1');
  return { url: http.url, backend, close: () => http.close() };
}
