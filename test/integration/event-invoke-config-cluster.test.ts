// The event invoke config calls on a cluster: the router (under its own RBAC, SigV4 keys from Secrets) writes the
// Function's and the Alias's spec.async through the real API server, which fills the schema's defaults in.
import {
  CreateAliasCommand, DeleteFunctionEventInvokeConfigCommand, GetFunctionEventInvokeConfigCommand, LambdaClient, LambdaServiceException,
  ListFunctionEventInvokeConfigsCommand, PublishVersionCommand, PutFunctionEventInvokeConfigCommand, ResourceNotFoundException,
  UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import { derivedAccountId } from '../../src/core/accounts.js';
import { silentLogger } from '../../src/core/logger.js';
import { startClusterRouter, type ClusterRouter } from '../../src/router/cluster-router.js';
import { EVENT_INVOKE_CONFIG_MODIFIED } from '../../src/router/lambda/kube-catalog.js';
import { startCluster, type ClusterFixture } from '../control-plane/cluster-fixture.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';

const NS = 'shop';
const ACCOUNT = derivedAccountId(NS);
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}:${resource}`;
const FAILED = arn('sqs', 'failed-orders');
const OWNER = { accessKeyId: 'AKIAKLAMBDASHOP00001', secretAccessKey: 'shop-secret' };
const READER = { accessKeyId: 'AKIAKLAMBDASHOP00002', secretAccessKey: 'reader-secret' };

let cluster: ClusterFixture;
let redis: TestRedis;
let router: ClusterRouter;
let lambda: LambdaClient;
let reader: LambdaClient;

interface StoredObject { metadata: { resourceVersion: string; annotations?: Record<string, string> }; spec: { async?: Record<string, unknown> } }
const stored = (plural: 'functions' | 'aliases', name: string) => cluster.admin.get<StoredObject>(`/apis/klambda.dev/v1alpha1/namespaces/${NS}/${plural}/${name}`);

const failure = (p: Promise<unknown>): Promise<LambdaServiceException> => p.then(
  () => { throw new Error('expected the call to be refused'); },
  (e: unknown) => { if (e instanceof LambdaServiceException) return e; throw e; },
);

const fnObject = (name: string, async?: Record<string, unknown>) => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name },
  spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } }, ...(async ? { async } : {}) },
});

beforeAll(async () => {
  [cluster, redis] = await Promise.all([startCluster(), useRedis()]);
  await cluster.admin.create('/api/v1/namespaces', { metadata: { name: NS } });
  const functions = `/apis/klambda.dev/v1alpha1/namespaces/${NS}/functions`;
  await cluster.admin.create(functions, fnObject('orders', { deadLetter: { queue: 'dlq' } }));
  await cluster.admin.create(functions, fnObject('written', { maximumRetryAttempts: 0, onFailure: { topic: 'alarms' } }));
  for (const [name, key, policy] of [
    ['owner', OWNER, undefined],
    ['reader', READER, { Statement: [{ Effect: 'Allow', Action: 'lambda:GetFunctionEventInvokeConfig', Resource: arn('lambda', 'function:orders*') }] }],
  ] as const) {
    await cluster.admin.create(`/api/v1/namespaces/${NS}/secrets`, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'klambda.dev/access-key',
      stringData: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, ...(policy ? { policy: JSON.stringify(policy) } : {}) },
    });
  }
  router = await startClusterRouter({
    client: cluster.router, redisUrl: redis.url, keyPrefix: randomPrefix(), region: 'us-east-1', accountId: '000000000000', port: 0, host: '127.0.0.1', logger: silentLogger,
  });
  const client = (credentials: typeof OWNER) => new LambdaClient({ endpoint: router.url, region: 'us-east-1', maxAttempts: 1, credentials: { ...credentials } });
  lambda = client(OWNER);
  reader = client(READER);
}, 10 * 60_000);

afterAll(async () => {
  lambda?.destroy();
  reader?.destroy();
  await router?.stop();
  await cluster?.stop();
  await redis?.stop();
});

it('a Function the API server defaulted has no config: Get, Update and Delete answer 404', async () => {
  // every stored Function has spec.async's defaults filled in; that alone is no config
  expect((await stored('functions', 'orders')).spec.async).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, deadLetter: { queue: 'dlq' } });
  for (const command of [
    new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders' }),
    new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'orders', MaximumRetryAttempts: 1 }),
    new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'orders' }),
  ]) {
    const e = await failure(lambda.send(command as GetFunctionEventInvokeConfigCommand));
    expect(e).toBeInstanceOf(ResourceNotFoundException);
    expect(e.message).toBe(`The function ${arn('lambda', 'function:orders:$LATEST')} doesn't have an EventInvokeConfig`);
  }
});

it('a Put of nothing but the defaults is still a config (the annotation says so), with its LastModified', async () => {
  const before = Date.now();
  const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', MaximumRetryAttempts: 2 }));
  expect(put).toMatchObject({ FunctionArn: arn('lambda', 'function:orders:$LATEST'), MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600, DestinationConfig: { OnSuccess: {}, OnFailure: {} } });
  const object = await stored('functions', 'orders');
  expect(Date.parse(object.metadata.annotations![EVENT_INVOKE_CONFIG_MODIFIED]!)).toBeGreaterThanOrEqual(before - 1000);
  const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders' }));
  expect(got.LastModified!.getTime()).toBe(put.LastModified!.getTime());
});

it('Put replaces and Update merges, on the stored Function; the dead letter stays', async () => {
  await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: FAILED } } }));
  expect((await stored('functions', 'orders')).spec.async)
    .toEqual({ maximumRetryAttempts: 1, maximumEventAgeSeconds: 21600, onFailure: { queue: 'failed-orders' }, deadLetter: { queue: 'dlq' } });
  const updated = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({
    FunctionName: 'orders', MaximumEventAgeInSeconds: 120, DestinationConfig: { OnSuccess: { Destination: arn('lambda', 'function:audit') } },
  }));
  expect(updated).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 120, DestinationConfig: { OnSuccess: { Destination: arn('lambda', 'function:audit') }, OnFailure: { Destination: FAILED } } });
  expect((await stored('functions', 'orders')).spec.async)
    .toEqual({ maximumRetryAttempts: 1, maximumEventAgeSeconds: 120, onFailure: { queue: 'failed-orders' }, onSuccess: { function: 'audit' }, deadLetter: { queue: 'dlq' } });
});

it('refuses bad values (400) and writes nothing', async () => {
  const { resourceVersion } = (await stored('functions', 'orders')).metadata;
  for (const [input, message] of [
    [{ MaximumRetryAttempts: 3 }, /Member must have value less than or equal to 2/],
    [{ MaximumEventAgeInSeconds: 59 }, /Member must have value greater than or equal to 60/],
    [{ DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:999999999999:theirs' } } }, new RegExp(`in account 999999999999; destinations must be in this account \\(${ACCOUNT}\\)`)],
  ] as const) {
    const e = await failure(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', ...input })));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.message).toMatch(message);
  }
  expect((await stored('functions', 'orders')).metadata.resourceVersion).toBe(resourceVersion);
});

it('reads a config written with kubectl (no annotation): one that says more than the defaults', async () => {
  const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'written' }));
  expect(got).toMatchObject({ MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: arn('sns', 'alarms') } } });
});

it('a published version answers what it was published with and refuses changes; an alias has its own', async () => {
  expect((await lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }))).Version).toBe('1');
  expect(await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: '1' })))
    .toMatchObject({ FunctionArn: arn('lambda', 'function:orders:1'), MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 120 });
  const fixed = await failure(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: '1', MaximumRetryAttempts: 0 })));
  expect(fixed.name).toBe('InvalidParameterValueException');
  expect(fixed.message).toMatch(/^Version 1 of orders is a published version/);

  await lambda.send(new CreateAliasCommand({ FunctionName: 'orders', Name: 'live', FunctionVersion: '1' }));
  await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders:live' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({
    FunctionName: 'orders', Qualifier: 'live', MaximumEventAgeInSeconds: 3600, DestinationConfig: { OnSuccess: { Destination: arn('events', 'event-bus/default') } },
  }));
  expect(put).toMatchObject({ FunctionArn: arn('lambda', 'function:orders:live'), MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
  expect((await stored('aliases', 'orders-live')).spec.async).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600, onSuccess: { eventBus: 'default' } });

  const listed = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'orders' }));
  expect((listed.FunctionEventInvokeConfigs ?? []).map((c) => c.FunctionArn)).toEqual([arn('lambda', 'function:orders:$LATEST'), arn('lambda', 'function:orders:live')]);
});

it('maps each call to its IAM action: a key allowed only Get reads but cannot write', async () => {
  expect((await reader.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: 'live' }))).MaximumEventAgeInSeconds).toBe(3600);
  const denied = await failure(reader.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', MaximumRetryAttempts: 0 })));
  expect(denied.name).toBe('AccessDeniedException');
  expect(denied.message).toContain(`lambda:PutFunctionEventInvokeConfig on resource: ${arn('lambda', 'function:orders')}`);
  expect((await failure(reader.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'orders' })))).name).toBe('AccessDeniedException');
});

it('Delete leaves the dead letter (and the API server its defaults), drops the annotation; the alias loses its async', async () => {
  await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'orders' }));
  const object = await stored('functions', 'orders');
  expect(object.spec.async).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, deadLetter: { queue: 'dlq' } });
  expect(object.metadata.annotations?.[EVENT_INVOKE_CONFIG_MODIFIED]).toBeUndefined();
  await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'orders' }))).rejects.toBeInstanceOf(ResourceNotFoundException);

  await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'orders', Qualifier: 'live' }));
  expect((await stored('aliases', 'orders-live')).spec.async).toBeUndefined();
  expect((await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'orders' }))).FunctionEventInvokeConfigs).toEqual([]);
  await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
});
