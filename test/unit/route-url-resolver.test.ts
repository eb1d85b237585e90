// The cluster router's url-id lookup over the routing table: $LATEST's and each alias's URL, the configuration read
// fresh at each request, a removed URL gone.
import { urlId } from '../../src/core/function-url.js';
import type { RouteEntry } from '../../src/core/routes.js';
import { routeUrlResolver } from '../../src/router/route-url-resolver.js';

describe('routeUrlResolver', () => {
  const table = new Map<string, RouteEntry>();
  const routes = { all: () => table, entry: (ns: string, fn: string) => table.get(`${ns}/${fn}`) };
  let t = 0;
  const resolver = routeUrlResolver(routes, () => t);
  const latest = (url?: RouteEntry['fn'] extends infer F ? F extends { url?: infer U } ? U : never : never): RouteEntry => ({
    fn: { latest: { timeoutSeconds: 3 }, ...(url ? { url } : {}) }, versions: {}, aliases: {},
  });

  it('finds $LATEST\'s and an alias\'s URL, and reads their configuration as the table has it now', () => {
    table.set('team-a/shop', { ...latest({ authType: 'NONE' }), aliases: { live: { functionVersion: '1', provisionedConcurrency: 0, url: { authType: 'AWS_IAM' } } } });
    t += 1000;
    expect(resolver.resolve(urlId('team-a', 'shop', '$LATEST'))).toEqual({ namespace: 'team-a', functionName: 'shop', qualifier: '$LATEST', config: { authType: 'NONE' } });
    expect(resolver.resolve(urlId('team-a', 'shop', 'live'))?.config).toEqual({ authType: 'AWS_IAM' });
    // the same id, its auth changed in the table: served with the new one at once
    table.set('team-a/shop', latest({ authType: 'AWS_IAM' }));
    expect(resolver.resolve(urlId('team-a', 'shop', '$LATEST'))?.config.authType).toBe('AWS_IAM');
    // the alias's URL removed: not found (even before the index is rebuilt)
    expect(resolver.resolve(urlId('team-a', 'shop', 'live'))).toBeUndefined();
    expect(resolver.resolve(urlId('team-b', 'shop', '$LATEST'))).toBeUndefined();
    table.set('team-a/shop', latest());
    expect(resolver.resolve(urlId('team-a', 'shop', '$LATEST'))).toBeUndefined();
  });
});
