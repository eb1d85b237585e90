// The router's SigV4 gate: reads the body once (for its hash), verifies the signature against the key store, checks
// the route's IAM action against the key's account and policy, and attaches the principal for the handlers.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { accessDenied } from '../../core/auth-errors.js';
import { KlambdaError } from '../../core/errors.js';
import { evaluate } from '../../core/iam-policy.js';
import { JSON_APIS, jsonTargetOf, targetAction, unknownTarget, type JsonTarget } from '../../core/json-targets.js';
import { isCodeUpload, lambdaAction, namesResourceInBody } from '../../core/lambda-actions.js';
import { isQueryCall, queryAction, SNS, type QueryParams } from '../../core/query-apis.js';
import { MAX_CODE_REQUEST_BYTES } from '../../code/package-limits.js';
import { EMPTY_SHA256, parseSignedAuth, queryPairs, sha256Hex, SigningKeyCache, verifySigV4 } from '../../core/sigv4/index.js';
import { readBody } from '../body.js';
import { stashBody, stashJson } from '../body-stash.js';
import { parseForm } from '../query/form.js';
import { principalOfKey, setPrincipal, type KeyStore, type Principal } from './principal.js';

/** The largest body any route but a code upload takes (a synchronous Invoke's 6 MB); each route still applies its own limit. */
export const MAX_SIGNED_BODY = 6 * 1024 * 1024;

/** The services the router answers for: Lambda's REST API, each JSON API's (EventBridge's `events`) and SNS's (`sns`). */
export const ROUTER_SERVICES: readonly string[] = ['lambda', ...JSON_APIS.map((a) => a.service), SNS.service];

export interface SigV4AuthOptions {
  keys: KeyStore;
  /** The router's region: credentials must be scoped to it. */
  region: string;
  /** Services whose scope is accepted (default: ROUTER_SERVICES); each request only its own API's. */
  services?: readonly string[];
  now?: () => number;
}

const pathOf = (url: string): string => url.split('?')[0]!;

function headerValue(headers: Request['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The service a request must be signed for: its JSON API's (by X-Amz-Target), else Lambda's; for an X-Amz-Target of
 * no API, undefined (any service the router serves, then UnknownOperationException).
 */
export function signingService(json: JsonTarget | undefined): string | undefined {
  return json ? json.api?.service : 'lambda';
}

/**
 * Refuses what the principal may not do: another account's ARN, or an action outside its policy (pure). `target` is
 * the X-Amz-Target header: on `POST /` it names a JSON API's operation (EventBridge's), whose action is checked instead.
 * `form` is a query-protocol call's parameters (SNS's form-encoded `POST /`): its Action's IAM action on the topic
 * ARN it names (a missing or unknown Action refused as SNS refuses it).
 */
export function authorize(principal: Principal, method: string, url: string, region: string, target?: string, form?: QueryParams, members?: Readonly<Record<string, unknown>>): void {
  const at = { region, accountId: principal.accountId };
  const json = form ? undefined : jsonTargetOf(method, pathOf(url), target);
  const call: { action: string; resource: string; account?: string } | undefined = form ? queryAction(SNS, form, at) : json ? targetAction(json, at, members) : lambdaAction(method, url, at, members);
  if (!call) {
    // every route is mapped to its action; a request no route serves never reaches one
    if (json) throw unknownTarget(json.target);
    throw new KlambdaError(404, 'UnknownOperationException', `Unknown operation: ${method} ${pathOf(url)}`);
  }
  if (call.account !== undefined && call.account !== principal.accountId) throw accessDenied(principal.userArn, call.action, call.resource);
  if (!principal.policy) return;
  const decision = evaluate(principal.policy, call.action, call.resource);
  if (decision !== 'Allow') throw accessDenied(principal.userArn, call.action, call.resource, decision === 'ExplicitDeny');
}

/** A JSON call's members, for the resource its IAM action names (a body that is not a JSON object: none; the API refuses it). */
function jsonMembers(body: Buffer): Readonly<Record<string, unknown>> | undefined {
  if (body.length === 0 || body[0] !== 0x7b) return undefined;
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

export function sigv4Auth(opts: SigV4AuthOptions): RequestHandler {
  const cache = new SigningKeyCache();
  const services = opts.services ?? ROUTER_SERVICES;
  const now = opts.now ?? Date.now;
  return (req: Request, _res: Response, next: NextFunction): void => {
    const url = req.originalUrl;
    const target = headerValue(req.headers, 'x-amz-target');
    // a form-encoded POST / without X-Amz-Target is an SNS call (the query protocol), its Action in the body
    const query = isQueryCall(req.method, pathOf(url), headerValue(req.headers, 'content-type'), target);
    // a key signed for one API reaches only that API: the scope must name the service of the call
    const service = query ? SNS.service : signingService(jsonTargetOf(req.method, pathOf(url), target));
    const scope = service !== undefined && services.includes(service) ? [service] : services;
    void (async () => {
      const q = url.indexOf('?');
      // missing or malformed credentials are refused before a byte of the body is read
      parseSignedAuth(req.headers, queryPairs(q < 0 ? '' : url.slice(q + 1)));
      const json = jsonTargetOf(req.method, pathOf(url), target);
      const limit = isCodeUpload(req.method, url) ? MAX_CODE_REQUEST_BYTES : Math.max(MAX_SIGNED_BODY, json?.api?.maxBodyBytes ?? 0);
      const body = await readBody(req, limit);
      stashBody(req, body);
      const { key } = verifySigV4(
        { method: req.method, url, headers: req.headers, rawHeaders: req.rawHeaders, bodySha256: body.length === 0 ? EMPTY_SHA256 : sha256Hex(body) },
        (id) => opts.keys.find(id),
        { region: opts.region, services: scope, now: now(), cache },
      );
      const principal = principalOfKey(key);
      // only a JSON API's call, or one naming its resource in the body, is parsed here (an Invoke's payload never is)
      const members = !query && (json || namesResourceInBody(req.method, url)) ? jsonMembers(body) : undefined;
      if (members && !json) stashJson(req, members as Record<string, unknown>);
      authorize(principal, req.method, url, opts.region, target, query ? parseForm(body) : undefined, members);
      setPrincipal(req, principal);
    })().then(() => next(), (err: unknown) => next(err));
  };
}
