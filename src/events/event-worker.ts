// The event worker: takes entries from the inbox, makes their deliveries (fanout.ts) and hands each to its
// destination — a function (an async invocation), a queue, an HTTP(S) endpoint (a job for the HTTP sender) or a topic
// (a new inbox entry) — then lets the entry go. A crash before that leaves the entry to be taken again: at least once,
// with the same delivery ids. A delivery to something that does not exist (a function deleted since) is logged and
// dropped, as SNS and EventBridge drop what they cannot deliver; Redis being away keeps the entry for the next pass.
import { randomUUID } from 'node:crypto';
import { isAwsError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { Passes } from '../queue/passes.js';
import type { AsyncInvoker, SnsAttribute } from './contracts.js';
import { entryDeliveries, type Delivery, type EventCatalog } from './fanout.js';
import type { HttpDeliveries } from './http-deliveries.js';
import type { EventInbox, TakenEntry } from './inbox.js';

/** Where queue deliveries go (the SQS store). */
export interface QueueSender {
  send(namespace: string, queue: string, message: { messageId: string; body: string; attributes?: Record<string, SnsAttribute> }): Promise<void>;
}

export interface EventWorkerMetrics {
  delivered(to: Delivery['to'], outcome: 'ok' | 'dropped'): void;
}

export interface EventWorkerOptions {
  inbox: EventInbox;
  catalog: EventCatalog;
  invoker: AsyncInvoker;
  queues: QueueSender;
  http: HttpDeliveries;
  logger: Logger;
  /** The router's URL, for the UnsubscribeUrl of notifications. */
  unsubscribeBase: () => string;
  now?: () => number;
  /** An entry taken by a worker that has not finished it after this long is taken again (default 30 s). */
  claimIdleMs?: number;
  /** Pause between passes that found nothing (default 50 ms). */
  intervalMs?: number;
  /** Entries worked on at once (default 32). */
  concurrency?: number;
  /** An entry handed out this often without being finished is set aside as poison (default 10). */
  maxDeliveries?: number;
  metrics?: EventWorkerMetrics;
}

export class EventWorker {
  private readonly passes: Passes;
  private readonly consumer = randomUUID();
  private readonly now: () => number;

  constructor(private readonly opts: EventWorkerOptions) {
    this.now = opts.now ?? Date.now;
    this.passes = new Passes(() => this.runOnce(), opts.intervalMs ?? 50);
  }

  start(): void { this.passes.start(); }
  stop(): Promise<void> { return this.passes.stop(); }

  /** Takes and delivers entries until the inbox has none for this worker (or it is stopped). */
  async runOnce(): Promise<void> {
    for (let rounds = 0; rounds < 100 && this.passes.active; rounds++) {
      let taken: TakenEntry[];
      try {
        taken = await this.opts.inbox.take(this.consumer, 64, this.opts.claimIdleMs ?? 30_000);
      } catch (err) {
        this.opts.logger.error({ msg: 'the event inbox could not be read; will try again', error: String(err) });
        return;
      }
      if (taken.length === 0) return;
      await inBatches(taken, this.opts.concurrency ?? 32, (t) => this.handle(t));
    }
  }

  private async handle(t: TakenEntry): Promise<void> {
    try {
      if (!t.entry) {
        this.opts.logger.error({ msg: 'an unreadable event inbox entry was dropped', entry: t.raw.slice(0, 1024) });
      } else if (t.deliveries > (this.opts.maxDeliveries ?? 10)) {
        this.opts.logger.error({ msg: 'an event inbox entry failed every delivery attempt and was dropped', kind: t.entry.kind, namespace: t.entry.namespace, deliveries: t.deliveries });
      } else {
        const deliveries = entryDeliveries(t.entry, this.opts.catalog, this.opts.unsubscribeBase());
        await Promise.all(deliveries.map((d) => this.deliver(d)));
      }
      await this.opts.inbox.done(t);
    } catch (err) {
      // kept: taken again once its claim idles out
      this.opts.logger.error({ msg: 'event delivery failed; the entry will be tried again', error: String(err) });
    }
  }

  private async deliver(d: Delivery): Promise<void> {
    try {
      switch (d.to) {
        case 'function':
          await this.opts.invoker.invokeAsync(d.namespace, d.functionRef, { payload: d.payload, requestId: d.id, ...(d.traceId ? { traceId: d.traceId } : {}) });
          break;
        case 'queue':
          await this.opts.queues.send(d.namespace, d.queue, { messageId: d.id, body: d.body, ...(d.attributes ? { attributes: d.attributes } : {}) });
          break;
        case 'http':
          await this.opts.http.add([{ id: d.id, namespace: d.namespace, url: d.url, body: d.body, headers: d.headers, policy: d.policy, from: d.from }], this.now());
          break;
        case 'topic':
          await this.opts.inbox.add([{ kind: 'topic', namespace: d.namespace, topic: d.topic, message: d.message }]);
          break;
      }
      this.opts.metrics?.delivered(d.to, 'ok');
    } catch (err) {
      // the destination refused it for good (a function that does not exist, a bad name): nothing to retry
      if (isAwsError(err) && err.statusCode < 500 && err.statusCode !== 429) {
        this.opts.metrics?.delivered(d.to, 'dropped');
        this.opts.logger.warn({ msg: 'event not delivered: its destination refused it', from: d.from, to: d.to, error: err.message });
        return;
      }
      throw err;
    }
  }
}

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}
