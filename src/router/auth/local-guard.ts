// The local mode without --auth: only loopback Hosts, no foreign Origin, no write a web page could send cross-site.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { refusedLocally } from '../../core/auth-errors.js';
import type { KlambdaError } from '../../core/errors.js';
import { setPrincipal, type Principal } from './principal.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** What a browser may send cross-site without asking first (a CORS "simple" request). */
const SIMPLE_CONTENT_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);
const WRITES = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/** 127.0.0.1, localhost or [::1], with any port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d{1,5})?$/.exec(host.trim().toLowerCase());
  return m !== null && LOOPBACK.has(m[1]!);
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && isLoopbackHost(u.host);
  } catch {
    return false;
  }
}

export interface LocalRequestFacts {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  contentType: string | undefined;
  /** The Authorization header, if any. */
  authorization?: string | undefined;
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * A SigV4 Authorization header: what the AWS SDKs and CLI put on every SNS call (a form-encoded POST). A page cannot
 * send one cross-site without asking: an HTML form sets no headers, and fetch() with it needs a CORS preflight, which
 * klambda never grants. Not verified here (nothing is without --auth): it only proves the request is no plain form.
 */
const isSigV4 = (authorization: string | undefined): boolean => authorization !== undefined && /^AWS4-HMAC-SHA256 /.test(authorization.trimStart());

/** Why the local mode refuses this request, or undefined when it may go on (pure). */
export function localRefusal(r: LocalRequestFacts): KlambdaError | undefined {
  if (!isLoopbackHost(r.host)) {
    return refusedLocally(`Host '${r.host ?? ''}' refused: without --auth, klambda dev answers only 127.0.0.1, localhost and [::1]`);
  }
  // a page on another site (or a sandboxed one: "null") must not reach the API through the user's browser
  if (r.origin !== undefined && !isLoopbackOrigin(r.origin)) {
    return refusedLocally(`Origin '${r.origin}' refused: without --auth, klambda dev answers no web page but its own`);
  }
  const mediaType = r.contentType?.split(';')[0]!.trim().toLowerCase();
  if (WRITES.has(r.method) && mediaType !== undefined && SIMPLE_CONTENT_TYPES.has(mediaType) && !(mediaType === FORM && isSigV4(r.authorization))) {
    const sns = mediaType === FORM ? ' (an SNS call is a form signed with SigV4: its Authorization header is missing)' : '';
    return refusedLocally(`Content-Type '${mediaType}' refused for ${r.method}: send JSON (application/json) or binary (application/octet-stream)${sns}`);
  }
  return undefined;
}

/** The express middleware: refuses what localRefusal refuses, and makes every other caller the anonymous principal. */
export function localGuard(anonymous: Principal): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    const refusal = localRefusal({ method: req.method, host: req.headers.host, origin, contentType: req.headers['content-type'], authorization: req.headers.authorization });
    if (refusal) { next(refusal); return; }
    setPrincipal(req, anonymous);
    next();
  };
}
