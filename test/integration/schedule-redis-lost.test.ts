// A scheduler whose Redis dies: it logs that it could not claim, keeps its loop, and fires again once Redis is back,
// each tick still once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncClock } from '../../src/core/async-policy.js';
import { jsonLogger } from '../../src/core/logger.js';
import { Scheduler, type ScheduledRule } from '../../src/events/schedule/index.js';
import { freePort, startRedisServer, type RedisServerHandle } from '../../src/local/redis-server.js';
import { connectRedis, type RedisConnection } from '../../src/queue/connection.js';
import { randomPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const clock = asyncClock(120);
const MINUTE = clock.realMs(60_000);

let dataDir: string;
let port: number;
let redis: RedisServerHandle | undefined;
let conn: RedisConnection | undefined;
let scheduler: Scheduler | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'klambda-schedule-redis-lost-'));
  port = await freePort();
  redis = await startRedisServer({ port, dataDir });
});

afterAll(async () => {
  await scheduler?.stop();
  conn?.disconnect();
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('logs the claims it cannot make while Redis is down, and fires each tick once when it is back', async () => {
  const logs: Record<string, unknown>[] = [];
  const logger = jsonLogger({ write: (l: string) => logs.push(JSON.parse(l) as Record<string, unknown>) });
  // one retry per command: a claim fails while Redis is down instead of waiting in ioredis's offline queue
  conn = connectRedis(redis!.url, { maxRetriesPerRequest: 1 });
  const anchor = Date.now();
  const rules = (): ScheduledRule[] => [{ key: 'default/steady', expression: 'rate(1 minute)', enabled: true, anchorMs: anchor }];
  const fired = new Map<number, number>();
  scheduler = new Scheduler({
    redis: conn, keyPrefix: randomPrefix(), rules, clock, logger, intervalMs: 20, leaseMs: 200,
    fire: async (_r, tick) => { fired.set(tick, (fired.get(tick) ?? 0) + 1); },
  });
  scheduler.start();
  await waitFor(() => (fired.size >= 2 ? true : undefined), 10_000, 'two ticks fired');

  process.kill(redis!.pid, 'SIGKILL');
  await redis!.exited;
  const downAt = Date.now();
  await waitFor(() => (logs.some((l) => l.msg === 'scheduler could not claim a tick; will try again') ? true : undefined), 20_000, 'a claim refused while Redis is down');

  redis = await startRedisServer({ port, dataDir });
  await waitFor(() => ([...fired.keys()].some((t) => t > downAt + MINUTE) ? true : undefined), 20_000, 'ticks fired again after the restart');
  expect([...fired.values()].every((n) => n === 1)).toBe(true);
  expect(logs.filter((l) => l.level === 'error').every((l) => l.msg === 'scheduler could not claim a tick; will try again'
    || l.msg === 'a scheduled rule fired but could not be marked done; it may fire again once its claim lapses')).toBe(true);
}, 60_000);
