// Builds the desired Deployment of one function version's execution environments (pure): a pod of two containers,
// the runtime agent and the function, sharing a process namespace.
import type { V1Deployment, V1OwnerReference, V1Volume } from '@kubernetes/client-node';
import type { AgentConfig } from '../../agent/agent.js';
import type { FunctionConfig } from '../../api/function.js';
import { functionArn } from '../../core/arn.js';
import { codeKeys } from './code-configmap.js';
import type { RuntimeImages } from './images.js';
import { layerUrlKey, PACKAGE_URL_KEY } from '../agent-credentials.js';
import { AGENT_SECRET_KEY, agentSecretName, codeConfigMapName, ownedLabels, ownedMetadata, selectorLabels } from './names.js';
import {
  agentContainer, AGENT_CODE_DIR, AGENT_OPT_DIR, AGENT_SECRET_DIR, CODE_DIR, OPT_DIR, PACKAGE_CACHE_DIR, executionRoleVolume, functionContainer, FUNCTION_UID,
  RUNTIME_API, VOLUMES,
} from './pod-containers.js';

export { AGENT_MAIN, CODE_DIR } from './pod-containers.js';

export interface DeploymentInput {
  namespace: string;
  functionName: string;
  /** "$LATEST" or a published version number. */
  version: string;
  config: FunctionConfig;
  /** The code files (inline or from a ConfigMap) that go into the code ConfigMap; none for image code. */
  codeFiles: Record<string, string>;
  /** A zip package in the code store, fetched by the agent (its presigned URL is in the version's agent Secret). */
  package?: { sha256: string; size: number };
  /**
   * The function's layers in order, each a zip in the code store the agent fetches (its presigned URL is in the agent
   * Secret under layerUrlKey(index)) and merges into the opt volume, mounted at /opt. Not for image code.
   */
  layers?: { sha256: string; size: number }[];
  /** The node's package cache as a host folder shared by the node's agents (none: each pod caches for itself). */
  packageCacheHostPath?: string;
  owner: V1OwnerReference;
  replicas: number;
  /** The klambda image: the runtime agent. */
  agentImage: string;
  /** The function container's image for code that is not an image, per runtime. */
  runtimeImages: RuntimeImages;
  keyPrefix: string;
  region: string;
  accountId: string;
  visibilityGraceMs: number;
  /** The agent container's extra environment: where its spans go (OTEL_*); none: no spans. */
  agentEnv?: Record<string, string>;
}

/** The layers the pod unpacks under /opt: a zip function's (a user's image brings its own /opt). */
const podLayers = (i: DeploymentInput): { sha256: string; size: number }[] => (i.config.code.image === undefined ? i.layers ?? [] : []);

/** The agent's config (no secret in it: the Redis URL is a file from the version's agent Secret). */
export function agentConfig(i: DeploymentInput): AgentConfig {
  const layers = podLayers(i);
  return {
    redisUrlFile: `${AGENT_SECRET_DIR}/${AGENT_SECRET_KEY}`,
    keyPrefix: i.keyPrefix,
    queue: { namespace: i.namespace, functionName: i.functionName, version: i.version },
    // one function container per pod: one environment per pod
    slots: 1,
    visibilityGraceMs: i.visibilityGraceMs,
    pod: { runtimeApi: RUNTIME_API, functionUid: FUNCTION_UID },
    ...(i.package ? {
      package: {
        sha256: i.package.sha256, size: i.package.size, urlFile: `${AGENT_SECRET_DIR}/${PACKAGE_URL_KEY}`,
        cacheDir: PACKAGE_CACHE_DIR, targetDir: AGENT_CODE_DIR,
      },
    } : {}),
    ...(layers.length > 0 ? {
      layers: {
        layers: layers.map((l, index) => ({ sha256: l.sha256, size: l.size, urlFile: `${AGENT_SECRET_DIR}/${layerUrlKey(index)}` })),
        cacheDir: PACKAGE_CACHE_DIR, targetDir: AGENT_OPT_DIR,
      },
    } : {}),
    spec: {
      functionName: i.functionName,
      version: i.version,
      runtime: i.config.runtime,
      handler: i.config.handler,
      codeDir: CODE_DIR,
      memoryMB: i.config.memoryMB,
      timeoutSeconds: i.config.timeoutSeconds,
      ephemeralStorageMB: i.config.ephemeralStorageMB,
      environment: i.config.environment ?? {},
      region: i.region,
      accountId: i.accountId,
      functionArn: functionArn({ region: i.region, accountId: i.accountId }, i.functionName),
      ...(layers.length > 0 ? { optDir: OPT_DIR } : {}),
    },
  };
}

export function buildDeployment(i: DeploymentInput): V1Deployment {
  const cfg = agentConfig(i);
  const userImage = i.config.code.image;
  const mountsCode = userImage === undefined;
  const mountsToken = i.config.serviceAccountName !== undefined;
  const fetchesPackage = mountsCode && i.package !== undefined;
  const mountsOpt = podLayers(i).length > 0;
  const volumes: V1Volume[] = [
    // 0444: read by the agent's uid; only the agent container mounts it
    { name: VOLUMES.agentSecret, secret: { secretName: agentSecretName(i.functionName, i.version), defaultMode: 0o444 } },
    { name: VOLUMES.tmp, emptyDir: { sizeLimit: `${i.config.ephemeralStorageMB}Mi` } },
  ];
  if (fetchesPackage) {
    // the agent copies the package's files here from the package cache; the function container mounts it read-only
    volumes.push({ name: VOLUMES.code, emptyDir: {} });
  } else if (mountsCode) {
    // mode 0755 so a provided runtime's bootstrap is executable
    volumes.push({ name: VOLUMES.code, configMap: { name: codeConfigMapName(i.functionName, i.version), defaultMode: 0o755, items: codeKeys(i.codeFiles) } });
  }
  // the agent merges the layers here from the package cache; the function container mounts it read-only at /opt
  if (mountsOpt) volumes.push({ name: VOLUMES.opt, emptyDir: {} });
  if (fetchesPackage || mountsOpt) {
    volumes.push(i.packageCacheHostPath
      ? { name: VOLUMES.packageCache, hostPath: { path: i.packageCacheHostPath, type: 'DirectoryOrCreate' } }
      : { name: VOLUMES.packageCache, emptyDir: {} });
  }
  if (mountsToken) volumes.push(executionRoleVolume());
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMetadata(i.namespace, i.functionName, i.version, i.owner),
    spec: {
      replicas: i.replicas,
      selector: { matchLabels: selectorLabels(i.functionName, i.version) },
      template: {
        metadata: { labels: ownedLabels(i.functionName, i.version) },
        spec: {
          ...(i.config.serviceAccountName ? { serviceAccountName: i.config.serviceAccountName } : {}),
          // no token for any container; the execution role's goes to the function container only (a volume above)
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          // the agent sees the function's processes: it notices a crash and ends them on a timeout
          shareProcessNamespace: true,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          // a function's timeout plus a grace: the agent finishes the invocation in progress before it exits
          terminationGracePeriodSeconds: i.config.timeoutSeconds + Math.ceil(i.visibilityGraceMs / 1000),
          containers: [
            agentContainer(i.agentImage, JSON.stringify(cfg), { package: fetchesPackage, layers: mountsOpt }, i.agentEnv),
            functionContainer({
              image: userImage ?? i.runtimeImages[i.config.runtime], spec: cfg.spec, mountsCode, mountsOpt, mountsToken,
              ...(i.config.secretEnvironment ? { secretEnvironment: i.config.secretEnvironment } : {}),
            }),
          ],
          volumes,
        },
      },
    },
  };
}
