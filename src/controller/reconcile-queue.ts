// Keys waiting to be reconciled: deduplicated, one reconcile per key at a time, requeue with exponential backoff.
import type { Logger } from '../core/logger.js';
import type { ReconcileMetrics } from '../metrics/controller-metrics.js';

export interface ReconcileResult {
  /** Reconcile this key again after this long even without a change (e.g. waiting for something outside). */
  requeueAfterMs?: number;
}

export type ReconcileFn = (key: string) => Promise<ReconcileResult | void>;

export interface BackoffPolicy { baseMs: number; maxMs: number }

/** The wait before retry number `failures` (1, 2, …): base·2^(failures-1), capped. */
export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
}

export class ReconcileQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters: Array<() => void> = [];
  private stopped = false;
  private workers: Promise<void>[] = [];

  constructor(readonly name: string, private readonly reconcile: ReconcileFn, private readonly logger: Logger,
    private readonly backoff: BackoffPolicy = { baseMs: 100, maxMs: 60_000 }, private readonly metrics?: ReconcileMetrics) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) { this.dirty.add(key); return; }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.waiters.shift()?.();
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const existing = this.timers.get(key);
    if (existing) clearTimeout(existing);
    const t = setTimeout(() => { this.timers.delete(key); this.add(key); }, ms);
    t.unref();
    this.timers.set(key, t);
  }

  start(concurrency: number): void {
    for (let i = 0; i < concurrency; i++) this.workers.push(this.work());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w();
    await Promise.all(this.workers);
  }

  /** Keys waiting or running (for tests and metrics). */
  get length(): number { return this.queue.length + this.processing.size; }

  private async next(): Promise<string | undefined> {
    while (!this.stopped) {
      const key = this.queue.shift();
      if (key !== undefined) { this.queued.delete(key); return key; }
      await new Promise<void>((ok) => { this.waiters.push(ok); });
    }
    return undefined;
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      this.processing.add(key);
      const started = performance.now();
      const took = () => (performance.now() - started) / 1000;
      try {
        const result = await this.reconcile(key);
        this.metrics?.reconciled(this.name, 'success', took());
        this.failures.delete(key);
        if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        this.metrics?.reconciled(this.name, 'error', took());
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        const delay = backoffDelay(n, this.backoff);
        this.logger.warn({ msg: 'reconcile failed; retrying', queue: this.name, key, attempt: n, retryInMs: delay, error: err instanceof Error ? err.message : String(err) });
        this.addAfter(key, delay);
      } finally {
        this.processing.delete(key);
        if (this.dirty.delete(key)) this.add(key);
      }
    }
  }
}
