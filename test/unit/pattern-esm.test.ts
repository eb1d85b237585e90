import { PatternError } from '../../src/events/pattern/errors.js';
import { compileFilterCriteria, matchesFilterCriteria } from '../../src/events/pattern/filter-criteria.js';
import { esmFilterView, type EsmSource } from '../../src/events/pattern/views.js';

const criteria = (...patterns: unknown[]) => compileFilterCriteria({ Filters: patterns.map((p) => ({ Pattern: typeof p === 'string' ? p : JSON.stringify(p) })) });
const b64 = (data: unknown) => Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString('base64');

const kinesis = (data: unknown, partitionKey = '1') => ({
  kinesis: { kinesisSchemaVersion: '1.0', partitionKey, sequenceNumber: '49590338271490256608559692538361571095921575989136588898', data: b64(data), approximateArrivalTimestamp: 1545084650.987 },
  eventSource: 'aws:kinesis', eventVersion: '1.0', eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
  eventName: 'aws:kinesis:record', awsRegion: 'us-east-2', eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
});
const sqs = (body: string, extra: Record<string, unknown> = {}) => ({
  messageId: '059f36b4-87a3-44ab-83d2-661975830a7d', receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a', body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1545082649183' }, messageAttributes: {}, md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
  eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:my-queue', awsRegion: 'us-east-2', ...extra,
});
const dynamodb = (id: string) => ({
  eventID: '1', eventName: 'INSERT', eventVersion: '1.0', eventSource: 'aws:dynamodb', awsRegion: 'us-east-1',
  dynamodb: { Keys: { Id: { N: id } }, NewImage: { Message: { S: 'New item!' }, Id: { N: id } }, SequenceNumber: '111', SizeBytes: 26, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899',
});

function expectFiltered(c: ReturnType<typeof criteria>, source: EsmSource, pass: Record<string, unknown>[], drop: Record<string, unknown>[]) {
  for (const r of pass) expect({ r, passes: matchesFilterCriteria(c, r, source) }).toEqual({ r, passes: true });
  for (const r of drop) expect({ r, passes: matchesFilterCriteria(c, r, source) }).toEqual({ r, passes: false });
}

// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html ("Control which events Lambda sends to
// your function": basics, filtering examples, multi-level filtering, SQS / Kinesis / DynamoDB sections) and
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-filtering.html
describe('Lambda event source mapping filter criteria', () => {
  it('Kinesis: partitionKey "1" and data.Location "Los Angeles"', () => {
    const c = criteria({ partitionKey: ['1'], data: { Location: ['Los Angeles'] } });
    expectFiltered(c, 'kinesis', [kinesis({ Location: 'Los Angeles', City: 'LA' })], [kinesis({ Location: 'Seattle' }), kinesis({ Location: 'Los Angeles' }, '2')]);
  });

  it('Kinesis: Temperature above 50 and at most 60', () => {
    const c = criteria('{ "data": { "Temperature": [ {"numeric": [ ">", 50, "<=", 60 ] } ] } }');
    expectFiltered(c, 'kinesis', [kinesis({ Temperature: 55 }), kinesis({ Temperature: 60 })], [kinesis({ Temperature: 50 }), kinesis({ Temperature: '55' })]);
  });

  it('Kinesis: orders of type "buy" in base64 JSON data', () => {
    const c = criteria({ data: { order: { type: ['buy'] } } });
    expectFiltered(c, 'kinesis', [kinesis({ record: 12345, order: { type: 'buy', stock: 'ANYCO', quantity: 1000 } })], [kinesis({ record: 12346, order: { type: 'sell', stock: 'ANYCO', quantity: 1000 } })]);
  });

  it('Kinesis: data that is not JSON is dropped by a data pattern, and filtered on metadata otherwise', () => {
    expectFiltered(criteria({ data: { order: [{ exists: true }] } }), 'kinesis', [], [kinesis('plain text')]);
    expectFiltered(criteria({ partitionKey: ['1'] }), 'kinesis', [kinesis('plain text')], [kinesis('plain text', '2')]);
  });

  it('DynamoDB multi-level filtering: Keys.Id.N is "101"', () => {
    const c = criteria('{ "dynamodb": { "Keys": { "Id": { "N": [ "101" ] } } } }');
    expectFiltered(c, 'dynamodb', [dynamodb('101')], [dynamodb('102')]);
  });

  it('SQS: body formats must agree (plain string with plain string, JSON with JSON); metadata filters either', () => {
    const plain = sqs('hello'), json = sqs(JSON.stringify({ greeting: 'hello' }));
    expectFiltered(criteria({ body: ['hello'] }), 'sqs', [plain], [json, sqs('goodbye')]);
    expectFiltered(criteria({ body: { greeting: ['hello'] } }), 'sqs', [json], [plain]);
    expectFiltered(criteria({ attributes: { ApproximateReceiveCount: ['1'] } }), 'sqs', [plain, json], [sqs('hello', { attributes: { ApproximateReceiveCount: '2' } })]);
  });

  it('duplicate keys: Lambda uses the last value', () => {
    const c = criteria('{ "body": { "duplicateKey": ["hello"], "uniqueKey": ["test123"], "duplicateKey": ["world"] } }');
    expectFiltered(c, 'sqs', [sqs(JSON.stringify({ duplicateKey: 'world', uniqueKey: 'test123' }))], [sqs(JSON.stringify({ duplicateKey: 'hello', uniqueKey: 'test123' }))]);
  });

  it('filters are ORed; no filters, or an empty list, let every record through', () => {
    const c = criteria({ body: { a: [1] } }, { body: { b: [2] } });
    expectFiltered(c, 'sqs', [sqs('{"a": 1}'), sqs('{"b": 2}')], [sqs('{"a": 2}')]);
    expectFiltered(compileFilterCriteria(undefined), 'sqs', [sqs('x')], []);
    expectFiltered(compileFilterCriteria({ Filters: [] }), 'sqs', [sqs('x')], []);
  });

  it('refuses a filter without a pattern, or with one AWS refuses, as Lambda words it', () => {
    for (const bad of [{ Filters: [{}] }, { Filters: [{ Pattern: '' }] }, { Filters: [{ Pattern: 'simple string' }] }, { Filters: [{ Pattern: '{"eventSource": "aws:sqs"}' }] }, { Filters: [{ Pattern: '{"eventSource": []}' }] }]) {
      expect(() => compileFilterCriteria(bad)).toThrow(PatternError);
      expect(() => compileFilterCriteria(bad)).toThrow(expect.objectContaining({ awsType: 'InvalidParameterValueException', statusCode: 400, message: 'Invalid filter pattern definition.' }));
    }
  });

  it('shapes records without changing them', () => {
    const record = kinesis({ a: 1 });
    const copy = structuredClone(record);
    expect(esmFilterView(record, 'kinesis')).toMatchObject({ partitionKey: '1', data: { a: 1 }, eventSource: 'aws:kinesis' });
    expect(esmFilterView(sqs('[1, 2]'), 'sqs').body).toEqual([1, 2]);
    expect(esmFilterView(sqs('42'), 'sqs').body).toBe('42');
    expect(record).toEqual(copy);
  });
});
