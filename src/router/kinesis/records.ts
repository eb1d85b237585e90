// Kinesis's record operations: PutRecord, PutRecords, GetShardIterator, GetRecords.
import { invalidArgument, resourceNotFound, shardNotFound } from '../../events/kinesis/errors.js';
import { EXPLICIT_HASH_KEY_PATTERN, explicitHashKey, hashKeyOf, shardIdOf, shardIndexOf } from '../../events/kinesis/hash-keys.js';
import { compareStreamIds, fromSequenceNumber } from '../../events/kinesis/sequence-numbers.js';
import { decodeShardIterator, encodeShardIterator } from '../../events/kinesis/shard-iterator.js';
import type { PutEntry, StreamMeta } from '../../events/kinesis/store.js';
import { requireStream, streamMembers, streamNameOf, type KinesisCall } from './context.js';
import { Members, SEQUENCE_NUMBER_RULE, SHARD_ID_RULE } from './members.js';

/** A record's data and partition key together: at most 1 MiB. */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** PutRecords: at most 500 records, 5 MiB in all. */
export const MAX_PUT_RECORDS = 500;
export const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
/**
 * The largest request body a Kinesis call needs: PutRecords's 5 MiB of data and keys, the data base64 (4/3) and the
 * keys JSON-escaped, with each record's members around them. The router's JSON body limit must reach this for Kinesis.
 */
export const MAX_KINESIS_REQUEST_BYTES = 8 * 1024 * 1024;
/** GetRecords: at most 10,000 records and 10 MiB per call. */
export const MAX_GET_RECORDS = 10_000;
export const MAX_GET_RECORDS_BYTES = 10 * 1024 * 1024;

const PARTITION_KEY_RULE = { required: true, minLength: 1, maxLength: 256 } as const;
const HASH_KEY_RULE = { pattern: EXPLICIT_HASH_KEY_PATTERN.source.slice(2, -2) } as const;
const ITERATOR_TYPES = ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;

interface RecordInput { partitionKey: string | undefined; data: Buffer | undefined; explicitHashKey: string | undefined }

function recordMembers(m: Members): RecordInput {
  return {
    data: m.blob('Data', { required: true, maxBytes: MAX_RECORD_BYTES }),
    explicitHashKey: m.string('ExplicitHashKey', HASH_KEY_RULE),
    partitionKey: m.string('PartitionKey', PARTITION_KEY_RULE),
  };
}

/** The entry to store, or Kinesis's refusal of its size or hash key. */
function entryOf(r: RecordInput): PutEntry {
  const partitionKey = r.partitionKey!;
  const data = r.data!;
  if (data.length + Buffer.byteLength(partitionKey, 'utf8') > MAX_RECORD_BYTES) {
    throw invalidArgument(`Record size exceeds ${MAX_RECORD_BYTES} bytes: the data blob and the partition key together must be at most 1 MiB.`);
  }
  let hashKey: bigint;
  if (r.explicitHashKey !== undefined) {
    const explicit = explicitHashKey(r.explicitHashKey);
    if (explicit === undefined) {
      throw invalidArgument(`Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${r.explicitHashKey}`);
    }
    hashKey = explicit;
  } else {
    hashKey = hashKeyOf(partitionKey);
  }
  return { partitionKey, data, hashKey };
}

export async function putRecord(input: Record<string, unknown>, call: KinesisCall) {
  const m = new Members(input);
  const record = recordMembers(m);
  const given = streamMembers(m);
  m.string('SequenceNumberForOrdering', SEQUENCE_NUMBER_RULE);
  m.check();
  const name = streamNameOf(given(), call);
  const entry = entryOf(record);
  const meta = await requireStream(call, name);
  const [result] = await call.store.put(call.namespace, meta, [entry]);
  if (!result || result.error) throw result?.error ?? new Error('no result');
  return { ShardId: shardIdOf(result.shardIndex), SequenceNumber: result.sequenceNumber, EncryptionType: 'NONE' };
}

export async function putRecords(input: Record<string, unknown>, call: KinesisCall) {
  const m = new Members(input);
  const records = m.list('Records', { required: true, minLength: 1, maxLength: MAX_PUT_RECORDS }, recordMembers);
  const given = streamMembers(m);
  m.check();
  const name = streamNameOf(given(), call);
  const entries = records!.map(entryOf);
  const total = entries.reduce((n, e) => n + e.data.length + Buffer.byteLength(e.partitionKey, 'utf8'), 0);
  if (total > MAX_PUT_RECORDS_BYTES) throw invalidArgument('Records size exceeds 5 MB limit');
  const meta = await requireStream(call, name);
  const results = await call.store.put(call.namespace, meta, entries);
  const failed = results.filter((r) => r.error).length;
  return {
    FailedRecordCount: failed,
    Records: results.map((r) => (r.error
      ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' }
      : { ShardId: shardIdOf(r.shardIndex), SequenceNumber: r.sequenceNumber })),
    EncryptionType: 'NONE',
  };
}

/** The shard's index, or the ResourceNotFoundException Kinesis answers for a shard the stream does not have. */
function shardOf(shardId: string, meta: StreamMeta, call: KinesisCall): number {
  const index = shardIndexOf(shardId);
  if (index === undefined) throw resourceNotFound(`Could not find shard ${shardId} in stream ${meta.name} under account ${call.arn.accountId}.`);
  if (index >= meta.shardCount) throw shardNotFound(shardIdOf(index), meta.name, call.arn.accountId);
  return index;
}

const needsSequence = (type: string, has: 'and also a' | 'and no') => invalidArgument(
  `Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ${type} ${has} StartingSequenceNumber.`);

export async function getShardIterator(input: Record<string, unknown>, call: KinesisCall) {
  const m = new Members(input);
  const shardId = m.string('ShardId', { ...SHARD_ID_RULE, required: true })!;
  const type = m.string('ShardIteratorType', { required: true, values: ITERATOR_TYPES })!;
  const sequence = m.string('StartingSequenceNumber', SEQUENCE_NUMBER_RULE);
  const given = streamMembers(m);
  const timestamp = m.timestamp('Timestamp');
  m.check();
  const meta = await requireStream(call, streamNameOf(given(), call));
  const shardIndex = shardOf(shardId, meta, call);
  let start: string;
  if (type === 'AT_SEQUENCE_NUMBER' || type === 'AFTER_SEQUENCE_NUMBER') {
    if (sequence === undefined) throw needsSequence(type, 'and no');
    const decoded = fromSequenceNumber(sequence);
    if (!decoded) {
      throw invalidArgument(`StartingSequenceNumber ${sequence} used in GetShardIterator on shard ${shardIdOf(shardIndex)} in stream ${meta.name} under account ${call.arn.accountId} is invalid.`);
    }
    if (decoded.shardIndex !== shardIndex) {
      throw invalidArgument(`Invalid StartingSequenceNumber. It encodes ${shardIdOf(decoded.shardIndex)}, while it was used in a call to a shard with ${shardIdOf(shardIndex)}`);
    }
    start = type === 'AT_SEQUENCE_NUMBER' ? decoded.id : `(${decoded.id}`;
  } else if (sequence !== undefined) {
    throw needsSequence(type, 'and also a');
  } else if (type === 'TRIM_HORIZON') {
    start = '-';
  } else if (type === 'LATEST') {
    const last = await call.store.lastId(call.namespace, meta, shardIndex);
    // no record yet: every record to come is after the latest
    start = last === undefined ? '-' : `(${last}`;
  } else {
    if (timestamp === undefined) {
      throw invalidArgument('Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.');
    }
    start = `${Math.max(0, Math.ceil(timestamp))}-0`;
  }
  return { ShardIterator: encodeShardIterator({ namespace: call.namespace, stream: meta.name, epoch: meta.epoch, shardIndex, start, issuedAt: call.now }) };
}

export async function getRecords(input: Record<string, unknown>, call: KinesisCall) {
  const m = new Members(input);
  const token = m.string('ShardIterator', { required: true, minLength: 1, maxLength: 512 })!;
  const limit = m.integer('Limit', { min: 1, max: MAX_GET_RECORDS }) ?? MAX_GET_RECORDS;
  const given = streamMembers(m);
  m.check();
  const it = decodeShardIterator(token, call.now);
  // an iterator of another namespace names nothing the caller can read
  if (it.namespace !== call.namespace) throw invalidArgument('Invalid ShardIterator.');
  const g = given();
  if (g.arn !== undefined && streamNameOf(g, call) !== it.stream) throw invalidArgument('Invalid ShardIterator.');
  const meta = await call.store.getStream(call.namespace, it.stream);
  if (!meta || meta.epoch !== it.epoch || it.shardIndex >= meta.shardCount) throw shardNotFound(shardIdOf(it.shardIndex), it.stream, call.arn.accountId);
  const records = await call.store.read(call.namespace, meta, it.shardIndex, it.start, limit, MAX_GET_RECORDS_BYTES);
  const lastRead = records[records.length - 1];
  const tip = lastRead ? await call.store.lastId(call.namespace, meta, it.shardIndex) : undefined;
  const behind = lastRead !== undefined && tip !== undefined && compareStreamIds(lastRead.id, tip) < 0;
  return {
    Records: records.map((r) => ({
      SequenceNumber: r.sequenceNumber,
      ApproximateArrivalTimestamp: r.arrival / 1000,
      Data: r.data.toString('base64'),
      PartitionKey: r.partitionKey,
    })),
    NextShardIterator: encodeShardIterator({ ...it, start: lastRead ? `(${lastRead.id}` : it.start, issuedAt: call.now }),
    MillisBehindLatest: behind ? Math.max(0, call.now - lastRead.arrival) : 0,
  };
}
