// The real control plane the operator tests run on: the API server answers with RBAC and token auth,
// the controller-manager turns a Deployment into a ReplicaSet and a Pod, the scheduler is running, and the process node runs
// pods as local processes (ConfigMap volumes included).
import { existsSync } from 'node:fs';
import { controlPlaneBinaries } from '../control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../control-plane/control-plane.js';
import { waitFor } from '../helpers/wait.js';
import { kubeRequest } from '../control-plane/kube-request.js';
import { ProcessNode } from '../control-plane/process-node.js';
import { packageRoot } from '../../src/core/package-root.js';
import { freePort } from '../../src/local/redis-server.js';

let cp: ControlPlane;
let node: ProcessNode;
beforeAll(async () => {
  cp = await startControlPlane(controlPlaneBinaries());
  // a function pod's `node /opt/klambda/dist/agent/main.js` runs this repository's built agent
  node = new ProcessNode({ server: cp.server, token: cp.token, rootMap: { '/opt/klambda': packageRoot() } });
  await node.start();
}, 45 * 60_000);
afterAll(async () => { await node?.stop(); await cp?.stop(); });

const api = (method: string, path: string, body?: unknown) => kubeRequest(cp.server, cp.token, method, path, body);

it('serves the API with token auth and refuses an unknown token', async () => {
  const version = await api('GET', '/version');
  expect(version.body.gitVersion).toMatch(/^v1\.36\./);
  const anonymous = await kubeRequest(cp.server, 'not-a-token', 'GET', '/api/v1/namespaces');
  expect(anonymous.status).toBe(401);
});

it('registers a Ready process node', async () => {
  const n = await api('GET', `/api/v1/nodes/${node.name}`);
  const conditions = (n.body.status as { conditions: Array<{ type: string; status: string }> }).conditions;
  expect(conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
});

it('runs a scheduled pod\'s container as a local process that really serves, with status Running and PodIP 127.0.0.1', async () => {
  const ns = `pn-${Date.now()}`;
  await api('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  const port = await freePort();
  const server = `require('http').createServer((q, s) => s.end('hi from ' + process.env.WHO)).listen(${port}, '127.0.0.1')`;
  const created = await api('POST', `/api/v1/namespaces/${ns}/pods`, {
    metadata: { name: 'web' },
    spec: { containers: [{ name: 'web', image: 'node:20', command: [process.execPath, '-e', server], env: [{ name: 'WHO', value: 'a pod' }] }] },
  });
  expect(created.status).toBe(201);
  const status = await waitFor(async () => {
    const p = await api('GET', `/api/v1/namespaces/${ns}/pods/web`);
    const st = p.body.status as { phase?: string; podIP?: string };
    return st.phase === 'Running' ? st : undefined;
  }, 30_000, 'the pod to run', 100);
  expect(status.podIP).toBe('127.0.0.1');
  const body = await waitFor(async () => {
    const r = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    return r ? await r.text() : undefined;
  }, 30_000, 'the container to listen', 100);
  expect(body).toBe('hi from a pod');
  await api('DELETE', `/api/v1/namespaces/${ns}/pods/web`);
  await waitFor(async () => ((await api('GET', `/api/v1/namespaces/${ns}/pods/web`)).status === 404 ? true : undefined), 30_000, 'the pod to be gone', 100);
  await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/`).catch(() => 'closed')) === 'closed' ? true : undefined), 30_000, 'the process to stop', 100);
}, 60_000);

it('mounts a ConfigMap volume as files (items into sub folders, mode 0755) once it exists, with the mount path rewritten in env; a deleted pod leaves no process and no folder', async () => {
  const ns = `pv-${Date.now()}`;
  const outcome = (res: { status: number; body: Record<string, unknown> }) => ({ status: res.status, message: res.body.message });
  expect(outcome(await api('POST', '/api/v1/namespaces', { metadata: { name: ns } }))).toEqual({ status: 201, message: undefined });
  const port = await freePort();
  // serves what it reads at the paths it was given, and what the mounted script prints when run
  const server = `const fs = require('fs');
    require('http').createServer((q, s) => s.end(JSON.stringify({
      a: fs.readFileSync(process.env.DATA, 'utf8'), b: require('child_process').execFileSync(process.env.SCRIPT, { encoding: 'utf8' }), pod: process.env.POD,
    }))).listen(Number(process.env.PORT), '127.0.0.1')`;
  const pod = await api('POST', `/api/v1/namespaces/${ns}/pods`, {
    metadata: { name: 'files' },
    spec: {
      nodeName: node.name,
      containers: [{
        name: 'web', image: 'node:20', command: ['node', '-e', server],
        env: [{ name: 'DATA', value: '/data/a.txt' }, { name: 'SCRIPT', value: '/data/dir/b.sh' }, { name: 'PORT', value: String(port) },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
      }],
      volumes: [{ name: 'data', configMap: { name: 'files', defaultMode: 0o755, items: [{ key: 'a.txt', path: 'a.txt' }, { key: 'file-1', path: 'dir/b.sh' }] } }],
    },
  });
  expect(outcome(pod)).toEqual({ status: 201, message: undefined });
  const withLogs = (err: Error) => { throw new Error(`${err.message}; container log:\n${node.logs(ns, 'files')}`); };
  const waiting = await waitFor(async () => {
    const p = await api('GET', `/api/v1/namespaces/${ns}/pods/files`);
    const st = p.body.status as { phase?: string; containerStatuses?: Array<{ state: { waiting?: { reason: string } } }> } | undefined;
    return st?.containerStatuses?.[0]?.state.waiting ? st : undefined;
  }, 30_000, 'the pod to wait for its ConfigMap', 100);
  expect({ phase: waiting.phase, reason: waiting.containerStatuses?.[0]?.state.waiting?.reason }).toEqual({ phase: 'Pending', reason: 'CreateContainerConfigError' });

  const configMap = { metadata: { name: 'files' }, data: { 'a.txt': 'the file a', 'file-1': '#!/bin/sh\necho "b ran"\n' } };
  expect(outcome(await api('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap))).toEqual({ status: 201, message: undefined });
  const body = await waitFor(async () => {
    const r = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    return r?.ok ? await r.json() as unknown : undefined;
  }, 30_000, 'the container to serve its files', 100).catch(withLogs);
  expect(body).toEqual({ a: 'the file a', b: 'b ran\n', pod: 'files' });
  const dir = node.podDir(ns, 'files');
  expect(dir !== undefined && existsSync(dir)).toBe(true);

  await api('DELETE', `/api/v1/namespaces/${ns}/pods/files`);
  await waitFor(async () => ((await api('GET', `/api/v1/namespaces/${ns}/pods/files`)).status === 404 ? true : undefined), 30_000, 'the pod to be gone', 100);
  expect(await fetch(`http://127.0.0.1:${port}/`).catch(() => 'closed')).toBe('closed');
  expect(existsSync(dir!)).toBe(false);
}, 60_000);

it('reports a container that exits non-zero with restartPolicy Never as Failed', async () => {
  const ns = `pf-${Date.now()}`;
  await api('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  await api('POST', `/api/v1/namespaces/${ns}/pods`, {
    metadata: { name: 'job' }, spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox', command: ['sh', '-c', 'exit 3'] }] },
  });
  const st = await waitFor(async () => {
    const p = await api('GET', `/api/v1/namespaces/${ns}/pods/job`);
    const s = p.body.status as { phase?: string; containerStatuses?: Array<{ state: { terminated?: { exitCode: number } } }> } | undefined;
    return s?.phase === 'Failed' ? s : undefined;
  }, 30_000, 'the pod to fail', 100);
  expect(st.containerStatuses?.[0]?.state.terminated?.exitCode).toBe(3);
}, 60_000);

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
  const pod = await waitFor(async () => {
    const pods = await api('GET', `/api/v1/namespaces/${ns}/pods`);
    return (pods.body.items as Array<{ metadata: { ownerReferences?: Array<{ kind: string }> } }> | undefined)?.[0];
  }, 30_000, 'a pod of the deployment', 100);
  expect(pod.metadata.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
});

it('accepts the objects the controller builds for a function version (server-side dry run)', async () => {
  const { buildDeployment } = await import('../../src/controller/resources/deployment.js');
  const { buildCodeConfigMap } = await import('../../src/controller/resources/code-configmap.js');
  const { buildNetworkPolicy } = await import('../../src/controller/resources/network-policy.js');
  const { checkObject } = await import('../../src/api/parse.js');
  const { runtimeImages } = await import('../../src/controller/resources/images.js');
  const parsed = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'hello' },
    spec: { runtime: 'python3.11', handler: 'app.handler', memoryMB: 512, code: { inline: { 'app.py': 'def handler(e, c): return 1', 'lib/x.py': '' } } } });
  if (!parsed.ok || parsed.object.kind !== 'Function') throw new Error('bad fixture');
  const owner = { apiVersion: 'klambda.dev/v1alpha1', kind: 'FunctionVersion', name: 'hello-v1', uid: '5f0c4b1e-0000-4000-8000-000000000001', controller: true };
  const files = { 'app.py': 'def handler(e, c): return 1', 'lib/x.py': '' };
  const common = { namespace: 'default', functionName: 'hello', version: '1', owner };
  const objects: Array<[string, unknown]> = [
    ['/api/v1/namespaces/default/configmaps', buildCodeConfigMap('default', 'hello', '1', files, owner)],
    ['/apis/apps/v1/namespaces/default/deployments', buildDeployment({
      ...common, config: parsed.object.spec, codeFiles: files, replicas: 2, agentImage: 'klambda:0.1.0', runtimeImages: runtimeImages('klambda:0.1.0'),
      keyPrefix: 'klambda', region: 'us-east-1', accountId: '000000000000', visibilityGraceMs: 5000,
    })],
    ['/apis/networking.k8s.io/v1/namespaces/default/networkpolicies', buildNetworkPolicy({ ...common, redis: { namespace: 'klambda', podLabels: { app: 'redis' }, port: 6379 } })],
  ];
  for (const [path, object] of objects) {
    const res = await api('POST', `${path}?dryRun=All&fieldValidation=Strict`, object);
    expect({ path, status: res.status, message: res.body.message }).toEqual({ path, status: 201, message: undefined });
  }
});

it('admits a function pod under the Pod Security "baseline" level and refuses it under "restricted" (the agent adds KILL)', async () => {
  const { buildDeployment } = await import('../../src/controller/resources/deployment.js');
  const { runtimeImages } = await import('../../src/controller/resources/images.js');
  const { checkObject } = await import('../../src/api/parse.js');
  const parsed = checkObject({ apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'hello' },
    spec: { runtime: 'nodejs20', handler: 'index.handler', serviceAccountName: 'role', code: { inline: { 'index.mjs': 'export const handler = () => 1;' } } } });
  if (!parsed.ok || parsed.object.kind !== 'Function') throw new Error('bad fixture');
  const owner = { apiVersion: 'klambda.dev/v1alpha1', kind: 'FunctionVersion', name: 'hello-v1', uid: '5f0c4b1e-0000-4000-8000-000000000002', controller: true };
  const d = buildDeployment({ namespace: 'x', functionName: 'hello', version: '1', owner, config: parsed.object.spec, codeFiles: { 'index.mjs': '' },
    replicas: 1, agentImage: 'klambda:0.1.0', runtimeImages: runtimeImages('klambda:0.1.0'), keyPrefix: 'klambda', region: 'us-east-1', accountId: '000000000000', visibilityGraceMs: 5000 });
  const outcomes: Record<string, { status: number; message?: unknown }> = {};
  for (const level of ['baseline', 'restricted']) {
    const ns = `psa-${level}-${Date.now()}`;
    await api('POST', '/api/v1/namespaces', { metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': level } } });
    await api('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'role' } });
    const res = await api('POST', `/api/v1/namespaces/${ns}/pods?dryRun=All&fieldValidation=Strict`, { metadata: { name: 'fn' }, spec: d.spec!.template.spec });
    outcomes[level] = { status: res.status, ...(res.status === 201 ? {} : { message: res.body.message }) };
  }
  expect(outcomes.baseline).toEqual({ status: 201 });
  expect(outcomes.restricted?.status).toBe(403);
  expect(String(outcomes.restricted?.message)).toMatch(/restricted.*capabilities.*KILL/s);
});
