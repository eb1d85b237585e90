// BucketNotification on a cluster: the controller (real API server, config/rbac's role) marks it Ready when its
// functions exist, and its event worker fans an accepted object event out to the matching function's queue.
import { Redis } from 'ioredis';
import { jsonLogger, silentLogger } from '../../src/core/logger.js';
import { Controller } from '../../src/controller/controller.js';
import { runtimeImages } from '../../src/controller/resources/images.js';
import { EventInbox } from '../../src/events/inbox.js';
import { readWebhookBody } from '../../src/events/s3/records.js';
import type { KubeObject } from '../../src/kube/objects.js';
import { WorkQueue } from '../../src/queue/work-queue.js';
import { startCluster, LEASE_NAMESPACE, type ClusterFixture } from '../control-plane/cluster-fixture.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let cluster: ClusterFixture;
let redis: TestRedis;
let commands: Redis;
let controller: Controller;
const prefix = randomPrefix();
const api = '/apis/klambda.dev/v1alpha1/namespaces/default';

interface Obj extends KubeObject { status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } }
const readyOf = async (name: string) => (await cluster.admin.find<Obj>(`${api}/bucketnotifications/${name}`))?.status?.conditions?.find((c) => c.type === 'Ready');
const notification = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'klambda.dev/v1alpha1', kind: 'BucketNotification', metadata: { name }, spec });

beforeAll(async () => {
  [cluster, redis] = await Promise.all([startCluster(), useRedis()]);
  commands = new Redis(redis.url);
  controller = new Controller({
    client: cluster.controller, redisUrl: redis.url, keyPrefix: prefix, routerUrl: 'http://router.test',
    workload: {
      agentImage: 'klambda:test', runtimeImages: runtimeImages('klambda:test'), agentRedisUrl: redis.url, region: 'us-east-1', accountId: '000000000000', visibilityGraceMs: 5000,
      redis: { namespace: 'klambda-system', podLabels: { app: 'redis' }, port: 6379 },
    },
    identity: 'replica-a', leaseNamespace: LEASE_NAMESPACE, leaseDurationSeconds: 4, leaseRetryMs: 300, resyncMs: 60_000,
    scaler: { tickMs: 250, idleTimeoutMs: 60_000, maxEnvironments: 1 }, logger: process.env.KLAMBDA_TEST_LOGS ? jsonLogger(process.stderr, { component: 'controller' }) : silentLogger,
  });
  controller.start();
  await cluster.admin.create(`${api}/functions`, {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'thumbs' },
    spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } } },
  });
  await waitFor(async () => ((await cluster.admin.find<Obj>(`${api}/functions/thumbs`))?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? true : undefined), 60_000, 'thumbs Ready');
}, 45 * 60_000);

afterAll(async () => {
  await controller?.stop();
  commands?.disconnect();
  await cluster?.stop();
  await redis?.stop();
});

it('marks a BucketNotification Ready when its functions exist, ReferenceNotFound when one does not, InvalidSpec for overlaps', async () => {
  await cluster.admin.create(`${api}/bucketnotifications`, notification('photos', {
    bucket: 'photos', functions: [{ id: 'jpg', function: 'thumbs', events: ['s3:ObjectCreated:*'], filter: { suffix: '.jpg' } }],
  }));
  await cluster.admin.create(`${api}/bucketnotifications`, notification('ghosts', {
    bucket: 'photos', functions: [{ id: 'x', function: 'ghost', events: ['s3:ObjectRemoved:*'] }],
  }));
  await cluster.admin.create(`${api}/bucketnotifications`, notification('overlapping', {
    bucket: 'docs', functions: [
      { id: 'a', function: 'thumbs', events: ['s3:ObjectCreated:*'], filter: { prefix: 'a/' } },
      { id: 'b', function: 'thumbs', events: ['s3:ObjectCreated:Put'], filter: { prefix: 'a/b/' } },
    ],
  }));
  await waitFor(async () => ((await readyOf('photos'))?.status === 'True' ? true : undefined), 30_000, 'photos Ready');
  expect(await readyOf('photos')).toMatchObject({ reason: 'Delivering' });
  expect(await waitFor(() => readyOf('ghosts'), 30_000, 'ghosts reconciled')).toMatchObject({ status: 'False', reason: 'ReferenceNotFound', message: 'not found: Function ghost' });
  expect(await waitFor(() => readyOf('overlapping'), 30_000, 'overlapping reconciled')).toMatchObject({ status: 'False', reason: 'InvalidSpec', message: expect.stringMatching(/^spec\.functions\[1\]: overlaps functions\[0\]/) });
}, 60_000);

it('fans an accepted object event out to the matching function\'s queue, and nothing for a key the filter holds back', async () => {
  const record = (key: string) => ({
    eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2026-12-07T22:10:05.000Z', eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'p' }, requestParameters: { sourceIPAddress: '10.0.0.1' }, responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'h' },
    s3: { s3SchemaVersion: '1.0', configurationId: 'c', bucket: { name: 'photos', ownerIdentity: { principalId: 'p' }, arn: 'arn:aws:s3:::photos' }, object: { key, size: 1, eTag: 'e', sequencer: '01' } },
  });
  const body = readWebhookBody(JSON.stringify({ Records: [record('cat.jpg'), record('notes.txt')] }));
  if (body.kind !== 'records') throw new Error('not records');
  await new EventInbox(commands, prefix).add(body.records.map((r) => ({ kind: 'object' as const, namespace: 'default', record: r, ingestedAt: Date.now() })));
  const queue = new WorkQueue(commands, { keyPrefix: prefix });
  const ref = { namespace: 'default', functionName: 'thumbs', version: '$LATEST' };
  // no pod runs here (no kubelet): the invocation waits in the queue
  const depth = await waitFor(async () => { const d = await queue.depth(ref); return d.pending + d.inFlight > 0 ? d : undefined; }, 30_000, 'the invocation queued');
  // the inbox is empty once both records are fanned out: only cat.jpg made an invocation
  await waitFor(async () => ((await new EventInbox(commands, prefix).depth()) === 0 ? true : undefined), 30_000, 'the inbox emptied');
  const after = await queue.depth(ref);
  expect(depth.pending + depth.inFlight).toBe(1);
  expect(after.pending + after.inFlight).toBe(1);
}, 60_000);
