// How streams and shards are shown: DescribeStream's, DescribeStreamSummary's and ListShards's shapes (pure).
import type { ArnContext } from '../../core/arn.js';
import { shardIdOf, shardRanges } from '../../events/kinesis/hash-keys.js';
import { startingSequenceNumber } from '../../events/kinesis/sequence-numbers.js';
import type { StreamMeta } from '../../events/kinesis/store.js';
import { streamArn } from './context.js';

export interface ShardShape {
  ShardId: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string };
}

export function shardsOf(meta: StreamMeta): ShardShape[] {
  return shardRanges(meta.shardCount).map((r, i) => ({
    ShardId: shardIdOf(i),
    HashKeyRange: { StartingHashKey: r.start.toString(), EndingHashKey: r.end.toString() },
    SequenceNumberRange: { StartingSequenceNumber: startingSequenceNumber(i) },
  }));
}

/** The members every description of a stream has (timestamps in epoch seconds, as AWS JSON sends them). */
export function streamSummary(meta: StreamMeta, arn: ArnContext) {
  return {
    StreamName: meta.name,
    StreamARN: streamArn(arn, meta.name),
    StreamStatus: 'ACTIVE',
    StreamModeDetails: { StreamMode: meta.mode },
    StreamCreationTimestamp: meta.createdAt / 1000,
  };
}

export function streamDescription(meta: StreamMeta, arn: ArnContext, shards: ShardShape[], hasMoreShards: boolean) {
  return {
    ...streamSummary(meta, arn),
    Shards: shards,
    HasMoreShards: hasMoreShards,
    RetentionPeriodHours: meta.retentionHours,
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
  };
}

export function streamDescriptionSummary(meta: StreamMeta, arn: ArnContext) {
  return {
    ...streamSummary(meta, arn),
    RetentionPeriodHours: meta.retentionHours,
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
    OpenShardCount: meta.shardCount,
    ConsumerCount: 0,
  };
}
