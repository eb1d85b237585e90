// The producer and admin side of the per-version work queues: enqueue, depth, reclaim of abandoned jobs, purge.
import type { Invocation } from '../core/invocation.js';
import type { QueueDepth, QueueRef } from '../core/queue-contract.js';
import { isCluster, replicasOf, untilReady, waitForReplicas, type RedisConnection } from './connection.js';
import { allKeys, DEFAULT_KEY_PREFIX, queueKeys, type QueueKeys } from './keys.js';
import { defineScripts, runScript } from './scripts.js';

export interface WorkQueueOptions {
  /** First part of every key; default "klambda". */
  keyPrefix?: string;
  /**
   * How long a job may sit in active without a lease (its consumer died between taking and leasing it)
   * before reclaimExpired puts it back. It is also only ever reclaimed on a later call than the one that
   * first saw it. Default 2000 ms: taking and leasing are normally a fraction of a millisecond apart.
   */
  stalledAfterMs?: number;
  /**
   * The most deliveries a job gets before a reclaim gives it up to the dead letters (a poison job that kills its
   * runtime, agent or pod every time); 0: no cap. Default DEFAULT_MAX_DELIVERIES.
   */
  maxDeliveries?: number;
  /**
   * An async event whose consumer went away (its lease expired: a system error) waits `baseMs` × 2^(deliveries − 1),
   * at most `maxMs`, before it is due again, as Lambda backs system errors off; the dispatcher moves it back when due.
   * Default none: back to pending at once.
   */
  eventBackoff?: { baseMs: number; maxMs: number };
  /**
   * On a Redis Cluster, where the queue's slot has a replica, enqueue returns once a replica has the job too (WAIT, for
   * up to this long): a failover of the master right after the caller was answered does not lose it (replication is
   * asynchronous otherwise). If no replica acknowledged in time, the job is still queued on its master, as on a single
   * server, and onUnreplicated is told. Default 1000 ms; 0: no WAIT.
   */
  replicaWaitMs?: number;
  onUnreplicated?(ref: QueueRef, requestId: string): void;
}

/** Deliveries of one job before it is given up: its first and four more after its consumer went away. */
export const DEFAULT_MAX_DELIVERIES = 5;
/** How long a job handed to one consumer's own list stays there unread (its consumer died while idle; the job comes back when its lease ends). */
const OWN_WAKE_TTL_MS = 60_000;

/** Dead-letter records a version keeps (the oldest go first); each one is also counted in dead_letters. */
export const DEAD_LETTERS_KEPT = 10_000;

/** What one reclaim pass found; reclaimExpired returns the total put back. */
export interface ReclaimCounts {
  /** Leased jobs whose lease deadline passed, put back (async events with a backoff: to the delayed set). */
  expired: number;
  /** Jobs taken but never leased, put back. */
  stalled: number;
  /** Jobs whose lease expired on their last allowed delivery, given up: async events to their failure destination
   *  (through the dispatcher), others to the dead letters. */
  dead: number;
  /** Jobs waiting in pending after the pass (someone must run them: the reaper tells the scaler). */
  pending: number;
}

/** A job given up (the queue's dead-letter list). */
export interface DeadLetter {
  requestId: string;
  reason: string;
  attempts: number;
  /** Epoch ms. */
  deadAt: number;
  invocation: Invocation;
}

export class WorkQueue {
  readonly keyPrefix: string;
  private readonly stalledAfterMs: number;
  private readonly maxDeliveries: number;
  private readonly eventBackoff: { baseMs: number; maxMs: number };
  private readonly replicaWaitMs: number;
  private readonly onUnreplicated: ((ref: QueueRef, requestId: string) => void) | undefined;

  /** `redis` is a command connection the caller owns (it may be shared); the queue never closes it. */
  constructor(private readonly redis: RedisConnection, opts: WorkQueueOptions = {}) {
    this.keyPrefix = opts.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.stalledAfterMs = opts.stalledAfterMs ?? 2000;
    this.maxDeliveries = opts.maxDeliveries ?? DEFAULT_MAX_DELIVERIES;
    this.eventBackoff = opts.eventBackoff ?? { baseMs: 0, maxMs: 0 };
    this.replicaWaitMs = opts.replicaWaitMs ?? 1000;
    this.onUnreplicated = opts.onUnreplicated;
    defineScripts(redis);
  }

  keys(ref: QueueRef): QueueKeys {
    return queueKeys(ref, this.keyPrefix);
  }

  /**
   * Queues the invocation at the back of its version's queue, or hands it (leased) to the consumer that became idle
   * last (one round trip either way). Idempotent per request id:
   * while a job with the same id is queued or running, enqueueing it again changes nothing. On a cluster, also waits
   * for a replica to have it (replicaWaitMs).
   */
  async enqueue(ref: QueueRef, invocation: Invocation): Promise<void> {
    // handed to the consumer that became idle last, if any (enqueue-8.lua): calls keep landing on a warm environment
    const k = this.keys(ref);
    await runScript(this.redis, 'enqueue', [k.pending, k.jobs, k.wake, k.idle, k.idleUntil, k.active, k.leases, k.attempts],
      [invocation.requestId, JSON.stringify(invocation), OWN_WAKE_TTL_MS]);
    if (!isCluster(this.redis) || this.replicaWaitMs <= 0) return;
    await untilReady(this.redis);
    if (replicasOf(this.redis, k.pending) === 0) return;
    // queued either way: a WAIT that fails (the master died just now) is reported like one that timed out
    const replicas = await waitForReplicas(this.redis, k.pending, 1, this.replicaWaitMs).catch(() => 0);
    if (replicas < 1) this.onUnreplicated?.(ref, invocation.requestId);
  }

  /** Jobs waiting, and jobs taken by consumers (leased or about to be), read atomically. */
  async depth(ref: QueueRef): Promise<QueueDepth> {
    const k = this.keys(ref);
    const replies = await this.redis.multi().llen(k.pending).llen(k.active).exec();
    const count = (i: number): number => {
      const [err, value] = replies?.[i] ?? [new Error('depth: no reply'), 0];
      if (err) throw err;
      return Number(value);
    };
    return { pending: count(0), inFlight: count(1) };
  }

  /** Puts back at the front of pending the jobs whose consumer is gone; returns how many. */
  async reclaimExpired(ref: QueueRef): Promise<number> {
    const { expired, stalled } = await this.reclaim(ref);
    return expired + stalled;
  }

  /** reclaimExpired with the kinds counted apart, and the jobs given up. */
  async reclaim(ref: QueueRef): Promise<ReclaimCounts> {
    const k = this.keys(ref);
    const r = await runScript(this.redis, 'reclaim', [k.pending, k.active, k.leases, k.stalled, k.jobs, k.attempts, k.dead, k.stats, k.outcomes, k.wake, k.delayed],
      [this.stalledAfterMs, this.maxDeliveries, DEAD_LETTERS_KEPT, Math.ceil(this.eventBackoff.baseMs), Math.ceil(this.eventBackoff.maxMs)]);
    const [expired, stalled, dead, pending] = Array.isArray(r) ? r.map(Number) : [];
    return { expired: expired ?? 0, stalled: stalled ?? 0, dead: dead ?? 0, pending: pending ?? 0 };
  }

  /** The jobs given up, oldest first. */
  async deadLetters(ref: QueueRef): Promise<DeadLetter[]> {
    const records = await this.redis.lrange(this.keys(ref).dead, 0, -1);
    return records.map((text) => {
      const r = JSON.parse(text) as Omit<DeadLetter, 'invocation'> & { invocation: string };
      return { ...r, invocation: JSON.parse(r.invocation) as Invocation };
    });
  }

  /** Deletes the queue and everything in it (the function version is gone). Consumers holding jobs lose their leases. */
  async purge(ref: QueueRef): Promise<void> {
    await this.redis.del(...allKeys(this.keys(ref)));
  }
}
