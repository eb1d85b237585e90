// A Function URL's CORS, answered by klambda from `cors` as Lambda answers it (pure): preflights never reach the
// function, and the Access-Control-* headers of the configuration go on every answer to an allowed Origin.
import type { UrlCors } from '../../core/function-url.js';
import type { UrlHttpResponse } from './response.js';

/** A CORS preflight: OPTIONS naming the method it asks about. */
export function isPreflight(method: string, headers: { origin?: string | undefined; 'access-control-request-method'?: string | string[] | undefined }): boolean {
  return method === 'OPTIONS' && headers.origin !== undefined && headers['access-control-request-method'] !== undefined;
}

/**
 * The Access-Control-Allow-Origin for this Origin, or undefined when it is not allowed. A listed origin is echoed
 * (compared without case, as host names are); `*` answers `*`, except with AllowCredentials, where a browser takes no
 * `*`, and Lambda echoes the Origin instead.
 */
export function allowedOrigin(cors: UrlCors, origin: string | undefined): string | undefined {
  if (origin === undefined || origin === '') return undefined;
  const origins = cors.allowOrigins ?? [];
  if (origins.includes('*')) return cors.allowCredentials === true ? origin : '*';
  const wanted = origin.toLowerCase();
  return origins.some((o) => o.toLowerCase() === wanted) ? origin : undefined;
}

const list = (values: readonly string[] | undefined): string | undefined => (values && values.length > 0 ? values.join(',') : undefined);

/** The headers every answer to an allowed Origin carries: Allow-Origin, Allow-Credentials, Expose-Headers (and Vary). */
export function corsHeaders(cors: UrlCors, origin: string | undefined): Array<[string, string]> {
  const allow = allowedOrigin(cors, origin);
  if (allow === undefined) return [];
  const out: Array<[string, string]> = [['Access-Control-Allow-Origin', allow]];
  if (allow !== '*') out.push(['Vary', 'Origin']);
  if (cors.allowCredentials === true) out.push(['Access-Control-Allow-Credentials', 'true']);
  const expose = list(cors.exposeHeaders);
  if (expose !== undefined) out.push(['Access-Control-Expose-Headers', expose]);
  return out;
}

/** The answer to a preflight: 200, no body, the allowed methods and headers and the max age, for an allowed Origin. */
export function preflightResponse(cors: UrlCors, origin: string | undefined): UrlHttpResponse {
  const headers = corsHeaders(cors, origin);
  if (headers.length > 0) {
    const methods = list(cors.allowMethods);
    if (methods !== undefined) headers.push(['Access-Control-Allow-Methods', methods]);
    const allowHeaders = list(cors.allowHeaders);
    if (allowHeaders !== undefined) headers.push(['Access-Control-Allow-Headers', allowHeaders]);
    if (cors.maxAge !== undefined) headers.push(['Access-Control-Max-Age', String(cors.maxAge)]);
  }
  return { statusCode: 200, headers, body: Buffer.alloc(0) };
}

/** The configured headers on a response: they take the place of the function's own of the same names. */
export function withCors(res: UrlHttpResponse, cors: UrlCors | undefined, origin: string | undefined): UrlHttpResponse {
  if (!cors) return res;
  const added = corsHeaders(cors, origin);
  if (added.length === 0) return res;
  const names = new Set(added.map(([n]) => n.toLowerCase()).filter((n) => n !== 'vary'));
  return { ...res, headers: [...res.headers.filter(([n]) => !names.has(n.toLowerCase())), ...added] };
}
