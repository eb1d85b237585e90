// The real control plane the operator tests run on: the API server answers with RBAC and token auth,
// the controller-manager turns a Deployment into a ReplicaSet and a Pod, the scheduler is running.
import { controlPlaneBinaries } from '../control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../control-plane/control-plane.js';
import { kubeRequest } from '../control-plane/kube-request.js';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane(controlPlaneBinaries());
}, 45 * 60_000);
afterAll(async () => { await cp?.stop(); });

const api = (method: string, path: string, body?: unknown) => kubeRequest(cp.server, cp.token, method, path, body);

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('serves the API with token auth and refuses an unknown token', async () => {
  const version = await api('GET', '/version');
  expect(version.body.gitVersion).toMatch(/^v1\.36\./);
  const anonymous = await kubeRequest(cp.server, 'not-a-token', 'GET', '/api/v1/namespaces');
  expect(anonymous.status).toBe(401);
});

it('runs the controllers: a Deployment gets a ReplicaSet and a Pod, owned by it', async () => {
  const ns = `cp-${Date.now()}`;
  expect((await api('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status).toBe(201);
  const deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'example/web:1' }] } },
    },
  };
  expect((await api('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment)).status).toBe(201);
  const pod = await waitFor('a pod of the deployment', async () => {
    const pods = await api('GET', `/api/v1/namespaces/${ns}/pods`);
    return (pods.body.items as Array<{ metadata: { ownerReferences?: Array<{ kind: string }> } }> | undefined)?.[0];
  });
  expect(pod.metadata.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
});
