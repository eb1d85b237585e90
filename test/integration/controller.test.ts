// The controller against the real API server, running with config/rbac's least-privilege role (not as admin).
import { Redis } from 'ioredis';
import { jsonLogger, silentLogger } from '../../src/core/logger.js';
import { Controller } from '../../src/controller/controller.js';
import { runtimeImages } from '../../src/controller/resources/images.js';
import { FINALIZER } from '../../src/controller/object-status.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { isConflict } from '../../src/kube/client.js';
import { queueKeys } from '../../src/queue/keys.js';
import { derivedAccountId } from '../../src/core/accounts.js';
import { RoutingTable } from '../../src/queue/routing-table.js';
import { mappingUuid } from '../../src/router/lambda/event-source-mappings-backend.js';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { startCluster, LEASE_NAMESPACE, type ClusterFixture } from '../control-plane/cluster-fixture.js';
import { waitFor } from '../../e2e/helpers/local.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';

let cluster: ClusterFixture;
let redis: TestRedis;
let commands: Redis;
let controller: Controller;
let table: RoutingTable;
const prefix = randomPrefix();
const logger = process.env.KLAMBDA_TEST_LOGS ? jsonLogger(process.stderr, { component: 'controller' }) : silentLogger;
const NS = 'default';
const api = '/apis/klambda.dev/v1alpha1/namespaces/default';

function newController(identity: string): Controller {
  return new Controller({
    client: cluster.controller, redisUrl: redis.url, keyPrefix: prefix, routerUrl: 'http://router.test',
    workload: {
      agentImage: 'klambda:test', runtimeImages: runtimeImages('klambda:test'), agentRedisUrl: redis.url, region: 'us-east-1', accountId: '000000000000', visibilityGraceMs: 5000,
      redis: { namespace: 'klambda-system', podLabels: { app: 'redis' }, port: 6379 },
    },
    identity, leaseNamespace: LEASE_NAMESPACE, leaseDurationSeconds: 4, leaseRetryMs: 300, resyncMs: 60_000,
    scaler: { tickMs: 250, idleTimeoutMs: 2000, maxEnvironments: 4 }, logger,
  });
}

beforeAll(async () => {
  [cluster, redis] = await Promise.all([startCluster(), useRedis()]);
  commands = new Redis(redis.url);
  table = new RoutingTable(commands, prefix);
  controller = newController('replica-a');
  controller.start();
}, 45 * 60_000);

afterAll(async () => {
  await controller?.stop();
  commands?.disconnect();
  await cluster?.stop();
  await redis?.stop();
});

interface Obj extends KubeObject { spec: Record<string, unknown>; status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }>; observedGeneration?: number; latestVersion?: string; url?: string } }
const get = (path: string) => cluster.admin.find<Obj>(path);
const ready = (o: Obj | undefined) => o?.status?.conditions?.find((c) => c.type === 'Ready');
const fnObj = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name }, spec });
const code = (body: string) => ({ inline: { 'index.mjs': `export const handler = async () => ${body};` } });
const deployment = (name: string) => get(`/apis/apps/v1/namespaces/default/deployments/${name}`) as Promise<(Obj & { spec: { replicas: number; template: { spec: { containers: Array<{ resources: { limits: Record<string, string> }; env: Array<{ name: string; value: string }> }> } } } }) | undefined>;

it('deploys a Function: code ConfigMap and Deployment owned by it, its route in Redis, status Ready with the invoke URL', async () => {
  await cluster.admin.create(`${api}/functions`, fnObj('hello', { runtime: 'nodejs20', handler: 'index.handler', code: code('"hi"') }));
  const fn = await waitFor(async () => { const f = await get(`${api}/functions/hello`); return ready(f)?.status === 'True' ? f : undefined; }, 20_000, 'hello Ready');
  expect(ready(fn)).toMatchObject({ reason: 'Deployed' });
  expect(fn.status?.observedGeneration).toBe(1);
  expect(fn.status?.url).toBe('http://router.test/2015-03-31/functions/hello/invocations');
  expect(fn.metadata.finalizers).toContain(FINALIZER);
  const cm = await get('/api/v1/namespaces/default/configmaps/hello-latest-code');
  expect(cm?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Function', name: 'hello', uid: fn.metadata.uid, controller: true });
  const d = await deployment('hello-latest');
  expect(d?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Function', uid: fn.metadata.uid });
  expect(d?.spec.replicas).toBe(0);
  expect(await table.read(NS, 'hello')).toMatchObject({ fn: { latest: { timeoutSeconds: 3 } } });
  const events = await cluster.admin.get<{ items: Array<{ reason: string; involvedObject: { name: string } }> }>('/api/v1/namespaces/default/events');
  expect(events.items.some((e) => e.involvedObject.name === 'hello' && e.reason === 'Deployed')).toBe(true);
});

it('updates the Deployment when the Function changes, and puts back a hand-edited Deployment', async () => {
  await cluster.admin.patch(`${api}/functions/hello`, { spec: { memoryMB: 1769, timeoutSeconds: 10 } });
  // containers[0] is the agent, [1] the function
  const d = await waitFor(async () => { const x = await deployment('hello-latest'); return x?.spec.template.spec.containers[1]?.resources.limits.memory === '1769Mi' ? x : undefined; }, 20_000, 'memory updated');
  expect(d.spec.template.spec.containers[1]!.resources.limits.cpu).toBe('1');
  await waitFor(async () => ((await get(`${api}/functions/hello`))?.status?.observedGeneration === 2 ? true : undefined), 10_000, 'generation 2 observed');
  expect((await table.read(NS, 'hello'))?.fn?.latest.timeoutSeconds).toBe(10);
  // someone scales and edits the Deployment: the template is put back, the replicas (the scaler's) are kept
  // (read, edit, write; again on a conflict: the Deployment controller writes its status meanwhile, as kubectl edit would meet)
  await waitFor(async () => {
    const edited = (await deployment('hello-latest'))!;
    edited.spec.replicas = 0;
    edited.spec.template.spec.containers[0]!.env = [{ name: 'KLAMBDA_AGENT_CONFIG', value: '{}' }];
    try {
      await cluster.admin.replace('/apis/apps/v1/namespaces/default/deployments/hello-latest', edited);
      return true;
    } catch (e) {
      if (isConflict(e)) return undefined;
      throw e;
    }
  }, 20_000, 'the hand edit written');
  await waitFor(async () => ((await deployment('hello-latest'))?.spec.template.spec.containers[0]?.env[0]?.value.includes('"functionName":"hello"') ? true : undefined), 20_000, 'template restored');
});

it('adds a NetworkPolicy for a private function and removes it when it is public again', async () => {
  await cluster.admin.patch(`${api}/functions/hello`, { spec: { networking: 'private' } });
  await waitFor(() => get('/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/hello-latest'), 20_000, 'NetworkPolicy');
  await cluster.admin.patch(`${api}/functions/hello`, { spec: { networking: 'public' } });
  await waitFor(async () => ((await get('/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/hello-latest')) ? undefined : true), 20_000, 'NetworkPolicy removed');
});

it('publishes on spec.publish: one version per code digest, numbered, with its own Deployment', async () => {
  await cluster.admin.create(`${api}/functions`, fnObj('pub', { runtime: 'nodejs20', handler: 'index.handler', code: code('1'), publish: true }));
  const v1 = await waitFor(() => get(`${api}/functionversions/pub-v1`), 20_000, 'pub-v1');
  expect(v1.spec).toMatchObject({ functionName: 'pub', version: '1', function: { code: code('1') } });
  await waitFor(async () => ((await get(`${api}/functions/pub`))?.status?.latestVersion === '1' ? true : undefined), 20_000, 'latestVersion 1');
  await waitFor(() => deployment('pub-v1'), 20_000, 'pub-v1 Deployment');
  await waitFor(async () => ((await table.read(NS, 'pub'))?.versions['1'] ? true : undefined), 20_000, 'version 1 routed');
  // a change that keeps code and config (a label) publishes nothing new
  await cluster.admin.patch(`${api}/functions/pub`, { metadata: { labels: { team: 'a' } } });
  await new Promise((r) => setTimeout(r, 1500));
  expect(await get(`${api}/functionversions/pub-v2`)).toBeUndefined();
  await cluster.admin.patch(`${api}/functions/pub`, { spec: { code: code('2') } });
  const v2 = await waitFor(() => get(`${api}/functionversions/pub-v2`), 20_000, 'pub-v2');
  expect(v2.spec.codeSha256).not.toBe(v1.spec.codeSha256);
});

it('writes an Alias to the routing table, follows a weight change, and keeps the last good route for a missing version', async () => {
  await cluster.admin.create(`${api}/aliases`, { apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name: 'pub-live' }, spec: { functionName: 'pub', name: 'live', functionVersion: '1' } });
  await waitFor(async () => ((await table.read(NS, 'pub'))?.aliases.live ? true : undefined), 20_000, 'alias routed');
  expect((await table.read(NS, 'pub'))?.aliases.live).toEqual({ functionVersion: '1', provisionedConcurrency: 0 });
  await cluster.admin.patch(`${api}/aliases/pub-live`, { spec: { routingConfig: { additionalVersionWeights: { '2': 0.25 } } } });
  await waitFor(async () => ((await table.read(NS, 'pub'))?.aliases.live?.additionalVersionWeights?.['2'] === 0.25 ? true : undefined), 20_000, 'weights routed');
  const alias = await waitFor(async () => { const a = await get(`${api}/aliases/pub-live`); return ready(a)?.message.includes('2 (25%)') ? a : undefined; }, 20_000, 'alias status');
  expect(ready(alias)).toMatchObject({ status: 'True', reason: 'Routed' });
  await cluster.admin.patch(`${api}/aliases/pub-live`, { spec: { functionVersion: '9', routingConfig: null } });
  await waitFor(async () => (ready(await get(`${api}/aliases/pub-live`))?.reason === 'VersionNotFound' ? true : undefined), 20_000, 'VersionNotFound');
  expect((await table.read(NS, 'pub'))?.aliases.live?.functionVersion).toBe('1');
});

it('keeps provisioned concurrency as Deployment replicas (the scaler), and scales back to zero without it', async () => {
  await cluster.admin.create(`${api}/aliases`, { apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name: 'pub-warm' }, spec: { functionName: 'pub', name: 'warm', functionVersion: '2', provisionedConcurrency: 2 } });
  await waitFor(async () => ((await deployment('pub-v2'))?.spec.replicas === 2 ? true : undefined), 20_000, 'two warm replicas');
  await cluster.admin.patch(`${api}/aliases/pub-warm`, { spec: { provisionedConcurrency: 0 } });
  await waitFor(async () => ((await deployment('pub-v2'))?.spec.replicas === 0 ? true : undefined), 20_000, 'back to zero');
});

it('recreates an owned Deployment that was deleted', async () => {
  const before = (await deployment('hello-latest'))!;
  await cluster.admin.delete('/apis/apps/v1/namespaces/default/deployments/hello-latest');
  await waitFor(async () => { const d = await deployment('hello-latest'); return d && d.metadata.uid !== before.metadata.uid ? true : undefined; }, 20_000, 'Deployment recreated');
});

it('reports a Function whose ConfigMap is missing, and one our own rules refuse', async () => {
  await cluster.admin.create(`${api}/functions`, fnObj('nocode', { runtime: 'python3.11', handler: 'app.handler', code: { configMap: { name: 'absent' } } }));
  await cluster.admin.create(`${api}/functions`, fnObj('badhandler', { runtime: 'nodejs20', handler: 'nodot', code: code('1') }));
  const nocode = await waitFor(async () => { const f = await get(`${api}/functions/nocode`); return ready(f) ? f : undefined; }, 20_000, 'nocode status');
  expect(ready(nocode)).toMatchObject({ status: 'False', reason: 'CodeNotFound' });
  expect(ready(nocode)?.message).toContain('absent');
  const bad = await waitFor(async () => { const f = await get(`${api}/functions/badhandler`); return ready(f) ? f : undefined; }, 20_000, 'badhandler status');
  expect(ready(bad)).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
  expect(ready(bad)?.message).toContain('handler');
});

it('reports objects it cannot make: a name taken by someone else\'s ConfigMap, code too large for a ConfigMap', async () => {
  await cluster.admin.create('/api/v1/namespaces/default/configmaps', { metadata: { name: 'taken-latest-code' }, data: { x: 'y' } });
  await cluster.admin.create(`${api}/functions`, fnObj('taken', { runtime: 'nodejs20', handler: 'index.handler', code: code('1') }));
  const big = `export const handler = async () => 1;\n//${'x'.repeat(1_100_000)}\n`;
  await cluster.admin.create(`${api}/functions`, fnObj('huge', { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': big } } }));
  const taken = await waitFor(async () => { const f = await get(`${api}/functions/taken`); return ready(f) ? f : undefined; }, 20_000, 'taken status');
  expect(ready(taken)).toMatchObject({ status: 'False', reason: 'NotOwned' });
  expect(ready(taken)?.message).toContain('taken-latest-code');
  const huge = await waitFor(async () => { const f = await get(`${api}/functions/huge`); return ready(f) ? f : undefined; }, 20_000, 'huge status');
  expect(ready(huge)).toMatchObject({ status: 'False', reason: 'Rejected' });
  expect(ready(huge)?.message).toContain('huge-latest-code');
});

it('deploys a Function as soon as its code ConfigMap appears, and redeploys when the ConfigMap changes', async () => {
  await cluster.admin.create('/api/v1/namespaces/default/configmaps', { metadata: { name: 'absent' }, data: { 'app.py': 'def handler(e, c):\n    return 1\n' } });
  await waitFor(async () => (ready(await get(`${api}/functions/nocode`))?.status === 'True' ? true : undefined), 10_000, 'nocode Ready');
  const cm = await get('/api/v1/namespaces/default/configmaps/nocode-latest-code') as (Obj & { data: Record<string, string> }) | undefined;
  expect(cm?.data['app.py']).toContain('return 1');
  await cluster.admin.patch('/api/v1/namespaces/default/configmaps/absent', { data: { 'app.py': 'def handler(e, c):\n    return 2\n' } });
  await waitFor(async () => ((await get('/api/v1/namespaces/default/configmaps/nocode-latest-code') as (Obj & { data: Record<string, string> }) | undefined)?.data['app.py']?.includes('return 2') ? true : undefined), 10_000, 'code redeployed');
});

it('puts a namespace\'s account id in its ARNs: the annotation, else one derived from its name; a changed annotation follows', async () => {
  const topicIn = async (ns: string) => {
    await cluster.admin.create(`/apis/klambda.dev/v1alpha1/namespaces/${ns}/topics`, { apiVersion: 'klambda.dev/v1alpha1', kind: 'Topic', metadata: { name: 'news' }, spec: { subscriptions: [] } });
  };
  const arnOf = (ns: string, account?: string) => waitFor(async () => {
    const t = await get(`/apis/klambda.dev/v1alpha1/namespaces/${ns}/topics/news`) as (Obj & { status?: { topicArn?: string } }) | undefined;
    const arn = t?.status?.topicArn;
    return arn && (!account || arn.includes(`:${account}:`)) ? arn : undefined;
  }, 15_000, `topic ARN in ${ns}`);
  await cluster.admin.create('/api/v1/namespaces', { metadata: { name: 'acct-a', annotations: { 'klambda.dev/account-id': '111111111111' } } });
  await cluster.admin.create('/api/v1/namespaces', { metadata: { name: 'acct-b' } });
  await topicIn('acct-a');
  await topicIn('acct-b');
  expect(await arnOf('acct-a')).toBe('arn:aws:sns:us-east-1:111111111111:news');
  expect(await arnOf('acct-b')).toBe(`arn:aws:sns:us-east-1:${derivedAccountId('acct-b')}:news`);
  await cluster.admin.patch('/api/v1/namespaces/acct-b', { metadata: { annotations: { 'klambda.dev/account-id': '333333333333' } } });
  expect(await arnOf('acct-b', '333333333333')).toBe('arn:aws:sns:us-east-1:333333333333:news');
});

it('gives Topic, EventRule and EventSourceMapping a status: ARN or uuid, missing references named', async () => {
  const kind = (k: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'klambda.dev/v1alpha1', kind: k, metadata: { name }, spec });
  await cluster.admin.create(`${api}/topics`, kind('Topic', 'orders', { subscriptions: [{ protocol: 'lambda', endpoint: 'hello' }] }));
  await cluster.admin.create(`${api}/eventrules`, kind('EventRule', 'nightly', { scheduleExpression: 'rate(1 day)', targets: [{ id: 'a', function: 'ghost' }] }));
  await cluster.admin.create(`${api}/eventsourcemappings`, kind('EventSourceMapping', 'clicks', { source: { queue: 'jobs' }, functionName: 'hello:live', enabled: false }));
  const topic = await waitFor(async () => { const t = await get(`${api}/topics/orders`); return ready(t) ? t : undefined; }, 10_000, 'topic status');
  expect(topic.status).toMatchObject({ topicArn: 'arn:aws:sns:us-east-1:000000000000:orders', observedGeneration: 1 });
  expect(ready(topic)).toMatchObject({ status: 'True', reason: 'Delivering' });
  const rule = await waitFor(async () => { const r = await get(`${api}/eventrules/nightly`); return ready(r) ? r : undefined; }, 10_000, 'rule status');
  expect(ready(rule)).toMatchObject({ status: 'False', reason: 'ReferenceNotFound', message: 'not found: Function ghost' });
  expect(rule.status).toMatchObject({ ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/nightly' });
  const esm = await waitFor(async () => { const m = await get(`${api}/eventsourcemappings/clicks`); return ready(m) ? m : undefined; }, 10_000, 'esm status');
  expect(esm.status).toMatchObject({ uuid: mappingUuid(NS, 'clicks'), state: 'Disabled' });
});

it('refuses the event patterns and filter policies AWS refuses, with the same words as a manifest', async () => {
  const kind = (k: string, name: string, spec: Record<string, unknown>) => ({ apiVersion: 'klambda.dev/v1alpha1', kind: k, metadata: { name }, spec });
  const onBody = (filterPolicy: Record<string, unknown>) => ({ subscriptions: [{ protocol: 'lambda', endpoint: 'hello', filterPolicyScope: 'MessageBody', filterPolicy }] });
  // the API server takes any map here: the CRD cannot run the pattern engine, the controller does
  await cluster.admin.create(`${api}/eventrules`, kind('EventRule', 'twin-stars', { eventPattern: { resources: [{ wildcard: 'arn:aws:s3:::**' }] }, targets: [{ id: 'a', function: 'hello' }] }));
  // 3 × 4 × 2 × 3 × 1 × 3 = 216 combinations once each list counts its nesting depth
  await cluster.admin.create(`${api}/topics`, kind('Topic', 'deep', onBody({ key_a: { key_b: { key_c: ['1', '2', '3', '4'] } }, key_d: { key_e: ['1', '2', '3'] }, key_f: ['1', '2', '3'] })));
  // 5 parent keys over 7 lists: within SNS's 5 keys
  await cluster.admin.create(`${api}/topics`, kind('Topic', 'wide', onBody({ order: { total: [1], currency: ['EUR'], channel: ['web'] }, a: [1], b: [1], c: [1], d: [1] })));
  const statusOf = (plural: string, name: string) => waitFor(async () => { const o = await get(`${api}/${plural}/${name}`); return ready(o) ? ready(o) : undefined; }, 10_000, `${name} status`);
  expect(await statusOf('eventrules', 'twin-stars')).toMatchObject({
    status: 'False', reason: 'InvalidSpec', message: 'spec.eventPattern: Event pattern is not valid. Reason: Consecutive wildcard characters at pos 14',
  });
  expect(await statusOf('topics', 'deep')).toMatchObject({ status: 'False', reason: 'InvalidSpec', message: 'spec.subscriptions[0].filterPolicy: Filter policy is too complex' });
  expect(await statusOf('topics', 'wide')).toMatchObject({ status: 'True', reason: 'Delivering' });
});

it('cleans Redis when an Alias or a Function is deleted, and its objects are garbage collected', async () => {
  await cluster.admin.delete(`${api}/aliases/pub-live`);
  await waitFor(async () => ((await get(`${api}/aliases/pub-live`)) ? undefined : true), 20_000, 'alias gone');
  expect((await table.read(NS, 'pub'))?.aliases.live).toBeUndefined();
  const queue = new WorkQueue(commands, { keyPrefix: prefix });
  await queue.enqueue({ namespace: NS, functionName: 'pub', version: '1' }, { requestId: 'r1', functionName: 'pub', version: '1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:pub', payload: '{}', type: 'Event', acceptedAt: Date.now(), traceId: 'Root=1-0-0' });
  await cluster.admin.delete(`${api}/functions/pub`);
  await waitFor(async () => ((await get(`${api}/functions/pub`)) ? undefined : true), 20_000, 'function gone');
  expect(await table.read(NS, 'pub')).toBeUndefined();
  expect(await commands.exists(queueKeys({ namespace: NS, functionName: 'pub', version: '1' }, prefix).jobs)).toBe(0);
  // the garbage collector of kube-controller-manager learns of new CRDs on its 30 s discovery resync
  await waitFor(async () => ((await deployment('pub-latest')) || (await get(`${api}/functionversions/pub-v1`)) ? undefined : true), 60_000, 'owned objects collected');
}, 90_000);

it('reconciles on one replica only: a second waits, and takes over when the leader stops', async () => {
  const second = newController('replica-b');
  second.start();
  try {
    await new Promise((r) => setTimeout(r, 1500));
    expect(controller.isLeader).toBe(true);
    expect(second.isLeader).toBe(false);
    await controller.stop();
    await waitFor(() => (second.isLeader ? true : undefined), 15_000, 'replica-b leads');
    await cluster.admin.create(`${api}/functions`, fnObj('after', { runtime: 'nodejs20', handler: 'index.handler', code: code('3') }));
    await waitFor(async () => (ready(await get(`${api}/functions/after`))?.status === 'True' ? true : undefined), 20_000, 'after Ready');
  } finally {
    controller = second;
  }
});
