// A metric whose values are read at scrape time from somewhere else (Redis), registered on a prom-client Registry.
// prom-client's own Counter and Histogram can only be incremented and observed, never set to a total kept elsewhere.
import type { Metric, Registry } from 'prom-client';

export type CollectedType = 'counter' | 'gauge' | 'histogram';

export interface CollectedValue {
  /** For a histogram: `<name>_bucket`, `<name>_sum`, `<name>_count`; else the metric's name (the default). */
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

export interface CollectedMetricOptions {
  name: string;
  help: string;
  type: CollectedType;
  /** The values now; called once per scrape. */
  collect(): Promise<CollectedValue[]>;
}

/** Registers the metric; the registry calls get() on every scrape. */
export function registerCollected(registry: Registry, opts: CollectedMetricOptions): void {
  const metric = {
    name: opts.name,
    help: opts.help,
    type: opts.type,
    aggregator: 'sum' as const,
    get: async () => ({ name: opts.name, help: opts.help, type: opts.type, aggregator: 'sum' as const, values: await opts.collect() }),
    reset: () => undefined,
  };
  registry.registerMetric(metric as unknown as Metric);
}

export interface HistogramValues {
  bounds: readonly number[];
  cumulative: readonly number[];
  count: number;
  sum: number;
}

/** The exposition values of one histogram series. */
export function histogramValues(name: string, labels: Record<string, string>, h: HistogramValues): CollectedValue[] {
  const out: CollectedValue[] = h.bounds.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: h.cumulative[i] ?? 0 }));
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count });
  out.push({ metricName: `${name}_sum`, labels, value: h.sum });
  out.push({ metricName: `${name}_count`, labels, value: h.count });
  return out;
}
