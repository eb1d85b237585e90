// The Lambda management API over the manifest folder: reads the snapshot, writes versions, aliases and async settings as manifests.
import * as calls from '../router/lambda/event-invoke-config-calls.js';
import type { AsyncConfigStore } from '../router/lambda/event-invoke-config-calls.js';
import { statSync } from 'node:fs';
import { codeSize } from '../api/code.js';
import type { Alias } from '../api/alias.js';
import type { FunctionConfig } from '../api/function.js';
import type { ArnContext } from '../core/arn.js';
import { functionArn } from '../core/arn.js';
import { invalidParameter, notFound } from '../core/errors.js';
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

export interface LocalCatalogOptions {
  namespace: string;
  arn: ArnContext;
}

export class LocalCatalog implements FunctionCatalog {
  constructor(private readonly store: ManifestStore, private readonly opts: LocalCatalogOptions) {}

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
    const out: GetFunctionOutput = {
      Configuration: configuration,
      Code: fn.spec.code.image !== undefined
        ? { RepositoryType: 'ECR', ImageUri: fn.spec.code.image }
        : { RepositoryType: 'S3', Location: `file://${this.store.dir}` },
    };
    if (fn.spec.reservedConcurrency !== undefined) out.Concurrency = { ReservedConcurrentExecutions: fn.spec.reservedConcurrency };
    return out;
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
    this.fn(name);
    const v = this.store.getVersion(this.opts.namespace, name, version);
    if (!v) throw notFound(`Function not found: ${functionArn(this.opts.arn, name, version)}`);
    return this.configuration(name, v.spec.function, version, v, v.spec.description ?? '');
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
