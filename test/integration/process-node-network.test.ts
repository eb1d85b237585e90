// The process node's pod network mode, which the chart's e2e test stands on: each pod in its own network namespace
// with an IP of its own; a Service's ClusterIP reaches only its ready endpoints (a readiness probe gates them); the
// Service's name resolves from the pod's /etc/hosts; the in-cluster service-account token (a projected volume) and the
// `kubernetes` Service let a pod call the API server as client libraries do; a claim bound to a hostPath PV is the
// pod's folder, and outlives the pod.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlPlaneBinaries } from '../control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../control-plane/control-plane.js';
import { kubeRequest } from '../control-plane/kube-request.js';
import { reservePodNetwork, type PodNetworkReservation } from '../control-plane/network-slot.js';
import { linksOf } from '../control-plane/pod-network.js';
import { startProcessNode, type ProcessNode } from '../control-plane/process-node.js';
import { waitFor } from '../helpers/wait.js';

const NS = 'net';
let net: PodNetworkReservation;
let cp: ControlPlane;
let node: ProcessNode;
const pvDir = mkdtempSync(join(tmpdir(), 'klambda-pv-'));

beforeAll(async () => {
  net = await reservePodNetwork();
  cp = await startControlPlane(controlPlaneBinaries(), { podNetwork: net });
  node = await startProcessNode({ server: cp.server, token: cp.token, podNetwork: net });
  await api('POST', '/api/v1/namespaces', { metadata: { name: NS } });
}, 45 * 60_000);
afterAll(async () => {
  await node?.stop();
  await cp?.stop();
  await net?.release();
  rmSync(pvDir, { recursive: true, force: true });
});

const api = (method: string, path: string, body?: unknown) => kubeRequest(cp.server, cp.token, method, path, body);

interface PodStatus { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }> }
const podStatus = async (name: string): Promise<PodStatus> => ((await api('GET', `/api/v1/namespaces/${NS}/pods/${name}`)).body.status ?? {}) as PodStatus;
const ready = (s: PodStatus) => s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** A pod that runs `script` with Python once, on this node; its logs say what it saw. */
function clientPod(name: string, script: string, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name },
    spec: {
      nodeName: node.name, restartPolicy: 'Never',
      securityContext: { runAsUser: 10050, runAsGroup: 10050, runAsNonRoot: true },
      containers: [{ name: 'main', image: 'python', command: ['/usr/bin/python3', '-c', script], ...(extra.container as object ?? {}) }],
      ...(extra.spec as object ?? {}),
    },
  };
}

async function finished(name: string): Promise<string> {
  await waitFor(async () => {
    const phase = (await podStatus(name)).phase;
    return phase === 'Succeeded' || phase === 'Failed' ? phase : undefined;
  }, 60_000, `pod ${name} finished`);
  return node.logs(NS, name);
}

it('gives each pod its own IP in the slot\'s pod CIDR, and the node the gateway address', async () => {
  expect(node.hostIP).toBe(net.gateway);
  const n = await api('GET', `/api/v1/nodes/${node.name}`);
  expect((n.body.spec as { podCIDR?: string }).podCIDR).toBe(net.podCIDR);
  expect(await linksOf(net.linkPrefix)).toContain(`${net.linkPrefix}b`);
});

it('proxies a Service\'s ClusterIP to its ready endpoints only, by name from the pod\'s hosts file', async () => {
  // web serves once a marker file exists; its readiness probe (httpGet) holds it out of the Service until then
  await api('POST', `/api/v1/namespaces/${NS}/pods`, {
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      nodeName: node.name, securityContext: { runAsUser: 10051, runAsGroup: 10051 },
      containers: [{
        name: 'web', image: 'python', ports: [{ name: 'http', containerPort: 8080 }],
        command: ['/usr/bin/python3', '-c', [
          'import http.server, os, socket',
          'class H(http.server.BaseHTTPRequestHandler):',
          '  def do_GET(self):',
          '    ok = self.path == "/hello" or os.path.exists("/tmp/ready-" + socket.gethostname())',
          '    body = ("hello from " + socket.gethostname()).encode()',
          '    self.send_response(200 if ok else 503); self.end_headers(); self.wfile.write(body)',
          'http.server.HTTPServer(("0.0.0.0", 8080), H).serve_forever()',
        ].join('\n')],
        readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
      }],
    },
  });
  await api('POST', `/api/v1/namespaces/${NS}/services`, {
    metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  const running = await waitFor(async () => { const s = await podStatus('web'); return s.phase === 'Running' ? s : undefined; }, 60_000, 'web running');
  expect(running.podIP).toMatch(new RegExp(`^${net.podCIDR.replace(/\.0\/24$/, '').replace(/\./g, '\\.')}\\.\\d+$`));
  expect(ready(running)).toBe(false);

  // not ready: the Service has no endpoint, so a connection is refused
  const unready = clientPod('probe-unready', [
    'import urllib.request',
    'try: urllib.request.urlopen("http://web/hello", timeout=5); print("ANSWERED")',
    'except Exception as e: print("REFUSED", type(e).__name__)',
  ].join('\n'));
  await api('POST', `/api/v1/namespaces/${NS}/pods`, unready);
  expect(await finished('probe-unready')).toMatch(/REFUSED/);

  // ready (the probe passes): the ClusterIP answers with the web pod's own hostname
  const { writeFileSync } = await import('node:fs');
  writeFileSync('/tmp/ready-web', '');
  try {
    await waitFor(async () => (ready(await podStatus('web')) ? true : undefined), 30_000, 'web Ready');
    const client = clientPod('client', [
      'import os, socket, urllib.request',
      'print("HOSTNAME", socket.gethostname())',
      'print("IP", socket.gethostbyname("web"), socket.gethostbyname("web.net.svc.cluster.local"))',
      'print("ENV", os.environ["WEB_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_HOST"])',
      'print("BODY", urllib.request.urlopen("http://web.net.svc/hello", timeout=5).read().decode())',
    ].join('\n'));
    await api('POST', `/api/v1/namespaces/${NS}/pods`, client);
    const out = await finished('client');
    const clusterIP = ((await api('GET', `/api/v1/namespaces/${NS}/services/web`)).body.spec as { clusterIP: string }).clusterIP;
    const kubernetesIP = ((await api('GET', '/api/v1/namespaces/default/services/kubernetes')).body.spec as { clusterIP: string }).clusterIP;
    expect(out).toContain('HOSTNAME client');
    expect(out).toContain(`IP ${clusterIP} ${clusterIP}`);
    expect(out).toContain(`ENV ${clusterIP} ${kubernetesIP}`);
    expect(out).toContain('BODY hello from web');
    expect((await podStatus('client')).phase).toBe('Succeeded');
  } finally {
    rmSync('/tmp/ready-web', { force: true });
  }
}, 180_000);

it('mounts a bound service-account token, with which a pod calls the API server through the kubernetes Service', async () => {
  // what client libraries do in a cluster: the token and CA from the projected volume, KUBERNETES_SERVICE_HOST
  await api('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { metadata: { name: 'reader' } });
  const pod = clientPod('in-cluster', [
    'import json, os, ssl, urllib.request',
    'd = "/var/run/secrets/kubernetes.io/serviceaccount/"',
    'token = open(d + "token").read(); ns = open(d + "namespace").read()',
    'ctx = ssl.create_default_context(cafile=d + "ca.crt")',
    'url = "https://kubernetes.default.svc/api/v1/namespaces/" + ns + "/pods"',
    'req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})',
    'try: urllib.request.urlopen(req, context=ctx)',
    'except urllib.error.HTTPError as e: print("STATUS", e.code, json.loads(e.read())["message"])',
    'print("HOST", os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])',
  ].join('\n'), {
    spec: {
      serviceAccountName: 'reader',
      volumes: [{ name: 'kube-api-access', projected: { sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
      ] } }],
    },
    container: { volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] },
  });
  // the CA ConfigMap appears in a namespace once the controller-manager has been there
  await waitFor(async () => ((await api('GET', `/api/v1/namespaces/${NS}/configmaps/kube-root-ca.crt`)).status === 200 ? true : undefined), 30_000, 'kube-root-ca.crt');
  await api('POST', `/api/v1/namespaces/${NS}/pods`, pod);
  const out = await finished('in-cluster');
  // TLS verified against the cluster CA, the token authenticated as the pod's ServiceAccount (RBAC: no list right)
  expect(out).toContain(`STATUS 403 pods is forbidden: User "system:serviceaccount:${NS}:reader" cannot list resource "pods"`);
  expect(out).toMatch(/HOST 10\.0\.\d+\.1 443/);
}, 120_000);

it('gives a claim bound to a hostPath PV to the pod as its folder, owned by its fsGroup, kept after the pod', async () => {
  await api('POST', '/api/v1/persistentvolumes', {
    metadata: { name: `net-pv-${net.slot}` },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: pvDir } },
  });
  await api('POST', `/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
    metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '', volumeName: `net-pv-${net.slot}` },
  });
  const pod = clientPod('writer', 'open("/data/out.txt", "w").write("kept"); print("WROTE")', {
    spec: { securityContext: { runAsUser: 10052, runAsGroup: 10052, fsGroup: 10053 }, volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] },
    container: { volumeMounts: [{ name: 'data', mountPath: '/data' }] },
  });
  await api('POST', `/api/v1/namespaces/${NS}/pods`, pod);
  expect(await finished('writer')).toContain('WROTE');
  await api('DELETE', `/api/v1/namespaces/${NS}/pods/writer?gracePeriodSeconds=0`);
  await waitFor(async () => ((await api('GET', `/api/v1/namespaces/${NS}/pods/writer`)).status === 404 ? true : undefined), 30_000, 'writer gone');
  expect(existsSync(join(pvDir, 'out.txt'))).toBe(true);
  expect(readFileSync(join(pvDir, 'out.txt'), 'utf8')).toBe('kept');
}, 120_000);
