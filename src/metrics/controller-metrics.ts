// The controller's figures: reconciles per kind (count, errors, latency, queue length) and leadership.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What a ReconcileQueue reports (an interface, so the queue does not depend on prom-client). */
export interface ReconcileMetrics {
  reconciled(kind: string, result: 'success' | 'error', seconds: number): void;
}

export class ControllerMetrics implements ReconcileMetrics {
  private readonly reconciles: Counter<'kind' | 'result'>;
  private readonly errors: Counter<'kind'>;
  private readonly duration: Histogram<'kind'>;

  constructor(registry: Registry, opts: { isLeader(): boolean; queueLengths(): Record<string, number> }) {
    this.reconciles = new Counter({
      name: 'klambda_reconciles_total', registers: [registry], labelNames: ['kind', 'result'],
      help: 'Reconciles run, by kind (functions, functionversions, aliases, events) and result (success, error).',
    });
    this.errors = new Counter({
      name: 'klambda_reconcile_errors_total', registers: [registry], labelNames: ['kind'],
      help: 'Reconciles that failed and will be retried with backoff.',
    });
    this.duration = new Histogram({
      name: 'klambda_reconcile_duration_seconds', registers: [registry], labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      help: 'How long one reconcile took.',
    });
    new Gauge({
      name: 'klambda_reconcile_queue_length', registers: [registry], labelNames: ['kind'],
      help: 'Keys waiting to be reconciled or being reconciled, by kind.',
      collect() { for (const [kind, n] of Object.entries(opts.queueLengths())) this.set({ kind }, n); },
    });
    new Gauge({
      name: 'klambda_controller_leader', registers: [registry],
      help: '1 on the replica that holds the leader Lease (it reconciles, scales and exports the function figures), else 0.',
      collect() { this.set(opts.isLeader() ? 1 : 0); },
    });
  }

  reconciled(kind: string, result: 'success' | 'error', seconds: number): void {
    this.reconciles.inc({ kind, result });
    if (result === 'error') this.errors.inc({ kind });
    this.duration.observe({ kind }, seconds);
  }
}
