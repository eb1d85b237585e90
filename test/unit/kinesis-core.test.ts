// Kinesis's pure parts: partitioning, sequence numbers, shard iterators, key names and the IAM table.
import { describe, expect, it } from '@jest/globals';
import { KINESIS } from '../../src/core/json-apis/kinesis.js';
import { explicitHashKey, hashKeyOf, MAX_HASH_KEY, shardIdOf, shardIndexFor, shardIndexOf, shardRanges } from '../../src/events/kinesis/hash-keys.js';
import { shardKeys } from '../../src/events/kinesis/keys.js';
import { compareStreamIds, fromSequenceNumber, toSequenceNumber } from '../../src/events/kinesis/sequence-numbers.js';
import { decodeShardIterator, encodeShardIterator } from '../../src/events/kinesis/shard-iterator.js';

const ctx = { region: 'us-east-1', accountId: '000000000000' };

describe('partitioning', () => {
  it('hashes a partition key with MD5 into 128 bits', () => {
    // md5("a") = 0cc175b9c0f1b6a831c399e269772661
    expect(hashKeyOf('a')).toBe(BigInt('0x0cc175b9c0f1b6a831c399e269772661'));
  });

  it('splits the hash key space into contiguous ranges, the last ending at 2^128 - 1', () => {
    for (const n of [1, 2, 3, 7]) {
      const r = shardRanges(n);
      expect(r[0]!.start).toBe(0n);
      expect(r[n - 1]!.end).toBe(MAX_HASH_KEY);
      for (let i = 1; i < n; i++) expect(r[i]!.start).toBe(r[i - 1]!.end + 1n);
      for (const [i, range] of r.entries()) {
        expect(shardIndexFor(range.start, n)).toBe(i);
        expect(shardIndexFor(range.end, n)).toBe(i);
      }
    }
  });

  it('names shards as Kinesis does and reads their ids back', () => {
    expect(shardIdOf(7)).toBe('shardId-000000000007');
    expect(shardIndexOf('shardId-000000000007')).toBe(7);
    expect(shardIndexOf('7')).toBe(7);
    expect(shardIndexOf('shard-x')).toBeUndefined();
  });

  it('takes explicit hash keys up to 2^128 - 1 only', () => {
    expect(explicitHashKey(MAX_HASH_KEY.toString())).toBe(MAX_HASH_KEY);
    expect(explicitHashKey((MAX_HASH_KEY + 1n).toString())).toBeUndefined();
  });
});

describe('sequence numbers', () => {
  it('encode the shard and the Redis id reversibly, ordered as the ids are', () => {
    const ids = ['0-1', '1700000000000-0', '1700000000000-9', '1700000000001-0', `1700000000001-${(1n << 64n) - 1n}`];
    const seqs = ids.map((id) => toSequenceNumber(3, id));
    for (let i = 1; i < ids.length; i++) {
      expect(compareStreamIds(ids[i - 1]!, ids[i]!)).toBe(-1);
      expect(BigInt(seqs[i - 1]!) < BigInt(seqs[i]!)).toBe(true);
    }
    for (const [i, s] of seqs.entries()) expect(fromSequenceNumber(s)).toEqual({ shardIndex: 3, id: ids[i] });
    expect(fromSequenceNumber('49590338271490256608559692538361571095921575989136588898')).toBeUndefined();
  });
});

describe('shard iterators', () => {
  const state = { namespace: 'default', stream: 's', epoch: 'e1', shardIndex: 2, start: '(5-1', issuedAt: 1_000_000 };

  it('round-trip, and expire after 5 minutes with Kinesis\'s message', () => {
    const token = encodeShardIterator(state);
    expect(decodeShardIterator(token, 1_000_000 + 300_000)).toEqual(state);
    expect(() => decodeShardIterator(token, 1_000_000 + 300_001)).toThrow(/^Iterator expired\. The iterator was created at time Thu Jan 01 00:16:40 UTC 1970 while right now it is Thu Jan 01 00:21:40 UTC 1970 which is further in the future than the tolerated delay of 300000 milliseconds\.$/);
  });

  it('refuse what is not an iterator', () => {
    for (const bad of ['', 'abc', Buffer.from('[1,"a"]').toString('base64'), encodeShardIterator({ ...state, start: 'x' })]) {
      expect(() => decodeShardIterator(bad, 1_000_000)).toThrow('Invalid ShardIterator.');
    }
  });
});

describe('keys', () => {
  it('gives the keys of one shard one hash tag, and each shard its own', () => {
    const a = shardKeys('p', 'ns', 's', 'e', 0);
    const b = shardKeys('p', 'ns', 's', 'e', 1);
    const tag = (k: string) => /\{[^}]*\}/.exec(k)![0];
    expect(new Set([tag(a.records), tag(a.leases), tag(a.checkpoints)]).size).toBe(1);
    expect(tag(a.records)).not.toBe(tag(b.records));
    expect(() => shardKeys('p', 'n{s', 's', 'e', 0)).toThrow();
  });
});

describe('IAM actions', () => {
  it('authorizes each operation on the stream it names', () => {
    expect(KINESIS.operations.PutRecord!(ctx)).toEqual({ action: 'kinesis:PutRecord', resource: 'arn:aws:kinesis:us-east-1:000000000000:stream/*' });
    const withInput = KINESIS.operations.PutRecord as (c: typeof ctx, input?: Record<string, unknown>) => unknown;
    expect(withInput(ctx, { StreamName: 'orders' })).toEqual({ action: 'kinesis:PutRecord', resource: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders' });
    expect(withInput(ctx, { StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/x' })).toEqual({ action: 'kinesis:PutRecord', resource: 'arn:aws:kinesis:us-east-1:000000000000:stream/x' });
    const getRecords = KINESIS.operations.GetRecords as (c: typeof ctx, input?: Record<string, unknown>) => unknown;
    const token = encodeShardIterator({ namespace: 'default', stream: 'clicks', epoch: 'e', shardIndex: 0, start: '-', issuedAt: 1 });
    expect(getRecords(ctx, { ShardIterator: token })).toEqual({ action: 'kinesis:GetRecords', resource: 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks' });
    expect(KINESIS.operations.ListStreams!(ctx)).toEqual({ action: 'kinesis:ListStreams', resource: 'arn:aws:kinesis:us-east-1:000000000000:stream/*' });
    expect(Object.keys(KINESIS.operations).sort()).toEqual(['CreateStream', 'DeleteStream', 'DescribeStream', 'DescribeStreamSummary', 'GetRecords', 'GetShardIterator', 'ListShards', 'ListStreams', 'PutRecord', 'PutRecords']);
  });
});
