// Reads a folder of manifests all-or-nothing: every file parsed, duplicates and missing ConfigMaps found, all problems at once.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { CodePackage } from '../api/code.js';
import type { FunctionCode } from '../api/function.js';
import type { Layer } from '../api/layer.js';
import { PackageDigests } from './package-digests.js';
import { layerUseIssues } from './layer-refs.js';
import { ManifestError, ResourceNotFoundError, type ManifestIssue } from '../api/errors.js';
import { parseManifestDocuments, type Manifest } from '../api/parse.js';
import { isMap, parseAllDocuments } from 'yaml';
import { identity, ManifestSnapshot, type LocatedManifest } from './manifest-snapshot.js';
import type { RuntimeAvailability } from '../core/runtime-availability.js';
import { localRuntimeAvailability } from '../core/runtime-probe.js';
import { isRuntime, type Runtime } from '../core/runtimes.js';

/** Whether a runtime can run here: the PATH's answer by default. */
export type RuntimeCheck = (runtime: Runtime) => RuntimeAvailability;

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
/** JSON/YAML files that sit in project folders and are never manifests (kustomize's own files among them). */
const NOT_MANIFESTS = new Set([
  'package.json', 'package-lock.json', 'tsconfig.json', 'jsconfig.json', 'pnpm-lock.yaml', 'kustomization.yaml', 'kustomization.yml', 'Kustomization',
]);

/** True for a path (relative to the folder) the store reads: not under a dot-folder or node_modules. */
export function isManifestPath(rel: string): boolean {
  const parts = rel.split(/[\\/]/);
  const name = parts.at(-1) ?? '';
  if (parts.some((p) => p.startsWith('.') || p === 'node_modules')) return false;
  return MANIFEST_FILE.test(name) && !NOT_MANIFESTS.has(name) && !/^tsconfig\..*\.json$/.test(name);
}

/** Every manifest file under `dir`, sorted, skipping dot-folders, dot-files and node_modules. */
export async function listManifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const path = join(d, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const s = await stat(path).catch(() => undefined);
        isFile = s?.isFile() ?? false;
        isDir = false; // never follow linked folders: no cycles
      }
      if (isDir) await walk(path);
      else if (isFile && isManifestPath(relative(dir, path))) out.push(path);
    }
  };
  await walk(dir);
  return out.sort();
}

const sourceOf = (dir: string, file: string) => relative(dir, file).split(sep).join('/');

/**
 * Loads the folder; throws one ManifestError listing every problem of every file. `digests` keeps the packages'
 * digests from one load to the next (a store passes its own).
 */
export async function loadManifestFolder(dir: string, digests = new PackageDigests(), runtimes: RuntimeCheck = localRuntimeAvailability): Promise<ManifestSnapshot> {
  let files: string[];
  try {
    files = await listManifestFiles(dir);
  } catch (err) {
    throw new ManifestError([{ source: dir, document: 0, path: '', message: `cannot read the folder: ${(err as Error).message}` }]);
  }
  const read = await Promise.all(files.map((file) => readManifestFile(dir, file)));
  const folders = codeFolders(read.flatMap((r) => r.entries));
  const issues: ManifestIssue[] = [];
  const entries: LocatedManifest[] = [];
  for (const r of read) {
    // a code folder's own YAML and JSON (a package's data, pip's *.dist-info, an app's config) is code, not manifests
    if (!r.objectShaped && folders.some((f) => isInside(f, r.file))) continue;
    entries.push(...r.entries);
    issues.push(...r.issues);
  }
  issues.push(...duplicateIssues(entries), ...runtimeIssues(entries, runtimes));
  const packages = await packageIssues(entries, digests, issues);
  const snapshot = new ManifestSnapshot(entries, packages);
  issues.push(...referenceIssues(snapshot));
  if (issues.length === 0) issues.push(...await layerUseIssues(snapshot, digests));
  if (issues.length > 0) throw new ManifestError(issues);
  return snapshot;
}

interface ReadFile {
  file: string;
  entries: LocatedManifest[];
  issues: readonly ManifestIssue[];
  /** Whether a document of the file is shaped as a Kubernetes object (a map with apiVersion and kind). */
  objectShaped: boolean;
}

async function readManifestFile(dir: string, file: string): Promise<ReadFile> {
  const source = sourceOf(dir, file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { file, entries: [], issues: [{ source, document: 0, path: '', message: `cannot read: ${(err as Error).message}` }], objectShaped: true };
  }
  try {
    return { file, entries: parseManifestDocuments(text, source).map((d) => ({ ...d, file })), issues: [], objectShaped: true };
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    return { file, entries: [], issues: err.issues, objectShaped: holdsObject(text) };
  }
}

/** Whether any document of a YAML/JSON text is a map with both `apiVersion` and `kind`, whatever else is wrong with it. */
function holdsObject(text: string): boolean {
  try {
    const docs = parseAllDocuments(text);
    return (Array.isArray(docs) ? docs : []).some((d) => {
      const c = d.contents;
      return isMap(c) && c.has('apiVersion') && c.has('kind');
    });
  } catch {
    return false;
  }
}

/** The folders that manifests name as `code.path` (of functions, versions and layer versions), absolute. */
function codeFolders(entries: readonly LocatedManifest[]): string[] {
  const paths: string[] = [];
  for (const e of entries) {
    const o = e.object;
    const given = o.kind === 'Function' ? [o.spec.code.path]
      : o.kind === 'FunctionVersion' ? [o.spec.function.code.path]
        : o.kind === 'Layer' ? o.spec.versions.map((v) => v.code.path) : [];
    for (const p of given) if (p !== undefined && !/\.zip$/i.test(p)) paths.push(resolve(dirname(e.file), p));
  }
  return paths;
}

const isInside = (folder: string, file: string) => file.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);

/** A Function or FunctionVersion whose runtime cannot run here (its program is not installed): one issue each, saying why. */
function runtimeIssues(entries: readonly LocatedManifest[], check: RuntimeCheck): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  for (const e of entries) {
    const o = e.object as { kind: string; spec?: { runtime?: unknown; function?: { runtime?: unknown } } };
    const [path, runtime] = o.kind === 'Function' ? ['spec.runtime', o.spec?.runtime]
      : o.kind === 'FunctionVersion' ? ['spec.function.runtime', o.spec?.function?.runtime] : ['', undefined];
    if (!isRuntime(runtime)) continue;
    const a = check(runtime);
    if (!a.available) issues.push({ source: e.source, document: e.document, path, message: `${runtime} cannot run here: ${a.reason}` });
  }
  return issues;
}

/**
 * Makes every `code.path` (of Functions, FunctionVersions and Layer versions) absolute, against the folder of its manifest's file,
 * and takes each package's digest; what cannot be read becomes an issue at that field.
 */
async function packageIssues(entries: readonly LocatedManifest[], digests: PackageDigests, issues: ManifestIssue[]): Promise<Map<string, CodePackage>> {
  const packages = new Map<string, CodePackage>();
  for (const e of entries) {
    const o = e.object;
    if (o.kind === 'Layer') {
      await layerPackageIssues(e, o, digests, packages, issues);
      continue;
    }
    const [code, field]: [FunctionCode | undefined, string] = o.kind === 'Function' ? [o.spec.code, 'spec.code.path']
      : o.kind === 'FunctionVersion' ? [o.spec.function.code, 'spec.function.code.path'] : [undefined, ''];
    if (code?.path === undefined) continue;
    code.path = resolve(dirname(e.file), code.path);
    if (packages.has(code.path)) continue;
    try {
      packages.set(code.path, await digests.get(code.path));
    } catch (err) {
      issues.push({ source: e.source, document: e.document, path: field, message: (err as Error).message });
    }
  }
  return packages;
}

/**
 * A Layer's versions: each `code.path` made absolute and digested like a function's; a version published through the
 * API (with its `codeSha256`) whose zip no longer has that digest is refused, as is S3 code (a cluster's).
 */
async function layerPackageIssues(e: LocatedManifest, layer: Layer, digests: PackageDigests, packages: Map<string, CodePackage>, issues: ManifestIssue[]): Promise<void> {
  for (const [i, v] of layer.spec.versions.entries()) {
    const at = `spec.versions[${i}].code`;
    if (v.code.s3) {
      issues.push({ source: e.source, document: e.document, path: `${at}.s3`, message: 'the local mode has no S3 code store: give the layer version a code.path (a folder or zip beside the manifest)' });
      continue;
    }
    if (v.code.path === undefined) continue;
    v.code.path = resolve(dirname(e.file), v.code.path);
    try {
      const pkg = packages.get(v.code.path) ?? await digests.get(v.code.path);
      packages.set(v.code.path, pkg);
      if (v.codeSha256 !== undefined && v.codeSha256 !== pkg.sha256) {
        issues.push({
          source: e.source, document: e.document, path: `${at}.path`,
          message: `version ${v.version} was published with CodeSha256 ${v.codeSha256}, but its code now has ${pkg.sha256}: a published layer version is immutable; publish a new version instead`,
        });
      }
    } catch (err) {
      issues.push({ source: e.source, document: e.document, path: `${at}.path`, message: (err as Error).message });
    }
  }
}

const at = (e: LocatedManifest) => `${e.source} (document ${e.document})`;

/** Two objects of one identity, or two versions / aliases with one number / name for the same function. */
export function duplicateIssues(entries: readonly LocatedManifest[]): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const seen = new Map<string, LocatedManifest>();
  const check = (key: string, e: LocatedManifest, path: string, what: string) => {
    const first = seen.get(key);
    if (!first) { seen.set(key, e); return; }
    issues.push({ source: e.source, document: e.document, path, message: `${what} is defined twice: in ${at(first)} and in ${at(e)}` });
  };
  for (const e of entries) {
    const o = e.object;
    const ns = o.metadata.namespace;
    check(`id:${identity(o)}`, e, 'metadata.name', `${o.kind} ${ns}/${o.metadata.name}`);
    if (o.kind === 'FunctionVersion') check(`v:${ns}/${o.spec.functionName}/${o.spec.version}`, e, 'spec.version', `version ${o.spec.version} of function ${ns}/${o.spec.functionName}`);
    if (o.kind === 'Alias') check(`a:${ns}/${o.spec.functionName}/${o.spec.name}`, e, 'spec.name', `alias ${o.spec.name} of function ${ns}/${o.spec.functionName}`);
  }
  return issues;
}

/**
 * Functions whose code comes from a ConfigMap that the folder does not hold (or that holds no usable files), and
 * functions and versions whose secretEnvironment names a Secret or key the folder does not hold.
 */
function referenceIssues(snapshot: ManifestSnapshot): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  for (const fn of snapshot.functions()) {
    if (!fn.spec.code.configMap) continue;
    try {
      snapshot.resolveCode(fn.metadata.namespace, fn.spec.code);
    } catch (err) {
      const where = snapshot.locate(fn)!;
      const hint = err instanceof ResourceNotFoundError ? ` in namespace ${fn.metadata.namespace}; add its manifest to the folder` : '';
      issues.push({ source: where.source, document: where.document, path: 'spec.code.configMap.name', message: `${(err as Error).message}${hint}` });
    }
  }
  // a secretEnvironment's Secret and key must be in the folder (a Function's, and a published version's)
  const secretUsers = snapshot.functions().flatMap((fn) => [
    { object: fn as Manifest, ns: fn.metadata.namespace, refs: fn.spec.secretEnvironment, at: 'spec.secretEnvironment' },
    ...snapshot.versions(fn.metadata.namespace, fn.metadata.name).map((v) => ({ object: v as Manifest, ns: v.metadata.namespace, refs: v.spec.function.secretEnvironment, at: 'spec.function.secretEnvironment' })),
  ]);
  for (const u of secretUsers) {
    for (const p of snapshot.secretEnvironmentProblems(u.ns, u.refs)) {
      const where = snapshot.locate(u.object)!;
      issues.push({ source: where.source, document: where.document, path: `${u.at}.${p.variable}.${p.field}`, message: p.message });
    }
  }
  return issues;
}
