// Kinesis's partitioning (pure): a partition key's MD5 is a 128-bit hash key, and each shard owns a contiguous range of them.
import { createHash } from 'node:crypto';

/** The hash key space: 0 .. 2^128 - 1. */
export const HASH_KEY_SPACE = 1n << 128n;
export const MAX_HASH_KEY = HASH_KEY_SPACE - 1n;

export interface HashKeyRange { start: bigint; end: bigint }

/** The hash key Kinesis gives a partition key: MD5 of its UTF-8 bytes, read as an unsigned 128-bit number. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** The ranges of a new stream of `count` shards, as CreateStream splits the space: equal parts, the last one to the end. */
export function shardRanges(count: number): HashKeyRange[] {
  const size = HASH_KEY_SPACE / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    start: size * BigInt(i),
    end: i === count - 1 ? MAX_HASH_KEY : size * BigInt(i + 1) - 1n,
  }));
}

/** The index of the shard whose range holds `hashKey` (in 0..MAX_HASH_KEY). */
export function shardIndexFor(hashKey: bigint, count: number): number {
  const size = HASH_KEY_SPACE / BigInt(count);
  return Math.min(count - 1, Number(hashKey / size));
}

/** `shardId-000000000007`, as Kinesis names shards. */
export const shardIdOf = (index: number): string => `shardId-${String(index).padStart(12, '0')}`;

/** A ShardId's index (`shardId-000000000007`, or the number alone, as Kinesis accepts it), or undefined. */
export function shardIndexOf(shardId: string): number | undefined {
  const digits = shardId.startsWith('shardId-') ? shardId.slice('shardId-'.length) : shardId;
  if (!/^\d{1,12}$/.test(digits)) return undefined;
  return Number(digits);
}

/** ExplicitHashKey's model pattern; its value must also be below 2^128. */
export const EXPLICIT_HASH_KEY_PATTERN = /^(0|[1-9]\d{0,38})$/;

/** The explicit hash key as a number, or undefined when it is out of [0, 2^128 - 1] (the pattern is checked before). */
export function explicitHashKey(text: string): bigint | undefined {
  const v = BigInt(text);
  return v <= MAX_HASH_KEY ? v : undefined;
}
