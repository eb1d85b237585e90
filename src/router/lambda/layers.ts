// HTTP routes of the Lambda layer calls (PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers,
// ListLayerVersions, DeleteLayerVersion) over a FunctionCatalog, and the reading of their inputs with Lambda's checks.
import type { Express, Request, Response } from 'express';
import { MAX_CODE_REQUEST_BYTES } from '../../code/package-limits.js';
import { invalidParameter } from '../../core/errors.js';
import { parseLayerName, parseLayerVersionArn, parseLayerVersionNumber, validationError } from '../../core/layer-arn.js';
import { ARCHITECTURES } from '../../api/layer.js';
import { sendJson } from '../aws-response.js';
import { need, type FunctionCatalog } from './catalog.js';
import type { CodeLocations } from './code-location.js';
import { codeInput, str } from './function-input.js';
import type { LayerFilter, LayerVersionOutput, PublishLayerVersionInput } from './layer-configuration.js';
import { paginate } from './paginate.js';
import { jsonBody, query } from './request-params.js';

const BASE = '/2018-10-31/layers';

/** Lambda's runtime identifiers (its model's Runtime enum): what CompatibleRuntimes and the CompatibleRuntime filter take. */
export const LAMBDA_RUNTIMES = [
  'nodejs', 'nodejs4.3', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x', 'java8', 'java8.al2', 'java11',
  'python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'dotnet6',
  'dotnet8', 'nodejs4.3-edge', 'go1.x', 'ruby2.5', 'ruby2.7', 'provided', 'provided.al2', 'nodejs18.x', 'python3.10', 'java17', 'ruby3.2',
  'ruby3.3', 'ruby3.4', 'python3.11', 'nodejs20.x', 'provided.al2023', 'python3.12', 'java21', 'python3.13', 'nodejs22.x', 'nodejs24.x',
  'python3.14', 'java25', 'dotnet10', 'ruby4.0',
] as const;

const enumError = (value: string, at: string, values: readonly string[]) =>
  validationError(`1 validation error detected: Value '${value.slice(0, 256)}' at '${at}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`);

/** A list of enum values (CompatibleRuntimes, CompatibleArchitectures), at most `max`. */
function enumList(body: Record<string, unknown>, key: string, values: readonly string[], max: number): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  const at = `${key[0]!.toLowerCase()}${key.slice(1)}`;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw validationError(`${key} must be a list of strings`);
  if (v.length > max) throw validationError(`1 validation error detected: Value '[${v.join(', ')}]' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  for (const x of v as string[]) if (!values.includes(x)) throw enumError(x, `${at}.member`, values);
  return v as string[];
}

function bounded(body: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = str(body, key);
  if (v !== undefined && v.length > max) {
    throw validationError(`1 validation error detected: Value '${v.slice(0, 64)}...' at '${key[0]!.toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  }
  return v;
}

/** PublishLayerVersion's body: Content (ZipFile, or S3Bucket + S3Key), Description, CompatibleRuntimes/Architectures, LicenseInfo. */
export function publishLayerInput(name: string, body: Record<string, unknown>): PublishLayerVersionInput {
  const content = body.Content;
  if (content === undefined || content === null) throw validationError("1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null");
  if (typeof content !== 'object' || Array.isArray(content)) throw invalidParameter('Content must be an object');
  const c = content as Record<string, unknown>;
  if (c.ImageUri !== undefined) throw invalidParameter('A layer is a zip archive: give Content.ZipFile, or Content.S3Bucket and Content.S3Key');
  if (str(c, 'ZipFile') === undefined && str(c, 'S3Bucket') === undefined && str(c, 'S3Key') === undefined) {
    throw invalidParameter('Please provide a source for the layer: Content.ZipFile, or Content.S3Bucket and Content.S3Key.');
  }
  const input: PublishLayerVersionInput = { name, code: codeInput(c) };
  const description = bounded(body, 'Description', 256);
  const license = bounded(body, 'LicenseInfo', 512);
  const runtimes = enumList(body, 'CompatibleRuntimes', LAMBDA_RUNTIMES, 15);
  const architectures = enumList(body, 'CompatibleArchitectures', ARCHITECTURES, 2);
  if (description !== undefined) input.description = description;
  if (license !== undefined) input.licenseInfo = license;
  if (runtimes !== undefined) input.compatibleRuntimes = runtimes;
  if (architectures !== undefined) input.compatibleArchitectures = architectures;
  return input;
}

/** ListLayers' and ListLayerVersions' CompatibleRuntime / CompatibleArchitecture query parameters. */
export function layerFilter(req: Request): LayerFilter {
  const filter: LayerFilter = {};
  const runtime = query(req, 'CompatibleRuntime');
  const arch = query(req, 'CompatibleArchitecture');
  if (runtime !== undefined) {
    if (!(LAMBDA_RUNTIMES as readonly string[]).includes(runtime)) throw enumError(runtime, 'compatibleRuntime', LAMBDA_RUNTIMES);
    filter.compatibleRuntime = runtime;
  }
  if (arch !== undefined) {
    if (!(ARCHITECTURES as readonly string[]).includes(arch)) throw enumError(arch, 'compatibleArchitecture', ARCHITECTURES);
    filter.compatibleArchitecture = arch;
  }
  return filter;
}

/** `locations` signs each version's Content.Location (served by codeLocationRoutes); without it there is none. */
export function layerRoutes(cat: (req: Request) => FunctionCatalog, locations?: CodeLocations): (app: Express) => void {
  const withLocation = (req: Request, c: FunctionCatalog, out: LayerVersionOutput, name: string): LayerVersionOutput => {
    if (locations && c.layerVersionCode) out.Content.Location = locations.layerUrl(req, c.arn.accountId, name, out.Version);
    return out;
  };
  const layerName = (req: Request, action: string) => parseLayerName(String(req.params.layer), cat(req).arn, `lambda:${action}`);
  return (app: Express) => {
    app.get([BASE, `${BASE}/`], async (req: Request, res: Response) => {
      const c = cat(req);
      if (query(req, 'find') === 'LayerVersion') {
        const { name, version } = parseLayerVersionArn(query(req, 'Arn'), c.arn);
        sendJson(res, 200, withLocation(req, c, await need(c, 'getLayerVersion', 'GetLayerVersionByArn')(name, version), name));
        return;
      }
      const page = paginate(await need(c, 'listLayers', 'ListLayers')(layerFilter(req)), query(req, 'Marker'), query(req, 'MaxItems'));
      sendJson(res, 200, { Layers: page.items, ...(page.next ? { NextMarker: page.next } : {}) });
    });
    app.post(`${BASE}/:layer/versions`, async (req: Request, res: Response) => {
      const name = layerName(req, 'PublishLayerVersion');
      const input = publishLayerInput(name, await jsonBody(req, MAX_CODE_REQUEST_BYTES));
      const c = cat(req);
      sendJson(res, 201, withLocation(req, c, await need(c, 'publishLayerVersion', 'PublishLayerVersion')(input), name));
    });
    app.get(`${BASE}/:layer/versions`, async (req: Request, res: Response) => {
      const name = layerName(req, 'ListLayerVersions');
      const c = cat(req);
      const page = paginate(await need(c, 'listLayerVersions', 'ListLayerVersions')(name, layerFilter(req)), query(req, 'Marker'), query(req, 'MaxItems'));
      sendJson(res, 200, { LayerVersions: page.items, ...(page.next ? { NextMarker: page.next } : {}) });
    });
    app.get(`${BASE}/:layer/versions/:version`, async (req: Request, res: Response) => {
      const name = layerName(req, 'GetLayerVersion');
      const version = parseLayerVersionNumber(String(req.params.version));
      const c = cat(req);
      sendJson(res, 200, withLocation(req, c, await need(c, 'getLayerVersion', 'GetLayerVersion')(name, version), name));
    });
    app.delete(`${BASE}/:layer/versions/:version`, async (req: Request, res: Response) => {
      const name = layerName(req, 'DeleteLayerVersion');
      const version = parseLayerVersionNumber(String(req.params.version));
      await need(cat(req), 'deleteLayerVersion', 'DeleteLayerVersion')(name, version);
      res.status(204).end();
    });
  };
}
