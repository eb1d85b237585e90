// The router's server span per request, continuing the caller's traceparent or X-Amzn-Trace-Id, and the trace header an
// invocation queued by that request carries on (its Parent is the request's span, so the agent's spans hang below it).
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { newTraceId } from '../core/ids.js';
import { formatXrayHeader, incomingContext, incomingTraceHeader } from '../core/trace-context.js';
import type { Span, Tracing } from './tracer.js';

const spans = new WeakMap<IncomingMessage, Span>();

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** What a JSON protocol target or a path segment may be to name a span (a caller chooses them: kept short and plain). */
const PLAIN = /^[A-Za-z0-9_.-]{1,64}$/;

/** A JSON protocol call's operation (`X-Amz-Target: AWSEvents.PutEvents` → `PutEvents`), else the method and first path segment. */
function spanName(req: IncomingMessage): string {
  const target = header(req, 'x-amz-target');
  if (target && PLAIN.test(target)) return target.slice(target.lastIndexOf('.') + 1);
  const first = (req.url ?? '/').split('?')[0]!.split('/')[1] ?? '';
  return `${req.method ?? 'GET'} /${PLAIN.test(first) ? first : ''}`;
}

/** Starts a server span per request (ended when its response is done); install it only when tracing is on. */
export function requestSpans(tracing: Tracing): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const span = tracing.start(spanName(req), {
      kind: 'server',
      parent: incomingContext(header(req, 'x-amzn-trace-id'), header(req, 'traceparent')),
      attributes: { 'http.request.method': req.method, 'url.path': req.path },
    });
    spans.set(req, span);
    res.once('close', () => {
      span.setAttributes({ 'http.response.status_code': res.statusCode });
      if (res.statusCode >= 500) span.fail(`HTTP ${res.statusCode}`);
      else if (!res.writableFinished) span.fail('the caller closed the connection first');
      span.end();
    });
    next();
  };
}

/** The request's server span (to name it after what it turned out to be, `invoke`); undefined when tracing is off. */
export const requestSpan = (req: IncomingMessage): Span | undefined => spans.get(req);

/**
 * The X-Amzn-Trace-Id for what `req` queues: below the request's span when tracing is on, else the caller's trace
 * (traceparent in X-Ray form, or X-Amzn-Trace-Id as it came), else a new one.
 */
export function traceHeaderFor(req: IncomingMessage, nowMs: number): string {
  const xray = req.headers['x-amzn-trace-id'];
  // the common case, kept cheap: no span, no trace header of any kind
  if (xray === undefined && req.headers.traceparent === undefined && !spans.has(req)) return newTraceId(nowMs);
  return carriedTraceHeader(req) ?? newTraceId(nowMs);
}

/** As traceHeaderFor, but undefined where that would start a new trace (messages and events keep none then). */
export function carriedTraceHeader(req: IncomingMessage): string | undefined {
  const span = spans.get(req);
  if (span) return formatXrayHeader(span.context);
  return incomingTraceHeader(header(req, 'x-amzn-trace-id'), header(req, 'traceparent'));
}
