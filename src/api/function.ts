// The Function kind: its schema (the single source of truth), its TS types, and the rules a schema cannot say.
import { Type, type Static } from '@sinclair/typebox';
import { API_VERSION, DNS_1123_SUBDOMAIN, hintedPattern, OBJECT_KEY_PATTERN, kindSchema, LAYER_VERSION_REF, StringEnum, StringMap, type WithDefaults, type KindObject } from './common.js';
import { URL_AUTH_TYPES, URL_INVOKE_MODES } from '../core/function-url.js';

import { DEFAULT_CUSTOM_HANDLER, isRuntime, RUNTIME_FACTS, RUNTIMES, type Runtime } from '../core/runtimes.js';

export { RUNTIMES, type Runtime };
export const RuntimeSchema = StringEnum(RUNTIMES);

export const ENV_KEY_PATTERN = '^[a-zA-Z][a-zA-Z0-9_]*$';
/** AWS counts keys and values together: at most 4 KB. */
export const ENV_MAX_BYTES = 4096;
const RESERVED_ENV = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV', 'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', 'TZ',
]);

/** True for the keys the Lambda runtime sets itself (AWS refuses them in a function's configuration). */
export function isReservedEnvKey(key: string): boolean {
  return RESERVED_ENV.has(key) || key.startsWith('AWS_LAMBDA_');
}

/** At most this many variables from Secrets (`spec.secretEnvironment`). */
export const SECRET_ENV_MAX = 50;
/** One variable's value from a Secret of the function's namespace: its `key` (Kubernetes' secretKeyRef). */
export const SecretKeyRefSchema = Type.Object({
  secret: Type.String({ minLength: 1, maxLength: 253, pattern: DNS_1123_SUBDOMAIN }),
  key: Type.String({ minLength: 1, maxLength: 253, pattern: OBJECT_KEY_PATTERN }),
}, { additionalProperties: false });
export type SecretKeyRef = Static<typeof SecretKeyRefSchema>;

export const DESTINATION_KINDS = ['function', 'topic', 'eventBus', 'queue'] as const;
/** Where an async result goes: exactly one of function, topic, eventBus, queue (checked in code). */
export const DestinationSchema = Type.Object({
  function: Type.Optional(Type.String({ minLength: 1 })),
  topic: Type.Optional(Type.String({ minLength: 1 })),
  eventBus: Type.Optional(Type.String({ minLength: 1 })),
  queue: Type.Optional(Type.String({ minLength: 1 })),
}, { additionalProperties: false });
export type Destination = Static<typeof DestinationSchema>;

export const AsyncConfigSchema = Type.Object({
  maximumRetryAttempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 2, default: 2 })),
  maximumEventAgeSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 21600, default: 21600 })),
  onSuccess: Type.Optional(DestinationSchema),
  onFailure: Type.Optional(DestinationSchema),
  deadLetter: Type.Optional(DestinationSchema),
}, { additionalProperties: false, default: {} });
export type AsyncConfig = WithDefaults<Static<typeof AsyncConfigSchema>, 'maximumRetryAttempts' | 'maximumEventAgeSeconds'>;

/** Lambda's Cors.AllowMethods values. */
export const URL_CORS_METHODS = ['GET', 'PUT', 'HEAD', 'POST', 'PATCH', 'DELETE', '*'] as const;
/** An HTTP header name (RFC 9110 token), or `*`: these go into Access-Control-* response headers as they are. */
const HEADER_NAME = hintedPattern("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", 'must be an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-) or *');
/** An origin (`https://app.example.com`, `http://localhost:3000`) or `*`: printable, no spaces or commas. */
const ORIGIN = hintedPattern('^[!-+\\--~]+$', 'must be an origin such as https://www.example.com (printable characters, no spaces or commas) or *');

/** Lambda's Cors object (camelCase), with Lambda's limits. */
export const UrlCorsSchema = Type.Object({
  allowCredentials: Type.Optional(Type.Boolean()),
  allowHeaders: Type.Optional(Type.Array(Type.String({ maxLength: 1024, pattern: HEADER_NAME }), { maxItems: 100 })),
  allowMethods: Type.Optional(Type.Array(StringEnum(URL_CORS_METHODS), { maxItems: 6 })),
  allowOrigins: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253, pattern: ORIGIN }), { maxItems: 100 })),
  exposeHeaders: Type.Optional(Type.Array(Type.String({ maxLength: 1024, pattern: HEADER_NAME }), { maxItems: 100 })),
  maxAge: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
}, { additionalProperties: false });

/** A Function URL (`spec.url` of a Function: $LATEST's; of an Alias: the alias's): core/function-url.ts's UrlConfig. */
export const UrlConfigSchema = Type.Object({
  /** NONE: public (klambda has no resource policies; on AWS NONE also needs one allowing lambda:InvokeFunctionUrl). */
  authType: StringEnum(URL_AUTH_TYPES),
  invokeMode: Type.Optional(StringEnum(URL_INVOKE_MODES, { default: 'BUFFERED' })),
  cors: Type.Optional(UrlCorsSchema),
}, { additionalProperties: false });

export const CODE_SOURCES = ['inline', 'configMap', 'path', 's3', 'image'] as const;
/** A zip package in an S3 bucket (Lambda's S3Bucket/S3Key/S3ObjectVersion): the cluster's code store, or the user's own bucket. */
export const S3CodeSchema = Type.Object({
  bucket: Type.String({ minLength: 3, maxLength: 63, pattern: '^[0-9A-Za-z\\.\\-_]+$' }),
  key: Type.String({ minLength: 1, maxLength: 1024 }),
  objectVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
}, { additionalProperties: false });
export type S3Code = Static<typeof S3CodeSchema>;
/**
 * The code: exactly one of inline files, a ConfigMap's data, a folder or zip file (the local mode; relative to the
 * manifest's file), a zip in S3 (a cluster), or a container image (checked in code).
 */
export const FunctionCodeSchema = Type.Object({
  inline: Type.Optional(StringMap(Type.String(), { minProperties: 1 })),
  configMap: Type.Optional(Type.Object({
    name: Type.String({ maxLength: 253, pattern: DNS_1123_SUBDOMAIN }),
  }, { additionalProperties: false })),
  path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  s3: Type.Optional(S3CodeSchema),
  image: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
}, { additionalProperties: false });
export type FunctionCode = Static<typeof FunctionCodeSchema>;

export const FunctionSpecSchema = Type.Object({
  runtime: RuntimeSchema,
  /** Required except for `provided`, where it defaults to `bootstrap` (filled in code). */
  handler: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\s]+$' })),
  code: FunctionCodeSchema,
  memoryMB: Type.Optional(Type.Integer({ minimum: 128, maximum: 10240, default: 128 })),
  timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 900, default: 3 })),
  ephemeralStorageMB: Type.Optional(Type.Integer({ minimum: 512, maximum: 10240, default: 512 })),
  environment: Type.Optional(StringMap(Type.String())),
  /**
   * Variables whose values come from Secrets of the function's namespace (never shown by the Lambda API; set by
   * manifests only). A published version keeps the references, not the values.
   */
  secretEnvironment: Type.Optional(StringMap(SecretKeyRefSchema, { maxProperties: SECRET_ENV_MAX })),
  serviceAccountName: Type.Optional(Type.String({ maxLength: 253, pattern: DNS_1123_SUBDOMAIN })),
  networking: Type.Optional(StringEnum(['public', 'private'] as const, { default: 'public' })),
  reservedConcurrency: Type.Optional(Type.Integer({ minimum: 0 })),
  async: Type.Optional(AsyncConfigSchema),
  publish: Type.Optional(Type.Boolean({ default: false })),
  description: Type.Optional(Type.String({ maxLength: 256 })),
  /** AWS's tags (TagResource): on the function, not copied into its versions. */
  tags: Type.Optional(StringMap(Type.String({ maxLength: 256 }), { maxProperties: 50 })),
  /** Layer versions unpacked under /opt, in order (later ones overwrite earlier files): `name:version` or an ARN. */
  layers: Type.Optional(Type.Array(Type.String({ maxLength: 140, pattern: LAYER_VERSION_REF }), { maxItems: 5 })),
  /** $LATEST's Function URL (CreateFunctionUrlConfig without a Qualifier). */
  url: Type.Optional(UrlConfigSchema),
}, { additionalProperties: false });

/** A Function spec as a user writes it. */
export type FunctionSpecInput = Static<typeof FunctionSpecSchema>;
/** A Function spec after parsing: defaults filled in. (`publish` stays optional so a FunctionConfig is a FunctionSpec.) */
export type FunctionSpec = WithDefaults<Omit<FunctionSpecInput, 'async'>,
  'handler' | 'memoryMB' | 'timeoutSeconds' | 'ephemeralStorageMB' | 'networking'> & { async: AsyncConfig };
/** The configuration a FunctionVersion snapshots: the Function spec minus `publish`, `tags` and `url` (a URL is $LATEST's or an alias's). */
export type FunctionConfig = Omit<FunctionSpec, 'publish' | 'tags' | 'url'>;
/** `spec.url` after parsing. */
export type UrlSpec = Static<typeof UrlConfigSchema>;

export const FunctionSchema = kindSchema(API_VERSION, 'Function', FunctionSpecSchema);

export type KlambdaFunction = KindObject<'Function', FunctionSpec>;

/** A problem a schema cannot express, at a path relative to the spec. */
export interface SpecIssue { path: string; message: string }

/** Fills the defaults that depend on other fields (the handler of `provided`). Mutates `spec`. */
export function defaultFunctionSpec(spec: unknown): void {
  if (isRecord(spec) && isRuntime(spec.runtime) && !RUNTIME_FACTS[spec.runtime].handler && spec.handler === undefined) spec.handler = DEFAULT_CUSTOM_HANDLER;
}

/** Rules beyond the schema: exactly-one-of, reserved environment keys, file names. Tolerates a malformed spec. */
export function functionSpecIssues(spec: unknown): SpecIssue[] {
  if (!isRecord(spec)) return [];
  const issues: SpecIssue[] = [];
  const runtime = spec.runtime;
  const rule = isRuntime(runtime) ? RUNTIME_FACTS[runtime].handler : undefined;
  if (rule && spec.handler === undefined) {
    issues.push({ path: 'handler', message: `is required for runtime ${String(runtime)} (e.g. ${rule.example})` });
  }
  if (rule && typeof spec.handler === 'string') {
    if (!rule.shape.test(spec.handler)) issues.push({ path: 'handler', message: `must be ${rule.describe} (e.g. ${rule.example}), got "${spec.handler}"` });
    const bad = rule.namesFile ? handlerPathProblem(spec.handler) : undefined;
    if (bad) issues.push({ path: 'handler', message: bad });
  }
  if (isRecord(spec.code)) issues.push(...codeIssues(spec.code, runtime));
  if (isRecord(spec.code) && spec.code.image !== undefined && Array.isArray(spec.layers) && spec.layers.length > 0) {
    issues.push({ path: 'layers', message: 'a function whose code is an image has no layers, as on Lambda: put their files in the image' });
  }
  if (isRecord(spec.environment)) issues.push(...environmentIssues(spec.environment));
  if (isRecord(spec.secretEnvironment)) issues.push(...secretEnvironmentIssues(spec.secretEnvironment, isRecord(spec.environment) ? spec.environment : {}));
  if (isRecord(spec.async)) {
    for (const key of ['onSuccess', 'onFailure', 'deadLetter']) {
      const d = spec.async[key];
      if (isRecord(d)) issues.push(...exactlyOne(d, DESTINATION_KINDS, `async.${key}`, 'a destination'));
    }
  }
  return issues;
}

function codeIssues(code: Record<string, unknown>, runtime: unknown): SpecIssue[] {
  const issues = exactlyOne(code, CODE_SOURCES, 'code', 'the code');
  if (typeof code.path === 'string' && code.path.includes('\0')) issues.push({ path: 'code.path', message: 'must not hold NUL' });
  if (!isRecord(code.inline)) return issues;
  const names = Object.keys(code.inline);
  for (const name of names) {
    const bad = inlineFileNameProblem(name);
    if (bad) issues.push({ path: `code.inline[${JSON.stringify(name)}]`, message: bad });
  }
  const files = new Set(names);
  for (const name of names) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (files.has(dir)) issues.push({ path: `code.inline[${JSON.stringify(dir)}]`, message: `is a file, but ${name} needs it to be a folder` });
    }
  }
  if (runtime === 'provided' && !files.has('bootstrap')) {
    issues.push({ path: 'code.inline', message: 'a provided runtime needs an executable file named bootstrap' });
  }
  return issues;
}

/** Why a handler would name a file outside the function's code ('..' segments, an absolute path), or undefined. */
export function handlerPathProblem(handler: string): string | undefined {
  if (handler.startsWith('/') || handler.includes('\\') || handler.split('/').includes('..')) {
    return `must name a file inside the function's code: no absolute path, no "..", no "\\" (got "${handler}")`;
  }
  return undefined;
}

/** Why an inline file name is unsafe, or undefined: relative, '/'-separated, no '.', '..' or empty segments. */
export function inlineFileNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'file names must not be empty';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'file names must be relative, not absolute';
  if (name.includes('\\') || name.includes('\0')) return 'file names use "/" as separator and no "\\" or NUL';
  if (name.split('/').some((s) => s === '..')) return 'file names must not contain ".."';
  if (name.split('/').some((s) => s === '' || s === '.')) return 'file names must not contain empty or "." segments';
  if (name.length > 255) return 'file names must be at most 255 characters';
  return undefined;
}

/** Why a variable name cannot be set (reserved, or not shaped as Lambda's keys), or undefined. */
function envKeyProblem(key: string): string | undefined {
  if (isReservedEnvKey(key)) return `${key} is reserved by the Lambda runtime and cannot be set`;
  if (!new RegExp(ENV_KEY_PATTERN).test(key)) return 'keys must start with a letter and hold only letters, digits and _';
  return undefined;
}

const envPath = (field: string, key: string): string => `${field}${/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;

function environmentIssues(env: Record<string, unknown>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  let bytes = 0;
  for (const [key, value] of Object.entries(env)) {
    const bad = envKeyProblem(key);
    if (bad) issues.push({ path: envPath('environment', key), message: bad });
    bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (bytes > ENV_MAX_BYTES) issues.push({ path: 'environment', message: `keys and values must total at most 4 KB (${ENV_MAX_BYTES} bytes), got ${bytes} bytes` });
  return issues;
}

/** Names as `environment`'s (not reserved), none also a key of `environment`. The schema checks the references' shape and count. */
function secretEnvironmentIssues(secretEnv: Record<string, unknown>, env: Record<string, unknown>): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const key of Object.keys(secretEnv)) {
    const path = envPath('secretEnvironment', key);
    const bad = envKeyProblem(key);
    if (bad) issues.push({ path, message: bad });
    else if (Object.hasOwn(env, key)) issues.push({ path, message: `${key} is also set in environment: a variable comes from one of environment and secretEnvironment` });
  }
  return issues;
}

/** One problem unless exactly one of `keys` is set in `obj`. */
export function exactlyOne(obj: Record<string, unknown>, keys: readonly string[], path: string, what: string): SpecIssue[] {
  const set = keys.filter((k) => obj[k] !== undefined);
  if (set.length === 1) return [];
  const options = keys.join(', ');
  if (set.length === 0) return [{ path, message: `${what} needs exactly one of ${options}; none is set` }];
  return [{ path, message: `${what} needs exactly one of ${options}; got ${set.join(' and ')}` }];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
