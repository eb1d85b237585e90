// The Kinesis API and stream sources in the local mode: @aws-sdk/client-kinesis with its default (HTTP/2) handler
// against `klambda dev`, and a folder's stream mapping that bisects a failing batch down to its bad record and records
// it in the mapping's on-failure queue as Lambda's KinesisBatchInfo.
import {
  CreateStreamCommand, DeleteStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand,
  KinesisClient, ListStreamsCommand, PutRecordCommand, PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli } from './helpers/aws-cli.js';
import { fn, sharedOutDir, startFixture, waitFor, type Fixture } from './helpers/local.js';

describe('Kinesis (local mode)', () => {
  let fx: Fixture;
  let out: string;
  let kinesis: KinesisClient;
  let sqs: SQSClient;
  const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
  const records = (): Array<Record<string, any>> => readdirSync(out).filter((f) => f.endsWith('.json')).sort().flatMap((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { Records: Array<Record<string, any>> }).Records);
  const dataOf = (r: Record<string, any>): string => Buffer.from(String(r.kinesis.data), 'base64').toString('utf8');

  beforeAll(async () => {
    out = sharedOutDir('klambda-kinesis-');
    // writes each batch it gets, then fails any batch that holds the record "poison"
    const picky = `import { renameSync, writeFileSync } from 'node:fs';
let n = 0;
export const handler = async (e) => {
  const data = e.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
  if (data.includes('poison')) throw new Error('poison in the batch');
  const f = ${JSON.stringify(out)} + '/' + String(Date.now()).padStart(15, '0') + '-' + (n++) + '.json';
  writeFileSync(f + '.tmp', JSON.stringify(e));
  renameSync(f + '.tmp', f);
};`;
    fx = await startFixture({
      'picky.yaml': fn('picky', 'nodejs20', 'index.handler', { 'index.mjs': picky }),
      'orders-esm.yaml': `apiVersion: klambda.dev/v1alpha1
kind: EventSourceMapping
metadata: {name: orders-to-picky}
spec:
  source: {stream: orders}
  functionName: picky
  batchSize: 10
  maximumBatchingWindowSeconds: 1
  startingPosition: TRIM_HORIZON
  bisectBatchOnFunctionError: true
  maximumRetryAttempts: 0
  destinationConfig: {onFailure: {queue: orders-failed}}
`,
    });
    kinesis = new KinesisClient({ endpoint: fx.local.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    sqs = new SQSClient({ endpoint: fx.local.url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  }, 60_000);

  afterAll(async () => {
    kinesis?.destroy();
    sqs?.destroy();
    await fx?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('creates, lists, writes, reads and deletes a stream with the SDK\'s default client', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'e2e-api', ShardCount: 2 }));
    expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toContain('e2e-api');
    expect((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'e2e-api' }))).StreamDescriptionSummary?.OpenShardCount).toBe(2);
    const put = await kinesis.send(new PutRecordCommand({ StreamName: 'e2e-api', PartitionKey: 'k', Data: Buffer.from('hello') }));
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'e2e-api', ShardId: put.ShardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: put.SequenceNumber }));
    const got = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    expect(got.Records?.map((r) => [r.PartitionKey, Buffer.from(r.Data ?? []).toString()])).toEqual([['k', 'hello']]);
    await kinesis.send(new DeleteStreamCommand({ StreamName: 'e2e-api' }));
    await expect(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'e2e-api' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException', message: 'Stream e2e-api under account 000000000000 not found.',
    });
  }, 30_000);

  it('answers the AWS CLI (v1): create, put, read back, and Kinesis\'s error for a missing stream', async () => {
    const aws = awsCli('kinesis', fx.local.url, creds);
    await aws('create-stream', '--stream-name', 'cli', '--shard-count', '1');
    const put = JSON.parse(await aws('put-record', '--stream-name', 'cli', '--partition-key', 'k', '--data', 'from the cli')) as { ShardId: string; SequenceNumber: string };
    expect(put.ShardId).toBe('shardId-000000000000');
    const iterator = JSON.parse(await aws('get-shard-iterator', '--stream-name', 'cli', '--shard-id', put.ShardId, '--shard-iterator-type', 'TRIM_HORIZON')) as { ShardIterator: string };
    const got = JSON.parse(await aws('get-records', '--shard-iterator', iterator.ShardIterator)) as { Records: Array<{ Data: string; SequenceNumber: string }> };
    expect(got.Records.map((r) => [r.SequenceNumber, Buffer.from(r.Data, 'base64').toString()])).toEqual([[put.SequenceNumber, 'from the cli']]);
    await expect(aws('describe-stream-summary', '--stream-name', 'nope')).rejects.toThrow(
      'An error occurred (ResourceNotFoundException) when calling the DescribeStreamSummary operation: Stream nope under account 000000000000 not found.');
  }, 120_000);

  it('a stream mapping bisects a failing batch; the bad record alone goes to the on-failure queue', async () => {
    const put = await kinesis.send(new PutRecordsCommand({
      StreamName: 'orders',
      Records: ['1', '2', 'poison', '4'].map((d) => ({ PartitionKey: 'same', Data: Buffer.from(d) })),
    }));
    expect(put.FailedRecordCount).toBe(0);
    const poisonSeq = put.Records![2]!.SequenceNumber;
    await waitFor(() => (records().length >= 3 ? true : undefined), 60_000, 'the good records')
      .catch((err: unknown) => { throw new Error(`${String(err)}; logs: ${fx.logs.slice(-5).join(' | ')}`); });
    expect(records().map(dataOf).sort()).toEqual(['1', '2', '4']);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders-failed' }));
    const message = await waitFor(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0], 60_000, 'the on-failure record');
    const record = JSON.parse(message.Body!) as Record<string, any>;
    // the poison record was in three invocations: the batch of 4, its half of 2, then alone
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'RetryAttemptsExhausted', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:picky', approximateInvokeCount: 3 },
      responseContext: { statusCode: 200, functionError: 'Unhandled' },
      KinesisBatchInfo: { batchSize: 1, startSequenceNumber: poisonSeq, endSequenceNumber: poisonSeq, streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/orders' },
    });
  }, 120_000);
});

describe('Kinesis with SigV4 (klambda dev --auth)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-kinesis-keys-'));
  const ADMIN = { accessKeyId: 'AKIAKLAMBDAKINADMIN1', secretAccessKey: 'kinesis-admin-secret' };
  const PRODUCER = { accessKeyId: 'AKIAKLAMBDAKINPROD01', secretAccessKey: 'kinesis-producer-secret' };
  writeFileSync(join(dir, 'keys.ini'), `[admin]
aws_access_key_id = ${ADMIN.accessKeyId}
aws_secret_access_key = ${ADMIN.secretAccessKey}

[producer]
aws_access_key_id = ${PRODUCER.accessKeyId}
aws_secret_access_key = ${PRODUCER.secretAccessKey}
klambda_policy = {"Statement": [{"Effect": "Allow", "Action": ["kinesis:PutRecord", "kinesis:PutRecords"], "Resource": "*"}]}
`);
  let fx: Fixture;
  const clients: KinesisClient[] = [];
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }): KinesisClient => {
    const c = new KinesisClient({ endpoint: fx.local.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    fx = await startFixture({}, { auth: join(dir, 'keys.ini') });
  }, 60_000);

  afterAll(async () => {
    clients.forEach((c) => c.destroy());
    await fx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets each key do what its policy allows, signed for kinesis', async () => {
    const admin = client(ADMIN);
    await admin.send(new CreateStreamCommand({ StreamName: 'signed', ShardCount: 1 }));
    const producer = client(PRODUCER);
    const put = await producer.send(new PutRecordCommand({ StreamName: 'signed', PartitionKey: 'k', Data: Buffer.from('signed') }));
    expect(put.ShardId).toBe('shardId-000000000000');
    await expect(producer.send(new GetShardIteratorCommand({ StreamName: 'signed', ShardId: put.ShardId, ShardIteratorType: 'TRIM_HORIZON' })))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('is not authorized to perform: kinesis:GetShardIterator') });
    await expect(producer.send(new DeleteStreamCommand({ StreamName: 'signed' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const { ShardIterator } = await admin.send(new GetShardIteratorCommand({ StreamName: 'signed', ShardId: put.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    expect((await admin.send(new GetRecordsCommand({ ShardIterator }))).Records?.map((r) => Buffer.from(r.Data ?? []).toString())).toEqual(['signed']);
    const stranger = client({ accessKeyId: 'AKIAKLAMBDANOBODY001', secretAccessKey: 'x' });
    await expect(stranger.send(new ListStreamsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  }, 60_000);
});
