// klambda_redis_errors_total: Redis connection errors and failed Redis operations of a process, by operation.
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import type { RedisConnection } from '../queue/connection.js';
import { queueName } from '../queue/keys.js';

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

  /** WorkQueueOptions.onUnreplicated: a job that no replica acknowledged in time is counted (operation="unreplicated") and logged. */
  unreplicated(logger: Logger): (ref: QueueRef, requestId: string) => void {
    return (ref, requestId) => {
      this.inc('unreplicated');
      logger.warn({ msg: 'queued on its Redis Cluster master only: no replica acknowledged it in time', queue: queueName(ref), requestId });
    };
  }

  /** Counts the connection's error events (ioredis emits one per failed connect or reconnect; a cluster client, per node too). */
  watch<C extends RedisConnection>(conn: C): C {
    conn.on('error', () => this.inc('connection'));
    conn.on('node error', () => this.inc('connection'));
    return conn;
  }
}
