// The event worker's figures: deliveries by destination kind and outcome, and what waits (the inbox, HTTP retries).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventWorkerMetrics } from '../events/event-worker.js';

export class EventMetrics implements EventWorkerMetrics {
  private readonly deliveries: Counter<'destination' | 'outcome'>;

  /** `backlog`: the inbox's entries and the HTTP jobs waiting, read at each scrape (a Redis round trip each). */
  constructor(registry: Registry, backlog?: { inbox(): Promise<number>; http(): Promise<number> }) {
    this.deliveries = new Counter({
      name: 'klambda_event_deliveries_total', registers: [registry], labelNames: ['destination', 'outcome'],
      help: 'Deliveries of topic messages, bus events and schedule ticks: destination function, queue, http or topic; outcome ok (handed on) or dropped (the destination refused it for good).',
    });
    if (!backlog) return;
    new Gauge({
      name: 'klambda_event_inbox_entries', registers: [registry],
      help: 'Messages, events and ticks accepted and not yet delivered everywhere.',
      async collect() { this.set(await backlog.inbox().catch(() => NaN)); },
    });
    new Gauge({
      name: 'klambda_event_http_pending', registers: [registry],
      help: 'HTTP(S) notifications waiting for a first try or a retry.',
      async collect() { this.set(await backlog.http().catch(() => NaN)); },
    });
  }

  delivered(to: 'function' | 'queue' | 'http' | 'topic', outcome: 'ok' | 'dropped'): void {
    this.deliveries.inc({ destination: to, outcome });
  }
}
