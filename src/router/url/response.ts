// The function's answer as Lambda's Function URLs read it (pure): a response object, or any other JSON as a 200 body;
// and the answers klambda itself gives (refusals, throttles, bad gateways) in the shape AWS's URLs give them.

/** What goes on the wire: status, headers (repeats allowed: Set-Cookie) and the body bytes. */
export interface UrlHttpResponse {
  statusCode: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

const JSON_TYPE = 'application/json';

/** The 502 of a function that failed, timed out, or answered what cannot be an HTTP response. */
export function badGateway(): UrlHttpResponse {
  return { statusCode: 502, headers: [['Content-Type', JSON_TYPE]], body: Buffer.from('Internal Server Error') };
}

/** An answer of Lambda's URL front end itself: `{"Message": …}` and x-amzn-ErrorType. */
export function urlError(statusCode: number, errorType: string, message: string | null): UrlHttpResponse {
  return {
    statusCode,
    headers: [['Content-Type', JSON_TYPE], ['x-amzn-ErrorType', errorType]],
    body: Buffer.from(JSON.stringify({ Message: message })),
  };
}

/** A url-id no Function or Alias has: AWS answers 403 `{"Message":null}`, not 404 (a URL's existence is not told). */
export const unknownUrl = (): UrlHttpResponse => urlError(403, 'AccessDeniedException', null);

export const FORBIDDEN_MESSAGE = 'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html';

/** An AWS_IAM URL's caller without a valid signature or permission. */
export const forbiddenUrl = (message = FORBIDDEN_MESSAGE): UrlHttpResponse => urlError(403, 'AccessDeniedException', message);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A statusCode klambda sends: a whole number 200..599, or a string of one (a 1xx is no final answer: 502). */
function statusOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isInteger(n) && n >= 200 && n <= 599 ? n : undefined;
}

const headerText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** A header name and value Node can send (a function's bad header answers 502 instead of crashing the write). */
const validHeader = (name: string, value: string): boolean => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) && !/[\r\n\0]/.test(value);

/** A response object's status, headers and cookies (and body), as sent; a 502 when they cannot be. */
export function responseObject(r: Record<string, unknown>): UrlHttpResponse {
  const statusCode = statusOf(r.statusCode);
  if (statusCode === undefined) return badGateway();
  const headers: Array<[string, string]> = [];
  let typed = false;
  if (r.headers !== undefined && r.headers !== null) {
    if (!isObject(r.headers)) return badGateway();
    for (const [name, raw] of Object.entries(r.headers)) {
      const value = headerText(raw);
      if (value === undefined) continue;
      if (!validHeader(name, value)) return badGateway();
      if (name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding') continue;
      if (name.toLowerCase() === 'content-type') typed = true;
      headers.push([name, value]);
    }
  }
  if (!typed) headers.unshift(['Content-Type', JSON_TYPE]);
  if (Array.isArray(r.cookies)) {
    for (const c of r.cookies) {
      if (typeof c !== 'string') continue;
      if (!validHeader('Set-Cookie', c)) return badGateway();
      headers.push(['Set-Cookie', c]);
    }
  }
  let body: Buffer;
  if (r.body === undefined || r.body === null) body = Buffer.alloc(0);
  else if (typeof r.body === 'string') body = r.isBase64Encoded === true ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8');
  else body = Buffer.from(JSON.stringify(r.body), 'utf8');
  return { statusCode, headers, body };
}

/**
 * The HTTP response of a function's payload (its JSON text). An object with a statusCode is a response
 * (statusCode, headers, cookies → Set-Cookie, body, isBase64Encoded); anything else is a 200 application/json whose
 * body is the value: a string as its text, any other value as compact JSON.
 */
export function httpResponseOf(payload: string): UrlHttpResponse {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    // a runtime only ever reports JSON; a non-JSON payload is passed on as the text it is
    return { statusCode: 200, headers: [['Content-Type', JSON_TYPE]], body: Buffer.from(payload, 'utf8') };
  }
  if (isObject(value) && 'statusCode' in value) return responseObject(value);
  const body = typeof value === 'string' ? value : JSON.stringify(value);
  return { statusCode: 200, headers: [['Content-Type', JSON_TYPE]], body: Buffer.from(body ?? '', 'utf8') };
}
