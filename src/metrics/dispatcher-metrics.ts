// The dispatcher's figures: what became of each async run it settled, per version.
import { Counter, type Registry } from 'prom-client';
import type { QueueRef } from '../core/queue-contract.js';
import { VERSION_LABELS, versionLabels } from './labels.js';

/**
 * retried: a function error or timeout, scheduled to run again; succeeded / failed: settled (to its destinations, if
 * any); dead_lettered: failed with nowhere to go (or an undeliverable destination), kept in the version's dead letters.
 */
export const ASYNC_SETTLEMENTS = ['retried', 'succeeded', 'failed', 'dead_lettered'] as const;
export type AsyncSettlement = (typeof ASYNC_SETTLEMENTS)[number];

/** What the Dispatcher reports (an interface, so the dispatcher does not depend on prom-client). */
export interface AsyncMetrics {
  settled(queue: QueueRef, how: AsyncSettlement): void;
}

export class DispatcherMetrics implements AsyncMetrics {
  private readonly settlements: Counter<(typeof VERSION_LABELS)[number] | 'outcome'>;

  constructor(registry: Registry) {
    this.settlements = new Counter({
      name: 'klambda_async_settled_total', registers: [registry], labelNames: [...VERSION_LABELS, 'outcome'],
      help: 'Async runs the dispatcher settled, per version: retried, succeeded, failed (sent to onFailure / dead-letter target), dead_lettered.',
    });
  }

  settled(queue: QueueRef, how: AsyncSettlement): void {
    this.settlements.inc({ ...versionLabels(queue), outcome: how });
  }
}
