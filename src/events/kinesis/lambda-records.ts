// The JSON Lambda hands a function for Kinesis records, and the record of a discarded batch for its on-failure
// destination (pure).
import { uuidOf } from '../../core/ids.js';
import type { InvocationResult } from '../../core/invocation.js';
import type { StoredRecord } from './store.js';

export interface KinesisEventRecord {
  kinesis: {
    kinesisSchemaVersion: '1.0';
    partitionKey: string;
    sequenceNumber: string;
    data: string;
    approximateArrivalTimestamp: number;
  };
  eventSource: 'aws:kinesis';
  eventVersion: '1.0';
  eventID: string;
  eventName: 'aws:kinesis:record';
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

export interface RecordContext {
  shardId: string;
  streamArn: string;
  region: string;
  invokeIdentityArn: string;
}

export function kinesisEventRecord(r: StoredRecord, ctx: RecordContext): KinesisEventRecord {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.partitionKey,
      sequenceNumber: r.sequenceNumber,
      data: r.data.toString('base64'),
      approximateArrivalTimestamp: r.arrival / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${ctx.shardId}:${r.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: ctx.invokeIdentityArn,
    awsRegion: ctx.region,
    eventSourceARN: ctx.streamArn,
  };
}

const sizes = new WeakMap<StoredRecord, number>();

/** The bytes a record takes in the event (its JSON and a comma), to keep a batch within the 6 MB payload limit. */
export function eventRecordBytes(r: StoredRecord, ctx: RecordContext): number {
  let n = sizes.get(r);
  if (n === undefined) sizes.set(r, n = Buffer.byteLength(JSON.stringify(kinesisEventRecord(r, ctx))) + 1);
  return n;
}

/**
 * A request id stable across the retries of one batch (the same records of the same mapping and shard), shaped as a
 * UUID, so a handler can tell a retry from new work.
 */
export function batchRequestId(mappingKey: string, shardId: string, records: readonly StoredRecord[]): string {
  return uuidOf(`${mappingKey}\n${shardId}\n${records[0]?.sequenceNumber}\n${records[records.length - 1]?.sequenceNumber}\n${records.length}`);
}

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** The record Lambda sends an on-failure destination for a discarded batch of a Kinesis stream. */
export interface KinesisFailureRecord {
  requestContext: { requestId: string; functionArn: string; condition: FailureCondition; approximateInvokeCount: number };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: '1.0';
  timestamp: string;
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface FailureFacts {
  requestId: string;
  functionArn: string;
  condition: FailureCondition;
  invokeCount: number;
  /** The last answer, when the function ran; otherwise the status of the failure to run it. */
  lastResult?: InvocationResult;
  lastStatus?: number;
  now: number;
}

export function kinesisFailureRecord(records: readonly StoredRecord[], ctx: RecordContext, f: FailureFacts): KinesisFailureRecord {
  const first = records[0]!;
  const last = records[records.length - 1]!;
  const result = f.lastResult;
  return {
    requestContext: { requestId: f.requestId, functionArn: f.functionArn, condition: f.condition, approximateInvokeCount: f.invokeCount },
    responseContext: {
      statusCode: result ? 200 : f.lastStatus ?? 0,
      executedVersion: result?.executedVersion ?? '',
      ...(result?.functionError ? { functionError: result.functionError } : {}),
    },
    version: '1.0',
    timestamp: new Date(f.now).toISOString(),
    KinesisBatchInfo: {
      shardId: ctx.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrival).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrival).toISOString(),
      batchSize: records.length,
      streamArn: ctx.streamArn,
    },
  };
}
