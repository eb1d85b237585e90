// Builds the desired Deployment of one function version's execution environments (pure).
import type { V1Deployment, V1OwnerReference } from '@kubernetes/client-node';
import type { AgentConfig } from '../../agent/agent.js';
import type { FunctionConfig } from '../../api/function.js';
import { functionArn } from '../../core/arn.js';
import { codeKeys } from './code-configmap.js';
import { codeConfigMapName, ownedLabels, ownedMetadata, selectorLabels } from './names.js';
import { environmentResources } from './sizing.js';

export interface DeploymentInput {
  namespace: string;
  functionName: string;
  /** "$LATEST" or a published version number. */
  version: string;
  config: FunctionConfig;
  /** The code files (inline or from a ConfigMap) that go into the code ConfigMap; none for image code. */
  codeFiles: Record<string, string>;
  owner: V1OwnerReference;
  replicas: number;
  /** The klambda image (runtime agent + node + python) for each runtime. */
  agentImage: string;
  redisUrl: string;
  keyPrefix: string;
  region: string;
  accountId: string;
  visibilityGraceMs: number;
}

export const CODE_DIR = '/var/task';
export const AGENT_MAIN = '/opt/klambda/dist/agent/main.js';

export function agentConfig(i: DeploymentInput): AgentConfig {
  return {
    redisUrl: i.redisUrl,
    keyPrefix: i.keyPrefix,
    queue: { namespace: i.namespace, functionName: i.functionName, version: i.version },
    slots: 1,
    visibilityGraceMs: i.visibilityGraceMs,
    maxAsyncAttempts: 1 + i.config.async.maximumRetryAttempts,
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
    },
  };
}

export function buildDeployment(i: DeploymentInput): V1Deployment {
  const image = i.config.code.image ?? i.agentImage;
  const usesConfigMap = i.config.code.image === undefined;
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
          automountServiceAccountToken: i.config.serviceAccountName !== undefined,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          // a function's timeout plus a grace: the agent finishes the invocation in progress before it exits
          terminationGracePeriodSeconds: i.config.timeoutSeconds + Math.ceil(i.visibilityGraceMs / 1000),
          containers: [{
            name: 'function',
            image,
            command: ['node', AGENT_MAIN],
            env: [{ name: 'KLAMBDA_AGENT_CONFIG', value: JSON.stringify(agentConfig(i)) }],
            resources: environmentResources(i.config.memoryMB, i.config.ephemeralStorageMB),
            securityContext: {
              readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
            },
            volumeMounts: [
              { name: 'tmp', mountPath: '/tmp' },
              ...(usesConfigMap ? [{ name: 'code', mountPath: CODE_DIR, readOnly: true }] : []),
            ],
          }],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: `${i.config.ephemeralStorageMB}Mi` } },
            // mode 0755 so a provided runtime's bootstrap is executable
            ...(usesConfigMap ? [{ name: 'code', configMap: { name: codeConfigMapName(i.functionName, i.version), defaultMode: 0o755, items: codeKeys(i.codeFiles) } }] : []),
          ],
        },
      },
    },
  };
}
