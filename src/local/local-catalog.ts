// The Lambda management API over the manifest folder: reads the snapshot, writes versions, aliases and async settings as manifests.
import * as calls from '../router/lambda/event-invoke-config-calls.js';
import type { AsyncConfigStore } from '../router/lambda/event-invoke-config-calls.js';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { UnsupportedCodeError } from '../api/errors.js';
import { memoryEntries, zipEntries } from '../code/zip-folder.js';
import type { CodeInput, ConfigurationInput, CreateFunctionInput, UpdateCodeInput } from '../router/lambda/function-input.js';
import { checkEnvironmentBesideSecrets, checkFunctionName, checkTags, withoutTags, withTags } from '../router/lambda/function-input.js';
import * as writes from './function-writes.js';
import { packageStream } from './package-files.js';
import { cacheZip } from './code-cache.js';
import { LocalLayers } from './local-layers.js';
import { codeUnzippedBytes } from './layer-refs.js';
import { unzippedBytes } from '../code/unzipped-size.js';
import type { LayerFilter, LayersListItem, LayerVersionOutput, LayerVersionsListItem, PublishLayerVersionInput } from '../router/lambda/layer-configuration.js';
import { codeSize } from '../api/code.js';
import type { Alias } from '../api/alias.js';
import type { FunctionConfig } from '../api/function.js';
import type { ArnContext } from '../core/arn.js';
import { functionArn } from '../core/arn.js';
import { invalidParameter, notFound, preconditionFailed } from '../core/errors.js';
import {
  classifyQualifier, differsFromDefaults, hasEventInvokeConfig, qualifierOf, settingsOf,
  versionConfigIsFixed, type EventInvokeConfigInput, type EventInvokeQualifier, type WrittenAsync,
} from '../core/event-invoke-config.js';
import type {
  AliasConfiguration, AliasInput, AliasUpdate, FunctionCatalog, FunctionConfiguration, FunctionEventInvokeConfig, GetFunctionOutput,
} from '../router/lambda/catalog.js';
import { aliasConfiguration, eventInvokeConfiguration, functionConfiguration } from '../router/lambda/function-configuration.js';
import type { Manifest } from '../api/parse.js';
import type { ManifestStore } from './manifest-store.js';
import { unavailableRuntimeMessage } from '../core/runtime-availability.js';
import type { Runtime } from '../core/runtimes.js';

export interface LocalCatalogOptions {
  namespace: string;
  arn: ArnContext;
  /** Where packages are unpacked (default: the folder's .klambda/code, as klambda dev runs them). */
  codeCacheDir?: string;
  /**
   * Whether $LATEST's environments all run its current code and configuration (an update is InProgress until
   * then); `kick` asks for them to be replaced now rather than at the next scaling round.
   */
  latestSettled?: (name: string, kick: boolean) => Promise<boolean>;
}

const IN_PROGRESS = { LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being updated.', LastUpdateStatusReasonCode: 'InProgress' } as const;

export class LocalCatalog implements FunctionCatalog {
  private readonly layers: LocalLayers;

  constructor(private readonly store: ManifestStore, private readonly opts: LocalCatalogOptions) {
    this.layers = new LocalLayers(store, { namespace: opts.namespace, arn: opts.arn, prepare: (zip) => this.prepare(zip) });
  }

  get arn(): ArnContext { return this.opts.arn; }

  async listFunctions(): Promise<FunctionConfiguration[]> {
    return this.store.functions()
      .filter((f) => f.metadata.namespace === this.opts.namespace)
      .map((f) => this.latest(f.metadata.name))
      .sort((a, b) => a.FunctionName.localeCompare(b.FunctionName));
  }

  async getFunction(name: string, qualifier?: string): Promise<GetFunctionOutput> {
    let configuration: FunctionConfiguration;
    if (qualifier === undefined || qualifier === '$LATEST') configuration = this.latest(name);
    else if (/^\d+$/.test(qualifier)) configuration = this.version(name, qualifier);
    else configuration = this.version(name, this.alias(name, qualifier).spec.functionVersion);
    const fn = this.fn(name);
    if ((qualifier === undefined || qualifier === '$LATEST') && this.opts.latestSettled && !(await this.opts.latestSettled(name, false))) {
      configuration = { ...configuration, ...IN_PROGRESS };
    }
    const out: GetFunctionOutput = {
      Configuration: configuration,
      Code: fn.spec.code.image !== undefined
        ? { RepositoryType: 'ECR', ImageUri: fn.spec.code.image }
        : { RepositoryType: 'S3', Location: `file://${this.store.dir}` },
    };
    if (fn.spec.reservedConcurrency !== undefined) out.Concurrency = { ReservedConcurrentExecutions: fn.spec.reservedConcurrency };
    if (fn.spec.tags && Object.keys(fn.spec.tags).length > 0) out.Tags = { ...fn.spec.tags };
    return out;
  }

  async createFunction(input: CreateFunctionInput): Promise<FunctionConfiguration> {
    checkFunctionName(input.name);
    this.checkRuntime(input.configuration.runtime);
    checkTags(input.tags);
    const zip = this.localZip(input.code);
    const layers = input.configuration.layers && this.layers.refsOf(input.configuration.layers);
    await this.prepare(zip);
    await this.layers.checkSize(await unzippedBytes(zip), layers);
    const spec: Record<string, unknown> = { ...input.configuration, layers: layers?.length ? layers : undefined };
    if (Object.keys(input.tags).length > 0) spec.tags = input.tags;
    await writes.createFunction(this.store, this.opts.namespace, input.name, spec, zip);
    if (input.publish) return this.publishVersion(input.name, {});
    return { ...this.latest(input.name), State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating' };
  }

  async updateFunctionCode(name: string, input: UpdateCodeInput): Promise<FunctionConfiguration> {
    const before = this.latest(name);
    if (input.revisionId !== undefined && input.revisionId !== before.RevisionId) throw preconditionFailed();
    const zip = this.localZip(input.code);
    await this.prepare(zip);
    await this.layers.checkSize(await unzippedBytes(zip), this.fn(name).spec.layers);
    if (input.dryRun) return before;
    await writes.updateFunctionCode(this.store, this.opts.namespace, name, zip);
    if (input.publish) return this.publishVersion(name, {});
    await this.opts.latestSettled?.(name, true);
    return { ...this.latest(name), ...IN_PROGRESS };
  }

  async updateFunctionConfiguration(name: string, input: ConfigurationInput, revisionId?: string): Promise<FunctionConfiguration> {
    const before = this.latest(name);
    if (revisionId !== undefined && revisionId !== before.RevisionId) throw preconditionFailed();
    this.checkRuntime(input.runtime);
    checkEnvironmentBesideSecrets(input.environment, this.fn(name).spec.secretEnvironment);
    const fields: Record<string, unknown> = { ...input };
    // an empty map removes the environment, as AWS does
    if (input.environment && Object.keys(input.environment).length === 0) fields.environment = undefined;
    if (input.layers !== undefined) {
      const layers = this.layers.refsOf(input.layers);
      const code = await codeUnzippedBytes(this.store.resolveCode(this.opts.namespace, this.fn(name).spec.code), this.layers.digests);
      if (code !== undefined) await this.layers.checkSize(code, layers);
      // an empty list removes the layers, as AWS does
      fields.layers = layers.length > 0 ? layers : undefined;
    }
    await writes.updateFunctionSpec(this.store, this.opts.namespace, name, fields);
    await this.opts.latestSettled?.(name, true);
    return { ...this.latest(name), ...IN_PROGRESS };
  }

  /** A runtime whose program is not installed here is refused as Lambda refuses a runtime it does not support. */
  private checkRuntime(runtime: Runtime | undefined): void {
    if (runtime === undefined) return;
    const a = this.store.runtimeCheck(runtime);
    if (!a.available) throw invalidParameter(unavailableRuntimeMessage(runtime, a.reason));
  }

  async deleteFunction(name: string, qualifier?: string): Promise<void> {
    this.fn(name);
    if (qualifier === undefined) return writes.deleteFunction(this.store, this.opts.namespace, name);
    if (qualifier === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (!/^\d+$/.test(qualifier)) throw invalidParameter(`Deletion of aliases is not supported by DeleteFunction (${qualifier}); use DeleteAlias`);
    this.version(name, qualifier);
    return writes.deleteVersion(this.store, this.opts.namespace, name, qualifier);
  }

  async functionCode(name: string, qualifier?: string): Promise<NodeJS.ReadableStream> {
    const spec = qualifier === undefined || qualifier === '$LATEST' ? this.fn(name).spec
      : /^\d+$/.test(qualifier) ? this.versionObject(name, qualifier).spec.function
        : this.versionObject(name, this.alias(name, qualifier).spec.functionVersion).spec.function;
    const code = this.store.resolveCode(this.opts.namespace, spec.code);
    if (code.kind === 'package') return packageStream(code.package);
    if (code.kind === 'files') return zipEntries(memoryEntries(code.files));
    throw invalidParameter('A container image has no zip package');
  }

  publishLayerVersion(input: PublishLayerVersionInput): Promise<LayerVersionOutput> { return this.layers.publish(input); }
  getLayerVersion(name: string, version: number): Promise<LayerVersionOutput> { return this.layers.get(name, version); }
  listLayers(filter: LayerFilter): Promise<LayersListItem[]> { return this.layers.list(filter); }
  listLayerVersions(name: string, filter: LayerFilter): Promise<LayerVersionsListItem[]> { return this.layers.listVersions(name, filter); }
  deleteLayerVersion(name: string, version: number): Promise<void> { return this.layers.delete(name, version); }
  layerVersionCode(name: string, version: number): Promise<NodeJS.ReadableStream> { return this.layers.code(name, version); }

  async listTags(name: string): Promise<Record<string, string>> {
    return { ...this.fn(name).spec.tags };
  }

  async tagResource(name: string, tags: Record<string, string>): Promise<void> {
    await writes.updateFunctionSpec(this.store, this.opts.namespace, name, { tags: withTags(this.fn(name).spec.tags, tags) });
  }

  async untagResource(name: string, keys: string[]): Promise<void> {
    await writes.updateFunctionSpec(this.store, this.opts.namespace, name, { tags: withoutTags(this.fn(name).spec.tags, keys) });
  }

  /** The local mode keeps packages in the folder: a zip in the request, not S3 or an image. */
  private localZip(code: CodeInput): Buffer {
    if ('zip' in code) return code.zip;
    if ('imageUri' in code) throw new UnsupportedCodeError(`The local mode cannot run container images (${code.imageUri}); send the code as a zip (ZipFile)`);
    throw invalidParameter(`The local mode has no S3 code store (S3Bucket ${code.s3.bucket}); send the zip itself: aws lambda create-function --zip-file fileb://function.zip`);
  }

  /** Unpacks a zip into the code cache before anything is written: a hostile or broken zip is refused with nothing changed. */
  private async prepare(zip: Buffer): Promise<void> {
    await cacheZip(zip, this.opts.codeCacheDir ?? join(this.store.dir, '.klambda', 'code'));
  }

  async publishVersion(name: string, input: { Description?: string; CodeSha256?: string }): Promise<FunctionConfiguration> {
    this.fn(name);
    const opts: { description?: string; codeSha256?: string } = {};
    if (input.Description !== undefined) opts.description = input.Description;
    if (input.CodeSha256 !== undefined) opts.codeSha256 = input.CodeSha256;
    const v = await this.store.publishVersion(this.opts.namespace, name, opts);
    return this.version(name, v.spec.version);
  }

  async listVersions(name: string): Promise<FunctionConfiguration[]> {
    return [this.latest(name), ...this.store.versions(this.opts.namespace, name).map((v) => this.version(name, v.spec.version))];
  }

  async createAlias(name: string, input: AliasInput): Promise<AliasConfiguration> {
    this.fn(name);
    const created = await this.store.createAlias(this.opts.namespace, name, {
      name: input.Name,
      functionVersion: input.FunctionVersion,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.RoutingConfig ? { routingConfig: { additionalVersionWeights: input.RoutingConfig.AdditionalVersionWeights ?? {} } } : {}),
    });
    return this.aliasView(name, created);
  }

  async getAlias(name: string, alias: string): Promise<AliasConfiguration> {
    return this.aliasView(name, this.alias(name, alias));
  }

  async updateAlias(name: string, alias: string, update: AliasUpdate): Promise<AliasConfiguration> {
    this.alias(name, alias);
    const updated = await this.store.updateAlias(this.opts.namespace, name, alias, {
      ...(update.FunctionVersion !== undefined ? { functionVersion: update.FunctionVersion } : {}),
      ...(update.Description !== undefined ? { description: update.Description } : {}),
      ...(update.RoutingConfig ? { routingConfig: { additionalVersionWeights: update.RoutingConfig.AdditionalVersionWeights ?? {} } } : {}),
    });
    return this.aliasView(name, updated);
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    this.alias(name, alias);
    await this.store.deleteAlias(this.opts.namespace, name, alias);
  }

  async listAliases(name: string, functionVersion?: string): Promise<AliasConfiguration[]> {
    this.fn(name);
    if (functionVersion !== undefined && !/^(\$LATEST|\d+)$/.test(functionVersion)) throw invalidParameter(`Invalid FunctionVersion: ${functionVersion}`);
    return this.store.aliases(this.opts.namespace, name)
      .filter((a) => functionVersion === undefined || a.spec.functionVersion === functionVersion)
      .map((a) => this.aliasView(name, a))
      .sort((a, b) => a.Name.localeCompare(b.Name));
  }

  putEventInvokeConfig(name: string, qualifier: string | undefined, input: EventInvokeConfigInput): Promise<FunctionEventInvokeConfig> {
    return calls.putEventInvokeConfig(this.asyncStore(), name, qualifier, input);
  }

  updateEventInvokeConfig(name: string, qualifier: string | undefined, input: EventInvokeConfigInput): Promise<FunctionEventInvokeConfig> {
    return calls.updateEventInvokeConfig(this.asyncStore(), name, qualifier, input);
  }

  getEventInvokeConfig(name: string, qualifier: string | undefined): Promise<FunctionEventInvokeConfig> {
    return calls.getEventInvokeConfig(this.asyncStore(), name, qualifier);
  }

  deleteEventInvokeConfig(name: string, qualifier: string | undefined): Promise<void> {
    return calls.deleteEventInvokeConfig(this.asyncStore(), name, qualifier);
  }

  /** Where this catalog keeps `spec.async`, for the shared event invoke config calls. */
  private asyncStore(): AsyncConfigStore {
    return { arn: this.opts.arn, read: (name, q) => this.eventInvokeConfig(name, q), write: (name, qualifier, change) => this.writeAsync(name, qualifier, change) };
  }

  async listEventInvokeConfigs(name: string): Promise<FunctionEventInvokeConfig[]> {
    this.fn(name);
    const aliases = this.store.aliases(this.opts.namespace, name).map((a) => a.spec.name).sort();
    const found = [await this.eventInvokeConfig(name, { kind: 'latest' })];
    for (const alias of aliases) found.push(await this.eventInvokeConfig(name, { kind: 'alias', alias }));
    return found.filter((c): c is FunctionEventInvokeConfig => c !== undefined);
  }

  /** The config of $LATEST (as its manifest writes it), a version (what it was published with) or an alias; undefined: none. */
  private async eventInvokeConfig(name: string, q: EventInvokeQualifier): Promise<FunctionEventInvokeConfig | undefined> {
    const f = this.fn(name);
    const view = (async: WrittenAsync | undefined, object: Manifest) =>
      eventInvokeConfiguration(this.opts.arn, name, qualifierOf(q), settingsOf(async), Date.parse(this.modified(object)));
    if (q.kind === 'version') {
      const v = this.store.getVersion(this.opts.namespace, name, q.version);
      if (!v) throw notFound(`Function not found: ${functionArn(this.opts.arn, name, q.version)}`);
      return differsFromDefaults(v.spec.function.async) ? view(v.spec.function.async, v) : undefined;
    }
    if (q.kind === 'alias') {
      const a = this.alias(name, q.alias);
      return a.spec.async ? view(a.spec.async, a) : undefined;
    }
    const written = (await this.store.written(f)) as { spec?: { async?: unknown } } | undefined;
    return hasEventInvokeConfig(written?.spec?.async) ? view(f.spec.async, f) : undefined;
  }

  /** Put/Update/Delete: `change` maps the `spec.async` the manifest writes to the new one, under the store's write lock. */
  private async writeAsync(name: string, qualifier: string | undefined, change: (written: WrittenAsync | undefined, q: EventInvokeQualifier) => WrittenAsync | undefined): Promise<FunctionEventInvokeConfig> {
    const q = classifyQualifier(qualifier);
    this.fn(name);
    if (q.kind === 'version') {
      this.version(name, q.version);
      throw versionConfigIsFixed(name, q.version);
    }
    if (q.kind === 'alias') this.alias(name, q.alias);
    const object = await this.store.setAsync(this.opts.namespace, name, q.kind === 'alias' ? q.alias : undefined, (w) => change(w as WrittenAsync | undefined, q));
    return eventInvokeConfiguration(this.opts.arn, name, qualifierOf(q), settingsOf(object.spec.async), Date.parse(this.modified(object)));
  }

  private fn(name: string) {
    const f = this.store.getFunction(this.opts.namespace, name);
    if (!f) throw notFound(`Function not found: ${functionArn(this.opts.arn, name)}`);
    return f;
  }

  private alias(name: string, alias: string): Alias {
    this.fn(name);
    const a = this.store.getAlias(this.opts.namespace, name, alias);
    if (!a) throw notFound(`Alias not found: ${functionArn(this.opts.arn, name, alias)}`);
    return a;
  }

  private latest(name: string): FunctionConfiguration {
    const f = this.fn(name);
    return this.configuration(name, f.spec, '$LATEST', f, undefined);
  }

  private version(name: string, version: string): FunctionConfiguration {
    const v = this.versionObject(name, version);
    return this.configuration(name, v.spec.function, version, v, v.spec.description ?? '');
  }

  private versionObject(name: string, version: string) {
    this.fn(name);
    const v = this.store.getVersion(this.opts.namespace, name, version);
    if (!v) throw notFound(`Function not found: ${functionArn(this.opts.arn, name, version)}`);
    return v;
  }

  private configuration(name: string, spec: FunctionConfig, version: string, object: Manifest, description: string | undefined): FunctionConfiguration {
    const ns = this.opts.namespace;
    const code = this.store.resolveCode(ns, spec.code);
    return functionConfiguration(this.opts.arn, ns, name, spec, {
      version,
      codeSha256: this.store.codeSha256(ns, spec),
      codeSize: codeSize(code),
      lastModified: this.modified(object),
      ...(description !== undefined ? { description } : {}),
      layers: this.layers.configurationLayers(spec.layers),
    });
  }

  private modified(object: Manifest): string {
    const file = this.store.locate(object)?.file;
    try {
      return (file ? statSync(file).mtime : new Date()).toISOString();
    } catch {
      return new Date().toISOString();
    }
  }

  private aliasView(name: string, a: Alias): AliasConfiguration {
    const weights = a.spec.routingConfig?.additionalVersionWeights;
    return aliasConfiguration(this.opts.arn, name, {
      name: a.spec.name, functionVersion: a.spec.functionVersion,
      ...(a.spec.description !== undefined ? { description: a.spec.description } : {}),
      ...(weights ? { additionalVersionWeights: weights } : {}),
    });
  }
}
