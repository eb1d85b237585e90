// The poller of one EventSourceMapping whose source is a queue: batches of messages into the function through a
// SyncInvoker, as Lambda polls SQS — batch size and window, filters, partial batch failures, backoff.
import type { EventSourceMappingSpec } from '../../api/event-source-mapping.js';
import type { ArnContext } from '../../core/arn.js';
import type { InvocationResult } from '../../core/invocation.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { SyncInvoker } from '../contracts.js';
import { compileFilterCriteria, matchesFilterCriteria, type CompiledFilterCriteria } from '../pattern/index.js';
import { queueArn } from './attributes.js';
import { batchRequestId, failedItems, sqsRecord, type SqsRecord } from './lambda-event.js';
import type { QueueId, ReceivedMessage, SqsStore } from './store.js';

/** A batch fits Lambda's 6 MB synchronous payload. */
export const MAX_BATCH_BYTES = 6 * 1024 * 1024;
/** What a record adds to its body in the event (ids, handle, attributes): an upper estimate without attributes. */
const RECORD_OVERHEAD = 1024;
/** SQS hands out at most 10 messages per receive. */
const RECEIVE_MAX = 10;
/** How long one receive waits for a first message (SQS's longest long poll). */
const LONG_POLL_SECONDS = 20;

export interface SqsPollerOptions {
  store: SqsStore;
  invoker: SyncInvoker;
  namespace: string;
  /** The mapping's name, for logs. */
  mapping: string;
  spec: EventSourceMappingSpec;
  /** The namespace's region and account: eventSourceARN and awsRegion of the records. */
  arn: ArnContext;
  logger?: Logger;
  /** Batches in flight at once. */
  concurrency?: number;
  /** The most a batch's messages may add up to (Lambda's 6 MB synchronous payload by default). */
  maxBatchBytes?: number;
  /** Backoff after a failed invocation or a Redis error: doubling from minMs up to maxMs, reset by a success. */
  backoff?: { minMs: number; maxMs: number };
}

type Outcome = 'done' | 'retry-later';

/** The filter criteria of a spec, read defensively (the field came later than the kind). */
function filtersOf(spec: EventSourceMappingSpec): CompiledFilterCriteria {
  const fc = (spec as { filterCriteria?: { filters?: Array<{ pattern?: unknown }> } }).filterCriteria;
  const filters = Array.isArray(fc?.filters) ? fc.filters : [];
  return compileFilterCriteria({ Filters: filters.map((f) => ({ Pattern: f?.pattern })) });
}

const abortable = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
  if (signal.aborted) { resolve(); return; }
  const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
  const timer = setTimeout(done, ms);
  signal.addEventListener('abort', done, { once: true });
});

export class SqsPoller {
  private readonly queue: QueueId;
  private readonly filters: CompiledFilterCriteria;
  private readonly logger: Logger;
  private readonly sourceArn: string;
  private stopping = new AbortController();
  private workers: Promise<void>[] = [];

  /** Throws the pattern engine's error for filter criteria Lambda would refuse. */
  constructor(private readonly opts: SqsPollerOptions) {
    const name = opts.spec.source.queue;
    if (name === undefined) throw new Error(`event source mapping ${opts.namespace}/${opts.mapping} has no queue source`);
    this.queue = { namespace: opts.namespace, name };
    this.filters = filtersOf(opts.spec);
    this.logger = opts.logger ?? silentLogger;
    this.sourceArn = queueArn(opts.arn, name);
  }

  /** Starts the poll loops (the queue is created if nothing made it yet). A disabled mapping polls nothing. */
  start(): void {
    if (this.workers.length > 0 || this.opts.spec.enabled === false) return;
    this.stopping = new AbortController();
    const n = Math.max(1, this.opts.concurrency ?? 2);
    this.workers = Array.from({ length: n }, () => this.loop());
  }

  /**
   * Stops polling: waits end at once, and a batch whose function is still running is left to its visibility timeout
   * (it comes back to the queue, as when a poller dies mid-batch).
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async loop(): Promise<void> {
    const { minMs, maxMs } = this.opts.backoff ?? { minMs: 200, maxMs: 10_000 };
    const signal = this.stopping.signal;
    let delay = 0;
    try {
      await this.opts.store.ensureQueue(this.queue);
    } catch (err) {
      this.logger.error({ msg: 'could not create the mapping\'s queue; polling will say more', mapping: this.label(), error: String(err) });
    }
    while (!signal.aborted) {
      let outcome: Outcome;
      try {
        const batch = await this.collect(signal);
        outcome = batch.length === 0 ? 'done' : await this.process(batch, signal);
      } catch (err) {
        this.logger.error({ msg: 'polling the queue failed; backing off', mapping: this.label(), error: String(err) });
        outcome = 'retry-later';
      }
      delay = outcome === 'done' ? 0 : Math.min(maxMs, delay === 0 ? minMs : delay * 2);
      if (delay > 0) await abortable(delay, signal);
    }
  }

  private label(): string {
    return `${this.opts.namespace}/${this.opts.mapping}`;
  }

  /**
   * Up to batchSize messages: a long poll for the first, then more until the batch is full, the batching window
   * (from the first message) is over, or the batch reaches 6 MB (a message past that is given back at once).
   */
  private async collect(signal: AbortSignal): Promise<ReceivedMessage[]> {
    const { store, spec } = this.opts;
    const batchSize = spec.batchSize ?? RECEIVE_MAX;
    const windowMs = (spec.maximumBatchingWindowSeconds ?? 0) * 1000;
    const maxBytes = this.opts.maxBatchBytes ?? MAX_BATCH_BYTES;
    const batch: ReceivedMessage[] = [];
    let bytes = 0;
    let windowEnd = 0;
    // past the window, the queue is still drained while receives come back full
    let lastFull = false;
    while (batch.length < batchSize && !signal.aborted) {
      const want = Math.min(RECEIVE_MAX, batchSize - batch.length);
      const left = windowEnd - Date.now();
      if (batch.length > 0 && left <= 0 && !lastFull) break;
      const waitTimeSeconds = batch.length === 0 ? LONG_POLL_SECONDS : Math.max(0, left) / 1000;
      const got = await store.receive(this.queue, { maxMessages: want, waitTimeSeconds, signal });
      if (got.length === 0) {
        if (batch.length === 0 || left <= 0) break;
        lastFull = false;
        continue;
      }
      if (batch.length === 0) windowEnd = Date.now() + windowMs;
      lastFull = got.length === want;
      for (const m of got) {
        // a message whose visibility ran out during a long window comes again: keep its latest handle only
        const again = batch.findIndex((b) => b.messageId === m.messageId);
        if (again >= 0) { batch[again] = m; continue; }
        // the body and room for the record's other members
        const size = Buffer.byteLength(m.body) + RECORD_OVERHEAD;
        if (bytes + size > maxBytes && batch.length > 0) {
          // past 6 MB: given back at once; if that fails it comes back after its visibility timeout anyway
          await store.changeVisibility(this.queue, m.receiptHandle, 0).catch((err: unknown) =>
            this.logger.error({ msg: 'could not give a message back to the queue', mapping: this.label(), messageId: m.messageId, error: String(err) }));
          continue;
        }
        bytes += size;
        batch.push(m);
      }
      if (bytes >= maxBytes) break;
    }
    return batch;
  }

  /** Filters, invokes, deletes what succeeded. 'retry-later' when the function could not run or failed. */
  private async process(batch: ReceivedMessage[], signal: AbortSignal): Promise<Outcome> {
    const { store, invoker, spec, arn } = this.opts;
    const records: Array<{ m: ReceivedMessage; r: SqsRecord }> = [];
    for (const m of batch) {
      const r = sqsRecord(m, this.sourceArn, arn.region);
      // a message the filters leave out is deleted, as Lambda does
      if (matchesFilterCriteria(this.filters, r as unknown as Record<string, unknown>, 'sqs')) records.push({ m, r });
      else await store.deleteMessage(this.queue, m.receiptHandle);
    }
    if (records.length === 0) return 'done';
    const messages = records.map((x) => x.m);
    const invocation = invoker.invokeSync(this.opts.namespace, spec.functionName, {
      payload: JSON.stringify({ Records: records.map((x) => x.r) }), requestId: batchRequestId(messages),
      ...(messages[0]!.traceHeader !== undefined ? { traceId: messages[0]!.traceHeader } : {}),
    });
    let result: InvocationResult | 'stopped';
    try {
      const stopped = new Promise<'stopped'>((resolve) => {
        if (signal.aborted) resolve('stopped'); else signal.addEventListener('abort', () => resolve('stopped'), { once: true });
      });
      result = await Promise.race([invocation, stopped]);
    } catch (err) {
      // throttled, no such function, Redis away: the messages come back after their visibility timeout
      this.logger.error({ msg: 'the mapping\'s function could not be invoked; backing off', mapping: this.label(), function: spec.functionName, error: err instanceof Error ? err.message : String(err) });
      return 'retry-later';
    }
    if (result === 'stopped') {
      // its outcome no longer matters: the batch comes back after its visibility timeout
      invocation.catch(() => undefined);
      return 'done';
    }
    if (result.functionError) {
      // the whole batch comes back after the visibility timeout; the queue's redrive policy ends the poison ones
      this.logger.error({ msg: 'the mapping\'s function failed on a batch', mapping: this.label(), requestId: result.requestId, function: spec.functionName, messages: messages.length });
      return 'retry-later';
    }
    let done = messages;
    if (spec.functionResponseTypes?.includes('ReportBatchItemFailures')) {
      const failed = failedItems(result.payload, new Set(messages.map((m) => m.messageId)));
      if (failed === 'all') {
        this.logger.error({ msg: 'the function\'s batchItemFailures answer is not valid: the whole batch failed', mapping: this.label(), requestId: result.requestId });
        return 'retry-later';
      }
      done = messages.filter((m) => !failed.has(m.messageId));
    }
    await Promise.all(done.map((m) => store.deleteMessage(this.queue, m.receiptHandle)));
    return 'done';
  }
}
