// Verifies AWS Signature Version 4 on a request as it arrived: scope, key, time, payload hash, signature (pure; `now` is given).
import { createHash, timingSafeEqual } from 'node:crypto';
import { incompleteSignature, invalidSignature, SIGNATURE_MISMATCH, unrecognizedClient } from '../auth-errors.js';
import { canonicalRequest, queryPairs } from './canonical.js';
import { ALGORITHM, formatAmzDate, parseAmzDate, parseSignedAuth, type Headers, type SignedAuth } from './parse.js';
import { hmacHex, type SigningKeyCache } from './signing-key.js';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const MAX_SKEW_MS = 5 * 60 * 1000;

export interface SigV4Key {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A request as it arrived: nothing decoded or normalized beyond what Node does. */
export interface SigV4Request {
  method: string;
  /** Path and query exactly as sent (Node's req.url). */
  url: string;
  /** Node's req.headers (lower-case names). */
  headers: Headers;
  /** Node's req.rawHeaders: name, value, name, value… */
  rawHeaders: readonly string[];
  /** Hex SHA-256 of the body as received. */
  bodySha256: string;
}

export interface SigV4Options {
  /** The one region this router serves. */
  region: string;
  /** Services it answers for (`lambda`; later `sns`, `events`, `s3`). */
  services: readonly string[];
  /** Services that may sign `UNSIGNED-PAYLOAD` instead of the payload's hash (S3 only, at AWS). */
  unsignedPayloadServices?: readonly string[];
  now: number;
  cache: SigningKeyCache;
}

export interface Verified<K extends SigV4Key> {
  key: K;
  auth: SignedAuth;
}

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

function checkScope(auth: SignedAuth, opts: SigV4Options): void {
  const { region, service, date } = auth.scope;
  if (region !== opts.region) throw invalidSignature(`Credential should be scoped to a valid region, not '${region}'. `);
  if (!opts.services.includes(service)) throw invalidSignature(`Credential should be scoped to correct service: '${opts.services[0] ?? ''}'. `);
  if (!auth.amzDate.startsWith(date)) {
    throw invalidSignature(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${auth.amzDate.slice(0, 8)}', from '${auth.amzDate}'.`);
  }
}

function checkTime(auth: SignedAuth, now: number): void {
  const t = parseAmzDate(auth.amzDate);
  if (t === undefined) throw incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${auth.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  const at = formatAmzDate(now);
  if (t > now + MAX_SKEW_MS) {
    throw invalidSignature(`Signature not yet current: ${auth.amzDate} is still later than ${formatAmzDate(now + MAX_SKEW_MS)} (${at} + 5 min.)`);
  }
  if (auth.expiresSeconds !== undefined) {
    const until = t + auth.expiresSeconds * 1000;
    if (until < now) throw invalidSignature(`Signature expired: ${formatAmzDate(until)} is now earlier than ${at} (${auth.amzDate} + ${auth.expiresSeconds} sec.)`);
  } else if (t < now - MAX_SKEW_MS) {
    throw invalidSignature(`Signature expired: ${auth.amzDate} is now earlier than ${formatAmzDate(now - MAX_SKEW_MS)} (${at} - 5 min.)`);
  }
}

/** The payload hash the client signed: its x-amz-content-sha256 if sent (and true), else the body's own hash. */
function payloadHash(req: SigV4Request, auth: SignedAuth, opts: SigV4Options): string {
  const raw = req.headers['x-amz-content-sha256'];
  const declared = Array.isArray(raw) ? raw[0] : raw;
  if (declared === undefined) return req.bodySha256;
  if (declared === UNSIGNED_PAYLOAD) {
    if (opts.unsignedPayloadServices?.includes(auth.scope.service)) return declared;
    throw invalidSignature(`UNSIGNED-PAYLOAD is not accepted for service '${auth.scope.service}': sign the SHA-256 of the payload.`);
  }
  if (declared.toLowerCase() !== req.bodySha256) throw invalidSignature(`The provided 'x-amz-content-sha256' header does not match what was computed.`);
  return declared;
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Who signed the request, or the KlambdaError AWS would answer with (403). */
export function verifySigV4<K extends SigV4Key>(req: SigV4Request, lookup: (accessKeyId: string) => K | undefined, opts: SigV4Options): Verified<K> {
  const { path, query: rawQuery } = splitUrl(req.url);
  const query = queryPairs(rawQuery);
  const auth = parseSignedAuth(req.headers, query);
  checkScope(auth, opts);
  const key = lookup(auth.scope.accessKeyId);
  if (key === undefined || auth.sessionToken !== undefined) throw unrecognizedClient();
  if (!auth.signedHeaders.includes('host') && !auth.signedHeaders.includes(':authority')) throw incompleteSignature(`'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.`);
  checkTime(auth, opts.now);
  const canonical = canonicalRequest({
    method: req.method, rawPath: path, query,
    rawHeaders: req.rawHeaders, signedHeaders: auth.signedHeaders, payloadHash: payloadHash(req, auth, opts),
  });
  const { date, region, service } = auth.scope;
  const stringToSign = `${ALGORITHM}\n${auth.amzDate}\n${date}/${region}/${service}/aws4_request\n${sha256Hex(canonical)}`;
  const expected = hmacHex(opts.cache.get(key.secretAccessKey, date, region, service), stringToSign);
  if (!sameHex(expected, auth.signature)) {
    throw invalidSignature(`${SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`);
  }
  return { key, auth };
}
