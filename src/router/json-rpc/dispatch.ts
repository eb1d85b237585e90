// The router's `POST /`: calls of the AWS JSON protocols, dispatched by X-Amz-Target to each API's targets table
// (EventBridge's AWSEvents.*). Another JSON API plugs in as one more table. The query protocol (SNS's form-encoded
// `Action=`, no X-Amz-Target) is router/sns's `POST /`; each passes on what is not its own, in either order.
import type { Express, NextFunction, Request, Response } from 'express';
import { jsonTargetOf, unknownTarget, type JsonApi, type JsonTarget } from '../../core/json-targets.js';
import { isQueryCall } from '../../core/query-apis.js';
import type { RouteInstaller } from '../app.js';
import { sendJson, type WireProtocol } from '../aws-response.js';
import { principalOf, type Principal } from '../auth/principal.js';
import { readJsonInput } from './input.js';

/** Room for a 256 KB event (the most EventBridge takes), escaped as a JSON string inside the request. */
export const MAX_JSON_BODY = 1024 * 1024;

export interface TargetContext {
  req: Request;
  /** Who calls (set by the SigV4 check or the local guard). */
  principal: Principal | undefined;
}

/** One operation: its input members in, its output members out (or a KlambdaError thrown). */
export type TargetHandler = (input: Record<string, unknown>, ctx: TargetContext) => unknown;

export interface JsonApiRoutes {
  api: JsonApi;
  /** Operation name → handler; each name also an operation of `api` (where its IAM action is). */
  targets: Readonly<Record<string, TargetHandler>>;
}

function headerValue(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The JSON-protocol operation a request names, or undefined for a Lambda REST call. */
export function jsonTargetOfRequest(req: Request): JsonTarget | undefined {
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf('?');
  return jsonTargetOf(req.method, q < 0 ? url : url.slice(0, q), headerValue(req, 'x-amz-target'));
}

/** Whether `req` is a query-protocol call (SNS's form-encoded `POST /`, no X-Amz-Target). */
export function isQueryRequest(req: Request): boolean {
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf('?');
  return isQueryCall(req.method, q < 0 ? url : url.slice(0, q), headerValue(req, 'content-type'), headerValue(req, 'x-amz-target'));
}

/** How the answer to `req` is written, errors included: its JSON API's protocol, the query protocol's XML, else Lambda's REST-JSON. */
export function wireProtocolOf(req: Request): WireProtocol {
  const t = jsonTargetOfRequest(req);
  if (!t) return isQueryRequest(req) ? 'awsQuery' : 'restJson1';
  if (t.api) return t.api.protocol;
  return /^application\/x-amz-json-1\.0\b/i.test(headerValue(req, 'content-type') ?? '') ? 'awsJson1_0' : 'awsJson1_1';
}

export function jsonRoutes(apis: readonly JsonApiRoutes[]): RouteInstaller {
  return (app: Express) => {
    app.post('/', async (req: Request, res: Response, next: NextFunction) => {
      const t = jsonTargetOfRequest(req);
      // no X-Amz-Target: no operation (the router's UnknownOperationException for the path)
      if (!t) { next(); return; }
      const routes = t.api && apis.find((a) => a.api === t.api);
      const handler = routes && Object.hasOwn(routes.targets, t.operation) ? routes.targets[t.operation] : undefined;
      if (!routes || !handler) throw unknownTarget(t.target);
      const input = await readJsonInput(req, routes.api.maxBodyBytes ?? MAX_JSON_BODY);
      sendJson(res, 200, await handler(input, { req, principal: principalOf(req) }), routes.api.protocol);
    });
  };
}
