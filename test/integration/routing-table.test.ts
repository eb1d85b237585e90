// The routing table on a real Redis, as the controller's own Redis user writes it: a version or an alias is written
// only under its function's route, in one step with that check, so one reconciled after its function was deleted
// never brings the deleted function's route back (the race a loaded CI once showed in controller.test.ts).
import { controllerAclRules } from '../../src/queue/acl.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { routeChannel, routeIndexKey } from '../../src/queue/keys.js';
import { RoutingTable } from '../../src/queue/routing-table.js';
import { onEveryServer, randomPrefix, useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let server: TestRedis;
let admin: RedisConnection;
let controller: RedisConnection;
let table: RoutingTable;
const prefix = randomPrefix();
const user = `ctl-${prefix}`;

beforeAll(async () => {
  server = await useRedis();
  admin = connectRedis(server.url);
  await onEveryServer(admin, 'ACL', 'SETUSER', user, ...controllerAclRules(['pw'], prefix));
  const url = new URL(server.url);
  url.username = user;
  url.password = 'pw';
  controller = connectRedis(url.toString());
  table = new RoutingTable(controller, prefix);
});
afterAll(async () => {
  await onEveryServer(admin, 'ACL', 'DELUSER', user);
  controller.disconnect();
  admin.disconnect();
  await server.stop();
});

const version = { timeoutSeconds: 3 };

it('writes a version or an alias only under its function\'s route', async () => {
  expect(await table.setVersion('ns', 'early', '1', version)).toBe('no-function');
  expect(await table.setAlias('ns', 'early', 'live', { functionVersion: '1', provisionedConcurrency: 0 })).toBe('no-function');
  expect(await table.read('ns', 'early')).toBeUndefined();
  expect(await admin.sismember(routeIndexKey(prefix), 'ns/early')).toBe(0);

  expect(await table.setFunction('ns', 'early', { latest: version })).toBe('changed');
  expect(await table.setVersion('ns', 'early', '1', version)).toBe('changed');
  expect(await table.setVersion('ns', 'early', '1', version)).toBe('unchanged');
  expect(await table.setAlias('ns', 'early', 'live', { functionVersion: '1', provisionedConcurrency: 0 })).toBe('changed');
  expect(await table.read('ns', 'early')).toEqual({ fn: { latest: version }, versions: { 1: version }, aliases: { live: { functionVersion: '1', provisionedConcurrency: 0 } } });
  expect((await table.readAll()).has('ns/early')).toBe(true);
});

it('never brings back a removed function: versions and aliases written after the removal are refused', async () => {
  await table.setFunction('ns', 'gone', { latest: version });
  await table.setVersion('ns', 'gone', '1', version);
  await table.removeFunction('ns', 'gone');
  // reconciles that were already under way when the function's finalizer ran, all at once
  const late = await Promise.all([
    ...Array.from({ length: 10 }, (_, i) => table.setVersion('ns', 'gone', String(i + 1), version)),
    table.setAlias('ns', 'gone', 'live', { functionVersion: '1', provisionedConcurrency: 0 }),
  ]);
  expect(new Set(late)).toEqual(new Set(['no-function']));
  expect(await table.read('ns', 'gone')).toBeUndefined();
  expect((await table.readAll()).has('ns/gone')).toBe(false);
});

it('tells the routers of every change on the channel, and of nothing when a write changed nothing', async () => {
  const sub = connectRedis(server.url);
  const heard: string[] = [];
  try {
    await sub.subscribe(routeChannel(prefix));
    // only this test's functions: on a Redis Cluster a message the previous test published on another node may
    // reach this subscriber late (nodes pass PUBLISH on over the cluster bus); one node's messages keep their order
    sub.on('message', (_channel: string, name: string) => { if (name === 'ns/told' || name === 'ns/nothing') heard.push(name); });
    await table.setFunction('ns', 'told', { latest: version });
    await table.setFunction('ns', 'told', { latest: version });
    await table.setVersion('ns', 'told', '1', version);
    await table.setVersion('ns', 'nothing', '1', version);
    await waitFor(() => (heard.length >= 2 ? true : undefined), 5000, 'two route messages');
    // one more write, so a message sent for an unchanged or refused write would have arrived before it
    await table.setVersion('ns', 'told', '2', version);
    await waitFor(() => (heard.length >= 3 ? true : undefined), 5000, 'the third route message');
    expect(heard).toEqual(['ns/told', 'ns/told', 'ns/told']);
  } finally {
    sub.disconnect();
  }
});
