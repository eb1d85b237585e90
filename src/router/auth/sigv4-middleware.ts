// The router's SigV4 gate: reads the body once (for its hash), verifies the signature against the key store, checks
// the route's IAM action against the key's account and policy, and attaches the principal for the handlers.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { accessDenied } from '../../core/auth-errors.js';
import { KlambdaError } from '../../core/errors.js';
import { evaluate } from '../../core/iam-policy.js';
import { isCodeUpload, lambdaAction } from '../../core/lambda-actions.js';
import { MAX_CODE_REQUEST_BYTES } from '../../code/package-limits.js';
import { EMPTY_SHA256, parseSignedAuth, queryPairs, sha256Hex, SigningKeyCache, verifySigV4 } from '../../core/sigv4/index.js';
import { readBody } from '../body.js';
import { stashBody } from '../body-stash.js';
import { principalOfKey, setPrincipal, type KeyStore, type Principal } from './principal.js';

/** The largest body any route but a code upload takes (a synchronous Invoke's 6 MB); each route still applies its own limit. */
export const MAX_SIGNED_BODY = 6 * 1024 * 1024;

export interface SigV4AuthOptions {
  keys: KeyStore;
  /** The router's region: credentials must be scoped to it. */
  region: string;
  /** Services whose scope is accepted (default: lambda). */
  services?: readonly string[];
  now?: () => number;
}

/** Refuses what the principal may not do: another account's ARN, or an action outside its policy (pure). */
export function authorize(principal: Principal, method: string, url: string, region: string): void {
  const target = lambdaAction(method, url, { region, accountId: principal.accountId });
  if (!target) {
    // every route is mapped to its action; a request no route serves never reaches one
    const path = url.split('?')[0];
    throw new KlambdaError(404, 'UnknownOperationException', `Unknown operation: ${method} ${path}`);
  }
  if (target.account !== undefined && target.account !== principal.accountId) throw accessDenied(principal.userArn, target.action, target.resource);
  if (!principal.policy) return;
  const decision = evaluate(principal.policy, target.action, target.resource);
  if (decision !== 'Allow') throw accessDenied(principal.userArn, target.action, target.resource, decision === 'ExplicitDeny');
}

export function sigv4Auth(opts: SigV4AuthOptions): RequestHandler {
  const cache = new SigningKeyCache();
  const services = opts.services ?? ['lambda'];
  const now = opts.now ?? Date.now;
  return (req: Request, _res: Response, next: NextFunction): void => {
    const url = req.originalUrl;
    void (async () => {
      const q = url.indexOf('?');
      // missing or malformed credentials are refused before a byte of the body is read
      parseSignedAuth(req.headers, queryPairs(q < 0 ? '' : url.slice(q + 1)));
      const body = await readBody(req, isCodeUpload(req.method, url) ? MAX_CODE_REQUEST_BYTES : MAX_SIGNED_BODY);
      stashBody(req, body);
      const { key } = verifySigV4(
        { method: req.method, url, headers: req.headers, rawHeaders: req.rawHeaders, bodySha256: body.length === 0 ? EMPTY_SHA256 : sha256Hex(body) },
        (id) => opts.keys.find(id),
        { region: opts.region, services, now: now(), cache },
      );
      const principal = principalOfKey(key);
      authorize(principal, req.method, url, opts.region);
      setPrincipal(req, principal);
    })().then(() => next(), (err: unknown) => next(err));
  };
}
