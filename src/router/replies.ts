// Waits for the results of synchronous invocations: one blocking reader per version with callers waiting, on this
// router's reply list under that version's hash tag (written only by the agent holding the job's lease).
import { randomUUID } from 'node:crypto';
import type { InvocationResult } from '../core/invocation.js';
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import type { RedisConnection } from '../queue/connection.js';
import { queueName, replyListKey } from '../queue/keys.js';

interface Waiter {
  resolve(result: InvocationResult | undefined): void;
  timer: NodeJS.Timeout;
  queue: string;
}

/** How long one BLPOP blocks before the reader looks whether anyone still waits (s). */
const BLOCK_SECONDS = 2;
/** Idle blocking connections kept for the next version that needs a reader. */
const SPARE_CONNECTIONS = 4;

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
  private readonly spare: RedisConnection[] = [];
  private readonly open = new Set<RedisConnection>();
  private closed = false;

  constructor(private readonly opts: ReplyListenerOptions) {}

  /** Resolves with the result, or undefined when nothing arrived within `timeoutMs`. Call before enqueueing. */
  wait(ref: QueueRef, requestId: string, timeoutMs: number): Promise<InvocationResult | undefined> {
    const queue = queueName(ref);
    const result = new Promise<InvocationResult | undefined>((resolve) => {
      const timer = setTimeout(() => this.settle(requestId, undefined), timeoutMs);
      this.waiters.set(requestId, { resolve, timer, queue });
    });
    this.waiting.set(queue, (this.waiting.get(queue) ?? 0) + 1);
    if (!this.readers.has(queue) && !this.closed) this.startReader(ref, queue);
    return result;
  }

  cancel(requestId: string): void {
    this.settle(requestId, undefined);
  }

  get pending(): number {
    return this.waiters.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.waiters.keys()]) this.settle(id, undefined);
    for (const conn of this.open) conn.disconnect();
    await Promise.allSettled([...this.readers.values()]);
  }

  private settle(requestId: string, result: InvocationResult | undefined): void {
    const w = this.waiters.get(requestId);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiters.delete(requestId);
    const left = (this.waiting.get(w.queue) ?? 1) - 1;
    if (left > 0) this.waiting.set(w.queue, left); else this.waiting.delete(w.queue);
    w.resolve(result);
  }

  private startReader(ref: QueueRef, queue: string): void {
    const conn = this.spare.pop() ?? this.connect();
    const reading = this.read(conn, replyListKey(ref, this.routerId, this.opts.keyPrefix), queue).finally(() => {
      this.readers.delete(queue);
      if (!this.closed && this.spare.length < SPARE_CONNECTIONS && conn.status === 'ready') this.spare.push(conn);
      else { this.open.delete(conn); conn.disconnect(); }
      // a caller that came while this reader was leaving gets a new one
      if (!this.closed && this.waiting.has(queue)) this.startReader(ref, queue);
    });
    this.readers.set(queue, reading);
  }

  private connect(): RedisConnection {
    const conn = this.opts.connect();
    conn.on('error', (err: Error) => { if (!this.closed) this.opts.logger.warn({ msg: 'reply connection error', error: err.message }); });
    this.open.add(conn);
    return conn;
  }

  private async read(conn: RedisConnection, key: string, queue: string): Promise<void> {
    while (!this.closed && this.waiting.has(queue)) {
      let popped: [Buffer, Buffer] | null;
      try {
        popped = await conn.blpopBuffer(key, BLOCK_SECONDS);
      } catch (err) {
        if (this.closed) return;
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
    // a late or duplicate answer (the caller has gone), or one from another version's list: not this caller's
    if (!w || w.queue !== queue) return;
    this.settle(result.requestId, result);
  }
}
