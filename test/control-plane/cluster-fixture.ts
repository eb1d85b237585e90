// A real control plane ready for klambda: CRDs installed, config/rbac applied and bound to a controller and a router
// user (each with its own token, so tests run with klambda's least-privilege roles, not as admin).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { packageRoot } from '../../src/core/package-root.js';
import { KubeClient } from '../../src/kube/client.js';
import { waitFor } from '../helpers/wait.js';
import { controlPlaneBinaries } from './binaries.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

export const CONTROLLER_USER = 'klambda-controller';
export const ROUTER_USER = 'klambda-router';
export const LEASE_NAMESPACE = 'klambda-system';

export interface ClusterFixture {
  cp: ControlPlane;
  admin: KubeClient;
  controller: KubeClient;
  router: KubeClient;
  /** A kubeconfig file for one of the users (what `klambda controller` / `klambda router` read from $KUBECONFIG). */
  kubeconfig(user: typeof CONTROLLER_USER | typeof ROUTER_USER): string;
  stop(): Promise<void>;
}

export async function startCluster(): Promise<ClusterFixture> {
  const tokens = { [CONTROLLER_USER]: 'klambda-controller-token', [ROUTER_USER]: 'klambda-router-token' };
  const cp = await startControlPlane(controlPlaneBinaries(), { users: tokens });
  const admin = KubeClient.fromToken(cp.server, cp.token, true);
  try {
    const dir = join(packageRoot(), 'crds');
    const plurals: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const crd = parse(readFileSync(join(dir, file), 'utf8')) as { spec: { names: { plural: string } } };
      await admin.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      plurals.push(crd.spec.names.plural);
    }
    await admin.create('/api/v1/namespaces', { metadata: { name: LEASE_NAMESPACE } });
    for (const doc of parseAllDocuments(readFileSync(join(packageRoot(), 'config', 'rbac', 'role.yaml'), 'utf8'))) {
      const obj = doc.toJS() as { kind: string; metadata: { name: string; namespace?: string } };
      const path = obj.kind === 'ClusterRole' ? '/apis/rbac.authorization.k8s.io/v1/clusterroles' : `/apis/rbac.authorization.k8s.io/v1/namespaces/${obj.metadata.namespace}/roles`;
      await admin.create(path, obj);
    }
    const subject = (user: string) => [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }];
    for (const [user, role] of [[CONTROLLER_USER, 'klambda-controller'], [ROUTER_USER, 'klambda-router']] as const) {
      await admin.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        metadata: { name: user }, subjects: subject(user), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      });
    }
    for (const role of ['klambda-controller-leader-election', 'klambda-controller-function-urls']) {
      await admin.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/rolebindings`, {
        metadata: { name: role }, subjects: subject(CONTROLLER_USER), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
      });
    }
    for (const plural of plurals) await waitFor(() => admin.get(`/apis/klambda.dev/v1alpha1/${plural}`).then(() => true, () => undefined), 30_000, `${plural} served`, 100);
  } catch (e) {
    await cp.stop();
    throw e;
  }
  const kubeconfig = (user: keyof typeof tokens): string => {
    const file = join(cp.dir, `${user}.kubeconfig`);
    writeFileSync(file, [
      'apiVersion: v1', 'kind: Config', 'current-context: c',
      'clusters:', '- name: c', '  cluster:', `    server: ${cp.server}`, '    insecure-skip-tls-verify: true',
      'users:', `- name: ${user}`, '  user:', `    token: ${tokens[user]}`,
      'contexts:', '- name: c', `  context: {cluster: c, user: ${user}}`, '',
    ].join('\n'));
    return file;
  };
  return {
    cp, admin, kubeconfig,
    controller: KubeClient.fromToken(cp.server, tokens[CONTROLLER_USER], true),
    router: KubeClient.fromToken(cp.server, tokens[ROUTER_USER], true),
    stop: () => cp.stop(),
  };
}
