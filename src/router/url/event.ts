// A Function URL request as the event Lambda hands the function: API Gateway's payload format 2.0 (pure).
import type { Principal } from '../auth/principal.js';

/** The request as it arrived, with what the router knows about it. */
export interface UrlRequestFacts {
  method: string;
  /** The path after the URL's own part (`/` at least), percent-encoding as sent. */
  rawPath: string;
  /** What follows `?`, as sent ('' when none). */
  rawQueryString: string;
  /** Node's rawHeaders: name, value, name, value… */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  /** 'HTTP/1.1' */
  protocol: string;
  urlId: string;
  /** `<url-id>.lambda-url.<region>.<domain>` */
  domainName: string;
  /** The account that owns the function. */
  accountId: string;
  /** The invocation's request id (the function's context.awsRequestId). */
  requestId: string;
  traceId: string;
  /** Epoch ms when the request arrived. */
  now: number;
  /** The caller of an AWS_IAM URL. */
  caller?: Principal;
}

export interface UrlIamAuthorizer {
  accessKey: string | null;
  accountId: string;
  callerId: string;
  cognitoIdentity: null;
  principalOrgId: null;
  userArn: string;
  userId: string;
}

export interface UrlEvent {
  version: '2.0';
  routeKey: '$default';
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    authorizer?: { iam: UrlIamAuthorizer };
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: '$default';
    stage: '$default';
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

/** Headers the function never sees: hop-by-hop ones, which describe the connection to the router, not the request. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** requestContext.time: `12/Mar/2020:19:03:58 +0000` (UTC). */
export function requestTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/**
 * Whether a body of this Content-Type reaches the function as text (else base64): text/*, JSON, XML, JavaScript and
 * their `+json`/`+xml` kinds, and only when the bytes are UTF-8. A body without a Content-Type, a form, multipart or
 * an image is binary, as Lambda treats it.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  const media = contentType?.split(';')[0]!.trim().toLowerCase();
  if (!media) return false;
  if (media.startsWith('text/')) return true;
  return /^application\/(json|xml|javascript|ecmascript|x-javascript|graphql|yaml|x-yaml|[\w.+-]+\+json|[\w.+-]+\+xml)$/.test(media);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function textOf(body: Buffer): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

/** Form-decoding of one query component; a malformed escape is kept as sent rather than refused. */
function decodeComponent(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/** queryStringParameters: decoded names and values, a repeated name's values joined with commas; undefined when none. */
export function queryParameters(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const out = new Map<string, string[]>();
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(part.slice(eq + 1));
    const values = out.get(name);
    if (values) values.push(value); else out.set(name, [value]);
  }
  if (out.size === 0) return undefined;
  const params: Record<string, string> = {};
  for (const [k, v] of out) params[k] = v.join(',');
  return params;
}

/** Lower-cased headers, repeats joined with commas; Cookie headers apart, split into their cookies. */
export function eventHeaders(rawHeaders: readonly string[]): { headers: Record<string, string>; cookies: string[] } {
  const joined = new Map<string, string[]>();
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'cookie') {
      for (const c of value.split(';')) if (c.trim() !== '') cookies.push(c.trim());
      continue;
    }
    const values = joined.get(name);
    if (values) values.push(value); else joined.set(name, [value]);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of joined) headers[k] = v.join(',');
  return { headers, cookies };
}

function iamAuthorizer(p: Principal): UrlIamAuthorizer {
  const userId = p.accessKeyId ?? 'anonymous';
  return { accessKey: p.accessKeyId ?? null, accountId: p.accountId, callerId: userId, cognitoIdentity: null, principalOrgId: null, userArn: p.userArn, userId };
}

/** The event of one request. */
export function urlEvent(r: UrlRequestFacts): UrlEvent {
  const { headers, cookies } = eventHeaders(r.rawHeaders);
  // as behind Lambda's front end: the client's address, the scheme and port it used, the trace id
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']},${r.sourceIp}` : r.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-amzn-trace-id'] = r.traceId;
  const cookieField = cookies.length > 0 ? { cookies } : {};
  const query = queryParameters(r.rawQueryString);
  // AWS's order of the fields, so a logged event reads like one from Lambda
  const event: UrlEvent = {
    version: '2.0',
    routeKey: '$default',
    rawPath: r.rawPath,
    rawQueryString: r.rawQueryString,
    ...cookieField,
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: r.accountId,
      apiId: r.urlId,
      ...(r.caller ? { authorizer: { iam: iamAuthorizer(r.caller) } } : {}),
      domainName: r.domainName,
      domainPrefix: r.urlId,
      http: { method: r.method, path: r.rawPath, protocol: r.protocol, sourceIp: r.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: r.requestId,
      routeKey: '$default',
      stage: '$default',
      time: requestTime(r.now),
      timeEpoch: r.now,
    },
    isBase64Encoded: false,
  };
  if (r.body.length > 0) {
    const text = isTextContentType(headers['content-type']) ? textOf(r.body) : undefined;
    const body = text ?? r.body.toString('base64');
    delete (event as Partial<UrlEvent>).isBase64Encoded;
    Object.assign(event, { body, isBase64Encoded: text === undefined });
  }
  return event;
}
