// Test helper: our kinds' objects as a manifest holds them, and what checkObject says of one as `path: message` lines.
import { checkObject } from '../../src/api/parse.js';

/** checkObject's issues with `value`, none if it is taken. */
export function problems(value: unknown): string[] {
  const r = checkObject(value);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

/** An EventSourceMapping from the stream `clicks` to `counter` (TRIM_HORIZON), `spec` laid over it. */
export const esm = (spec: Record<string, unknown>) => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'EventSourceMapping', metadata: { name: 'clicks-to-counter' },
  spec: { source: { stream: 'clicks' }, functionName: 'counter', startingPosition: 'TRIM_HORIZON', ...spec },
});

/** The same from the queue `jobs` (no starting position). */
export const fromQueue = (spec: Record<string, unknown> = {}) => esm({ source: { queue: 'jobs' }, startingPosition: undefined, ...spec });
