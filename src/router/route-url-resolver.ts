// The router's Function URLs on a cluster: which function (and qualifier) a url-id names, from the routing table the
// controller writes (each Function's and Alias's `spec.url`). The id → function map is rebuilt when an id is not in
// it (at most every half second); the configuration (auth type, CORS) is read from the current route at each request,
// so a URL turned to AWS_IAM is never served as NONE from a stale copy.
import { urlId, type UrlTarget } from '../core/function-url.js';
import type { RouteEntry } from '../core/routes.js';

interface Named { namespace: string; functionName: string; qualifier: string }

export function routeUrlResolver(routes: { all(): ReadonlyMap<string, RouteEntry>; entry(namespace: string, functionName: string): RouteEntry | undefined }, now: () => number = Date.now): { resolve(id: string): UrlTarget | undefined } {
  let index = new Map<string, Named>();
  let builtAt = -Infinity;
  const rebuild = (): void => {
    const next = new Map<string, Named>();
    for (const [key, entry] of routes.all()) {
      const slash = key.indexOf('/');
      const namespace = key.slice(0, slash);
      const functionName = key.slice(slash + 1);
      if (entry.fn?.url) next.set(urlId(namespace, functionName, '$LATEST'), { namespace, functionName, qualifier: '$LATEST' });
      for (const [alias, route] of Object.entries(entry.aliases)) {
        if (route.url) next.set(urlId(namespace, functionName, alias), { namespace, functionName, qualifier: alias });
      }
    }
    index = next;
    builtAt = now();
  };
  return {
    resolve(id) {
      if (!index.has(id) && now() - builtAt > 500) rebuild();
      const named = index.get(id);
      if (!named) return undefined;
      const entry = routes.entry(named.namespace, named.functionName);
      const config = named.qualifier === '$LATEST' ? entry?.fn?.url : entry?.aliases[named.qualifier]?.url;
      return config ? { ...named, config } : undefined;
    },
  };
}
