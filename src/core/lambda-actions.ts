// Which IAM action and resource ARN each route of the Lambda API is, as AWS's authorization sees it (pure).
import { functionArn, type ArnContext } from './arn.js';

export interface LambdaAction {
  /** e.g. lambda:InvokeFunction */
  action: string;
  /** The function ARN (qualified where AWS authorizes the qualified ARN), or "*" for ListFunctions. */
  resource: string;
  /** The account named by an ARN in the path, when the caller gave one. */
  account?: string;
}

type Route = { method: string; tail: RegExp; action: string; qualified: boolean };

// After /2015-03-31/functions/{name}; express matches case-insensitively with an optional trailing slash, so do we.
const ROUTES: Route[] = [
  { method: 'POST', tail: /^\/invocations\/?$/i, action: 'lambda:InvokeFunction', qualified: true },
  { method: 'GET', tail: /^\/?$/, action: 'lambda:GetFunction', qualified: true },
  { method: 'GET', tail: /^\/configuration\/?$/i, action: 'lambda:GetFunctionConfiguration', qualified: true },
  { method: 'POST', tail: /^\/versions\/?$/i, action: 'lambda:PublishVersion', qualified: false },
  { method: 'GET', tail: /^\/versions\/?$/i, action: 'lambda:ListVersionsByFunction', qualified: false },
  { method: 'POST', tail: /^\/aliases\/?$/i, action: 'lambda:CreateAlias', qualified: false },
  { method: 'GET', tail: /^\/aliases\/?$/i, action: 'lambda:ListAliases', qualified: false },
  { method: 'GET', tail: /^\/aliases\/[^/]+\/?$/i, action: 'lambda:GetAlias', qualified: false },
  { method: 'PUT', tail: /^\/aliases\/[^/]+\/?$/i, action: 'lambda:UpdateAlias', qualified: false },
  { method: 'DELETE', tail: /^\/aliases\/[^/]+\/?$/i, action: 'lambda:DeleteAlias', qualified: false },
];

const FUNCTIONS = /^\/2015-03-31\/functions(?:\/([^/]+)(\/.*)?)?\/?$/i;

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

/**
 * The action a request performs, for the Lambda API routes of the router; undefined for anything else
 * (the router answers that with UnknownOperationException).
 */
export function lambdaAction(method: string, rawUrl: string, ctx: ArnContext): LambdaAction | undefined {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const m = FUNCTIONS.exec(path);
  if (!m) return undefined;
  const verb = method === 'HEAD' ? 'GET' : method;
  if (m[1] === undefined) return verb === 'GET' ? { action: 'lambda:ListFunctions', resource: '*' } : undefined;
  const tail = m[2] ?? '';
  const route = ROUTES.find((r) => r.method === verb && r.tail.test(tail));
  if (!route) return undefined;
  const qualifier = q < 0 ? undefined : new URLSearchParams(rawUrl.slice(q + 1)).get('Qualifier') ?? undefined;
  return { action: route.action, ...resourceOf(decode(m[1]), qualifier, route.qualified, ctx) };
}
