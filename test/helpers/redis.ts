// Test helper: a real Redis — REDIS_URL when set, otherwise a private redis-server on a free port.
import { startRedisServer, type RedisServerHandle } from '../../src/local/redis-server.js';

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

export async function useRedis(): Promise<TestRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { url: fromEnv, stop: async () => undefined };
  const handle: RedisServerHandle = await startRedisServer();
  return { url: handle.url, stop: () => handle.stop() };
}

/** A random prefix so tests sharing one Redis never see each other's keys. */
export function randomPrefix(): string {
  return `t${Math.random().toString(36).slice(2, 10)}`;
}
