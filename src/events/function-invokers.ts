// The invokers of src/events/contracts.ts over the work queue: an event, a destination or a batch of records becomes an
// invocation of the version its function reference resolves to (alias routing included), queued like the router's.
import { functionArn, parseFunctionName, type ArnContext } from '../core/arn.js';
import { asyncSettings, expiresAt, type AsyncClock } from '../core/async-policy.js';
import { serviceError } from '../core/errors.js';
import { newTraceId } from '../core/ids.js';
import type { Invocation, InvocationResult } from '../core/invocation.js';
import type { QueueRef } from '../core/queue-contract.js';
import type { FunctionRegistry, ResolvedTarget } from '../core/registry.js';
import type { ReplyListener } from '../router/replies.js';
import type { AsyncInvoker, EventInvocation, SyncInvoker } from './contracts.js';

export interface InvokerOptions {
  registryFor(namespace: string): FunctionRegistry;
  arnFor(namespace: string): ArnContext;
  enqueue(ref: QueueRef, invocation: Invocation): Promise<void>;
  /** Work was queued: start capacity without waiting for a tick. */
  onDemand?(ref: QueueRef): void;
  clock: AsyncClock;
}

function resolve(opts: InvokerOptions, namespace: string, functionRef: string): { target: ResolvedTarget; arn: ArnContext; queue: QueueRef } {
  const arn = opts.arnFor(namespace);
  const target = opts.registryFor(namespace).resolve(parseFunctionName(functionRef, undefined, arn), Math.random());
  return { target, arn, queue: { namespace, functionName: target.functionName, version: target.version } };
}

function invocation(target: ResolvedTarget, arn: ArnContext, inv: EventInvocation, type: Invocation['type'], now: number): Invocation {
  return {
    requestId: inv.requestId, functionName: target.functionName, version: target.version,
    invokedFunctionArn: functionArn(arn, target.functionName, target.qualifier),
    payload: inv.payload, type, acceptedAt: now, traceId: inv.traceId || newTraceId(now),
  };
}

export function asyncInvoker(opts: InvokerOptions): AsyncInvoker {
  return {
    async invokeAsync(namespace, functionRef, inv) {
      const { target, arn, queue } = resolve(opts, namespace, functionRef);
      const now = opts.clock.now();
      const settings = asyncSettings(target.async);
      await opts.enqueue(queue, { ...invocation(target, arn, inv, 'Event', now), async: settings, expiresAt: expiresAt(now, settings, opts.clock) });
      opts.onDemand?.(queue);
    },
  };
}

export interface SyncInvokerOptions extends InvokerOptions {
  replies: ReplyListener;
  /** Waited beyond the function's timeout (a cold start, queueing). */
  graceMs: number;
}

export function syncInvoker(opts: SyncInvokerOptions): SyncInvoker {
  return {
    async invokeSync(namespace, functionRef, inv): Promise<InvocationResult> {
      const { target, arn, queue } = resolve(opts, namespace, functionRef);
      if (!opts.replies.reachable) throw serviceError('The queue is unreachable; the batch was not invoked.');
      const now = Date.now();
      const waitMs = target.timeoutSeconds * 1000 + opts.graceMs;
      const job: Invocation = { ...invocation(target, arn, inv, 'RequestResponse', now), replyTo: opts.replies.routerId, replyBy: now + waitMs };
      const answer = opts.replies.wait(queue, inv.requestId, waitMs);
      try {
        await opts.enqueue(queue, job);
      } catch (err) {
        opts.replies.cancel(inv.requestId);
        throw err;
      }
      opts.onDemand?.(queue);
      const outcome = await answer;
      if (outcome.kind === 'answered') return outcome.result;
      throw serviceError(outcome.kind === 'lost'
        ? 'The queue connection was lost while waiting for the result; the batch may have run.'
        : `No answer from function ${target.functionName} version ${target.version} within ${waitMs} ms`);
    },
  };
}
