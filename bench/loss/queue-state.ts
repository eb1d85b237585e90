// The loss test's look into the function's queue in Redis: depth, dead letters, and where a missing request id is.
import type { Redis } from 'ioredis';
import { queueKeys } from '../../src/queue/keys.js';

export interface QueueState {
  pending: number;
  active: number;
  /** Async retries waiting for their delay (their bodies stay in jobs). */
  delayed: number;
  /** Bodies of every queued, running or waiting job. */
  jobs: number;
  /** Outcomes of async runs the dispatcher has not settled yet. */
  outcomes: number;
  dead: number;
}

/** Nothing queued, running, waiting or unsettled. */
export const isEmpty = (q: QueueState): boolean => q.pending + q.active + q.delayed + q.jobs + q.outcomes === 0;

export class QueueWatch {
  private readonly k;

  constructor(private readonly redis: Redis, functionName: string) {
    // the local mode's namespace and key prefix
    this.k = queueKeys({ namespace: 'default', functionName, version: '$LATEST' }, 'klambda');
  }

  /** The queue now; undefined while Redis does not answer. */
  async state(): Promise<QueueState | undefined> {
    try {
      const k = this.k;
      const r = await this.redis.multi().llen(k.pending).llen(k.active).zcard(k.delayed).hlen(k.jobs).llen(k.outcomes).llen(k.dead).exec();
      const n = (i: number) => {
        const [err, value] = r?.[i] ?? [new Error('no reply')];
        if (err) throw err;
        return Number(value);
      };
      return { pending: n(0), active: n(1), delayed: n(2), jobs: n(3), outcomes: n(4), dead: n(5) };
    } catch {
      return undefined;
    }
  }

  /** The dead-letter records, as far as the bench needs them. */
  async deadLetters(): Promise<Array<{ requestId: string; reason: string; attempts: number; seq?: number }>> {
    const records = await this.redis.lrange(this.k.dead, 0, -1);
    return records.map((text) => {
      const r = JSON.parse(text) as { requestId: string; reason: string; attempts: number; invocation: string };
      let seq: number | undefined;
      try {
        const inv = JSON.parse(r.invocation) as { payload?: string };
        seq = (JSON.parse(inv.payload ?? '{}') as { seq?: number }).seq;
      } catch { /* not the bench's shape */ }
      return { requestId: r.requestId, reason: r.reason, attempts: r.attempts, ...(seq === undefined ? {} : { seq }) };
    });
  }

  /** Whether the job of this request id is still in the queue (queued, running or waiting). */
  async holds(requestId: string): Promise<boolean> {
    return (await this.redis.hexists(this.k.jobs, requestId)) === 1;
  }

  /** Every key of the queue with its type and size (for the report). */
  async keys(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const prefix = this.k.pending.slice(0, -'pending'.length);
    let cursor = '0';
    do {
      const [next, names] = await this.redis.scan(cursor, 'MATCH', `${prefix.replace(/[{}[\]*?\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      for (const name of names) {
        const type = await this.redis.type(name);
        const size = type === 'list' ? await this.redis.llen(name) : type === 'hash' ? await this.redis.hlen(name)
          : type === 'zset' ? await this.redis.zcard(name) : type === 'set' ? await this.redis.scard(name) : 1;
        out[name.slice(prefix.length)] = `${type}:${size}`;
      }
    } while (cursor !== '0');
    return out;
  }
}
