// Lambda's SQS event and its answer (pure): the records a batch of messages makes, and which of them a
// ReportBatchItemFailures response says failed.
import { uuidOf } from '../../core/ids.js';
import type { ReceivedMessage } from './store.js';

export interface SqsMessageAttribute {
  stringValue?: string;
  binaryValue?: string;
  stringListValues: string[];
  binaryListValues: string[];
  dataType: string;
}

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, SqsMessageAttribute>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** One record of Lambda's SQS event, as Lambda builds it from a received message. */
export function sqsRecord(m: ReceivedMessage, eventSourceARN: string, awsRegion: string): SqsRecord {
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(m.receiveCount),
    SentTimestamp: String(m.sentTimestamp),
    SenderId: m.senderId,
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp),
  };
  if (m.traceHeader !== undefined) attributes.AWSTraceHeader = m.traceHeader;
  if (m.deadLetterQueueSourceArn !== undefined) attributes.DeadLetterQueueSourceArn = m.deadLetterQueueSourceArn;
  const messageAttributes: Record<string, SqsMessageAttribute> = {};
  for (const [name, a] of Object.entries(m.attributes)) {
    messageAttributes[name] = {
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
      stringListValues: [], binaryListValues: [], dataType: a.DataType,
    };
  }
  return {
    messageId: m.messageId, receiptHandle: m.receiptHandle, body: m.body, attributes, messageAttributes, md5OfBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes !== undefined ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs', eventSourceARN, awsRegion,
  };
}

/**
 * The message ids a ReportBatchItemFailures answer names as failed, or 'all' when the whole batch failed. As Lambda
 * documents: an empty or null answer, or an empty or null `batchItemFailures`, is a complete success; an answer that
 * is not JSON, or an itemIdentifier that is empty, null, misnamed or not a message of the batch, fails the whole batch.
 */
export function failedItems(payload: string, batchIds: ReadonlySet<string>): Set<string> | 'all' {
  if (payload.trim() === '') return new Set();
  let answer: unknown;
  try {
    answer = JSON.parse(payload);
  } catch {
    return 'all';
  }
  if (answer === null) return new Set();
  if (typeof answer !== 'object' || Array.isArray(answer)) return 'all';
  const failures = (answer as Record<string, unknown>).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const failed = new Set<string>();
  for (const f of failures) {
    const id = typeof f === 'object' && f !== null ? (f as Record<string, unknown>).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '' || !batchIds.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}

/** A request id for one invocation of a batch: the same messages, received the same times, give the same id. */
export function batchRequestId(messages: readonly ReceivedMessage[]): string {
  return uuidOf(messages.map((m) => `${m.messageId}:${m.receiveCount}`).join('\n'));
}
