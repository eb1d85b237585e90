// The runtime agent's own process metrics (served only when its config names a metrics port): environments and
// busy ones, Redis errors. Its per-invocation figures go to the version's stats hash in Redis instead (see docs/metrics.md).
import { Gauge, type Registry } from 'prom-client';
import type { QueueRef } from '../core/queue-contract.js';
import { VERSION_LABELS, versionLabels } from './labels.js';
import { RedisErrors } from './redis-errors.js';

export class AgentMetrics {
  readonly redisErrors: RedisErrors;
  private readonly busy: Gauge<(typeof VERSION_LABELS)[number]>;
  private readonly labels: Record<(typeof VERSION_LABELS)[number], string>;
  private readonly environments: Gauge<(typeof VERSION_LABELS)[number]>;
  private running = 0;

  constructor(registry: Registry, queue: QueueRef, environments: number) {
    this.labels = versionLabels(queue);
    this.redisErrors = new RedisErrors(registry);
    const labels = this.labels;
    this.environments = new Gauge({
      name: 'klambda_agent_environments', registers: [registry], labelNames: [...VERSION_LABELS],
      help: 'Execution environments this agent runs (its slots).',
    });
    this.environments.set(labels, environments);
    this.busy = new Gauge({
      name: 'klambda_agent_busy_environments', registers: [registry], labelNames: [...VERSION_LABELS],
      help: 'Execution environments of this agent running an invocation now.',
    });
    this.busy.set(labels, 0);
  }

  /** The agent runs this many environments now (the local mode resizes it). */
  environmentsChanged(count: number): void {
    this.environments.set(this.labels, count);
  }

  /** An invocation started (+1) or ended (-1). */
  busyChanged(by: 1 | -1): void {
    this.running += by;
    this.busy.set(this.labels, this.running);
  }
}
