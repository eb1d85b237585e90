// Function URLs (Lambda's HTTP trigger), what every part agrees on (pure): a URL's id, its host name and path, and
// the configuration a Function or Alias carries in `spec.url` and the routing table carries to the router.
import { createHash } from 'node:crypto';

export const URL_AUTH_TYPES = ['NONE', 'AWS_IAM'] as const;
export type UrlAuthType = (typeof URL_AUTH_TYPES)[number];
export const URL_INVOKE_MODES = ['BUFFERED', 'RESPONSE_STREAM'] as const;
export type UrlInvokeMode = (typeof URL_INVOKE_MODES)[number];

/** Lambda's Cors object, as the kind keeps it (camelCase) and the API shows it (PascalCase). */
export interface UrlCors {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

/** `spec.url` of a Function ($LATEST's URL) or an Alias (the alias's URL). */
export interface UrlConfig {
  authType: UrlAuthType;
  invokeMode?: UrlInvokeMode;
  cors?: UrlCors;
}

/** What the router needs to serve a URL: whose it is and how. */
export interface UrlTarget {
  namespace: string;
  functionName: string;
  /** "$LATEST" or an alias name. */
  qualifier: string;
  config: UrlConfig;
}

/**
 * A URL's id: 32 lower-case letters and digits, as Lambda's `<url-id>` (stable: derived from the namespace, function
 * and qualifier, so a Function applied again, or on another cluster, keeps its URL).
 */
export function urlId(namespace: string, functionName: string, qualifier: string): string {
  const digest = createHash('sha256').update(`function-url/${namespace}/${functionName}/${qualifier}`).digest();
  let out = '';
  for (let i = 0; out.length < 32; i++) out += (digest[i]! % 36).toString(36);
  return out;
}

/** The host a URL is served under: `<url-id>.lambda-url.<region>.<domain>` (domain `localhost` locally). */
export const urlHost = (id: string, region: string, domain: string): string => `${id}.lambda-url.${region}.${domain}`;

/** The path prefix a URL is also served under, for a caller without DNS: `/lambda-url/<url-id>/…`. */
export const URL_PATH_PREFIX = '/lambda-url/';

/** The url-id a Host names (`<id>.lambda-url.<anything>`), or undefined. */
export function urlIdOfHost(host: string | undefined): string | undefined {
  const m = /^([a-z0-9]{32})\.lambda-url\./.exec((host ?? '').toLowerCase());
  return m?.[1];
}

/** The url-id and the rest of the path of `/lambda-url/<id>/rest`, or undefined. */
export function urlIdOfPath(path: string): { id: string; rest: string } | undefined {
  const m = /^\/lambda-url\/([a-z0-9]{32})(\/.*)?$/.exec(path);
  return m ? { id: m[1]!, rest: m[2] ?? '/' } : undefined;
}
