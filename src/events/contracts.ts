// The seams of event delivery: how the event APIs (SNS, EventBridge, SQS, Kinesis), the pollers and the schedules reach
// functions and each other. Each mode (local, cluster) supplies one implementation of each; the APIs and pollers are
// written against these alone.
import type { InvocationResult } from '../core/invocation.js';
import type { Subscription, DeliveryPolicy } from '../api/topic.js';
import type { EventRuleSpec } from '../api/event-rule.js';

/** One event handed to a function. `requestId` is kept across retries: derive it from the event's own id. */
export interface EventInvocation {
  payload: string;
  requestId: string;
  /** X-Amzn-Trace-Id to carry on; a new one when absent. */
  traceId?: string;
}

/** Queues an async invocation (Lambda's `Event` type, with the version's retries and destinations). */
export interface AsyncInvoker {
  /**
   * Resolves `functionRef` (name, name:qualifier or function ARN) in `namespace` and queues the event; resolves once
   * Redis holds it. Throws a KlambdaError (404 ResourceNotFoundException…) when the function cannot be resolved.
   */
  invokeAsync(namespace: string, functionRef: string, inv: EventInvocation): Promise<void>;
}

/** Runs a function synchronously (Lambda's `RequestResponse`): what event source mappings use. */
export interface SyncInvoker {
  /**
   * Resolves `functionRef` and waits for the result. A function error is a result with `functionError` set; a failure
   * to run at all (unknown function, throttled, no answer in time, Redis gone) throws a KlambdaError.
   */
  invokeSync(namespace: string, functionRef: string, inv: EventInvocation): Promise<InvocationResult>;
}

/** A Topic as the SNS API shows it (from a manifest or a Topic object). */
export interface TopicView {
  namespace: string;
  name: string;
  displayName?: string;
  subscriptions: Subscription[];
  deliveryPolicy: DeliveryPolicy;
  tags: Record<string, string>;
}

/** An SNS message attribute, as Publish takes it (BinaryValue base64). */
export interface SnsAttribute { DataType: string; StringValue?: string; BinaryValue?: string }

/** One message accepted by Publish/PublishBatch, before fan-out. */
export interface SnsMessage {
  messageId: string;
  message: string;
  subject?: string;
  /** MessageStructure=json: `message` is a JSON object of per-protocol texts (`default` required). */
  messageStructure?: 'json';
  messageAttributes: Record<string, SnsAttribute>;
  /** Epoch ms when it was accepted. */
  timestamp: number;
  traceId?: string;
}

/** Topics of one namespace: read, written (manifests locally, Topic objects on a cluster) and published to. */
export interface TopicBackend {
  getTopic(name: string): Promise<TopicView | undefined>;
  listTopics(): Promise<TopicView[]>;
  /** Creates it (idempotent for the same attributes, as SNS's CreateTopic is); returns the view. */
  createTopic(name: string, init: { displayName?: string; deliveryPolicy?: Partial<DeliveryPolicy>; tags?: Record<string, string> }): Promise<TopicView>;
  deleteTopic(name: string): Promise<void>;
  /** Replaces the topic's settable parts (display name, delivery policy, subscriptions, tags); the topic must exist. */
  updateTopic(name: string, change: (current: TopicView) => TopicView): Promise<TopicView>;
  /**
   * Accepts the messages durably (resolves once Redis holds them all); fan-out to the subscriptions happens after.
   * The topic must exist (NotFound otherwise).
   */
  publish(topic: string, messages: SnsMessage[]): Promise<void>;
}

/** An EventBridge event as a rule matches it. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** An EventRule of one namespace, as the EventBridge API shows it. */
export interface RuleView {
  namespace: string;
  name: string;
  spec: EventRuleSpec;
}

/** Event buses and rules of one namespace. */
export interface EventBusBackend {
  /** Whether the bus exists: `default`, or one a rule or CreateEventBus named. */
  busExists(bus: string): Promise<boolean>;
  /**
   * Accepts the events durably (resolves once Redis holds them all); rules are matched and targets invoked after, each
   * function target in the trace `traceId` (an X-Amzn-Trace-Id) when given.
   */
  putEvents(bus: string, events: BusEvent[], traceId?: string): Promise<void>;
  listRules(bus: string): Promise<RuleView[]>;
  getRule(bus: string, name: string): Promise<RuleView | undefined>;
  /** Creates or replaces a rule (PutRule keeps its targets; PutTargets/RemoveTargets change them). */
  putRule(bus: string, name: string, change: (current: RuleView | undefined) => RuleView): Promise<RuleView>;
  deleteRule(bus: string, name: string): Promise<void>;
}
