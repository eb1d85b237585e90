// The Backend on a cluster: a version's execution environments are the replicas of its Deployment (the scale subresource).
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import type { KubeClient } from '../kube/client.js';
import type { Informer } from '../kube/informer.js';
import type { KubeObject } from '../kube/objects.js';
import { LABEL_FUNCTION, LABEL_VERSION, deploymentName } from '../controller/resources/names.js';
import type { Backend, ScalableTarget } from './backend.js';
import { queueKey } from './backend.js';

export interface DeploymentLike extends KubeObject {
  spec?: { replicas?: number };
}

/** The version a Deployment runs, from its labels ("latest" → $LATEST, "v3" → 3). */
export function deploymentQueue(d: DeploymentLike): QueueRef | undefined {
  const fn = d.metadata.labels?.[LABEL_FUNCTION];
  const slug = d.metadata.labels?.[LABEL_VERSION];
  if (!fn || !slug || !d.metadata.namespace) return undefined;
  const version = slug === 'latest' ? '$LATEST' : /^v[1-9][0-9]*$/.test(slug) ? slug.slice(1) : undefined;
  return version === undefined ? undefined : { namespace: d.metadata.namespace, functionName: fn, version };
}

export class KubernetesBackend implements Backend<ScalableTarget> {
  /** Replicas asked for but not yet seen in the informer's cache. */
  private readonly asked = new Map<string, number>();

  constructor(private readonly client: KubeClient, private readonly deployments: Informer<DeploymentLike>, private readonly logger: Logger) {}

  private observed(queue: QueueRef): DeploymentLike | undefined {
    return this.deployments.get(`${queue.namespace}/${deploymentName(queue.functionName, queue.version)}`);
  }

  count(queue: QueueRef): number {
    const seen = this.observed(queue)?.spec?.replicas ?? 0;
    const asked = this.asked.get(queueKey(queue));
    if (asked !== undefined && asked !== seen) return asked;
    this.asked.delete(queueKey(queue));
    return seen;
  }

  queues(): QueueRef[] {
    const out: QueueRef[] = [];
    for (const d of this.deployments.list()) {
      const q = deploymentQueue(d);
      if (q && this.count(q) > 0) out.push(q);
    }
    return out;
  }

  async scale(target: ScalableTarget, count: number): Promise<void> {
    const { queue } = target;
    if (this.count(queue) === count) return;
    if (!this.observed(queue)) {
      this.logger.warn({ msg: 'no Deployment yet for this version; not scaled', queue: queueKey(queue), replicas: count });
      return;
    }
    const path = `/apis/apps/v1/namespaces/${queue.namespace}/deployments/${deploymentName(queue.functionName, queue.version)}/scale`;
    await this.client.patch(path, { spec: { replicas: count } });
    this.asked.set(queueKey(queue), count);
  }

  /** Pods keep running when the controller stops: another replica takes over their scaling. */
  async stopAll(): Promise<void> {}
}
