// HTTP routes of the event source mapping calls (Create/List/Get/Update/DeleteEventSourceMapping) over an
// EventSourceMappingBackend, with the functions they name checked in the FunctionCatalog.
import { randomUUID } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { parseFunctionName, type ArnContext, type FunctionNameRef } from '../../core/arn.js';
import { invalidParameter, isAwsError, KlambdaError } from '../../core/errors.js';
import { sendJson } from '../aws-response.js';
import type { FunctionCatalog } from './catalog.js';
import { mappingNotFound, normalUuid, type EventSourceMappingBackend, type StoredMapping } from './event-source-mappings-backend.js';
import { mappingConfiguration, updateState } from './event-source-mappings-config.js';
import { createMappingRequest, updateMappingRequest } from './event-source-mappings-input.js';
import { checkNoDuplicate, createSpec, updatePatch } from './event-source-mappings-spec.js';
import { paginate } from './paginate.js';
import { jsonBody, query } from './request-params.js';

const BASE = '/2015-03-31/event-source-mappings';

/** Lambda's answer for a mapping of a function it does not have (Create and Update: 400, not 404). */
async function requireFunction(c: FunctionCatalog, f: FunctionNameRef): Promise<void> {
  try {
    await c.getFunction(f.name, f.qualifier);
  } catch (err) {
    if (isAwsError(err) && err.statusCode === 404) throw invalidParameter('Function does not exist');
    throw err;
  }
}

/** ListEventSourceMappings' filters: the function (a name matches its every qualifier; name:qualifier that one) and the source ARN. */
function listFilter(req: Request, ctx: ArnContext): (m: StoredMapping) => boolean {
  const fn = query(req, 'FunctionName');
  const source = query(req, 'EventSourceArn');
  const ref = fn === undefined || fn === '' ? undefined : parseFunctionName(fn, undefined, ctx, 'lambda:ListEventSourceMappings');
  return (m) => {
    if (source !== undefined && source !== '' && mappingConfiguration(ctx, m).EventSourceArn !== source) return false;
    if (!ref) return true;
    const [name, qualifier] = m.spec.functionName.split(':');
    return name === ref.name && (ref.qualifier === undefined || qualifier === ref.qualifier);
  };
}

/**
 * `mappings` gives the backend of the caller's namespace (the local folder, or the cluster's objects); without it the
 * calls answer that they are not available here. `cat` is the caller's catalog: its region and account, its functions.
 */
export function eventSourceMappingRoutes(cat: (req: Request) => FunctionCatalog, mappings?: (req: Request) => EventSourceMappingBackend): (app: Express) => void {
  const backend = (req: Request, operation: string): EventSourceMappingBackend => {
    if (!mappings) throw new KlambdaError(400, 'InvalidParameterValueException', `${operation} is not available here yet`);
    return mappings(req);
  };
  const uuidOf = (req: Request): string => {
    const uuid = normalUuid(String(req.params.uuid));
    if (uuid === undefined) throw mappingNotFound();
    return uuid;
  };
  return (app: Express) => {
    app.post([BASE, `${BASE}/`], async (req: Request, res: Response) => {
      const c = cat(req);
      const request = createMappingRequest(await jsonBody(req), c.arn);
      const spec = createSpec(request);
      const b = backend(req, 'CreateEventSourceMapping');
      await requireFunction(c, request.function);
      const created = await b.create(randomUUID(), spec, (others) => checkNoDuplicate(others, String(spec.functionName), request.source, c.arn));
      sendJson(res, 202, mappingConfiguration(c.arn, created, 'Creating'));
    });
    app.get([BASE, `${BASE}/`], async (req: Request, res: Response) => {
      const c = cat(req);
      const keep = listFilter(req, c.arn);
      const all = (await backend(req, 'ListEventSourceMappings').list()).filter(keep).sort((a, b) => a.uuid.localeCompare(b.uuid));
      const page = paginate(all, query(req, 'Marker'), query(req, 'MaxItems'));
      sendJson(res, 200, { EventSourceMappings: page.items.map((m) => mappingConfiguration(c.arn, m)), ...(page.next ? { NextMarker: page.next } : {}) });
    });
    app.get(`${BASE}/:uuid`, async (req: Request, res: Response) => {
      const found = await backend(req, 'GetEventSourceMapping').get(uuidOf(req));
      if (!found) throw mappingNotFound();
      sendJson(res, 200, mappingConfiguration(cat(req).arn, found));
    });
    app.put(`${BASE}/:uuid`, async (req: Request, res: Response) => {
      const c = cat(req);
      const uuid = uuidOf(req);
      const request = updateMappingRequest(await jsonBody(req), c.arn);
      const b = backend(req, 'UpdateEventSourceMapping');
      if (request.function) await requireFunction(c, request.function);
      let before: StoredMapping | undefined;
      const after = await b.update(uuid, (current, others) => {
        before = current;
        const patch = updatePatch(current.spec, request);
        if (typeof patch.functionName === 'string' && patch.functionName !== current.spec.functionName) {
          checkNoDuplicate(others, patch.functionName, current.spec.source, c.arn);
        }
        return patch;
      });
      sendJson(res, 202, mappingConfiguration(c.arn, after, before ? updateState(before.spec, after.spec) : 'Updating'));
    });
    app.delete(`${BASE}/:uuid`, async (req: Request, res: Response) => {
      const gone = await backend(req, 'DeleteEventSourceMapping').delete(uuidOf(req));
      sendJson(res, 202, mappingConfiguration(cat(req).arn, gone, 'Deleting'));
    });
  };
}
