// One prom-client Registry per process (never prom-client's global one), with the default process metrics on it.
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface RegistryOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC, handles): on unless a test turns them off. */
  defaultMetrics?: boolean;
  /**
   * How often the event loop's lag is sampled (prom-client's default, 10 ms, wakes an idle process 100 times a
   * second: with many agents that alone is a share of a core). Default 100 ms.
   */
  eventLoopSampleMs?: number;
}

/**
 * prom-client's gauges named like counters (promtool: "non-counter metrics should not have _total suffix"); each is
 * the sum of a gauge it also exports by type (nodejs_active_handles, nodejs_active_requests, nodejs_active_resources).
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function newRegistry(opts: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: opts.eventLoopSampleMs ?? 100 });
    for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  }
  return registry;
}

export { Registry };
