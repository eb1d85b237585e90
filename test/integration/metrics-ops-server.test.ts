// The ops server against a real Redis: /healthz follows Redis, /readyz also the process's start, /metrics its own Registry.
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/core/logger.js';
import { RedisErrors } from '../../src/metrics/redis-errors.js';
import { newRegistry } from '../../src/metrics/registry.js';
import { startOpsServer, type OpsServer } from '../../src/ops/ops-server.js';
import { freePort } from '../helpers/prometheus.js';
import { useRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let redis: TestRedis;
const open: Array<{ close(): Promise<void> } | Redis> = [];
beforeAll(async () => { redis = await useRedis(); });
afterEach(async () => { for (const o of open.splice(0)) { if (o instanceof Redis) o.disconnect(); else await o.close(); } });
afterAll(async () => { await redis.stop(); });

const get = async (base: string, path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
};

async function serve(conn: Redis, ready: () => boolean): Promise<OpsServer> {
  const registry = newRegistry();
  new RedisErrors(registry).watch(conn);
  const ops = await startOpsServer({ port: 0, host: '127.0.0.1', logger: silentLogger, registry, ping: () => conn.ping(), ready, pingTimeoutMs: 500 });
  open.push(ops);
  return ops;
}

describe('the ops server', () => {
  it('is healthy while Redis answers, ready only once the process says so, and serves its registry', async () => {
    const conn = new Redis(redis.url);
    open.push(conn);
    let ready = false;
    const ops = await serve(conn, () => ready);
    expect(await get(ops.url, '/healthz')).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(await get(ops.url, '/readyz')).toMatchObject({ status: 503, body: '{"ok":false,"reason":"starting"}' });
    ready = true;
    expect(await get(ops.url, '/readyz')).toMatchObject({ status: 200, body: '{"ok":true}' });
    const metrics = await get(ops.url, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toMatch(/^klambda_redis_errors_total\{operation="connection"\} 0$/m);
    expect(metrics.body).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(metrics.body).not.toMatch(/nodejs_active_handles_total/);
    expect((await get(ops.url, '/nope')).status).toBe(404);
  });

  it('answers 503 with the reason when Redis does not answer, and counts the connection errors', async () => {
    // nothing listens there: every connect fails
    const conn = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    conn.on('error', () => undefined);
    open.push(conn);
    const ops = await serve(conn, () => true);
    const health = await get(ops.url, '/healthz');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toMatchObject({ ok: false, reason: expect.stringMatching(/redis/) });
    expect((await get(ops.url, '/readyz')).status).toBe(503);
    await waitFor(async () => (/klambda_redis_errors_total\{operation="connection"\} [1-9]/.test((await get(ops.url, '/metrics')).body) ? true : undefined), 10_000, 'connection errors counted');
  });
});
