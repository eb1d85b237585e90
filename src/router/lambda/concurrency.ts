// Sync concurrency limits of one router: reserved concurrency per function and an account-wide cap.
import { throttled } from '../../core/errors.js';
import type { ResolvedTarget } from '../../core/registry.js';

export class ConcurrencyLimiter {
  private total = 0;
  private readonly perFunction = new Map<string, number>();

  constructor(private readonly accountLimit: number) {}

  /** Takes one slot or throws 429 TooManyRequestsException; returns the release function. */
  acquire(target: ResolvedTarget): () => void {
    const key = `${target.namespace}/${target.functionName}`;
    const used = this.perFunction.get(key) ?? 0;
    if (target.reservedConcurrency !== undefined && used >= target.reservedConcurrency) {
      throw throttled('ReservedFunctionConcurrentInvocationLimitExceeded');
    }
    if (this.total >= this.accountLimit) throw throttled('ConcurrentInvocationLimitExceeded');
    this.total++;
    this.perFunction.set(key, used + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.perFunction.get(key) ?? 1) - 1;
      if (n <= 0) this.perFunction.delete(key); else this.perFunction.set(key, n);
    };
  }

  get inFlight(): number {
    return this.total;
  }
}
