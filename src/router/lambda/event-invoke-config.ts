// HTTP routes of the event invoke config calls (Put/Update/Get/Delete/ListFunctionEventInvokeConfigs), over a FunctionCatalog.
import type { Express, Request, Response } from 'express';
import { parseEventInvokeConfigInput } from '../../core/event-invoke-config.js';
import { sendJson } from '../aws-response.js';
import type { RouteInstaller } from '../app.js';
import type { FunctionCatalog } from './catalog.js';
import { paginate } from './paginate.js';
import { fnName, jsonBody, query } from './request-params.js';

const CONFIG = '/2019-09-25/functions/:name/event-invoke-config';

/** `cat` picks the catalog of the request (on a cluster, the caller's namespace and account). */
export function eventInvokeConfigRoutes(cat: (req: Request) => FunctionCatalog): RouteInstaller {
  const name = (req: Request, action: string) => fnName(req, cat(req).arn, `lambda:${action}`, true);
  const input = async (req: Request, functionName: string) => parseEventInvokeConfigInput(await jsonBody(req), cat(req).arn, functionName);
  return (app: Express) => {
    app.put(CONFIG, async (req: Request, res: Response) => {
      const ref = name(req, 'PutFunctionEventInvokeConfig');
      sendJson(res, 200, await cat(req).putEventInvokeConfig(ref.name, ref.qualifier, await input(req, ref.name)));
    });
    app.post(CONFIG, async (req: Request, res: Response) => {
      const ref = name(req, 'UpdateFunctionEventInvokeConfig');
      sendJson(res, 200, await cat(req).updateEventInvokeConfig(ref.name, ref.qualifier, await input(req, ref.name)));
    });
    app.get(CONFIG, async (req: Request, res: Response) => {
      const ref = name(req, 'GetFunctionEventInvokeConfig');
      sendJson(res, 200, await cat(req).getEventInvokeConfig(ref.name, ref.qualifier));
    });
    app.delete(CONFIG, async (req: Request, res: Response) => {
      const ref = name(req, 'DeleteFunctionEventInvokeConfig');
      await cat(req).deleteEventInvokeConfig(ref.name, ref.qualifier);
      res.status(204).end();
    });
    app.get(`${CONFIG}/list`, async (req: Request, res: Response) => {
      const ref = fnName(req, cat(req).arn, 'lambda:ListFunctionEventInvokeConfigs');
      const page = paginate(await cat(req).listEventInvokeConfigs(ref.name), query(req, 'Marker'), query(req, 'MaxItems'));
      sendJson(res, 200, { FunctionEventInvokeConfigs: page.items, ...(page.next ? { NextMarker: page.next } : {}) });
    });
  };
}
