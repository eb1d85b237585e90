// The scaler loop: sizes each version's environments from queue depth, at once on new demand and on a tick.
import type { Backend, ScalableTarget, VersionTarget } from '../backends/backend.js';
import { queueKey } from '../backends/backend.js';
import type { Logger } from '../core/logger.js';
import type { QueueDepth, QueueRef } from '../core/queue-contract.js';
import { desiredEnvironments } from './decide.js';
import type { ScalingMetrics } from '../metrics/scaler-metrics.js';

export interface ScalerTargets<T extends ScalableTarget = VersionTarget> {
  /** The version's target (spec, limits), or undefined when it no longer exists. */
  target(queue: QueueRef): Promise<ScaledTarget<T> | undefined>;
  /** Versions that must be scaled even without traffic (provisioned concurrency). */
  provisioned(): QueueRef[];
}

export type ScaledTarget<T extends ScalableTarget = VersionTarget> = T & {
  provisioned: number;
  reserved?: number;
};

export interface ScalerOptions<T extends ScalableTarget = VersionTarget> {
  backend: Backend<T>;
  targets: ScalerTargets<T>;
  depth(queue: QueueRef): Promise<QueueDepth>;
  logger: Logger;
  tickMs: number;
  idleTimeoutMs: number;
  maxEnvironments: number;
  now?: () => number;
  /** Desired and current environments per version, and the decisions. */
  metrics?: ScalingMetrics;
}

/** New demand for a version that already has environments re-sizes it at most this often. */
export const DEMAND_GAP_MS = 50;

interface VersionState {
  queue: QueueRef;
  lastBusyAt: number;
  lastEvaluatedAt: number;
  running: Promise<void> | undefined;
  again: boolean;
}

export class Scaler<T extends ScalableTarget = VersionTarget> {
  private readonly versions = new Map<string, VersionState>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ScalerOptions<T>) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.opts.tickMs);
    this.timer.unref();
    this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.versions.values()].map((v) => v.running));
  }

  /** New work was queued: make sure someone will run it, without waiting for the tick. */
  onDemand(queue: QueueRef): void {
    const state = this.state(queue);
    const now = this.now();
    state.lastBusyAt = now;
    const current = this.opts.backend.count(queue);
    // A version with no environment is started at once; one that has some is re-sized at most every
    // DEMAND_GAP_MS from here (and on every tick), so a busy version does not cost a depth read per request.
    if (current > 0 && now - state.lastEvaluatedAt < DEMAND_GAP_MS) return;
    if (state.running) { state.again = true; return; }
    this.evaluate(state);
  }

  /** Every queue the scaler knows about (for the reaper). */
  queues(): QueueRef[] {
    return [...this.versions.values()].map((v) => v.queue);
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private state(queue: QueueRef): VersionState {
    const key = queueKey(queue);
    let s = this.versions.get(key);
    if (!s) {
      s = { queue, lastBusyAt: this.now(), lastEvaluatedAt: 0, running: undefined, again: false };
      this.versions.set(key, s);
    }
    return s;
  }

  private tick(): void {
    for (const q of this.opts.targets.provisioned()) this.state(q);
    for (const q of this.opts.backend.queues()) this.state(q);
    for (const s of this.versions.values()) if (!s.running) this.evaluate(s);
  }

  private evaluate(state: VersionState): void {
    state.lastEvaluatedAt = this.now();
    state.running = this.converge(state)
      .catch((err: unknown) => this.opts.logger.error({ msg: 'scaling failed', queue: queueKey(state.queue), error: String(err) }))
      .finally(() => {
        state.running = undefined;
        if (state.again) { state.again = false; this.evaluate(state); }
      });
  }

  private async converge(state: VersionState): Promise<void> {
    const { backend } = this.opts;
    const target = await this.opts.targets.target(state.queue);
    if (!target) {
      if (backend.count(state.queue) === 0) {
        this.versions.delete(queueKey(state.queue));
        this.opts.metrics?.forget(state.queue);
      }
      return;
    }
    const depth = await this.opts.depth(state.queue);
    const now = this.now();
    if (depth.pending + depth.inFlight > 0) state.lastBusyAt = now;
    const current = backend.count(state.queue);
    const input = {
      now, pending: depth.pending, inFlight: depth.inFlight, current, provisioned: target.provisioned,
      maxEnvironments: this.opts.maxEnvironments, lastBusyAt: state.lastBusyAt, idleTimeoutMs: this.opts.idleTimeoutMs,
    };
    const desired = desiredEnvironments(target.reserved === undefined ? input : { ...input, reserved: target.reserved });
    this.opts.metrics?.decided(state.queue, current, desired);
    await backend.scale(target, desired);
    if (desired !== current) this.opts.logger.info({ msg: 'scaled', queue: queueKey(state.queue), from: current, to: desired, pending: depth.pending, inFlight: depth.inFlight });
  }
}
