// The Function URL config calls on a cluster: the router (under its own RBAC, SigV4 keys from Secrets) writes the
// Function's and the Alias's spec.url through the real API server, whose generated CRD checks it; a url applied by hand
// (kubectl) is what the API reads, and the API's is what kubectl sees.
import {
  CreateFunctionUrlConfigCommand, DeleteFunctionUrlConfigCommand, GetFunctionUrlConfigCommand, LambdaClient, LambdaServiceException,
  ListFunctionUrlConfigsCommand, ResourceConflictException, UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { derivedAccountId } from '../../src/core/accounts.js';
import { urlId } from '../../src/core/function-url.js';
import { silentLogger } from '../../src/core/logger.js';
import { startClusterRouter, type ClusterRouter } from '../../src/router/cluster-router.js';
import { URL_TIMES_ANNOTATION } from '../../src/router/lambda/function-urls-shape.js';
import { startCluster, type ClusterFixture } from '../control-plane/cluster-fixture.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';

const NS = 'web';
const ARN = `arn:aws:lambda:us-east-1:${derivedAccountId(NS)}:function`;
const OWNER = { accessKeyId: 'AKIAKLAMBDAWEB000001', secretAccessKey: 'web-secret' };
const API = `/apis/klambda.dev/v1alpha1/namespaces/${NS}`;
const READER = { accessKeyId: 'AKIAKLAMBDAWEB000002', secretAccessKey: 'reader-secret' };

let cluster: ClusterFixture;
let redis: TestRedis;
let router: ClusterRouter;
let lambda: LambdaClient;
let reader: LambdaClient;

interface StoredObject { metadata: { annotations?: Record<string, string> }; spec: { url?: Record<string, unknown> } }
const stored = (plural: 'functions' | 'aliases', name: string) => cluster.admin.get<StoredObject>(`${API}/${plural}/${name}`);
const failure = (p: Promise<unknown>): Promise<LambdaServiceException> => p.then(
  () => { throw new Error('expected the call to be refused'); },
  (e: unknown) => { if (e instanceof LambdaServiceException) return e; throw e; },
);
const fnObject = (name: string, url?: Record<string, unknown>) => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name },
  spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } }, ...(url ? { url } : {}) },
});
const urlOf = (name: string, qualifier: string) => `http://${urlId(NS, name, qualifier)}.lambda-url.us-east-1.localhost:${new URL(router.url).port}/`;

beforeAll(async () => {
  [cluster, redis] = await Promise.all([startCluster(), useRedis()]);
  await cluster.admin.create('/api/v1/namespaces', { metadata: { name: NS } });
  await cluster.admin.create(`${API}/functions`, fnObject('shop'));
  await cluster.admin.create(`${API}/aliases`, { apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name: 'shop-live' }, spec: { functionName: 'shop', name: 'live', functionVersion: '$LATEST' } });
  await cluster.admin.create(`/api/v1/namespaces/${NS}/secrets`, {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'owner' }, type: 'klambda.dev/access-key',
    stringData: { accessKeyId: OWNER.accessKeyId, secretAccessKey: OWNER.secretAccessKey },
  });
  // a key that may read the alias's URL config, nothing else
  await cluster.admin.create(`/api/v1/namespaces/${NS}/secrets`, {
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'reader' }, type: 'klambda.dev/access-key',
    stringData: {
      accessKeyId: READER.accessKeyId, secretAccessKey: READER.secretAccessKey,
      policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'lambda:GetFunctionUrlConfig', Resource: `${ARN}:shop:live` }] }),
    },
  });
  router = await startClusterRouter({
    client: cluster.router, redisUrl: redis.url, keyPrefix: randomPrefix(), region: 'us-east-1', accountId: '000000000000', port: 0, host: '127.0.0.1', logger: silentLogger,
  });
  lambda = new LambdaClient({ endpoint: router.url, region: 'us-east-1', maxAttempts: 1, credentials: { ...OWNER } });
  reader = new LambdaClient({ endpoint: router.url, region: 'us-east-1', maxAttempts: 1, credentials: { ...READER } });
}, 10 * 60_000);

afterAll(async () => {
  lambda?.destroy();
  reader?.destroy();
  await router?.stop();
  await cluster?.stop();
  await redis?.stop();
});

it("Create writes the Function's spec.url (the API server fills invokeMode in) and the times annotation; Create again is a conflict", async () => {
  const out = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'shop', AuthType: 'AWS_IAM', Cors: { AllowOrigins: ['*'], AllowHeaders: ['content-type'] } }));
  expect(out).toMatchObject({ FunctionUrl: urlOf('shop', '$LATEST'), FunctionArn: `${ARN}:shop`, AuthType: 'AWS_IAM', InvokeMode: 'BUFFERED' });
  const fn = await stored('functions', 'shop');
  expect(fn.spec.url).toEqual({ authType: 'AWS_IAM', invokeMode: 'BUFFERED', cors: { allowOrigins: ['*'], allowHeaders: ['content-type'] } });
  expect(JSON.parse(fn.metadata.annotations![URL_TIMES_ANNOTATION]!)).toMatchObject({ creationTime: expect.any(String) });
  const again = await failure(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'shop', AuthType: 'NONE' })));
  expect(again).toBeInstanceOf(ResourceConflictException);
}, 60_000);

it("a url applied by hand on the Alias is the alias's URL to the API; Update and Delete write it back", async () => {
  const alias = await cluster.admin.get<Record<string, unknown> & { spec: Record<string, unknown> }>(`${API}/aliases/shop-live`);
  await cluster.admin.replace(`${API}/aliases/shop-live`, { ...alias, spec: { ...alias.spec, url: { authType: 'NONE', invokeMode: 'RESPONSE_STREAM' } } });
  const got = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'shop', Qualifier: 'live' }));
  expect(got).toMatchObject({ FunctionUrl: urlOf('shop', 'live'), FunctionArn: `${ARN}:shop:live`, AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' });
  const list = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'shop' }));
  expect(list.FunctionUrlConfigs!.map((u) => u.FunctionArn)).toEqual([`${ARN}:shop`, `${ARN}:shop:live`]);

  await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'shop:live', Cors: { MaxAge: 600 } }));
  expect((await stored('aliases', 'shop-live')).spec.url).toEqual({ authType: 'NONE', invokeMode: 'RESPONSE_STREAM', cors: { maxAge: 600 } });
  await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'shop', Qualifier: 'live' }));
  const after = await stored('aliases', 'shop-live');
  expect(after.spec.url).toBeUndefined();
  expect(after.metadata.annotations?.[URL_TIMES_ANNOTATION]).toBeUndefined();
}, 60_000);

it("the generated CRD refuses what Lambda refuses, and a header that would break a response", async () => {
  for (const [url, field] of [
    [{ authType: 'NONE', cors: { maxAge: 86401 } }, 'spec.url.cors.maxAge'],
    [{ authType: 'NONE', cors: { allowMethods: ['TRACE'] } }, 'spec.url.cors.allowMethods[0]'],
    [{ authType: 'OPEN' }, 'spec.url.authType'],
    [{ authType: 'NONE', cors: { exposeHeaders: ['x-ok\r\nset-cookie: a=b'] } }, 'spec.url.cors.exposeHeaders[0]'],
    [{ authType: 'NONE', cors: { allowOrigins: Array.from({ length: 101 }, (_, i) => `https://o${i}.example.com`) } }, 'spec.url.cors.allowOrigins'],
  ] as const) {
    const refused = await cluster.admin.create(`${API}/functions`, fnObject('refused', url)).then(() => undefined, (e: { status?: number; message: string }) => e);
    expect(refused?.status).toBe(422);
    expect(refused?.message).toContain(field);
  }
  await cluster.admin.create(`${API}/functions`, fnObject('accepted', { authType: 'NONE', cors: { allowOrigins: ['http://localhost:3000'], allowMethods: ['GET', '*'], maxAge: 86400 } }));
}, 60_000);

it("a key's policy is checked against the action on the qualified ARN: the alias's URL, not $LATEST's, and only Get", async () => {
  // allowed: it gets past the policy to Lambda's own answer (the alias has no URL by now)
  expect((await failure(reader.send(new GetFunctionUrlConfigCommand({ FunctionName: 'shop', Qualifier: 'live' })))).name).toBe('ResourceNotFoundException');
  for (const command of [
    new GetFunctionUrlConfigCommand({ FunctionName: 'shop' }),
    new CreateFunctionUrlConfigCommand({ FunctionName: 'shop', Qualifier: 'live', AuthType: 'NONE' }),
    new ListFunctionUrlConfigsCommand({ FunctionName: 'shop' }),
  ]) {
    const e = await failure(reader.send(command as GetFunctionUrlConfigCommand));
    expect(e.name).toBe('AccessDeniedException');
  }
  expect((await stored('aliases', 'shop-live')).spec.url).toBeUndefined();
}, 60_000);
