// Names and labels of the objects the controller owns, built in one place.
import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import { dnsLabelName } from '../../api/common.js';

export const LABEL_FUNCTION = 'klambda.dev/function';
export const LABEL_VERSION = 'klambda.dev/version';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';

/** "$LATEST" is not a valid label value or name part. */
export const versionSlug = (version: string): string => (version === '$LATEST' ? 'latest' : `v${version}`);

export const codeConfigMapName = (fn: string, version: string): string => dnsLabelName(`${fn}-${versionSlug(version)}-code`);
/** The Secret holding a version's agent Redis URL (ACL user + password); mounted into the agent container only. */
export const agentSecretName = (fn: string, version: string): string => dnsLabelName(`${fn}-${versionSlug(version)}-agent`);
export const AGENT_SECRET_KEY = 'redis-url';
export const deploymentName = (fn: string, version: string): string => dnsLabelName(`${fn}-${versionSlug(version)}`);

export function selectorLabels(fn: string, version: string): Record<string, string> {
  return { [LABEL_FUNCTION]: fn, [LABEL_VERSION]: versionSlug(version) };
}

export function ownedLabels(fn: string, version: string): Record<string, string> {
  return { ...selectorLabels(fn, version), [LABEL_MANAGED_BY]: 'klambda' };
}

/** The metadata of an object a version owns: named like its Deployment, labelled, owned by `owner`. */
export function ownedMetadata(namespace: string, fn: string, version: string, owner: V1OwnerReference): V1ObjectMeta {
  return { name: deploymentName(fn, version), namespace, labels: ownedLabels(fn, version), ownerReferences: [owner] };
}
