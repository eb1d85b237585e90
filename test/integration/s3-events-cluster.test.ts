// The S3 object-event webhook of the cluster router, on the real API server under its own RBAC (config/rbac): each
// namespace's token is the `token` key of its Secret klambda-s3-events; a post is in the event inbox before its 200.
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { EventInbox } from '../../src/events/inbox.js';
import { startClusterRouter, type ClusterRouter } from '../../src/router/cluster-router.js';
import { s3EventsPath } from '../../src/router/s3-events/routes.js';
import { S3_EVENTS_SECRET } from '../../src/router/s3-events/secret-tokens.js';
import { startCluster, type ClusterFixture } from '../control-plane/cluster-fixture.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let cluster: ClusterFixture;
let redis: TestRedis;
let commands: Redis;
let router: ClusterRouter;
let inbox: EventInbox;

const SHOP_TOKEN = 'shop-token-0123456789abcdef';
const record = (key: string) => ({
  eventVersion: '2.1', eventSource: 'ceph:s3', awsRegion: 'us-east-1', eventTime: '2026-12-07T22:10:05.000Z', eventName: 'ObjectCreated:Put',
  userIdentity: { principalId: 'rgw' }, requestParameters: { sourceIPAddress: '10.0.0.1' }, responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'h' },
  s3: { s3SchemaVersion: '1.0', configurationId: 'n1', bucket: { name: 'photos', ownerIdentity: { principalId: 'rgw' }, arn: 'arn:aws:s3:::photos' },
    object: { key, size: 1, eTag: 'e', sequencer: '01' } },
});
const post = (namespace: string, token: string, key = 'a.jpg') => fetch(`${router.url}${s3EventsPath(namespace, token)}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Records: [record(key)] }),
});

beforeAll(async () => {
  [cluster, redis] = await Promise.all([startCluster(), useRedis()]);
  const prefix = randomPrefix();
  commands = new Redis(redis.url);
  inbox = new EventInbox(commands, prefix);
  await cluster.admin.create('/api/v1/namespaces', { metadata: { name: 'shop' } });
  await cluster.admin.create('/api/v1/namespaces/shop/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: S3_EVENTS_SECRET }, stringData: { token: SHOP_TOKEN } });
  router = await startClusterRouter({
    client: cluster.router, redisUrl: redis.url, keyPrefix: prefix, region: 'us-east-1', accountId: '000000000000', port: 0, host: '127.0.0.1', logger: silentLogger,
  });
}, 10 * 60_000);

afterAll(async () => {
  await router?.stop();
  commands?.disconnect();
  await cluster?.stop();
  await redis?.stop();
});

it('accepts a post with the namespace\'s token (in the inbox before the 200) and refuses another token or namespace', async () => {
  // the informer has the Secret once a post is accepted
  const res = await waitFor(async () => { const r = await post('shop', SHOP_TOKEN); return r.status === 200 ? r : undefined; }, 30_000, 'the token known');
  expect(await res.json()).toEqual({ accepted: 1 });
  expect(await inbox.depth()).toBe(1);
  const [taken] = await inbox.take('test', 10, 60_000);
  expect(taken!.entry).toMatchObject({ kind: 'object', namespace: 'shop', record: { bucket: 'photos', key: 'a.jpg', eventName: 'ObjectCreated:Put' } });
  expect((await post('shop', 'shop-token-but-not-this-one')).status).toBe(403);
  // a namespace without the Secret accepts nothing, whatever the token
  expect((await post('default', SHOP_TOKEN)).status).toBe(403);
  expect(await inbox.depth()).toBe(1);
}, 60_000);

it('follows the Secret: a new token replaces the old one', async () => {
  await cluster.admin.patch(`/api/v1/namespaces/shop/secrets/${S3_EVENTS_SECRET}`, { stringData: { token: 'rotated-token-0123456789ab' } });
  await waitFor(async () => ((await post('shop', 'rotated-token-0123456789ab', 'b.jpg')).status === 200 ? true : undefined), 30_000, 'the new token');
  expect((await post('shop', SHOP_TOKEN)).status).toBe(403);
}, 60_000);
