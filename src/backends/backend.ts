// The Backend interface: where execution environments of a function version run (child processes, or pods).
import type { EnvironmentSpec } from '../core/environment-spec.js';
import type { QueueRef } from '../core/queue-contract.js';

export interface VersionTarget {
  queue: QueueRef;
  spec: EnvironmentSpec;
  /** Deliveries of an async event whose runtime crashed, before it is given up. */
  maxAsyncAttempts: number;
}

export interface Backend {
  /** Converge the version's environments to `count`; environments built from an older spec are replaced. */
  scale(target: VersionTarget, count: number): Promise<void>;
  /** Environments of this version that are running or starting. */
  count(queue: QueueRef): number;
  /** Every queue that has environments. */
  queues(): QueueRef[];
  stopAll(): Promise<void>;
}

export const queueKey = (q: QueueRef): string => `${q.namespace}/${q.functionName}/${q.version}`;
