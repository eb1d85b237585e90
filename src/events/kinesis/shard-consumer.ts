// Reads one shard for one mapping while its poller holds the lease: from the checkpoint (or the starting position),
// records dealt to parallelizationFactor lanes by partition key, each lane batching (batchSize, batching window,
// 6 MB) and running one batch at a time, the checkpoint moved past what every lane has finished.
import type { Logger } from '../../core/logger.js';
import { matchesFilterCriteria } from '../pattern/index.js';
import { runBatch, type BatchOutcomeName, type BatchRunnerDeps } from './batch-runner.js';
import type { ShardKeys } from './keys.js';
import { eventRecordBytes, kinesisEventRecord, type RecordContext } from './lambda-records.js';
import type { ShardLeases } from './leases.js';
import { MAX_BATCH_PAYLOAD_BYTES, type StreamPollConfig } from './mapping-config.js';
import { laneOf, ShardProgress } from './progress.js';
import type { KinesisStore, StoredRecord, StreamMeta } from './store.js';

export interface ShardConsumerDeps extends Omit<BatchRunnerDeps, 'record' | 'running' | 'sleep' | 'onIteratorAge' | 'onOutcome'> {
  store: KinesisStore;
  meta: StreamMeta;
  shardIndex: number;
  keys: ShardKeys;
  leases: ShardLeases;
  record: RecordContext;
  /** How long to wait before reading again when the shard has nothing new. */
  pollIntervalMs: number;
  onIteratorAge(shardId: string, ageMs: number): void;
  onOutcome(shardId: string, outcome: BatchOutcomeName): void;
  /** The lease was found taken: this consumer stopped. */
  onLost(): void;
  logger: Logger;
}

interface Lane { queue: StoredRecord[]; wake?: () => void }

export class ShardConsumer {
  private running = true;
  private readonly lanes: Lane[];
  private readonly progress = new ShardProgress();
  private readonly sleepers = new Set<() => void>();
  /** Wakes the reader when records are done (room to read more), not the retry back-offs. */
  private readerWake: (() => void) | undefined;
  private checkpoints: Promise<void> = Promise.resolve();
  private finished: Promise<unknown> = Promise.resolve();
  private positionedNow: () => void = () => undefined;
  /** Resolves once the start position is fixed (LATEST means from then on), or the consumer stopped. */
  readonly positioned = new Promise<void>((resolve) => { this.positionedNow = resolve; });

  constructor(private readonly deps: ShardConsumerDeps) {
    this.lanes = Array.from({ length: deps.config.parallelizationFactor }, () => ({ queue: [] }));
  }

  start(): void {
    this.finished = Promise.all([this.readLoop(), ...this.lanes.map((lane) => this.laneLoop(lane))]);
  }

  /** Stops reading and waits for the batches in flight (what they leave undone is read again by the next holder). */
  async stop(): Promise<void> {
    this.halt();
    await this.finished;
    await this.checkpoints;
  }

  get active(): boolean {
    return this.running;
  }

  private halt(): void {
    this.running = false;
    this.positionedNow();
    for (const wake of [...this.sleepers]) wake();
    for (const lane of this.lanes) lane.wake?.();
  }

  private sleep(ms: number, reader = false): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        if (this.readerWake === done) this.readerWake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
      if (reader) this.readerWake = done;
    });
  }

  /** Where reading starts: after the checkpoint, else the mapping's starting position (LATEST fixed by a checkpoint at once). */
  private async startPosition(): Promise<string> {
    const { leases, keys, store, meta, shardIndex, config } = this.deps;
    const done = await leases.checkpointOf(keys);
    if (done !== undefined) return `(${done}`;
    const start = config.startingPosition;
    if (start.type === 'TRIM_HORIZON') return '-';
    if (start.type === 'AT_TIMESTAMP') return `${Math.max(0, Math.ceil(start.atMs))}-0`;
    // LATEST: what is newest now, kept as the checkpoint so a restart does not skip what arrives meanwhile
    const last = (await store.lastId(this.deps.namespace, meta, shardIndex)) ?? '0-0';
    if (!(await leases.checkpoint(keys, last))) throw new Error('lease lost before the first read');
    return `(${last}`;
  }

  private async readLoop(): Promise<void> {
    const { store, meta, shardIndex, config, namespace } = this.deps;
    const chunk = Math.min(10_000, config.batchSize * config.parallelizationFactor * 2);
    let position: string | undefined;
    while (this.running) {
      try {
        if (position === undefined) {
          position = await this.startPosition();
          this.positionedNow();
        }
        if (this.progress.outstanding >= chunk * 2) {
          await this.sleep(this.deps.pollIntervalMs, true);
          continue;
        }
        const records = await store.read(namespace, meta, shardIndex, position, chunk);
        if (records.length === 0) {
          await this.sleep(this.deps.pollIntervalMs);
          continue;
        }
        position = `(${records[records.length - 1]!.id}`;
        this.deal(records);
      } catch (err) {
        this.deps.logger.warn({ msg: 'stream shard read failed', mapping: this.deps.mappingKey, shardId: this.deps.record.shardId, error: err instanceof Error ? err.message : String(err) });
        await this.sleep(this.deps.pollIntervalMs);
      }
    }
  }

  /** Each record to its partition key's lane, or done at once when the filter criteria drop it. */
  private deal(records: StoredRecord[]): void {
    const { config, record } = this.deps;
    const dropped: string[] = [];
    for (const r of records) {
      this.progress.add(r.id);
      const view = kinesisEventRecord(r, record) as unknown as Record<string, unknown>;
      if (!matchesFilterCriteria(config.filters, view, 'kinesis')) {
        dropped.push(r.id);
        continue;
      }
      const lane = this.lanes[laneOf(r.partitionKey, this.lanes.length)]!;
      lane.queue.push(r);
      lane.wake?.();
    }
    if (dropped.length > 0) this.finish(dropped);
  }

  private waitForLane(lane: Lane, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === Infinity ? undefined : setTimeout(() => { lane.wake = undefined; resolve(); }, ms);
      lane.wake = () => { if (timer) clearTimeout(timer); lane.wake = undefined; resolve(); };
    });
  }

  private async laneLoop(lane: Lane): Promise<void> {
    const { config } = this.deps;
    while (this.running) {
      if (lane.queue.length === 0) {
        await this.waitForLane(lane, Infinity);
        continue;
      }
      // the batching window: wait for a full batch, at most this long after the first record
      const until = Date.now() + config.batchingWindowMs;
      while (this.running && lane.queue.length < config.batchSize && this.bytesOf(lane.queue) < MAX_BATCH_PAYLOAD_BYTES && Date.now() < until) {
        await this.waitForLane(lane, until - Date.now());
      }
      if (!this.running) break;
      const batch = this.take(lane);
      await runBatch({
        ...this.deps,
        running: () => this.running,
        sleep: (ms) => this.sleep(ms),
        onIteratorAge: (ageMs) => this.deps.onIteratorAge(this.deps.record.shardId, ageMs),
        onOutcome: (outcome) => this.deps.onOutcome(this.deps.record.shardId, outcome),
      }, batch, (records) => this.finish(records.map((r) => r.id)));
    }
  }

  private bytesOf(records: StoredRecord[]): number {
    let n = 0;
    for (const r of records) {
      n += eventRecordBytes(r, this.deps.record);
      if (n >= MAX_BATCH_PAYLOAD_BYTES) break;
    }
    return n;
  }

  /** Up to batchSize records from the front of the lane whose event fits in 6 MB (always at least one). */
  private take(lane: Lane): StoredRecord[] {
    let bytes = 20;
    let n = 0;
    while (n < lane.queue.length && n < this.deps.config.batchSize) {
      const size = eventRecordBytes(lane.queue[n]!, this.deps.record);
      if (n > 0 && bytes + size > MAX_BATCH_PAYLOAD_BYTES) break;
      bytes += size;
      n++;
    }
    return lane.queue.splice(0, Math.max(1, n));
  }

  /** Records done: the checkpoint moves past the front run of done records, in order, under the lease. */
  private finish(ids: string[]): void {
    this.progress.markDone(ids);
    const upTo = this.progress.advance();
    this.readerWake?.();
    if (upTo === undefined) return;
    this.checkpoints = this.checkpoints.then(async () => {
      try {
        if (await this.deps.leases.checkpoint(this.deps.keys, upTo)) return;
        this.deps.logger.warn({ msg: 'stream shard lease lost', mapping: this.deps.mappingKey, shardId: this.deps.record.shardId });
        this.halt();
        this.deps.onLost();
      } catch (err) {
        // a later checkpoint covers this one; until then a successor may read these records again (at least once)
        this.deps.logger.warn({ msg: 'stream checkpoint not written', mapping: this.deps.mappingKey, shardId: this.deps.record.shardId, error: err instanceof Error ? err.message : String(err) });
      }
    });
  }
}
