// The layer calls of the Lambda API on a cluster: each layer a Layer object of the caller's namespace whose versions'
// zips are packages of the code store; and what functions need of layers there (their refs, Lambda's size limit with
// the function's code, the Layers a configuration shows).
import { API_VERSION } from '../../api/common.js';
import { UnsupportedCodeError } from '../../api/errors.js';
import type { FunctionCode } from '../../api/function.js';
import { LAST_VERSION_ANNOTATION, lastLayerVersion, type LayerSpec, type LayerVersionSpec } from '../../api/layer.js';
import { checkObject } from '../../api/parse.js';
import type { CodeStore, StoredPackage } from '../../code/code-store.js';
import { MAX_UNZIPPED_BYTES } from '../../code/package-limits.js';
import { StoredSizes } from '../../code/stored-sizes.js';
import { unzippedBytes } from '../../code/unzipped-size.js';
import { checkZip } from '../../code/zip-check.js';
import type { ArnContext } from '../../core/arn.js';
import { conflict, invalidParameter } from '../../core/errors.js';
import {
  checkLayerName, combinedSizeProblem, functionLayerRefs, layerVersionArn, layerVersionNotFound, namesLayerVersion, parseLayerVersionRef,
} from '../../core/layer-arn.js';
import { isConflict, type KubeClient } from '../../kube/client.js';
import { resolveClusterCode } from '../../controller/cluster-code.js';
import { checkStored, klambdaPath, type Stored } from '../../controller/kinds.js';
import { layerPackage } from '../../controller/layer-code.js';
import type { S3CodeResolver } from '../../controller/s3-code.js';
import type { CodeInput } from './function-input.js';
import {
  layerVersionEntry, layerVersionOutput, listLayersItems, listLayerVersionsItems,
  type LayerFilter, type LayersListItem, type LayerVersionOutput, type LayerVersionsListItem, type PublishLayerVersionInput,
} from './layer-configuration.js';

export interface KubeLayersOptions {
  namespace: string;
  arn: ArnContext;
  /** Where published zips go (none: PublishLayerVersion is refused with a clear message). */
  store?: CodeStore;
  /** Resolves a version's `code.s3` (and a publish's S3Bucket/S3Key) into a package of the store. */
  s3?: S3CodeResolver;
  /** Unzipped sizes of the store's packages, kept across requests (default: this catalog's own). */
  sizes?: StoredSizes;
}

/** How long a layer version's Content.Location downloads its zip (as Lambda's: 10 minutes). */
const CONTENT_LOCATION_SECONDS = 600;

interface List<T> { items: T[] }
/** A Layer object with its checked spec. */
interface LayerObject { object: Stored<unknown>; spec: LayerSpec }

export class KubeLayers {
  private readonly sizes: StoredSizes | undefined;

  constructor(private readonly client: KubeClient, private readonly opts: KubeLayersOptions) {
    this.sizes = opts.sizes ?? (opts.store ? new StoredSizes(opts.store) : undefined);
  }

  private get ns(): string { return this.opts.namespace; }

  /** The zip checked and kept (or the S3 object copied in), then appended as the next version; a concurrent write is retried. */
  async publish(input: PublishLayerVersionInput): Promise<LayerVersionOutput> {
    checkLayerName(input.name);
    const stored = await this.packageOf(input.code);
    for (let attempt = 0; ; attempt++) {
      const layer = await this.find(input.name);
      const number = (layer ? lastLayerVersion({ metadata: layer.object.metadata, spec: layer.spec }) : 0) + 1;
      const entry = layerVersionEntry(number, input, { s3: { bucket: stored.bucket, key: stored.key } }, stored.sha256, new Date().toISOString());
      const next = layer
        ? { ...layer.object, spec: { ...(layer.object.spec as object), versions: [...layer.spec.versions, entry] } }
        : { apiVersion: API_VERSION, kind: 'Layer', metadata: { name: input.name, namespace: this.ns }, spec: { versions: [entry] } };
      this.check(next);
      try {
        const written = layer
          ? await this.client.replace<Stored<unknown>>(klambdaPath(this.ns, 'layers', input.name), next)
          : await this.client.create<Stored<unknown>>(klambdaPath(this.ns, 'layers'), next);
        return await this.output(input.name, entry, written.metadata.creationTimestamp, stored);
      } catch (e) {
        // another publish or delete got there first: number again from what is there now
        if (!isConflict(e) || attempt >= 9) throw e;
      }
    }
  }

  async get(name: string, version: number): Promise<LayerVersionOutput> {
    const layer = await this.find(name);
    const v = layer?.spec.versions.find((x) => x.version === version);
    if (!layer || !v) throw layerVersionNotFound();
    return this.output(name, v, layer.object.metadata.creationTimestamp, await layerPackage(this.resolver(), this.ns, name, v));
  }

  async list(filter: LayerFilter): Promise<LayersListItem[]> {
    const layers = [...(await this.all()).values()].map((l) => listed(l)).sort((a, b) => a.name.localeCompare(b.name));
    return listLayersItems(this.opts.arn, layers, filter);
  }

  async listVersions(name: string, filter: LayerFilter): Promise<LayerVersionsListItem[]> {
    const layer = await this.find(name);
    return layer ? listLayerVersionsItems(this.opts.arn, listed(layer), filter) : [];
  }

  /**
   * Takes a version out of its Layer (nothing there is no error); the Layer stays with its last number noted, so a
   * number is never published twice. Refused while a Function or FunctionVersion of the namespace uses it.
   */
  async delete(name: string, version: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const layer = await this.find(name);
      if (!layer || !layer.spec.versions.some((v) => v.version === version)) return;
      const users = await this.users(name, version);
      if (users.length > 0) {
        throw conflict(`Layer version ${name}:${version} is used by ${users.join(', ')}; remove it from their layers first (a published function version keeps its layers: delete that version)`);
      }
      const annotations = { ...layer.object.metadata.annotations, [LAST_VERSION_ANNOTATION]: String(lastLayerVersion({ metadata: layer.object.metadata, spec: layer.spec })) };
      const next = {
        ...layer.object, metadata: { ...layer.object.metadata, annotations },
        spec: { ...(layer.object.spec as object), versions: layer.spec.versions.filter((v) => v.version !== version) },
      };
      try {
        await this.client.replace(klambdaPath(this.ns, 'layers', name), next);
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= 9) throw e;
      }
    }
  }

  /** A function's Layers (layer version ARNs) → what its spec keeps (`name:version`), each a version the namespace has. */
  async refsOf(arns: readonly string[]): Promise<string[]> {
    if (arns.length === 0) return [];
    const layers = await this.all();
    return functionLayerRefs(arns, this.opts.arn, (name, version) => layers.get(name)?.spec.versions.some((v) => v.version === version) ?? false);
  }

  /**
   * Refuses `code` (as a request gives it, or a spec has it) with the layers `refs` when the function cannot have them:
   * an image (no layers, as on Lambda), or code and layers over Lambda's unzipped limit (InvalidParameterValueException).
   */
  async checkCode(code: CodeInput | FunctionCode, refs: readonly string[] | undefined): Promise<void> {
    if (!refs || refs.length === 0) return;
    if ('imageUri' in code || ('image' in code && code.image !== undefined)) {
      throw invalidParameter('Please don\'t provide Handler or Runtime or Layer when the intended function PackageType is Image.');
    }
    const codeBytes = await this.codeBytes(code);
    const layers = await this.all();
    const layerBytes: number[] = [];
    for (const label of refs) {
      const ref = parseLayerVersionRef(label);
      const v = ref && layers.get(ref.name)?.spec.versions.find((x) => x.version === ref.version);
      if (!ref || !v) throw invalidParameter(`Layer version ${label} does not exist.`);
      layerBytes.push(await this.unzippedSize(await layerPackage(this.resolver(), this.ns, ref.name, v)));
    }
    const problem = combinedSizeProblem(codeBytes, layerBytes, MAX_UNZIPPED_BYTES);
    if (problem) throw invalidParameter(problem);
  }

  /** The Layers of a configuration: each version's ARN and zip size (one the namespace no longer has: size 0). */
  async configurationLayers(refs: readonly string[] | undefined): Promise<{ Arn: string; CodeSize: number }[]> {
    if (!refs || refs.length === 0) return [];
    const layers = await this.all();
    const out: { Arn: string; CodeSize: number }[] = [];
    for (const label of refs) {
      const ref = parseLayerVersionRef(label);
      if (!ref) { out.push({ Arn: label, CodeSize: 0 }); continue; }
      const v = layers.get(ref.name)?.spec.versions.find((x) => x.version === ref.version);
      const size = v?.code.s3 && this.opts.store && v.code.s3.bucket === this.opts.store.bucket ? await this.opts.store.size(v.code.s3.key) : undefined;
      out.push({ Arn: layerVersionArn(this.opts.arn, ref.name, ref.version), CodeSize: size ?? 0 });
    }
    return out;
  }

  /** Bytes a stored package unpacks to. */
  private unzippedSize(stored: StoredPackage): Promise<number> {
    if (!this.sizes) throw new UnsupportedCodeError('This klambda has no code store for layer zips (the chart\'s codeStore values)');
    return this.sizes.unzipped(stored);
  }

  /** The bytes a function's code unpacks to: a zip's entries, a stored package's, inline or ConfigMap files'. */
  private async codeBytes(code: CodeInput | FunctionCode): Promise<number> {
    if ('zip' in code) return unzippedBytes(code.zip);
    if ('s3' in code && code.s3) return this.unzippedSize(await this.resolver().resolve(this.ns, code.s3));
    const resolved = await resolveClusterCode(this.client, this.ns, code as FunctionCode);
    if (resolved.kind !== 'files') return 0;
    return Object.values(resolved.files).reduce((n, text) => n + Buffer.byteLength(text), 0);
  }

  /** A publish's zip, checked and kept in the store by content; or its S3 object, copied in as a function's is. */
  private async packageOf(code: CodeInput): Promise<StoredPackage> {
    if ('imageUri' in code) throw invalidParameter('A layer is a zip archive: give Content.ZipFile, or Content.S3Bucket and Content.S3Key');
    if ('s3' in code) return this.resolver().resolve(this.ns, code.s3);
    if (!this.opts.store) {
      throw new UnsupportedCodeError('This klambda has no code store for layer zips (the chart\'s codeStore values): PublishLayerVersion needs one');
    }
    await checkZip(code.zip);
    return this.opts.store.putPackage(this.ns, code.zip);
  }

  private resolver(): S3CodeResolver {
    if (!this.opts.s3) throw new UnsupportedCodeError('This klambda has no code store for layer zips (the chart\'s codeStore values)');
    return this.opts.s3;
  }

  private async output(name: string, v: LayerVersionSpec, written: string | undefined, stored: StoredPackage): Promise<LayerVersionOutput> {
    const out = layerVersionOutput(this.opts.arn, name, v, { codeSha256: stored.sha256, codeSize: stored.size, createdDate: written ?? new Date().toISOString() });
    if (this.opts.store && stored.bucket === this.opts.store.bucket) out.Content.Location = await this.opts.store.presignRead(stored.key, CONTENT_LOCATION_SECONDS);
    return out;
  }

  /** The Functions (`fn`) and FunctionVersions (`fn:N`) of the namespace whose layers name this version. */
  private async users(name: string, version: number): Promise<string[]> {
    type Spec = { layers?: string[]; functionName?: string; version?: string; function?: { layers?: string[] } };
    const [functions, versions] = await Promise.all([
      this.client.get<List<Stored<Spec>>>(klambdaPath(this.ns, 'functions')),
      this.client.get<List<Stored<Spec>>>(klambdaPath(this.ns, 'functionversions')),
    ]);
    const live = <T extends Stored<unknown>>(items: T[]) => items.filter((o) => !o.metadata.deletionTimestamp);
    return [
      ...live(functions.items).filter((f) => namesLayerVersion(f.spec.layers, name, version)).map((f) => f.metadata.name),
      ...live(versions.items).filter((v) => namesLayerVersion(v.spec.function?.layers, name, version)).map((v) => `${v.spec.functionName}:${v.spec.version}`),
    ];
  }

  private async find(name: string): Promise<LayerObject | undefined> {
    const object = await this.client.find<Stored<unknown>>(klambdaPath(this.ns, 'layers', name));
    if (!object || object.metadata.deletionTimestamp) return undefined;
    const checked = checkStored<LayerSpec>(object);
    if (!checked.ok) throw invalidParameter(`Layer ${name} is not valid: ${checked.message}`);
    return { object, spec: checked.spec };
  }

  /** Every valid Layer of the namespace, by name. */
  private async all(): Promise<Map<string, LayerObject>> {
    const list = await this.client.get<List<Stored<unknown>>>(klambdaPath(this.ns, 'layers'));
    const out = new Map<string, LayerObject>();
    for (const object of list.items) {
      const checked = checkStored<LayerSpec>(object);
      if (checked.ok && !object.metadata.deletionTimestamp) out.set(object.metadata.name, { object, spec: checked.spec });
    }
    return out;
  }

  /** A Layer as the API server will check it, with our rules on top; refused in AWS's shape. */
  private check(object: { apiVersion: string; kind: string; metadata: { name: string }; spec: unknown }): void {
    const result = checkObject({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: this.ns }, spec: object.spec });
    if (!result.ok) throw invalidParameter(`Layer ${object.metadata.name}: ${result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

const listed = (l: LayerObject) => ({ name: l.object.metadata.name, versions: l.spec.versions, written: l.object.metadata.creationTimestamp ?? new Date().toISOString() });
