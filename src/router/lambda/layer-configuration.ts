// AWS's shapes of layer versions (PublishLayerVersion, GetLayerVersion, ListLayers, ListLayerVersions) and the inputs
// of the layer calls, built from a Layer's version spec (pure).
import type { LayerCode, LayerVersionSpec } from '../../api/layer.js';
import type { ArnContext } from '../../core/arn.js';
import { layerArn, layerVersionArn } from '../../core/layer-arn.js';
import { awsTimestamp } from './function-configuration.js';
import type { CodeInput } from './function-input.js';

export interface LayerVersionsListItem {
  LayerVersionArn: string;
  Version: number;
  Description: string;
  /** 2018-11-27T15:10:45.123+0000 */
  CreatedDate: string;
  CompatibleRuntimes?: string[];
  LicenseInfo?: string;
  CompatibleArchitectures?: string[];
}

/** GetLayerVersion's, GetLayerVersionByArn's and PublishLayerVersion's answer. */
export interface LayerVersionOutput extends LayerVersionsListItem {
  LayerArn: string;
  /** Location: a signed download link, filled in by the route. */
  Content: { Location?: string; CodeSha256: string; CodeSize: number };
}

export interface LayersListItem {
  LayerName: string;
  LayerArn: string;
  LatestMatchingVersion: LayerVersionsListItem;
}

export interface PublishLayerVersionInput {
  name: string;
  code: CodeInput;
  description?: string;
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  licenseInfo?: string;
}

/** ListLayers' and ListLayerVersions' filters. */
export interface LayerFilter {
  compatibleRuntime?: string;
  compatibleArchitecture?: string;
}

/** What the spec does not say about a version: its zip and, without a createdDate, when its manifest was written. */
export interface LayerVersionFacts {
  codeSha256: string;
  codeSize: number;
  /** ISO time, when the spec has no createdDate. */
  createdDate: string;
}

export function layerVersionsListItem(ctx: ArnContext, name: string, v: LayerVersionSpec, createdDate: string): LayerVersionsListItem {
  const item: LayerVersionsListItem = {
    LayerVersionArn: layerVersionArn(ctx, name, v.version),
    Version: v.version,
    Description: v.description ?? '',
    CreatedDate: awsTimestamp(new Date(Date.parse(v.createdDate ?? '') || Date.parse(createdDate) || 0).toISOString()),
  };
  if (v.compatibleRuntimes && v.compatibleRuntimes.length > 0) item.CompatibleRuntimes = [...v.compatibleRuntimes];
  if (v.licenseInfo !== undefined) item.LicenseInfo = v.licenseInfo;
  if (v.compatibleArchitectures && v.compatibleArchitectures.length > 0) item.CompatibleArchitectures = [...v.compatibleArchitectures];
  return item;
}

export function layerVersionOutput(ctx: ArnContext, name: string, v: LayerVersionSpec, facts: LayerVersionFacts): LayerVersionOutput {
  return {
    Content: { CodeSha256: facts.codeSha256, CodeSize: facts.codeSize },
    LayerArn: layerArn(ctx, name),
    ...layerVersionsListItem(ctx, name, v, facts.createdDate),
  };
}

export function layersListItem(ctx: ArnContext, name: string, latest: LayerVersionsListItem): LayersListItem {
  return { LayerName: name, LayerArn: layerArn(ctx, name), LatestMatchingVersion: latest };
}

/** Whether a version passes ListLayers' / ListLayerVersions' filters (a version that names none matches no filter). */
export function matchesLayerFilter(v: LayerVersionSpec, filter: LayerFilter): boolean {
  if (filter.compatibleRuntime !== undefined && !(v.compatibleRuntimes ?? []).includes(filter.compatibleRuntime)) return false;
  const architectures: readonly string[] = v.compatibleArchitectures ?? [];
  if (filter.compatibleArchitecture !== undefined && !architectures.includes(filter.compatibleArchitecture)) return false;
  return true;
}

/** A layer's versions, newest first (how ListLayerVersions and ListLayers see them). */
export const newestFirst = (versions: readonly LayerVersionSpec[]): LayerVersionSpec[] => [...versions].sort((a, b) => b.version - a.version);

/** A layer as the list calls read it: its name, versions, and when it was written (a version's CreatedDate when it has none). */
export interface ListedLayer {
  name: string;
  versions: readonly LayerVersionSpec[];
  written: string;
}

/** ListLayers: each layer with its newest version that passes the filter; layers with none are left out. */
export function listLayersItems(ctx: ArnContext, layers: readonly ListedLayer[], filter: LayerFilter): LayersListItem[] {
  const out: LayersListItem[] = [];
  for (const layer of layers) {
    const latest = newestFirst(layer.versions).find((v) => matchesLayerFilter(v, filter));
    if (latest) out.push(layersListItem(ctx, layer.name, layerVersionsListItem(ctx, layer.name, latest, layer.written)));
  }
  return out;
}

/** ListLayerVersions: a layer's versions that pass the filter, newest first. */
export function listLayerVersionsItems(ctx: ArnContext, layer: ListedLayer, filter: LayerFilter): LayerVersionsListItem[] {
  return newestFirst(layer.versions).filter((v) => matchesLayerFilter(v, filter)).map((v) => layerVersionsListItem(ctx, layer.name, v, layer.written));
}

/** What PublishLayerVersion records of a version besides its code. */
export type LayerVersionFields = Pick<PublishLayerVersionInput, 'description' | 'compatibleRuntimes' | 'compatibleArchitectures' | 'licenseInfo'>;

/** The version PublishLayerVersion appends to a Layer: number `version`, its zip at `code` with that digest, published `createdDate`. */
export function layerVersionEntry(version: number, input: LayerVersionFields, code: LayerCode, codeSha256: string, createdDate: string): LayerVersionSpec {
  return {
    version,
    ...(input.description ? { description: input.description } : {}),
    ...(input.compatibleRuntimes?.length ? { compatibleRuntimes: input.compatibleRuntimes } : {}),
    ...(input.compatibleArchitectures?.length ? { compatibleArchitectures: input.compatibleArchitectures as LayerVersionSpec['compatibleArchitectures'] } : {}),
    ...(input.licenseInfo !== undefined ? { licenseInfo: input.licenseInfo } : {}),
    code,
    codeSha256,
    createdDate,
  };
}
