// The consumer side of a work queue: a runtime agent takes one job at a time under a lease, then acks or releases it.
import { randomBytes } from 'node:crypto';
import type { RedisOptions } from 'ioredis';
import type { Invocation, InvocationResult } from '../core/invocation.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { Lease, QueueRef } from '../core/queue-contract.js';
import { connectRedis, type RedisConnection, type RedisUrlSource } from './connection.js';
import { checkCode } from './errors.js';
import { DEFAULT_KEY_PREFIX, ownWakeKey, queueKeys, queueName, replyListKey, responseStreamKey, type QueueKeys } from './keys.js';
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

/** Beyond its wait, how long a consumer stays recorded as idle: the time its loop takes to come back (see next()). */
const IDLE_SLACK_MS = 250;

/**
 * An ack or complete records its consumer as idle (it looks for its next job at once, see next()), so the caller's
 * next call, which may come before that look, is sent to this warm consumer. For this long, unless it looks again.
 */
const IDLE_AFTER_ACK_MS = 2000;

/** A job enqueue-8.lua handed to a consumer: "id attempt deadline body". */
function parseHanded(value: string): { id: string; attempt: number; deadline: number; job: string } | undefined {
  const a = value.indexOf(' ');
  const b = value.indexOf(' ', a + 1);
  const c = value.indexOf(' ', b + 1);
  if (a <= 0 || b < 0 || c < 0) return undefined;
  const attempt = Number(value.slice(a + 1, b));
  const deadline = Number(value.slice(b + 1, c));
  if (!Number.isInteger(attempt) || !Number.isFinite(deadline)) return undefined;
  return { id: value.slice(0, a), attempt, deadline, job: value.slice(c + 1) };
}

/** A delivery's figures: stats field and increment pairs (src/metrics/function-stats.ts). */
export type StatIncrements = ReadonlyArray<readonly [string, number]>;

const flat = (stats: StatIncrements): (string | number)[] => stats.flatMap(([field, by]) => [field, by]);

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
  /** Names the consumer in the idle set and its own wake list; ends in ~ and its visibility timeout (enqueue-8.lua). */
  private readonly id: string;
  private readonly ownWake: string;
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
    this.id = `${randomBytes(8).toString('hex')}~${this.visibilityTimeoutMs}`;
    this.ownWake = ownWakeKey(this.keys, this.id);
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
        // nothing pending: recorded as idle for the wait below (and a little more, the loop's own time)
        const ready = await this.takeWaiting(Math.max(0, deadline - Date.now()) + IDLE_SLACK_MS);
        if (ready) return ready;
        const remaining = deadline - Date.now();
        if (remaining <= 0 || this.closed) return null;
        // Nothing pending: wait on its own list, where enqueue hands a job (already leased to it) to the consumer idle
        // last, and on the shared one, where release and reclaim push a wake-up marker; after a marker, take the job
        // and its lease in one script. A marker is only a signal: a job is never moved without its lease, so a
        // consumer paused here can never lease a job another holds. Redis reads a fractional timeout in seconds.
        const woken = await this.blocking.blpop(this.ownWake, this.keys.wake, Math.max(remaining, 1) / 1000);
        if (woken === null) return null;
        if (woken[0] === this.ownWake) {
          const lease = await this.handed(woken[1]);
          // closed meanwhile: it runs anyway (its lease is ours; the caller stops after it)
          if (lease) return lease;
          continue;
        }
        if (this.closed) return null;
      }
    } catch (err) {
      if (this.closed) return null;
      throw err;
    }
  }

  /**
   * Call next() after it: the consumer counts as idle from the ack (the next job may be sent its way).
   * Forgets the job and, when `result` is given and the caller waits (`replyTo`), pushes the result on that
   * router's reply list, atomically in one round trip; the delivery's figures (`stats`, see src/metrics/function-stats.ts) are added
   * in the same step. Throws LeaseLostError when the job had already been reclaimed: then nothing is answered
   * (the figures still count), and the delivery that holds the lease now will answer.
   */
  async ack(lease: Lease, result?: InvocationResult, stats: StatIncrements = []): Promise<void> {
    const inv = lease.invocation;
    const k = this.keysOf(lease);
    const reply = result !== undefined && inv.replyTo !== undefined;
    const replies = reply ? replyListKey(this.queue, inv.replyTo!, this.keyPrefix) : k.jobs;
    const r = await runScript(this.command, 'ack', [k.active, k.jobs, k.leases, k.attempts, k.stalled, replies, k.stats, k.idle, k.idleUntil],
      [inv.requestId, lease.attempt, reply ? JSON.stringify(result) : '', REPLY_TTL_MS, this.id, IDLE_AFTER_ACK_MS, ...flat(stats)]);
    checkCode(r, this.context(lease));
  }

  /**
   * Finishes an async job: forgets it and hands the outcome (the invocation and `result`, or why it was not run) to
   * the dispatcher, atomically, with the delivery's figures. Throws LeaseLostError when the job had already been reclaimed.
   */
  async complete(lease: Lease, result: InvocationResult | undefined, notRun?: 'EventAgeExceeded', stats: StatIncrements = []): Promise<void> {
    const k = this.keysOf(lease);
    const r = await runScript(this.command, 'complete', [k.active, k.jobs, k.leases, k.attempts, k.stalled, k.outcomes, k.stats, k.idle, k.idleUntil],
      [lease.invocation.requestId, lease.attempt, result === undefined ? '' : JSON.stringify(result), notRun ?? '', this.id, IDLE_AFTER_ACK_MS, ...flat(stats)]);
    checkCode(r, this.context(lease));
  }

  /**
   * Appends one chunk of a streamed response (on the first also its content type; the last: the end mark) to the
   * stream its router reads, only while the lease is ours. Throws LeaseLostError when it is not: nothing was appended.
   */
  async appendStream(lease: Lease, entry: { data: Buffer; contentType?: string; end?: boolean }): Promise<void> {
    const inv = lease.invocation;
    if (inv.replyTo === undefined) throw new RangeError(`invocation ${inv.requestId} has no router waiting for a stream`);
    const k = this.keysOf(lease);
    const stream = responseStreamKey(this.queue, inv.replyTo, inv.requestId, this.keyPrefix);
    const fields: (string | Buffer)[] = ['d', entry.data];
    if (entry.contentType !== undefined) fields.push('t', entry.contentType);
    if (entry.end) fields.push('e', '1');
    const r = await runScript(this.command, 'appendStream', [k.attempts, k.leases, k.jobs, stream],
      [inv.requestId, lease.attempt, REPLY_TTL_MS, ...fields]);
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


  /** Resolves when Redis answers PING on the command connection (the agent's health). */
  ping(): Promise<unknown> {
    return this.command.ping();
  }

  /** Closes both connections; a next() waiting for work returns null at once. Held leases are left to expire. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.blocking.disconnect();
    this.closing = this.leave().then(() => this.command.quit()).then(() => undefined, () => this.command.disconnect());
    return this.closing;
  }

  /**
   * No longer idle (enqueue hands jobs to others), and the jobs handed to it meanwhile go back to the front of
   * pending at once. Best effort: were it lost (Redis away), the entry expires with its wait and the jobs come back
   * when their leases end.
   */
  private async leave(): Promise<void> {
    try {
      // plain commands: an agent's ACL user has no MULTI
      await Promise.all([this.command.zrem(this.keys.idle, this.id), this.command.zrem(this.keys.idleUntil, this.id)]);
      for (let handed = await this.command.lpop(this.ownWake); handed !== null; handed = await this.command.lpop(this.ownWake)) {
        const h = parseHanded(handed);
        if (h) await this.release({ queue: this.queue, invocation: { requestId: h.id } as Invocation, attempt: h.attempt, leaseExpiresAt: h.deadline }).catch(() => undefined);
      }
    } catch {
      // Redis away: see above
    }
  }

  /** A job enqueue handed to this consumer ("id attempt deadline body"), as a lease. */
  private async handed(value: string): Promise<Lease | null> {
    const h = parseHanded(value);
    if (!h) {
      this.logger.error({ msg: 'dropped an unreadable job handed to this consumer', queue: this.name });
      return null;
    }
    return this.toLease(h.id, h.job, h.attempt, h.deadline);
  }

  /** The job at the front of pending under a fresh lease; none: null, and the consumer is idle for `idleMs` (0: not). */
  private async takeWaiting(idleMs: number): Promise<Lease | null> {
    const k = this.keys;
    for (;;) {
      const r = await runScript(this.command, 'moveToActive', [k.pending, k.active, k.jobs, k.leases, k.attempts, k.stalled, k.wake, k.idle, k.idleUntil],
        [this.visibilityTimeoutMs, this.id, Math.ceil(idleMs)]);
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
      await runScript(this.command, 'ack', [k.active, k.jobs, k.leases, k.attempts, k.stalled, k.jobs, k.stats, k.idle, k.idleUntil],
        [id, attempt, '', REPLY_TTL_MS, this.id, IDLE_AFTER_ACK_MS]);
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
