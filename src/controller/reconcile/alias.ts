// Alias → its entry in the routing table (the router follows it at once), kept only while its versions exist; status.
import type { AliasSpec } from '../../api/alias.js';
import type { AliasRoute } from '../../core/routes.js';
import type { UrlConfig } from '../../core/function-url.js';
import { splitKey } from '../../kube/objects.js';
import type { ControllerContext } from '../context.js';
import { klambdaPath, type Stored } from '../kinds.js';
import { openForReconcile, writeStatus } from '../object-status.js';
import type { ReconcileResult } from '../reconcile-queue.js';

const RETRY_MS = 10_000;

/** The alias name an object routes: spec.name, else metadata.name. */
const routedName = (a: Stored<{ name?: string }>): string => a.spec.name ?? a.metadata.name;

/** "version 1 (90%) and 2 (10%)" (pure). */
export function describeRouting(spec: Pick<AliasSpec, 'functionVersion' | 'routingConfig'>): string {
  const extra = Object.entries(spec.routingConfig?.additionalVersionWeights ?? {});
  if (extra.length === 0) return `version ${spec.functionVersion}`;
  const rest = 1 - extra.reduce((s, [, w]) => s + w, 0);
  const pct = (w: number): string => `${Math.round(w * 1000) / 10}%`;
  return `version ${spec.functionVersion} (${pct(rest)}) and ${extra.map(([v, w]) => `${v} (${pct(w)})`).join(', ')}`;
}

export async function reconcileAlias(ctx: ControllerContext, key: string): Promise<ReconcileResult | void> {
  const { namespace, name } = splitKey(key);
  const path = klambdaPath(namespace, 'aliases', name);
  const opened = await openForReconcile<AliasSpec, AliasSpec>(ctx, path, async (found) => {
    const routed = typeof found.status?.routedName === 'string' ? found.status.routedName : routedName(found);
    await ctx.table.removeAlias(namespace, found.spec.functionName, routed);
  });
  if (!opened) return;
  const { obj: alias, spec } = opened;
  const fn = spec.functionName;
  if (!ctx.functions.get(`${namespace}/${fn}`)) {
    await writeStatus(ctx, path, alias, { type: 'Ready', status: 'False', reason: 'FunctionNotFound', message: `Function ${fn} does not exist` });
    return { requeueAfterMs: RETRY_MS };
  }
  const published = new Set(ctx.versions.list().filter((v) => v.metadata.namespace === namespace && v.spec.functionName === fn).map((v) => v.spec.version));
  const wanted = [spec.functionVersion, ...Object.keys(spec.routingConfig?.additionalVersionWeights ?? {})];
  const missing = wanted.filter((v) => v !== '$LATEST' && !published.has(v));
  if (missing.length > 0) {
    // the last good route stays in use, as AWS refuses an alias update to a version that does not exist
    await writeStatus(ctx, path, alias, { type: 'Ready', status: 'False', reason: 'VersionNotFound', message: `${fn} has no version ${missing.join(', ')}` });
    return { requeueAfterMs: RETRY_MS };
  }
  const taken = ctx.aliasOwner(namespace, fn, spec.name);
  if (taken && taken !== name) {
    await writeStatus(ctx, path, alias, { type: 'Ready', status: 'False', reason: 'Conflict', message: `Alias object ${taken} already routes ${fn}:${spec.name}` });
    return;
  }
  const previous = alias.status?.routedName;
  if (typeof previous === 'string' && previous !== spec.name) await ctx.table.removeAlias(namespace, fn, previous);
  const route: AliasRoute = { functionVersion: spec.functionVersion, provisionedConcurrency: spec.provisionedConcurrency };
  const weights = spec.routingConfig?.additionalVersionWeights;
  if (weights && Object.keys(weights).length > 0) route.additionalVersionWeights = weights;
  if (spec.async) route.async = spec.async;
  const url = (spec as { url?: UrlConfig }).url;
  if (url) route.url = url;
  const routed = await ctx.table.setAlias(namespace, fn, spec.name, route);
  if (routed === 'no-function') {
    // its function is being deleted (or not routed yet): an alias never brings a deleted function's route back
    await writeStatus(ctx, path, alias, { type: 'Ready', status: 'False', reason: 'FunctionNotFound', message: `Function ${fn} is not routed` });
    return { requeueAfterMs: RETRY_MS };
  }
  if (routed === 'changed') {
    await ctx.events.record(alias, 'Normal', 'RoutingChanged', `${fn}:${spec.name} routes to ${describeRouting(spec)}`);
  }
  await writeStatus(ctx, path, alias, { type: 'Ready', status: 'True', reason: 'Routed', message: `${fn}:${spec.name} routes to ${describeRouting(spec)}` }, { routedName: spec.name });
}
