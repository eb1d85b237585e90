// An immutable, indexed view of one good load of the manifest folder: functions, versions, aliases, ConfigMaps, Secrets.
import type { Alias } from '../api/alias.js';
import type { BucketNotification } from '../api/bucket-notification.js';
import { codeSha256, resolveCode, type CodePackage, type ResolvedCode } from '../api/code.js';
import type { ConfigMap } from '../api/config-map.js';
import { ResourceNotFoundError } from '../api/errors.js';
import type { FunctionCode, FunctionConfig, KlambdaFunction, SecretKeyRef } from '../api/function.js';
import { secretValue, type Secret } from '../api/secret.js';
import type { FunctionVersion } from '../api/function-version.js';
import type { Layer, LayerVersionSpec } from '../api/layer.js';
import type { Manifest } from '../api/parse.js';
import type { EventRule } from '../api/event-rule.js';
import type { EventSourceMapping } from '../api/event-source-mapping.js';
import type { Topic } from '../api/topic.js';

/** An object and where it was read from. */
export interface LocatedManifest<T extends Manifest = Manifest> {
  object: T;
  /** Absolute path of the file. */
  file: string;
  /** The path as errors show it (relative to the folder). */
  source: string;
  /** Index of the document in the file, from 1. */
  document: number;
}

/** Kind + namespace + metadata.name: what must be unique in the folder. */
export const identity = (m: Manifest): string => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`;
const fnKey = (ns: string, fn: string) => `${ns}/${fn}`;
const byNumber = (a: FunctionVersion, b: FunctionVersion) => Number(a.spec.version) - Number(b.spec.version);

export class ManifestSnapshot {
  private readonly byId = new Map<string, LocatedManifest>();
  private readonly fns = new Map<string, KlambdaFunction>();
  private readonly versionsOf = new Map<string, Map<string, FunctionVersion>>();
  private readonly aliasesOf = new Map<string, Map<string, Alias>>();
  private readonly configMaps = new Map<string, ConfigMap>();
  private readonly secrets = new Map<string, Secret>();
  private readonly layersByName = new Map<string, Layer>();

  /**
   * Later entries win on the same identity (callers check duplicates before). `packages`: the digests of the
   * `code.path` packages, by absolute path (the loader has made every `code.path` absolute).
   */
  constructor(entries: readonly LocatedManifest[], private readonly packages: ReadonlyMap<string, CodePackage> = new Map()) {
    for (const e of entries) this.byId.set(identity(e.object), e);
    for (const { object: o } of this.byId.values()) {
      const ns = o.metadata.namespace;
      switch (o.kind) {
        case 'Function': this.fns.set(fnKey(ns, o.metadata.name), o); break;
        case 'FunctionVersion': mapOf(this.versionsOf, fnKey(ns, o.spec.functionName)).set(o.spec.version, o); break;
        case 'Alias': mapOf(this.aliasesOf, fnKey(ns, o.spec.functionName)).set(o.spec.name, o); break;
        case 'ConfigMap': this.configMaps.set(fnKey(ns, o.metadata.name), o); break;
        case 'Secret': this.secrets.set(fnKey(ns, o.metadata.name), o); break;
        case 'Layer': this.layersByName.set(fnKey(ns, o.metadata.name), o); break;
      }
    }
  }

  /** Every Function, sorted by namespace and name. */
  functions(): KlambdaFunction[] {
    return [...this.fns.values()].sort((a, b) => fnKey(a.metadata.namespace, a.metadata.name).localeCompare(fnKey(b.metadata.namespace, b.metadata.name)));
  }

  getFunction(ns: string, name: string): KlambdaFunction | undefined {
    return this.fns.get(fnKey(ns, name));
  }

  /** The published versions of a function, sorted numerically (1, 2, 10). */
  versions(ns: string, fn: string): FunctionVersion[] {
    return [...(this.versionsOf.get(fnKey(ns, fn))?.values() ?? [])].sort(byNumber);
  }

  getVersion(ns: string, fn: string, version: string): FunctionVersion | undefined {
    return this.versionsOf.get(fnKey(ns, fn))?.get(version);
  }

  /** The highest-numbered version, if any. */
  latestVersion(ns: string, fn: string): FunctionVersion | undefined {
    return this.versions(ns, fn).at(-1);
  }

  /** The aliases of a function, sorted by alias name. */
  aliases(ns: string, fn: string): Alias[] {
    return [...(this.aliasesOf.get(fnKey(ns, fn))?.values() ?? [])].sort((a, b) => a.spec.name.localeCompare(b.spec.name));
  }

  /** An alias by its name (spec.name, the qualifier), not its metadata.name. */
  getAlias(ns: string, fn: string, aliasName: string): Alias | undefined {
    return this.aliasesOf.get(fnKey(ns, fn))?.get(aliasName);
  }

  configMap(ns: string, name: string): ConfigMap | undefined {
    return this.configMaps.get(fnKey(ns, name));
  }

  /** Why each variable of a secretEnvironment cannot be resolved (a missing Secret or key), by variable name. */
  secretEnvironmentProblems(ns: string, refs: Record<string, SecretKeyRef> | undefined): Array<{ variable: string; field: 'secret' | 'key'; message: string }> {
    const out: Array<{ variable: string; field: 'secret' | 'key'; message: string }> = [];
    for (const [variable, ref] of Object.entries(refs ?? {})) {
      const secret = this.secrets.get(fnKey(ns, ref.secret));
      if (!secret) out.push({ variable, field: 'secret', message: `Secret ${ref.secret} not found in namespace ${ns}; add its manifest (apiVersion: v1, kind: Secret) to the folder` });
      else if (secretValue(secret, ref.key) === undefined) out.push({ variable, field: 'key', message: `Secret ${ref.secret} has no key ${ref.key} (in data or stringData)` });
    }
    return out;
  }

  /**
   * The values of a function's (or version's) secretEnvironment, from the folder's Secrets: for the runtime's
   * environment only. Throws ResourceNotFoundError for a missing Secret or key (a good load has none).
   */
  resolveSecretEnvironment(ns: string, refs: Record<string, SecretKeyRef> | undefined): Record<string, string> {
    const problem = this.secretEnvironmentProblems(ns, refs)[0];
    if (problem) throw new ResourceNotFoundError(`secretEnvironment.${problem.variable}: ${problem.message}`);
    const out: Record<string, string> = {};
    for (const [variable, ref] of Object.entries(refs ?? {})) out[variable] = secretValue(this.secrets.get(fnKey(ns, ref.secret))!, ref.key)!;
    return out;
  }

  /** The Layers of a namespace, sorted by name. */
  layers(ns: string): Layer[] {
    return [...this.layersByName.values()].filter((l) => l.metadata.namespace === ns).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  getLayer(ns: string, name: string): Layer | undefined {
    return this.layersByName.get(fnKey(ns, name));
  }

  /** One published version of a layer. */
  layerVersion(ns: string, name: string, version: number): LayerVersionSpec | undefined {
    return this.getLayer(ns, name)?.spec.versions.find((v) => v.version === version);
  }

  /** The package of a layer version's `code.path` (made absolute by the loader); undefined for other code. */
  layerPackage(version: LayerVersionSpec): CodePackage | undefined {
    return version.code.path === undefined ? undefined : this.packages.get(version.code.path);
  }

  /** The files or image of a function's code. Throws ResourceNotFoundError for a missing ConfigMap. */
  resolveCode(ns: string, code: FunctionCode): ResolvedCode {
    return resolveCode(code, (name) => this.configMap(ns, name), (path) => this.packages.get(path));
  }

  /** AWS's CodeSha256 of a function's (or version's) code. */
  codeSha256(ns: string, config: Pick<FunctionConfig, 'code'>): string {
    return codeSha256(this.resolveCode(ns, config.code));
  }

  /** The Topics of a namespace (or all), sorted by namespace and name. */
  topics(ns?: string): Topic[] { return this.ofKind((o): o is Topic => o.kind === 'Topic', ns); }

  /** The EventRules of a namespace (or all), sorted by namespace and name. */
  eventRules(ns?: string): EventRule[] { return this.ofKind((o): o is EventRule => o.kind === 'EventRule', ns); }

  /** The EventSourceMappings of a namespace (or all), sorted by namespace and name. */
  eventSourceMappings(ns?: string): EventSourceMapping[] {
    return this.ofKind((o): o is EventSourceMapping => o.kind === 'EventSourceMapping', ns);
  }

  /** The BucketNotifications of a namespace (or all), sorted by namespace and name. */
  bucketNotifications(ns?: string): BucketNotification[] {
    return this.ofKind((o): o is BucketNotification => o.kind === 'BucketNotification', ns);
  }

  private ofKind<T extends Manifest>(is: (o: Manifest) => o is T, ns: string | undefined): T[] {
    return [...this.byId.values()].map((e) => e.object).filter(is)
      .filter((o) => ns === undefined || o.metadata.namespace === ns)
      .sort((a, b) => fnKey(a.metadata.namespace, a.metadata.name).localeCompare(fnKey(b.metadata.namespace, b.metadata.name)));
  }

  /** Where an object was read from (by kind, namespace and metadata.name). */
  locate(object: Manifest): LocatedManifest | undefined {
    return this.byId.get(identity(object));
  }

  entries(): LocatedManifest[] {
    return [...this.byId.values()];
  }

  /** A new snapshot with `entry` added, or replacing the object of the same identity. */
  with(entry: LocatedManifest): ManifestSnapshot {
    return new ManifestSnapshot([...this.entries(), entry], this.packages);
  }

  /** A new snapshot without `object`; later documents of its file move up one place (its document was removed). */
  without(object: Manifest): ManifestSnapshot {
    const gone = this.locate(object);
    if (!gone) return this;
    return new ManifestSnapshot(this.entries()
      .filter((e) => e !== gone)
      .map((e) => (e.file === gone.file && e.document > gone.document ? { ...e, document: e.document - 1 } : e)), this.packages);
  }
}

function mapOf<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let m = outer.get(key);
  if (!m) outer.set(key, (m = new Map()));
  return m;
}
