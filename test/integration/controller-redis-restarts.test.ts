// The controller notices a Redis restart (a new run_id), so users Redis forgot are made again.
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { RedisRestartWatch, runIdOf } from '../../src/controller/redis-restarts.js';
import { startRedisServer } from '../../src/local/redis-server.js';
import { waitFor } from '../helpers/wait.js';

it('reads the run_id of INFO server', () => {
  expect(runIdOf('# Server\r\nredis_version:7.0.15\r\nrun_id:4f1c0e\r\ntcp_port:6379\r\n')).toBe('4f1c0e');
  expect(runIdOf('# Server\r\n')).toBeUndefined();
});

it('calls back once per restart of the server, not on the first look or while it is down', async () => {
  let server = await startRedisServer();
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => undefined);
  let restarts = 0;
  let looks = 0;
  const info = redis.info.bind(redis);
  redis.info = ((...args: Parameters<typeof info>) => { looks++; return info(...args); }) as typeof redis.info;
  const watch = new RedisRestartWatch(redis, 50, silentLogger, () => { restarts++; });
  try {
    watch.start();
    await waitFor(async () => looks >= 3 || undefined, 5000, 'a few looks');
    expect(restarts).toBe(0);
    await server.stop();
    server = await startRedisServer({ port: server.port });
    await waitFor(async () => restarts === 1 || undefined, 10_000, 'the restart to be noticed');
    const seen = looks;
    await waitFor(async () => looks >= seen + 3 || undefined, 5000, 'more looks');
    expect(restarts).toBe(1);
  } finally {
    watch.stop();
    redis.disconnect();
    await server.stop();
  }
});
