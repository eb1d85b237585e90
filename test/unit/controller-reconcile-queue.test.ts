// The reconcile queue with a real reconcile function: dedup, one reconcile per key at a time, parallel keys, backoff, requeue, stop.
import { backoffDelay, ReconcileQueue, type ReconcileFn, type ReconcileResult } from '../../src/controller/reconcile-queue.js';
import { silentLogger } from '../../src/core/logger.js';
import { waitFor } from '../helpers/wait.js';

/** Waits (polling every 2 ms) until `cond` holds. */
const until = (cond: () => boolean, what: string, timeoutMs = 2000): Promise<true> => waitFor(() => cond() || undefined, timeoutMs, what, 2);

/** A reconcile that records each call and how many run at once; while `holding`, calls wait for release(). */
class Reconciler {
  readonly calls: Array<{ key: string; at: number }> = [];
  active = 0;
  maxActive = 0;
  maxPerKey = 0;
  holding = false;
  private readonly perKey = new Map<string, number>();
  private readonly held: Array<() => void> = [];

  constructor(private readonly outcome: (key: string, nth: number) => ReconcileResult | void = () => undefined) {}

  keys(): string[] { return this.calls.map((c) => c.key); }

  release(): void { for (const go of this.held.splice(0)) go(); }

  readonly fn: ReconcileFn = async (key) => {
    this.calls.push({ key, at: Date.now() });
    const nth = this.calls.filter((c) => c.key === key).length;
    this.active++;
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
    this.maxActive = Math.max(this.maxActive, this.active);
    this.maxPerKey = Math.max(this.maxPerKey, this.perKey.get(key)!);
    try {
      if (this.holding) await new Promise<void>((ok) => this.held.push(ok));
      return this.outcome(key, nth);
    } finally {
      this.active--;
      this.perKey.set(key, this.perKey.get(key)! - 1);
    }
  };
}

const queues: ReconcileQueue[] = [];
function queueOf(r: Reconciler, backoff = { baseMs: 10, maxMs: 40 }): ReconcileQueue {
  const q = new ReconcileQueue('test', r.fn, silentLogger, backoff);
  queues.push(q);
  return q;
}
afterEach(async () => { await Promise.all(queues.splice(0).map((q) => q.stop())); });

describe('backoffDelay', () => {
  it('waits the base before the first retry, doubles each time and stops at the cap', () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});

describe('ReconcileQueue', () => {
  it('reconciles a key once however often it was added while waiting', async () => {
    const r = new Reconciler();
    const q = queueOf(r);
    q.add('ns/a'); q.add('ns/a'); q.add('ns/a');
    expect(q.length).toBe(1);
    q.start(2);
    await until(() => r.calls.length === 1 && q.length === 0, 'the reconcile');
    expect(r.keys()).toEqual(['ns/a']);
  });

  it('reconciles a key added during its reconcile once more afterwards, never two at once', async () => {
    const r = new Reconciler();
    r.holding = true;
    const q = queueOf(r);
    q.start(3);
    q.add('ns/a');
    await until(() => r.active === 1, 'the first reconcile');
    q.add('ns/a'); q.add('ns/a');
    r.release();
    await until(() => r.calls.length === 2, 'the second reconcile');
    r.release();
    await until(() => q.length === 0 && r.active === 0, 'the queue to drain');
    expect(r.keys()).toEqual(['ns/a', 'ns/a']);
    expect(r.maxPerKey).toBe(1);
  });

  it('runs different keys in parallel, up to the number of workers', async () => {
    const r = new Reconciler();
    r.holding = true;
    const q = queueOf(r);
    q.start(2);
    q.add('ns/a'); q.add('ns/b'); q.add('ns/c');
    await until(() => r.active === 2, 'two reconciles at once');
    expect(r.keys()).toEqual(['ns/a', 'ns/b']);
    r.release();
    await until(() => r.calls.length === 3, 'the third key');
    r.release();
    await until(() => q.length === 0 && r.active === 0, 'the queue to drain');
    expect(r.maxActive).toBe(2);
  });

  it('retries a reconcile that throws after 10 ms, then 20 ms, until it succeeds', async () => {
    const r = new Reconciler((key, nth) => { if (nth <= 2) throw new Error(`${key} not ready`); });
    const q = queueOf(r, { baseMs: 10, maxMs: 40 });
    q.start(1);
    q.add('ns/a');
    await until(() => r.calls.length === 3 && r.active === 0, 'the third attempt');
    const [first, second, third] = r.calls.map((c) => c.at) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(9); // timers may fire up to a ms "early" by Date.now's rounding
    expect(third - second).toBeGreaterThanOrEqual(19);
    expect(q.length).toBe(0);
  });

  it('brings a key back after requeueAfterMs', async () => {
    const r = new Reconciler((_key, nth) => (nth === 1 ? { requeueAfterMs: 30 } : undefined));
    const q = queueOf(r);
    q.start(1);
    q.add('ns/a');
    await until(() => r.calls.length === 2, 'the requeued reconcile');
    expect(r.calls[1]!.at - r.calls[0]!.at).toBeGreaterThanOrEqual(29);
  });

  it('stops: waits for the running reconcile, then runs nothing more, not even its requeue', async () => {
    const r = new Reconciler(() => ({ requeueAfterMs: 1 }));
    r.holding = true;
    const q = queueOf(r);
    q.start(3);
    q.add('ns/a');
    await until(() => r.active === 1, 'the reconcile');
    let stopped = false;
    const stopping = q.stop().then(() => { stopped = true; });
    q.add('ns/b');
    await new Promise((ok) => setTimeout(ok, 5));
    expect(stopped).toBe(false);
    r.release();
    await stopping;
    q.add('ns/c');
    expect(q.length).toBe(0);
    await new Promise((ok) => setTimeout(ok, 30)); // 30× the requeue delay: long enough to see a stray reconcile
    expect(r.keys()).toEqual(['ns/a']);
  });
});
