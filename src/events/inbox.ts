// The event inbox: every message published to a topic, event put on a bus and schedule tick, held in Redis from the
// moment its API call is answered until the event worker has handed it to every subscription or target. Redis Streams
// with one consumer group: an entry a worker took and did not finish (it died) is claimed again after a while, so
// delivery is at least once. Entries are spread over a few streams (each its own hash tag: on a Redis Cluster they
// fall on different masters), picked by the entry's id.
import { createHash } from 'node:crypto';
import type { RedisConnection } from '../queue/connection.js';
import type { BusEvent, SnsMessage } from './contracts.js';
import type { ObjectRecord } from './s3/records.js';

/**
 * What the worker fans out: a topic's message, a bus's event, the event of one rule alone (a schedule's tick), or an
 * S3 server's object event (to the bucket's BucketNotifications).
 */
export type InboxEntry =
  | { kind: 'topic'; namespace: string; topic: string; message: SnsMessage }
  | { kind: 'bus'; namespace: string; bus: string; event: BusEvent; ingestedAt: number; traceId?: string }
  | { kind: 'rule'; namespace: string; rule: string; event: BusEvent; ingestedAt: number }
  | { kind: 'object'; namespace: string; record: ObjectRecord; ingestedAt: number };

export interface TakenEntry {
  shard: number;
  /** The stream entry id (acknowledged with done()). */
  streamId: string;
  /** Undefined when the stored text could not be read (done() it, it can never be delivered). */
  entry: InboxEntry | undefined;
  raw: string;
  /** How many times the group has handed it out (1 the first time). */
  deliveries: number;
}

const GROUP = 'fanout';
export const DEFAULT_INBOX_SHARDS = 4;

export const inboxKey = (prefix: string, shard: number): string => `${prefix}:events:{inbox-${shard}}`;

/** The id an entry is sharded (and, for its deliveries, identified) by. */
export function entryId(e: InboxEntry): string {
  return e.kind === 'topic' ? e.message.messageId : e.kind === 'object' ? e.record.id : e.event.id;
}

export class EventInbox {
  private readonly groups = new Set<number>();

  constructor(private readonly redis: RedisConnection, private readonly keyPrefix: string, private readonly shards = DEFAULT_INBOX_SHARDS) {}

  private shardOf(id: string): number {
    return createHash('sha1').update(id).digest().readUInt32BE(0) % this.shards;
  }

  /** Holds every entry; resolves once Redis has them all (an error: some may be held, the caller answers a failure). */
  async add(entries: readonly InboxEntry[]): Promise<void> {
    await Promise.all(entries.map((e) => this.redis.xadd(inboxKey(this.keyPrefix, this.shardOf(entryId(e))), '*', 'e', JSON.stringify(e))));
  }

  /**
   * Up to `count` entries of each shard: first those another consumer took more than `claimIdleMs` ago and never
   * finished (it died), then new ones. Never blocks.
   */
  async take(consumer: string, count: number, claimIdleMs: number): Promise<TakenEntry[]> {
    const out: TakenEntry[] = [];
    for (let shard = 0; shard < this.shards; shard++) {
      await this.ensureGroup(shard);
      const key = inboxKey(this.keyPrefix, shard);
      try {
        out.push(...await this.claim(key, shard, consumer, count, claimIdleMs));
        const fresh = await this.redis.xreadgroup('GROUP', GROUP, consumer, 'COUNT', count, 'STREAMS', key, '>') as [string, [string, string[]][]][] | null;
        for (const [id, fields] of fresh?.[0]?.[1] ?? []) out.push(taken(shard, id, fields, 1));
      } catch (err) {
        // a Redis restarted without its data has lost the group: make it again on the next pass
        if (String(err).includes('NOGROUP')) { this.groups.delete(shard); continue; }
        throw err;
      }
    }
    return out;
  }

  /**
   * The entry is delivered everywhere: gone from the group and the stream in one step (one key, so one slot), else an
   * entry acknowledged by a worker killed before it deleted it would stay in the stream forever, taken by no one.
   */
  async done(t: Pick<TakenEntry, 'shard' | 'streamId'>): Promise<void> {
    const key = inboxKey(this.keyPrefix, t.shard);
    const res = await this.redis.multi().xack(key, GROUP, t.streamId).xdel(key, t.streamId).exec();
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw failed?.[0] ?? new Error('the inbox entry was not removed (transaction aborted)');
  }

  /** Entries held (new and taken), over every shard: the backlog of the event worker. */
  async depth(): Promise<number> {
    let n = 0;
    for (let shard = 0; shard < this.shards; shard++) n += await this.redis.xlen(inboxKey(this.keyPrefix, shard));
    return n;
  }

  private async claim(key: string, shard: number, consumer: string, count: number, idleMs: number): Promise<TakenEntry[]> {
    const res = await this.redis.xautoclaim(key, GROUP, consumer, idleMs, '0-0', 'COUNT', count) as [string, [string, string[] | null][], string[]?];
    const claimed = (res[1] ?? []).filter((x): x is [string, string[]] => Array.isArray(x[1]));
    if (claimed.length === 0) return [];
    // how often each was handed out, for the worker's poison-entry cap
    const pending = await this.redis.xpending(key, GROUP, claimed[0]![0], claimed.at(-1)![0], claimed.length) as [string, string, number, number][];
    const times = new Map(pending.map(([id, , , n]) => [id, Number(n)]));
    return claimed.map(([id, fields]) => taken(shard, id, fields, times.get(id) ?? 2));
  }

  private async ensureGroup(shard: number): Promise<void> {
    if (this.groups.has(shard)) return;
    try {
      await this.redis.xgroup('CREATE', inboxKey(this.keyPrefix, shard), GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
    this.groups.add(shard);
  }
}

function taken(shard: number, streamId: string, fields: string[], deliveries: number): TakenEntry {
  const raw = fields[fields.indexOf('e') + 1] ?? '';
  let entry: InboxEntry | undefined;
  try {
    const v = JSON.parse(raw) as InboxEntry;
    entry = v && typeof v === 'object' && typeof v.kind === 'string' ? v : undefined;
  } catch { /* unreadable: undefined */ }
  return { shard, streamId, entry, raw, deliveries };
}
