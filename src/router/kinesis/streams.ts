// Kinesis's stream operations: CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary, ListStreams, ListShards.
import { expiredNextToken, invalidArgument, limitExceeded, resourceInUse } from '../../events/kinesis/errors.js';
import { shardIndexOf } from '../../events/kinesis/hash-keys.js';
import { ON_DEMAND_SHARDS, type StreamMode } from '../../events/kinesis/store.js';
import { requireStream, streamArn, streamMembers, streamNameOf, type KinesisCall } from './context.js';
import { shardsOf, streamDescription, streamDescriptionSummary, streamSummary } from './describe.js';
import { Members, SHARD_ID_RULE, STREAM_NAME_RULE } from './members.js';

/** The most shards one stream may have here (AWS's default account quota in most regions). */
export const MAX_SHARDS_PER_STREAM = 200;
const STREAM_MODES = ['PROVISIONED', 'ON_DEMAND'] as const;

export async function createStream(input: Record<string, unknown>, call: KinesisCall): Promise<Record<string, never>> {
  const m = new Members(input);
  const name = m.string('StreamName', { ...STREAM_NAME_RULE, required: true })!;
  const shardCount = m.integer('ShardCount', { min: 1 });
  const mode = m.nested('StreamModeDetails')?.string('StreamMode', { required: true, values: STREAM_MODES });
  m.check();
  const streamMode: StreamMode = mode === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED';
  const count = streamMode === 'ON_DEMAND' ? ON_DEMAND_SHARDS : shardCount ?? 1;
  if (count > MAX_SHARDS_PER_STREAM) {
    throw limitExceeded(`This request would exceed the shard limit for the account ${call.arn.accountId} in ${call.arn.region}. Limit: ${MAX_SHARDS_PER_STREAM}. Number of additional shards that would have resulted from this request: ${count}.`);
  }
  const made = await call.store.createStream(call.namespace, name, { shardCount: count, mode: streamMode });
  if (!made) throw resourceInUse(`Stream ${name} under account ${call.arn.accountId} already exists.`);
  return {};
}

export async function deleteStream(input: Record<string, unknown>, call: KinesisCall): Promise<Record<string, never>> {
  const m = new Members(input);
  const given = streamMembers(m);
  m.string('EnforceConsumerDeletion');
  m.check();
  const name = streamNameOf(given(), call);
  await requireStream(call, name);
  await call.store.deleteStream(call.namespace, name);
  return {};
}

export async function describeStream(input: Record<string, unknown>, call: KinesisCall) {
  const m = new Members(input);
  const given = streamMembers(m);
  const limit = m.integer('Limit', { min: 1, max: 10000 }) ?? 100;
  const after = m.string('ExclusiveStartShardId', SHARD_ID_RULE);
  m.check();
  const meta = await requireStream(call, streamNameOf(given(), call));
  const from = after === undefined ? 0 : (shardIndexOf(after) ?? -1) + 1;
  const all = shardsOf(meta);
  const shards = all.slice(Math.max(0, from), Math.max(0, from) + limit);
  return { StreamDescription: streamDescription(meta, call.arn, shards, Math.max(0, from) + limit < all.length) };
}

export async function describeStreamSummary(input: Record<string, unknown>, call: KinesisCall) {
  const m = new Members(input);
  const given = streamMembers(m);
  m.check();
  const meta = await requireStream(call, streamNameOf(given(), call));
  return { StreamDescriptionSummary: streamDescriptionSummary(meta, call.arn) };
}

/** NextToken of ListStreams and ListShards: what to start after, and when it was handed out (it lasts 300 s). */
const TOKEN_LIFETIME_MS = 300_000;
const encodeToken = (parts: (string | number)[]): string => Buffer.from(JSON.stringify(parts)).toString('base64');

function decodeToken(token: string, now: number): unknown[] {
  let v: unknown;
  try { v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')); } catch { v = undefined; }
  if (!Array.isArray(v) || typeof v[0] !== 'number') throw invalidArgument(`NextToken ${token} is invalid.`);
  if (now - v[0] > TOKEN_LIFETIME_MS) throw expiredNextToken(`The timestamp on the NextToken has expired. Resubmit the request without a NextToken.`);
  return v.slice(1);
}

export async function listStreams(input: Record<string, unknown>, call: KinesisCall) {
  const m = new Members(input);
  const limit = m.integer('Limit', { min: 1, max: 10000 }) ?? 100;
  const start = m.string('ExclusiveStartStreamName', STREAM_NAME_RULE);
  const token = m.string('NextToken', { minLength: 1, maxLength: 1048576 });
  m.check();
  let after = start;
  if (token !== undefined) {
    const [name] = decodeToken(token, call.now);
    if (typeof name !== 'string') throw invalidArgument(`NextToken ${token} is invalid.`);
    after = name;
  }
  const { names, more } = await call.store.listStreams(call.namespace, limit, after);
  const metas = await Promise.all(names.map((n) => call.store.getStream(call.namespace, n)));
  const live = metas.flatMap((meta) => (meta ? [meta] : []));
  const last = names[names.length - 1];
  return {
    StreamNames: live.map((meta) => meta.name),
    HasMoreStreams: more,
    ...(more && last !== undefined ? { NextToken: encodeToken([call.now, last]) } : {}),
    StreamSummaries: live.map((meta) => ({ ...streamSummary(meta, call.arn), StreamARN: streamArn(call.arn, meta.name) })),
  };
}

export async function listShards(input: Record<string, unknown>, call: KinesisCall) {
  const m = new Members(input);
  const given = streamMembers(m);
  const token = m.string('NextToken', { minLength: 1, maxLength: 1048576 });
  const after = m.string('ExclusiveStartShardId', SHARD_ID_RULE);
  const max = m.integer('MaxResults', { min: 1, max: 10000 }) ?? 1000;
  m.structure('ShardFilter');
  m.timestamp('StreamCreationTimestamp');
  m.check();
  let name: string;
  let from: number;
  if (token !== undefined) {
    if (given().name !== undefined) throw invalidArgument('NextToken and StreamName cannot be provided together.');
    if (after !== undefined) throw invalidArgument('NextToken and ExclusiveStartShardId cannot be provided together.');
    const [tokenName, next] = decodeToken(token, call.now);
    if (typeof tokenName !== 'string' || typeof next !== 'number') throw invalidArgument(`NextToken ${token} is invalid.`);
    [name, from] = [tokenName, next];
  } else {
    name = streamNameOf(given(), call);
    from = after === undefined ? 0 : (shardIndexOf(after) ?? -1) + 1;
  }
  const meta = await requireStream(call, name);
  const all = shardsOf(meta);
  const shards = all.slice(from, from + max);
  const more = from + max < all.length;
  return { Shards: shards, ...(more ? { NextToken: encodeToken([call.now, name, from + max]) } : {}) };
}
