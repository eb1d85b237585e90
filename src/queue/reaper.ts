// Periodically puts back the jobs of dead or stuck consumers, so no work is lost when a runtime agent dies.
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import { queueName } from './keys.js';
import { Passes } from './passes.js';
import type { WorkQueue } from './work-queue.js';

export interface ReaperOptions {
  queue: Pick<WorkQueue, 'reclaim'>;
  /** The queues to look at on each pass (e.g. every version that has or had capacity). */
  queues: () => QueueRef[] | Promise<QueueRef[]>;
  intervalMs: number;
  logger: Logger;
  /** Counts a failed reclaim (klambda_redis_errors_total{operation="reclaim"}). */
  redisErrors?: { inc(operation: string): void };
  /**
   * A queue has jobs pending after a pass (put back just now, or left by a klambda that was restarted): someone must
   * run them, so the scaler is told as if they were new demand.
   */
  onBacklog?(ref: QueueRef): void;
}

export class Reaper {
  private readonly passes: Passes;

  constructor(private readonly opts: ReaperOptions) {
    this.passes = new Passes(() => this.runOnce(), opts.intervalMs);
  }

  /** Runs a pass now, then one `intervalMs` after each pass ends (passes never overlap). */
  start(): void {
    this.passes.start();
  }

  /** No pass starts after this; resolves when the one in progress (if any) has finished. Never rejects. */
  stop(): Promise<void> {
    return this.passes.stop();
  }

  /** One pass over every queue; returns the number of jobs reclaimed. A failing queue is logged and skipped. */
  async runOnce(): Promise<number> {
    let total = 0;
    let queues: QueueRef[];
    try {
      queues = await this.opts.queues();
    } catch (err) {
      this.opts.logger.error({ msg: 'reaper could not list queues', error: String(err) });
      return 0;
    }
    for (const ref of queues) {
      try {
        const { expired, stalled, dead, pending } = await this.opts.queue.reclaim(ref);
        if (pending > 0) this.opts.onBacklog?.(ref);
        if (expired + stalled > 0) {
          this.opts.logger.warn({ msg: 'reclaimed jobs of consumers that went away', queue: queueName(ref), expired, stalled });
        }
        if (dead > 0) {
          this.opts.logger.error({ msg: 'gave up jobs whose consumer went away on every delivery; they are in the dead letters', queue: queueName(ref), dead });
        }
        total += expired + stalled;
      } catch (err) {
        this.opts.redisErrors?.inc('reclaim');
        this.opts.logger.error({ msg: 'reclaim failed', queue: queueName(ref), error: String(err) });
      }
    }
    return total;
  }
}
