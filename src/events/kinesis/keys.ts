// The only place the Redis keys of Kinesis-like streams are named. A stream's metadata has the stream's hash tag; each
// shard's keys (its records, the mappings' leases and checkpoints on it) share the shard's own tag, so one shard's
// scripts run on Redis Cluster and the shards of a stream spread over its nodes.
import { DEFAULT_KEY_PREFIX } from '../../queue/keys.js';
import { shardIdOf } from './hash-keys.js';

export { DEFAULT_KEY_PREFIX };

/** Characters that would break a hash tag or a key pattern. */
const UNSAFE = /[{}*?[\]\\\s]/;

function check(what: string, value: string): string {
  if (value === '' || UNSAFE.test(value)) throw new RangeError(`${what} "${value}" must be non-empty without {, }, *, ?, [, ], \\ or spaces`);
  return value;
}

/** Hash: the stream's metadata (see store.ts StreamMeta). Its existence is the stream's. */
export const streamMetaKey = (prefix: string, namespace: string, stream: string): string =>
  `${check('key prefix', prefix)}:ks:{${check('namespace', namespace)}/${check('stream name', stream)}}:meta`;

/** Sorted set (all scores 0, ordered by name) of the namespace's streams, for ListStreams. */
export const streamIndexKey = (prefix: string, namespace: string): string =>
  `${check('key prefix', prefix)}:ks:{${check('namespace', namespace)}}:streams`;

export interface ShardKeys {
  /** Redis Stream of the shard's records: fields k (partition key), d (data bytes) */
  records: string;
  /** hash mapping id -> "owner deadlineMs": which poller reads the shard for that mapping */
  leases: string;
  /** hash mapping id -> Redis id of the last record done (everything up to it is processed) */
  checkpoints: string;
}

/**
 * The keys of one shard. `epoch` is the stream's creation id: a stream deleted and created again under the same name
 * never sees the old one's records, leases or checkpoints.
 */
export function shardKeys(prefix: string, namespace: string, stream: string, epoch: string, shardIndex: number): ShardKeys {
  const base = `${check('key prefix', prefix)}:ks:{${check('namespace', namespace)}/${check('stream name', stream)}/${check('epoch', epoch)}/${shardIdOf(shardIndex)}}`;
  return { records: `${base}:records`, leases: `${base}:leases`, checkpoints: `${base}:checkpoints` };
}

/** A mapping's id as it is written into lease and checkpoint hashes. */
export const checkMappingId = (id: string): string => check('mapping id', id);
