// The async dispatcher: settles the outcome of every async run (retry later, onSuccess/onFailure destination, dead
// letter) and moves due retries back to their queue. One loop over every version's queue; safe to run twice at once
// (each settle removes exactly the record it read, in the same step as its effect), and at least once when killed.
import { parseFunctionName, functionArn, type ArnContext } from '../core/arn.js';
import {
  asyncSettings, decideAsync, destinationRecord, expiresAt, type AsyncClock, type AsyncDecision, type FailureCondition,
} from '../core/async-policy.js';
import type { Destination } from '../api/function.js';
import type { Invocation } from '../core/invocation.js';
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import type { FunctionRegistry } from '../core/registry.js';
import { newTraceId, uuidOf } from '../core/ids.js';
import { queueName } from '../queue/keys.js';
import { parseOutcome, type OutcomeQueue, type OutcomeRecord } from '../queue/outcomes.js';
import type { AsyncMetrics } from '../metrics/dispatcher-metrics.js';
import { Passes } from '../queue/passes.js';
import { contextOfXray, formatXrayHeader } from '../core/trace-context.js';
import type { Tracing } from '../tracing/tracer.js';

export interface DispatcherOptions {
  outcomes: OutcomeQueue;
  /** Queues an invocation (WorkQueue.enqueue): destinations that are functions. */
  enqueue(ref: QueueRef, invocation: Invocation): Promise<void>;
  /** Work was queued for a version (a destination invocation, a retry due): start capacity without waiting for a tick. */
  onDemand?(ref: QueueRef): void;
  /** The functions of a namespace, to resolve a destination function's name or ARN. */
  registryFor(namespace: string): FunctionRegistry;
  arnFor(namespace: string): ArnContext;
  /** Every version whose async outcomes and retries this dispatcher settles. */
  queues: () => QueueRef[] | Promise<QueueRef[]>;
  clock: AsyncClock;
  /** Pause between passes (default 100 ms). */
  intervalMs?: number;
  logger: Logger;
  redisErrors?: { inc(operation: string): void };
  metrics?: AsyncMetrics;
  /** Destinations that are topics and event buses (the event inbox); without it they are given up as undeliverable. */
  events?: DestinationEvents;
  /** A `destination` span per onSuccess/onFailure delivery, in the event's trace; absent or off: none. */
  tracing?: Tracing;
}

/** Hands a record to a topic or an event bus; throws DestinationMissing when there is no such topic or bus. */
export interface DestinationEvents {
  publish(namespace: string, topic: string, message: { id: string; body: string; attributes?: Record<string, { DataType: string; StringValue: string }> }): Promise<void>;
  putEvent(namespace: string, bus: string, event: { id: string; detailType: string; functionArn: string; detail: unknown }): Promise<void>;
}

/** A topic or bus a destination names does not exist. */
export class DestinationMissing extends Error {}

/** A destination that cannot take the record: the event is given up to the dead letters with the reason. */
class Undeliverable extends Error {}

/** A request id derived from the event's and what it is for, so a settle redone after a crash queues the same id again. */
export function derivedRequestId(requestId: string, purpose: string): string {
  return uuidOf(`${requestId}\u0000${purpose}`);
}

export class Dispatcher {
  private readonly passes: Passes;

  constructor(private readonly opts: DispatcherOptions) {
    this.passes = new Passes(() => this.runOnce(), opts.intervalMs ?? 100);
  }

  start(): void {
    this.passes.start();
  }

  /** No pass starts after this; resolves when the one in progress has finished. */
  stop(): Promise<void> {
    return this.passes.stop();
  }

  /** One pass: for each queue, promote due retries, then settle its outcomes (oldest first). */
  async runOnce(): Promise<void> {
    let queues: QueueRef[];
    try {
      queues = await this.opts.queues();
    } catch (err) {
      this.opts.logger.error({ msg: 'dispatcher could not list queues', error: String(err) });
      return;
    }
    for (const ref of queues) {
      if (!this.passes.active) return;
      try {
        const promoted = await this.opts.outcomes.promote(ref);
        if (promoted > 0) this.opts.onDemand?.(ref);
        for (const raw of await this.opts.outcomes.outcomes(ref)) {
          if (!this.passes.active) return;
          await this.settle(ref, raw);
        }
      } catch (err) {
        // Redis is unreachable or a destination queue refused: the record stays and the next pass tries again
        this.opts.redisErrors?.inc('dispatch');
        this.opts.logger.error({ msg: 'dispatching async outcomes failed; will try again', queue: queueName(ref), error: String(err) });
      }
    }
  }

  private async settle(ref: QueueRef, raw: string): Promise<void> {
    const record = parseOutcome(raw);
    if (!record) {
      this.opts.metrics?.settled(ref, 'dead_lettered');
      await this.opts.outcomes.giveUp(ref, raw, { requestId: 'unknown', reason: 'unreadable outcome record', attempts: 0, deadAt: this.opts.clock.now(), invocation: raw });
      this.opts.logger.error({ msg: 'gave up an unreadable async outcome record', queue: queueName(ref) });
      return;
    }
    const inv = record.invocation;
    const settings = inv.async ?? asyncSettings(undefined);
    const decision = decideAsync(record.outcome, settings, inv.acceptedAt, this.opts.clock);
    const log = { requestId: inv.requestId, function: inv.functionName, version: inv.version, invokeCount: decision.invokeCount };
    if (decision.kind === 'retry') {
      const next: Invocation = { ...inv, queuedAt: decision.dueAt, async: { ...settings, invokeCount: decision.invokeCount } };
      if (await this.opts.outcomes.retry(ref, raw, next, decision.dueAt)) {
        this.opts.metrics?.settled(ref, 'retried');
        this.opts.logger.info({ msg: 'async invocation failed; retrying it later', ...log, dueAt: new Date(decision.dueAt).toISOString() });
      }
      return;
    }
    try {
      await this.deliver(ref, record, decision);
    } catch (err) {
      if (!(err instanceof Undeliverable)) throw err;
      await this.bury(ref, record, decision, err.message);
      return;
    }
    await this.opts.outcomes.settle(ref, raw);
    this.opts.metrics?.settled(ref, decision.kind === 'success' ? 'succeeded' : 'failed');
  }

  /** Sends the record where the decision says; a failure with nowhere to go is given up to the dead letters. */
  private async deliver(ref: QueueRef, record: OutcomeRecord, decision: Exclude<AsyncDecision, { kind: 'retry' }>): Promise<void> {
    const inv = record.invocation;
    const log = { requestId: inv.requestId, function: inv.functionName, version: inv.version };
    if (decision.kind === 'success') {
      if (decision.destination) await this.sendRecord(ref, record, decision.destination, 'Success', decision.invokeCount);
      return;
    }
    // as on Lambda, an onFailure destination and a dead-letter target may both be set: each gets the event
    if (!decision.destination && !decision.deadLetter) throw new Undeliverable(reasonOf(record, decision.condition));
    if (decision.destination) {
      await this.sendRecord(ref, record, decision.destination, decision.condition, decision.invokeCount);
      this.opts.logger.warn({ msg: 'async invocation failed; sent to its onFailure destination', ...log, condition: decision.condition });
    }
    if (decision.deadLetter) {
      await this.sendDeadLetter(ref, record, decision.deadLetter, decision.condition);
      this.opts.logger.warn({ msg: 'async invocation failed; sent to its dead-letter target', ...log, condition: decision.condition });
    }
  }

  private async bury(ref: QueueRef, record: OutcomeRecord, decision: Exclude<AsyncDecision, { kind: 'retry' }>, reason: string): Promise<void> {
    const inv = record.invocation;
    const done = await this.opts.outcomes.giveUp(ref, record.raw, {
      requestId: inv.requestId, reason, attempts: decision.invokeCount, deadAt: this.opts.clock.now(), invocation: record.outcome.invocation,
    });
    if (!done) return; // another dispatcher settled it
    this.opts.metrics?.settled(ref, 'dead_lettered');
    this.opts.logger.error({ msg: 'async invocation given up to the dead letters', requestId: inv.requestId, function: inv.functionName, version: inv.version, reason });
  }

  private async sendRecord(ref: QueueRef, record: OutcomeRecord, to: Destination, condition: 'Success' | FailureCondition, invokeCount: number): Promise<void> {
    const inv = record.invocation;
    const body = destinationRecord({
      requestId: inv.requestId, functionArn: inv.invokedFunctionArn, payload: inv.payload, condition, invokeCount,
      now: this.opts.clock.now(), ...(record.outcome.result ? { result: record.outcome.result } : {}),
    });
    const tracing = this.opts.tracing;
    if (!tracing?.enabled) {
      await this.send(ref, inv, to, JSON.stringify(body), `destination:${condition}`);
      return;
    }
    const kind = to.function !== undefined ? 'function' : to.queue !== undefined ? 'queue' : to.topic !== undefined ? 'topic' : 'event-bus';
    const span = tracing.start('destination', {
      parent: contextOfXray(inv.traceId), kind: 'producer',
      attributes: {
        'faas.name': inv.functionName, 'faas.version': inv.version, 'faas.invocation_id': inv.requestId,
        'klambda.destination.condition': condition, 'klambda.destination.type': kind,
        'klambda.destination': to.function ?? to.queue ?? to.topic ?? to.eventBus ?? '',
      },
    });
    try {
      // a destination function runs below this span
      await this.send(ref, { ...inv, traceId: formatXrayHeader(span.context) }, to, JSON.stringify(body), `destination:${condition}`);
    } catch (err) {
      span.fail(err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      span.end();
    }
  }

  /** Lambda's dead-letter message: the event's own payload, with the request id and error as attributes. */
  private async sendDeadLetter(ref: QueueRef, record: OutcomeRecord, to: Destination, condition: FailureCondition): Promise<void> {
    const inv = record.invocation;
    const r = record.outcome.result;
    const errorMessage = r?.functionError ? errorMessageOf(r.payload) : reasonOf(record, condition);
    await this.send(ref, inv, to, inv.payload, 'dead-letter', {
      RequestID: { DataType: 'String', StringValue: inv.requestId },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: errorMessage },
    });
  }

  private async send(ref: QueueRef, source: Invocation, to: Destination, payload: string, purpose: string,
    attributes?: Record<string, { DataType: string; StringValue: string }>): Promise<void> {
    const id = derivedRequestId(source.requestId, purpose);
    if (to.queue !== undefined) {
      await this.opts.outcomes.sendMessage(ref.namespace, to.queue, { MessageId: id, Body: payload, ...(attributes ? { MessageAttributes: attributes } : {}) });
      return;
    }
    if (to.function !== undefined) {
      await this.invokeDestination(ref.namespace, to.function, id, payload, source.traceId);
      return;
    }
    const events = this.opts.events;
    const kind = to.topic !== undefined ? `topic ${to.topic}` : `event bus ${to.eventBus ?? ''}`;
    if (!events) throw new Undeliverable(`the destination (${kind}) is not delivered by this klambda: it runs without event delivery`);
    try {
      if (to.topic !== undefined) {
        await events.publish(ref.namespace, lastSegment(to.topic), { id, body: payload, ...(attributes ? { attributes } : {}) });
      } else {
        const success = purpose === 'destination:Success';
        await events.putEvent(ref.namespace, lastSegment(to.eventBus ?? 'default'), {
          id, functionArn: source.invokedFunctionArn, detail: JSON.parse(payload) as unknown,
          detailType: `Lambda Function Invocation Result - ${success ? 'Success' : 'Failure'}`,
        });
      }
    } catch (err) {
      if (err instanceof DestinationMissing) throw new Undeliverable(`the destination ${kind} cannot take the record: ${err.message}`);
      throw err;
    }
  }

  private async invokeDestination(namespace: string, name: string, requestId: string, payload: string, traceId: string): Promise<void> {
    const arn = this.opts.arnFor(namespace);
    let target;
    try {
      target = this.opts.registryFor(namespace).resolve(parseFunctionName(name, undefined, arn), Math.random());
    } catch (err) {
      throw new Undeliverable(`the destination function ${name} cannot be invoked: ${err instanceof Error ? err.message : String(err)}`);
    }
    const now = this.opts.clock.now();
    const settings = asyncSettings(target.async);
    const invocation: Invocation = {
      requestId, functionName: target.functionName, version: target.version,
      invokedFunctionArn: functionArn(arn, target.functionName, target.qualifier),
      payload, type: 'Event', acceptedAt: now, traceId: traceId || newTraceId(now),
      async: settings, expiresAt: expiresAt(now, settings, this.opts.clock),
    };
    const queue: QueueRef = { namespace, functionName: target.functionName, version: target.version };
    await this.opts.enqueue(queue, invocation);
    this.opts.onDemand?.(queue);
  }
}

/** A topic or bus given as a name or an ARN (`arn:aws:sns:…:name`, `arn:aws:events:…:event-bus/name`): its name. */
function lastSegment(nameOrArn: string): string {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  const tail = nameOrArn.split(':').at(-1) ?? nameOrArn;
  return tail.startsWith('event-bus/') ? tail.slice('event-bus/'.length) : tail;
}

function errorMessageOf(payload: string): string {
  try {
    const e = JSON.parse(payload) as { errorMessage?: unknown };
    if (typeof e.errorMessage === 'string') return e.errorMessage;
  } catch { /* not JSON: the payload itself */ }
  return payload.slice(0, 1024);
}

function reasonOf(record: OutcomeRecord, condition: FailureCondition): string {
  if (record.outcome.notRun === 'DeliveryFailed') return 'its consumer went away during every delivery (the runtime, agent or pod died or hung past the lease)';
  if (condition === 'EventAgeExceeded') return 'the event grew older than its maximum event age';
  const r = record.outcome.result;
  return r?.functionError ? `the function failed on every attempt: ${errorMessageOf(r.payload)}` : 'retries exhausted';
}
