// Histogram bucket bounds (seconds) shared by the agents that count into Redis and the processes that export them.

/** Invocation duration: 1 ms to Lambda's 900 s limit. */
export const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900] as const;

/** Init Duration of a cold start: a runtime's start plus the function's module load (Lambda allows 10 s). */
export const INIT_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** Async event age when a delivery starts: from queued to running, up to the 6 h maximumEventAgeSeconds. */
export const EVENT_AGE_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 21600] as const;

/** The index of the first bucket whose upper bound holds `seconds`, or bounds.length for +Inf. */
export function bucketIndex(bounds: readonly number[], seconds: number): number {
  for (let i = 0; i < bounds.length; i++) if (seconds <= bounds[i]!) return i;
  return bounds.length;
}
