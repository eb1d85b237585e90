// The Lambda management API on a cluster: reads Function/FunctionVersion/Alias objects, publishes, writes aliases and async settings through the API server.
import * as calls from './event-invoke-config-calls.js';
import type { AsyncConfigStore } from './event-invoke-config-calls.js';
import { aliasObjectName, type AliasSpec } from '../../api/alias.js';
import { codeSha256, codeSize, type ResolvedCode } from '../../api/code.js';
import { API_VERSION } from '../../api/common.js';
import type { FunctionConfig, FunctionSpec } from '../../api/function.js';
import type { FunctionVersionSpec } from '../../api/function-version.js';
import { checkObject } from '../../api/parse.js';
import { functionArn, type ArnContext } from '../../core/arn.js';
import { conflict, invalidParameter, notFound } from '../../core/errors.js';
import {
  classifyQualifier, differsFromDefaults, hasEventInvokeConfig, qualifierOf, settingsOf,
  versionConfigIsFixed, type EventInvokeConfigInput, type EventInvokeQualifier, type WrittenAsync,
} from '../../core/event-invoke-config.js';
import { isConflict, isNotFound, type KubeClient } from '../../kube/client.js';
import { resolveClusterCode } from '../../controller/cluster-code.js';
import { checkStored, klambdaPath, type Stored } from '../../controller/kinds.js';
import { listVersions, publishFunctionVersion } from '../../controller/publish.js';
import type {
  AliasConfiguration, AliasInput, AliasUpdate, FunctionCatalog, FunctionConfiguration, FunctionEventInvokeConfig, GetFunctionOutput,
} from './catalog.js';
import { aliasConfiguration, eventInvokeConfiguration, functionConfiguration } from './function-configuration.js';

/**
 * Set by the event invoke config calls on the Function or Alias they change: when (ISO time), the config's
 * LastModified. On a Function it also says "configured": the API server fills spec.async's defaults in on every
 * Function, so a config that is all defaults would otherwise look like none.
 */
export const EVENT_INVOKE_CONFIG_MODIFIED = 'klambda.dev/event-invoke-config-modified';

export interface KubeCatalogOptions { namespace: string; arn: ArnContext }

interface List<T> { items: T[] }

export class KubeCatalog implements FunctionCatalog {
  constructor(private readonly client: KubeClient, private readonly opts: KubeCatalogOptions) {}

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
    const out: GetFunctionOutput = {
      Configuration: configuration,
      Code: spec.code.image !== undefined ? { RepositoryType: 'ECR', ImageUri: spec.code.image } : { RepositoryType: 'S3', Location: `k8s://${this.ns}/functions/${name}` },
    };
    if (spec.reservedConcurrency !== undefined) out.Concurrency = { ReservedConcurrentExecutions: spec.reservedConcurrency };
    return out;
  }

  async publishVersion(name: string, input: { Description?: string; CodeSha256?: string }): Promise<FunctionConfiguration> {
    const { object, spec } = await this.fn(name);
    const { version } = await publishFunctionVersion(this.client, object, spec, {
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.CodeSha256 !== undefined ? { codeSha256: input.CodeSha256 } : {}),
    });
    return this.versionView(name, version);
  }

  async listVersions(name: string): Promise<FunctionConfiguration[]> {
    const latest = await this.latest(name);
    const versions = await listVersions(this.client, this.ns, name);
    return [latest, ...versions.map((v) => this.versionView(name, v))];
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
      const v = (await listVersions(this.client, this.ns, name)).find((x) => x.spec.version === q.version);
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
    const published = new Set((await listVersions(this.client, this.ns, name)).map((v) => v.spec.version));
    for (const v of [spec.functionVersion, ...Object.keys(spec.routingConfig?.additionalVersionWeights ?? {})]) {
      if (v !== '$LATEST' && !published.has(v)) throw notFound(`Function not found: ${functionArn(this.opts.arn, name, v)}`);
    }
  }

  private async latest(name: string): Promise<FunctionConfiguration> {
    const { object, spec } = await this.fn(name);
    return this.configuration(name, spec, '$LATEST', object.metadata.creationTimestamp);
  }

  private async version(name: string, version: string): Promise<FunctionConfiguration> {
    const found = (await listVersions(this.client, this.ns, name)).find((v) => v.spec.version === version);
    if (!found) throw notFound(`Function not found: ${functionArn(this.opts.arn, name, version)}`);
    return this.versionView(name, found);
  }

  private versionView(name: string, v: Stored<FunctionVersionSpec>): FunctionConfiguration {
    const checked = checkStored<FunctionVersionSpec>(v);
    const spec = checked.ok ? checked.spec : v.spec;
    const inline = spec.function.code.inline;
    return functionConfiguration(this.opts.arn, this.ns, name, spec.function, {
      version: spec.version, codeSha256: spec.codeSha256,
      codeSize: inline ? codeSize({ kind: 'files', files: inline }) : 0,
      lastModified: v.metadata.creationTimestamp ?? new Date().toISOString(),
      description: spec.description ?? '',
    });
  }

  private async configuration(name: string, spec: FunctionConfig, version: string, modified: string | undefined): Promise<FunctionConfiguration> {
    let code: ResolvedCode | undefined;
    try { code = await resolveClusterCode(this.client, this.ns, spec.code); } catch { code = undefined; }
    return functionConfiguration(this.opts.arn, this.ns, name, spec, {
      version, codeSha256: code ? codeSha256(code) : '', codeSize: code ? codeSize(code) : 0,
      lastModified: modified ?? new Date().toISOString(),
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

/**
 * A Function's spec.async as the event invoke config calls see it. The API server has filled its defaults in, so it
 * holds a config when our annotation says one was put, or when it says more than the defaults (written with kubectl);
 * otherwise only its dead letter counts.
 */
function writtenFunctionAsync(object: Stored<unknown>, spec: FunctionSpec): WrittenAsync | undefined {
  if (object.metadata.annotations?.[EVENT_INVOKE_CONFIG_MODIFIED] !== undefined || differsFromDefaults(spec.async)) return spec.async;
  return spec.async.deadLetter !== undefined ? { deadLetter: spec.async.deadLetter } : undefined;
}
