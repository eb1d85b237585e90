// The router's HTTP front door: the Lambda API routes on an express app, errors in the AWS shape.
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { invalidParameter, KlambdaError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { sendAwsError } from './aws-response.js';
import { wireProtocolOf } from './json-rpc/dispatch.js';
import { handleInvoke, type InvokeDeps } from './lambda/invoke.js';
import { handleInvokeWithResponseStream } from './lambda/invoke-stream.js';
import { opsHandler, type OpsHandlers } from '../ops/ops-server.js';
import { requestSpans } from '../tracing/request-spans.js';
import type { Tracing } from '../tracing/tracer.js';

/** Extra routes (the management API, the JSON APIs' `POST /` of router/json-rpc, SNS's of router/sns) install themselves on the app. */
export type RouteInstaller = (app: Express) => void;

export interface RouterOptions {
  /** Or chosen per request: on a cluster, the caller's namespace and account (see router/auth). */
  invoke: InvokeDeps | ((req: Request) => InvokeDeps);
  /** Runs before every route but /healthz: SigV4 (router/auth/sigv4-middleware) or the local mode's guard. */
  auth?: RequestHandler;
  logger: Logger;
  routes?: RouteInstaller[];
  /** The local mode: /metrics and /readyz on this port, before auth, as the ops server of a cluster process serves them. */
  ops?: OpsHandlers;
  /** Routes that carry their own proof and come before auth (GetFunction's signed Code.Location). */
  publicRoutes?: RouteInstaller[];
  /** A server span per request (after the ops routes); off: nothing installed. */
  tracing?: Tracing;
}

/** Express's own errors as the AWS error a client can read: a path parameter that is not valid percent-encoding. */
function fromExpress(err: unknown): unknown {
  if (!(err instanceof URIError)) return err;
  const message = err.message.length > 300 ? `${err.message.slice(0, 300)}...` : err.message;
  return invalidParameter(`The request path is not valid percent-encoding: ${message}`);
}

export function createRouterApp(opts: RouterOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  if (opts.ops) {
    // /healthz answers 503 while Redis does not
    const ops = opsHandler(opts.ops, opts.logger);
    app.get(['/healthz', '/metrics', '/readyz'], (req, res) => ops(req, res));
  } else {
    app.get('/healthz', (_req, res) => { res.json({ ok: true }); });
  }
  if (opts.tracing?.enabled) app.use(requestSpans(opts.tracing));
  for (const install of opts.publicRoutes ?? []) install(app);
  if (opts.auth) app.use(opts.auth);
  app.post('/2015-03-31/functions/:name/invocations', async (req: Request, res: Response) => {
    const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
    await handleInvoke(typeof opts.invoke === 'function' ? opts.invoke(req) : opts.invoke, req, res, String(req.params.name), query);
  });
  app.post('/2021-11-15/functions/:name/response-streaming-invocations', async (req: Request, res: Response) => {
    const query = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
    await handleInvokeWithResponseStream(typeof opts.invoke === 'function' ? opts.invoke(req) : opts.invoke, req, res, String(req.params.name), query);
  });
  for (const install of opts.routes ?? []) install(app);
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new KlambdaError(404, 'UnknownOperationException', `Unknown operation: ${req.method} ${req.path}`));
  });
  // a JSON-protocol call (EventBridge's) gets its errors in that protocol's shape, an SNS call in SNS's XML, those of the auth check included
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => sendAwsError(res, fromExpress(err), opts.logger, wireProtocolOf(req)));
  return app;
}
