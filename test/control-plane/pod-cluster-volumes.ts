// What the process node asks the API server for a pod's projected volumes and claims, as a kubelet does: a bound
// service-account token from the TokenRequest API, downward API fields, and the hostPath folder of a claim's PV.
import { mkdir } from 'node:fs/promises';
import type { Pod } from './container-process.js';
import type { KubeResponse } from './kube-request.js';
import type { ClusterVolumes } from './pod-volumes.js';

type Api = (method: string, path: string, body?: unknown) => Promise<KubeResponse>;

interface Claim { status?: { phase?: string }; spec?: { volumeName?: string } }
interface PersistentVolume { spec?: { hostPath?: { path: string } } }

export function clusterVolumes(api: Api, pod: Pod, podIP: string): ClusterVolumes {
  const { namespace, name, uid } = pod.metadata;
  return {
    async token(audience, expirationSeconds) {
      const sa = pod.spec.serviceAccountName ?? 'default';
      const r = await api('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${sa}/token`, {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
        spec: { audiences: audience ? [audience] : [], expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name, uid } },
      });
      const token = (r.body.status as { token?: string } | undefined)?.token;
      if (r.status !== 201 || !token) throw new Error(`token request for serviceaccount ${namespace}/${sa} failed: ${r.status} ${String(r.body.message)}`);
      return token;
    },
    field(fieldPath) {
      const labels = (pod.metadata as { labels?: Record<string, string> }).labels ?? {};
      switch (fieldPath) {
        case 'metadata.namespace': return namespace;
        case 'metadata.name': return name;
        case 'metadata.uid': return uid;
        case 'status.podIP': return podIP;
        case 'metadata.labels': return Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n');
        default: return undefined;
      }
    },
    async claim(claimName) {
      const c = await api('GET', `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${claimName}`);
      if (c.status === 404) return { ok: false, message: `persistentvolumeclaim "${claimName}" not found` };
      const claim = c.body as Claim;
      if (claim.status?.phase !== 'Bound' || !claim.spec?.volumeName) return { ok: false, message: `persistentvolumeclaim "${claimName}" is not bound` };
      const v = await api('GET', `/api/v1/persistentvolumes/${claim.spec.volumeName}`);
      const path = (v.body as PersistentVolume).spec?.hostPath?.path;
      if (v.status !== 200 || !path) return { ok: false, message: `persistentvolume "${claim.spec.volumeName}" is not a hostPath volume (the only kind this node mounts)` };
      // as hostPath type DirectoryOrCreate
      await mkdir(path, { recursive: true });
      return { ok: true, value: path };
    },
  };
}
