// The layer calls of the Lambda API over the manifest folder, and what functions need of layers: their ARNs found in the
// folder, Lambda's size limit with the function's code, and the Layers a configuration shows.
import { statSync } from 'node:fs';
import type { Layer, LayerVersionSpec } from '../api/layer.js';
import { invalidParameter } from '../core/errors.js';
import type { ArnContext } from '../core/arn.js';
import { checkLayerName, functionLayerRefs, layerVersionArn, layerVersionNotFound, parseLayerVersionRef } from '../core/layer-arn.js';
import type { CodeInput } from '../router/lambda/function-input.js';
import {
  layerVersionOutput, listLayersItems, listLayerVersionsItems,
  type LayerFilter, type LayersListItem, type LayerVersionOutput, type LayerVersionsListItem, type PublishLayerVersionInput,
} from '../router/lambda/layer-configuration.js';
import { findLayers, layersSizeProblem } from './layer-refs.js';
import * as writes from './layer-writes.js';
import type { ManifestStore } from './manifest-store.js';
import { PackageDigests } from './package-digests.js';
import { packageStream } from './package-files.js';

export interface LocalLayersOptions {
  namespace: string;
  arn: ArnContext;
  /** Unpacks (and so checks) a zip before anything is written. */
  prepare(zip: Buffer): Promise<void>;
}

export class LocalLayers {
  /** Unzipped sizes, by digest. */
  private readonly sizes = new PackageDigests();

  constructor(private readonly store: ManifestStore, private readonly opts: LocalLayersOptions) {}

  async publish(input: PublishLayerVersionInput): Promise<LayerVersionOutput> {
    checkLayerName(input.name);
    const zip = localZip(input.code);
    await this.opts.prepare(zip);
    const { layer, version } = await writes.publishLayerVersion(this.store, this.opts.namespace, input.name, input, zip);
    return this.output(layer, version);
  }

  async get(name: string, version: number): Promise<LayerVersionOutput> {
    const layer = this.store.snapshot().getLayer(this.opts.namespace, name);
    const v = layer?.spec.versions.find((x) => x.version === version);
    if (!layer || !v) throw layerVersionNotFound();
    return this.output(layer, v);
  }

  async list(filter: LayerFilter): Promise<LayersListItem[]> {
    const layers = this.store.snapshot().layers(this.opts.namespace).map((l) => ({ name: l.metadata.name, versions: l.spec.versions, written: this.written(l) }));
    return listLayersItems(this.opts.arn, layers, filter);
  }

  async listVersions(name: string, filter: LayerFilter): Promise<LayerVersionsListItem[]> {
    const layer = this.store.snapshot().getLayer(this.opts.namespace, name);
    if (!layer) return [];
    return listLayerVersionsItems(this.opts.arn, { name, versions: layer.spec.versions, written: this.written(layer) }, filter);
  }

  delete(name: string, version: number): Promise<void> {
    return writes.deleteLayerVersion(this.store, this.opts.namespace, name, version);
  }

  async code(name: string, version: number): Promise<NodeJS.ReadableStream> {
    const snap = this.store.snapshot();
    const v = snap.layerVersion(this.opts.namespace, name, version);
    const pkg = v && snap.layerPackage(v);
    if (!pkg) throw layerVersionNotFound();
    return packageStream(pkg);
  }

  /**
   * A function's Layers as the API gives them (layer version ARNs) → what its manifest keeps (`name:version`): each of
   * this account and region, and in the folder (AWS's InvalidParameterValueException otherwise).
   */
  refsOf(arns: readonly string[]): string[] {
    const snap = this.store.snapshot();
    return functionLayerRefs(arns, this.opts.arn, (name, version) => snap.layerVersion(this.opts.namespace, name, version) !== undefined);
  }

  /** Refuses code of `codeBytes` (unzipped) with these layers over Lambda's limit (InvalidParameterValueException). */
  async checkSize(codeBytes: number, refs: readonly string[] | undefined): Promise<void> {
    if (!refs || refs.length === 0) return;
    const { used } = findLayers(this.store.snapshot(), this.opts.namespace, refs);
    const problem = await layersSizeProblem(codeBytes, used, this.sizes);
    if (problem) throw invalidParameter(problem);
  }

  /** The Layers of a configuration: each version's ARN and zip size (one the folder no longer has: size 0). */
  configurationLayers(refs: readonly string[] | undefined): { Arn: string; CodeSize: number }[] {
    if (!refs || refs.length === 0) return [];
    const snap = this.store.snapshot();
    return refs.map((label) => {
      const ref = parseLayerVersionRef(label);
      if (!ref) return { Arn: label, CodeSize: 0 };
      const v = snap.layerVersion(this.opts.namespace, ref.name, ref.version);
      const pkg = v && snap.layerPackage(v);
      return { Arn: layerVersionArn(this.opts.arn, ref.name, ref.version), CodeSize: pkg?.size ?? 0 };
    });
  }

  /** The unzipped sizes the layers of a function count against. */
  get digests(): PackageDigests {
    return this.sizes;
  }

  private output(layer: Layer, v: LayerVersionSpec): LayerVersionOutput {
    const pkg = this.store.snapshot().layerPackage(v);
    if (!pkg) throw layerVersionNotFound();
    return layerVersionOutput(this.opts.arn, layer.metadata.name, v, { codeSha256: pkg.sha256, codeSize: pkg.size, createdDate: this.written(layer) });
  }

  /** When a layer's manifest was last written (a version's CreatedDate when it has none of its own). */
  private written(layer: Layer): string {
    const file = this.store.locate(layer)?.file;
    try {
      return (file ? statSync(file).mtime : new Date()).toISOString();
    } catch {
      return new Date().toISOString();
    }
  }
}

/** The local mode keeps layers in the folder: a zip in the request, not S3. */
function localZip(code: CodeInput): Buffer {
  if ('zip' in code) return code.zip;
  if ('s3' in code) {
    throw invalidParameter(`The local mode has no S3 code store (S3Bucket ${code.s3.bucket}); send the zip itself: aws lambda publish-layer-version --zip-file fileb://layer.zip`);
  }
  throw invalidParameter('A layer is a zip archive: send Content.ZipFile');
}
