// The events loss test's look into klambda's Redis: the event inbox, the function's queue, and each shard of the stream
// (records held, where the mapping's checkpoint is, who leases it); and the stream's records, to tell a record Redis
// never kept from one the mapping never delivered.
import type { Redis } from 'ioredis';
import { DEFAULT_INBOX_SHARDS, inboxKey } from '../../src/events/inbox.js';
import { KinesisStore } from '../../src/events/kinesis/store.js';
import { compareStreamIds } from '../../src/events/kinesis/sequence-numbers.js';
import { QueueWatch, isEmpty, type QueueState } from '../loss/queue-state.js';

const PREFIX = 'klambda';

export interface ShardState {
  shard: number;
  records: number;
  lastId: string | null;
  checkpoint: string | null;
  lease: string | null;
}

export interface EventsState {
  /** Inbox entries held (new and taken, not yet delivered everywhere). */
  inbox: number;
  /** …of which taken by a worker and not finished (the group's pending entries: claimed again once idle). */
  inboxPending: number;
  /** …of which acknowledged in the group yet still in the stream: no worker will take them again (nor remove them). */
  inboxAckedNotDeleted: number;
  queue: QueueState;
  shards: ShardState[];
  /** Shards whose checkpoint is not at their last record. */
  shardsBehind: number;
}

/** Nothing held anywhere: the inbox, the function's queue and the stream are all done. */
export const isDrained = (s: EventsState): boolean => s.inbox === 0 && isEmpty(s.queue) && s.shardsBehind === 0;

export interface StoredRecord { key: string; seq: number; id: string; shard: number }

export class EventsWatch {
  readonly queue: QueueWatch;
  private readonly store: KinesisStore;

  constructor(private readonly redis: Redis, functionName: string, private readonly stream: string, private readonly mapping: string) {
    this.queue = new QueueWatch(redis, functionName);
    this.store = new KinesisStore(redis, { keyPrefix: PREFIX });
  }

  /** Everything now; undefined while Redis does not answer. */
  async state(): Promise<EventsState | undefined> {
    try {
      let inbox = 0;
      let inboxPending = 0;
      let inboxAckedNotDeleted = 0;
      for (let i = 0; i < DEFAULT_INBOX_SHARDS; i++) {
        const g = await this.inboxGroup(inboxKey(PREFIX, i));
        inbox += g.length;
        inboxPending += g.pending;
        inboxAckedNotDeleted += g.ackedNotDeleted;
      }
      const queue = await this.queue.state();
      if (!queue) return undefined;
      const shards = await this.shards();
      const shardsBehind = shards.filter((s) => s.lastId !== null && (s.checkpoint === null || compareStreamIds(s.checkpoint, s.lastId) < 0)).length;
      return { inbox, inboxPending, inboxAckedNotDeleted, queue, shards, shardsBehind };
    } catch {
      return undefined;
    }
  }

  /** One inbox stream: its length, the fan-out group's pending entries, and entries the group has read, acknowledged
   *  and left in the stream (read: up to its last-delivered-id; acknowledged: not pending). */
  private async inboxGroup(key: string): Promise<{ length: number; pending: number; ackedNotDeleted: number }> {
    const length = await this.redis.xlen(key);
    if (length === 0) return { length, pending: 0, ackedNotDeleted: 0 };
    const groups = await this.redis.xinfo('GROUPS', key).catch(() => []) as unknown[][];
    const info = groups.map((g) => Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [String(g[2 * i]), g[2 * i + 1]])))
      .find((g) => g.name === 'fanout');
    if (!info) return { length, pending: 0, ackedNotDeleted: 0 };
    const pending = Number(info.pending);
    const read = (await this.redis.xrange(key, '-', String(info['last-delivered-id']))).length;
    return { length, pending, ackedNotDeleted: read - pending };
  }

  private async shards(): Promise<ShardState[]> {
    const meta = await this.store.getStream('default', this.stream);
    if (!meta) return [];
    const out: ShardState[] = [];
    for (let i = 0; i < meta.shardCount; i++) {
      const k = this.store.shardKeys('default', meta, i);
      out.push({
        shard: i,
        records: await this.redis.xlen(k.records),
        lastId: (await this.store.lastId('default', meta, i)) ?? null,
        checkpoint: await this.redis.hget(k.checkpoints, this.mapping),
        lease: await this.redis.hget(k.leases, this.mapping),
      });
    }
    return out;
  }

  /** Whether every shard of the stream is leased for the mapping (its poller runs). */
  async leased(): Promise<boolean> {
    const shards = await this.shards();
    return shards.length > 0 && shards.every((s) => s.lease !== null);
  }

  /** Every record the stream holds, shard by shard in stream order. */
  async records(): Promise<StoredRecord[]> {
    const meta = await this.store.getStream('default', this.stream);
    if (!meta) return [];
    const out: StoredRecord[] = [];
    for (let i = 0; i < meta.shardCount; i++) {
      for (let start = '-'; ;) {
        const page = await this.store.read('default', meta, i, start, 1000);
        if (page.length === 0) break;
        for (const r of page) {
          try {
            const d = JSON.parse(r.data.toString('utf8')) as { key?: unknown; seq?: unknown };
            if (typeof d.key === 'string' && typeof d.seq === 'number') out.push({ key: d.key, seq: d.seq, id: r.id, shard: i });
          } catch { /* not the bench's record */ }
        }
        start = `(${page[page.length - 1]!.id}`;
      }
    }
    return out;
  }
}

/**
 * What the stream itself holds, against what was accepted: records accepted that Redis does not have (lost before any
 * poller could see them), and records stored out of seq order per key (first occurrences, as for deliveries).
 */
export function storedVerdict(accepted: ReadonlyMap<string, string>, stored: readonly StoredRecord[]) {
  const have = new Set(stored.map((r) => `${r.key} ${r.seq}`));
  const next = new Map<string, number>();
  const seen = new Set<string>();
  let storedOutOfOrder = 0;
  for (const r of stored) {
    const ks = `${r.key} ${r.seq}`;
    if (seen.has(ks)) continue;
    seen.add(ks);
    let n = next.get(r.key) ?? 0;
    if (r.seq !== n) storedOutOfOrder += 1;
    while (seen.has(`${r.key} ${n}`)) n += 1;
    next.set(r.key, n);
  }
  const notStored = [...accepted.keys()].filter((ks) => !have.has(ks));
  return { storedRecords: stored.length, storedDistinct: have.size, acceptedNotStored: notStored.length, acceptedNotStoredSamples: notStored.slice(0, 10), storedOutOfOrder };
}
