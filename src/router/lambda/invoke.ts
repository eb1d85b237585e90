// The Lambda Invoke API: POST /2015-03-31/functions/{FunctionName}/invocations.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFunctionName, functionArn, type ArnContext } from '../../core/arn.js';
import { invalidContent, invalidParameter, isAwsError, serviceError, tooLarge, queueUnreachable } from '../../core/errors.js';
import { newRequestId } from '../../core/ids.js';
import { requestSpan, traceHeaderFor } from '../../tracing/request-spans.js';
import type { Invocation, InvocationResult } from '../../core/invocation.js';
import type { QueueRef } from '../../core/queue-contract.js';
import type { FunctionRegistry, ResolvedTarget } from '../../core/registry.js';
import { readBody } from '../body.js';
import { clientContext, invocationType, logType } from './invoke-headers.js';
import type { ReplyListener, ReplyOutcome } from '../replies.js';
import { ConcurrencyLimiter } from './concurrency.js';
import type { InvokeMetrics } from '../../metrics/router-metrics.js';
import { asyncClock, asyncSettings, expiresAt, type AsyncClock } from '../../core/async-policy.js';

export const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;

export interface InvokeDeps {
  registry: FunctionRegistry;
  enqueue(ref: QueueRef, invocation: Invocation): Promise<void>;
  replies: ReplyListener;
  arn: ArnContext;
  /** Called after a job is queued, so capacity can be started without waiting for a tick. */
  onDemand?(ref: QueueRef): void;
  /** How long a sync caller may wait beyond the function timeout (cold start, queueing). */
  syncGraceMs: number;
  limiter: ConcurrencyLimiter;
  now(): number;
  random(): number;
  /** Outcomes, throttles and sync latency of the calls that resolved to a version. */
  metrics?: InvokeMetrics;
  /** The clock of async event ages (the dispatcher's; tests speed it up); default real time. */
  asyncClock?: AsyncClock;
}

const REAL_TIME = asyncClock();

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function payloadText(body: Buffer): string {
  if (body.length === 0) return '{}';
  try {
    // fatal: a body that is not UTF-8 is refused, as AWS's parser refuses it, instead of reaching the function altered
    const text = utf8.decode(body);
    JSON.parse(text);
    return text;
  } catch {
    throw invalidContent('Could not parse request body into json: Could not parse payload into json');
  }
}

export function qualifierOf(query: URLSearchParams): string | undefined {
  const all = query.getAll('Qualifier');
  if (all.length > 1) throw invalidParameter('The Qualifier parameter must be given at most once.');
  return all[0];
}

export async function handleInvoke(deps: InvokeDeps, req: IncomingMessage, res: ServerResponse, rawName: string, query: URLSearchParams): Promise<void> {
  const type = invocationType(req.headers);
  logType(req.headers);
  const context = clientContext(req.headers);
  const ref = parseFunctionName(rawName, qualifierOf(query), deps.arn);
  const target = deps.registry.resolve(ref, deps.random());
  const limit = type === 'Event' ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
  const body = await readBody(req, limit).catch((err: unknown) => {
    if (type === 'Event' && err instanceof Error && err.name === 'RequestTooLargeException') {
      throw tooLarge(`Request must be smaller than ${ASYNC_PAYLOAD_LIMIT} bytes for the InvokeAsync operation`);
    }
    throw err;
  });
  const payload = payloadText(body);
  const requestId = newRequestId();
  if (type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-RequestId': requestId }).end();
    return;
  }
  const queue = queueOf(target);
  const now = deps.now();
  const invocation = newInvocation(deps, req, target, { requestId, payload, type, now, ...(context !== undefined ? { clientContext: context } : {}) });
  if (type === 'Event') {
    invocation.async = asyncSettings(target.async);
    invocation.expiresAt = expiresAt(now, invocation.async, deps.asyncClock ?? REAL_TIME);
    try {
      await deps.enqueue(queue, invocation);
    } catch (err) {
      deps.metrics?.invoked(target, type, 'error');
      throw err;
    }
    deps.metrics?.invoked(target, type, 'accepted');
    deps.onDemand?.(queue);
    res.writeHead(202, { 'x-amzn-RequestId': requestId, 'Content-Length': '0' }).end();
    return;
  }
  await invokeSync(deps, req, res, target, queue, invocation);
}

export const queueOf = (target: ResolvedTarget): QueueRef => ({ namespace: target.namespace, functionName: target.functionName, version: target.version });

/** The job of one invoke of `target` (its trace below the request's span, or the caller's, or a new one: traceHeaderFor). */
export function newInvocation(deps: InvokeDeps, req: IncomingMessage, target: ResolvedTarget,
  at: { requestId: string; payload: string; type: Invocation['type']; now: number; clientContext?: string }): Invocation {
  const span = requestSpan(req);
  if (span) {
    span.rename('invoke');
    span.setAttributes({ 'faas.name': target.functionName, 'faas.version': target.version, 'faas.invocation_id': at.requestId, 'faas.invocation_type': at.type });
  }
  const invocation: Invocation = {
    requestId: at.requestId,
    functionName: target.functionName,
    version: target.version,
    invokedFunctionArn: functionArn(deps.arn, target.functionName, target.qualifier),
    payload: at.payload,
    type: at.type,
    acceptedAt: at.now,
    traceId: traceHeaderFor(req, at.now),
  };
  if (at.clientContext !== undefined) invocation.clientContext = at.clientContext;
  return invocation;
}

/** The limiter's slot, or its 429 counted as a throttle. */
function acquire(deps: InvokeDeps, target: ResolvedTarget): () => void {
  try {
    return deps.limiter.acquire(target);
  } catch (err) {
    const reason = (err as { extra?: { Reason?: unknown } }).extra?.Reason;
    deps.metrics?.throttled(target, typeof reason === 'string' ? reason : 'unknown');
    deps.metrics?.invoked(target, 'RequestResponse', 'throttled');
    throw err;
  }
}

/** A sync call whose reply can no longer arrive: a 500 ServiceException, as Lambda answers an internal failure. */
const CONNECTION_LOST = 'The queue connection was lost while waiting for the result; the invocation may have run.';

/**
 * Queues the job and waits for its outcome. A reply connection lost before the enqueue returns answers at once: ioredis
 * holds a command through its reconnects (maxRetriesPerRequest), which may take seconds.
 */
async function queueAndWait(deps: InvokeDeps, queue: QueueRef, invocation: Invocation, answer: Promise<ReplyOutcome>): Promise<ReplyOutcome> {
  let failure: unknown;
  const queued = deps.enqueue(queue, invocation).then(() => true, (err: unknown) => { failure = err; return false; });
  const first = await Promise.race([queued, answer]);
  if (first === false) {
    deps.replies.cancel(invocation.requestId);
    if (isAwsError(failure)) throw failure;
    const why = failure instanceof Error ? failure.message : String(failure);
    throw serviceError(`The invocation could not be queued (${why}); if the queue connection was lost, it may still run.`);
  }
  if (first !== true) return first;
  deps.onDemand?.(queue);
  return answer;
}

/**
 * Runs one sync invocation through the limiter and the work queue and waits for its result: what the Invoke API and a
 * Function URL share. With `streamed` (see invoke-stream.ts), the response's chunks are read while it waits. Throws the AWS error of a throttle (429), an unreachable queue, a lost reply or no answer (500).
 */
export async function invokeAndWait(deps: InvokeDeps, target: ResolvedTarget, queue: QueueRef, invocation: Invocation,
  streamed?: (answer: Promise<ReplyOutcome>) => Promise<ReplyOutcome>): Promise<InvocationResult> {
  const release = acquire(deps, target);
  const started = performance.now();
  let answered = false;
  try {
    // Redis is known to be gone: say so now, with nothing queued, rather than after ioredis gives up
    if (!deps.replies.reachable) throw queueUnreachable();
    const waitMs = target.timeoutSeconds * 1000 + deps.syncGraceMs;
    invocation.replyTo = deps.replies.routerId;
    invocation.replyBy = invocation.acceptedAt + waitMs;
    const answer = deps.replies.wait(queue, invocation.requestId, waitMs);
    // a streamed response: its chunks are passed on while the end is awaited, every one of them before it
    const outcome = await queueAndWait(deps, queue, invocation, streamed ? streamed(answer) : answer);
    if (outcome.kind === 'lost') throw serviceError(CONNECTION_LOST);
    answered = true;
    if (outcome.kind === 'timeout') {
      deps.metrics?.invoked(target, 'RequestResponse', 'no_answer');
      throw serviceError(`No answer from function ${target.functionName} version ${target.version} within ${waitMs} ms`);
    }
    const { result } = outcome;
    deps.metrics?.invoked(target, 'RequestResponse', result.functionError ? 'function_error' : 'success', (performance.now() - started) / 1000);
    return result;
  } catch (err) {
    if (!answered) deps.metrics?.invoked(target, 'RequestResponse', 'error');
    throw err;
  } finally {
    release();
  }
}

async function invokeSync(deps: InvokeDeps, req: IncomingMessage, res: ServerResponse, target: ResolvedTarget, queue: QueueRef, invocation: Invocation): Promise<void> {
  if (req.headers['x-amz-log-type'] === 'Tail') invocation.logTail = true;
  const result = await invokeAndWait(deps, target, queue, invocation);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-amzn-RequestId': invocation.requestId,
    'X-Amz-Executed-Version': result.executedVersion,
    'Content-Length': String(Buffer.byteLength(result.payload)),
  };
  if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
  if (result.logResult !== undefined) headers['X-Amz-Log-Result'] = result.logResult;
  res.writeHead(200, headers).end(result.payload);
}
