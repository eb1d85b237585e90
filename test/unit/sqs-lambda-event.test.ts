// Lambda's SQS event records and its reading of a ReportBatchItemFailures answer.
import { batchRequestId, failedItems, sqsRecord } from '../../src/events/sqs/lambda-event.js';
import type { ReceivedMessage } from '../../src/events/sqs/store.js';

const message = (id: string, extra: Partial<ReceivedMessage> = {}): ReceivedMessage => ({
  messageId: id, receiptHandle: `h-${id}`, body: 'b', attributes: {}, md5OfBody: 'm', senderId: 'S', sentTimestamp: 10, receiveCount: 1, firstReceiveTimestamp: 20, ...extra,
});
const ids = new Set(['a', 'b']);

describe('failedItems (ReportBatchItemFailures)', () => {
  it('an empty or null answer, or an empty or null list: every message succeeded', () => {
    for (const p of ['', 'null', '{}', '{"batchItemFailures":[]}', '{"batchItemFailures":null}']) expect(failedItems(p, ids)).toEqual(new Set());
  });
  it('the listed messages failed', () => {
    expect(failedItems('{"batchItemFailures":[{"itemIdentifier":"b"}]}', ids)).toEqual(new Set(['b']));
  });
  it('not JSON, an empty, null, misnamed or unknown identifier: the whole batch failed', () => {
    for (const p of ['not json', '"text"', '[1]', '{"batchItemFailures":[{"itemIdentifier":""}]}', '{"batchItemFailures":[{"itemIdentifier":null}]}',
      '{"batchItemFailures":[{"itemId":"a"}]}', '{"batchItemFailures":[{"itemIdentifier":"zzz"}]}', '{"batchItemFailures":"a"}']) {
      expect(failedItems(p, ids)).toBe('all');
    }
  });
});

describe('sqsRecord', () => {
  it('is Lambda\'s record: system attributes as strings, message attributes in lower camel case with empty lists', () => {
    const r = sqsRecord(message('a', { attributes: { k: { DataType: 'Binary', BinaryValue: 'AQ==' } }, md5OfMessageAttributes: 'x', traceHeader: 'Root=1' }), 'arn:aws:sqs:us-east-1:000000000000:q', 'us-east-1');
    expect(r).toEqual({
      messageId: 'a', receiptHandle: 'h-a', body: 'b', md5OfBody: 'm', md5OfMessageAttributes: 'x', eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q', awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '10', SenderId: 'S', ApproximateFirstReceiveTimestamp: '20', AWSTraceHeader: 'Root=1' },
      messageAttributes: { k: { binaryValue: 'AQ==', stringListValues: [], binaryListValues: [], dataType: 'Binary' } },
    });
  });
  it('a batch\'s request id is stable for the same receives and differs for another', () => {
    expect(batchRequestId([message('a'), message('b')])).toBe(batchRequestId([message('a'), message('b')]));
    expect(batchRequestId([message('a', { receiveCount: 2 })])).not.toBe(batchRequestId([message('a')]));
    expect(batchRequestId([message('a')])).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
