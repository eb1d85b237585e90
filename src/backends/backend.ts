// The Backend interface: where execution environments of a function version run (child processes, or pods).
import type { EnvironmentSpec } from '../core/environment-spec.js';
import type { QueueRef } from '../core/queue-contract.js';

/** What a backend needs to know of a version to size it: at least its queue. */
export interface ScalableTarget {
  queue: QueueRef;
}

/** A version as the process backend runs it. */
export interface VersionTarget extends ScalableTarget {
  spec: EnvironmentSpec;
}

export interface Backend<T extends ScalableTarget = VersionTarget> {
  /** Converge the version's environments to `count`; environments built from an older spec are replaced. */
  scale(target: T, count: number): Promise<void>;
  /** Environments of this version that are running or starting. */
  count(queue: QueueRef): number;
  /** Every queue that has environments. */
  queues(): QueueRef[];
  stopAll(): Promise<void>;
}

export const queueKey = (q: QueueRef): string => `${q.namespace}/${q.functionName}/${q.version}`;
