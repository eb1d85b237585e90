// Event source mappings at work: one poller per enabled mapping (a queue's SqsPoller, a stream's KinesisPoller),
// started, restarted when its spec changes and stopped when it is disabled or gone; a stream batch given up goes to
// the mapping's on-failure destination; the iterator age of each shard is a gauge.
import { Gauge, type Registry } from 'prom-client';
import type { EventSourceMapping, OnFailureDestination } from '../api/event-source-mapping.js';
import type { ArnContext } from '../core/arn.js';
import type { Logger } from '../core/logger.js';
import { Passes } from '../queue/passes.js';
import { derivedRequestId } from '../dispatcher/dispatcher.js';
import type { AsyncInvoker, SyncInvoker } from './contracts.js';
import type { EventInbox } from './inbox.js';
import { KinesisPoller, type KinesisFailureRecord, type KinesisStore } from './kinesis/index.js';
import { SqsPoller } from './sqs/poller.js';
import type { SqsStore } from './sqs/store.js';

export interface MappingPollersOptions {
  /** Every mapping (metadata.namespace set), as the folder or the informer has it now. */
  mappings(): EventSourceMapping[];
  sqs: SqsStore;
  kinesis: KinesisStore;
  invoker: SyncInvoker;
  /** On-failure destinations that are functions. */
  asyncInvoker: AsyncInvoker;
  /** On-failure destinations that are topics. */
  inbox: EventInbox;
  arnFor(namespace: string): ArnContext;
  logger: Logger;
  registry?: Registry;
  /** How often the mappings are compared with the pollers (default 1 s). */
  intervalMs?: number;
}

interface Running { signature: string; stop(): Promise<void> }

export class MappingPollers {
  private readonly passes: Passes;
  private readonly running = new Map<string, Running>();
  private readonly iteratorAge: Gauge | undefined;

  constructor(private readonly opts: MappingPollersOptions) {
    this.passes = new Passes(() => this.sync(), opts.intervalMs ?? 1000);
    this.iteratorAge = opts.registry ? new Gauge({
      name: 'klambda_event_source_iterator_age_milliseconds', registers: [opts.registry],
      help: 'Stream event source mappings: ms from the arrival of the last record of the latest batch to its invocation.',
      labelNames: ['namespace', 'mapping', 'shard'],
    }) : undefined;
  }

  start(): void { this.passes.start(); }

  async stop(): Promise<void> {
    await this.passes.stop();
    await Promise.all([...this.running.values()].map((r) => r.stop()));
    this.running.clear();
  }

  /** The mappings polled now (namespace/name). */
  polled(): string[] { return [...this.running.keys()].sort(); }

  private async sync(): Promise<void> {
    const wanted = new Map<string, EventSourceMapping>();
    for (const m of this.opts.mappings()) if (m.spec?.enabled !== false) wanted.set(`${m.metadata.namespace}/${m.metadata.name}`, m);
    for (const [key, r] of [...this.running]) {
      const m = wanted.get(key);
      if (m && signature(m) === r.signature) continue;
      this.running.delete(key);
      await r.stop().catch((err: unknown) => this.opts.logger.warn({ msg: 'event source mapping poller did not stop cleanly', mapping: key, error: String(err) }));
    }
    for (const [key, m] of wanted) {
      if (!this.passes.active) return;
      if (this.running.has(key)) continue;
      try {
        this.running.set(key, await this.startPoller(m));
      } catch (err) {
        // a spec the engine refuses (its object is not Ready) or Redis away: tried again next pass
        this.opts.logger.warn({ msg: 'event source mapping not polled', mapping: key, error: String(err) });
      }
    }
  }

  private async startPoller(m: EventSourceMapping): Promise<Running> {
    const namespace = m.metadata.namespace;
    const arn = this.opts.arnFor(namespace);
    if (m.spec.source.queue !== undefined) {
      const p = new SqsPoller({ store: this.opts.sqs, invoker: this.opts.invoker, namespace, mapping: m.metadata.name, spec: m.spec, arn, logger: this.opts.logger });
      p.start();
      return { signature: signature(m), stop: () => p.stop() };
    }
    const p = new KinesisPoller({
      store: this.opts.kinesis, invoker: this.opts.invoker, mapping: m, arn, logger: this.opts.logger,
      onFailure: (mapping, record) => this.sendFailure(mapping, record),
      onIteratorAge: (mapping, shard, ageMs) => this.iteratorAge?.set({ namespace: mapping.metadata.namespace, mapping: mapping.metadata.name, shard }, ageMs),
    });
    await p.start();
    return { signature: signature(m), stop: () => p.stop() };
  }

  /** Lambda's record of a discarded stream batch, to the mapping's on-failure destination (none: logged). */
  private async sendFailure(m: EventSourceMapping, record: KinesisFailureRecord): Promise<void> {
    const to: OnFailureDestination | undefined = m.spec.destinationConfig?.onFailure;
    const namespace = m.metadata.namespace;
    const body = JSON.stringify(record);
    const info = (record as { KinesisBatchInfo?: { shardId?: string; startSequenceNumber?: string } }).KinesisBatchInfo;
    const id = derivedRequestId(`${namespace}/${m.metadata.name}`, `${info?.shardId ?? ''}:${info?.startSequenceNumber ?? ''}:${(record as { timestamp?: string }).timestamp ?? ''}`);
    if (!to) {
      this.opts.logger.error({ msg: 'stream batch discarded (no on-failure destination)', mapping: `${namespace}/${m.metadata.name}`, record: body.slice(0, 2048) });
      return;
    }
    if (to.function !== undefined) await this.opts.asyncInvoker.invokeAsync(namespace, to.function, { payload: body, requestId: id });
    else if (to.queue !== undefined) {
      const q = { namespace, name: to.queue };
      await this.opts.sqs.ensureQueue(q);
      await this.opts.sqs.sendOne(q, { id, body, senderId: 'klambda' });
    } else if (to.topic !== undefined) {
      await this.opts.inbox.add([{ kind: 'topic', namespace, topic: to.topic, message: { messageId: id, message: body, messageAttributes: {}, timestamp: Date.now() } }]);
    }
  }
}

/** What a poller is built from: a change restarts it. */
const signature = (m: EventSourceMapping): string => JSON.stringify([(m.metadata as { uid?: string }).uid ?? '', m.spec]);
