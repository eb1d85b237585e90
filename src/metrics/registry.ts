// One prom-client Registry per process (never prom-client's global one), with the default process metrics on it.
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface RegistryOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC, handles): on unless a test turns them off. */
  defaultMetrics?: boolean;
}

export function newRegistry(opts: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

export { Registry };
