// The consumer side of a work queue: a runtime agent takes one job at a time under a lease, then acks or releases it.
import type { RedisOptions } from 'ioredis';
import type { Invocation, InvocationResult } from '../core/invocation.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Lease, QueueRef } from '../core/queue-contract.js';
import { connectRedis, type RedisConnection, type RedisUrlSource } from './connection.js';
import { checkCode } from './errors.js';
import { DEFAULT_KEY_PREFIX, queueKeys, queueName, replyListKey, type QueueKeys } from './keys.js';
import { defineScripts, runScript } from './scripts.js';

export interface QueueConsumerOptions {
  keyPrefix?: string;
  /** How long a job stays ours without an ack; past it the reaper may hand it to someone else. */
  visibilityTimeoutMs: number;
  /** Extra ioredis options for both connections the consumer opens. */
  redisOptions?: RedisOptions;
  /** Where connection errors and dropped jobs are reported; default: nowhere (errors also surface as rejected calls). */
  logger?: Logger;
}

/** How long a reply list nobody reads (its router died) stays in Redis. */
export const REPLY_TTL_MS = 5 * 60_000;

export type { RedisUrlSource };

export class QueueConsumer {
  readonly queue: QueueRef;
  private readonly keys: QueueKeys;
  private readonly name: string;
  private readonly visibilityTimeoutMs: number;
  /** Scripts, acks and releases. */
  private readonly command: RedisConnection;
  /** Only ever blocks on the wake list (BLPOP), so waiting for work never delays an ack. */
  private readonly blocking: RedisConnection;
  private readonly logger: Logger;
  private readonly keyPrefix: string;
  private closed = false;
  private closing: Promise<void> | undefined;

  /**
   * Opens two connections to `redisUrl` (a Redis Cluster's for redis+cluster://), owned by the consumer until close().
   * With a function as the source, each reconnect uses the credentials of the current URL.
   */
  constructor(redisUrl: RedisUrlSource, queue: QueueRef, opts: QueueConsumerOptions) {
    if (!(opts.visibilityTimeoutMs > 0)) throw new RangeError('visibilityTimeoutMs must be a positive number of ms');
    this.queue = queue;
    this.keys = queueKeys(queue, opts.keyPrefix ?? DEFAULT_KEY_PREFIX);
    this.name = queueName(queue);
    this.visibilityTimeoutMs = Math.ceil(opts.visibilityTimeoutMs);
    const logger = opts.logger ?? silentLogger;
    this.logger = logger;
    this.keyPrefix = opts.keyPrefix ?? DEFAULT_KEY_PREFIX;
    // No ready check: it runs INFO (CLUSTER INFO on a cluster), which an agent's ACL user may not.
    const connOpts = { enableReadyCheck: false, ...opts.redisOptions };
    this.command = connectRedis(redisUrl, { connectionName: 'klambda-consumer', ...connOpts });
    this.blocking = connectRedis(redisUrl, { connectionName: 'klambda-consumer-blocking', ...connOpts });
    for (const [role, conn] of [['command', this.command], ['blocking', this.blocking]] as const) {
      conn.on('error', (err: Error) => {
        if (!this.closed) logger.warn({ msg: 'queue connection error', queue: this.name, connection: role, error: err.message });
      });
    }
    defineScripts(this.command);
  }

  /**
   * The next job under a fresh lease, or null when none came within `timeoutMs` (0: do not wait) or the
   * consumer was closed meanwhile. Call it from one loop at a time.
   */
  async next(timeoutMs = 1000): Promise<Lease | null> {
    if (this.closed) return null;
    const deadline = Date.now() + timeoutMs;
    try {
      for (;;) {
        const ready = await this.takeWaiting();
        if (ready) return ready;
        const remaining = deadline - Date.now();
        if (remaining <= 0 || this.closed) return null;
        // Nothing pending: wait for a wake-up marker (one is pushed with each job made pending), then take the job
        // and its lease in one script. The marker is only a signal: a job is never moved without its lease, so a
        // consumer paused here can never lease a job another holds. Redis reads a fractional timeout in seconds.
        const woken = await this.blocking.blpop(this.keys.wake, Math.max(remaining, 1) / 1000);
        if (woken === null || this.closed) return null;
      }
    } catch (err) {
      if (this.closed) return null;
      throw err;
    }
  }

  /**
   * Forgets the job and, when `result` is given and the caller waits (`replyTo`), pushes the result on that
   * router's reply list, atomically in one round trip. Throws LeaseLostError when the job had already been
   * reclaimed: then nothing is answered, and the delivery that holds the lease now will answer.
   */
  async ack(lease: Lease, result?: InvocationResult): Promise<void> {
    const inv = lease.invocation;
    const k = this.keysOf(lease);
    const reply = result !== undefined && inv.replyTo !== undefined;
    const replies = reply ? replyListKey(this.queue, inv.replyTo!, this.keyPrefix) : k.jobs;
    const r = await runScript(this.command, 'ack', [k.active, k.jobs, k.leases, k.attempts, k.stalled, replies],
      [inv.requestId, lease.attempt, reply ? JSON.stringify(result) : '', REPLY_TTL_MS]);
    checkCode(r, this.context(lease));
  }

  /**
   * Finishes an async job: forgets it and hands the outcome (the invocation and `result`, or why it was not run) to
   * the dispatcher, atomically. Throws LeaseLostError when the job had already been reclaimed.
   */
  async complete(lease: Lease, result: InvocationResult | undefined, notRun?: 'EventAgeExceeded'): Promise<void> {
    const k = this.keysOf(lease);
    const r = await runScript(this.command, 'complete', [k.active, k.jobs, k.leases, k.attempts, k.stalled, k.outcomes],
      [lease.invocation.requestId, lease.attempt, result === undefined ? '' : JSON.stringify(result), notRun ?? '']);
    checkCode(r, this.context(lease));
  }

  /**
   * Pushes the lease's deadline to a visibility timeout from now, while the job is still being worked on. Returns
   * the new deadline; throws LeaseLostError when the lease had already expired and the job was reclaimed.
   */
  async extendLease(lease: Lease): Promise<number> {
    const k = this.keysOf(lease);
    const r = await runScript(this.command, 'extendLease', [k.active, k.leases, k.attempts, k.jobs],
      [lease.invocation.requestId, lease.attempt, this.visibilityTimeoutMs]);
    checkCode(r, this.context(lease));
    lease.leaseExpiresAt = Number(r);
    return Number(r);
  }

  /** Puts the job back at the front of pending at once; its next delivery is attempt + 1. Throws LeaseLostError if it was no longer ours. */
  async release(lease: Lease): Promise<void> {
    const k = this.keysOf(lease);
    const r = await runScript(this.command, 'release', [k.pending, k.active, k.leases, k.attempts, k.stalled, k.wake],
      [lease.invocation.requestId, lease.attempt]);
    checkCode(r, this.context(lease));
  }

  /**
   * Adds a delivery's figures (field/increment pairs, see src/metrics/function-stats.ts) to the version's stats
   * hash, atomically. Called right after the ack or release; the exporting process reads the hash at scrape time.
   */
  async recordStats(increments: ReadonlyArray<readonly [string, number]>): Promise<void> {
    if (increments.length === 0) return;
    await runScript(this.command, 'recordStats', [this.keys.stats], increments.flatMap(([field, by]) => [field, by]));
  }

  /** Resolves when Redis answers PING on the command connection (the agent's health). */
  ping(): Promise<unknown> {
    return this.command.ping();
  }

  /** Closes both connections; a next() waiting for work returns null at once. Held leases are left to expire. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.blocking.disconnect();
    this.closing = this.command.quit().then(() => undefined, () => this.command.disconnect());
    return this.closing;
  }

  private async takeWaiting(): Promise<Lease | null> {
    const k = this.keys;
    for (;;) {
      const r = await runScript(this.command, 'moveToActive', [k.pending, k.active, k.jobs, k.leases, k.attempts, k.stalled, k.wake],
        [this.visibilityTimeoutMs]);
      if (r === null) return null;
      const [id, job, attempt, expires] = r as [string, string, number, number];
      const lease = await this.toLease(id, job, attempt, expires);
      if (lease) return lease;
    }
  }

  /** A job whose body does not parse can never run: it is acked away (and logged) rather than redelivered forever. */
  private async toLease(id: string, job: string, attempt: number, expires: number): Promise<Lease | null> {
    let invocation: Invocation;
    try {
      invocation = JSON.parse(job) as Invocation;
    } catch (err) {
      const k = this.keys;
      await runScript(this.command, 'ack', [k.active, k.jobs, k.leases, k.attempts, k.stalled, k.jobs], [id, attempt, '', REPLY_TTL_MS]);
      this.logger.error({ msg: 'dropped a job whose body is not JSON', queue: this.name, requestId: id, error: String(err) });
      return null;
    }
    return { queue: this.queue, invocation, attempt, leaseExpiresAt: expires };
  }

  private keysOf(lease: Lease): QueueKeys {
    const q = lease.queue;
    const same = q.namespace === this.queue.namespace && q.functionName === this.queue.functionName && q.version === this.queue.version;
    if (!same) throw new RangeError(`lease of ${queueName(q)} given to the consumer of ${this.name}`);
    return this.keys;
  }

  private context(lease: Lease): { queue: string; requestId: string; attempt: number } {
    return { queue: this.name, requestId: lease.invocation.requestId, attempt: lease.attempt };
  }
}
