// Each version's agent credentials on the real API server (under the controller's RBAC) and a real Redis:
// a Secret with the URL of an ACL user that opens only that version's keys, rotated with an overlap, removed with the version.
import { Redis } from 'ioredis';
import type { V1Secret } from '@kubernetes/client-node';
import { ClusterAgentCredentials, packageKeysOf, PREVIOUS_KEY, type CredentialsTarget } from '../../src/controller/agent-credentials.js';
import { AGENT_SECRET_KEY, agentSecretName } from '../../src/controller/resources/names.js';
import { AgentUsers } from '../../src/queue/agent-users.js';
import { queueKeys } from '../../src/queue/keys.js';
import { startCluster, type ClusterFixture } from '../control-plane/cluster-fixture.js';
import { randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';

let cluster: ClusterFixture;
let redis: TestRedis;
let admin: Redis;
const prefix = randomPrefix();
let now = Date.parse('2026-12-01T00:00:00Z');
const DAY = 24 * 3600_000;
const opened: Redis[] = [];

beforeAll(async () => {
  [cluster, redis] = await Promise.all([startCluster(), useRedis()]);
  admin = new Redis(redis.url);
}, 45 * 60_000);

afterAll(async () => {
  for (const r of opened) r.disconnect();
  admin?.disconnect();
  await cluster?.stop();
  await redis?.stop();
});

async function owner(name: string): Promise<CredentialsTarget['owner']> {
  // any object of the namespace can own the Secret; a ConfigMap keeps the test free of the CRDs' controller
  const cm = await cluster.admin.create<{ metadata: { uid: string } }>('/api/v1/namespaces/default/configmaps', { metadata: { name } });
  return { apiVersion: 'v1', kind: 'ConfigMap', name, uid: cm.metadata.uid, controller: true };
}

const secretOf = (fn: string, version: string) => cluster.admin.get<V1Secret>(`/api/v1/namespaces/default/secrets/${agentSecretName(fn, version)}`);
const field = (s: V1Secret, key: string) => Buffer.from(s.data?.[key] ?? '', 'base64').toString('utf8');

async function works(url: string): Promise<boolean> {
  const r = new Redis(url, { enableReadyCheck: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
  opened.push(r);
  r.on('error', () => undefined);
  try { await r.connect(); return (await r.ping()) === 'PONG'; } catch { return false; }
}

it('creates a Secret owned by the version with its own user\'s URL; the user opens only that version\'s keys', async () => {
  const creds = new ClusterAgentCredentials(cluster.controller, new AgentUsers(admin, prefix), { agentRedisUrl: redis.url, rotationMs: DAY, now: () => now });
  const t: CredentialsTarget = { namespace: 'default', functionName: 'hello', version: '1', owner: await owner('hello-owner') };
  await creds.ensure(t);
  const secret = await secretOf('hello', '1');
  expect(secret.metadata?.ownerReferences?.[0]).toMatchObject({ uid: t.owner.uid, controller: true });
  const url = field(secret, AGENT_SECRET_KEY);
  expect(decodeURIComponent(new URL(url).username)).toBe(`${prefix}-agent:default/hello/1`);
  expect(await works(url)).toBe(true);
  const agent = opened.at(-1)!;
  await expect(agent.keys('*')).rejects.toThrow(/NOPERM/);
  await expect(agent.call('HGET', queueKeys({ namespace: 'default', functionName: 'other', version: '1' }, prefix).jobs, 'x')).rejects.toThrow(/NOPERM|can't access/);
  // a second pass changes nothing
  await creds.ensure(t);
  expect(field(await secretOf('hello', '1'), AGENT_SECRET_KEY)).toBe(url);
});

it('rotates when due: the new password works at once, the previous one until the next rotation', async () => {
  const creds = new ClusterAgentCredentials(cluster.controller, new AgentUsers(admin, prefix), { agentRedisUrl: redis.url, rotationMs: DAY, now: () => now });
  const t: CredentialsTarget = { namespace: 'default', functionName: 'rot', version: '$LATEST', owner: await owner('rot-owner') };
  await creds.ensure(t);
  const first = field(await secretOf('rot', '$LATEST'), AGENT_SECRET_KEY);
  now += DAY + 1;
  await creds.ensure(t);
  const rotated = await secretOf('rot', '$LATEST');
  const second = field(rotated, AGENT_SECRET_KEY);
  expect(second).not.toBe(first);
  expect(field(rotated, PREVIOUS_KEY)).toBe(decodeURIComponent(new URL(first).password));
  expect(await works(second)).toBe(true);
  expect(await works(first)).toBe(true);
  now += DAY + 1;
  await creds.ensure(t);
  expect(await works(first)).toBe(false);
  expect(await works(second)).toBe(true);
});

it('makes the user again when Redis lost it (a restart), and deletes it with the version', async () => {
  const users = new AgentUsers(admin, prefix);
  const creds = new ClusterAgentCredentials(cluster.controller, users, { agentRedisUrl: redis.url, rotationMs: DAY, now: () => now });
  const t: CredentialsTarget = { namespace: 'default', functionName: 'lost', version: '2', owner: await owner('lost-owner') };
  await creds.ensure(t);
  const url = field(await secretOf('lost', '2'), AGENT_SECRET_KEY);
  await admin.call('ACL', 'DELUSER', users.userName(t));
  expect(await works(url)).toBe(false);
  await creds.ensure(t);
  expect(await works(url)).toBe(true);
  await creds.remove(t);
  expect(await works(url)).toBe(false);
});

it('refuses to take over a Secret of the same name that it does not own', async () => {
  const creds = new ClusterAgentCredentials(cluster.controller, new AgentUsers(admin, prefix), { agentRedisUrl: redis.url, rotationMs: DAY, now: () => now });
  await cluster.admin.create('/api/v1/namespaces/default/secrets', { metadata: { name: agentSecretName('taken', '1') }, stringData: { x: 'y' } });
  const t: CredentialsTarget = { namespace: 'default', functionName: 'taken', version: '1', owner: await owner('taken-owner') };
  await expect(creds.ensure(t)).rejects.toMatchObject({ name: 'NotOwnedError' });
});

it('puts a presigned URL for the package and each layer in the Secret, and signs them again when the keys change', async () => {
  let signed = 0;
  const creds = new ClusterAgentCredentials(cluster.controller, new AgentUsers(admin, prefix), {
    agentRedisUrl: redis.url, rotationMs: DAY, now: () => now, presignPackage: async (key) => `http://store.test/${key}?n=${++signed}`,
  });
  const owned = await owner('layered-owner');
  const target = (layers: string[]): CredentialsTarget => ({
    namespace: 'default', functionName: 'layered', version: '$LATEST', owner: owned, packageKeys: packageKeysOf('packages/default/code.zip', layers),
  });
  await creds.ensure(target(['packages/default/l1.zip', 'packages/default/l2.zip']));
  const first = await secretOf('layered', '$LATEST');
  expect([field(first, 'package-url'), field(first, 'layer-1-url'), field(first, 'layer-2-url')])
    .toEqual(['http://store.test/packages/default/code.zip?n=1', 'http://store.test/packages/default/l1.zip?n=2', 'http://store.test/packages/default/l2.zip?n=3']);
  // the same keys: nothing signed again
  await creds.ensure(target(['packages/default/l1.zip', 'packages/default/l2.zip']));
  expect(signed).toBe(3);
  // a layer gone and another in its place: the Secret holds exactly the URLs of the new list
  await creds.ensure(target(['packages/default/l3.zip']));
  const next = await secretOf('layered', '$LATEST');
  expect(Object.keys(next.data ?? {}).sort()).toEqual([AGENT_SECRET_KEY, 'layer-1-url', 'package-url', PREVIOUS_KEY].sort());
  expect(field(next, 'layer-1-url')).toBe('http://store.test/packages/default/l3.zip?n=5');
  // the Redis password did not rotate for it
  expect(field(next, AGENT_SECRET_KEY)).toBe(field(first, AGENT_SECRET_KEY));
});
