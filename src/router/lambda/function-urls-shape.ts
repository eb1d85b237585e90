// The Function URL calls' shapes (pure): the API's body ⇄ the kind's `spec.url`, the qualifier a URL may have, the
// FunctionUrlConfig a call answers, and the times kept in an annotation beside `spec.url`.
import { URL_CORS_METHODS } from '../../api/function.js';
import { functionArn, type ArnContext } from '../../core/arn.js';
import { KlambdaError, invalidParameter } from '../../core/errors.js';
import { URL_AUTH_TYPES, URL_INVOKE_MODES, urlHost, urlId, type UrlAuthType, type UrlConfig, type UrlCors, type UrlInvokeMode } from '../../core/function-url.js';
import { awsTimestamp } from './function-configuration.js';

/** Set on a Function or Alias beside `spec.url`: `{"creationTime": ISO, "lastModifiedTime": ISO}` (Lambda's CreationTime, LastModifiedTime). */
export const URL_TIMES_ANNOTATION = 'klambda.dev/url-times';

/** Lambda's Cors object, as the API shows it. */
export interface ApiCors {
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  AllowOrigins?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

/** Lambda's FunctionUrlConfig (Get, Update, List; Create's answer has no LastModifiedTime). */
export interface FunctionUrlConfigOutput {
  FunctionUrl: string;
  FunctionArn: string;
  AuthType: UrlAuthType;
  Cors?: ApiCors;
  CreationTime: string;
  LastModifiedTime?: string;
  InvokeMode: UrlInvokeMode;
}

/** What Create or Update asks for; `cors: null` (an empty Cors) removes the CORS settings. */
export interface UrlConfigInput {
  authType?: UrlAuthType;
  invokeMode?: UrlInvokeMode;
  cors?: UrlCors | null;
}

export interface UrlTimes { creationTime: string; lastModifiedTime: string }

/** Where the URLs of a router are: `http://<url-id>.lambda-url.<region>.<domain>:<port>/`. */
export interface UrlEndpoint { domain: string; port?: number | string; protocol?: 'http' | 'https' }

export const validationError = (problems: string[]): KlambdaError =>
  new KlambdaError(400, 'ValidationException', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);

/** The pattern Lambda's answer names when a URL's Qualifier is a version (URLs are for $LATEST or an alias). */
const QUALIFIER_PATTERN = '(^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))';

/**
 * The qualifier a URL call names: undefined for $LATEST's URL (none, or `$LATEST`), else an alias name. A version
 * number, or anything that is not an alias name, is refused as Lambda refuses it (ValidationException).
 */
export function urlQualifier(qualifier: string | undefined): string | undefined {
  if (qualifier === undefined || qualifier === '' || qualifier === '$LATEST') return undefined;
  if (/^[0-9]+$/.test(qualifier) || !/^[a-zA-Z0-9_-]{1,128}$/.test(qualifier)) {
    throw validationError([`Value '${qualifier.slice(0, 128)}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ${QUALIFIER_PATTERN}`]);
  }
  return qualifier;
}

const enumProblem = (value: unknown, at: string, values: readonly string[]): string =>
  `Value '${String(value).slice(0, 256)}' at '${at}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`;

function stringList(value: unknown, at: string, max: number, maxLength: number, problems: string[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    problems.push(`Value at '${at}' failed to satisfy constraint: Member must be a list of strings`);
    return undefined;
  }
  const list = value as string[];
  if (list.length > max) problems.push(`Value '[${list.slice(0, 10).join(', ')}${list.length > 10 ? ', …' : ''}]' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  const long = list.find((v) => v.length > maxLength);
  if (long !== undefined) problems.push(`Value '${long.slice(0, 64)}…' at '${at}' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to ${maxLength}]`);
  return list;
}

/** Lambda's Cors from a request body, as the kind keeps it; null for an empty one (no CORS settings). */
function corsOf(raw: unknown, problems: string[]): UrlCors | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push("Value at 'cors' failed to satisfy constraint: Member must be an object");
    return undefined;
  }
  const c = raw as Record<string, unknown>;
  const cors: UrlCors = {};
  if (c.AllowCredentials !== undefined && c.AllowCredentials !== null) {
    if (typeof c.AllowCredentials !== 'boolean') problems.push("Value at 'cors.allowCredentials' failed to satisfy constraint: Member must be a boolean");
    else cors.allowCredentials = c.AllowCredentials;
  }
  const headers = stringList(c.AllowHeaders, 'cors.allowHeaders', 100, 1024, problems);
  if (headers) cors.allowHeaders = headers;
  const methods = stringList(c.AllowMethods, 'cors.allowMethods', 6, 6, problems);
  if (methods) {
    // one too long is a constraint above; one of the right length but not a method Lambda takes is refused here
    const bad = methods.find((m) => m.length <= 6 && !(URL_CORS_METHODS as readonly string[]).includes(m));
    if (bad !== undefined) throw invalidParameter(`Invalid method ${JSON.stringify(bad)} in Cors.AllowMethods: you can use GET, PUT, POST, DELETE, HEAD, PATCH, and the wildcard character (*).`);
    cors.allowMethods = methods;
  }
  const origins = stringList(c.AllowOrigins, 'cors.allowOrigins', 100, 253, problems);
  if (origins) cors.allowOrigins = origins;
  const expose = stringList(c.ExposeHeaders, 'cors.exposeHeaders', 100, 1024, problems);
  if (expose) cors.exposeHeaders = expose;
  if (c.MaxAge !== undefined && c.MaxAge !== null) {
    if (typeof c.MaxAge !== 'number' || !Number.isInteger(c.MaxAge)) problems.push(`Value '${String(c.MaxAge)}' at 'cors.maxAge' failed to satisfy constraint: Member must be an integer`);
    else if (c.MaxAge > 86400) problems.push(`Value '${c.MaxAge}' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400`);
    else if (c.MaxAge < 0) problems.push(`Value '${c.MaxAge}' at 'cors.maxAge' failed to satisfy constraint: Member must have value greater than or equal to 0`);
    else cors.maxAge = c.MaxAge;
  }
  return Object.keys(cors).length === 0 ? null : cors;
}

/**
 * The body of CreateFunctionUrlConfig (`create`: AuthType required) or UpdateFunctionUrlConfig, checked as Lambda checks
 * it: every model constraint broken in one ValidationException.
 */
export function urlConfigInput(body: Record<string, unknown>, create: boolean): UrlConfigInput {
  const problems: string[] = [];
  const out: UrlConfigInput = {};
  const auth = body.AuthType;
  if (auth === undefined || auth === null) {
    if (create) problems.push("Value null at 'authType' failed to satisfy constraint: Member must not be null");
  } else if (!(URL_AUTH_TYPES as readonly unknown[]).includes(auth)) problems.push(enumProblem(auth, 'authType', URL_AUTH_TYPES));
  else out.authType = auth as UrlAuthType;
  const mode = body.InvokeMode;
  if (mode !== undefined && mode !== null) {
    if (!(URL_INVOKE_MODES as readonly unknown[]).includes(mode)) problems.push(enumProblem(mode, 'invokeMode', URL_INVOKE_MODES));
    else out.invokeMode = mode as UrlInvokeMode;
  }
  const cors = corsOf(body.Cors, problems);
  if (cors !== undefined) out.cors = cors;
  if (problems.length > 0) throw validationError(problems);
  return out;
}

/** The `spec.url` Create writes: what it was given (InvokeMode BUFFERED when not). */
export function createdUrl(input: UrlConfigInput): UrlConfig {
  return { authType: input.authType!, invokeMode: input.invokeMode ?? 'BUFFERED', ...(input.cors ? { cors: input.cors } : {}) };
}

/** Update: only what it is given changes; a Cors given replaces the old one whole (an empty one removes it). */
export function updatedUrl(current: UrlConfig, input: UrlConfigInput): UrlConfig {
  const next: UrlConfig = { ...current, ...(input.authType ? { authType: input.authType } : {}), ...(input.invokeMode ? { invokeMode: input.invokeMode } : {}) };
  if (input.cors === null) delete next.cors;
  else if (input.cors !== undefined) next.cors = input.cors;
  return next;
}

/** The kind's cors as the API shows it (PascalCase, only what is set). */
export function apiCors(cors: UrlCors): ApiCors {
  const out: ApiCors = {};
  if (cors.allowCredentials !== undefined) out.AllowCredentials = cors.allowCredentials;
  if (cors.allowHeaders !== undefined) out.AllowHeaders = [...cors.allowHeaders];
  if (cors.allowMethods !== undefined) out.AllowMethods = [...cors.allowMethods];
  if (cors.allowOrigins !== undefined) out.AllowOrigins = [...cors.allowOrigins];
  if (cors.exposeHeaders !== undefined) out.ExposeHeaders = [...cors.exposeHeaders];
  if (cors.maxAge !== undefined) out.MaxAge = cors.maxAge;
  return out;
}

/** A URL's address: `http://<url-id>.lambda-url.<region>.<domain>[:<port>]/`. */
export function functionUrl(endpoint: UrlEndpoint, region: string, namespace: string, functionName: string, qualifier: string | undefined): string {
  const host = urlHost(urlId(namespace, functionName, qualifier ?? '$LATEST'), region, endpoint.domain);
  const port = endpoint.port === undefined || endpoint.port === '' ? '' : `:${endpoint.port}`;
  return `${endpoint.protocol ?? 'http'}://${host}${port}/`;
}

export interface UrlOwner {
  arn: ArnContext;
  namespace: string;
  functionName: string;
  /** An alias name; undefined: $LATEST. */
  qualifier: string | undefined;
}

/** Lambda's FunctionUrlConfig of one `spec.url`. */
export function urlConfigView(owner: UrlOwner, endpoint: UrlEndpoint, config: UrlConfig, times: UrlTimes): FunctionUrlConfigOutput {
  return {
    FunctionUrl: functionUrl(endpoint, owner.arn.region, owner.namespace, owner.functionName, owner.qualifier),
    FunctionArn: functionArn(owner.arn, owner.functionName, owner.qualifier),
    AuthType: config.authType,
    ...(config.cors ? { Cors: apiCors(config.cors) } : {}),
    CreationTime: awsTimestamp(times.creationTime),
    LastModifiedTime: awsTimestamp(times.lastModifiedTime),
    InvokeMode: config.invokeMode ?? 'BUFFERED',
  };
}

/** The times an object's annotation holds; `fallback` (its creation) for a URL written with kubectl or by hand. */
export function urlTimesOf(annotations: Record<string, string> | undefined, fallback: string): UrlTimes {
  const raw = annotations?.[URL_TIMES_ANNOTATION];
  if (raw !== undefined) {
    try {
      const t = JSON.parse(raw) as Partial<UrlTimes>;
      if (isIso(t.creationTime) && isIso(t.lastModifiedTime)) return { creationTime: t.creationTime, lastModifiedTime: t.lastModifiedTime };
    } catch { /* a hand-edited annotation: fall back */ }
  }
  return { creationTime: fallback, lastModifiedTime: fallback };
}

/** The annotation value after a write at `now`: Create starts both times, Update moves the last one. */
export function urlTimesAnnotation(previous: UrlTimes | undefined, now: Date): string {
  const iso = now.toISOString();
  return JSON.stringify({ creationTime: previous?.creationTime ?? iso, lastModifiedTime: iso });
}

const isIso = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** Lambda's messages for the URL calls. */
export const urlErrors = {
  exists: (arn: string) => new KlambdaError(409, 'ResourceConflictException', `Failed to create function url config for [functionArn = ${arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`),
  none: () => new KlambdaError(404, 'ResourceNotFoundException', 'The resource you requested does not exist.'),
  noFunction: () => new KlambdaError(404, 'ResourceNotFoundException', 'Function does not exist'),
};
