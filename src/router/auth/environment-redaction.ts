// A function's Environment.Variables are shown only to keys allowed lambda:GetFunction on it: a FunctionCatalog view per caller.
import type { ArnContext } from '../../core/arn.js';
import type { EventInvokeConfigInput } from '../../core/event-invoke-config.js';
import { isAllowed, type PolicyDocument } from '../../core/iam-policy.js';
import type {
  AliasConfiguration, AliasInput, AliasUpdate, FunctionCatalog, FunctionConfiguration, FunctionEventInvokeConfig, GetFunctionOutput,
} from '../lambda/catalog.js';
import type { Principal } from './principal.js';

function redact(policy: PolicyDocument, config: FunctionConfiguration): FunctionConfiguration {
  if (config.Environment === undefined || isAllowed(policy, 'lambda:GetFunction', config.FunctionArn)) return config;
  const { Environment: _hidden, ...rest } = config;
  return rest;
}

class RedactingCatalog implements FunctionCatalog {
  createFunction?: FunctionCatalog['createFunction'];
  updateFunctionCode?: FunctionCatalog['updateFunctionCode'];
  updateFunctionConfiguration?: FunctionCatalog['updateFunctionConfiguration'];
  deleteFunction?: FunctionCatalog['deleteFunction'];
  functionCode?: FunctionCatalog['functionCode'];
  listTags?: FunctionCatalog['listTags'];
  tagResource?: FunctionCatalog['tagResource'];
  untagResource?: FunctionCatalog['untagResource'];
  publishLayerVersion?: FunctionCatalog['publishLayerVersion'];
  getLayerVersion?: FunctionCatalog['getLayerVersion'];
  listLayers?: FunctionCatalog['listLayers'];
  listLayerVersions?: FunctionCatalog['listLayerVersions'];
  deleteLayerVersion?: FunctionCatalog['deleteLayerVersion'];
  layerVersionCode?: FunctionCatalog['layerVersionCode'];

  constructor(private readonly inner: FunctionCatalog, private readonly policy: PolicyDocument) {
    // the writes the inner catalog has, their answers redacted like the reads'
    const { createFunction, updateFunctionCode, updateFunctionConfiguration, deleteFunction, functionCode, listTags, tagResource, untagResource } = inner;
    if (createFunction) this.createFunction = async (input) => this.one(await createFunction.call(inner, input));
    if (updateFunctionCode) this.updateFunctionCode = async (name, input) => this.one(await updateFunctionCode.call(inner, name, input));
    if (updateFunctionConfiguration) this.updateFunctionConfiguration = async (name, input, rev) => this.one(await updateFunctionConfiguration.call(inner, name, input, rev));
    if (deleteFunction) this.deleteFunction = deleteFunction.bind(inner);
    if (functionCode) this.functionCode = functionCode.bind(inner);
    if (listTags) this.listTags = listTags.bind(inner);
    if (tagResource) this.tagResource = tagResource.bind(inner);
    if (untagResource) this.untagResource = untagResource.bind(inner);
    // layers hold no environment: as the inner catalog has them
    if (inner.publishLayerVersion) this.publishLayerVersion = inner.publishLayerVersion.bind(inner);
    if (inner.getLayerVersion) this.getLayerVersion = inner.getLayerVersion.bind(inner);
    if (inner.listLayers) this.listLayers = inner.listLayers.bind(inner);
    if (inner.listLayerVersions) this.listLayerVersions = inner.listLayerVersions.bind(inner);
    if (inner.deleteLayerVersion) this.deleteLayerVersion = inner.deleteLayerVersion.bind(inner);
    if (inner.layerVersionCode) this.layerVersionCode = inner.layerVersionCode.bind(inner);
  }

  get arn(): ArnContext { return this.inner.arn; }

  private one = (c: FunctionConfiguration): FunctionConfiguration => redact(this.policy, c);

  async listFunctions(): Promise<FunctionConfiguration[]> { return (await this.inner.listFunctions()).map(this.one); }
  async getFunction(name: string, qualifier?: string): Promise<GetFunctionOutput> {
    const out = await this.inner.getFunction(name, qualifier);
    return { ...out, Configuration: this.one(out.Configuration) };
  }
  async publishVersion(name: string, input: { Description?: string; CodeSha256?: string }): Promise<FunctionConfiguration> { return this.one(await this.inner.publishVersion(name, input)); }
  async listVersions(name: string): Promise<FunctionConfiguration[]> { return (await this.inner.listVersions(name)).map(this.one); }
  createAlias(name: string, input: AliasInput): Promise<AliasConfiguration> { return this.inner.createAlias(name, input); }
  getAlias(name: string, alias: string): Promise<AliasConfiguration> { return this.inner.getAlias(name, alias); }
  updateAlias(name: string, alias: string, update: AliasUpdate): Promise<AliasConfiguration> { return this.inner.updateAlias(name, alias, update); }
  deleteAlias(name: string, alias: string): Promise<void> { return this.inner.deleteAlias(name, alias); }
  listAliases(name: string, functionVersion?: string): Promise<AliasConfiguration[]> { return this.inner.listAliases(name, functionVersion); }
  putEventInvokeConfig(name: string, qualifier: string | undefined, input: EventInvokeConfigInput): Promise<FunctionEventInvokeConfig> {
    return this.inner.putEventInvokeConfig(name, qualifier, input);
  }
  updateEventInvokeConfig(name: string, qualifier: string | undefined, input: EventInvokeConfigInput): Promise<FunctionEventInvokeConfig> {
    return this.inner.updateEventInvokeConfig(name, qualifier, input);
  }
  getEventInvokeConfig(name: string, qualifier: string | undefined): Promise<FunctionEventInvokeConfig> { return this.inner.getEventInvokeConfig(name, qualifier); }
  deleteEventInvokeConfig(name: string, qualifier: string | undefined): Promise<void> { return this.inner.deleteEventInvokeConfig(name, qualifier); }
  listEventInvokeConfigs(name: string): Promise<FunctionEventInvokeConfig[]> { return this.inner.listEventInvokeConfigs(name); }
}

/** The catalog as `principal` may see it: unchanged without a policy, else without the environment it may not read. */
export function catalogFor(catalog: FunctionCatalog, principal: Principal | undefined): FunctionCatalog {
  return principal?.policy ? new RedactingCatalog(catalog, principal.policy) : catalog;
}
