// Which IAM action and resource ARN each route of the Lambda API is, as AWS's authorization sees it (pure).
import { functionArn, type ArnContext } from './arn.js';
import { layerArn } from './layer-arn.js';

export interface LambdaAction {
  /** e.g. lambda:InvokeFunction */
  action: string;
  /** The function ARN (qualified where AWS authorizes the qualified ARN), or "*" for ListFunctions. */
  resource: string;
  /** The account named by an ARN in the path, when the caller gave one. */
  account?: string;
}

type Route = { method: string; api: string; tail: RegExp; action: string; qualified: boolean };

// After /{api}/functions/{name}; express matches case-insensitively with an optional trailing slash, so do we.
const ROUTES: Route[] = [
  { method: 'POST', api: '2015-03-31', tail: /^\/invocations\/?$/i, action: 'lambda:InvokeFunction', qualified: true },
  // InvokeWithResponseStream is authorized as Invoke is
  { method: 'POST', api: '2021-11-15', tail: /^\/response-streaming-invocations\/?$/i, action: 'lambda:InvokeFunction', qualified: true },
  { method: 'GET', api: '2015-03-31', tail: /^\/?$/, action: 'lambda:GetFunction', qualified: true },
  { method: 'DELETE', api: '2015-03-31', tail: /^\/?$/, action: 'lambda:DeleteFunction', qualified: true },
  { method: 'PUT', api: '2015-03-31', tail: /^\/code\/?$/i, action: 'lambda:UpdateFunctionCode', qualified: false },
  { method: 'PUT', api: '2015-03-31', tail: /^\/configuration\/?$/i, action: 'lambda:UpdateFunctionConfiguration', qualified: false },
  { method: 'GET', api: '2015-03-31', tail: /^\/configuration\/?$/i, action: 'lambda:GetFunctionConfiguration', qualified: true },
  { method: 'POST', api: '2015-03-31', tail: /^\/versions\/?$/i, action: 'lambda:PublishVersion', qualified: false },
  { method: 'GET', api: '2015-03-31', tail: /^\/versions\/?$/i, action: 'lambda:ListVersionsByFunction', qualified: false },
  { method: 'POST', api: '2015-03-31', tail: /^\/aliases\/?$/i, action: 'lambda:CreateAlias', qualified: false },
  { method: 'GET', api: '2015-03-31', tail: /^\/aliases\/?$/i, action: 'lambda:ListAliases', qualified: false },
  { method: 'GET', api: '2015-03-31', tail: /^\/aliases\/[^/]+\/?$/i, action: 'lambda:GetAlias', qualified: false },
  { method: 'PUT', api: '2015-03-31', tail: /^\/aliases\/[^/]+\/?$/i, action: 'lambda:UpdateAlias', qualified: false },
  { method: 'DELETE', api: '2015-03-31', tail: /^\/aliases\/[^/]+\/?$/i, action: 'lambda:DeleteAlias', qualified: false },
  // the event invoke config of $LATEST, a version or an alias: authorized on the qualified ARN, as at AWS
  { method: 'PUT', api: '2019-09-25', tail: /^\/event-invoke-config\/?$/i, action: 'lambda:PutFunctionEventInvokeConfig', qualified: true },
  { method: 'POST', api: '2019-09-25', tail: /^\/event-invoke-config\/?$/i, action: 'lambda:UpdateFunctionEventInvokeConfig', qualified: true },
  { method: 'GET', api: '2019-09-25', tail: /^\/event-invoke-config\/?$/i, action: 'lambda:GetFunctionEventInvokeConfig', qualified: true },
  { method: 'DELETE', api: '2019-09-25', tail: /^\/event-invoke-config\/?$/i, action: 'lambda:DeleteFunctionEventInvokeConfig', qualified: true },
  { method: 'GET', api: '2019-09-25', tail: /^\/event-invoke-config\/list\/?$/i, action: 'lambda:ListFunctionEventInvokeConfigs', qualified: false },
  // the Function URL of $LATEST or an alias: authorized on the qualified ARN (the alias's), as at AWS
  { method: 'POST', api: '2021-10-31', tail: /^\/url\/?$/i, action: 'lambda:CreateFunctionUrlConfig', qualified: true },
  { method: 'GET', api: '2021-10-31', tail: /^\/url\/?$/i, action: 'lambda:GetFunctionUrlConfig', qualified: true },
  { method: 'PUT', api: '2021-10-31', tail: /^\/url\/?$/i, action: 'lambda:UpdateFunctionUrlConfig', qualified: true },
  { method: 'DELETE', api: '2021-10-31', tail: /^\/url\/?$/i, action: 'lambda:DeleteFunctionUrlConfig', qualified: true },
  { method: 'GET', api: '2021-10-31', tail: /^\/urls\/?$/i, action: 'lambda:ListFunctionUrlConfigs', qualified: false },
];

const ACCOUNT_SETTINGS = /^\/2016-08-19\/account-settings\/?$/i;
/** /2017-03-31/tags/{function ARN} */
const TAGS = /^\/2017-03-31\/tags\/([^/]+)\/?$/i;
const TAG_ACTIONS: Record<string, string> = { GET: 'lambda:ListTags', POST: 'lambda:TagResource', DELETE: 'lambda:UntagResource' };

/** CreateFunction, UpdateFunctionCode and PublishLayerVersion: the calls whose body carries a zip (as base64), up to 50 MB of it. */
export function isCodeUpload(method: string, rawUrl: string): boolean {
  const action = lambdaAction(method, rawUrl, { region: '', accountId: '' })?.action;
  return action === 'lambda:CreateFunction' || action === 'lambda:UpdateFunctionCode' || action === 'lambda:PublishLayerVersion';
}

/** /2018-10-31/layers[/{LayerName}/versions[/{VersionNumber}]] */
const LAYERS = /^\/2018-10-31\/layers(?:\/([^/]+)\/versions(?:\/([^/]+))?)?\/?$/i;

/**
 * The layer calls: PublishLayerVersion on the layer's ARN, Get/DeleteLayerVersion (and GetLayerVersionByArn, its `Arn`)
 * on the version's; ListLayers and ListLayerVersions on "*", as AWS authorizes them.
 */
function layerAction(verb: string, m: RegExpExecArray, search: URLSearchParams, ctx: ArnContext): LambdaAction | undefined {
  const [, rawName, version] = m;
  if (rawName === undefined) {
    if (verb !== 'GET') return undefined;
    if (search.get('find') !== 'LayerVersion') return { action: 'lambda:ListLayers', resource: '*' };
    const arn = search.get('Arn') ?? '';
    const account = /^arn:[^:]*:lambda:[^:]*:(\d{12}):layer:/.exec(arn)?.[1];
    return { action: 'lambda:GetLayerVersion', resource: arn, ...(account !== undefined ? { account } : {}) };
  }
  const raw = decode(rawName);
  const arn = /^arn:[^:]*:lambda:([^:]*):(\d{12}):layer:([^:]+)$/.exec(raw);
  const layer = arn ? raw : layerArn(ctx, raw);
  const account = arn ? { account: arn[2]! } : {};
  if (version === undefined) {
    if (verb === 'POST') return { action: 'lambda:PublishLayerVersion', resource: layer, ...account };
    return verb === 'GET' ? { action: 'lambda:ListLayerVersions', resource: '*', ...account } : undefined;
  }
  const action = verb === 'GET' ? 'lambda:GetLayerVersion' : verb === 'DELETE' ? 'lambda:DeleteLayerVersion' : undefined;
  return action ? { action, resource: `${layer}:${decode(version)}`, ...account } : undefined;
}

/** /2015-03-31/event-source-mappings[/{UUID}] */
const EVENT_SOURCE_MAPPINGS = /^\/2015-03-31\/event-source-mappings(?:\/([^/]+))?\/?$/i;
const MAPPING_ACTIONS: Record<string, string> = { GET: 'lambda:GetEventSourceMapping', PUT: 'lambda:UpdateEventSourceMapping', DELETE: 'lambda:DeleteEventSourceMapping' };

/**
 * The event source mapping calls: Create and List on "*" (the mapping has no ARN yet; List names none), Get, Update
 * and Delete on the mapping's ARN (`…:event-source-mapping:{UUID}`), as AWS authorizes them.
 */
function mappingAction(verb: string, uuid: string | undefined, ctx: ArnContext): LambdaAction | undefined {
  if (uuid === undefined) {
    return verb === 'GET' ? { action: 'lambda:ListEventSourceMappings', resource: '*' } : verb === 'POST' ? { action: 'lambda:CreateEventSourceMapping', resource: '*' } : undefined;
  }
  const action = MAPPING_ACTIONS[verb];
  return action ? { action, resource: `arn:aws:lambda:${ctx.region}:${ctx.accountId}:event-source-mapping:${decode(uuid)}` } : undefined;
}

const FUNCTIONS = /^\/(2015-03-31|2019-09-25|2021-10-31|2021-11-15)\/functions(?:\/([^/]+)(\/.*)?)?\/?$/i;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The function ARN a name in the path stands for: a full ARN keeps its region and account, a name gets the caller's. */
function resourceOf(rawName: string, qualifier: string | undefined, qualified: boolean, ctx: ArnContext): { resource: string; account?: string } {
  const full = /^arn:(aws[a-zA-Z-]*):lambda:([^:]*):(\d{12}):function:([^:]+)(?::(.+))?$/.exec(rawName);
  const partial = /^(\d{12}):function:([^:]+)(?::(.+))?$/.exec(rawName);
  let at: ArnContext = ctx;
  let name: string;
  let fromName: string | undefined;
  let account: string | undefined;
  if (full) {
    at = { region: full[2]!, accountId: full[3]! };
    [name, fromName, account] = [full[4]!, full[5], full[3]!];
  } else if (partial) {
    at = { region: ctx.region, accountId: partial[1]! };
    [name, fromName, account] = [partial[2]!, partial[3], partial[1]!];
  } else {
    const colon = rawName.indexOf(':');
    name = colon < 0 ? rawName : rawName.slice(0, colon);
    fromName = colon < 0 ? undefined : rawName.slice(colon + 1);
  }
  const q = qualified ? fromName ?? (qualifier === '' ? undefined : qualifier) : undefined;
  const resource = functionArn(at, name, q);
  return account === undefined ? { resource } : { resource, account };
}

/** Whether a Lambda API request names the resource it acts on in its JSON body (CreateFunction's FunctionName). */
export function namesResourceInBody(method: string, rawUrl: string): boolean {
  const q = rawUrl.indexOf('?');
  const m = FUNCTIONS.exec(q < 0 ? rawUrl : rawUrl.slice(0, q));
  return method === 'POST' && m !== null && m[1] === '2015-03-31' && m[2] === undefined;
}

/**
 * The action a request performs, for the Lambda API routes of the router; undefined for anything else
 * (the router answers that with UnknownOperationException).
 */
export function lambdaAction(method: string, rawUrl: string, ctx: ArnContext, members?: Readonly<Record<string, unknown>>): LambdaAction | undefined {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const verb = method === 'HEAD' ? 'GET' : method;
  if (ACCOUNT_SETTINGS.test(path)) return verb === 'GET' ? { action: 'lambda:GetAccountSettings', resource: '*' } : undefined;
  const tags = TAGS.exec(path);
  if (tags) {
    const action = TAG_ACTIONS[verb];
    return action ? { action, ...resourceOf(decode(tags[1]!), undefined, false, ctx) } : undefined;
  }
  const layers = LAYERS.exec(path);
  if (layers) return layerAction(verb, layers, new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)), ctx);
  const mappings = EVENT_SOURCE_MAPPINGS.exec(path);
  if (mappings) return mappingAction(verb, mappings[1], ctx);
  const m = FUNCTIONS.exec(path);
  if (!m) return undefined;
  const api = m[1]!;
  if (m[2] === undefined) {
    if (api !== '2015-03-31') return undefined;
    if (verb === 'GET') return { action: 'lambda:ListFunctions', resource: '*' };
    if (verb !== 'POST') return undefined;
    // CreateFunction names its function in the body (`members`, parsed once): its ARN, as AWS authorizes it; a body
    // without a FunctionName string is checked against "*" (and then refused by the API)
    const name = members?.FunctionName;
    return { action: 'lambda:CreateFunction', ...(typeof name === 'string' && name !== '' ? resourceOf(name, undefined, false, ctx) : { resource: '*' }) };
  }
  const tail = m[3] ?? '';
  const route = ROUTES.find((r) => r.api === api && r.method === verb && r.tail.test(tail));
  if (!route) return undefined;
  const qualifier = q < 0 ? undefined : new URLSearchParams(rawUrl.slice(q + 1)).get('Qualifier') ?? undefined;
  return { action: route.action, ...resourceOf(decode(m[2]), qualifier, route.qualified, ctx) };
}
