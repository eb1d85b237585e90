// The poller of one EventSourceMapping with a stream source: holds the leases of the shards it can get (renewing
// them, taking over those that lapse), runs a ShardConsumer on each, and lets go of all of them on stop.
import { randomUUID } from 'node:crypto';
import type { EventSourceMapping } from '../../api/event-source-mapping.js';
import { functionArn, type ArnContext } from '../../core/arn.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { SyncInvoker } from '../contracts.js';
import type { BatchOutcomeName } from './batch-runner.js';
import { shardIdOf } from './hash-keys.js';
import type { KinesisFailureRecord } from './lambda-records.js';
import { ShardLeases } from './leases.js';
import { streamPollConfig, type StreamPollConfig } from './mapping-config.js';
import { ShardConsumer } from './shard-consumer.js';
import { streamArnOf } from './stream-arn.js';
import type { KinesisStore, StreamMeta } from './store.js';

export interface KinesisPollerOptions {
  store: KinesisStore;
  invoker: SyncInvoker;
  mapping: EventSourceMapping;
  /** The region and account of the mapping's namespace (ARNs in events and failure records). */
  arn: ArnContext;
  /** This poller's name in the leases: unique per poller (default: a random id). */
  owner?: string;
  /** How long a lease lasts unrenewed (default 10 s); it is renewed every third of that. */
  leaseMs?: number;
  /** How long an idle shard waits before it is read again (default 250 ms). */
  pollIntervalMs?: number;
  /** Back-off before the nth retry of a failed batch (default 0.5 s doubling to 30 s). */
  retryDelayMs?: (attempt: number) => number;
  /** The `invokeIdentityArn` of the records (the execution role's ARN at AWS). */
  invokeIdentityArn?: string;
  /** A batch discarded after its retries or age: Lambda's record of it, for the mapping's on-failure destination. */
  onFailure?: (mapping: EventSourceMapping, record: KinesisFailureRecord) => Promise<void> | void;
  /** Iterator age of each batch invoked: ms from the arrival of its last record to its invocation. */
  onIteratorAge?: (mapping: EventSourceMapping, shardId: string, ageMs: number) => void;
  /** How each invocation of a batch ended, and each discard: for a counter by outcome. */
  onOutcome?: (mapping: EventSourceMapping, shardId: string, outcome: BatchOutcomeName) => void;
  logger?: Logger;
  now?: () => number;
}

export const DEFAULT_LEASE_MS = 10_000;
/** `p`, or a rejection after `ms`. */
function within(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const defaultRetryDelay = (attempt: number): number => Math.min(500 * 2 ** (attempt - 1), 30_000);

interface Running { consumer: ShardConsumer; epoch: string }

export class KinesisPoller {
  readonly config: StreamPollConfig;
  private readonly namespace: string;
  private readonly leases: ShardLeases;
  private readonly leaseMs: number;
  private readonly logger: Logger;
  private readonly consumers = new Map<number, Running>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private stopped = false;
  private meta: StreamMeta | undefined;

  constructor(private readonly opts: KinesisPollerOptions) {
    this.config = streamPollConfig(opts.mapping);
    this.namespace = opts.mapping.metadata.namespace;
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.logger = opts.logger ?? silentLogger;
    // a mapping made again under its name (a new uid on a cluster) starts afresh, as a new Lambda mapping (UUID) does
    const uid = (opts.mapping.metadata as { uid?: unknown }).uid;
    this.leases = new ShardLeases(opts.store.redis, typeof uid === 'string' && uid !== '' ? uid : opts.mapping.metadata.name, opts.owner ?? randomUUID());
  }

  /**
   * Creates the stream when it does not exist (one shard), claims what shards it can and keeps at it. Resolves once
   * the shards it got know where they start (LATEST: what arrives from then on).
   */
  async start(): Promise<void> {
    if (!this.config.enabled) return;
    this.meta = await this.opts.store.ensureStream(this.namespace, this.config.stream);
    this.ticking = this.tick();
    await this.ticking;
    // bounded: a Redis that does not answer now must not hold up the caller (the consumers keep trying)
    await within(Promise.all([...this.consumers.values()].map((r) => r.consumer.positioned)).then(() => undefined), this.leaseMs)
      .catch(() => this.logger.warn({ msg: 'stream shards not positioned yet', mapping: this.mappingKey }));
  }

  /** The shards this poller reads now. */
  ownedShards(): string[] {
    return [...this.consumers].filter(([, r]) => r.consumer.active).map(([i]) => shardIdOf(i)).sort();
  }

  /**
   * Stops reading, waits for the batches in flight and lets go of the leases. A Redis that no longer answers is waited
   * for at most a lease's length: by then the leases have lapsed for the other pollers anyway.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // every consumer stops reading now, whatever Redis does; the rest is waited for
    const running = [...this.consumers];
    this.consumers.clear();
    const stopping = running.map(([, r]) => r.consumer.stop());
    const release = async (): Promise<void> => {
      await this.ticking;
      const meta = this.meta;
      await Promise.all(stopping);
      if (meta) await Promise.all(running.map(([i]) => this.leases.release(this.opts.store.shardKeys(this.namespace, meta, i))));
    };
    await within(release(), this.leaseMs).catch((err: unknown) => {
      this.logger.warn({ msg: 'stream poller stopped without letting go of its leases', mapping: this.mappingKey, error: err instanceof Error ? err.message : String(err) });
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => { this.ticking = this.tick(); }, Math.max(50, Math.floor(this.leaseMs / 3)));
  }

  private async tick(): Promise<void> {
    try {
      const meta = await this.opts.store.getStream(this.namespace, this.config.stream);
      if (this.stopped) return;
      for (const [i, r] of this.consumers) {
        // the stream was deleted (or made again): its shards are not these
        if (!meta || r.epoch !== meta.epoch || i >= meta.shardCount) await this.drop(i);
      }
      if (meta) {
        this.meta = meta;
        for (let i = 0; i < meta.shardCount && !this.stopped; i++) await this.claim(meta, i);
      }
    } catch (err) {
      this.logger.warn({ msg: 'stream poller tick failed', mapping: this.mappingKey, error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.schedule();
    }
  }

  private get mappingKey(): string {
    return `${this.namespace}/${this.opts.mapping.metadata.name}`;
  }

  private async drop(shardIndex: number): Promise<void> {
    const r = this.consumers.get(shardIndex);
    this.consumers.delete(shardIndex);
    // not awaited: a batch in flight finishes in the background; its checkpoint is refused without the lease
    if (r) void r.consumer.stop();
  }

  private async claim(meta: StreamMeta, shardIndex: number): Promise<void> {
    const keys = this.opts.store.shardKeys(this.namespace, meta, shardIndex);
    const held = await this.leases.claim(keys, this.leaseMs);
    const running = this.consumers.get(shardIndex);
    if (!held) {
      if (running) {
        this.logger.info({ msg: 'stream shard taken over', mapping: this.mappingKey, shardId: shardIdOf(shardIndex) });
        await this.drop(shardIndex);
      }
      return;
    }
    if (running?.consumer.active) return;
    if (this.stopped) {
      // stop() came while this tick was claiming: no consumer, and the lease back at once
      await this.leases.release(keys);
      return;
    }
    const consumer: ShardConsumer = this.consumerFor(meta, shardIndex, () => {
      if (this.consumers.get(shardIndex)?.consumer === consumer) this.consumers.delete(shardIndex);
    });
    this.consumers.set(shardIndex, { consumer, epoch: meta.epoch });
    this.logger.info({ msg: 'stream shard leased', mapping: this.mappingKey, shardId: shardIdOf(shardIndex) });
    consumer.start();
  }

  private consumerFor(meta: StreamMeta, shardIndex: number, onLost: () => void): ShardConsumer {
    const { opts, config } = this;
    const [name, qualifier] = config.functionName.split(':') as [string, string | undefined];
    return new ShardConsumer({
      config, namespace: this.namespace, mappingKey: this.mappingKey,
      functionArn: functionArn(opts.arn, name, qualifier),
      record: {
        shardId: shardIdOf(shardIndex), streamArn: streamArnOf(opts.arn, meta.name), region: opts.arn.region,
        invokeIdentityArn: opts.invokeIdentityArn ?? `arn:aws:iam::${opts.arn.accountId}:role/klambda-event-source-mapping`,
      },
      invoker: opts.invoker, retentionMs: meta.retentionHours * 3600_000,
      now: opts.now ?? Date.now, retryDelayMs: opts.retryDelayMs ?? defaultRetryDelay,
      onFailure: async (record) => { await opts.onFailure?.(opts.mapping, record); },
      onIteratorAge: (shardId, ageMs) => opts.onIteratorAge?.(opts.mapping, shardId, ageMs),
      onOutcome: (shardId, outcome) => opts.onOutcome?.(opts.mapping, shardId, outcome),
      store: opts.store, meta, shardIndex, keys: opts.store.shardKeys(this.namespace, meta, shardIndex), leases: this.leases,
      pollIntervalMs: opts.pollIntervalMs ?? 250,
      onLost,
      logger: this.logger,
    });
  }
}
