// klambda_redis_errors_total: Redis connection errors and failed Redis operations of a process, by operation.
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';

export class RedisErrors {
  private readonly counter: Counter<'operation'>;

  constructor(registry: Registry) {
    this.counter = new Counter({
      name: 'klambda_redis_errors_total',
      help: 'Redis errors: connection errors (operation="connection") and failed operations (enqueue, depth, reclaim, ...).',
      labelNames: ['operation'], registers: [registry],
    });
    // a series from the start, so rate() and alerts see 0 rather than nothing
    this.counter.inc({ operation: 'connection' }, 0);
  }

  inc(operation: string): void {
    this.counter.inc({ operation });
  }

  /** Counts the connection's error events (ioredis emits one per failed connect or reconnect). */
  watch(conn: Redis): Redis {
    conn.on('error', () => this.inc('connection'));
    return conn;
  }
}
