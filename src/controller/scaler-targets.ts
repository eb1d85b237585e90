// The scaler's view of versions on a cluster, read from the routing table: limits, provisioned concurrency, what exists.
import type { ScalableTarget } from '../backends/backend.js';
import type { QueueRef } from '../core/queue-contract.js';
import { provisionedFor, versionRoute } from '../core/routes.js';
import type { RouteCache } from '../router/route-cache.js';
import type { ScaledTarget, ScalerTargets } from '../scaler/scaler.js';

export class RouteScalerTargets implements ScalerTargets<ScalableTarget> {
  constructor(private readonly routes: RouteCache) {}

  async target(queue: QueueRef): Promise<ScaledTarget<ScalableTarget> | undefined> {
    const entry = this.routes.entry(queue.namespace, queue.functionName);
    if (!entry || !versionRoute(entry, queue.version)) return undefined;
    const target: ScaledTarget<ScalableTarget> = { queue, provisioned: provisionedFor(Object.values(entry.aliases), queue.version) };
    if (entry.fn?.reservedConcurrency !== undefined) target.reserved = entry.fn.reservedConcurrency;
    return target;
  }

  /**
   * Every routed version: on a cluster the request that queued work may come from any router replica, so each tick
   * looks at every version's queue (the demand message only makes the first start faster).
   */
  provisioned(): QueueRef[] {
    const out: QueueRef[] = [];
    for (const [name, entry] of this.routes.all()) {
      const slash = name.indexOf('/');
      const namespace = name.slice(0, slash);
      const functionName = name.slice(slash + 1);
      if (entry.fn) out.push({ namespace, functionName, version: '$LATEST' });
      for (const version of Object.keys(entry.versions)) out.push({ namespace, functionName, version });
    }
    return out;
  }
}
