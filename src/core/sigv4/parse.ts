// Reads SigV4 credentials from a request: the Authorization header or the presigned query form (pure).
import { incompleteSignature, missingAuthentication } from '../auth-errors.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface CredentialScope {
  accessKeyId: string;
  /** YYYYMMDD */
  date: string;
  region: string;
  service: string;
}

export interface SignedAuth {
  form: 'header' | 'query';
  scope: CredentialScope;
  /** Lower-case, in the order the client listed them. */
  signedHeaders: string[];
  signature: string;
  /** ISO 8601 basic: 20261202T101500Z (from X-Amz-Date, else the Date header). */
  amzDate: string;
  /** The presigned form's X-Amz-Expires, seconds. */
  expiresSeconds?: number;
  /** X-Amz-Security-Token, if sent (klambda issues no session tokens). */
  sessionToken?: string;
}

export type Headers = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Credential=AKID/20261202/us-east-1/lambda/aws4_request */
function parseCredential(raw: string, where: string): CredentialScope {
  const parts = raw.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    throw incompleteSignature(`${where} Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${raw}'`);
  }
  const [accessKeyId, date, region, service, term] = parts as [string, string, string, string, string];
  if (term !== 'aws4_request') throw incompleteSignature(`${where} Credential should be scoped with a valid terminator: 'aws4_request', not '${term}'.`);
  if (!/^\d{8}$/.test(date)) throw incompleteSignature(`${where} Credential has an invalid date: '${date}'.`);
  return { accessKeyId, date, region, service };
}

function parseSignedHeaders(raw: string): string[] {
  return raw.split(';').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
}

const AMZ_DATE = /^\d{8}T\d{6}Z$/;

/** The request time as SigV4 writes it (20261202T101500Z), from an X-Amz-Date or an RFC 1123 Date header. */
function requestDate(headers: Headers): string | undefined {
  const amz = one(headers['x-amz-date']);
  if (amz !== undefined) return amz;
  const date = one(headers.date);
  if (date === undefined) return undefined;
  const t = Date.parse(date);
  return Number.isNaN(t) ? date : formatAmzDate(t);
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function parseAmzDate(amzDate: string): number | undefined {
  if (!AMZ_DATE.test(amzDate)) return undefined;
  const iso = `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

function fromHeader(authorization: string, headers: Headers): SignedAuth {
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw incompleteSignature(`Unsupported Authorization Type: '${algorithm}'; klambda accepts ${ALGORITHM} (Signature Version 4) only.`);
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing: string[] = [];
  for (const f of ['Credential', 'Signature', 'SignedHeaders']) if (!fields.get(f)) missing.push(`Authorization header requires '${f}' parameter.`);
  const amzDate = requestDate(headers);
  if (amzDate === undefined) missing.push(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.`);
  if (missing.length > 0) throw incompleteSignature(`${missing.join(' ')} Authorization=${authorization}`);
  const auth: SignedAuth = {
    form: 'header',
    scope: parseCredential(fields.get('Credential')!, 'Authorization header'),
    signedHeaders: parseSignedHeaders(fields.get('SignedHeaders')!),
    signature: fields.get('Signature')!,
    amzDate: amzDate!,
  };
  const token = one(headers['x-amz-security-token']);
  if (token !== undefined) auth.sessionToken = token;
  return auth;
}

const MAX_EXPIRES = 7 * 24 * 3600;

function fromQuery(query: ReadonlyMap<string, string>): SignedAuth {
  const algorithm = query.get('X-Amz-Algorithm');
  if (algorithm !== ALGORITHM) {
    throw incompleteSignature(`X-Amz-Algorithm only supports "${ALGORITHM}", got '${algorithm ?? ''}'.`);
  }
  const missing = ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'].filter((k) => !query.get(k));
  if (missing.length > 0) throw incompleteSignature(missing.map((k) => `AWS query-string parameters must include '${k}'.`).join(' ') + ' Re-examine the query-string parameters.');
  const expires = query.get('X-Amz-Expires');
  let expiresSeconds: number | undefined;
  if (expires !== undefined) {
    expiresSeconds = Number(expires);
    if (!/^\d+$/.test(expires) || expiresSeconds < 1 || expiresSeconds > MAX_EXPIRES) {
      throw incompleteSignature(`X-Amz-Expires must be a whole number of seconds between 1 and ${MAX_EXPIRES}, got '${expires}'.`);
    }
  }
  const auth: SignedAuth = {
    form: 'query',
    scope: parseCredential(query.get('X-Amz-Credential')!, 'X-Amz-Credential:'),
    signedHeaders: parseSignedHeaders(query.get('X-Amz-SignedHeaders')!),
    signature: query.get('X-Amz-Signature')!,
    amzDate: query.get('X-Amz-Date')!,
  };
  if (expiresSeconds !== undefined) auth.expiresSeconds = expiresSeconds;
  const token = query.get('X-Amz-Security-Token');
  if (token !== undefined) auth.sessionToken = token;
  return auth;
}

/** The credentials a request carries, or a KlambdaError (missing or malformed). Header form wins over query form. */
export function parseSignedAuth(headers: Headers, query: ReadonlyArray<readonly [string, string]>): SignedAuth {
  const authorization = one(headers.authorization);
  if (authorization !== undefined && authorization !== '') return fromHeader(authorization.trim(), headers);
  const params = new Map<string, string>();
  for (const [k, v] of query) if (!params.has(k)) params.set(k, v);
  if (params.has('X-Amz-Algorithm') || params.has('X-Amz-Signature') || params.has('X-Amz-Credential')) return fromQuery(params);
  throw missingAuthentication();
}
