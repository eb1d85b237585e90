// A function's code as files or an image reference, its digest (AWS's CodeSha256), and the self-contained version snapshot.
import { createHash } from 'node:crypto';
import type { StoredPackage } from '../code/code-store.js';
import type { ConfigMap } from './config-map.js';
import { InvalidParameterError, ResourceNotFoundError } from './errors.js';
import type { FunctionCode, FunctionConfig } from './function.js';

/** A zip package (a zip file, or a folder taken as its deterministic zip): Lambda's CodeSha256 and CodeSize are the zip's. */
export interface CodePackage {
  /** Base64 SHA-256 of the zip. */
  sha256: string;
  size: number;
  /** Absolute path of the zip file or the folder. */
  path: string;
  folder: boolean;
}

export type ResolvedCode =
  | { kind: 'files'; files: Record<string, string> }
  | { kind: 'package'; package: CodePackage }
  /** A zip in the cluster's code store (a `code.s3` object, copied there by content). */
  | { kind: 'stored'; stored: StoredPackage }
  | { kind: 'image'; image: string };

/** Finds a ConfigMap by name (in the function's namespace). */
export type ConfigMapLookup = (name: string) => ConfigMap | undefined;
/** Finds the package of a `code.path` (absolute by then: the local mode resolves it against the manifest's folder). */
export type PackageLookup = (path: string) => CodePackage | undefined;

/** The files (inline, or a ConfigMap's data), the package or the image of `code`. Throws when a source is missing or unusable. */
export function resolveCode(code: FunctionCode, configMap: ConfigMapLookup, packages?: PackageLookup): ResolvedCode {
  if (code.inline) return { kind: 'files', files: code.inline };
  if (code.path !== undefined) {
    if (!packages) {
      throw new InvalidParameterError(`spec.code.path (${code.path}) is a folder or zip of the local mode (klambda dev); on a cluster use code.inline, code.configMap or code.image`);
    }
    const pkg = packages(code.path);
    if (!pkg) throw new ResourceNotFoundError(`Code not found: ${code.path}`);
    return { kind: 'package', package: pkg };
  }
  if (code.s3) {
    throw new InvalidParameterError(`spec.code.s3 (s3://${code.s3.bucket}/${code.s3.key}) is read from a cluster's code store; in the local mode use code.path (a folder or zip)`);
  }
  if (code.configMap) {
    const cm = configMap(code.configMap.name);
    if (!cm) throw new ResourceNotFoundError(`ConfigMap not found: ${code.configMap.name}`);
    if (cm.binaryData && Object.keys(cm.binaryData).length > 0) {
      throw new InvalidParameterError(`ConfigMap ${code.configMap.name}: function code is read from data; binaryData is not supported`);
    }
    if (!cm.data || Object.keys(cm.data).length === 0) throw new InvalidParameterError(`ConfigMap ${code.configMap.name} holds no files in data`);
    return { kind: 'files', files: cm.data };
  }
  if (code.image) return { kind: 'image', image: code.image };
  throw new InvalidParameterError('spec.code needs exactly one of inline, configMap, path, image');
}

/**
 * Base64 SHA-256 of the code. Files: sorted by name, each as length-prefixed name and content (so no two file sets
 * share a digest); an image: its reference. The same files give the same digest, inline or from a ConfigMap.
 */
export function codeSha256(code: ResolvedCode): string {
  if (code.kind === 'package') return code.package.sha256;
  if (code.kind === 'stored') return code.stored.sha256;
  const h = createHash('sha256');
  if (code.kind === 'image') return h.update(code.image, 'utf8').digest('base64');
  const length = Buffer.alloc(8);
  for (const name of Object.keys(code.files).sort()) {
    for (const part of [name, code.files[name]!]) {
      const bytes = Buffer.from(part, 'utf8');
      length.writeBigUInt64BE(BigInt(bytes.length));
      h.update(length);
      h.update(bytes);
    }
  }
  return h.digest('base64');
}

/** Total bytes of the code's files (AWS's CodeSize); 0 for an image. */
export function codeSize(code: ResolvedCode): number {
  if (code.kind === 'image') return 0;
  if (code.kind === 'package') return code.package.size;
  if (code.kind === 'stored') return code.stored.size;
  return Object.entries(code.files).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/**
 * What a FunctionVersion keeps of a Function spec: everything but `publish`, `tags` and `url`, with ConfigMap code copied inline so
 * the version runs the code it was published with even after the ConfigMap changes.
 */
export function versionConfig(spec: FunctionConfig & { publish?: boolean }, code: ResolvedCode): FunctionConfig {
  const { publish: _publish, tags: _tags, url: _url, ...config } = spec as FunctionConfig & { publish?: boolean; tags?: unknown; url?: unknown };
  if (config.code.configMap && code.kind === 'files') return { ...config, code: { inline: { ...code.files } } };
  // pinned to the content it was published with, whatever later happens to the user's object
  if (code.kind === 'stored') return { ...structuredClone(config), code: { s3: { bucket: code.stored.bucket, key: code.stored.key } } };
  return structuredClone(config);
}

/** Deep equality of JSON-like values, ignoring key order (how two configurations are compared). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
