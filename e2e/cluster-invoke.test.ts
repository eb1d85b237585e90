// The whole path on a real control plane: kubectl-apply a Function → the controller makes its Deployment → the scaler
// starts a pod on the process node (the runtime agent really runs) → the AWS SDK invokes through the router.
import { CreateAliasCommand, InvokeCommand, LambdaClient, PublishVersionCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { jsonLogger, silentLogger } from '../src/core/logger.js';
import { packageRoot } from '../src/core/package-root.js';
import { Controller } from '../src/controller/controller.js';
import { startClusterRouter, type ClusterRouter } from '../src/router/cluster-router.js';
import { startCluster, LEASE_NAMESPACE, type ClusterFixture } from '../test/control-plane/cluster-fixture.js';
import { ProcessNode } from '../test/control-plane/process-node.js';
import { randomPrefix, useRedis, type TestRedis } from '../test/helpers/redis.js';
import { decode, waitFor } from './helpers/local.js';

let cluster: ClusterFixture;
let redis: TestRedis;
let node: ProcessNode;
let controller: Controller;
let router: ClusterRouter;
let lambda: LambdaClient;
const prefix = randomPrefix();
const logger = process.env.KLAMBDA_TEST_LOGS ? jsonLogger(process.stderr, { component: 'e2e' }) : silentLogger;
const api = '/apis/klambda.dev/v1alpha1/namespaces/default';

beforeAll(async () => {
  [cluster, redis] = await Promise.all([startCluster(), useRedis()]);
  node = new ProcessNode({ server: cluster.cp.server, token: cluster.cp.token, rootMap: { '/opt/klambda': packageRoot() } });
  await node.start();
  controller = new Controller({
    client: cluster.controller, redisUrl: redis.url, keyPrefix: prefix, routerUrl: 'http://127.0.0.1',
    workload: {
      agentImage: 'klambda:test', agentRedisUrl: redis.url, region: 'us-east-1', accountId: '000000000000', visibilityGraceMs: 5000,
      redis: { namespace: LEASE_NAMESPACE, podLabels: { app: 'redis' }, port: 6379 },
    },
    identity: 'e2e', leaseNamespace: LEASE_NAMESPACE, leaseRetryMs: 500,
    scaler: { tickMs: 250, idleTimeoutMs: 120_000, maxEnvironments: 2 }, logger,
  });
  controller.start();
  router = await startClusterRouter({
    client: cluster.router, redisUrl: redis.url, keyPrefix: prefix, namespace: 'default', region: 'us-east-1', accountId: '000000000000',
    port: 0, host: '127.0.0.1', logger,
  });
  lambda = new LambdaClient({ endpoint: router.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}, 45 * 60_000);

afterAll(async () => {
  lambda?.destroy();
  await router?.stop();
  await controller?.stop();
  await node?.stop();
  await cluster?.stop();
  await redis?.stop();
});

const handler = (greeting: string) => ({
  inline: { 'index.mjs': `export const handler = async (event) => ({ ${greeting}: event.name ?? 'world', version: process.env.AWS_LAMBDA_FUNCTION_VERSION });` },
});

/** Invokes until the router knows the target (the controller writes routes asynchronously), then returns the answer. */
async function invokeWhenRouted(name: string, payload: unknown) {
  return waitFor(async () => {
    try {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
      return out;
    } catch (e) {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    }
  }, 60_000, `${name} routed`);
}

it('applies a Function and invokes it with the AWS SDK through the router; its pod runs on the process node', async () => {
  await cluster.admin.create(`${api}/functions`, { apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'hello' }, spec: { runtime: 'nodejs20', handler: 'index.handler', code: handler('hello') } });
  const out = await invokeWhenRouted('hello', { name: 'k8s' });
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBeUndefined();
  expect(decode(out.Payload)).toEqual({ hello: 'k8s', version: '$LATEST' });
  expect(out.ExecutedVersion).toBe('$LATEST');
  const pods = await cluster.admin.get<{ items: Array<{ spec: { nodeName: string }; status: { phase: string } }> }>('/api/v1/namespaces/default/pods?labelSelector=klambda.dev%2Ffunction%3Dhello');
  expect(pods.items).toHaveLength(1);
  expect(pods.items[0]).toMatchObject({ spec: { nodeName: node.name }, status: { phase: 'Running' } });
}, 120_000);

it('publishes through the Lambda API and moves an alias\'s traffic when its weights change', async () => {
  const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'hello' }));
  expect(v1.Version).toBe('1');
  await cluster.admin.patch(`${api}/functions/hello`, { spec: { code: handler('hi') } });
  // the router reads the Function as stored: publishing right after the patch publishes the new code
  const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'hello' }));
  expect(v2.Version).toBe('2');
  expect(v2.CodeSha256).not.toBe(v1.CodeSha256);
  expect((await lambda.send(new PublishVersionCommand({ FunctionName: 'hello' }))).Version).toBe('2');

  await lambda.send(new CreateAliasCommand({ FunctionName: 'hello', Name: 'live', FunctionVersion: '1' }));
  const first = await invokeWhenRouted('hello:live', { name: 'a' });
  expect(decode(first.Payload)).toEqual({ hello: 'a', version: '1' });
  expect(first.ExecutedVersion).toBe('1');

  await cluster.admin.patch(`${api}/aliases/hello-live`, { spec: { routingConfig: { additionalVersionWeights: { '2': 0.5 } } } });
  const seen = new Set<string>();
  await waitFor(async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'hello:live', Payload: Buffer.from('{"name":"b"}') }));
    seen.add(out.ExecutedVersion!);
    if (out.ExecutedVersion === '2') expect(decode(out.Payload)).toEqual({ hi: 'b', version: '2' });
    return seen.has('1') && seen.has('2') ? true : undefined;
  }, 60_000, 'both versions serve the alias');

  await cluster.admin.patch(`${api}/aliases/hello-live`, { spec: { functionVersion: '2', routingConfig: null } });
  await waitFor(async () => (router.routes.entry('default', 'hello')?.aliases.live?.functionVersion === '2' ? true : undefined), 20_000, 'alias moved to 2');
  for (let i = 0; i < 10; i++) {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'hello:live', Payload: Buffer.from('{}') }));
    expect(out.ExecutedVersion).toBe('2');
  }
}, 180_000);
