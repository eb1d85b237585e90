// The Kinesis Data Streams operations the router serves, by their X-Amz-Target name (Kinesis_20131202.<name>).
import { KINESIS } from '../../core/json-targets.js';
import type { JsonApiRoutes, TargetContext } from '../json-rpc/dispatch.js';
import type { KinesisCall, KinesisScopeOf } from './context.js';
import { getRecords, getShardIterator, putRecord, putRecords } from './records.js';
import { createStream, deleteStream, describeStream, describeStreamSummary, listShards, listStreams } from './streams.js';

export type { KinesisScope, KinesisScopeOf } from './context.js';
export { MAX_KINESIS_REQUEST_BYTES } from './records.js';

type Operation = (input: Record<string, unknown>, call: KinesisCall) => Promise<unknown>;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateStream: createStream,
  DeleteStream: deleteStream,
  DescribeStream: describeStream,
  DescribeStreamSummary: describeStreamSummary,
  ListStreams: listStreams,
  ListShards: listShards,
  PutRecord: putRecord,
  PutRecords: putRecords,
  GetShardIterator: getShardIterator,
  GetRecords: getRecords,
};

/**
 * Each name is also an operation of core's KINESIS, where its IAM action is. `storeFor` picks the store and the
 * caller's namespace and ARN context per request (one namespace locally; the caller's account on a cluster).
 */
export function kinesisApi(storeFor: KinesisScopeOf, now: () => number = Date.now): JsonApiRoutes {
  const targets = Object.fromEntries(Object.entries(OPERATIONS).map(([name, op]) => [
    name,
    (input: Record<string, unknown>, ctx: TargetContext) => op(input, { ...storeFor(ctx.req), now: now() }),
  ]));
  return { api: KINESIS, targets };
}
