// Builds the NetworkPolicy of a `networking: private` function (pure): its pods talk only to klambda's
// Redis, the cluster DNS and (for a zip package) klambda's code store, and take no inbound connections (work arrives
// by pulling from Redis).
import type { V1NetworkPolicy, V1OwnerReference } from '@kubernetes/client-node';
import { ownedMetadata, selectorLabels } from './names.js';

export interface NetworkPolicyInput {
  namespace: string;
  functionName: string;
  version: string;
  owner: V1OwnerReference;
  /** Labels of klambda's Redis pods and the namespace they run in. */
  redis: { namespace: string; podLabels: Record<string, string>; port: number };
  /** Labels of the code store's pods, their namespace and port, when the agent fetches a package from it. */
  codeStore?: { namespace: string; podLabels: Record<string, string>; port: number };
}

export function buildNetworkPolicy(i: NetworkPolicyInput): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMetadata(i.namespace, i.functionName, i.version, i.owner),
    spec: {
      podSelector: { matchLabels: selectorLabels(i.functionName, i.version) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': i.redis.namespace } }, podSelector: { matchLabels: i.redis.podLabels } }],
          ports: [{ protocol: 'TCP', port: i.redis.port }],
        },
        {
          to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        },
        ...(i.codeStore ? [{
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': i.codeStore.namespace } }, podSelector: { matchLabels: i.codeStore.podLabels } }],
          ports: [{ protocol: 'TCP', port: i.codeStore.port }],
        }] : []),
      ],
    },
  };
}
