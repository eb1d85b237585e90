// Kinesis Data Streams' operations on the router (AWS JSON 1.1, X-Amz-Target Kinesis_20131202.<name>) and the IAM
// action of each (pure). Each acts on a stream (arn:aws:kinesis:<region>:<account>:stream/<name>), named by the call's
// StreamName or StreamARN (GetRecords: by its shard iterator); ListStreams on the account's streams.
import type { ArnContext } from '../arn.js';
import type { JsonApi, TargetAction } from '../json-targets.js';

const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const STREAM_ARN = /^arn:aws[a-zA-Z-]*:kinesis:[a-z0-9-]*:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128}$/;

/** Any stream of the account: the resource of ListStreams, and of a call whose stream is not (yet) known. */
export const allStreams = (ctx: ArnContext): string => `arn:aws:kinesis:${ctx.region}:${ctx.accountId}:stream/*`;

/** The stream a shard iterator names (see events/kinesis/shard-iterator.ts: base64 JSON [1, ns, stream, …]). */
function iteratorStream(token: unknown): string | undefined {
  if (typeof token !== 'string' || token.length > 512) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    return Array.isArray(v) && typeof v[2] === 'string' && STREAM_NAME.test(v[2]) ? v[2] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The ARN of the stream a call names: its StreamARN as given (another account's ARN is refused by the operation), else
 * its StreamName in the caller's account. Without the input (or a readable name), every stream of the account: a policy
 * that allows only some streams then does not allow the call, which fails closed.
 */
export function streamResource(ctx: ArnContext, input?: Readonly<Record<string, unknown>>): string {
  const arn = input?.StreamARN;
  if (typeof arn === 'string' && STREAM_ARN.test(arn)) return arn;
  const name = input?.StreamName ?? iteratorStream(input?.ShardIterator);
  if (typeof name === 'string' && STREAM_NAME.test(name)) return `arn:aws:kinesis:${ctx.region}:${ctx.accountId}:stream/${name}`;
  return allStreams(ctx);
}

const onStream = (action: string) => (ctx: ArnContext, input?: Readonly<Record<string, unknown>>): TargetAction =>
  ({ action: `kinesis:${action}`, resource: streamResource(ctx, input) });

export const KINESIS: JsonApi = {
  prefix: 'Kinesis_20131202',
  service: 'kinesis',
  protocol: 'awsJson1_1',
  // PutRecords: 500 records and 5 MiB of data, base64 in the JSON body
  maxBodyBytes: 8 * 1024 * 1024,
  operations: {
    CreateStream: onStream('CreateStream'),
    DeleteStream: onStream('DeleteStream'),
    DescribeStream: onStream('DescribeStream'),
    DescribeStreamSummary: onStream('DescribeStreamSummary'),
    ListStreams: (ctx) => ({ action: 'kinesis:ListStreams', resource: allStreams(ctx) }),
    ListShards: onStream('ListShards'),
    PutRecord: onStream('PutRecord'),
    PutRecords: onStream('PutRecords'),
    GetShardIterator: onStream('GetShardIterator'),
    GetRecords: onStream('GetRecords'),
  },
};
