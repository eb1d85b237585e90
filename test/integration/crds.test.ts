// The generated CRDs on the real API server: accepted, samples stored with defaults, bad objects refused with clear messages.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../src/core/package-root.js';
import { controlPlaneBinaries } from '../control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../control-plane/control-plane.js';
import { kubeRequest } from '../control-plane/kube-request.js';

let cp: ControlPlane;
const api = (method: string, path: string, body?: unknown, type?: string) => kubeRequest(cp.server, cp.token, method, path, body, type);
const base = '/apis/klambda.dev/v1alpha1/namespaces/default';

beforeAll(async () => {
  cp = await startControlPlane(controlPlaneBinaries());
  const dir = join(packageRoot(), 'crds');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(dir, file), 'utf8')) as { metadata: { name: string } };
    const res = await api('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    if (res.status !== 201) throw new Error(`${file} refused: ${res.status} ${JSON.stringify(res.body)}`);
  }
  for (const plural of ['functions', 'functionversions', 'aliases']) {
    const until = Date.now() + 30_000;
    for (;;) {
      const r = await api('GET', `${base}/${plural}`);
      if (r.status === 200) break;
      if (Date.now() > until) throw new Error(`${plural} not served`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}, 45 * 60_000);
afterAll(async () => { await cp?.stop(); });

const fn = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name }, spec });

it('stores a Function with its defaults filled in by the API server', async () => {
  const res = await api('POST', `${base}/functions`, fn('hello', { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } } }));
  expect(res.status).toBe(201);
  expect(res.body.spec).toMatchObject({ memoryMB: 128, timeoutSeconds: 3, ephemeralStorageMB: 512 });
});

it('refuses a Function out of range or with a bad runtime, naming the field', async () => {
  const res = await api('POST', `${base}/functions`, fn('bad', { runtime: 'ruby', handler: 'x.y', memoryMB: 64, code: { image: 'x' } }));
  expect(res.status).toBe(422);
  expect(String(res.body.message)).toContain('spec.memoryMB');
  expect(String(res.body.message)).toContain('spec.runtime');
});

it('refuses a change to a FunctionVersion spec', async () => {
  const version = {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'FunctionVersion', metadata: { name: 'hello-v1' },
    spec: { functionName: 'hello', version: '1', codeSha256: 'x'.repeat(43) + '=', function: { runtime: 'nodejs20', handler: 'index.handler', code: { image: 'a' } } },
  };
  const created = await api('POST', `${base}/functionversions`, version);
  expect(created.status).toBe(201);
  const changed = await api('PATCH', `${base}/functionversions/hello-v1`, { spec: { version: '2' } }, 'application/merge-patch+json');
  expect(changed.status).toBe(422);
  expect(String(changed.body.message)).toContain('immutable');
});

it('refuses an Alias with two extra versions or a weight above 1', async () => {
  const alias = (name: string, weights: Record<string, number>) => ({
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Alias', metadata: { name },
    spec: { functionName: 'hello', functionVersion: '1', routingConfig: { additionalVersionWeights: weights } },
  });
  expect((await api('POST', `${base}/aliases`, alias('ok', { '2': 0.1 }))).status).toBe(201);
  expect((await api('POST', `${base}/aliases`, alias('two', { '2': 0.1, '3': 0.1 }))).status).toBe(422);
  expect((await api('POST', `${base}/aliases`, alias('heavy', { '2': 1.5 }))).status).toBe(422);
});

it('accepts the controller\'s RBAC (config/rbac/role.yaml)', async () => {
  const { parseAllDocuments } = await import('yaml');
  const docs = parseAllDocuments(readFileSync(join(packageRoot(), 'config', 'rbac', 'role.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { namespace?: string } });
  expect(docs.map((d) => d.kind)).toEqual(['ClusterRole', 'Role']);
  const ns = docs[1]!.metadata.namespace!;
  await api('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  const cr = await api('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles?fieldValidation=Strict', docs[0]);
  const role = await api('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles?fieldValidation=Strict`, docs[1]);
  expect([cr.status, role.status]).toEqual([201, 201]);
});
