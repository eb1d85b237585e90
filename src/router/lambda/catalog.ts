// The Lambda management API's view of functions, versions and aliases, in AWS's response shapes.
import type { ArnContext } from '../../core/arn.js';
import { KlambdaError } from '../../core/errors.js';
import type { EventInvokeConfigInput } from '../../core/event-invoke-config.js';
import type { ConfigurationInput, CreateFunctionInput, UpdateCodeInput } from './function-input.js';
import type { LayerFilter, LayersListItem, LayerVersionOutput, LayerVersionsListItem, PublishLayerVersionInput } from './layer-configuration.js';

export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  Environment?: { Variables: Record<string, string> };
  /** The function's layers, in order (absent without layers). */
  Layers?: { Arn: string; CodeSize: number }[];
  TracingConfig: { Mode: 'PassThrough' };
  RevisionId: string;
  State: 'Pending' | 'Active' | 'Failed';
  StateReason?: string;
  StateReasonCode?: string;
  LastUpdateStatus: 'InProgress' | 'Successful' | 'Failed';
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
  PackageType: 'Zip' | 'Image';
  Architectures: ['x86_64'];
  EphemeralStorage: { Size: number };
}

export interface AliasConfiguration {
  AliasArn: string;
  Name: string;
  FunctionVersion: string;
  Description: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
  RevisionId: string;
}

export interface GetFunctionOutput {
  Configuration: FunctionConfiguration;
  Code: { RepositoryType: string; Location?: string; ImageUri?: string };
  Tags?: Record<string, string>;
  Concurrency?: { ReservedConcurrentExecutions: number };
}

export interface AliasInput {
  Name: string;
  FunctionVersion: string;
  Description?: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
}

export type AliasUpdate = Partial<Omit<AliasInput, 'Name'>>;

/** AWS's FunctionEventInvokeConfig: the async settings of $LATEST, a version or an alias. */
export interface FunctionEventInvokeConfig {
  /** Epoch seconds (the SDK reads a timestamp number for this API). */
  LastModified: number;
  /** Qualified: `…:function:NAME:$LATEST`, `…:NAME:1`, `…:NAME:ALIAS`. */
  FunctionArn: string;
  MaximumRetryAttempts: number;
  MaximumEventAgeInSeconds: number;
  DestinationConfig: { OnSuccess: { Destination?: string }; OnFailure: { Destination?: string } };
}

/** Implemented over the manifest folder (local mode) and over the CRDs (cluster). Errors are KlambdaErrors. */
export interface FunctionCatalog {
  /** The region and account of the functions it holds; a name with another region or account is refused. */
  readonly arn: ArnContext;
  listFunctions(): Promise<FunctionConfiguration[]>;
  getFunction(name: string, qualifier?: string): Promise<GetFunctionOutput>;
  publishVersion(name: string, input: { Description?: string; CodeSha256?: string }): Promise<FunctionConfiguration>;
  listVersions(name: string): Promise<FunctionConfiguration[]>;
  createAlias(name: string, input: AliasInput): Promise<AliasConfiguration>;
  getAlias(name: string, alias: string): Promise<AliasConfiguration>;
  updateAlias(name: string, alias: string, update: AliasUpdate): Promise<AliasConfiguration>;
  deleteAlias(name: string, alias: string): Promise<void>;
  listAliases(name: string, functionVersion?: string): Promise<AliasConfiguration[]>;
  /** Qualifier: none or $LATEST (the Function's spec.async), an alias (its spec.async); a version is refused (400). */
  putEventInvokeConfig(name: string, qualifier: string | undefined, input: EventInvokeConfigInput): Promise<FunctionEventInvokeConfig>;
  /** As put, but merges into the config there is (404 when there is none). */
  updateEventInvokeConfig(name: string, qualifier: string | undefined, input: EventInvokeConfigInput): Promise<FunctionEventInvokeConfig>;
  /** Also a published version's: the config it was published with. */
  getEventInvokeConfig(name: string, qualifier: string | undefined): Promise<FunctionEventInvokeConfig>;
  deleteEventInvokeConfig(name: string, qualifier: string | undefined): Promise<void>;
  /** $LATEST's config and each alias's, those that have one. */
  listEventInvokeConfigs(name: string): Promise<FunctionEventInvokeConfig[]>;

  // The writes of functions; a catalog without them answers that the operation is not available there.
  createFunction?(input: CreateFunctionInput): Promise<FunctionConfiguration>;
  /** With Publish, the configuration of the version published. */
  updateFunctionCode?(name: string, input: UpdateCodeInput): Promise<FunctionConfiguration>;
  updateFunctionConfiguration?(name: string, input: ConfigurationInput, revisionId?: string): Promise<FunctionConfiguration>;
  /** Qualifier: a version to delete; none deletes the function with its versions and aliases. */
  deleteFunction?(name: string, qualifier?: string): Promise<void>;
  /** The zip of $LATEST or a version, for GetFunction's Code.Location. */
  functionCode?(name: string, qualifier?: string): Promise<NodeJS.ReadableStream>;
  listTags?(name: string): Promise<Record<string, string>>;
  tagResource?(name: string, tags: Record<string, string>): Promise<void>;
  untagResource?(name: string, keys: string[]): Promise<void>;

  // Layers; a catalog without them answers that the operation is not available there.
  publishLayerVersion?(input: PublishLayerVersionInput): Promise<LayerVersionOutput>;
  /** ResourceNotFoundException for a layer or version it does not have. */
  getLayerVersion?(name: string, version: number): Promise<LayerVersionOutput>;
  /** Each layer with its newest version that passes the filter; layers with none are left out. */
  listLayers?(filter: LayerFilter): Promise<LayersListItem[]>;
  /** Newest first; empty for a layer it does not have. */
  listLayerVersions?(name: string, filter: LayerFilter): Promise<LayerVersionsListItem[]>;
  /** Nothing to delete is no error (Lambda's DeleteLayerVersion is idempotent). */
  deleteLayerVersion?(name: string, version: number): Promise<void>;
  /** The zip of a layer version, for its Content.Location. */
  layerVersionCode?(name: string, version: number): Promise<NodeJS.ReadableStream>;
}

/** A catalog's optional call, or AWS's answer that the operation is not there. */
export function need<K extends keyof FunctionCatalog>(c: FunctionCatalog, key: K, operation: string): NonNullable<FunctionCatalog[K]> {
  const f = c[key];
  if (typeof f !== 'function') throw new KlambdaError(400, 'InvalidParameterValueException', `${operation} is not available here yet`);
  return (f as (...a: unknown[]) => unknown).bind(c) as NonNullable<FunctionCatalog[K]>;
}
