// The dispatcher's side of a version's queue: outcomes of async runs to settle, delayed retries to promote, messages to queue.
import type { AsyncOutcome } from '../core/async-policy.js';
import type { Invocation, InvocationResult } from '../core/invocation.js';
import type { QueueRef } from '../core/queue-contract.js';
import { SqsStore } from '../events/sqs/store.js';
import type { RedisConnection } from './connection.js';
import { DEFAULT_KEY_PREFIX, queueKeys, type QueueKeys } from './keys.js';
import { defineScripts, runScript } from './scripts.js';
import { DEAD_LETTERS_KEPT } from './work-queue.js';

/** One outcome record as read: `raw` is its exact text (settling removes exactly that record). */
export interface OutcomeRecord {
  raw: string;
  outcome: AsyncOutcome;
  invocation: Invocation;
}

interface StoredOutcome {
  invocation: string;
  result?: string;
  notRun?: AsyncOutcome['notRun'];
}

/** Parses a stored record; undefined for one that cannot be read (logged and given up by the caller). */
export function parseOutcome(raw: string): OutcomeRecord | undefined {
  try {
    const stored = JSON.parse(raw) as StoredOutcome;
    const invocation = JSON.parse(stored.invocation) as Invocation;
    const outcome: AsyncOutcome = { invocation: stored.invocation };
    if (stored.result !== undefined) outcome.result = JSON.parse(stored.result) as InvocationResult;
    if (stored.notRun !== undefined) outcome.notRun = stored.notRun;
    return { raw, outcome, invocation };
  } catch {
    return undefined;
  }
}

/** SenderId of the messages klambda itself sends to a queue (destinations and dead letters). */
export const DISPATCHER_SENDER_ID = 'klambda-dispatcher';

type QueueMessage = { MessageId: string; Body: string; MessageAttributes?: Record<string, { DataType: string; StringValue: string }> };

export class OutcomeQueue {
  readonly keyPrefix: string;
  /** The SQS-like queues a `{queue: name}` destination or dead-letter target sends to. */
  private readonly queues: SqsStore;

  /** `redis` is a command connection the caller owns (a trusted role: it writes any version's queue). */
  constructor(private readonly redis: RedisConnection, keyPrefix: string = DEFAULT_KEY_PREFIX) {
    this.keyPrefix = keyPrefix;
    defineScripts(redis);
    this.queues = new SqsStore(redis, { keyPrefix });
  }

  keys(ref: QueueRef): QueueKeys {
    return queueKeys(ref, this.keyPrefix);
  }

  /** Moves due retries to the back of pending; returns how many. */
  async promote(ref: QueueRef, limit = 500): Promise<number> {
    const k = this.keys(ref);
    return Number(await runScript(this.redis, 'promote', [k.delayed, k.pending, k.jobs, k.wake], [limit]));
  }

  /** The oldest outcome records, up to `limit`, left in place until each is settled. */
  async outcomes(ref: QueueRef, limit = 100): Promise<string[]> {
    return this.redis.lrange(this.keys(ref).outcomes, 0, limit - 1);
  }

  /** How many retries wait and how many outcomes are unsettled (one round trip). */
  async backlog(ref: QueueRef): Promise<{ delayed: number; outcomes: number }> {
    const k = this.keys(ref);
    const r = await this.redis.multi().zcard(k.delayed).llen(k.outcomes).exec();
    return { delayed: Number(r?.[0]?.[1] ?? 0), outcomes: Number(r?.[1]?.[1] ?? 0) };
  }

  /** Settles `raw` by scheduling the next run at `dueAt` (epoch ms). False: it was already settled. */
  async retry(ref: QueueRef, raw: string, next: Invocation, dueAt: number): Promise<boolean> {
    const k = this.keys(ref);
    return Number(await runScript(this.redis, 'retry', [k.outcomes, k.jobs, k.delayed], [raw, next.requestId, JSON.stringify(next), Math.ceil(dueAt)])) === 1;
  }

  /** Settles `raw` by writing a dead-letter record for it (the version's dead list, counted). False: already settled. */
  async giveUp(ref: QueueRef, raw: string, record: { requestId: string; reason: string; attempts: number; deadAt: number; invocation: string }): Promise<boolean> {
    const k = this.keys(ref);
    return Number(await runScript(this.redis, 'giveUp', [k.outcomes, k.dead, k.stats], [raw, JSON.stringify(record), DEAD_LETTERS_KEPT])) === 1;
  }

  /** Settles `raw` once its destination has it. */
  async settle(ref: QueueRef, raw: string): Promise<void> {
    await this.redis.lrem(this.keys(ref).outcomes, 1, raw);
  }

  /**
   * Sends a message to an SQS-like queue (created on first use), where ReceiveMessage and event source mappings read
   * it. At least once, with one copy: a redone settle sends the same MessageId, which the queue keeps once.
   */
  async sendMessage(namespace: string, queue: string, message: QueueMessage): Promise<void> {
    const q = { namespace, name: queue };
    await this.queues.ensureQueue(q);
    await this.queues.sendOne(q, {
      id: message.MessageId, body: message.Body, senderId: DISPATCHER_SENDER_ID,
      ...(message.MessageAttributes ? { attributes: message.MessageAttributes } : {}),
    });
  }

  /** The messages of a queue, oldest first, without receiving them (received ones included until deleted). */
  async messages(namespace: string, queue: string): Promise<QueueMessage[]> {
    return (await this.queues.peek({ namespace, name: queue })) as QueueMessage[];
  }
}
