// HTTP routes of the Lambda management calls: functions, versions and aliases (and, installed with them, the event invoke
// config and the layer calls), over a FunctionCatalog.
import type { Express, Request, Response } from 'express';
import { invalidParameter, preconditionFailed } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { sendJson } from '../aws-response.js';
import type { RouteInstaller } from '../app.js';
import { need, type AliasInput, type AliasUpdate, type FunctionCatalog } from './catalog.js';
import { eventInvokeConfigRoutes } from './event-invoke-config.js';
import type { EventSourceMappingBackend } from './event-source-mappings-backend.js';
import { eventSourceMappingRoutes } from './event-source-mappings.js';
import { functionUrlConfigRoutes, type FunctionUrlStore } from './function-urls.js';
import { layerRoutes } from './layers.js';
import { paginate } from './paginate.js';
import { fnName, jsonBody, query } from './request-params.js';
import { MAX_CODE_REQUEST_BYTES } from '../../code/package-limits.js';
import { configurationInput, createFunctionInput, str, updateCodeInput } from './function-input.js';
import { parseFunctionName } from '../../core/arn.js';
import type { CodeLocations } from './code-location.js';

const BASE = '/2015-03-31/functions';

function routingConfig(body: Record<string, unknown>): AliasInput['RoutingConfig'] {
  const rc = body.RoutingConfig;
  if (rc === undefined || rc === null) return undefined;
  if (typeof rc !== 'object' || Array.isArray(rc)) throw invalidParameter('RoutingConfig must be an object');
  const weights = (rc as Record<string, unknown>).AdditionalVersionWeights;
  if (weights === undefined || weights === null) return {};
  if (typeof weights !== 'object' || Array.isArray(weights)) throw invalidParameter('AdditionalVersionWeights must be a map of version to weight');
  for (const [k, w] of Object.entries(weights)) if (typeof w !== 'number') throw invalidParameter(`The weight of version ${k} must be a number`);
  return { AdditionalVersionWeights: weights as Record<string, number> };
}

/**
 * `catalog` may be chosen per request: on a cluster, the caller's namespace and account (see router/auth).
 * `locations`: signs GetFunction's Code.Location (served by codeLocationRoutes); without it there is none.
 * `mappings`: the caller's EventSourceMapping objects (the folder, or the namespace on a cluster); without it the event
 * source mapping calls answer that they are not available here.
 * `urls`: where the caller's Function URL configs live (the folder, or the namespace on a cluster); without it there are
 * no Function URL calls. `urlDomain`: the domain of their host names (default localhost).
 */
export function managementRoutes(
  catalog: FunctionCatalog | ((req: Request) => FunctionCatalog), _logger: Logger, locations?: CodeLocations,
  mappings?: (req: Request) => EventSourceMappingBackend, urls?: (req: Request) => FunctionUrlStore, urlDomain?: string,
): RouteInstaller {
  const cat = (req: Request): FunctionCatalog => (typeof catalog === 'function' ? catalog(req) : catalog);
  const name = (req: Request, action: string, allowQualifier = false) => fnName(req, cat(req).arn, `lambda:${action}`, allowQualifier);
  const tagged = (req: Request, action: string) => parseFunctionName(String(req.params.arn), undefined, cat(req).arn, `lambda:${action}`).name;
  return (app: Express) => {
    eventInvokeConfigRoutes(cat)(app);
    layerRoutes(cat, locations)(app);
    eventSourceMappingRoutes(cat, mappings)(app);
    if (urls) functionUrlConfigRoutes(urls, urlDomain ? { domain: urlDomain } : {})(app);
    app.post([`${BASE}`, `${BASE}/`], async (req: Request, res: Response) => {
      const input = createFunctionInput(await jsonBody(req, MAX_CODE_REQUEST_BYTES));
      sendJson(res, 201, await need(cat(req), 'createFunction', 'CreateFunction')(input));
    });
    app.put(`${BASE}/:name/code`, async (req: Request, res: Response) => {
      const ref = name(req, 'UpdateFunctionCode');
      const input = updateCodeInput(await jsonBody(req, MAX_CODE_REQUEST_BYTES));
      sendJson(res, 200, await need(cat(req), 'updateFunctionCode', 'UpdateFunctionCode')(ref.name, input));
    });
    app.put(`${BASE}/:name/configuration`, async (req: Request, res: Response) => {
      const ref = name(req, 'UpdateFunctionConfiguration');
      const body = await jsonBody(req);
      const revision = str(body, 'RevisionId');
      sendJson(res, 200, await need(cat(req), 'updateFunctionConfiguration', 'UpdateFunctionConfiguration')(ref.name, configurationInput(body), revision));
    });
    app.delete(`${BASE}/:name`, async (req: Request, res: Response) => {
      const ref = name(req, 'DeleteFunction', true);
      await need(cat(req), 'deleteFunction', 'DeleteFunction')(ref.name, ref.qualifier);
      res.status(204).end();
    });
    app.get('/2017-03-31/tags/:arn', async (req: Request, res: Response) => {
      sendJson(res, 200, { Tags: await need(cat(req), 'listTags', 'ListTags')(tagged(req, 'ListTags')) });
    });
    app.post('/2017-03-31/tags/:arn', async (req: Request, res: Response) => {
      const body = await jsonBody(req);
      const tags = body.Tags;
      if (typeof tags !== 'object' || tags === null || Array.isArray(tags) || Object.values(tags).some((v) => typeof v !== 'string')) {
        throw invalidParameter('Tags must be a map of strings');
      }
      await need(cat(req), 'tagResource', 'TagResource')(tagged(req, 'TagResource'), tags as Record<string, string>);
      res.status(204).end();
    });
    app.delete('/2017-03-31/tags/:arn', async (req: Request, res: Response) => {
      const raw = req.query.tagKeys;
      const keys = raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map(String);
      await need(cat(req), 'untagResource', 'UntagResource')(tagged(req, 'UntagResource'), keys);
      res.status(204).end();
    });
    app.get('/2016-08-19/account-settings', async (req: Request, res: Response) => {
      sendJson(res, 200, await accountSettings(cat(req)));
    });
    app.get([`${BASE}`, `${BASE}/`], async (req: Request, res: Response) => {
      const page = paginate(await cat(req).listFunctions(), query(req, 'Marker'), query(req, 'MaxItems'));
      sendJson(res, 200, { Functions: page.items, ...(page.next ? { NextMarker: page.next } : {}) });
    });
    app.get(`${BASE}/:name`, async (req: Request, res: Response) => {
      const ref = name(req, 'GetFunction', true);
      const c = cat(req);
      const out = await c.getFunction(ref.name, ref.qualifier);
      if (locations && c.functionCode && out.Configuration.PackageType === 'Zip') {
        out.Code = { RepositoryType: 'S3', Location: locations.url(req, c.arn.accountId, ref.name, ref.qualifier) };
      }
      sendJson(res, 200, out);
    });
    app.get(`${BASE}/:name/configuration`, async (req: Request, res: Response) => {
      const ref = name(req, 'GetFunctionConfiguration', true);
      sendJson(res, 200, (await cat(req).getFunction(ref.name, ref.qualifier)).Configuration);
    });
    app.post(`${BASE}/:name/versions`, async (req: Request, res: Response) => {
      const body = await jsonBody(req);
      const input: { Description?: string; CodeSha256?: string } = {};
      const description = str(body, 'Description');
      const sha = str(body, 'CodeSha256');
      if (description !== undefined) input.Description = description;
      if (sha !== undefined) input.CodeSha256 = sha;
      const fn = name(req, 'PublishVersion').name;
      const c = cat(req);
      // RevisionId: publish only if $LATEST is still the revision the caller read (AWS's PreconditionFailedException)
      const revision = str(body, 'RevisionId');
      if (revision !== undefined && (await c.getFunction(fn)).Configuration.RevisionId !== revision) throw preconditionFailed();
      sendJson(res, 201, await c.publishVersion(fn, input));
    });
    app.get(`${BASE}/:name/versions`, async (req: Request, res: Response) => {
      const page = paginate(await cat(req).listVersions(name(req, 'ListVersionsByFunction').name), query(req, 'Marker'), query(req, 'MaxItems'));
      sendJson(res, 200, { Versions: page.items, ...(page.next ? { NextMarker: page.next } : {}) });
    });
    app.post(`${BASE}/:name/aliases`, async (req: Request, res: Response) => {
      const body = await jsonBody(req);
      const input: AliasInput = { Name: str(body, 'Name', true), FunctionVersion: str(body, 'FunctionVersion', true) };
      const description = str(body, 'Description');
      if (description !== undefined) input.Description = description;
      const rc = routingConfig(body);
      if (rc) input.RoutingConfig = rc;
      sendJson(res, 201, await cat(req).createAlias(name(req, 'CreateAlias').name, input));
    });
    app.get(`${BASE}/:name/aliases`, async (req: Request, res: Response) => {
      const all = await cat(req).listAliases(name(req, 'ListAliases').name, query(req, 'FunctionVersion'));
      const page = paginate(all, query(req, 'Marker'), query(req, 'MaxItems'));
      sendJson(res, 200, { Aliases: page.items, ...(page.next ? { NextMarker: page.next } : {}) });
    });
    app.get(`${BASE}/:name/aliases/:alias`, async (req: Request, res: Response) => {
      sendJson(res, 200, await cat(req).getAlias(name(req, 'GetAlias').name, String(req.params.alias)));
    });
    app.put(`${BASE}/:name/aliases/:alias`, async (req: Request, res: Response) => {
      const body = await jsonBody(req);
      const update: AliasUpdate = {};
      const version = str(body, 'FunctionVersion');
      const description = str(body, 'Description');
      const rc = routingConfig(body);
      if (version !== undefined) update.FunctionVersion = version;
      if (description !== undefined) update.Description = description;
      if (rc) update.RoutingConfig = rc;
      sendJson(res, 200, await cat(req).updateAlias(name(req, 'UpdateAlias').name, String(req.params.alias), update));
    });
    app.delete(`${BASE}/:name/aliases/:alias`, async (req: Request, res: Response) => {
      await cat(req).deleteAlias(name(req, 'DeleteAlias').name, String(req.params.alias));
      res.status(204).end();
    });
  };
}

/** Lambda's account limits, and what the catalog's functions use of them. */
async function accountSettings(c: FunctionCatalog): Promise<Record<string, unknown>> {
  const functions = await c.listFunctions();
  let total = 0;
  let reserved = 0;
  for (const f of functions) {
    for (const v of await c.listVersions(f.FunctionName)) total += v.CodeSize;
    reserved += (await c.getFunction(f.FunctionName)).Concurrency?.ReservedConcurrentExecutions ?? 0;
  }
  return {
    AccountLimit: {
      TotalCodeSize: 80_530_636_800, CodeSizeUnzipped: 262_144_000, CodeSizeZipped: 52_428_800,
      ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: Math.max(0, 1000 - reserved),
    },
    AccountUsage: { TotalCodeSize: total, FunctionCount: functions.length },
  };
}
