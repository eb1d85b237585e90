// The scaler's figures: environments wanted and running per version, and its decisions.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { QueueRef } from '../core/queue-contract.js';
import { VERSION_LABELS, versionLabels } from './labels.js';

export type ScaleDecision = 'scale_up' | 'scale_down' | 'hold';

/** What the Scaler reports (an interface, so the scaler does not depend on prom-client). */
export interface ScalingMetrics {
  decided(queue: QueueRef, current: number, desired: number): void;
  /** The version is gone: its series go too. */
  forget(queue: QueueRef): void;
}

export const decisionOf = (current: number, desired: number): ScaleDecision =>
  desired > current ? 'scale_up' : desired < current ? 'scale_down' : 'hold';

export class ScalerMetrics implements ScalingMetrics {
  private readonly desired: Gauge<(typeof VERSION_LABELS)[number]>;
  private readonly current: Gauge<(typeof VERSION_LABELS)[number]>;
  private readonly decisions: Counter<(typeof VERSION_LABELS)[number] | 'decision'>;

  constructor(registry: Registry) {
    this.desired = new Gauge({
      name: 'klambda_scaler_desired_environments', registers: [registry], labelNames: [...VERSION_LABELS],
      help: 'Execution environments the scaler last decided the version should have.',
    });
    this.current = new Gauge({
      name: 'klambda_scaler_environments', registers: [registry], labelNames: [...VERSION_LABELS],
      help: 'Execution environments of the version running or starting when the scaler last looked.',
    });
    this.decisions = new Counter({
      name: 'klambda_scaler_decisions_total', registers: [registry], labelNames: [...VERSION_LABELS, 'decision'],
      help: 'Scaling decisions per version: scale_up, scale_down, hold.',
    });
  }

  decided(queue: QueueRef, current: number, desired: number): void {
    const labels = versionLabels(queue);
    this.current.set(labels, current);
    this.desired.set(labels, desired);
    this.decisions.inc({ ...labels, decision: decisionOf(current, desired) });
  }

  forget(queue: QueueRef): void {
    const labels = versionLabels(queue);
    this.current.remove(labels);
    this.desired.remove(labels);
    for (const decision of ['scale_up', 'scale_down', 'hold'] as const) this.decisions.remove({ ...labels, decision });
  }
}
