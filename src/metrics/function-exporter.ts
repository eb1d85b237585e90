// Exports the agents' per-version figures (the stats hashes in Redis), queue depth, concurrency and the concurrency
// settings, read at scrape time. Run by one process per install: the controller's leader, or `klambda dev`.
import type { Registry } from 'prom-client';
import type { QueueRef } from '../core/queue-contract.js';
import type { RedisConnection } from '../queue/connection.js';
import { queueKeys } from '../queue/keys.js';
import { histogramValues, registerCollected, type CollectedValue } from './collected-metric.js';
import { FUNCTION_OUTCOMES, parseStats, type FunctionStats } from './function-stats.js';
import type { InventoryFunction } from './inventory.js';
import { versionLabels, type VersionLabels } from './labels.js';
import type { RedisErrors } from './redis-errors.js';

export interface FunctionExporterOptions {
  registry: Registry;
  /** A connection that may read every key under the prefix (the controller's or the local mode's). */
  redis: RedisConnection;
  keyPrefix: string;
  inventory(): InventoryFunction[];
  /** Export only while true: on a cluster only the leader exports, so sums over replicas do not double. */
  active?(): boolean;
  redisErrors?: RedisErrors;
}

interface VersionReading {
  labels: VersionLabels;
  stats: FunctionStats;
  pending: number;
  inFlight: number;
  provisioned: number;
}

interface Reading {
  versions: VersionReading[];
  functions: InventoryFunction[];
}

const EMPTY: Reading = { versions: [], functions: [] };

export class FunctionExporter {
  /** The reading of the scrape in progress: every metric of one scrape shares one round of Redis reads. */
  private reading: Promise<Reading> | undefined;

  constructor(private readonly opts: FunctionExporterOptions) {
    const counter = (name: string, help: string, pick: (v: VersionReading) => number) =>
      this.register(name, help, 'counter', (r) => r.versions.map((v) => ({ labels: v.labels, value: pick(v) })));
    const histogram = (name: string, help: string, pick: (s: FunctionStats) => Parameters<typeof histogramValues>[2]) =>
      this.register(name, help, 'histogram', (r) => r.versions.flatMap((v) => histogramValues(name, v.labels, pick(v.stats))));

    this.register('klambda_function_invocations_total', 'Invocations the agents ran, by outcome (success, function_error, timeout, crash, caller_gone).', 'counter',
      (r) => r.versions.flatMap((v) => FUNCTION_OUTCOMES.map((outcome) => ({ labels: { ...v.labels, outcome }, value: v.stats.invocations[outcome] }))));
    counter('klambda_function_errors_total', 'Invocations that ended in a function error, a timeout or a runtime crash.', (v) => v.stats.errors);
    counter('klambda_function_cold_starts_total', 'Invocations that ran on a freshly initialised execution environment.', (v) => v.stats.coldStarts);
    counter('klambda_function_retries_total', 'Redeliveries: deliveries after the first of the same request id (after a crash or a lost consumer).', (v) => v.stats.retries);
    counter('klambda_dead_letters_total', 'Async events given up and sent to the dead-letter target.', (v) => v.stats.deadLetters);
    histogram('klambda_function_duration_seconds', 'Invocation duration as the REPORT line gives it.', (s) => s.duration);
    histogram('klambda_function_init_duration_seconds', 'Init Duration of cold starts.', (s) => s.initDuration);
    histogram('klambda_async_event_age_seconds', 'Age of an async event when a delivery of it starts (from the router accepting it).', (s) => s.eventAge);
    this.register('klambda_queue_depth', 'Invocations waiting in the version\'s queue.', 'gauge', (r) => r.versions.map((v) => ({ labels: v.labels, value: v.pending })));
    this.register('klambda_concurrent_executions', 'Invocations running now (held by an agent).', 'gauge', (r) => r.versions.map((v) => ({ labels: v.labels, value: v.inFlight })));
    this.register('klambda_provisioned_concurrency', 'Execution environments kept warm for the version (its aliases\' provisionedConcurrency).', 'gauge',
      (r) => r.versions.map((v) => ({ labels: v.labels, value: v.provisioned })));
    this.register('klambda_reserved_concurrency', 'Reserved concurrency of the function (only functions that set it).', 'gauge',
      (r) => r.functions.filter((f) => f.reservedConcurrency !== undefined).map((f) => ({ labels: { namespace: f.namespace, function: f.functionName }, value: f.reservedConcurrency! })));
  }

  private register(name: string, help: string, type: 'counter' | 'gauge' | 'histogram', values: (r: Reading) => CollectedValue[]): void {
    registerCollected(this.opts.registry, { name, help, type, collect: async () => values(await this.read()) });
  }

  private read(): Promise<Reading> {
    if (this.opts.active && !this.opts.active()) return Promise.resolve(EMPTY);
    this.reading ??= this.readAll().finally(() => { this.reading = undefined; });
    return this.reading;
  }

  private async readAll(): Promise<Reading> {
    const functions = this.opts.inventory();
    const versions: Array<{ ref: QueueRef; provisioned: number }> = [];
    for (const f of functions) {
      for (const v of f.versions) versions.push({ ref: { namespace: f.namespace, functionName: f.functionName, version: v.version }, provisioned: v.provisioned });
    }
    if (versions.length === 0) return { versions: [], functions };
    // a pipeline per version: its keys share one hash slot, so each goes whole to its node on a Redis Cluster
    let replies: Array<[Error | null, unknown]>;
    try {
      replies = (await Promise.all(versions.map(({ ref }) => {
        const k = queueKeys(ref, this.opts.keyPrefix);
        return this.opts.redis.pipeline().hgetall(k.stats).llen(k.pending).llen(k.active).exec();
      }))).flatMap((r) => r ?? [0, 1, 2].map((): [Error, null] => [new Error('no reply'), null]));
    } catch {
      // a scrape still answers (process metrics, other figures); the failure is counted
      this.opts.redisErrors?.inc('export');
      return { versions: [], functions };
    }
    const out: VersionReading[] = [];
    versions.forEach(({ ref, provisioned }, i) => {
      const [hash, pending, active] = [0, 1, 2].map((j) => replies[i * 3 + j]);
      if (!hash || !pending || !active || hash[0] || pending[0] || active[0]) {
        this.opts.redisErrors?.inc('export');
        return;
      }
      out.push({
        labels: versionLabels(ref), stats: parseStats(hash[1] as Record<string, string>),
        pending: Number(pending[1]), inFlight: Number(active[1]), provisioned,
      });
    });
    return { versions: out, functions };
  }
}
