// A RESPONSE_STREAM Function URL: the answer goes to the caller as the function writes it. With
// awslambda.HttpResponseStream.from, the stream opens with a JSON prelude (statusCode, headers, cookies) and 8 NUL
// bytes; otherwise it is a 200 of the stream's content type. An error after the first byte closes the connection
// (the status is gone), as Lambda's URLs do; a function that does not stream answers whole.
import type { Response } from 'express';
import type { UrlCors } from '../../core/function-url.js';
import type { InvocationResult } from '../../core/invocation.js';
import { invokeStreaming, writeOut } from '../lambda/invoke-stream.js';
import type { InvokeDeps } from '../lambda/invoke.js';
import { withCors } from './cors.js';
import { badGateway, httpResponseOf, responseObject, type UrlHttpResponse } from './response.js';
import type { UrlInvoke } from './routes.js';

export const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);
/** A prelude longer than this is not one (a function's bytes are not buffered without bound). */
const MAX_PRELUDE_BYTES = 64 * 1024;

export interface StreamedUrlCall {
  deps: InvokeDeps;
  invoke: UrlInvoke;
  res: Response;
  cors: UrlCors | undefined;
  origin: string | undefined;
  /** Sends a whole answer (with CORS and the request id); after the head went out it closes the connection. */
  answer(r: UrlHttpResponse): void;
  /** klambda's answer to an invoke that failed on its side. */
  failed(err: unknown): UrlHttpResponse;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The head a prelude asks for (pure); undefined when it is not one. */
export function preludeHead(json: Buffer): UrlHttpResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const typed = isObject(value.headers) && Object.keys(value.headers).some((n) => n.toLowerCase() === 'content-type');
  const head = responseObject({ statusCode: value.statusCode ?? 200, headers: value.headers, cookies: value.cookies });
  if (!typed && head.statusCode !== 502) {
    head.headers = head.headers.filter(([n]) => n.toLowerCase() !== 'content-type');
    head.headers.unshift(['Content-Type', 'application/octet-stream']);
  }
  return head;
}

/** Streams one URL request's answer; resolves when it has been sent (or the connection closed). */
export async function serveStreamed(call: StreamedUrlCall): Promise<void> {
  const { res, invoke } = call;
  let prelude: Buffer[] | undefined;
  let preludeBytes = 0;
  let refused = false;
  const writeHead = (head: UrlHttpResponse): void => {
    const r = withCors(head, call.cors, call.origin);
    const headers: Array<[string, string]> = [...r.headers.filter(([n]) => n.toLowerCase() !== 'content-length'), ['x-amzn-RequestId', invoke.invocation.requestId]];
    res.writeHead(r.statusCode, headers.flat());
    res.flushHeaders();
  };
  const sink = async (data: Buffer, contentType: string | undefined): Promise<void> => {
    if (refused) return;
    if (!res.headersSent && prelude === undefined) {
      const type = contentType ?? 'application/octet-stream';
      if (type.toLowerCase() === PRELUDE_CONTENT_TYPE) prelude = [];
      else writeHead({ statusCode: 200, headers: [['Content-Type', type]], body: Buffer.alloc(0) });
    }
    if (!res.headersSent && prelude !== undefined) {
      prelude.push(data);
      preludeBytes += data.length;
      const bytes = Buffer.concat(prelude);
      const end = bytes.indexOf(DELIMITER);
      if (end < 0) {
        if (preludeBytes > MAX_PRELUDE_BYTES) { refused = true; call.answer(badGateway()); }
        return;
      }
      const head = preludeHead(bytes.subarray(0, end));
      if (!head || head.statusCode === 502) { refused = true; call.answer(badGateway()); return; }
      writeHead(head);
      data = bytes.subarray(end + DELIMITER.length);
    }
    if (data.length > 0) await writeOut(res, data);
  };
  let result: InvocationResult;
  try {
    result = await invokeStreaming(call.deps, invoke.resolved, invoke.queue, invoke.invocation, sink);
  } catch (err) {
    // after the head, the answer can only be cut short: answer() closes the connection
    if (!res.destroyed) call.answer(call.failed(err));
    return;
  }
  if (refused || res.destroyed) return;
  if (result.streamed === undefined) {
    call.answer(result.functionError ? badGateway() : httpResponseOf(result.payload));
  } else if (result.functionError || !res.headersSent) {
    // failed mid-stream (or before its prelude was whole): a 502 when nothing was sent, else the connection closes
    call.answer(badGateway());
  } else {
    res.end();
  }
}
