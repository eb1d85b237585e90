// Streamed responses on the router: a sync invoke whose caller reads the answer as the function writes it (a
// RESPONSE_STREAM Function URL), and the InvokeWithResponseStream API,
// POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFunctionName } from '../../core/arn.js';
import { invalidParameter, serviceError, toAwsError } from '../../core/errors.js';
import { newRequestId } from '../../core/ids.js';
import type { Invocation, InvocationResult } from '../../core/invocation.js';
import type { QueueRef } from '../../core/queue-contract.js';
import type { ResolvedTarget } from '../../core/registry.js';
import { readBody } from '../body.js';
import type { ReplyOutcome } from '../replies.js';
import type { ResponseStreamReader, StreamEntry } from '../response-streams.js';
import { invokeComplete, payloadChunks, type InvokeComplete } from './event-stream.js';
import { clientContext, invocationType, logType } from './invoke-headers.js';
import { invokeAndWait, newInvocation, payloadText, qualifierOf, queueOf, SYNC_PAYLOAD_LIMIT, type InvokeDeps } from './invoke.js';

/** Takes each piece of a streamed response in order (the first with its content type); a promise back holds the next. */
export type ChunkSink = (data: Buffer, contentType: string | undefined) => void | Promise<void>;

/** A second delivery (the first lost its lease) writes into an answer already under way: it cannot be mended. */
const REDELIVERED = 'The function was run again after its first run lost its lease; the streamed response was cut short.';

const CUT_SHORT = 'The streamed response lost entries on its way (the queue connection or Redis was lost); it was cut short.';

/** Passes the stream's entries to `sink` until the end has come and every entry before it was passed on. */
async function pump(reader: ResponseStreamReader, answer: Promise<ReplyOutcome>, sink: ChunkSink, cancel: () => void): Promise<ReplyOutcome> {
  let seen = 0;
  let attempt: string | undefined;
  /** The end mark came: no read waits for more (its connection is free at once). */
  let over = false;
  const pass = async (entries: StreamEntry[]): Promise<void> => {
    for (const e of entries) {
      attempt ??= e.attempt;
      if (e.attempt !== attempt) throw serviceError(REDELIVERED);
      seen += 1;
      if (e.end) over = true;
      else await sink(e.data, e.contentType);
    }
  };
  const ended = answer.then((o) => ({ outcome: o }));
  try {
    let reading: Promise<StreamEntry[]> | undefined = reader.read();
    for (;;) {
      const next = await (reading ? Promise.race([reading, ended]) : ended);
      if (Array.isArray(next)) {
        await pass(next);
        reading = over ? undefined : reader.read();
        continue;
      }
      const { outcome } = next;
      if (outcome.kind !== 'answered' || outcome.result.streamed === undefined) return outcome;
      // the agent appended every entry before it acked: they are all there now
      while (seen < outcome.result.streamed) {
        const entries = await (reading ?? reader.read());
        reading = undefined;
        // a read that waited in vain: the stream lost entries (a Redis that restarted without them)
        if (entries.length === 0) throw serviceError(CUT_SHORT);
        await pass(entries);
      }
      return outcome;
    }
  } catch (err) {
    cancel(); // the caller has gone (or the stream's connection failed): nobody waits for the end any more
    throw err;
  } finally {
    reader.close();
  }
}

/**
 * Runs one sync invocation whose response is passed to `sink` as the function streams it. Resolves with the end: its
 * `streamed` is set when the function streamed (every piece went to `sink` first); else the answer is in its payload.
 */
export async function invokeStreaming(deps: InvokeDeps, target: ResolvedTarget, queue: QueueRef, invocation: Invocation, sink: ChunkSink): Promise<InvocationResult> {
  invocation.responseStream = true;
  let reader: ResponseStreamReader | undefined;
  let pumping: Promise<ReplyOutcome> | undefined;
  try {
    // the invoke (its concurrency slot, its metrics) ends with the function's run; a caller that reads slowly then
    // holds only its own connection while the rest of the stream is passed on
    const result = await invokeAndWait(deps, target, queue, invocation, (answer) => {
      reader = deps.replies.streams.reader(queue, deps.replies.routerId, invocation.requestId);
      pumping = pump(reader, answer, sink, () => deps.replies.cancel(invocation.requestId));
      pumping.catch(() => undefined); // awaited below, or the invoke failed first
      return Promise.race([answer, pumping]);
    });
    if (result.streamed !== undefined && pumping) await pumping;
    return result;
  } finally {
    reader?.close();
  }
}

/** Writes to a response, waiting while its buffer is full; rejects when the caller has gone. */
export function writeOut(res: ServerResponse, data: Buffer): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.reject(new Error('the caller closed the connection'));
  if (res.write(data)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (err) reject(err); else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the caller closed the connection'));
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** ErrorCode and ErrorDetails of a failed end: the function's errorType and errorMessage. */
function failure(result: InvocationResult): InvokeComplete {
  try {
    const body = JSON.parse(result.payload) as { errorType?: unknown; errorMessage?: unknown };
    return {
      ErrorCode: typeof body.errorType === 'string' ? body.errorType : result.functionError ?? 'Unhandled',
      ErrorDetails: typeof body.errorMessage === 'string' ? body.errorMessage : result.payload,
    };
  } catch {
    return { ErrorCode: result.functionError ?? 'Unhandled', ErrorDetails: result.payload };
  }
}

/**
 * InvokeWithResponseStream: the answer is an event stream of PayloadChunk events as the function writes, then one
 * InvokeComplete (with the error of a failed run, and the log tail when X-Amz-Log-Type is Tail). A function that does
 * not stream answers in one PayloadChunk, as on Lambda.
 */
export async function handleInvokeWithResponseStream(deps: InvokeDeps, req: IncomingMessage, res: ServerResponse, rawName: string, query: URLSearchParams): Promise<void> {
  const type = invocationType(req.headers);
  if (type === 'Event') {
    throw invalidParameter("1 validation error detected: Value 'Event' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [RequestResponse, DryRun]");
  }
  const tail = logType(req.headers) === 'Tail';
  const context = clientContext(req.headers);
  const target = deps.registry.resolve(parseFunctionName(rawName, qualifierOf(query), deps.arn), deps.random());
  const payload = payloadText(await readBody(req, SYNC_PAYLOAD_LIMIT));
  const requestId = newRequestId();
  if (type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-RequestId': requestId }).end();
    return;
  }
  const invocation = newInvocation(deps, req, target, { requestId, payload, type, now: deps.now(), ...(context !== undefined ? { clientContext: context } : {}) });
  if (tail) invocation.logTail = true;
  const begin = (): void => {
    if (res.headersSent) return;
    res.writeHead(200, {
      'Content-Type': 'application/vnd.amazon.eventstream',
      'x-amzn-RequestId': requestId,
      'X-Amz-Executed-Version': target.version,
    });
    res.flushHeaders();
  };
  let result: InvocationResult;
  try {
    result = await invokeStreaming(deps, target, queueOf(target), invocation, async (data) => {
      begin();
      for (const message of payloadChunks(data)) await writeOut(res, message);
    });
  } catch (err) {
    if (!res.headersSent) throw err; // an AWS error, as Invoke's (throttle, unreachable queue, no answer)
    if (res.destroyed) return;
    const e = toAwsError(err);
    res.end(invokeComplete({ ErrorCode: e.awsType, ErrorDetails: e.message }));
    return;
  }
  begin();
  const complete: InvokeComplete = result.functionError ? failure(result) : {};
  if (result.streamed === undefined && !result.functionError) {
    for (const message of payloadChunks(Buffer.from(result.payload, 'utf8'))) await writeOut(res, message).catch(() => undefined);
  }
  if (result.logResult !== undefined) complete.LogResult = result.logResult;
  if (!res.destroyed) res.end(invokeComplete(complete));
}
