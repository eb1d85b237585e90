// HTTP(S) subscriptions: each notification is a job in Redis, POSTed by a worker and retried by the topic's delivery
// policy as SNS does — on a 5xx, a 429, a refused or timed-out connection; a 2xx is delivered; another 4xx is refused by
// the endpoint and not retried. A job whose retries are spent is kept in a short dead list (SNS discards it). Taking a
// job leases it, so a worker that dies mid-POST leaves it to be taken again (at least once).
import type { DeliveryPolicy } from '../api/topic.js';
import type { Logger } from '../core/logger.js';
import type { RedisConnection } from '../queue/connection.js';
import { Passes } from '../queue/passes.js';

export interface HttpJob {
  id: string;
  namespace: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  policy: DeliveryPolicy;
  from: string;
  /** Attempts made so far. */
  attempts: number;
}

const keys = (prefix: string) => ({
  due: `${prefix}:events:{http}:due`,
  jobs: `${prefix}:events:{http}:jobs`,
  dead: `${prefix}:events:{http}:dead`,
});

/** Jobs due now, leased for `leaseMs` (their due time moved past the lease) in the same step. */
const TAKE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local job = redis.call('HGET', KEYS[2], id)
  if job then
    redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), id)
    table.insert(out, job)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out`;

/** The delay before retry `n` (1-based): linear from the policy's least to its most delay, as SNS's default backoff. */
export function retryDelayMs(policy: DeliveryPolicy, n: number): number {
  const { numRetries, minDelaySeconds, maxDelaySeconds } = policy;
  if (numRetries <= 1) return minDelaySeconds * 1000;
  return Math.round((minDelaySeconds + ((maxDelaySeconds - minDelaySeconds) * (n - 1)) / (numRetries - 1)) * 1000);
}

/** What an answer (or its absence) means for the job. */
export function verdict(status: number | undefined): 'delivered' | 'retry' | 'refused' {
  if (status === undefined || status >= 500 || status === 429) return 'retry';
  return status >= 200 && status < 300 ? 'delivered' : 'refused';
}

export class HttpDeliveries {
  private readonly k: ReturnType<typeof keys>;

  constructor(private readonly redis: RedisConnection, keyPrefix: string) {
    this.k = keys(keyPrefix);
  }

  /** Queues jobs, due now. Adding a job again (a redone fan-out) keeps one job under its id. */
  async add(jobs: readonly Omit<HttpJob, 'attempts'>[], now: number): Promise<void> {
    for (const job of jobs) {
      const added = await this.redis.hsetnx(this.k.jobs, job.id, JSON.stringify({ ...job, attempts: 0 }));
      if (added) await this.redis.zadd(this.k.due, now, job.id);
    }
  }

  async take(now: number, leaseMs: number, count: number): Promise<HttpJob[]> {
    const raw = await this.redis.eval(TAKE, 2, this.k.due, this.k.jobs, now, leaseMs, count) as string[];
    return raw.map((t) => JSON.parse(t) as HttpJob);
  }

  async delivered(job: HttpJob): Promise<void> {
    await this.redis.zrem(this.k.due, job.id);
    await this.redis.hdel(this.k.jobs, job.id);
  }

  /** After a failed attempt: due again after the policy's delay, or given up when its retries are spent. */
  async failed(job: HttpJob, now: number, reason: string, retryable: boolean): Promise<'retry' | 'dead'> {
    const attempts = job.attempts + 1;
    if (!retryable || attempts > job.policy.numRetries) {
      await this.redis.lpush(this.k.dead, JSON.stringify({ ...job, attempts, reason, deadAt: now }));
      await this.redis.ltrim(this.k.dead, 0, 999);
      await this.delivered(job);
      return 'dead';
    }
    await this.redis.hset(this.k.jobs, job.id, JSON.stringify({ ...job, attempts }));
    await this.redis.zadd(this.k.due, now + retryDelayMs(job.policy, attempts), job.id);
    return 'retry';
  }

  async pending(): Promise<number> {
    return this.redis.zcard(this.k.due);
  }

  /** The last jobs given up (newest first). */
  async dead(): Promise<Array<HttpJob & { reason: string }>> {
    return (await this.redis.lrange(this.k.dead, 0, -1)).map((t) => JSON.parse(t) as HttpJob & { reason: string });
  }
}

export interface HttpSenderOptions {
  deliveries: HttpDeliveries;
  logger: Logger;
  now?: () => number;
  /** How long one POST may take before it counts as failed (SNS: 15 s). */
  timeoutMs?: number;
  intervalMs?: number;
  /** Refuses an endpoint before it is called (a cluster's guard against requests into its own network), or undefined. */
  refuse?: (url: URL) => string | undefined;
}

/** The worker that POSTs due jobs. */
export class HttpSender {
  private readonly passes: Passes;
  private readonly now: () => number;

  constructor(private readonly opts: HttpSenderOptions) {
    this.now = opts.now ?? Date.now;
    this.passes = new Passes(() => this.runOnce(), opts.intervalMs ?? 200);
  }

  start(): void { this.passes.start(); }
  stop(): Promise<void> { return this.passes.stop(); }

  async runOnce(): Promise<void> {
    const timeoutMs = this.opts.timeoutMs ?? 15_000;
    let jobs: HttpJob[];
    try {
      jobs = await this.opts.deliveries.take(this.now(), timeoutMs + 5000, 20);
    } catch (err) {
      this.opts.logger.error({ msg: 'http deliveries could not be read; will try again', error: String(err) });
      return;
    }
    await Promise.all(jobs.map((job) => this.send(job, timeoutMs).catch((err: unknown) => {
      this.opts.logger.error({ msg: 'http delivery could not be settled; its lease will run out and it is tried again', id: job.id, error: String(err) });
    })));
  }

  private async send(job: HttpJob, timeoutMs: number): Promise<void> {
    let status: number | undefined;
    let reason: string;
    const refused = safeUrl(job.url, this.opts.refuse);
    if (refused) {
      await this.opts.deliveries.failed(job, this.now(), refused, false);
      this.opts.logger.warn({ msg: 'http subscription refused', from: job.from, url: job.url, reason: refused });
      return;
    }
    try {
      const res = await fetch(job.url, { method: 'POST', headers: job.headers, body: job.body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      status = res.status;
      reason = `HTTP ${res.status}`;
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
    const v = verdict(status);
    if (v === 'delivered') { await this.opts.deliveries.delivered(job); return; }
    const next = await this.opts.deliveries.failed(job, this.now(), reason, v === 'retry');
    const log = { msg: next === 'dead' ? 'http delivery given up' : 'http delivery failed; retrying later', from: job.from, url: job.url, id: job.id, attempts: job.attempts + 1, reason };
    if (next === 'dead') this.opts.logger.error(log); else this.opts.logger.warn(log);
  }
}

function safeUrl(url: string, refuse: HttpSenderOptions['refuse']): string | undefined {
  let u: URL;
  try { u = new URL(url); } catch { return 'not a URL'; }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `scheme ${u.protocol} is not http or https`;
  return refuse?.(u);
}
