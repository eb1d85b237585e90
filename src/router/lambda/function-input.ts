// Reads the bodies of CreateFunction, UpdateFunctionCode and UpdateFunctionConfiguration into our spec's terms, with
// AWS's validation messages (pure).
import { DNS_1123_SUBDOMAIN } from '../../api/common.js';
import type { FunctionSpecInput } from '../../api/function.js';
import { MAX_ZIPPED_REQUEST_BYTES, RequestEntityTooLargeError } from '../../code/package-limits.js';
import { invalidParameter, KlambdaError } from '../../core/errors.js';
import { checkFunctionLayers } from '../../core/layer-arn.js';
import { apiRuntimeNames, runtimeForApiName } from '../../core/runtimes.js';


/**
 * An UpdateFunctionConfiguration's Environment.Variables may not set a variable the function takes from a Secret
 * (spec.secretEnvironment, which the API neither shows nor changes).
 */
export function checkEnvironmentBesideSecrets(environment: Record<string, string> | undefined, secretEnvironment: Record<string, unknown> | undefined): void {
  const both = Object.keys(environment ?? {}).filter((k) => secretEnvironment !== undefined && Object.hasOwn(secretEnvironment, k)).sort();
  if (both.length > 0) {
    throw invalidParameter(`Environment.Variables cannot set ${both.join(', ')}: the function takes ${both.length === 1 ? 'it' : 'them'} from a Secret (spec.secretEnvironment of its manifest)`);
  }
}

/** Where new code comes from. */
export type CodeInput = { zip: Buffer } | { imageUri: string } | { s3: { bucket: string; key: string; objectVersion?: string } };

/** The configuration fields of CreateFunction / UpdateFunctionConfiguration, in our spec's names; undefined: not given. */
export type ConfigurationInput = Partial<Pick<FunctionSpecInput,
  'runtime' | 'handler' | 'description' | 'timeoutSeconds' | 'memoryMB' | 'environment' | 'ephemeralStorageMB' | 'serviceAccountName' | 'layers'>>;

export interface CreateFunctionInput {
  name: string;
  configuration: ConfigurationInput & { runtime?: FunctionSpecInput['runtime'] };
  code: CodeInput;
  publish: boolean;
  tags: Record<string, string>;
}

export interface UpdateCodeInput {
  code: CodeInput;
  publish: boolean;
  dryRun: boolean;
  revisionId?: string;
}

const nullError = (key: string) => invalidParameter(`1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`);

/** A string field of a request body; `required`: AWS's null-value error when it is missing. */
export function str(body: Record<string, unknown>, key: string, required: true): string;
export function str(body: Record<string, unknown>, key: string, required?: false): string | undefined;
export function str(body: Record<string, unknown>, key: string, required = false): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw nullError(key);
    return undefined;
  }
  if (typeof v !== 'string') throw invalidParameter(`${key} must be a string`);
  return v;
}

function int(body: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidParameter(`1 validation error detected: Value '${String(v)}' at '${key[0]!.toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must have value ${v !== null && typeof v === 'number' && v < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`);
  }
  return v;
}

function bool(body: Record<string, unknown>, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalidParameter(`${key} must be a boolean`);
  return v;
}

function record(v: unknown, what: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function stringMap(v: unknown, what: string): Record<string, string> | undefined {
  const r = record(v, what);
  if (!r) return undefined;
  for (const [k, value] of Object.entries(r)) if (typeof value !== 'string') throw invalidParameter(`${what}: the value of ${k} must be a string`);
  return r as Record<string, string>;
}

/**
 * A function's name is a Kubernetes object's name here: AWS allows 64 of [a-zA-Z0-9-_], klambda the DNS-1123 part of
 * that (lowercase letters, digits, '-').
 */
export function checkFunctionName(name: string): void {
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    throw invalidParameter(`1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ (1 to 64 characters)`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    throw invalidParameter(`klambda keeps each function as a Kubernetes object, so its name must be lowercase letters, digits and '-', starting and ending with a letter or digit (got ${name})`);
  }
}

/** Lambda's runtime name (nodejs20.x, python3.11, provided.al2023) as ours; others are refused as AWS would with the list. */
export function runtimeOf(name: string): FunctionSpecInput['runtime'] {
  const r = runtimeForApiName(name);
  if (!r) throw new KlambdaError(400, 'ValidationException', `1 validation error detected: Value '${name.slice(0, 64)}' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${apiRuntimeNames().join(', ')}]`);
  return r;
}

/**
 * The execution role's name becomes the function's ServiceAccount (its identity on a cluster): an IAM role ARN
 * whose name is a DNS-1123 name.
 */
export function serviceAccountOf(role: string): string {
  const m = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/.exec(role);
  if (!m) throw invalidParameter(`1 validation error detected: Value '${role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`);
  const name = m[2]!;
  if (!new RegExp(DNS_1123_SUBDOMAIN).test(name) || name.length > 253) {
    throw invalidParameter(`The role name ${name} names the function's Kubernetes ServiceAccount, so it must be a DNS-1123 name: lowercase letters, digits, '-' and '.'`);
  }
  return name;
}

/** The configuration fields a body sets (CreateFunction, UpdateFunctionConfiguration). */
export function configurationInput(body: Record<string, unknown>): ConfigurationInput {
  const out: ConfigurationInput = {};
  const runtime = str(body, 'Runtime');
  if (runtime !== undefined) out.runtime = runtimeOf(runtime);
  const handler = str(body, 'Handler');
  if (handler !== undefined) out.handler = handler;
  const description = str(body, 'Description');
  if (description !== undefined) out.description = description;
  const timeout = int(body, 'Timeout', 1, 900);
  if (timeout !== undefined) out.timeoutSeconds = timeout;
  const memory = int(body, 'MemorySize', 128, 10240);
  if (memory !== undefined) out.memoryMB = memory;
  const env = record(body.Environment, 'Environment');
  if (env) out.environment = stringMap(env.Variables, 'Environment.Variables') ?? {};
  const storage = record(body.EphemeralStorage, 'EphemeralStorage');
  if (storage) {
    const size = int(storage, 'Size', 512, 10240);
    if (size !== undefined) out.ephemeralStorageMB = size;
  }
  const role = str(body, 'Role');
  if (role !== undefined) out.serviceAccountName = serviceAccountOf(role);
  // layer version ARNs as given (a catalog finds them); an empty list removes the function's layers
  if (body.Layers !== undefined && body.Layers !== null) {
    checkFunctionLayers(body.Layers);
    out.layers = [...(body.Layers as string[])];
  }
  for (const unsupported of ['VpcConfig', 'KMSKeyArn', 'FileSystemConfigs', 'ImageConfig', 'SnapStart']) {
    const v = body[unsupported];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) throw invalidParameter(`${unsupported} is not supported by klambda yet`);
  }
  return out;
}

/** The code of a CreateFunction's `Code` or an UpdateFunctionCode body: exactly one of ZipFile, S3Bucket+S3Key, ImageUri. */
export function codeInput(code: Record<string, unknown>): CodeInput {
  const zip = str(code, 'ZipFile');
  const bucket = str(code, 'S3Bucket');
  const key = str(code, 'S3Key');
  const image = str(code, 'ImageUri');
  const given = [zip !== undefined, bucket !== undefined || key !== undefined, image !== undefined].filter(Boolean).length;
  if (given !== 1) throw invalidParameter('Please provide a source for function code: exactly one of ZipFile, S3Bucket and S3Key, or ImageUri.');
  if (zip !== undefined) {
    // 4 base64 characters hold 3 bytes: refuse an oversized zip before decoding it
    if (Math.floor((zip.length * 3) / 4) > MAX_ZIPPED_REQUEST_BYTES + 2) throw new RequestEntityTooLargeError();
    const bytes = Buffer.from(zip, 'base64');
    if (bytes.length > MAX_ZIPPED_REQUEST_BYTES) throw new RequestEntityTooLargeError();
    if (bytes.length === 0) throw invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
    return { zip: bytes };
  }
  if (image !== undefined) return { imageUri: image };
  if (bucket === undefined || key === undefined) throw invalidParameter('Both S3Bucket and S3Key are required for code in S3.');
  const objectVersion = str(code, 'S3ObjectVersion');
  return { s3: { bucket, key, ...(objectVersion !== undefined ? { objectVersion } : {}) } };
}

export function createFunctionInput(body: Record<string, unknown>): CreateFunctionInput {
  const name = str(body, 'FunctionName');
  if (name === undefined) throw nullError('functionName');
  if (str(body, 'Role') === undefined) throw nullError('role');
  const code = record(body.Code, 'Code');
  if (!code) throw nullError('code');
  const configuration = configurationInput(body);
  const packageType = str(body, 'PackageType') ?? 'Zip';
  if (packageType !== 'Zip' && packageType !== 'Image') throw invalidParameter(`Value ${packageType} at 'packageType' failed to satisfy constraint: Member must satisfy enum value set: [Zip, Image]`);
  const input: CreateFunctionInput = { name, configuration, code: codeInput(code), publish: bool(body, 'Publish'), tags: stringMap(body.Tags, 'Tags') ?? {} };
  if (packageType === 'Zip' && configuration.runtime === undefined) throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
  if ('imageUri' in input.code && packageType !== 'Image') throw invalidParameter('Please set PackageType to Image when you give an ImageUri.');
  return input;
}

export function updateCodeInput(body: Record<string, unknown>): UpdateCodeInput {
  const revisionId = str(body, 'RevisionId');
  return { code: codeInput(body), publish: bool(body, 'Publish'), dryRun: bool(body, 'DryRun'), ...(revisionId !== undefined ? { revisionId } : {}) };
}

/** Tag keys and values as AWS bounds them. */
export function checkTags(tags: Record<string, string>): void {
  for (const [k, v] of Object.entries(tags)) {
    if (k.length === 0 || k.length > 128) throw invalidParameter(`Tag keys must be 1 to 128 characters: ${JSON.stringify(k)}`);
    if (k.toLowerCase().startsWith('aws:')) throw invalidParameter(`Tag keys must not start with aws: (${k})`);
    if (v.length > 256) throw invalidParameter(`Tag values must be at most 256 characters (the value of ${k})`);
  }
}

/** A function's tags after TagResource: `tags` checked and merged over `current`; AWS's 50 at most. */
export function withTags(current: Record<string, string> | undefined, tags: Record<string, string>): Record<string, string> {
  checkTags(tags);
  const merged = { ...current, ...tags };
  if (Object.keys(merged).length > 50) throw invalidParameter('A function can have at most 50 tags');
  return merged;
}

/** A function's tags after UntagResource; undefined when none is left. */
export function withoutTags(current: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> | undefined {
  const left = { ...current };
  for (const k of keys) delete left[k];
  return Object.keys(left).length > 0 ? left : undefined;
}
