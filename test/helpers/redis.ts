// Test helper: a real Redis — REDIS_URL when set (redis+cluster:// for a Redis Cluster), otherwise a private
// redis-server on a free port, or a private 3-master Redis Cluster when KLAMBDA_TEST_REDIS=cluster.
import { startRedisServer, type RedisServerHandle } from '../../src/local/redis-server.js';
import { serversOf, type RedisConnection } from '../../src/queue/connection.js';
import { startRedisCluster } from './redis-cluster.js';

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

export async function useRedis(): Promise<TestRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { url: fromEnv, stop: async () => undefined };
  if (process.env.KLAMBDA_TEST_REDIS === 'cluster') {
    const cluster = await startRedisCluster();
    return { url: cluster.url, stop: () => cluster.stop() };
  }
  const handle: RedisServerHandle = await startRedisServer();
  return { url: handle.url, stop: () => handle.stop() };
}

/** A random prefix so tests sharing one Redis never see each other's keys. */
export function randomPrefix(): string {
  return `t${Math.random().toString(36).slice(2, 10)}`;
}

/** KEYS on every master: a Redis Cluster's keys are spread over them. */
export async function keysMatching(conn: RedisConnection, pattern: string): Promise<string[]> {
  const masters = await serversOf(conn, 'master');
  return (await Promise.all(masters.map((m) => m.keys(pattern)))).flat().sort();
}

/** Deletes the keys matching `pattern`, one by one (on a cluster they are in many slots). */
export async function deleteKeys(conn: RedisConnection, pattern: string): Promise<void> {
  await Promise.all((await keysMatching(conn, pattern)).map((k) => conn.del(k)));
}

/** One command on every server, masters and replicas (ACL users are each node's own); the replies in order. */
export async function onEveryServer(conn: RedisConnection, command: string, ...args: string[]): Promise<unknown[]> {
  return Promise.all((await serversOf(conn)).map((s) => s.call(command, ...args)));
}

/** CLIENT LIST of every server, one text. */
export async function clientLists(conn: RedisConnection): Promise<string> {
  return (await Promise.all((await serversOf(conn)).map((s) => s.client('LIST') as Promise<string>))).join('\n');
}
