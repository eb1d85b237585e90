// What runs beside the router in either mode to deliver events: the inbox, its worker, the HTTP sender. One set per
// process that delivers (the local mode; on a cluster, the controller's leader). The APIs only add to the inbox.
import type { Logger } from '../core/logger.js';
import type { RedisConnection } from '../queue/connection.js';
import type { AsyncInvoker } from './contracts.js';
import { EventWorker, type EventWorkerMetrics, type QueueSender } from './event-worker.js';
import type { EventCatalog } from './fanout.js';
import { HttpDeliveries, HttpSender } from './http-deliveries.js';
import { EventInbox } from './inbox.js';

export interface EventServicesOptions {
  redis: RedisConnection;
  keyPrefix: string;
  catalog: EventCatalog;
  invoker: AsyncInvoker;
  queues: QueueSender;
  logger: Logger;
  unsubscribeBase: () => string;
  /** Where the worker's figures go (metrics/event-metrics.ts builds them from this services' inbox). */
  metrics?: (services: EventServices) => EventWorkerMetrics;
  /** A guard on HTTP(S) endpoints (see HttpSenderOptions.refuse). */
  refuseUrl?: (url: URL) => string | undefined;
}

export class EventServices {
  readonly inbox: EventInbox;
  readonly http: HttpDeliveries;
  private readonly worker: EventWorker;
  private readonly sender: HttpSender;

  constructor(opts: EventServicesOptions) {
    this.inbox = new EventInbox(opts.redis, opts.keyPrefix);
    this.http = new HttpDeliveries(opts.redis, opts.keyPrefix);
    this.worker = new EventWorker({
      inbox: this.inbox, catalog: opts.catalog, invoker: opts.invoker, queues: opts.queues, http: this.http,
      logger: opts.logger, unsubscribeBase: opts.unsubscribeBase, ...(opts.metrics ? { metrics: opts.metrics(this) } : {}),
    });
    this.sender = new HttpSender({ deliveries: this.http, logger: opts.logger, ...(opts.refuseUrl ? { refuse: opts.refuseUrl } : {}) });
  }

  start(): void {
    this.worker.start();
    this.sender.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.worker.stop(), this.sender.stop()]);
  }
}
