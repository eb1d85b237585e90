// Which Function or Alias a url-id names: the interface the URL routes ask, and the local mode's answer from the
// manifest folder (a cluster's comes from the routing table).
import { URL_AUTH_TYPES, URL_INVOKE_MODES, urlId, type UrlConfig, type UrlCors, type UrlTarget } from '../../core/function-url.js';
import type { ManifestSnapshot, ManifestStore } from '../../local/manifest-store.js';

export interface UrlResolver {
  /** The URL's target, or undefined for an id no Function or Alias has. */
  resolve(id: string): UrlTarget | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? v as string[] : undefined);

/** `spec.url` read defensively (a manifest validated by an older schema may carry anything there): a UrlConfig or nothing. */
export function urlConfigOf(raw: unknown): UrlConfig | undefined {
  if (!isObject(raw) || !(URL_AUTH_TYPES as readonly unknown[]).includes(raw.authType)) return undefined;
  const config: UrlConfig = { authType: raw.authType as UrlConfig['authType'] };
  if ((URL_INVOKE_MODES as readonly unknown[]).includes(raw.invokeMode)) config.invokeMode = raw.invokeMode as UrlConfig['invokeMode'];
  if (isObject(raw.cors)) {
    const c = raw.cors;
    const cors: UrlCors = {};
    if (typeof c.allowCredentials === 'boolean') cors.allowCredentials = c.allowCredentials;
    const fields = ['allowHeaders', 'allowMethods', 'allowOrigins', 'exposeHeaders'] as const;
    for (const f of fields) {
      const v = strings(c[f]);
      if (v) cors[f] = v;
    }
    if (typeof c.maxAge === 'number' && Number.isInteger(c.maxAge) && c.maxAge >= 0) cors.maxAge = c.maxAge;
    config.cors = cors;
  }
  return config;
}

/** Every URL of a snapshot by id: each Function's ($LATEST) and each Alias's (qualifier: the alias name). */
export function urlTargets(snapshot: ManifestSnapshot, namespace: string): Map<string, UrlTarget> {
  const out = new Map<string, UrlTarget>();
  for (const fn of snapshot.functions()) {
    const functionName = fn.metadata.name;
    const own = urlConfigOf((fn.spec as { url?: unknown }).url);
    if (own) out.set(urlId(namespace, functionName, '$LATEST'), { namespace, functionName, qualifier: '$LATEST', config: own });
    for (const alias of snapshot.aliases(fn.metadata.namespace ?? namespace, functionName)) {
      const config = urlConfigOf((alias.spec as { url?: unknown }).url);
      if (config) out.set(urlId(namespace, functionName, alias.spec.name), { namespace, functionName, qualifier: alias.spec.name, config });
    }
  }
  return out;
}

/** The local mode's resolver: the URLs of the folder's current snapshot (worked out once per snapshot). */
export function localUrlResolver(store: Pick<ManifestStore, 'snapshot'>, namespace: string): UrlResolver {
  const bySnapshot = new WeakMap<ManifestSnapshot, Map<string, UrlTarget>>();
  const targets = (): Map<string, UrlTarget> => {
    const snapshot = store.snapshot();
    let map = bySnapshot.get(snapshot);
    if (!map) bySnapshot.set(snapshot, map = urlTargets(snapshot, namespace));
    return map;
  };
  return { resolve: (id) => targets().get(id) };
}
