// The event source mapping calls in the local mode through the official AWS SDK: Create (a Kinesis stream and an SQS
// queue, their defaults, AT_TIMESTAMP, filters, an on-failure destination) written as manifests into the folder; List
// by function, by source, page by page; Get; Update (settings, turning off, another function, filters removed); Delete;
// a mapping a user wrote by hand, changed and removed where it is; Lambda's refusals, each leaving the folder as it was;
// with --auth, each call authorized as its IAM action on AWS's resource.
import {
  CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand, GetEventSourceMappingCommand, ListEventSourceMappingsCommand,
  LambdaClient, UpdateEventSourceMappingCommand, type CreateEventSourceMappingCommandInput,
} from '@aws-sdk/client-lambda';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { mappingUuid } from '../src/router/lambda/event-source-mappings-backend.js';
import { fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const STREAM = (name: string) => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
const QUEUE = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const FUNCTION = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const code = { 'index.mjs': 'export const handler = async (event) => ({ records: (event.Records ?? []).length });' };

let f: Fixture;

beforeAll(async () => {
  f = await startFixture({
    'counter.yaml': fn('counter', 'nodejs20', 'index.handler', code),
    'audit.yaml': fn('audit', 'nodejs20', 'index.handler', code),
    // a mapping written by hand, beside another document in its file
    'wiring.yaml': [
      'apiVersion: klambda.dev/v1alpha1', 'kind: EventSourceMapping', 'metadata: {name: jobs-to-audit}',
      'spec:', '  source: {queue: jobs}', '  functionName: audit', '  batchSize: 5 # small batches', '---',
      fn('keep', 'nodejs20', 'index.handler', code),
    ].join('\n'),
  });
}, 60_000);
afterAll(async () => { await f?.stop(); });

const create = (input: Omit<CreateEventSourceMappingCommandInput, 'FunctionName'> & { FunctionName?: string }) =>
  f.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'counter', ...input }));
const manifest = (uuid: string) => parse(readFileSync(join(f.dir, `esm-${uuid}.yaml`), 'utf8')) as { metadata: { name: string }; spec: Record<string, unknown> };
const esmFiles = () => readdirSync(f.dir).filter((n) => n.startsWith('esm-')).sort();
const cleanup: string[] = [];
afterEach(async () => {
  for (const uuid of cleanup.splice(0)) await f.lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid })).catch(() => undefined);
});

describe('CreateEventSourceMapping', () => {
  it('maps a Kinesis stream: Lambda\'s answer with a stream\'s defaults, the manifest esm-<uuid>.yaml, Enabled on Get', async () => {
    const before = Math.floor(Date.now() / 1000);
    const out = await create({ EventSourceArn: STREAM('clicks'), StartingPosition: 'TRIM_HORIZON' });
    cleanup.push(out.UUID!);
    expect(out.$metadata.httpStatusCode).toBe(202);
    expect(out.UUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(out).toMatchObject({
      EventSourceArn: STREAM('clicks'), FunctionArn: FUNCTION('counter'), EventSourceMappingArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${out.UUID}`,
      BatchSize: 100, MaximumBatchingWindowInSeconds: 0, StartingPosition: 'TRIM_HORIZON', ParallelizationFactor: 1,
      MaximumRecordAgeInSeconds: -1, MaximumRetryAttempts: -1, BisectBatchOnFunctionError: false, FunctionResponseTypes: [],
      DestinationConfig: { OnFailure: {} }, State: 'Creating', StateTransitionReason: 'USER_INITIATED',
    });
    expect(out.LastModified).toBeInstanceOf(Date);
    expect(out.LastModified!.getTime() / 1000).toBeGreaterThanOrEqual(before);
    const m = manifest(out.UUID!);
    expect(m.metadata.name).toBe(`esm-${out.UUID}`);
    expect(m.spec).toEqual({ source: { stream: 'clicks' }, functionName: 'counter', batchSize: 100, startingPosition: 'TRIM_HORIZON' });
    const got = await f.lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID }));
    expect(got).toMatchObject({ UUID: out.UUID, State: 'Enabled', BatchSize: 100, LastModified: out.LastModified });
  });

  it('maps an SQS queue: batches of 10, no stream members, filters kept as written', async () => {
    const pattern = '{"body": {"kind": ["order"]}}';
    const out = await create({ EventSourceArn: QUEUE('orders'), FilterCriteria: { Filters: [{ Pattern: pattern }] }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    cleanup.push(out.UUID!);
    expect(out).toMatchObject({ EventSourceArn: QUEUE('orders'), BatchSize: 10, FilterCriteria: { Filters: [{ Pattern: pattern }] }, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    for (const member of ['StartingPosition', 'ParallelizationFactor', 'MaximumRetryAttempts', 'BisectBatchOnFunctionError', 'DestinationConfig']) expect(out).not.toHaveProperty(member);
    expect(manifest(out.UUID!).spec).toEqual({
      source: { queue: 'orders' }, functionName: 'counter', batchSize: 10, filterCriteria: { filters: [{ pattern }] }, functionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('starts AT_TIMESTAMP, keeps every stream setting, records failures to a queue, into a function named by its ARN', async () => {
    const at = new Date('2026-12-01T08:30:00Z');
    const out = await create({
      FunctionName: FUNCTION('audit'), EventSourceArn: STREAM('payments'), StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: at,
      BatchSize: 500, MaximumBatchingWindowInSeconds: 5, ParallelizationFactor: 4, MaximumRecordAgeInSeconds: 3600, MaximumRetryAttempts: 3,
      BisectBatchOnFunctionError: true, Enabled: false, DestinationConfig: { OnFailure: { Destination: QUEUE('payments-failed') } },
    });
    cleanup.push(out.UUID!);
    expect(out).toMatchObject({
      FunctionArn: FUNCTION('audit'), StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: at, BatchSize: 500, MaximumBatchingWindowInSeconds: 5,
      ParallelizationFactor: 4, MaximumRecordAgeInSeconds: 3600, MaximumRetryAttempts: 3, BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: QUEUE('payments-failed') } },
    });
    expect(manifest(out.UUID!).spec).toEqual({
      source: { stream: 'payments' }, functionName: 'audit', batchSize: 500, startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '2026-12-01T08:30:00.000Z',
      enabled: false, maximumBatchingWindowSeconds: 5, parallelizationFactor: 4, maximumRecordAgeSeconds: 3600, maximumRetryAttempts: 3,
      bisectBatchOnFunctionError: true, destinationConfig: { onFailure: { queue: 'payments-failed' } },
    });
    expect((await f.lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID }))).State).toBe('Disabled');
  });
});

describe('ListEventSourceMappings', () => {
  it('lists by function and by source, and pages with Marker and MaxItems', async () => {
    const made = [
      await create({ EventSourceArn: QUEUE('a') }), await create({ EventSourceArn: QUEUE('b') }),
      await create({ FunctionName: 'audit', EventSourceArn: QUEUE('a') }),
    ].map((o) => o.UUID!);
    cleanup.push(...made);
    const list = async (input: { FunctionName?: string; EventSourceArn?: string; Marker?: string; MaxItems?: number }) =>
      f.lambda.send(new ListEventSourceMappingsCommand(input));
    const uuids = (out: { EventSourceMappings?: { UUID?: string }[] }) => (out.EventSourceMappings ?? []).map((m) => m.UUID).sort();
    expect(uuids(await list({ FunctionName: 'counter' }))).toEqual([made[0], made[1]].sort());
    expect(uuids(await list({ FunctionName: FUNCTION('audit'), EventSourceArn: QUEUE('a') }))).toEqual([made[2]]);
    expect(uuids(await list({ EventSourceArn: QUEUE('a') }))).toEqual([made[0], made[2]].sort());
    expect(uuids(await list({ FunctionName: 'nobody' }))).toEqual([]);
    // the hand-written mapping is there too, and every page holds one
    const all = uuids(await list({}));
    expect(all).toHaveLength(4);
    const paged: string[] = [];
    let marker: string | undefined;
    do {
      const page = await list({ MaxItems: 1, ...(marker ? { Marker: marker } : {}) });
      expect(page.EventSourceMappings).toHaveLength(1);
      paged.push(page.EventSourceMappings![0]!.UUID!);
      marker = page.NextMarker;
    } while (marker);
    expect(paged.sort()).toEqual(all);
  });
});

describe('UpdateEventSourceMapping', () => {
  it('changes the settings given in the manifest, turns the mapping off, moves it to another function, removes filters', async () => {
    const out = await create({ EventSourceArn: STREAM('views'), StartingPosition: 'LATEST', FilterCriteria: { Filters: [{ Pattern: '{"data": {"n": [1]}}' }] } });
    cleanup.push(out.UUID!);
    const updated = await f.lambda.send(new UpdateEventSourceMappingCommand({
      UUID: out.UUID, BatchSize: 250, Enabled: false, FunctionName: 'audit', FilterCriteria: {}, MaximumRetryAttempts: 2,
    }));
    expect(updated).toMatchObject({ UUID: out.UUID, State: 'Disabling', BatchSize: 250, FunctionArn: FUNCTION('audit'), MaximumRetryAttempts: 2, StartingPosition: 'LATEST' });
    expect(updated).not.toHaveProperty('FilterCriteria');
    expect(updated.LastModified!.getTime()).toBeGreaterThanOrEqual(out.LastModified!.getTime());
    expect(manifest(out.UUID!).spec).toEqual({ source: { stream: 'views' }, functionName: 'audit', batchSize: 250, startingPosition: 'LATEST', enabled: false, maximumRetryAttempts: 2 });
    expect((await f.lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID }))).State).toBe('Disabled');
    const again = await f.lambda.send(new UpdateEventSourceMappingCommand({ UUID: out.UUID, Enabled: true }));
    expect(again.State).toBe('Enabling');
    const touched = await f.lambda.send(new UpdateEventSourceMappingCommand({ UUID: out.UUID, MaximumBatchingWindowInSeconds: 2 }));
    expect(touched).toMatchObject({ State: 'Updating', MaximumBatchingWindowInSeconds: 2 });
  });
});

describe('DeleteEventSourceMapping', () => {
  it('answers the mapping Deleting and removes its manifest; the UUID is then unknown', async () => {
    const out = await create({ EventSourceArn: QUEUE('short-lived') });
    const gone = await f.lambda.send(new DeleteEventSourceMappingCommand({ UUID: out.UUID }));
    expect(gone).toMatchObject({ UUID: out.UUID, State: 'Deleting', EventSourceArn: QUEUE('short-lived') });
    expect(gone.$metadata.httpStatusCode).toBe(202);
    expect(existsSync(join(f.dir, `esm-${out.UUID}.yaml`))).toBe(false);
    await expect(f.lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID })))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.', $metadata: { httpStatusCode: 404 } });
  });
});

describe('a mapping written by hand', () => {
  it('has a UUID that lasts, is changed in its own file (comments kept) and removed from it alone', async () => {
    const find = async () => (await f.lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: QUEUE('jobs') }))).EventSourceMappings ?? [];
    const [mine] = await find();
    expect(mine).toMatchObject({ FunctionArn: FUNCTION('audit'), BatchSize: 5, State: 'Enabled' });
    // derived from its namespace and name: the same on every read, and after a restart
    expect(mine!.UUID).toBe(mappingUuid('default', 'jobs-to-audit'));
    await f.lambda.send(new UpdateEventSourceMappingCommand({ UUID: mine!.UUID, BatchSize: 7 }));
    const text = readFileSync(join(f.dir, 'wiring.yaml'), 'utf8');
    expect(text).toMatch(/batchSize: 7 # small batches/);
    expect(text).toMatch(/kind: Function/);
    await f.lambda.send(new DeleteEventSourceMappingCommand({ UUID: mine!.UUID }));
    const after = readFileSync(join(f.dir, 'wiring.yaml'), 'utf8');
    expect(after).not.toMatch(/EventSourceMapping/);
    expect(after).toMatch(/name: keep/);
  });
});

describe('refusals', () => {
  const refused = async (input: Parameters<typeof create>[0], name: string, message: string | RegExp) => {
    const before = esmFiles();
    await expect(create(input)).rejects.toMatchObject({ name, message: typeof message === 'string' ? message : expect.stringMatching(message) });
    expect(esmFiles()).toEqual(before);
  };

  it('refuses an unknown function, a source that is not ours, and what a source does not take, in Lambda\'s words', async () => {
    await refused({ FunctionName: 'nobody', EventSourceArn: QUEUE('q') }, 'InvalidParameterValueException', 'Function does not exist');
    await refused({ FunctionName: 'counter:nope', EventSourceArn: QUEUE('q') }, 'InvalidParameterValueException', 'Function does not exist');
    await refused({ EventSourceArn: undefined }, 'InvalidParameterValueException', 'Unrecognized event source.');
    await refused({ EventSourceArn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/t/stream/1` }, 'InvalidParameterValueException', /^Unrecognized event source, must be a Kinesis stream or an SQS queue/);
    await refused({ EventSourceArn: 'arn:aws:sqs:us-east-1:111111111111:q' }, 'InvalidParameterValueException', /is in account 111111111111/);
    await refused({ EventSourceArn: 'arn:aws:kinesis:eu-west-1:000000000000:stream/s', StartingPosition: 'LATEST' }, 'InvalidParameterValueException', /is in region 'eu-west-1'/);
    await refused({ EventSourceArn: STREAM('s') }, 'InvalidParameterValueException', "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
    await refused({ EventSourceArn: STREAM('s'), StartingPosition: 'AT_TIMESTAMP' }, 'InvalidParameterValueException', 'Need to specify a timestamp');
    await refused({ EventSourceArn: STREAM('s'), StartingPosition: 'NOW' as never }, 'ValidationException',
      "1 validation error detected: Value 'NOW' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]");
    await refused({ EventSourceArn: QUEUE('q'), StartingPosition: 'LATEST' }, 'InvalidParameterValueException', 'StartingPosition is not valid for SQS event sources.');
    await refused({ EventSourceArn: QUEUE('q'), ParallelizationFactor: 2 }, 'InvalidParameterValueException', "Unsupported 'parallelizationFactor' parameter for given event source mapping type.");
    await refused({ EventSourceArn: QUEUE('q'), DestinationConfig: { OnFailure: { Destination: QUEUE('dlq') } } }, 'InvalidParameterValueException',
      'Unsupported DestinationConfig parameter for given event source mapping type.');
    await refused({ EventSourceArn: QUEUE('q'), BatchSize: 20 }, 'InvalidParameterValueException', 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    await refused({ EventSourceArn: STREAM('s'), StartingPosition: 'LATEST', BatchSize: 10001, ParallelizationFactor: 11 }, 'ValidationException',
      /^2 validation errors detected: Value '10001' at 'batchSize' .*less than or equal to 10000; Value '11' at 'parallelizationFactor' .*less than or equal to 10$/);
    await refused({ EventSourceArn: STREAM('s'), StartingPosition: 'LATEST', DestinationConfig: { OnFailure: { Destination: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default` } } },
      'InvalidParameterValueException', /a function, an SQS queue or an SNS topic$/);
  });

  it('refuses a filter pattern Lambda would refuse, and a sixth filter', async () => {
    await refused({ EventSourceArn: QUEUE('q'), FilterCriteria: { Filters: [{ Pattern: '{"body": {"kind": []}}' }] } }, 'InvalidParameterValueException', 'Invalid filter pattern definition.');
    await refused({ EventSourceArn: QUEUE('q'), FilterCriteria: { Filters: [{ Pattern: 'not json' }] } }, 'InvalidParameterValueException', 'Invalid filter pattern definition.');
    const six = Array.from({ length: 6 }, (_, i) => ({ Pattern: `{"body": {"n": [${i}]}}` }));
    await refused({ EventSourceArn: QUEUE('q'), FilterCriteria: { Filters: six } }, 'InvalidParameterValueException', /limit of 5 filters/);
  });

  it('refuses a second mapping of the same function and source, naming the first', async () => {
    const first = await create({ EventSourceArn: QUEUE('twice') });
    cleanup.push(first.UUID!);
    await refused({ EventSourceArn: QUEUE('twice') }, 'ResourceConflictException',
      `An event source mapping with SQS arn (" ${QUEUE('twice')} ") and function (" counter ") already exists. Please update or delete the existing mapping with UUID ${first.UUID}`);
    const stream = await create({ EventSourceArn: STREAM('twice'), StartingPosition: 'LATEST' });
    cleanup.push(stream.UUID!);
    await refused({ EventSourceArn: STREAM('twice'), StartingPosition: 'TRIM_HORIZON' }, 'ResourceConflictException', new RegExp(`provided mapping already exists\\. Please update or delete the existing mapping with UUID ${stream.UUID}$`));
    // another function of the same source is another mapping
    const other = await create({ FunctionName: 'audit', EventSourceArn: QUEUE('twice') });
    cleanup.push(other.UUID!);
  });

  it('answers an unknown UUID 404 on Get, Update and Delete, and refuses an update a queue does not take', async () => {
    const missing = '6a1d3b4e-0000-4000-8000-000000000000';
    for (const send of [
      () => f.lambda.send(new GetEventSourceMappingCommand({ UUID: missing })),
      () => f.lambda.send(new UpdateEventSourceMappingCommand({ UUID: missing, BatchSize: 5 })),
      () => f.lambda.send(new DeleteEventSourceMappingCommand({ UUID: 'not-a-uuid' })),
    ]) await expect(send()).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.' });
    const q = await create({ EventSourceArn: QUEUE('small') });
    cleanup.push(q.UUID!);
    const text = readFileSync(join(f.dir, `esm-${q.UUID}.yaml`), 'utf8');
    await expect(f.lambda.send(new UpdateEventSourceMappingCommand({ UUID: q.UUID, BatchSize: 50 })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10' });
    await expect(f.lambda.send(new UpdateEventSourceMappingCommand({ UUID: q.UUID, FunctionName: 'nobody' })))
      .rejects.toMatchObject({ name: 'InvalidParameterValueException', message: 'Function does not exist' });
    expect(readFileSync(join(f.dir, `esm-${q.UUID}.yaml`), 'utf8')).toBe(text);
    const ok = await f.lambda.send(new UpdateEventSourceMappingCommand({ UUID: q.UUID, BatchSize: 50, MaximumBatchingWindowInSeconds: 1 }));
    expect(ok).toMatchObject({ BatchSize: 50, MaximumBatchingWindowInSeconds: 1 });
  });

  it('keeps what a hand edit of a manifest says (the folder is the source of truth)', async () => {
    const out = await create({ EventSourceArn: QUEUE('edited') });
    cleanup.push(out.UUID!);
    const file = join(f.dir, `esm-${out.UUID}.yaml`);
    f.write(`esm-${out.UUID}.yaml`, readFileSync(file, 'utf8').replace('batchSize: 10', 'batchSize: 3'));
    await waitFor(async () => ((await f.lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID }))).BatchSize === 3 ? true : undefined), 15_000, 'the edit read');
  });
});

describe('with --auth: each call is its IAM action on AWS\'s resource', () => {
  const ADMIN = { accessKeyId: 'AKIAKLAMBDAESMADMIN1', secretAccessKey: 'admin-secret' };
  const VIEWER = { accessKeyId: 'AKIAKLAMBDAESMVIEW01', secretAccessKey: 'viewer-secret' };
  let g: Fixture;
  const clients: LambdaClient[] = [];
  const client = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const c = new LambdaClient({ endpoint: g.local.url, region: REGION, maxAttempts: 1, credentials });
    clients.push(c);
    return c;
  };
  const keys = mkdtempSync(join(tmpdir(), 'klambda-esm-keys-'));
  let uuid: string;
  let other: string;

  beforeAll(async () => {
    const keyFile = (viewerPolicy: object) => writeFileSync(join(keys, 'keys.ini'), [
      '[admin]', `aws_access_key_id = ${ADMIN.accessKeyId}`, `aws_secret_access_key = ${ADMIN.secretAccessKey}`, '',
      '[viewer]', `aws_access_key_id = ${VIEWER.accessKeyId}`, `aws_secret_access_key = ${VIEWER.secretAccessKey}`, `klambda_policy = ${JSON.stringify(viewerPolicy)}`, '',
    ].join('\n'));
    const list = { Effect: 'Allow', Action: 'lambda:ListEventSourceMappings', Resource: '*' };
    keyFile({ Statement: [list] });
    g = await startFixture({ 'counter.yaml': fn('counter', 'nodejs20', 'index.handler', code) }, { auth: join(keys, 'keys.ini') });
    const admin = client(ADMIN);
    uuid = (await admin.send(new CreateEventSourceMappingCommand({ FunctionName: 'counter', EventSourceArn: QUEUE('guarded') }))).UUID!;
    other = (await admin.send(new CreateEventSourceMappingCommand({ FunctionName: 'counter', EventSourceArn: QUEUE('unseen') }))).UUID!;
    // now that its ARN is known, the viewer may read the first mapping (the key file is reloaded when it changes)
    keyFile({ Statement: [list, { Effect: 'Allow', Action: 'lambda:GetEventSourceMapping', Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${uuid}` }] });
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await g?.stop();
    rmSync(keys, { recursive: true, force: true });
  });

  it('lets the viewer list and get its mapping, and refuses it Create, Update and Delete', async () => {
    const viewer = client(VIEWER);
    await waitFor(async () => (await viewer.send(new GetEventSourceMappingCommand({ UUID: uuid })).then(() => true, () => undefined)), 15_000, 'the viewer\'s new policy');
    expect((await viewer.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings?.map((m) => m.UUID).sort()).toEqual([uuid, other].sort());
    for (const call of [
      () => viewer.send(new GetEventSourceMappingCommand({ UUID: other })),
      () => viewer.send(new CreateEventSourceMappingCommand({ FunctionName: 'counter', EventSourceArn: QUEUE('other') })),
      () => viewer.send(new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 2 })),
      () => viewer.send(new DeleteEventSourceMappingCommand({ UUID: uuid })),
    ]) await expect(call()).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    expect((await client(ADMIN).send(new GetEventSourceMappingCommand({ UUID: uuid }))).BatchSize).toBe(10);
  });
});
