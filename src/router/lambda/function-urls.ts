// HTTP routes of the Function URL calls (Create/Get/Update/Delete/ListFunctionUrlConfigs), over a FunctionUrlStore:
// the `spec.url` of a Function ($LATEST's URL) or an Alias (the alias's), in the folder or on the cluster.
import type { Express, Request, Response } from 'express';
import type { ArnContext } from '../../core/arn.js';
import { functionArn } from '../../core/arn.js';
import type { UrlConfig } from '../../core/function-url.js';
import { sendJson } from '../aws-response.js';
import type { RouteInstaller } from '../app.js';
import {
  createdUrl, updatedUrl, urlConfigInput, urlConfigView, urlErrors, urlQualifier,
  type FunctionUrlConfigOutput, type UrlEndpoint, type UrlTimes,
} from './function-urls-shape.js';
import { paginate } from './paginate.js';
import { fnName, jsonBody, query } from './request-params.js';

/** What one Function or Alias holds: its `spec.url` (undefined: no URL) and the times of its URL. */
export interface UrlSlot { config?: UrlConfig; times: UrlTimes }

/** Where the URL configs of one namespace live: the manifest folder (local/url-writes.ts) or the API server (kube-urls.ts). */
export interface FunctionUrlStore {
  readonly arn: ArnContext;
  readonly namespace: string;
  /** `qualifier` undefined: the Function's; else its Alias of that name. Undefined when there is no such function or alias. */
  read(functionName: string, qualifier: string | undefined): Promise<UrlSlot | undefined>;
  /** $LATEST's URL and each alias's that has one, aliases by name; undefined when there is no such function. */
  list(functionName: string): Promise<Array<{ qualifier?: string; config: UrlConfig; times: UrlTimes }> | undefined>;
  /**
   * Sets `spec.url` to `change(slot)` (undefined: removes it) and the times beside it, as one write that fails rather
   * than overwrite a concurrent one; `change` may throw to refuse. Throws `missing()` when there is no such function or alias.
   */
  write(functionName: string, qualifier: string | undefined, change: (slot: UrlSlot) => UrlConfig | undefined, missing: () => Error): Promise<UrlSlot>;
}

export interface FunctionUrlRouteOptions {
  /** The domain of the URLs' host names (`<url-id>.lambda-url.<region>.<domain>`); default `localhost`. */
  domain?: string;
}

const URL_PATH = '/2021-10-31/functions/:name/url';
/** ListFunctionUrlConfigs answers at most 50 per page, whatever MaxItems asks (as Lambda). */
const MAX_PAGE = 50;

/** The endpoint a URL is reached at: the domain, and the port and scheme this request came in on. */
function endpointOf(req: Request, domain: string): UrlEndpoint {
  const host = req.get('host') ?? '';
  const port = /:(\d+)$/.exec(host)?.[1];
  return { domain, protocol: req.protocol === 'https' ? 'https' : 'http', ...(port ? { port } : {}) };
}

/** `store` picks the store of the request (on a cluster, the caller's namespace and account). */
export function functionUrlConfigRoutes(store: (req: Request) => FunctionUrlStore, opts: FunctionUrlRouteOptions = {}): RouteInstaller {
  const domain = opts.domain ?? 'localhost';
  const target = (req: Request, action: string) => {
    const s = store(req);
    const ref = fnName(req, s.arn, `lambda:${action}`, true);
    return { s, name: ref.name, qualifier: urlQualifier(ref.qualifier) };
  };
  const view = (req: Request, s: FunctionUrlStore, name: string, qualifier: string | undefined, slot: UrlSlot & { config: UrlConfig }): FunctionUrlConfigOutput =>
    urlConfigView({ arn: s.arn, namespace: s.namespace, functionName: name, qualifier }, endpointOf(req, domain), slot.config, slot.times);
  return (app: Express) => {
    app.post(URL_PATH, async (req: Request, res: Response) => {
      const { s, name, qualifier } = target(req, 'CreateFunctionUrlConfig');
      const input = urlConfigInput(await jsonBody(req), true);
      const slot = await s.write(name, qualifier, (current) => {
        if (current.config) throw urlErrors.exists(functionArn(s.arn, name, qualifier));
        return createdUrl(input);
      }, urlErrors.noFunction);
      // Create answers without LastModifiedTime, as Lambda does
      const { LastModifiedTime: _modified, ...created } = view(req, s, name, qualifier, withConfig(slot));
      sendJson(res, 201, created);
    });
    app.get(URL_PATH, async (req: Request, res: Response) => {
      const { s, name, qualifier } = target(req, 'GetFunctionUrlConfig');
      const slot = await s.read(name, qualifier);
      if (!slot?.config) throw urlErrors.none();
      sendJson(res, 200, view(req, s, name, qualifier, withConfig(slot)));
    });
    app.put(URL_PATH, async (req: Request, res: Response) => {
      const { s, name, qualifier } = target(req, 'UpdateFunctionUrlConfig');
      const input = urlConfigInput(await jsonBody(req), false);
      const slot = await s.write(name, qualifier, (current) => {
        if (!current.config) throw urlErrors.none();
        return updatedUrl(current.config, input);
      }, urlErrors.noFunction);
      sendJson(res, 200, view(req, s, name, qualifier, withConfig(slot)));
    });
    app.delete(URL_PATH, async (req: Request, res: Response) => {
      const { s, name, qualifier } = target(req, 'DeleteFunctionUrlConfig');
      await s.write(name, qualifier, (current) => {
        if (!current.config) throw urlErrors.none();
        return undefined;
      }, urlErrors.none);
      res.status(204).end();
    });
    app.get(`${URL_PATH}s`, async (req: Request, res: Response) => {
      const s = store(req);
      const name = fnName(req, s.arn, 'lambda:ListFunctionUrlConfigs').name;
      const all = await s.list(name);
      if (!all) throw urlErrors.noFunction();
      const max = query(req, 'MaxItems');
      const page = paginate(all, query(req, 'Marker'), max !== undefined && Number(max) > MAX_PAGE ? String(MAX_PAGE) : max);
      const items = page.items.map((u) => view(req, s, name, u.qualifier, u));
      sendJson(res, 200, { FunctionUrlConfigs: items, ...(page.next ? { NextMarker: page.next } : {}) });
    });
  };
}

function withConfig(slot: UrlSlot): UrlSlot & { config: UrlConfig } {
  if (!slot.config) throw urlErrors.none();
  return slot as UrlSlot & { config: UrlConfig };
}
