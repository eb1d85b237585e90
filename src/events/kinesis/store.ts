// Kinesis-like streams on Redis Streams: a stream is N shards, each shard a Redis Stream. Creates, deletes, lists,
// appends and reads; the API (router/kinesis) and the pollers decide what to do with them.
import { randomBytes } from 'node:crypto';
import type { RedisConnection } from '../../queue/connection.js';
import { shardIndexFor } from './hash-keys.js';
import { DEFAULT_KEY_PREFIX, shardKeys, streamIndexKey, streamMetaKey, type ShardKeys } from './keys.js';
import { runLua, type LuaScript } from './lua.js';
import { arrivalOf, compareStreamIds, toSequenceNumber } from './sequence-numbers.js';

export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

/** Kinesis's default retention, and how many shards ON_DEMAND starts with. */
export const DEFAULT_RETENTION_HOURS = 24;
export const ON_DEMAND_SHARDS = 4;

export interface StreamMeta {
  name: string;
  /** Set at creation: keys of the shards carry it (see keys.ts). */
  epoch: string;
  shardCount: number;
  /** Epoch ms. */
  createdAt: number;
  retentionHours: number;
  mode: StreamMode;
}

export interface StoredRecord {
  /** The Redis stream id (ms-seq). */
  id: string;
  sequenceNumber: string;
  partitionKey: string;
  data: Buffer;
  /** Epoch ms at which Redis accepted it. */
  arrival: number;
}

export interface PutEntry { partitionKey: string; data: Buffer; hashKey: bigint }
/** Where an entry went: its sequence number, or the error that kept its shard's append from Redis. */
export type PutResult = { shardIndex: number; sequenceNumber: string; error?: undefined } | { shardIndex: number; error: Error };

export interface KinesisStoreOptions {
  keyPrefix?: string;
  now?: () => number;
}

/**
 * Input: KEYS[1] the stream's meta hash; ARGV field/value pairs of the new stream.
 * Output: 1 when created, 0 when a stream of that name exists (left as it is).
 */
const CREATE: LuaScript = {
  name: 'createStream',
  numberOfKeys: 1,
  lua: `if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`,
};

/** A shard key outlives its last write by this much beyond the retention (then every record in it is past retention). */
const EXPIRY_MARGIN_MS = 60 * 60 * 1000;

function metaOf(name: string, h: Record<string, string>): StreamMeta | undefined {
  if (!h.epoch) return undefined;
  return {
    name, epoch: h.epoch, shardCount: Number(h.shardCount), createdAt: Number(h.createdAt),
    retentionHours: Number(h.retentionHours ?? DEFAULT_RETENTION_HOURS), mode: h.mode === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED',
  };
}

export class KinesisStore {
  readonly prefix: string;
  private readonly now: () => number;

  constructor(readonly redis: RedisConnection, opts: KinesisStoreOptions = {}) {
    this.prefix = opts.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.now = opts.now ?? Date.now;
  }

  shardKeys(namespace: string, meta: StreamMeta, shardIndex: number): ShardKeys {
    return shardKeys(this.prefix, namespace, meta.name, meta.epoch, shardIndex);
  }

  async getStream(namespace: string, name: string): Promise<StreamMeta | undefined> {
    return metaOf(name, await this.redis.hgetall(streamMetaKey(this.prefix, namespace, name)));
  }

  /** Creates the stream; undefined when one of that name exists already. */
  async createStream(namespace: string, name: string, init: { shardCount: number; mode: StreamMode }): Promise<StreamMeta | undefined> {
    const meta: StreamMeta = {
      name, epoch: `${this.now().toString(36)}${randomBytes(4).toString('hex')}`, shardCount: init.shardCount,
      createdAt: this.now(), retentionHours: DEFAULT_RETENTION_HOURS, mode: init.mode,
    };
    const fields = ['epoch', meta.epoch, 'shardCount', meta.shardCount, 'createdAt', meta.createdAt, 'retentionHours', meta.retentionHours, 'mode', meta.mode];
    const created = await runLua(this.redis, CREATE, [streamMetaKey(this.prefix, namespace, name)], fields.map(String));
    // the index is another slot: written after, and again by ensureStream, so a crash in between is repaired on use
    await this.redis.zadd(streamIndexKey(this.prefix, namespace), 0, name);
    return created === 1 ? meta : undefined;
  }

  /** The stream, created with one shard when it does not exist (what an event source mapping naming it does). */
  async ensureStream(namespace: string, name: string): Promise<StreamMeta> {
    for (;;) {
      const found = await this.getStream(namespace, name);
      if (found) return found;
      const made = await this.createStream(namespace, name, { shardCount: 1, mode: 'PROVISIONED' });
      if (made) return made;
    }
  }

  /** Deletes the stream with its records, leases and checkpoints; false when there was none. */
  async deleteStream(namespace: string, name: string): Promise<boolean> {
    const meta = await this.getStream(namespace, name);
    if (!meta) return false;
    // the meta first: from then on the stream does not exist, whatever is left of its shards
    await this.redis.del(streamMetaKey(this.prefix, namespace, name));
    await this.redis.zrem(streamIndexKey(this.prefix, namespace), name);
    await Promise.all(Array.from({ length: meta.shardCount }, (_, i) => {
      const k = this.shardKeys(namespace, meta, i);
      return this.redis.del(k.records, k.leases, k.checkpoints);
    }));
    return true;
  }

  /** Names in order, after `exclusiveStart`; `more` when others follow. */
  async listStreams(namespace: string, limit: number, exclusiveStart?: string): Promise<{ names: string[]; more: boolean }> {
    const min = exclusiveStart === undefined ? '-' : `(${exclusiveStart}`;
    const names = await this.redis.zrangebylex(streamIndexKey(this.prefix, namespace), min, '+', 'LIMIT', 0, limit + 1);
    return { names: names.slice(0, limit), more: names.length > limit };
  }

  /** The stream's retention as a Redis id: records before it are gone (or about to be). */
  private horizon(meta: StreamMeta): string {
    return `${Math.max(0, this.now() - meta.retentionHours * 3600_000)}-0`;
  }

  /**
   * Appends the entries, each to the shard its hash key falls in; those of one shard in the given order. Trims what is
   * past the retention as it goes. A shard Redis could not append to fails its entries alone (PutRecords's per-record
   * failures).
   */
  async put(namespace: string, meta: StreamMeta, entries: readonly PutEntry[]): Promise<PutResult[]> {
    const byShard = new Map<number, number[]>();
    entries.forEach((e, i) => {
      const s = shardIndexFor(e.hashKey, meta.shardCount);
      byShard.set(s, [...(byShard.get(s) ?? []), i]);
    });
    const results: PutResult[] = new Array<PutResult>(entries.length);
    const minId = this.horizon(meta);
    const expiryMs = meta.retentionHours * 3600_000 + EXPIRY_MARGIN_MS;
    await Promise.all([...byShard].map(async ([shardIndex, indexes]) => {
      const key = this.shardKeys(namespace, meta, shardIndex).records;
      const pipeline = this.redis.pipeline();
      for (const i of indexes) pipeline.xadd(key, 'MINID', '=', minId, '*', 'k', entries[i]!.partitionKey, 'd', entries[i]!.data);
      pipeline.pexpire(key, expiryMs);
      let replies: [Error | null, unknown][];
      try {
        replies = (await pipeline.exec()) ?? [];
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        replies = indexes.map(() => [error, null]);
      }
      indexes.forEach((entryIndex, n) => {
        const [err, id] = replies[n] ?? [new Error('no reply from Redis'), null];
        results[entryIndex] = err ? { shardIndex, error: err } : { shardIndex, sequenceNumber: toSequenceNumber(shardIndex, String(id)) };
      });
    }));
    return results;
  }

  /**
   * Up to `count` records of a shard from `start` (a Redis range start: `-`, `id` inclusive, `(id` exclusive), at most
   * `maxBytes` of data (but always one record when there is one); records past the retention are skipped.
   */
  async read(namespace: string, meta: StreamMeta, shardIndex: number, start: string, count: number, maxBytes = Infinity): Promise<StoredRecord[]> {
    const key = this.shardKeys(namespace, meta, shardIndex).records;
    const horizon = this.horizon(meta);
    // a position before the retention starts at the retention: a page of expired records must not stall a reader
    const startId = start === '-' ? undefined : start.replace(/^\(/, '');
    const from = startId === undefined || compareStreamIds(startId, horizon) < 0 ? horizon : start;
    const entries = await this.redis.xrangeBuffer(key, from, '+', 'COUNT', count);
    const out: StoredRecord[] = [];
    let bytes = 0;
    for (const [rawId, fields] of entries) {
      const id = rawId.toString();
      const f = fieldsOf(fields);
      const data = f.get('d') ?? Buffer.alloc(0);
      if (out.length > 0 && bytes + data.length > maxBytes) break;
      bytes += data.length;
      out.push({ id, sequenceNumber: toSequenceNumber(shardIndex, id), partitionKey: (f.get('k') ?? Buffer.alloc(0)).toString('utf8'), data, arrival: arrivalOf(id) });
    }
    return out.filter((r) => arrivalOf(r.id) >= arrivalOf(horizon));
  }

  /** The id of the shard's newest record, or undefined when it has none. */
  async lastId(namespace: string, meta: StreamMeta, shardIndex: number): Promise<string | undefined> {
    const last = await this.redis.xrevrange(this.shardKeys(namespace, meta, shardIndex).records, '+', '-', 'COUNT', 1);
    return last[0]?.[0];
  }
}

function fieldsOf(flat: Buffer[]): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(flat[i]!.toString(), flat[i + 1]!);
  return m;
}

/** The stream an event source mapping names, created with one shard on first use. */
export const ensureStream = (store: KinesisStore, namespace: string, name: string): Promise<StreamMeta> => store.ensureStream(namespace, name);
