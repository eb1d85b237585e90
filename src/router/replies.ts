// Waits for the results of synchronous invocations: one blocking reader per version with callers waiting, on this
// router's reply list under that version's hash tag (written only by the agent holding the job's lease).
//
// A reply that cannot be trusted to arrive is not waited for. When a reader's connection closes (Redis died,
// restarted, failed over, or cut the client off), the callers waiting on that reader are answered `lost` at once,
// with no grace for a reconnect: the BLPOP in flight may have popped a reply the closed socket never delivered, and a
// restarted Redis may have lost the job or its reply (no AOF, or the last second of an everysec AOF). A short network
// hiccup does not close a TCP connection, so a close means one of those. While any reader connection is down,
// `reachable` is false, so the router refuses new sync calls instead of queueing them behind ioredis's reconnects.
// On a Redis Cluster the client stays up when one master dies; the callers of a reader whose list that master served
// are answered `lost` the same way when its node connection ends (ioredis retries the BLPOP on the promoted replica,
// but the reply it had popped, or one not yet replicated, is gone).
// A reply that lands later (an AOF-restored job ran) finds no waiter and is dropped; its list expires (REPLY_TTL_MS).
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { InvocationResult } from '../core/invocation.js';
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import { isCluster, type RedisConnection } from '../queue/connection.js';
import { keySlot } from '../queue/key-slot.js';
import { queueName, replyListKey } from '../queue/keys.js';
import { ResponseStreams } from './response-streams.js';

/** How a wait ended: the function's result, nothing within the time, or the connection its reply travels on was lost. */
export type ReplyOutcome =
  | { kind: 'answered'; result: InvocationResult }
  | { kind: 'timeout' }
  | { kind: 'lost' };

interface Waiter {
  resolve(outcome: ReplyOutcome): void;
  timer: NodeJS.Timeout;
  queue: string;
}

/** How long one BLPOP blocks before the reader looks whether anyone still waits (s). */
const BLOCK_SECONDS = 2;
/** Idle blocking connections kept for the next version that needs a reader. */
const SPARE_CONNECTIONS = 4;

const TIMEOUT: ReplyOutcome = { kind: 'timeout' };
const LOST: ReplyOutcome = { kind: 'lost' };

export interface ReplyListenerOptions {
  /** Makes a new connection for a blocking reader (e.g. `() => base.duplicate()`). */
  connect(): RedisConnection;
  keyPrefix: string;
  logger: Logger;
}

export class ReplyListener {
  /** Goes into each sync invocation's `replyTo`; names this router's reply lists. */
  readonly routerId = randomUUID();
  private readonly waiters = new Map<string, Waiter>();
  /** queue name → callers waiting on it; a reader runs while this is above zero. */
  private readonly waiting = new Map<string, number>();
  private readonly readers = new Map<string, Promise<void>>();
  /** The queue and reply list each busy connection reads (spare connections read none). */
  private readonly readingFor = new Map<RedisConnection, { queue: string; key: string }>();
  private readonly spare: RedisConnection[] = [];
  private readonly open = new Set<RedisConnection>();
  /** Open connections that closed and are not ready again yet. */
  private readonly down = new Set<RedisConnection>();
  private closed = false;
  /** Resolves on close(): a BLPOP held by a connection that is reconnecting never settles (ioredis keeps it to resend). */
  private readonly stopped: Promise<null>;
  private stop: () => void = () => undefined;

  /** The streamed responses this router reads (their chunks come before the end on the reply list). */
  readonly streams: ResponseStreams;

  constructor(private readonly opts: ReplyListenerOptions) {
    this.streams = new ResponseStreams(opts);
    this.stopped = new Promise<null>((resolve) => { this.stop = () => resolve(null); });
  }

  /** Resolves with the outcome; `timeout` when nothing arrived within `timeoutMs`. Call before enqueueing. */
  wait(ref: QueueRef, requestId: string, timeoutMs: number): Promise<ReplyOutcome> {
    const queue = queueName(ref);
    const outcome = new Promise<ReplyOutcome>((resolve) => {
      const timer = setTimeout(() => this.settle(requestId, TIMEOUT), timeoutMs);
      this.waiters.set(requestId, { resolve, timer, queue });
    });
    this.waiting.set(queue, (this.waiting.get(queue) ?? 0) + 1);
    if (!this.readers.has(queue) && !this.closed) this.startReader(ref, queue);
    return outcome;
  }

  cancel(requestId: string): void {
    this.settle(requestId, TIMEOUT);
  }

  get pending(): number {
    return this.waiters.size;
  }

  /** False while a connection of this listener has lost Redis and not got it back: a reply could not be read now. */
  get reachable(): boolean {
    return this.down.size === 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    for (const id of [...this.waiters.keys()]) this.settle(id, TIMEOUT);
    for (const conn of this.open) conn.disconnect();
    this.streams.close();
    await Promise.allSettled([...this.readers.values()]);
  }

  private settle(requestId: string, outcome: ReplyOutcome): void {
    const w = this.waiters.get(requestId);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiters.delete(requestId);
    const left = (this.waiting.get(w.queue) ?? 1) - 1;
    if (left > 0) this.waiting.set(w.queue, left); else this.waiting.delete(w.queue);
    w.resolve(outcome);
  }

  private startReader(ref: QueueRef, queue: string): void {
    const conn = this.spare.pop() ?? this.connect();
    const key = replyListKey(ref, this.routerId, this.opts.keyPrefix);
    this.readingFor.set(conn, { queue, key });
    const reading = this.read(conn, key, queue).finally(() => {
      this.readers.delete(queue);
      this.readingFor.delete(conn);
      if (!this.closed && this.spare.length < SPARE_CONNECTIONS && conn.status === 'ready') this.spare.push(conn);
      else this.drop(conn);
      // a caller that came while this reader was leaving gets a new one
      if (!this.closed && this.waiting.has(queue)) this.startReader(ref, queue);
    });
    this.readers.set(queue, reading);
  }

  private connect(): RedisConnection {
    const conn = this.opts.connect();
    conn.on('error', (err: Error) => { if (!this.closed) this.opts.logger.warn({ msg: 'reply connection error', error: err.message }); });
    conn.on('ready', () => { this.down.delete(conn); });
    conn.on('close', () => this.lost(conn));
    // no more reconnects: it cannot say whether Redis is up; its reader leaves at its next error
    conn.on('end', () => { this.lost(conn); this.down.delete(conn); });
    if (isCluster(conn)) conn.on('-node', (node: Redis) => this.nodeLost(conn, node));
    this.open.add(conn);
    return conn;
  }

  private drop(conn: RedisConnection): void {
    this.open.delete(conn);
    this.down.delete(conn);
    conn.disconnect();
  }

  /** The connection closed (each failed reconnect closes it again): its reader's callers are answered at once. */
  private lost(conn: RedisConnection): void {
    if (this.closed || !this.open.has(conn)) return;
    this.down.add(conn);
    this.failReader(conn);
  }

  /** A cluster node's connection ended: only the reader whose list that node serves (still, in the slot map) lost it. */
  private nodeLost(conn: RedisConnection, node: Redis): void {
    const reading = this.readingFor.get(conn);
    if (this.closed || !this.open.has(conn) || !reading || !isCluster(conn)) return;
    if (conn.slots[keySlot(reading.key)]?.includes(`${node.options.host}:${node.options.port}`)) this.failReader(conn);
  }

  private failReader(conn: RedisConnection): void {
    const queue = this.readingFor.get(conn)?.queue;
    if (queue === undefined) return;
    const ids = [...this.waiters].filter(([, w]) => w.queue === queue).map(([id]) => id);
    if (ids.length === 0) return;
    this.opts.logger.warn({ msg: 'reply connection lost: its waiting callers are answered with an error', queue, callers: ids.length });
    for (const id of ids) this.settle(id, LOST);
  }

  private async read(conn: RedisConnection, key: string, queue: string): Promise<void> {
    while (!this.closed && this.waiting.has(queue)) {
      let popped: [Buffer, Buffer] | null;
      try {
        popped = await Promise.race([conn.blpopBuffer(key, BLOCK_SECONDS), this.stopped]);
      } catch (err) {
        if (this.closed || conn.status === 'end') return;
        this.opts.logger.error({ msg: 'reading replies failed', queue, error: err instanceof Error ? err.message : String(err) });
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      if (popped) this.deliver(popped[1], queue);
    }
  }

  private deliver(message: Buffer, queue: string): void {
    let result: InvocationResult;
    try {
      result = JSON.parse(message.toString('utf8')) as InvocationResult;
    } catch (err) {
      this.opts.logger.error({ msg: 'unreadable reply', queue, error: String(err) });
      return;
    }
    const w = this.waiters.get(result.requestId);
    // a late or duplicate answer (the caller has gone, or was told its connection was lost), or one from another
    // version's list: not this caller's
    if (!w || w.queue !== queue) return;
    this.settle(result.requestId, { kind: 'answered', result });
  }
}
