// The contract between producers (router), consumers (runtime agents) and the reaper of a work queue.
import type { Invocation, InvocationResult } from './invocation.js';

/** Identifies one work queue: one per function version. */
export interface QueueRef {
  namespace: string;
  functionName: string;
  /** "$LATEST" or a published version number. */
  version: string;
}

/** A job a consumer holds; it must be acked or released before `leaseExpiresAt`, or it is reclaimed. */
export interface Lease {
  queue: QueueRef;
  invocation: Invocation;
  /** 1 on the first delivery, 2 after one reclaim/release, … */
  attempt: number;
  leaseExpiresAt: number;
}

export interface QueueDepth {
  pending: number;
  inFlight: number;
}

export type { Invocation, InvocationResult };
