// The router's own figures: invocations it accepted by outcome, throttles, sync latency as its callers see it.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ResolvedTarget } from '../core/registry.js';
import { DURATION_BUCKETS } from './buckets.js';
import { aliasOf } from './labels.js';

/**
 * How the router ended a call it had resolved to a version: success / function_error (the result carried
 * X-Amz-Function-Error, timeouts included), throttled (429), no_answer (no result within the function timeout plus
 * grace), error (anything else, e.g. Redis refused the job), accepted (an async event was queued).
 */
export type RouterOutcome = 'success' | 'function_error' | 'throttled' | 'no_answer' | 'error' | 'accepted';

/** What the invoke handler reports (an interface, so the handler does not depend on prom-client). */
export interface InvokeMetrics {
  invoked(target: ResolvedTarget, type: 'RequestResponse' | 'Event', outcome: RouterOutcome, seconds?: number): void;
  throttled(target: ResolvedTarget, reason: string): void;
}

const LABELS = ['namespace', 'function', 'version', 'alias'] as const;
type Labels = Record<(typeof LABELS)[number], string>;

const labelsOf = (t: ResolvedTarget): Labels => ({ namespace: t.namespace, function: t.functionName, version: t.version, alias: aliasOf(t.qualifier) });

export class RouterMetrics implements InvokeMetrics {
  private readonly invocations: Counter<(typeof LABELS)[number] | 'type' | 'outcome'>;
  private readonly throttles: Counter<(typeof LABELS)[number] | 'reason'>;
  private readonly duration: Histogram<(typeof LABELS)[number]>;

  /** `syncInFlight`: the sync calls this router holds now (its ConcurrencyLimiter). */
  constructor(registry: Registry, syncInFlight?: () => number) {
    this.invocations = new Counter({
      name: 'klambda_router_invocations_total', registers: [registry], labelNames: [...LABELS, 'type', 'outcome'],
      help: 'Invoke calls the router resolved, by type (RequestResponse, Event) and outcome (success, function_error, throttled, no_answer, error, accepted).',
    });
    this.throttles = new Counter({
      name: 'klambda_throttles_total', registers: [registry], labelNames: [...LABELS, 'reason'],
      help: 'Invoke calls refused with 429 TooManyRequestsException, by reason (ReservedFunctionConcurrentInvocationLimitExceeded, ConcurrentInvocationLimitExceeded).',
    });
    this.duration = new Histogram({
      name: 'klambda_router_invocation_duration_seconds', registers: [registry], labelNames: [...LABELS], buckets: [...DURATION_BUCKETS],
      help: 'Sync invocations as the caller waits for them: queueing, cold start and run, until the answer is back.',
    });
    if (syncInFlight) {
      new Gauge({
        name: 'klambda_router_sync_in_flight', registers: [registry],
        help: 'Sync invocations this router is waiting for now.',
        collect() { this.set(syncInFlight()); },
      });
    }
  }

  invoked(target: ResolvedTarget, type: 'RequestResponse' | 'Event', outcome: RouterOutcome, seconds?: number): void {
    const labels = labelsOf(target);
    this.invocations.inc({ ...labels, type, outcome });
    if (seconds !== undefined) this.duration.observe(labels, seconds);
  }

  throttled(target: ResolvedTarget, reason: string): void {
    this.throttles.inc({ ...labelsOf(target), reason });
  }
}
