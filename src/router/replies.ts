// Waits for the results of synchronous invocations, delivered by agents on this router's reply channel.
import type { Redis } from 'ioredis';
import type { InvocationResult } from '../core/invocation.js';
import type { Logger } from '../core/logger.js';
import { randomUUID } from 'node:crypto';
import { replyChannel } from '../queue/keys.js';

interface Waiter {
  resolve(result: InvocationResult | undefined): void;
  timer: NodeJS.Timeout;
}

export class ReplyListener {
  readonly channel: string;
  private readonly waiters = new Map<string, Waiter>();

  private constructor(private readonly subscriber: Redis, prefix: string, private readonly logger: Logger) {
    this.channel = replyChannel(randomUUID(), prefix);
  }

  /** `subscriber` becomes a subscribe-only connection owned by the listener. */
  static async start(subscriber: Redis, prefix: string, logger: Logger): Promise<ReplyListener> {
    const listener = new ReplyListener(subscriber, prefix, logger);
    subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => listener.onMessage(message));
    await subscriber.subscribe(listener.channel);
    return listener;
  }

  /** Resolves with the result, or undefined when nothing arrived within `timeoutMs`. Call before enqueueing. */
  wait(requestId: string, timeoutMs: number): Promise<InvocationResult | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(requestId);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(requestId, { resolve, timer });
    });
  }

  cancel(requestId: string): void {
    const w = this.waiters.get(requestId);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiters.delete(requestId);
  }

  get pending(): number {
    return this.waiters.size;
  }

  async close(): Promise<void> {
    for (const [id, w] of this.waiters) { clearTimeout(w.timer); w.resolve(undefined); this.waiters.delete(id); }
    this.subscriber.disconnect();
  }

  private onMessage(message: Buffer): void {
    let result: InvocationResult;
    try {
      result = JSON.parse(message.toString('utf8')) as InvocationResult;
    } catch (err) {
      this.logger.error({ msg: 'unreadable reply', error: String(err) });
      return;
    }
    const w = this.waiters.get(result.requestId);
    if (!w) return; // a late or duplicate answer: the caller has gone
    clearTimeout(w.timer);
    this.waiters.delete(result.requestId);
    w.resolve(result);
  }
}
