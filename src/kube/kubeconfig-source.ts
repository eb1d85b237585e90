// Where a klambda process finds its Kubernetes credentials, in controller-runtime's order (pure): --kubeconfig, then
// $KUBECONFIG, then the pod's service account, then ~/.kube/config; none of them is an error that says so.
import { join } from 'node:path';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeConfigSource =
  | { kind: 'files'; paths: string[]; from: '--kubeconfig' | 'KUBECONFIG' | '~/.kube/config' }
  | { kind: 'in-cluster' };

/** No usable Kubernetes configuration: the message names every place looked at. */
export class KubeConfigMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeConfigMissingError';
  }
}

export interface SourceInputs {
  /** The --kubeconfig flag. */
  flag?: string | undefined;
  env: Record<string, string | undefined>;
  home: string;
  exists: (path: string) => boolean;
}

export function kubeConfigSource({ flag, env, home, exists }: SourceInputs): KubeConfigSource {
  if (flag !== undefined) {
    if (!exists(flag)) throw new KubeConfigMissingError(`--kubeconfig ${flag}: no such file`);
    return { kind: 'files', paths: [flag], from: '--kubeconfig' };
  }
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(':').filter(Boolean);
    const paths = listed.filter(exists);
    if (paths.length === 0) throw new KubeConfigMissingError(`KUBECONFIG=${env.KUBECONFIG}: no such file`);
    return { kind: 'files', paths, from: 'KUBECONFIG' };
  }
  if (env.KUBERNETES_SERVICE_HOST && exists(join(SERVICE_ACCOUNT_DIR, 'token'))) return { kind: 'in-cluster' };
  const user = join(home, '.kube', 'config');
  if (exists(user)) return { kind: 'files', paths: [user], from: '~/.kube/config' };
  throw new KubeConfigMissingError(
    `no Kubernetes configuration: pass --kubeconfig FILE, set KUBECONFIG, create ${user}, or run in a pod with a service account `
    + `(${env.KUBERNETES_SERVICE_HOST ? `${join(SERVICE_ACCOUNT_DIR, 'token')} is missing` : 'KUBERNETES_SERVICE_HOST is not set'})`,
  );
}
