// The local mode's view of a folder of manifests (the source of truth): load, watch, and the writes of the Lambda API.
import { existsSync } from 'node:fs';
import { isSkippedFolder, watchFolder, type FolderWatch } from './folder-watch.js';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { savePackage } from './package-files.js';
import { aliasObjectName, type Alias, type AliasSpec, type RoutingConfig } from '../api/alias.js';
import { API_VERSION, DEFAULT_NAMESPACE } from '../api/common.js';
import type { ConfigMap } from '../api/config-map.js';
import { codeSha256, sameJson, versionConfig, type ResolvedCode } from '../api/code.js';
import { InvalidParameterError, ManifestError, ResourceConflictError, ResourceNotFoundError } from '../api/errors.js';
import type { FunctionCode, KlambdaFunction } from '../api/function.js';
import { functionVersionObjectName, type FunctionVersion } from '../api/function-version.js';
import { checkObject, type Manifest } from '../api/parse.js';
import { planPublish } from '../api/publish.js';
import { editDocument, manifestYaml, Mutex, readDocument, removeDocument, setField, writeFileAtomic } from './manifest-files.js';
import { isManifestPath, loadManifestFolder, type RuntimeCheck } from './manifest-loader.js';
import { localRuntimeAvailability } from '../core/runtime-probe.js';
import { ManifestSnapshot, type LocatedManifest } from './manifest-snapshot.js';
import { PackageDigests } from './package-digests.js';

export type { LocatedManifest, ManifestSnapshot } from './manifest-snapshot.js';

/** What a watch reports after a change on disk: the new snapshot, or why the folder was refused (the last good one stays). */
export type ManifestChange = { snapshot: ManifestSnapshot; error?: undefined } | { error: ManifestError; snapshot?: undefined };

export interface PublishOptions {
  description?: string;
  /** Publish only if $LATEST's code has this digest (AWS's CodeSha256 precondition). */
  codeSha256?: string;
}

export interface AliasInput {
  name: string;
  functionVersion: string;
  description?: string;
  routingConfig?: RoutingConfig;
  provisionedConcurrency?: number;
}

/** An UpdateAlias: fields left undefined stay; an empty routingConfig (or weights) removes the routing. */
export interface AliasPatch {
  functionVersion?: string;
  description?: string;
  routingConfig?: RoutingConfig;
}

export interface ManifestStoreOptions {
  /** Quiet time after the last change on disk before a watch reloads (default 100 ms). */
  debounceMs?: number;
  /** Whether a runtime can run here (default: its program is on PATH); a manifest of one that cannot is a load error. */
  runtimes?: RuntimeCheck;
}

export class ManifestStore {
  private current: ManifestSnapshot;
  private readonly mutex = new Mutex();
  private readonly digests = new PackageDigests();
  private watcher: FolderWatch | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(readonly dir: string, snapshot: ManifestSnapshot, private readonly opts: ManifestStoreOptions) {
    this.current = snapshot;
  }

  /** Loads every manifest under `dir`; throws a ManifestError with all the problems if any document is bad. */
  static async open(dir: string, opts: ManifestStoreOptions = {}): Promise<ManifestStore> {
    const abs = resolve(dir);
    const store = new ManifestStore(abs, new ManifestSnapshot([]), opts);
    await store.load();
    return store;
  }

  /** Whether a runtime can run here: what loads and what the Lambda API accepts. */
  get runtimeCheck(): RuntimeCheck { return this.opts.runtimes ?? localRuntimeAvailability; }

  /** The current good snapshot. */
  snapshot(): ManifestSnapshot { return this.current; }
  functions(): KlambdaFunction[] { return this.current.functions(); }
  getFunction(ns: string, name: string): KlambdaFunction | undefined { return this.current.getFunction(ns, name); }
  versions(ns: string, fn: string): FunctionVersion[] { return this.current.versions(ns, fn); }
  getVersion(ns: string, fn: string, version: string): FunctionVersion | undefined { return this.current.getVersion(ns, fn, version); }
  aliases(ns: string, fn: string): Alias[] { return this.current.aliases(ns, fn); }
  getAlias(ns: string, fn: string, aliasName: string): Alias | undefined { return this.current.getAlias(ns, fn, aliasName); }
  configMap(ns: string, name: string): ConfigMap | undefined { return this.current.configMap(ns, name); }
  /** The files (inline or a ConfigMap's data) or image of some code. Throws ResourceNotFoundError for a missing ConfigMap. */
  resolveCode(ns: string, code: FunctionCode): ResolvedCode { return this.current.resolveCode(ns, code); }
  /** AWS's CodeSha256 of a function's or version's code. */
  codeSha256(ns: string, config: { code: FunctionCode }): string { return this.current.codeSha256(ns, config); }
  /** Where an object was read from. */
  locate(object: Manifest): LocatedManifest | undefined { return this.current.locate(object); }

  /** Re-reads the folder. On failure throws the ManifestError and keeps the previous snapshot. */
  reload(): Promise<ManifestSnapshot> {
    return this.mutex.run(() => this.load());
  }

  private async load(): Promise<ManifestSnapshot> {
    this.current = await loadManifestFolder(this.dir, this.digests, this.runtimeCheck);
    return this.current;
  }

  /** Reloads after changes on disk (debounced) and reports each result. One watch per store. */
  watch(onChange: (change: ManifestChange) => void): void {
    if (this.watcher) throw new Error('this ManifestStore is already watched');
    const report = (change: ManifestChange) => { if (this.watcher) onChange(change); };
    const fire = () => {
      this.reload().then((snapshot) => report({ snapshot }), (err: unknown) => report({ error: asManifestError(err, this.dir) }));
    };
    this.watcher = watchFolder(this.dir, {
      change: (name) => {
        if (!isWatchedPath(name)) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(fire, this.opts.debounceMs ?? 100);
      },
      error: (err) => report({ error: asManifestError(err, this.dir) }),
    });
  }

  /** Stops watching; nothing is reported after. */
  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  /**
   * Publishes $LATEST as version max+1, written to `<fn>.v<N>.functionversion.yaml`. If the latest version already
   * has the same code digest and configuration, returns it instead (as AWS does).
   */
  publishVersion(ns: string, fn: string, opts: PublishOptions = {}): Promise<FunctionVersion> {
    return this.write(async (snap) => {
      const f = requireFunction(snap, ns, fn);
      const code = snap.resolveCode(ns, f.spec.code);
      const sha = codeSha256(code);
      if (opts.codeSha256 !== undefined && opts.codeSha256 !== sha) {
        throw new InvalidParameterError(`CodeSHA256 (${opts.codeSha256}) is different from current CodeSHA256 in $LATEST (${sha}). Please try again with the CodeSHA256 in $LATEST.`);
      }
      const config = versionConfig(f.spec, code);
      const latest = snap.latestVersion(ns, fn);
      const plan = planPublish(latest?.spec, sha, config);
      if (latest && !plan.create) return { snap, result: latest };
      const version = plan.version;
      const file = this.fileFor(ns, `${fn}.v${version}.functionversion.yaml`);
      if (existsSync(file)) throw new ResourceConflictError(`Cannot publish version ${version} of ${fn}: ${file} already exists`);
      // a package is copied beside the version's manifest: the version keeps it whatever becomes of $LATEST's
      const zipName = `${fn}.v${version}.zip`;
      if (code.kind === 'package') {
        await savePackage(code.package, join(dirname(file), zipName));
        config.code = { path: zipName };
      }
      const spec = { functionName: fn, version, codeSha256: sha, ...(opts.description ? { description: opts.description } : {}), function: config };
      const object = validated<FunctionVersion>({
        apiVersion: API_VERSION, kind: 'FunctionVersion', metadata: { name: functionVersionObjectName(fn, version), namespace: ns }, spec,
      });
      await writeFileAtomic(file, manifestYaml(object, `Version ${version} of ${fn}, published by klambda: an immutable snapshot. Do not edit.`));
      if (code.kind === 'package') {
        const next = await loadManifestFolder(this.dir, this.digests, this.runtimeCheck);
        return { snap: next, result: requireVersion(next, ns, fn, version) };
      }
      return { snap: snap.with(this.located(object, file)), result: object };
    });
  }

  /** Creates an alias, written to `<fn>.<alias>.alias.yaml`. */
  createAlias(ns: string, fn: string, input: AliasInput): Promise<Alias> {
    return this.write(async (snap) => {
      const spec: AliasSpec = compact({
        functionName: fn, name: input.name, functionVersion: input.functionVersion, description: input.description || undefined,
        routingConfig: routing(input.routingConfig), provisionedConcurrency: input.provisionedConcurrency ?? 0,
      });
      const taken = new Set(snap.entries().map((e) => `${e.object.kind}/${e.object.metadata.namespace}/${e.object.metadata.name}`));
      let name = aliasObjectName(fn, input.name);
      for (let i = 2; taken.has(`Alias/${ns}/${name}`); i++) name = aliasObjectName(fn, `${input.name}-${i}`);
      const object = validated<Alias>({ apiVersion: API_VERSION, kind: 'Alias', metadata: { name, namespace: ns }, spec });
      requireFunction(snap, ns, fn);
      if (snap.getAlias(ns, fn, input.name)) throw new ResourceConflictError(`Alias already exists: ${fn}:${input.name}`);
      requireVersions(snap, ns, fn, object.spec);
      const file = this.fileFor(ns, `${fn}.${input.name}.alias.yaml`);
      if (existsSync(file)) throw new ResourceConflictError(`Cannot create alias ${fn}:${input.name}: ${file} already exists`);
      await writeFileAtomic(file, manifestYaml(object));
      return { snap: snap.with(this.located(object, file)), result: object };
    });
  }

  /** Changes an alias's version, description or routing, editing just its document wherever it lives. */
  updateAlias(ns: string, fn: string, aliasName: string, patch: AliasPatch): Promise<Alias> {
    return this.write(async (snap) => {
      requireFunction(snap, ns, fn);
      const old = requireAlias(snap, ns, fn, aliasName);
      const spec: AliasSpec = compact({
        ...old.spec,
        ...(patch.functionVersion !== undefined ? { functionVersion: patch.functionVersion } : {}),
        ...(patch.description !== undefined ? { description: patch.description || undefined } : {}),
        ...(patch.routingConfig !== undefined ? { routingConfig: routing(patch.routingConfig) } : {}),
      });
      const object = validated<Alias>({ ...old, spec });
      requireVersions(snap, ns, fn, object.spec);
      const where = snap.locate(old)!;
      await editDocument(where.file, sameObject(old), (doc) => {
        for (const key of ['functionVersion', 'description', 'routingConfig'] as const) {
          if (!sameJson(old.spec[key], object.spec[key])) setField(doc, ['spec', key], object.spec[key]);
        }
      });
      return { snap: snap.with({ ...where, object }), result: object };
    });
  }

  /** Deletes an alias: its own file, or just its document when it shares a file with others. */
  deleteAlias(ns: string, fn: string, aliasName: string): Promise<void> {
    return this.write(async (snap) => {
      requireFunction(snap, ns, fn);
      const old = requireAlias(snap, ns, fn, aliasName);
      await removeDocument(snap.locate(old)!.file, sameObject(old));
      return { snap: snap.without(old), result: undefined };
    });
  }

  /** An object's document as its file writes it (no defaults filled in), e.g. whether `spec.async` is there at all. */
  written(object: Manifest): Promise<unknown> {
    const where = this.current.locate(object);
    if (!where) return Promise.resolve(undefined);
    return readDocument(where.file, sameObject(object));
  }

  /**
   * Changes the `spec.async` of a Function (`alias` undefined) or of one of its Aliases, editing just that field of
   * its document wherever it lives. `change` gets the field as written (undefined: none) and returns the new one
   * (undefined: remove it); it may throw to refuse. Returns the object as parsed after the change.
   */
  setAsync(ns: string, fn: string, alias: string | undefined, change: (written: Record<string, unknown> | undefined) => object | undefined): Promise<KlambdaFunction | Alias> {
    return this.write(async (snap) => {
      const f = requireFunction(snap, ns, fn);
      const old: KlambdaFunction | Alias = alias === undefined ? f : requireAlias(snap, ns, fn, alias);
      const where = snap.locate(old)!;
      const raw = await readDocument(where.file, sameObject(old)) as { spec?: Record<string, unknown> } | null;
      const spec: Record<string, unknown> = { ...raw?.spec };
      const was = isMap(spec.async) ? spec.async : undefined;
      const next = change(was) as Record<string, unknown> | undefined;
      if (next === undefined) delete spec.async; else spec.async = next;
      const object = validated<KlambdaFunction | Alias>({ ...raw, apiVersion: old.apiVersion, kind: old.kind, metadata: old.metadata, spec } as KlambdaFunction | Alias);
      await editDocument(where.file, sameObject(old), (doc) => {
        if (next === undefined || was === undefined) { setField(doc, ['spec', 'async'], next); return; }
        // field by field, so what stays (a dead letter, its comments) is left as the user wrote it
        for (const key of new Set([...Object.keys(was), ...Object.keys(next)])) {
          if (!sameJson(was[key], next[key])) setField(doc, ['spec', 'async', key], next[key]);
        }
      });
      return { snap: snap.with({ ...where, object }), result: object };
    });
  }

  /**
   * One write: under the mutex, against a fresh read of the folder (refused if the folder is bad), then the new
   * snapshot. `reread` loads the folder again (after files were written) without taking it as the current one.
   */
  write<T>(step: (snap: ManifestSnapshot, reread: () => Promise<ManifestSnapshot>) => Promise<{ snap: ManifestSnapshot; result: T }>): Promise<T> {
    return this.mutex.run(async () => {
      const { snap, result } = await step(await this.load(), () => loadManifestFolder(this.dir, this.digests, this.runtimeCheck));
      this.current = snap;
      return result;
    });
  }

  /** Where the API writes a file of namespace `ns`: the folder itself for the default namespace, else its subfolder. */
  fileFor(ns: string, name: string): string {
    return ns === DEFAULT_NAMESPACE ? join(this.dir, name) : join(this.dir, ns, name);
  }

  private located<T extends Manifest>(object: T, file: string): LocatedManifest<T> {
    return { object, file, source: relative(this.dir, file).split(sep).join('/'), document: 1 };
  }
}

export function requireFunction(snap: ManifestSnapshot, ns: string, fn: string): KlambdaFunction {
  const f = snap.getFunction(ns, fn);
  if (!f) throw new ResourceNotFoundError(`Function not found: ${fn}`);
  return f;
}

export function requireVersion(snap: ManifestSnapshot, ns: string, fn: string, version: string): FunctionVersion {
  const v = snap.getVersion(ns, fn, version);
  if (!v) throw new ResourceNotFoundError(`Function not found: ${fn}:${version}`);
  return v;
}

function requireAlias(snap: ManifestSnapshot, ns: string, fn: string, name: string): Alias {
  const a = snap.getAlias(ns, fn, name);
  if (!a) throw new ResourceNotFoundError(`Alias not found: ${fn}:${name}`);
  return a;
}

/** The versions an alias points at must be published (AWS answers 404 otherwise). */
function requireVersions(snap: ManifestSnapshot, ns: string, fn: string, spec: AliasSpec): void {
  const versions = [spec.functionVersion, ...Object.keys(spec.routingConfig?.additionalVersionWeights ?? {})];
  for (const v of versions) {
    if (v !== '$LATEST' && !snap.getVersion(ns, fn, v)) throw new ResourceNotFoundError(`Function not found: ${fn}:${v}`);
  }
}

/** Validates an object we are about to write exactly as a loaded manifest would be; problems → InvalidParameterError. */
export function validated<T extends Manifest>(value: T): T {
  const r = checkObject(value);
  if (r.ok) return r.object as T;
  throw new InvalidParameterError(r.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
}

/** No routing for an empty config or empty weights (how UpdateAlias removes it). */
function routing(rc: RoutingConfig | undefined): RoutingConfig | undefined {
  return rc?.additionalVersionWeights && Object.keys(rc.additionalVersionWeights).length > 0 ? rc : undefined;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export const sameObject = (o: Manifest) => (value: unknown): boolean => {
  const v = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
  return v?.kind === o.kind && v.metadata?.name === o.metadata.name && (v.metadata.namespace ?? DEFAULT_NAMESPACE) === o.metadata.namespace;
};

/**
 * Paths under the folder whose change can matter: manifests, folders (a moved or deleted folder) and any file, which
 * may be code of a `code.path` (the digests of unchanged packages are reused, so a reload stays cheap).
 */
function isWatchedPath(rel: string): boolean {
  // hidden and node_modules names are not watched as folders, nor taken as files
  return !rel.split(/[\\/]/).some(isSkippedFolder);
}

function asManifestError(err: unknown, dir: string): ManifestError {
  if (err instanceof ManifestError) return err;
  return new ManifestError([{ source: dir, document: 0, path: '', message: (err as Error).message ?? String(err) }]);
}
