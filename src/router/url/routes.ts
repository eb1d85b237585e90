// Serves Function URLs on the router: `Host: <url-id>.lambda-url.…` and `/lambda-url/<url-id>/…`, before the router's
// own auth (a NONE URL needs no signature; an AWS_IAM one is checked here), each request one sync invoke of the
// function with the payload 2.0 event, its answer read as Lambda reads it (whole, or as it streams: stream.ts).
import type { Express, NextFunction, Request, Response } from 'express';
import { urlHost, urlIdOfHost, urlIdOfPath, type UrlTarget } from '../../core/function-url.js';
import { functionArn } from '../../core/arn.js';
import { toAwsError } from '../../core/errors.js';
import { newRequestId } from '../../core/ids.js';
import { requestSpan, traceHeaderFor } from '../../tracing/request-spans.js';
import type { Invocation, InvocationResult } from '../../core/invocation.js';
import type { ResolvedTarget } from '../../core/registry.js';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../../core/logger.js';
import type { QueueRef } from '../../core/queue-contract.js';
import type { RouteInstaller } from '../app.js';
import { bodyPending, readBody, stopReading } from '../body.js';
import { invokeAndWait, SYNC_PAYLOAD_LIMIT, type InvokeDeps } from '../lambda/invoke.js';
import { isPreflight, preflightResponse, withCors } from './cors.js';
import { urlEvent } from './event.js';
import { refusalMessage, urlResourceArn, type UrlSigner } from './iam.js';
import { serveStreamed } from './stream.js';
import type { UrlResolver } from './resolver.js';
import { badGateway, forbiddenUrl, httpResponseOf, unknownUrl, urlError, type UrlHttpResponse } from './response.js';

export interface FunctionUrlOptions {
  resolver: UrlResolver;
  /** The invoke dependencies of the URL's namespace (its registry, account, limiter…). */
  invoke(target: UrlTarget): InvokeDeps;
  /** Checks AWS_IAM URLs' signatures. */
  signer: UrlSigner;
  region: string;
  /** The domain of URL host names (`localhost` locally): requestContext.domainName of a path-form request. */
  domain: string;
  logger: Logger;
  /** Why a request's Host may not reach a URL, if it may not (the local mode without --auth: loopback names only). */
  refuseHost?(host: string | undefined): string | undefined;
}

/** The request's URL, if it names one: its id and the path and query the function sees. */
export function urlRequestOf(host: string | undefined, originalUrl: string): { id: string; rawPath: string; rawQueryString: string; byHost: boolean } | undefined {
  const q = originalUrl.indexOf('?');
  const path = q < 0 ? originalUrl : originalUrl.slice(0, q);
  const rawQueryString = q < 0 ? '' : originalUrl.slice(q + 1);
  const fromHost = urlIdOfHost(host);
  if (fromHost) return { id: fromHost, rawPath: path, rawQueryString, byHost: true };
  const fromPath = urlIdOfPath(path);
  return fromPath ? { id: fromPath.id, rawPath: fromPath.rest, rawQueryString, byHost: false } : undefined;
}

const REQUEST_TOO_LARGE = `Request must be smaller than ${SYNC_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`;

function send(res: Response, r: UrlHttpResponse, requestId: string): void {
  if (res.headersSent) { res.destroy(); return; }
  const headers: Array<[string, string]> = [...r.headers, ['x-amzn-RequestId', requestId]];
  // answered before its body was read (refused, too large, a preflight): the rest is not read, the connection closes
  if (bodyPending(res.req) && !headers.some(([n]) => n.toLowerCase() === 'connection')) {
    stopReading(res.req);
    headers.push(['Connection', 'close']);
  }
  const bodyless = r.statusCode === 204 || r.statusCode === 304;
  if (!bodyless) headers.push(['Content-Length', String(r.body.length)]);
  // writeHead takes repeated names (Set-Cookie) as a flat [name, value, …] list
  res.writeHead(r.statusCode, headers.flat());
  res.end(bodyless ? undefined : r.body);
}

const sourceIpOf = (req: Request): string => (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');

type UrlRequest = NonNullable<ReturnType<typeof urlRequestOf>>;

/** An AWS_IAM URL's caller, or the 403 that refuses the request. */
function iamCaller(opts: FunctionUrlOptions, req: Request, body: Buffer, deps: InvokeDeps, target: UrlTarget): Principal | UrlHttpResponse {
  try {
    return opts.signer.caller(req, body, deps.arn.accountId, urlResourceArn(deps.arn, target));
  } catch (err) {
    const message = refusalMessage(err);
    if (message === undefined && toAwsError(err).statusCode !== 403) throw err;
    return forbiddenUrl(message);
  }
}

/** One invoke of the URL's function: the version it resolves to and the job, ready to queue. */
export interface UrlInvoke {
  resolved: ResolvedTarget;
  queue: QueueRef;
  invocation: Invocation;
}

/** The invoke of a URL request (its payload 2.0 event), or klambda's own answer when there is none to make. */
function prepare(opts: FunctionUrlOptions, deps: InvokeDeps, target: UrlTarget, at: UrlRequest, req: Request, body: Buffer, caller: Principal | undefined, requestId: string): UrlInvoke | UrlHttpResponse {
  const qualifier = target.qualifier === '$LATEST' ? undefined : target.qualifier;
  let resolved: ResolvedTarget;
  try {
    resolved = deps.registry.resolve(qualifier === undefined ? { name: target.functionName } : { name: target.functionName, qualifier }, deps.random());
  } catch (err) {
    // the URL's Function or Alias is listed but cannot run (its version is gone): no URL to serve
    if (toAwsError(err).statusCode === 404) return unknownUrl();
    throw err;
  }
  const now = deps.now();
  const traceId = traceHeaderFor(req, now);
  const span = requestSpan(req);
  if (span) {
    span.rename('invoke');
    span.setAttributes({ 'faas.name': resolved.functionName, 'faas.version': resolved.version, 'faas.invocation_id': requestId, 'faas.trigger': 'http' });
  }
  const payload = JSON.stringify(urlEvent({
    method: req.method, rawPath: at.rawPath, rawQueryString: at.rawQueryString, rawHeaders: req.rawHeaders, body,
    sourceIp: sourceIpOf(req), protocol: `HTTP/${req.httpVersion}`, urlId: at.id,
    domainName: at.byHost ? (req.headers.host ?? '').replace(/:\d+$/, '') : urlHost(at.id, opts.region, opts.domain),
    accountId: deps.arn.accountId, requestId, traceId, now, ...(caller ? { caller } : {}),
  }));
  if (Buffer.byteLength(payload) > SYNC_PAYLOAD_LIMIT) return urlError(413, 'RequestTooLargeException', REQUEST_TOO_LARGE);
  const queue: QueueRef = { namespace: resolved.namespace, functionName: resolved.functionName, version: resolved.version };
  const invocation: Invocation = {
    requestId, functionName: resolved.functionName, version: resolved.version,
    invokedFunctionArn: functionArn(deps.arn, resolved.functionName, resolved.qualifier),
    payload, type: 'RequestResponse', acceptedAt: now, traceId,
  };
  return { resolved, queue, invocation };
}

/** klambda's answer to an invoke that failed on its side: a throttle's 429, else a 502 (and a log line). */
export function invokeFailure(opts: FunctionUrlOptions, target: UrlTarget, u: UrlInvoke, err: unknown): UrlHttpResponse {
  const e = toAwsError(err);
  if (e.statusCode === 429) return urlError(429, 'TooManyRequestsException', e.message);
  opts.logger.error({ msg: 'function URL invoke failed', function: target.functionName, qualifier: target.qualifier, version: u.resolved.version, requestId: u.invocation.requestId, awsType: e.awsType, error: e.message });
  return badGateway();
}

/** Runs the function and reads its answer whole (BUFFERED); klambda's own answer when it cannot. */
async function run(opts: FunctionUrlOptions, deps: InvokeDeps, target: UrlTarget, u: UrlInvoke): Promise<UrlHttpResponse> {
  let result: InvocationResult;
  try {
    result = await invokeAndWait(deps, u.resolved, u.queue, u.invocation);
  } catch (err) {
    return invokeFailure(opts, target, u, err);
  }
  return result.functionError ? badGateway() : httpResponseOf(result.payload);
}

/** One URL request: the Host, the URL, a preflight, the body, the caller; then the function. */
async function serve(opts: FunctionUrlOptions, req: Request, res: Response, at: UrlRequest): Promise<void> {
  const requestId = newRequestId();
  const origin = req.headers.origin;
  const refusal = opts.refuseHost?.(req.headers.host);
  if (refusal !== undefined) { send(res, forbiddenUrl(refusal), requestId); return; }
  const target = opts.resolver.resolve(at.id);
  if (!target) { send(res, unknownUrl(), requestId); return; }
  const { cors } = target.config;
  if (cors && isPreflight(req.method, req.headers)) { send(res, preflightResponse(cors, origin), requestId); return; }
  const answer = (r: UrlHttpResponse): void => send(res, withCors(r, cors, origin), requestId);
  const iam = target.config.authType === 'AWS_IAM';
  // an AWS_IAM request without credentials is refused before a byte of its body is read
  if (iam && !opts.signer.carriesSignature(req)) { answer(forbiddenUrl()); return; }
  let body: Buffer;
  try {
    body = await readBody(req, SYNC_PAYLOAD_LIMIT);
  } catch (err) {
    if (toAwsError(err).statusCode !== 413) throw err;
    answer(urlError(413, 'RequestTooLargeException', REQUEST_TOO_LARGE));
    return;
  }
  const deps = opts.invoke(target);
  const caller = iam ? iamCaller(opts, req, body, deps, target) : undefined;
  if (caller && 'statusCode' in caller) { answer(caller); return; }
  const u = prepare(opts, deps, target, at, req, body, caller, requestId);
  if ('statusCode' in u) { answer(u); return; }
  if (target.config.invokeMode === 'RESPONSE_STREAM') {
    await serveStreamed({ deps, invoke: u, res, cors, origin, answer, failed: (err) => invokeFailure(opts, target, u, err) });
    return;
  }
  answer(await run(opts, deps, target, u));
}

/** The express routes of Function URLs; install before auth (RouterOptions.publicRoutes). */
export function functionUrlRoutes(opts: FunctionUrlOptions): RouteInstaller {
  return (app: Express) => {
    app.use((req: Request, res: Response, next: NextFunction) => {
      const at = urlRequestOf(req.headers.host, req.originalUrl);
      if (!at) { next(); return; }
      serve(opts, req, res, at).catch((err: unknown) => {
        opts.logger.error({ msg: 'function URL request failed', error: err instanceof Error ? err.stack ?? err.message : String(err) });
        send(res, badGateway(), newRequestId());
      });
    });
  };
}
