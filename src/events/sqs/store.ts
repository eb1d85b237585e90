// SQS-like queues on Redis: one class over the queue's Lua scripts (lua.ts) — create, attributes, send, receive with
// visibility timeouts and long polling, delete by receipt handle, redrive to a dead-letter queue, retention, purge.
import { randomBytes, randomUUID } from 'node:crypto';
import type { ArnContext } from '../../core/arn.js';
import { DEFAULT_ACCOUNT_ID } from '../../core/accounts.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { RedisConnection } from '../../queue/connection.js';
import { DEFAULT_KEY_PREFIX } from '../../queue/keys.js';
import { DEFAULT_ATTRIBUTES, queueArn, type AttributeChange, type RedrivePolicy } from './attributes.js';
import { invalidParameterValue, messageNotInflight, purgeQueueInProgress, queueDoesNotExist, queueNameExists, receiptHandleIsInvalid, shown } from './errors.js';
import { queueIndexKey, queueLabel, scriptKeys, sqsQueueKeys, type QueueId } from './keys.js';
import { md5Hex, md5OfMessageAttributes, type MessageAttributeValue } from './md5.js';
import { tooLargeMessage } from './message.js';
import { decodeReceiptHandle, encodeReceiptHandle } from './receipt-handle.js';
import { runSqsScript } from './scripts.js';

export type { QueueId } from './keys.js';

/** A message as it is kept (the bodies hash), short member names: it is stored once per message. */
interface StoredMessage {
  b: string;
  a?: Record<string, MessageAttributeValue>;
  /** SenderId */
  s: string;
  /** MD5OfBody, MD5OfMessageAttributes */
  m: string;
  ma?: string;
  /** AWSTraceHeader */
  th?: string;
  /** DeadLetterQueueSourceArn: set when the message was moved here by a redrive policy */
  dl?: string;
}

export interface NewMessage {
  /** A UUID when absent; a sender that redoes a send gives the same id, and the store keeps one copy. */
  id?: string;
  body: string;
  attributes?: Record<string, MessageAttributeValue>;
  /** The queue's DelaySeconds when absent. */
  delaySeconds?: number;
  senderId: string;
  traceHeader?: string;
}

export interface SentMessage {
  messageId: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  sentTimestamp: number;
}

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, MessageAttributeValue>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  senderId: string;
  sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp: number;
  traceHeader?: string;
  deadLetterQueueSourceArn?: string;
}

export interface ReceiveOptions {
  /** 1..10 */
  maxMessages: number;
  /** The queue's VisibilityTimeout when absent. */
  visibilityTimeoutSeconds?: number;
  /** Long polling, 0..20; the queue's ReceiveMessageWaitTimeSeconds when absent. */
  waitTimeSeconds?: number;
  /** Ends a long poll early (the client went away, the poller stops): nothing more is received. */
  signal?: AbortSignal;
}

export interface QueueStats {
  /** The stored attributes (the queue's settings, CreatedTimestamp, LastModifiedTimestamp). */
  attributes: Record<string, string>;
  visible: number;
  inflight: number;
  delayed: number;
}

export interface SqsStoreOptions {
  keyPrefix?: string;
  logger?: Logger;
  /** The region and account of a namespace (the DLQ's DeadLetterQueueSourceArn). */
  arnFor?: (namespace: string) => ArnContext;
  /** How soon a long poll looks again at an empty queue; the gap doubles up to longPollMaxIntervalMs while it stays empty. */
  longPollIntervalMs?: number;
  longPollMaxIntervalMs?: number;
}

/** Stored fields that are not attributes: the parsed redrive policy, the last purge, the tags. */
const INTERNAL = /^_/;
/** A tag is the meta field `_tag:<key>`. */
const TAG = '_tag:';

const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((resolve) => {
  if (signal?.aborted) { resolve(); return; }
  const done = () => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
  const timer = setTimeout(done, ms);
  signal?.addEventListener('abort', done, { once: true });
});

const redriveFields = (p: RedrivePolicy | null | undefined): Record<string, string> =>
  p === undefined ? {} : p === null ? { _maxReceiveCount: '', _deadLetterQueue: '' } : { _maxReceiveCount: String(p.maxReceiveCount), _deadLetterQueue: p.deadLetterQueue };

const num = (v: unknown): number => Number(v);

export class SqsStore {
  readonly keyPrefix: string;
  private readonly logger: Logger;
  private readonly arnFor: (namespace: string) => ArnContext;
  private readonly pollMs: number;
  private readonly maxPollMs: number;

  /** Aborted by close(): every long poll still waiting ends with what it has (nothing). */
  private readonly closing = new AbortController();

  /** `redis` is a command connection the caller owns; a long poll never blocks it (it polls, sleeping in between). */
  constructor(private readonly redis: RedisConnection, opts: SqsStoreOptions = {}) {
    this.keyPrefix = opts.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.logger = opts.logger ?? silentLogger;
    this.arnFor = opts.arnFor ?? (() => ({ region: 'us-east-1', accountId: DEFAULT_ACCOUNT_ID }));
    this.pollMs = opts.longPollIntervalMs ?? 50;
    this.maxPollMs = Math.max(this.pollMs, opts.longPollMaxIntervalMs ?? 250);
  }

  private keys(q: QueueId): string[] {
    return scriptKeys(sqsQueueKeys(q, this.keyPrefix));
  }

  private async run(q: QueueId, name: Parameters<typeof runSqsScript>[1], args: (string | number)[]): Promise<unknown[]> {
    const reply = await runSqsScript(this.redis, name, this.keys(q), args);
    if (reply[0] === -1) throw queueDoesNotExist();
    return reply;
  }

  /**
   * CreateQueue: a new queue with SQS's defaults under `change`, and its tags; an existing one is fine when every
   * attribute the caller named has the same value (QueueNameExists otherwise; tags are not compared). True when created.
   */
  async createQueue(q: QueueId, change: AttributeChange = { values: {} }, tags: Readonly<Record<string, string>> = {}): Promise<boolean> {
    const initial: Record<string, string> = { ...DEFAULT_ATTRIBUTES };
    for (const [k, v] of Object.entries(tags)) initial[`${TAG}${k}`] = v;
    for (const [k, v] of Object.entries({ ...change.values, ...redriveFields(change.redrive) })) {
      if (v === '') delete initial[k]; else initial[k] = v;
    }
    await this.redis.zadd(queueIndexKey(q.namespace, this.keyPrefix), 0, q.name);
    const reply = await runSqsScript(this.redis, 'create', this.keys(q), ['create', JSON.stringify(initial), JSON.stringify(change.values)]);
    if (reply[0] === -2) throw queueNameExists(String(reply[1]));
    return reply[0] === 1;
  }

  /** The queue, created with the defaults if it does not exist yet: what a destination, mapping or subscription names. */
  async ensureQueue(q: QueueId): Promise<void> {
    await this.redis.zadd(queueIndexKey(q.namespace, this.keyPrefix), 0, q.name);
    await runSqsScript(this.redis, 'create', this.keys(q), ['ensure', JSON.stringify(DEFAULT_ATTRIBUTES), '{}']);
  }

  async queueExists(q: QueueId): Promise<boolean> {
    return (await this.redis.exists(sqsQueueKeys(q, this.keyPrefix).meta)) === 1;
  }

  /** Names of the namespace's queues, sorted, those starting with `prefix` when given. */
  async listQueues(namespace: string, prefix = ''): Promise<string[]> {
    const names = await this.redis.zrange(queueIndexKey(namespace, this.keyPrefix), 0, -1);
    return names.filter((n) => n.startsWith(prefix));
  }

  /** The queue's tags (QueueDoesNotExist if there is none). */
  async tags(q: QueueId): Promise<Record<string, string>> {
    const meta = await this.redis.hgetall(sqsQueueKeys(q, this.keyPrefix).meta);
    if (Object.keys(meta).length === 0) throw queueDoesNotExist();
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(meta)) if (k.startsWith(TAG)) tags[k.slice(TAG.length)] = v;
    return tags;
  }

  /** Sets and removes tags at once; false when the queue would have more than `max` (nothing changed then). */
  async changeTags(q: QueueId, set: Readonly<Record<string, string>>, remove: readonly string[], max: number): Promise<boolean> {
    const reply = await this.run(q, 'tag', [JSON.stringify(set), JSON.stringify(remove), max]);
    return reply[0] === 1;
  }

  async setAttributes(q: QueueId, change: AttributeChange): Promise<void> {
    await this.run(q, 'setAttributes', [JSON.stringify({ ...change.values, ...redriveFields(change.redrive) })]);
  }

  /** Attributes and counts (due delayed and expired in-flight messages counted as visible first). */
  async stats(q: QueueId): Promise<QueueStats> {
    const reply = await this.run(q, 'stats', []);
    const flat = (reply[4] ?? []) as string[];
    const attributes: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) if (!INTERNAL.test(flat[i]!)) attributes[flat[i]!] = flat[i + 1]!;
    return { attributes, visible: num(reply[1]), inflight: num(reply[2]), delayed: num(reply[3]) };
  }

  /** Deletes the queue and its messages (QueueDoesNotExist if there is none). */
  async deleteQueue(q: QueueId): Promise<void> {
    if (!(await this.queueExists(q))) throw queueDoesNotExist();
    await this.redis.del(...this.keys(q));
    await this.redis.zrem(queueIndexKey(q.namespace, this.keyPrefix), q.name);
  }

  /** Deletes every message; SQS allows one purge a minute (PurgeQueueInProgress). */
  async purgeQueue(q: QueueId): Promise<void> {
    const reply = await this.run(q, 'purge', []);
    if (reply[0] === -2) throw purgeQueueInProgress(q.name);
  }

  /** Sends each message; per message the result or the error (a message over MaximumMessageSize), in order. */
  async send(q: QueueId, messages: readonly NewMessage[], sizes?: readonly number[]): Promise<Array<SentMessage | Error>> {
    return Promise.all(messages.map(async (m, i): Promise<SentMessage | Error> => {
      const id = m.id ?? randomUUID();
      const stored: StoredMessage = { b: m.body, s: m.senderId, m: md5Hex(m.body) };
      const ma = md5OfMessageAttributes(m.attributes);
      if (ma !== undefined) { stored.a = m.attributes; stored.ma = ma; }
      if (m.traceHeader !== undefined) stored.th = m.traceHeader;
      try {
        const reply = await this.run(q, 'send', [id, JSON.stringify(stored), m.delaySeconds ?? -1, sizes?.[i] ?? 0, 0]);
        if (reply[0] === -2) return tooLargeMessage(num(reply[1]));
        return { messageId: id, md5OfBody: stored.m, ...(ma !== undefined ? { md5OfMessageAttributes: ma } : {}), sentTimestamp: num(reply[1]) };
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    }));
  }

  /** One message, throwing its error: what destinations and dead letters use (after ensureQueue). */
  async sendOne(q: QueueId, message: NewMessage): Promise<SentMessage> {
    const [r] = await this.send(q, [message]);
    if (r instanceof Error) throw r;
    return r!;
  }

  /**
   * ReceiveMessage: up to `maxMessages` visible messages, each hidden for the visibility timeout under a new receipt
   * handle. With a wait, an empty queue is looked at again, soon at first and then less often (an idle long poll costs
   * a few script calls a second, and a message sent to it waits at most longPollMaxIntervalMs), until a message comes
   * or the wait is over. Messages past maxReceiveCount go to the dead-letter queue on the way.
   */
  async receive(q: QueueId, opts: ReceiveOptions): Promise<ReceivedMessage[]> {
    const started = Date.now();
    let wait = opts.waitTimeSeconds;
    let gap = this.pollMs;
    const signal = opts.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    for (;;) {
      if (signal.aborted) return [];
      const { messages, queueWait } = await this.receiveOnce(q, opts.maxMessages, opts.visibilityTimeoutSeconds);
      wait ??= queueWait;
      const left = started + wait * 1000 - Date.now();
      if (messages.length > 0 || left <= 0) return messages;
      await sleep(Math.min(gap, left), signal);
      gap = Math.min(this.maxPollMs, gap * 2);
    }
  }

  private async receiveOnce(q: QueueId, max: number, visibility: number | undefined): Promise<{ messages: ReceivedMessage[]; queueWait: number }> {
    const tokens = Array.from({ length: max }, () => randomBytes(12).toString('hex'));
    const reply = await this.run(q, 'receive', [max, visibility ?? -1, ...tokens]);
    const [, redrive, queueWait, ...rows] = reply as [number, number, string, ...unknown[][]];
    if (num(redrive) > 0) await this.drainRedrive(q).catch((err: unknown) => this.logger.error({ msg: 'moving messages to the dead-letter queue failed; will try again', queue: queueLabel(q), error: String(err) }));
    const label = queueLabel(q);
    const messages = rows.map((row) => {
      const [id, token, raw, count, first, sent] = row as [string, string, string, number, string, string];
      const m = JSON.parse(raw) as StoredMessage;
      const r: ReceivedMessage = {
        messageId: id, receiptHandle: encodeReceiptHandle({ queue: label, messageId: id, token }), body: m.b, attributes: m.a ?? {},
        md5OfBody: m.m, senderId: m.s, sentTimestamp: num(sent), receiveCount: num(count), firstReceiveTimestamp: num(first),
      };
      if (m.ma !== undefined) r.md5OfMessageAttributes = m.ma;
      if (m.th !== undefined) r.traceHeader = m.th;
      if (m.dl !== undefined) r.deadLetterQueueSourceArn = m.dl;
      return r;
    });
    return { messages, queueWait: num(queueWait) };
  }

  /**
   * Moves the messages the receive script set aside (over maxReceiveCount) to the dead-letter queue, keeping their id,
   * body, attributes and sent time. Two steps, because the DLQ is in another slot: copy (idempotent by message id),
   * then forget; a crash in between copies again next time, which the DLQ's send ignores.
   */
  private async drainRedrive(q: QueueId): Promise<void> {
    const k = sqsQueueKeys(q, this.keyPrefix);
    const dlqName = await this.redis.hget(k.meta, '_deadLetterQueue');
    const ids = await this.redis.lrange(k.redrive, 0, 99);
    if (!dlqName || dlqName === q.name) {
      this.logger.error({ msg: 'messages wait for a dead-letter queue the queue does not name', queue: queueLabel(q), count: ids.length });
      return;
    }
    const dlq: QueueId = { namespace: q.namespace, name: dlqName };
    await this.ensureQueue(dlq);
    const source = queueArn(this.arnFor(q.namespace), q.name);
    for (const id of ids) {
      const [raw, sent] = await Promise.all([this.redis.hget(k.bodies, id), this.redis.zscore(k.sent, id)]);
      if (raw !== null) {
        const m = { ...(JSON.parse(raw) as StoredMessage), dl: source };
        await this.run(dlq, 'send', [id, JSON.stringify(m), 0, 0, sent === null ? 0 : Math.floor(Number(sent))]);
      }
      await this.run(q, 'forget', [id]);
    }
  }

  /** Ends the long polls in progress (a router shutting down answers them at once); the connection stays the caller's. */
  close(): void {
    this.closing.abort();
  }

  /** The parts of a handle received from this queue (ReceiptHandleIsInvalid otherwise). */
  private handle(q: QueueId, receiptHandle: string): { messageId: string; token: string } {
    const h = decodeReceiptHandle(receiptHandle);
    if (!h || h.queue !== queueLabel(q)) throw receiptHandleIsInvalid(receiptHandle);
    return h;
  }

  /** DeleteMessage: true when deleted; false for a handle that is no longer the latest (SQS: success, nothing deleted). */
  async deleteMessage(q: QueueId, receiptHandle: string): Promise<boolean> {
    const h = this.handle(q, receiptHandle);
    const reply = await this.run(q, 'delete', [h.messageId, h.token]);
    return reply[0] === 1;
  }

  /** ChangeMessageVisibility: the message stays hidden `seconds` from now (0: visible at once). */
  async changeVisibility(q: QueueId, receiptHandle: string, seconds: number): Promise<void> {
    const h = this.handle(q, receiptHandle);
    const reply = await this.run(q, 'changeVisibility', [h.messageId, h.token, seconds]);
    if (reply[0] === -2) throw invalidParameterValue(`Value ${shown(receiptHandle)} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
    if (reply[0] === -3) throw messageNotInflight();
  }

  /** Every stored message, oldest first, without receiving any (tests and tools look into a queue with it). */
  async peek(q: QueueId): Promise<Array<{ MessageId: string; Body: string; MessageAttributes?: Record<string, MessageAttributeValue> }>> {
    const k = sqsQueueKeys(q, this.keyPrefix);
    const ids = await this.redis.zrange(k.sent, 0, -1);
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(k.bodies, ...ids);
    return ids.flatMap((id, i) => {
      const raw = raws[i];
      if (raw === null || raw === undefined) return [];
      const m = JSON.parse(raw) as StoredMessage;
      return [{ MessageId: id, Body: m.b, ...(m.a ? { MessageAttributes: m.a } : {}) }];
    });
  }
}
