// The event invoke config calls of the local mode through the AWS SDK: spec.async written into the manifests.
import {
  CreateAliasCommand, DeleteFunctionEventInvokeConfigCommand, GetFunctionEventInvokeConfigCommand, LambdaServiceException,
  ListFunctionEventInvokeConfigsCommand, PublishVersionCommand, PutFunctionEventInvokeConfigCommand, ResourceNotFoundException,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { fn, startFixture, type Fixture } from './helpers/local.js';

const ACCOUNT = '000000000000';
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}:${resource}`;
const FAILED = arn('sqs', 'failed-orders');
const AUDIT = arn('lambda', 'function:audit:live');

// a manifest with a comment and a dead letter: both must survive every call
const orders = `# the orders service\n${fn('orders', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async () => 1;' })}  async:\n    deadLetter: {queue: dlq}   # where AWS's DeadLetterConfig goes\n`;

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ 'orders.yaml': orders, 'plain.yaml': fn('plain', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async () => 2;' }) });
}, 60_000);
afterAll(async () => { await f?.stop(); });

/** The documents of a manifest file as they are on disk now. */
const onDisk = (file: string): Array<{ kind: string; spec: Record<string, unknown> }> =>
  parseAllDocuments(readFileSync(join(f.dir, file), 'utf8')).map((d) => d.toJS() as { kind: string; spec: Record<string, unknown> });
const asyncOnDisk = (file: string) => onDisk(file)[0]!.spec.async;

const failure = (p: Promise<unknown>): Promise<LambdaServiceException> => p.then(
  () => { throw new Error('expected the call to be refused'); },
  (e: unknown) => { if (e instanceof LambdaServiceException) return e; throw e; },
);

describe('$LATEST: the Function manifest', () => {
  it('has no config until one is put: Get, Update and Delete answer 404 in AWS words', async () => {
    const message = `The function ${arn('lambda', 'function:orders:$LATEST')} doesn't have an EventInvokeConfig`;
    for (const command of [
      new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders' }),
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'orders', MaximumRetryAttempts: 1 }),
      new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'orders' }),
    ]) {
      const e = await failure(f.lambda.send(command as GetFunctionEventInvokeConfigCommand));
      expect(e).toBeInstanceOf(ResourceNotFoundException);
      expect(e.message).toBe(message);
      expect(e.$metadata.httpStatusCode).toBe(404);
    }
    expect((await f.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'orders' }))).FunctionEventInvokeConfigs).toEqual([]);
  });

  it('Put writes spec.async into the manifest: the limits given or their defaults, the destinations as names; the dead letter and the comments stay', async () => {
    const before = Date.now();
    const out = await f.lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'orders', MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: FAILED } },
    }));
    expect(out).toMatchObject({
      FunctionArn: arn('lambda', 'function:orders:$LATEST'), MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: FAILED } },
    });
    expect(out.LastModified).toBeInstanceOf(Date);
    expect(out.LastModified!.getTime()).toBeGreaterThan(before - 2000);
    expect(out.LastModified!.getTime()).toBeLessThan(Date.now() + 2000);
    expect(asyncOnDisk('orders.yaml')).toEqual({ maximumRetryAttempts: 1, maximumEventAgeSeconds: 21600, onFailure: { queue: 'failed-orders' }, deadLetter: { queue: 'dlq' } });
    const text = readFileSync(join(f.dir, 'orders.yaml'), 'utf8');
    expect(text).toContain('# the orders service');
    expect(text).toContain("# where AWS's DeadLetterConfig goes");

    const got = await f.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: '$LATEST' }));
    expect(got).toMatchObject({ FunctionArn: out.FunctionArn, MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 21600, DestinationConfig: out.DestinationConfig });
  });

  it('Update merges: only what it is given changes', async () => {
    const out = await f.lambda.send(new UpdateFunctionEventInvokeConfigCommand({
      FunctionName: 'orders', MaximumEventAgeInSeconds: 120, DestinationConfig: { OnSuccess: { Destination: AUDIT } },
    }));
    expect(out).toMatchObject({
      MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnSuccess: { Destination: AUDIT }, OnFailure: { Destination: FAILED } },
    });
    expect(asyncOnDisk('orders.yaml')).toEqual({
      maximumRetryAttempts: 1, maximumEventAgeSeconds: 120, onFailure: { queue: 'failed-orders' }, onSuccess: { function: 'audit:live' }, deadLetter: { queue: 'dlq' },
    });
  });

  it('Put replaces: what it does not say goes back to the defaults or away', async () => {
    const out = await f.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', MaximumEventAgeInSeconds: 300 }));
    expect(out).toMatchObject({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300, DestinationConfig: { OnSuccess: {}, OnFailure: {} } });
    expect(asyncOnDisk('orders.yaml')).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 300, deadLetter: { queue: 'dlq' } });
  });

  it('refuses bad values with InvalidParameterValueException and leaves the manifest as it was', async () => {
    const text = readFileSync(join(f.dir, 'orders.yaml'), 'utf8');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ MaximumRetryAttempts: 3 }, /Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2/],
      [{ MaximumEventAgeInSeconds: 59 }, /Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60/],
      [{ DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:999999999999:theirs' } } }, /is in account 999999999999; destinations must be in this account \(000000000000\)/],
      [{ DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:000000000000:far' } } }, /in region 'eu-west-1'/],
      [{ DestinationConfig: { OnSuccess: { Destination: arn('lambda', 'function:orders') } } }, /can't specify the function as a destination for itself/],
      [{}, /You must specify at least one of error handling or destination setting/],
    ];
    for (const [input, message] of cases) {
      for (const command of [new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', ...input }), new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'orders', ...input })]) {
        const e = await failure(f.lambda.send(command));
        expect(e.name).toBe('InvalidParameterValueException');
        expect(e.$metadata.httpStatusCode).toBe(400);
        expect(e.message).toMatch(message);
      }
    }
    expect(readFileSync(join(f.dir, 'orders.yaml'), 'utf8')).toBe(text);
  });

  it('answers 404 for a function that does not exist', async () => {
    for (const command of [
      new GetFunctionEventInvokeConfigCommand({ FunctionName: 'missing' }),
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'missing', MaximumRetryAttempts: 1 }),
      new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'missing' }),
    ]) {
      const e = await failure(f.lambda.send(command as GetFunctionEventInvokeConfigCommand));
      expect(e).toBeInstanceOf(ResourceNotFoundException);
      expect(e.message).toBe(`Function not found: ${arn('lambda', 'function:missing')}`);
    }
  });
});

describe('qualifiers: an alias has its own config, a published version keeps the one it was published with', () => {
  it('a version answers the config it was published with, and refuses changes', async () => {
    await f.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: FAILED } } }));
    const v = await f.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
    expect(v.Version).toBe('1');
    const got = await f.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: '1' }));
    expect(got).toMatchObject({ FunctionArn: arn('lambda', 'function:orders:1'), MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: FAILED } } });

    const versionFile = readFileSync(join(f.dir, 'orders.v1.functionversion.yaml'), 'utf8');
    for (const command of [
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: '1', MaximumRetryAttempts: 1 }),
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'orders:1', MaximumRetryAttempts: 1 }),
      new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: '1' }),
    ]) {
      const e = await failure(f.lambda.send(command));
      expect(e.name).toBe('InvalidParameterValueException');
      expect(e.message).toMatch(/^Version 1 of orders is a published version: an immutable snapshot whose event invoke config was fixed when it was published/);
    }
    expect(readFileSync(join(f.dir, 'orders.v1.functionversion.yaml'), 'utf8')).toBe(versionFile);
    const missing = await failure(f.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: '9' })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  }, 30_000);

  it('an alias: its own spec.async in its manifest, without touching the function', async () => {
    await f.lambda.send(new CreateAliasCommand({ FunctionName: 'orders', Name: 'live', FunctionVersion: '1' }));
    expect(asyncOnDisk('orders.live.alias.yaml')).toBeUndefined();
    await expect(f.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: 'live' })))
      .rejects.toThrow(`The function ${arn('lambda', 'function:orders:live')} doesn't have an EventInvokeConfig`);
    const latest = asyncOnDisk('orders.yaml');

    const put = await f.lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'orders', Qualifier: 'live', MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnSuccess: { Destination: arn('events', 'event-bus/default') } },
    }));
    expect(put).toMatchObject({ FunctionArn: arn('lambda', 'function:orders:live'), MaximumEventAgeInSeconds: 3600, DestinationConfig: { OnSuccess: { Destination: arn('events', 'event-bus/default') } } });
    expect(asyncOnDisk('orders.live.alias.yaml')).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600, onSuccess: { eventBus: 'default' } });
    expect(asyncOnDisk('orders.yaml')).toEqual(latest);

    // the qualifier may come in the name too
    const updated = await f.lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'orders:live', DestinationConfig: { OnFailure: { Destination: arn('sns', 'alarms') } } }));
    expect(updated.DestinationConfig).toEqual({ OnSuccess: { Destination: arn('events', 'event-bus/default') }, OnFailure: { Destination: arn('sns', 'alarms') } });
    expect(asyncOnDisk('orders.live.alias.yaml')).toMatchObject({ onFailure: { topic: 'alarms' } });

    const e = await failure(f.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: 'nope', MaximumRetryAttempts: 1 })));
    expect(e).toBeInstanceOf(ResourceNotFoundException);
  });

  it("lists $LATEST's config and each alias's, a page at a time", async () => {
    const all = await f.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'orders' }));
    expect((all.FunctionEventInvokeConfigs ?? []).map((c) => c.FunctionArn)).toEqual([arn('lambda', 'function:orders:$LATEST'), arn('lambda', 'function:orders:live')]);
    expect(all.FunctionEventInvokeConfigs![0]!.LastModified).toBeInstanceOf(Date);
    const first = await f.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'orders', MaxItems: 1 }));
    expect(first.FunctionEventInvokeConfigs).toHaveLength(1);
    const second = await f.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'orders', MaxItems: 1, Marker: first.NextMarker }));
    expect(second.FunctionEventInvokeConfigs![0]!.FunctionArn).toBe(arn('lambda', 'function:orders:live'));
    expect(second.NextMarker).toBeUndefined();
  });

  it('Delete removes the config from the manifest (a dead letter stays), then Get answers 404', async () => {
    await f.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'orders' }));
    expect(asyncOnDisk('orders.yaml')).toEqual({ deadLetter: { queue: 'dlq' } });
    await expect(f.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders' }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    await f.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: 'live' }));
    expect(asyncOnDisk('orders.live.alias.yaml')).toBeUndefined();
    expect((await f.lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'orders' }))).FunctionEventInvokeConfigs).toEqual([]);
    // a version keeps its own
    expect((await f.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: '1' }))).MaximumRetryAttempts).toBe(0);
  });
});

it('the AWS CLI v1 example of the README works', async () => {
  const aws = promisify(execFile);
  const env = { ...process.env, AWS_DEFAULT_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  let out: string;
  try {
    ({ stdout: out } = await aws('aws', ['lambda', 'put-function-event-invoke-config', '--function-name', 'plain', '--maximum-retry-attempts', '1', '--endpoint-url', f.local.url], { env }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // no AWS CLI on this machine: the SDK tests above stand
    throw e;
  }
  expect(JSON.parse(out)).toMatchObject({ FunctionArn: arn('lambda', 'function:plain:$LATEST'), MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 21600 });
  expect(asyncOnDisk('plain.yaml')).toEqual({ maximumRetryAttempts: 1, maximumEventAgeSeconds: 21600 });
}, 30_000);
