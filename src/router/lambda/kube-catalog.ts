// The Lambda management API on a cluster: reads Function/FunctionVersion/Alias objects, publishes, writes aliases and async settings through the API server;
// layers are Layer objects (kube-layers.ts).
import * as calls from './event-invoke-config-calls.js';
import type { AsyncConfigStore } from './event-invoke-config-calls.js';
import { aliasObjectName, type AliasSpec } from '../../api/alias.js';
import { codeSha256, codeSize, type ResolvedCode } from '../../api/code.js';
import { API_VERSION } from '../../api/common.js';
import type { FunctionCode, FunctionConfig, FunctionSpec } from '../../api/function.js';
import type { FunctionVersionSpec } from '../../api/function-version.js';
import { checkObject } from '../../api/parse.js';
import { functionArn, type ArnContext } from '../../core/arn.js';
import { conflict, invalidParameter, notFound, preconditionFailed } from '../../core/errors.js';
import { runtimeAvailability, unavailableRuntimeMessage } from '../../core/runtime-availability.js';
import type { Runtime } from '../../core/runtimes.js';
import {
  classifyQualifier, differsFromDefaults, hasEventInvokeConfig, qualifierOf, settingsOf,
  versionConfigIsFixed, type EventInvokeConfigInput, type EventInvokeQualifier, type WrittenAsync,
} from '../../core/event-invoke-config.js';
import { isConflict, isNotFound, type KubeClient } from '../../kube/client.js';
import { resolveClusterCode } from '../../controller/cluster-code.js';
import { checkStored, klambdaPath, type Stored, type StoredStatus } from '../../controller/kinds.js';
import type { S3CodeResolver } from '../../controller/s3-code.js';
import { packageKeyDigest, type CodeStore } from '../../code/code-store.js';
import { checkZip } from '../../code/zip-check.js';
import type { StoredSizes } from '../../code/stored-sizes.js';
import { memoryEntries, zipEntries } from '../../code/zip-folder.js';
import { UnsupportedCodeError } from '../../api/errors.js';
import { checkEnvironmentBesideSecrets, checkFunctionName, checkTags, withoutTags, withTags, type CodeInput, type ConfigurationInput, type CreateFunctionInput, type UpdateCodeInput } from './function-input.js';
import { listVersions, publishFunctionVersion } from '../../controller/publish.js';
import type {
  AliasConfiguration, AliasInput, AliasUpdate, FunctionCatalog, FunctionConfiguration, FunctionEventInvokeConfig, GetFunctionOutput,
} from './catalog.js';
import { aliasConfiguration, eventInvokeConfiguration, functionConfiguration } from './function-configuration.js';
import { KubeLayers } from './kube-layers.js';
import type { LayerFilter, LayersListItem, LayerVersionOutput, LayerVersionsListItem, PublishLayerVersionInput } from './layer-configuration.js';

/**
 * Set by the event invoke config calls on the Function or Alias they change: when (ISO time), the config's
 * LastModified. On a Function it also says "configured": the API server fills spec.async's defaults in on every
 * Function, so a config that is all defaults would otherwise look like none.
 */
export const EVENT_INVOKE_CONFIG_MODIFIED = 'klambda.dev/event-invoke-config-modified';

export interface KubeCatalogOptions {
  namespace: string;
  arn: ArnContext;
  /** Where ZipFile code goes; none: the Lambda API takes code only as an image or from ConfigMaps (kubectl). */
  store?: CodeStore;
  /** Checks `code.s3` (S3Bucket/S3Key) as the controller will read it. */
  s3?: S3CodeResolver;
  /** Unzipped sizes of the store's packages (Lambda's limit for code and layers), kept across requests. */
  sizes?: StoredSizes;
  /** The runtimes the cluster serves; a function of another is refused here rather than left Failed. Unset: all. */
  runtimes?: readonly Runtime[];
}

/** How long GetFunction's Code.Location downloads a package (as Lambda's: 10 minutes). */
const CODE_LOCATION_SECONDS = 600;

const PENDING = { State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating' } as const;
const IN_PROGRESS = { LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being updated.', LastUpdateStatusReasonCode: 'InProgress' } as const;

interface List<T> { items: T[] }

export class KubeCatalog implements FunctionCatalog {
  private readonly layers: KubeLayers;

  constructor(private readonly client: KubeClient, private readonly opts: KubeCatalogOptions) {
    this.layers = new KubeLayers(client, opts);
  }

  get arn(): ArnContext { return this.opts.arn; }

  private get ns(): string { return this.opts.namespace; }

  async listFunctions(): Promise<FunctionConfiguration[]> {
    const list = await this.client.get<List<Stored<unknown>>>(klambdaPath(this.ns, 'functions'));
    const out: FunctionConfiguration[] = [];
    for (const f of list.items) {
      const checked = checkStored<FunctionSpec>(f);
      if (checked.ok) out.push(await this.configuration(f.metadata.name, checked.spec, '$LATEST', f.metadata.creationTimestamp));
    }
    return out.sort((a, b) => a.FunctionName.localeCompare(b.FunctionName));
  }

  async getFunction(name: string, qualifier?: string): Promise<GetFunctionOutput> {
    const { spec } = await this.fn(name);
    let configuration: FunctionConfiguration;
    if (qualifier === undefined || qualifier === '$LATEST') configuration = await this.latest(name);
    else if (/^\d+$/.test(qualifier)) configuration = await this.version(name, qualifier);
    else configuration = await this.version(name, (await this.alias(name, qualifier)).spec.functionVersion);
    const code = await this.codeOf(name, qualifier);
    const out: GetFunctionOutput = {
      Configuration: configuration,
      Code: code.image !== undefined ? { RepositoryType: 'ECR', ImageUri: code.image }
        : { RepositoryType: 'S3', Location: code.s3 && this.opts.store && code.s3.bucket === this.opts.store.bucket
          ? await this.opts.store.presignRead(code.s3.key, CODE_LOCATION_SECONDS) : `k8s://${this.ns}/functions/${name}` },
    };
    if (spec.reservedConcurrency !== undefined) out.Concurrency = { ReservedConcurrentExecutions: spec.reservedConcurrency };
    if (spec.tags && Object.keys(spec.tags).length > 0) out.Tags = { ...spec.tags };
    return out;
  }

  async publishVersion(name: string, input: { Description?: string; CodeSha256?: string }): Promise<FunctionConfiguration> {
    const { object, spec } = await this.fn(name);
    const { version } = await publishFunctionVersion(this.client, object, spec, {
      ...(this.opts.s3 ? { s3: this.opts.s3 } : {}),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.CodeSha256 !== undefined ? { codeSha256: input.CodeSha256 } : {}),
    });
    return this.versionView(name, version);
  }

  async createFunction(input: CreateFunctionInput): Promise<FunctionConfiguration> {
    checkFunctionName(input.name);
    checkTags(input.tags);
    this.checkRuntime(input.configuration.runtime);
    const layers = input.configuration.layers && await this.layers.refsOf(input.configuration.layers);
    await this.layers.checkCode(input.code, layers);
    const { code, digest } = await this.codeFrom(input.code);
    const spec: Record<string, unknown> = { ...input.configuration, code };
    if (layers?.length) spec.layers = layers; else delete spec.layers;
    if (Object.keys(input.tags).length > 0) spec.tags = input.tags;
    const object = { apiVersion: API_VERSION, kind: 'Function', metadata: { name: input.name, namespace: this.ns }, spec };
    this.check(object);
    await this.checkRole(input.configuration.serviceAccountName);
    try {
      await this.client.create(klambdaPath(this.ns, 'functions'), object);
    } catch (e) {
      if (isConflict(e)) throw conflict(`Function already exist: ${input.name}`);
      throw e;
    }
    if (input.publish) return this.publishVersion(input.name, {});
    return { ...(await this.latest(input.name)), ...digest, ...PENDING };
  }

  /** A runtime the cluster does not serve (--runtimes) is refused as Lambda refuses a runtime it does not support. */
  private checkRuntime(runtime: Runtime | undefined): void {
    if (runtime === undefined) return;
    const a = runtimeAvailability(runtime, () => true, this.opts.runtimes);
    if (!a.available) throw invalidParameter(unavailableRuntimeMessage(runtime, a.reason));
  }

  async updateFunctionCode(name: string, input: UpdateCodeInput): Promise<FunctionConfiguration> {
    const before = await this.latest(name);
    if (input.revisionId !== undefined && input.revisionId !== before.RevisionId) throw preconditionFailed();
    await this.layers.checkCode(input.code, (await this.fn(name)).spec.layers);
    const { code, digest } = await this.codeFrom(input.code);
    if (input.dryRun) return before;
    await this.replaceSpec(name, (spec) => ({ ...spec, code }));
    if (input.publish) return this.publishVersion(name, {});
    return { ...(await this.latest(name)), ...digest, ...IN_PROGRESS };
  }

  async updateFunctionConfiguration(name: string, input: ConfigurationInput, revisionId?: string): Promise<FunctionConfiguration> {
    const before = await this.latest(name);
    if (revisionId !== undefined && revisionId !== before.RevisionId) throw preconditionFailed();
    this.checkRuntime(input.runtime);
    checkEnvironmentBesideSecrets(input.environment, (await this.fn(name)).spec.secretEnvironment);
    await this.checkRole(input.serviceAccountName);
    const layers = input.layers && await this.layers.refsOf(input.layers);
    if (layers) await this.layers.checkCode((await this.fn(name)).spec.code, layers);
    await this.replaceSpec(name, (spec) => {
      const next: Record<string, unknown> = { ...spec, ...input };
      // an empty map removes the environment, as AWS does
      if (input.environment && Object.keys(input.environment).length === 0) delete next.environment;
      // an empty list removes the layers, as AWS does
      if (layers?.length) next.layers = layers;
      else if (layers) delete next.layers;
      return next;
    });
    return { ...(await this.latest(name)), ...IN_PROGRESS };
  }

  async deleteFunction(name: string, qualifier?: string): Promise<void> {
    const { object } = await this.fn(name);
    if (qualifier === undefined) {
      // its versions go with it by garbage collection (they are owned by it); its aliases are not: they go here
      for (const a of await this.aliases(name)) await this.client.delete(klambdaPath(this.ns, 'aliases', a.metadata.name)).catch(ignoreNotFound);
      await this.client.request('DELETE', klambdaPath(this.ns, 'functions', name), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: object.metadata.uid } }).catch(ignoreNotFound);
      return;
    }
    if (qualifier === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (!/^\d+$/.test(qualifier)) throw invalidParameter(`Deletion of aliases is not supported by DeleteFunction (${qualifier}); use DeleteAlias`);
    const found = (await this.publishedVersions(name)).find((v) => v.spec.version === qualifier);
    if (!found) throw notFound(`Function not found: ${functionArn(this.opts.arn, name, qualifier)}`);
    const users = (await this.aliases(name)).filter((a) => a.spec.functionVersion === qualifier || Object.keys(a.spec.routingConfig?.additionalVersionWeights ?? {}).includes(qualifier));
    if (users.length > 0) throw conflict(`Unable to delete version because the following aliases reference it: [${users.map(aliasName).join(', ')}]`);
    await this.client.delete(klambdaPath(this.ns, 'functionversions', found.metadata.name)).catch(ignoreNotFound);
  }

  async functionCode(name: string, qualifier?: string): Promise<NodeJS.ReadableStream> {
    const code = await this.codeOf(name, qualifier);
    if (code.s3 && this.opts.store && code.s3.bucket === this.opts.store.bucket) return this.opts.store.read(code.s3.key);
    if (code.inline) return zipEntries(memoryEntries(code.inline));
    if (code.configMap) {
      const resolved = await resolveClusterCode(this.client, this.ns, code);
      if (resolved.kind === 'files') return zipEntries(memoryEntries(resolved.files));
    }
    throw invalidParameter('This function has no zip package to download');
  }

  publishLayerVersion(input: PublishLayerVersionInput): Promise<LayerVersionOutput> { return this.layers.publish(input); }
  getLayerVersion(name: string, version: number): Promise<LayerVersionOutput> { return this.layers.get(name, version); }
  listLayers(filter: LayerFilter): Promise<LayersListItem[]> { return this.layers.list(filter); }
  listLayerVersions(name: string, filter: LayerFilter): Promise<LayerVersionsListItem[]> { return this.layers.listVersions(name, filter); }
  deleteLayerVersion(name: string, version: number): Promise<void> { return this.layers.delete(name, version); }

  async listTags(name: string): Promise<Record<string, string>> {
    return { ...(await this.fn(name)).spec.tags };
  }

  async tagResource(name: string, tags: Record<string, string>): Promise<void> {
    await this.replaceSpec(name, (spec) => ({ ...spec, tags: withTags(spec.tags as Record<string, string> | undefined, tags) }));
  }

  async untagResource(name: string, keys: string[]): Promise<void> {
    await this.replaceSpec(name, (spec) => {
      const { tags, ...rest } = spec;
      const left = withoutTags(tags as Record<string, string> | undefined, keys);
      return left ? { ...rest, tags: left } : rest;
    });
  }

  /** The code a request gives, as a Function's spec.code: a zip kept in the store (checked first), S3 as named, an image. */
  private async codeFrom(code: CodeInput): Promise<{ code: FunctionCode; digest?: { CodeSha256: string; CodeSize: number } }> {
    if ('imageUri' in code) return { code: { image: code.imageUri } };
    const store = this.opts.store;
    if ('zip' in code) {
      if (!store) throw new UnsupportedCodeError('This klambda has no code store for zip packages (the chart\'s codeStore values); give the code as an image (ImageUri), or apply a Function with code.inline or code.configMap');
      await checkZip(code.zip);
      const stored = await store.putPackage(this.ns, code.zip);
      return { code: { s3: { bucket: stored.bucket, key: stored.key } }, digest: { CodeSha256: stored.sha256, CodeSize: stored.size } };
    }
    const s3 = { bucket: code.s3.bucket, key: code.s3.key, ...(code.s3.objectVersion !== undefined ? { objectVersion: code.s3.objectVersion } : {}) };
    if (!this.opts.s3) throw new UnsupportedCodeError(`This klambda has no code store to read s3://${s3.bucket}/${s3.key} into`);
    const stored = await this.opts.s3.resolve(this.ns, s3);
    return { code: { s3 }, digest: { CodeSha256: stored.sha256, CodeSize: stored.size } };
  }

  /** The code of $LATEST, a version or an alias's version. */
  private async codeOf(name: string, qualifier?: string): Promise<FunctionCode> {
    if (qualifier === undefined || qualifier === '$LATEST') return (await this.fn(name)).spec.code;
    const version = /^\d+$/.test(qualifier) ? qualifier : (await this.alias(name, qualifier)).spec.functionVersion;
    if (version === '$LATEST') return (await this.fn(name)).spec.code;
    const found = (await this.publishedVersions(name)).find((v) => v.spec.version === version);
    if (!found) throw notFound(`Function not found: ${functionArn(this.opts.arn, name, version)}`);
    return found.spec.function.code;
  }

  /** Replaces the Function's spec with `change(spec as stored)`, checked first; a concurrent change is retried. */
  private async replaceSpec(name: string, change: (spec: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const { object } = await this.fn(name);
      const spec = change({ ...(object.spec as Record<string, unknown>) });
      const next = { ...object, spec };
      this.check(next);
      try {
        await this.client.replace(klambdaPath(this.ns, 'functions', name), next);
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= 4) throw e;
      }
    }
  }

  /** The function's published versions, less those being deleted (DeleteFunction with a Qualifier has taken them away). */
  private async publishedVersions(name: string): Promise<Array<Stored<FunctionVersionSpec>>> {
    return (await listVersions(this.client, this.ns, name)).filter((v) => !v.metadata.deletionTimestamp);
  }

  /** The execution role is the function's ServiceAccount: it must exist, as Lambda refuses a role it cannot assume. */
  private async checkRole(serviceAccountName: string | undefined): Promise<void> {
    if (serviceAccountName === undefined) return;
    if (!(await this.client.find(`/api/v1/namespaces/${this.ns}/serviceaccounts/${serviceAccountName}`))) {
      throw invalidParameter(`The role defined for the function cannot be assumed by Lambda: ServiceAccount ${serviceAccountName} does not exist in namespace ${this.ns}`);
    }
  }

  /** A Function object as the API server will check it, with our rules on top; refused in AWS's shape. */
  private check(object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: unknown }): void {
    const result = checkObject({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: this.ns }, spec: object.spec });
    if (!result.ok) throw invalidParameter(result.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }

  async listVersions(name: string): Promise<FunctionConfiguration[]> {
    const latest = await this.latest(name);
    const versions = await this.publishedVersions(name);
    return [latest, ...(await Promise.all(versions.map((v) => this.versionView(name, v))))];
  }

  async createAlias(name: string, input: AliasInput): Promise<AliasConfiguration> {
    await this.fn(name);
    if ((await this.aliases(name)).some((a) => aliasName(a) === input.Name)) throw conflict(`Alias already exists: ${functionArn(this.opts.arn, name, input.Name)}`);
    const spec: Record<string, unknown> = { functionName: name, name: input.Name, functionVersion: input.FunctionVersion };
    if (input.Description) spec.description = input.Description;
    if (input.RoutingConfig?.AdditionalVersionWeights) spec.routingConfig = { additionalVersionWeights: input.RoutingConfig.AdditionalVersionWeights };
    const object = { apiVersion: API_VERSION, kind: 'Alias', metadata: { name: aliasObjectName(name, input.Name), namespace: this.ns }, spec };
    await this.checkAlias(name, object);
    try {
      const created = await this.client.create<Stored<AliasSpec>>(klambdaPath(this.ns, 'aliases'), object);
      return this.aliasView(name, created);
    } catch (e) {
      if (isConflict(e)) throw conflict(`Alias already exists: ${functionArn(this.opts.arn, name, input.Name)}`);
      throw e;
    }
  }

  async getAlias(name: string, alias: string): Promise<AliasConfiguration> {
    return this.aliasView(name, await this.alias(name, alias));
  }

  async updateAlias(name: string, alias: string, update: AliasUpdate): Promise<AliasConfiguration> {
    const current = await this.alias(name, alias);
    const spec: Record<string, unknown> = { ...current.spec };
    if (update.FunctionVersion !== undefined) spec.functionVersion = update.FunctionVersion;
    if (update.Description !== undefined) spec.description = update.Description;
    if (update.RoutingConfig) spec.routingConfig = { additionalVersionWeights: update.RoutingConfig.AdditionalVersionWeights ?? {} };
    const object = { ...current, spec };
    await this.checkAlias(name, object);
    try {
      const replaced = await this.client.replace<Stored<AliasSpec>>(klambdaPath(this.ns, 'aliases', current.metadata.name), object);
      return this.aliasView(name, replaced);
    } catch (e) {
      if (isConflict(e)) throw conflict(`The alias ${alias} changed meanwhile; try again`);
      throw e;
    }
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    const current = await this.alias(name, alias);
    await this.client.delete(klambdaPath(this.ns, 'aliases', current.metadata.name)).catch((e: unknown) => { if (!isNotFound(e)) throw e; });
  }

  async listAliases(name: string, functionVersion?: string): Promise<AliasConfiguration[]> {
    await this.fn(name);
    if (functionVersion !== undefined && !/^(\$LATEST|\d+)$/.test(functionVersion)) throw invalidParameter(`Invalid FunctionVersion: ${functionVersion}`);
    return (await this.aliases(name))
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
    const found = [await this.eventInvokeConfig(name, { kind: 'latest' })];
    const aliases = (await this.aliases(name)).sort((a, b) => aliasName(a).localeCompare(aliasName(b)));
    for (const a of aliases) if (a.spec.async) found.push(this.asyncView(name, { kind: 'alias', alias: aliasName(a) }, a.spec.async, a));
    return found.filter((c): c is FunctionEventInvokeConfig => c !== undefined);
  }

  /** The config of $LATEST, a version (what it was published with) or an alias; undefined: none. */
  private async eventInvokeConfig(name: string, q: EventInvokeQualifier): Promise<FunctionEventInvokeConfig | undefined> {
    const { object, spec } = await this.fn(name);
    if (q.kind === 'version') {
      const v = (await this.publishedVersions(name)).find((x) => x.spec.version === q.version);
      if (!v) throw notFound(`Function not found: ${functionArn(this.opts.arn, name, q.version)}`);
      const async = settingsOf(v.spec.function.async);
      return differsFromDefaults(async) ? this.asyncView(name, q, async, v) : undefined;
    }
    if (q.kind === 'alias') {
      const a = await this.alias(name, q.alias);
      return a.spec.async ? this.asyncView(name, q, a.spec.async, a) : undefined;
    }
    const written = writtenFunctionAsync(object, spec);
    return hasEventInvokeConfig(written) ? this.asyncView(name, q, written, object) : undefined;
  }

  /** Put/Update/Delete on $LATEST (the Function) or an alias: `change` maps the config there is to the new one; one replace. */
  private async writeAsync(name: string, qualifier: string | undefined, change: (written: WrittenAsync | undefined, q: EventInvokeQualifier) => WrittenAsync | undefined): Promise<FunctionEventInvokeConfig> {
    const q = classifyQualifier(qualifier);
    const { object, spec: fnSpec } = await this.fn(name);
    if (q.kind === 'version') {
      await this.version(name, q.version);
      throw versionConfigIsFixed(name, q.version);
    }
    const target: Stored<{ async?: WrittenAsync }> = q.kind === 'alias' ? await this.alias(name, q.alias) : object as Stored<{ async?: WrittenAsync }>;
    const next = change(q.kind === 'alias' ? target.spec.async : writtenFunctionAsync(object, fnSpec), q);
    const spec: Record<string, unknown> = { ...target.spec };
    if (next === undefined) delete spec.async; else spec.async = next;
    const annotations = { ...target.metadata.annotations };
    if (hasEventInvokeConfig(next)) annotations[EVENT_INVOKE_CONFIG_MODIFIED] = new Date().toISOString();
    else delete annotations[EVENT_INVOKE_CONFIG_MODIFIED];
    const plural = q.kind === 'alias' ? 'aliases' : 'functions';
    try {
      const replaced = await this.client.replace<Stored<{ async?: WrittenAsync }>>(klambdaPath(this.ns, plural, target.metadata.name), { ...target, metadata: { ...target.metadata, annotations }, spec });
      return this.asyncView(name, q, replaced.spec.async, replaced);
    } catch (e) {
      if (isConflict(e)) throw conflict(`The function ${functionArn(this.opts.arn, name, qualifierOf(q))} changed meanwhile; try again`);
      throw e;
    }
  }

  private asyncView(name: string, q: EventInvokeQualifier, async: WrittenAsync | undefined, object: Stored<unknown>): FunctionEventInvokeConfig {
    const modified = object.metadata.annotations?.[EVENT_INVOKE_CONFIG_MODIFIED] ?? object.metadata.creationTimestamp;
    const ms = modified !== undefined ? Date.parse(modified) : NaN;
    return eventInvokeConfiguration(this.opts.arn, name, qualifierOf(q), settingsOf(async), Number.isNaN(ms) ? Date.now() : ms);
  }

  private async fn(name: string): Promise<{ object: Stored<unknown>; spec: FunctionSpec }> {
    const object = await this.client.find<Stored<unknown>>(klambdaPath(this.ns, 'functions', name));
    if (!object || object.metadata.deletionTimestamp) throw notFound(`Function not found: ${functionArn(this.opts.arn, name)}`);
    const checked = checkStored<FunctionSpec>(object);
    if (!checked.ok) throw invalidParameter(`Function ${name} is not valid: ${checked.message}`);
    return { object, spec: checked.spec };
  }

  private async aliases(name: string): Promise<Array<Stored<AliasSpec>>> {
    const list = await this.client.get<List<Stored<AliasSpec>>>(klambdaPath(this.ns, 'aliases'));
    return list.items.filter((a) => a.spec.functionName === name && !a.metadata.deletionTimestamp);
  }

  private async alias(name: string, alias: string): Promise<Stored<AliasSpec>> {
    await this.fn(name);
    const found = (await this.aliases(name)).find((a) => aliasName(a) === alias);
    if (!found) throw notFound(`Alias not found: ${functionArn(this.opts.arn, name, alias)}`);
    return found;
  }

  /** The alias's own rules, and that the versions it names exist (AWS refuses the call otherwise). */
  private async checkAlias(name: string, object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> }): Promise<void> {
    const result = checkObject({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: this.ns }, spec: object.spec });
    if (!result.ok) throw invalidParameter(result.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    const spec = (result.object as unknown as { spec: AliasSpec }).spec;
    const published = new Set((await this.publishedVersions(name)).map((v) => v.spec.version));
    for (const v of [spec.functionVersion, ...Object.keys(spec.routingConfig?.additionalVersionWeights ?? {})]) {
      if (v !== '$LATEST' && !published.has(v)) throw notFound(`Function not found: ${functionArn(this.opts.arn, name, v)}`);
    }
  }

  private async latest(name: string): Promise<FunctionConfiguration> {
    const { object, spec } = await this.fn(name);
    const config = await this.configuration(name, spec, '$LATEST', object.metadata.creationTimestamp, object.status);
    return { ...config, ...latestState(object) };
  }

  private async version(name: string, version: string): Promise<FunctionConfiguration> {
    const found = (await this.publishedVersions(name)).find((v) => v.spec.version === version);
    if (!found) throw notFound(`Function not found: ${functionArn(this.opts.arn, name, version)}`);
    return this.versionView(name, found);
  }

  private async versionView(name: string, v: Stored<FunctionVersionSpec>): Promise<FunctionConfiguration> {
    const checked = checkStored<FunctionVersionSpec>(v);
    const spec = checked.ok ? checked.spec : v.spec;
    const inline = spec.function.code.inline;
    return functionConfiguration(this.opts.arn, this.ns, name, spec.function, {
      version: spec.version, codeSha256: spec.codeSha256,
      codeSize: spec.codeSize ?? (inline ? codeSize({ kind: 'files', files: inline }) : 0),
      lastModified: v.metadata.creationTimestamp ?? new Date().toISOString(),
      description: spec.description ?? '',
      layers: await this.layers.configurationLayers(spec.function.layers),
    });
  }

  private async configuration(name: string, spec: FunctionConfig, version: string, modified: string | undefined, status?: FunctionStatus): Promise<FunctionConfiguration> {
    let digest = { sha256: '', size: 0 };
    const s3 = spec.code.s3;
    const own = s3 && this.opts.store && s3.bucket === this.opts.store.bucket ? packageKeyDigest(this.ns, s3.key) : undefined;
    if (own !== undefined) {
      // a package of the store: its key is its digest, its size the object's
      digest = { sha256: own, size: status?.codeSha256 === own && status.codeSize !== undefined ? status.codeSize : (await this.opts.store!.size(s3!.key)) ?? 0 };
    } else if (s3) {
      // a user's bucket: what the controller copied in last
      digest = { sha256: status?.codeSha256 ?? '', size: status?.codeSize ?? 0 };
    } else {
      let code: ResolvedCode | undefined;
      try { code = await resolveClusterCode(this.client, this.ns, spec.code); } catch { code = undefined; }
      if (code) digest = { sha256: codeSha256(code), size: codeSize(code) };
    }
    return functionConfiguration(this.opts.arn, this.ns, name, spec, {
      version, codeSha256: digest.sha256, codeSize: digest.size,
      lastModified: modified ?? new Date().toISOString(),
      layers: await this.layers.configurationLayers(spec.layers),
    });
  }

  private aliasView(name: string, a: Stored<AliasSpec>): AliasConfiguration {
    const weights = a.spec.routingConfig?.additionalVersionWeights;
    return aliasConfiguration(this.opts.arn, name, {
      name: aliasName(a), functionVersion: a.spec.functionVersion,
      ...(a.spec.description !== undefined ? { description: a.spec.description } : {}),
      ...(weights && Object.keys(weights).length > 0 ? { additionalVersionWeights: weights } : {}),
    });
  }
}

const aliasName = (a: Stored<AliasSpec>): string => a.spec.name ?? a.metadata.name;

const ignoreNotFound = (e: unknown): void => { if (!isNotFound(e)) throw e; };

/** What the controller writes to a Function's status (see reconcile/function.ts). */
type FunctionStatus = StoredStatus & { codeSha256?: string; codeSize?: number; rollout?: 'Complete' | 'Progressing' };

/** The controller's Ready False reasons that a new spec cannot get past by waiting: State (or LastUpdateStatus) Failed. */
const FAILED_REASONS: readonly string[] = ['InvalidCode', 'CodeNotFound', 'LayerNotFound', 'InvalidLayer', 'InvalidSpec', 'InvalidRuntime', 'InvalidSecretEnvironment', 'Rejected', 'NotOwned'];

/**
 * $LATEST's State and LastUpdateStatus as Lambda's move, from the Function's status: Pending until the controller
 * has deployed it once, Failed when its code cannot be used, InProgress until the controller has seen the last
 * change and every pod runs it (so waitUntilFunctionActiveV2/UpdatedV2 return when new invocations get the new code).
 */
export function latestState(object: Stored<unknown>): Partial<FunctionConfiguration> {
  const status = object.status as FunctionStatus | undefined;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  const seen = status?.observedGeneration !== undefined && status.observedGeneration >= (object.metadata.generation ?? 0);
  const everDeployed = status?.codeSha256 !== undefined;
  if (ready?.status === 'False' && seen && FAILED_REASONS.includes(ready.reason)) {
    return everDeployed
      ? { LastUpdateStatus: 'Failed', LastUpdateStatusReason: ready.message, LastUpdateStatusReasonCode: ready.reason }
      : { State: 'Failed', StateReason: ready.message, StateReasonCode: ready.reason, LastUpdateStatus: 'Failed' };
  }
  if (!everDeployed) return { ...PENDING, LastUpdateStatus: 'InProgress' };
  if (!seen || ready?.status !== 'True' || status?.rollout !== 'Complete') return IN_PROGRESS;
  return {};
}

/**
 * A Function's spec.async as the event invoke config calls see it. The API server has filled its defaults in, so it
 * holds a config when our annotation says one was put, or when it says more than the defaults (written with kubectl);
 * otherwise only its dead letter counts.
 */
function writtenFunctionAsync(object: Stored<unknown>, spec: FunctionSpec): WrittenAsync | undefined {
  if (object.metadata.annotations?.[EVENT_INVOKE_CONFIG_MODIFIED] !== undefined || differsFromDefaults(spec.async)) return spec.async;
  return spec.async.deadLetter !== undefined ? { deadLetter: spec.async.deadLetter } : undefined;
}
