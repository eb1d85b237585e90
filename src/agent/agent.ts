// The runtime agent: pulls work for one function version only when a slot is free and runs it in an execution environment.
import { readFileSync } from 'node:fs';
import type { LayersFetchConfig } from './opt-fetch.js';
import type { PackageFetchConfig } from './package-fetch.js';
import type { EnvironmentSpec } from '../core/environment-spec.js';
import type { Logger } from '../core/logger.js';
import type { Lease, QueueRef } from '../core/queue-contract.js';
import { QueueConsumer, type RedisUrlSource } from '../queue/consumer.js';
import { LeaseLostError } from '../queue/errors.js';
import { ExecutionEnvironment } from './execution-environment.js';
import type { IsolationOptions } from './isolation.js';
import type { PodModeConfig, PodRuntime } from './pod-runtime.js';
import type { InvokeOutcome } from './invocation-endings.js';
import type { StreamAppend } from './response-stream.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import { sampleIncrements, type FunctionOutcome, type InvocationSample } from '../metrics/function-stats.js';
import type { Tracing } from '../tracing/tracer.js';
import { invocationSpans } from '../tracing/invocation-spans.js';

export interface AgentConfig {
  /** The agent's Redis URL with its own ACL user and password (local mode: handed over by klambda dev). */
  redisUrl?: string;
  /** A file holding that URL (cluster: a Secret mounted into the agent container only). Read once at start. */
  redisUrlFile?: string;
  keyPrefix: string;
  queue: QueueRef;
  spec: EnvironmentSpec;
  /** Execution environments this agent runs side by side; each takes one invocation at a time. */
  slots: number;
  /** Added to the function timeout to make the queue's visibility timeout. */
  visibilityGraceMs: number;
  /** How spawned runtimes are sealed from the machine (default: the strongest it allows). */
  isolation?: IsolationOptions;
  /** Pod mode: the runtime is the function container beside the agent, not a child process (one slot). */
  pod?: PodModeConfig;
  /** Serve the agent's own /metrics, /healthz and /readyz on this port (0: a free one); unset: none. */
  metricsPort?: number;
  /** Address of that server (default 127.0.0.1; a pod scraped from outside needs 0.0.0.0). */
  metricsHost?: string;
  /** Pod mode with a zip package: fetched from the code store into the code volume before the function starts. */
  package?: PackageFetchConfig;
  /** Pod mode with layers: fetched from the code store and merged into the opt volume before the function starts. */
  layers?: LayersFetchConfig;
}

export interface AgentDeps {
  logger: Logger;
  /** A promise back means the sink is full (see ExecutionEnvironmentOptions.logSink). */
  logSink?: (line: string) => void | Promise<void>;
  now?: () => number;
  /** Pod mode: the Runtime API the function container calls, listening since the agent started. */
  pod?: PodRuntime;
  /** The agent process's own metrics (busy environments, Redis errors). */
  metrics?: AgentMetrics;
  /** Spans of each invocation (queue wait, init, run); absent or off: none. */
  tracing?: Tracing;
}

const FUNCTION_OUTCOME: Record<InvokeOutcome, FunctionOutcome> = { ok: 'success', error: 'function_error', timeout: 'timeout', crash: 'crash' };

/** The Redis URL the agent connects with: inline, or read from its file (a mounted Secret, re-read on reconnect). */
export function redisUrlOf(cfg: AgentConfig): RedisUrlSource {
  if (cfg.redisUrl) return cfg.redisUrl;
  const file = cfg.redisUrlFile;
  if (file) return () => readFileSync(file, 'utf8').trim();
  throw new Error('agent config names no Redis: set redisUrl or redisUrlFile');
}

class Slot {
  private stopping = false;
  /** Handling a job (from its take to its ack): not to be stopped first when the agent shrinks. */
  busy = false;
  private readonly env: ExecutionEnvironment;
  private readonly consumer: QueueConsumer;
  done: Promise<void> = Promise.resolve();

  constructor(private readonly cfg: AgentConfig, private readonly deps: AgentDeps, readonly index: number) {
    const envOpts: ConstructorParameters<typeof ExecutionEnvironment>[1] = { logger: deps.logger };
    if (deps.logSink) envOpts.logSink = deps.logSink;
    if (cfg.isolation) envOpts.isolation = cfg.isolation;
    if (deps.pod) envOpts.pod = deps.pod;
    this.env = new ExecutionEnvironment(cfg.spec, envOpts);
    this.consumer = new QueueConsumer(redisUrlOf(cfg), cfg.queue, {
      keyPrefix: cfg.keyPrefix,
      visibilityTimeoutMs: cfg.spec.timeoutSeconds * 1000 + cfg.visibilityGraceMs,
    });
  }

  /** Initialises the environment before taking work (the cold start). A failed init is retried by the next
   *  invoke, which answers with the init error if it fails again, as Lambda does. */
  async start(): Promise<void> {
    try {
      await this.env.start();
    } catch (err) {
      this.deps.logger.error({ msg: 'init failed', function: this.cfg.spec.functionName, version: this.cfg.spec.version, error: err instanceof Error ? err.message : String(err) });
    }
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let lease: Lease | null;
      // a pod takes work only while its function container runs (not during a restart's backoff, where a lease would expire)
      if (this.deps.pod) await this.deps.pod.runtimeUp(() => this.stopping);
      try {
        lease = await this.consumer.next(1000);
      } catch (err) {
        if (this.stopping) break;
        this.deps.metrics?.redisErrors.inc('queue_read');
        this.deps.logger.error({ msg: 'queue read failed', error: String(err) });
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!lease) continue;
      this.busy = true;
      await this.handle(lease).catch((err: unknown) =>
        this.deps.logger.error({ msg: 'invocation handling failed', requestId: lease?.invocation.requestId, error: String(err) }));
      this.busy = false;
    }
  }

  private async handle(lease: Lease): Promise<void> {
    const inv = lease.invocation;
    const now = (this.deps.now ?? Date.now)();
    const log = { requestId: inv.requestId, function: inv.functionName, version: inv.version, attempt: lease.attempt };
    if (inv.replyBy !== undefined && inv.replyBy < now) {
      this.deps.logger.warn({ msg: 'dropping a sync invocation whose caller has gone', ...log });
      await this.consumer.ack(lease, undefined, sampleIncrements({ outcome: 'caller_gone', attempt: lease.attempt }));
      return;
    }
    // an async retry is a new delivery of a run that already happened (invokeCount runs before it)
    const attempt = lease.attempt + (inv.async?.invokeCount ?? 0);
    if (inv.type === 'Event' && inv.expiresAt !== undefined && inv.expiresAt < now) {
      this.deps.logger.warn({ msg: 'not running an async event older than its maximum event age; it goes to its failure destination', ...log });
      await this.consumer.complete(lease, undefined, 'EventAgeExceeded', sampleIncrements({ outcome: 'expired', attempt }));
      return;
    }
    const sample: Partial<InvocationSample> = { attempt };
    if (inv.type === 'Event') sample.eventAgeMs = Math.max(0, now - inv.acceptedAt);
    this.deps.metrics?.busyChanged(1);
    const keeping = this.keepLease(lease);
    const spans = this.deps.tracing?.enabled ? invocationSpans(this.deps.tracing, inv, now, attempt) : undefined;
    let result: Awaited<ReturnType<ExecutionEnvironment['invoke']>>;
    try {
      // a caller that reads the response as it comes gets each chunk on its stream, under this lease only
      const streamTo = inv.responseStream && inv.replyTo !== undefined && inv.type !== 'Event'
        ? { append: (entry: StreamAppend) => this.consumer.appendStream(lease, entry) }
        : undefined;
      // the function's trace header names the run span as its parent
      result = await this.env.invoke(spans ? { ...inv, traceId: spans.traceHeader } : inv, streamTo);
    } finally {
      keeping.stop();
      this.deps.metrics?.busyChanged(-1);
    }
    const { outcome, initDurationMs, initEndedAt, ...reply } = result;
    spans?.end({ outcome, ...(reply.functionError ? { functionError: reply.functionError } : {}), ...(initDurationMs !== undefined ? { initDurationMs } : {}), ...(initEndedAt !== undefined ? { initEndedAt } : {}) });
    Object.assign(sample, { outcome: FUNCTION_OUTCOME[outcome], durationMs: result.durationMs }, initDurationMs === undefined ? {} : { initDurationMs });
    // an async run's outcome goes to the dispatcher (retry, destinations); a sync one's to its caller. Its figures go
    // in the same step: counted even when the lease was no longer ours (it ran, and Lambda counts each attempt); lost
    // with the ack when Redis is away (the job comes back after its lease, and that delivery counts).
    const stats = sampleIncrements(sample as InvocationSample);
    if (inv.type === 'Event') await this.consumer.complete(lease, reply, undefined, stats);
    else await this.consumer.ack(lease, reply, stats);
  }

  /**
   * Extends the lease every third of a visibility timeout while the job runs (and while its environment re-inits
   * inside the run), so a run or re-init longer than one lease is never handed to a second consumer. A lease found
   * lost (this agent was paused past it and the job reclaimed) stops the extension; the ack then fails as it should.
   */
  private keepLease(lease: Lease): { stop(): void } {
    const every = Math.max(250, (this.cfg.spec.timeoutSeconds * 1000 + this.cfg.visibilityGraceMs) / 3);
    let stopped = false;
    const timer = setInterval(() => {
      this.consumer.extendLease(lease).catch((err: unknown) => {
        if (stopped) return;
        if (err instanceof LeaseLostError) {
          stopped = true;
          clearInterval(timer);
          this.deps.logger.warn({ msg: 'lease lost while the invocation ran; another delivery holds the job now', requestId: lease.invocation.requestId, attempt: lease.attempt });
        } else {
          this.deps.metrics?.redisErrors.inc('lease');
          this.deps.logger.warn({ msg: 'lease not extended; trying again', requestId: lease.invocation.requestId, error: String(err) });
        }
      });
    }, every);
    timer.unref();
    return { stop: () => { stopped = true; clearInterval(timer); } };
  }

  /** Resolves when Redis answers PING. */
  ping(): Promise<unknown> {
    return this.consumer.ping();
  }

  async stop(): Promise<void> {
    // Finish the invocation in progress (the loop notices within one poll), then let go of the queue.
    this.stopping = true;
    await this.done;
    await this.consumer.close();
    await this.env.stop();
  }
}

export class Agent {
  private slots: Slot[];
  private created: number;
  /** Starts and resizes, one after the other. */
  private changing: Promise<void> = Promise.resolve();

  constructor(private readonly cfg: AgentConfig, private readonly deps: AgentDeps) {
    this.created = Math.max(1, cfg.slots);
    this.slots = Array.from({ length: this.created }, (_, i) => new Slot(cfg, deps, i));
  }

  /**
   * Runs `count` environments (at least one): new ones initialise and take work; when there are fewer, the idle
   * ones stop first, each after the invocation it runs. The local mode runs one agent per version and sizes it, so
   * the version's environments share one process (and its event loop) instead of one process each.
   */
  resize(count: number): Promise<void> {
    const run = async (): Promise<void> => {
      const want = Math.max(1, Math.floor(count));
      if (want > this.slots.length) {
        const added = Array.from({ length: want - this.slots.length }, () => new Slot(this.cfg, this.deps, this.created++));
        this.slots.push(...added);
        this.deps.metrics?.environmentsChanged(this.slots.length);
        await Promise.all(added.map((s) => s.start()));
      } else if (want < this.slots.length) {
        // the first slot stays (the agent's health pings its connection); of the others, idle ones go first
        const rest = this.slots.slice(1);
        const leaving = [...rest.filter((s) => !s.busy), ...rest.filter((s) => s.busy)].slice(0, this.slots.length - want);
        this.slots = this.slots.filter((s) => !leaving.includes(s));
        this.deps.metrics?.environmentsChanged(this.slots.length);
        await Promise.all(leaving.map((s) => s.stop()));
      }
    };
    this.changing = this.changing.then(run, run);
    return this.changing;
  }

  /** Resolves when Redis answers PING on the first slot's connection (the agent's /healthz). */
  ping(): Promise<unknown> {
    return this.slots[0]!.ping();
  }

  /** Resolves when every slot has initialised (or recorded its init error) and is pulling work. */
  async start(): Promise<void> {
    const run = async () => { await Promise.all(this.slots.map((s) => s.start())); };
    this.changing = this.changing.then(run, run);
    await this.changing;
  }

  /** Stops pulling, lets the invocations in progress finish, then stops the environments. */
  async stop(): Promise<void> {
    await this.changing.catch(() => undefined);
    await Promise.all(this.slots.map((s) => s.stop()));
  }
}
