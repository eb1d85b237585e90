// The Kubernetes objects that run one function version: code ConfigMap, Deployment, NetworkPolicy when private.
import type { V1Deployment, V1OwnerReference } from '@kubernetes/client-node';
import type { ResolvedCode } from '../api/code.js';
import type { StoredPackage } from '../code/code-store.js';
import type { FunctionConfig } from '../api/function.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/objects.js';
import { deleteOwned, ensureOwned, type ApplyOutcome } from './apply.js';
import { buildCodeConfigMap } from './resources/code-configmap.js';
import { buildDeployment } from './resources/deployment.js';
import type { RuntimeImages } from './resources/images.js';
import type { Runtime } from '../core/runtimes.js';
import { deploymentName } from './resources/names.js';
import { buildNetworkPolicy, type NetworkPolicyInput } from './resources/network-policy.js';

/** What every function pod is given, from the controller's configuration. */
export interface WorkloadConfig {
  agentImage: string;
  /** The function container's image for each klambda runtime (code that is not an image). */
  runtimeImages: RuntimeImages;
  /** The runtimes the cluster serves (--runtimes); undefined: all. A Function of another is not deployed. */
  runtimes?: readonly Runtime[];
  /** The Redis URL as pods reach it. */
  agentRedisUrl: string;
  /** The agents' OTEL_* variables (agentTracingEnv of the controller's own): their spans go where the controller's go. */
  agentEnv?: Record<string, string>;
  keyPrefix: string;
  region: string;
  accountId: string;
  visibilityGraceMs: number;
  redis: NetworkPolicyInput['redis'];
  /** The node's package cache as a host folder (none: each pod caches its package for itself). */
  packageCacheHostPath?: string;
  /** The code store's pods, for a private function's NetworkPolicy (its agent fetches the package). */
  codeStore?: NetworkPolicyInput['codeStore'];
}

export interface WorkloadInput {
  namespace: string;
  functionName: string;
  version: string;
  config: FunctionConfig;
  code: ResolvedCode;
  /** The function's layers in order, each a zip in the code store (none: no /opt). */
  layers?: StoredPackage[];
  owner: V1OwnerReference;
}

export interface WorkloadOutcome { configMap?: ApplyOutcome; deployment: ApplyOutcome; networkPolicy?: ApplyOutcome | 'deleted' }

const asObject = <T>(o: T): T & KubeObject => o as T & KubeObject;

export async function ensureWorkload(client: KubeClient, cfg: WorkloadConfig, i: WorkloadInput): Promise<WorkloadOutcome> {
  const ns = i.namespace;
  const files = i.code.kind === 'files' ? i.code.files : {};
  const out: Partial<WorkloadOutcome> = {};
  if (i.code.kind === 'files') {
    out.configMap = await ensureOwned(client, `/api/v1/namespaces/${ns}/configmaps`,
      asObject(buildCodeConfigMap(ns, i.functionName, i.version, files, i.owner)), i.owner.uid);
  }
  const deployment = asObject(buildDeployment({
    namespace: ns, functionName: i.functionName, version: i.version, config: i.config, codeFiles: files, owner: i.owner,
    ...(i.code.kind === 'stored' ? { package: { sha256: i.code.stored.sha256, size: i.code.stored.size } } : {}),
    ...(i.layers && i.layers.length > 0 ? { layers: i.layers.map((l) => ({ sha256: l.sha256, size: l.size })) } : {}),
    ...(cfg.packageCacheHostPath ? { packageCacheHostPath: cfg.packageCacheHostPath } : {}),
    // a new version starts with no environments: the scaler starts them on the first request or for provisioned concurrency
    replicas: 0,
    agentImage: cfg.agentImage, runtimeImages: cfg.runtimeImages, keyPrefix: cfg.keyPrefix, region: cfg.region, accountId: cfg.accountId,
    visibilityGraceMs: cfg.visibilityGraceMs, ...(cfg.agentEnv ? { agentEnv: cfg.agentEnv } : {}),
  }));
  out.deployment = await ensureOwned(client, `/apis/apps/v1/namespaces/${ns}/deployments`, deployment, i.owner.uid, {
    // replicas belong to the scaler
    keep: (observed: V1Deployment & KubeObject, desired) => ({ ...desired, spec: { ...desired.spec!, replicas: observed.spec?.replicas ?? 0 } }),
  });
  const npPath = `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`;
  if (i.config.networking === 'private') {
    out.networkPolicy = await ensureOwned(client, npPath,
      asObject(buildNetworkPolicy({
        namespace: ns, functionName: i.functionName, version: i.version, owner: i.owner, redis: cfg.redis,
        // its agent fetches its package and layers from the store
        ...((i.code.kind === 'stored' || (i.layers?.length ?? 0) > 0) && cfg.codeStore ? { codeStore: cfg.codeStore } : {}),
      })), i.owner.uid);
  } else if (await deleteOwned(client, `${npPath}/${deploymentName(i.functionName, i.version)}`, i.owner.uid)) {
    out.networkPolicy = 'deleted';
  }
  return out as WorkloadOutcome;
}
