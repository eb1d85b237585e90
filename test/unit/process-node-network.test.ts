// The pod network mode's pure parts: what Services and EndpointSlices become (the proxy's table, a pod's hosts file,
// the kubelet's service variables), which volume mounts are really mounted, probe ports, a slot's addresses.
import { podNetworkConfig } from '../control-plane/network-slot.js';
import { mountScript, runMounts } from '../control-plane/pod-network-setup.js';
import { probePort } from '../control-plane/readiness-probe.js';
import { hostsFile, proxyTable, resolvConf, serviceEnv, type EndpointSlice, type Service } from '../control-plane/service-records.js';
import type { Pod } from '../control-plane/container-process.js';

const services: Service[] = [
  { metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.0.3.1', ports: [{ name: 'https', port: 443 }] } },
  { metadata: { name: 'klambda-router', namespace: 'klambda-system' }, spec: { clusterIP: '10.0.3.20', ports: [{ name: 'http', port: 9000 }, { name: 'ops', port: 9090 }] } },
  { metadata: { name: 'klambda-redis-headless', namespace: 'klambda-system' }, spec: { clusterIP: 'None', ports: [{ name: 'redis', port: 6379 }] } },
  { metadata: { name: 'dns', namespace: 'klambda-system' }, spec: { clusterIP: '10.0.3.30', ports: [{ port: 53, protocol: 'UDP' }] } },
  { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName' } },
];
const slices: EndpointSlice[] = [
  {
    metadata: { namespace: 'klambda-system', labels: { 'kubernetes.io/service-name': 'klambda-router' } },
    ports: [{ name: 'http', port: 8080 }, { name: 'ops', port: 9091 }],
    endpoints: [{ addresses: ['10.244.3.5'], conditions: { ready: true } }, { addresses: ['10.244.3.6'], conditions: { ready: false } }, { addresses: ['10.244.3.7'] }],
  },
  {
    metadata: { namespace: 'klambda-system', labels: { 'kubernetes.io/service-name': 'klambda-redis-headless' } },
    ports: [{ name: 'redis', port: 6379 }], endpoints: [{ addresses: ['10.244.3.9'], hostname: 'klambda-redis-0', conditions: { ready: true } }],
  },
];

describe('the service proxy table', () => {
  it('maps each TCP port of a ClusterIP Service to the ready endpoints of its named port; kubernetes to the API server', () => {
    const table = proxyTable(services, slices, { ip: '127.0.0.1', port: 6443 });
    expect(table).toEqual([
      { ip: '10.0.3.1', port: 443, service: 'default/kubernetes:https', backends: [{ ip: '127.0.0.1', port: 6443 }] },
      { ip: '10.0.3.20', port: 9000, service: 'klambda-system/klambda-router:http', backends: [{ ip: '10.244.3.5', port: 8080 }, { ip: '10.244.3.7', port: 8080 }] },
      { ip: '10.0.3.20', port: 9090, service: 'klambda-system/klambda-router:ops', backends: [{ ip: '10.244.3.5', port: 9091 }, { ip: '10.244.3.7', port: 9091 }] },
    ]);
  });
});

describe('a pod\'s hosts file and resolv.conf', () => {
  const hosts = hostsFile({ namespace: 'klambda-system', ip: '10.244.3.5', hostname: 'router-abc' }, services, slices, 'cluster.local');
  it('names the pod, every ClusterIP Service (short names in its own namespace only) and a headless Service\'s pods', () => {
    expect(hosts).toContain('10.244.3.5\trouter-abc\n');
    expect(hosts).toContain('10.0.3.20\tklambda-router klambda-router.klambda-system klambda-router.klambda-system.svc klambda-router.klambda-system.svc.cluster.local\n');
    expect(hosts).toContain('10.0.3.1\tkubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster.local\n');
    expect(hosts).toContain('10.244.3.9\tklambda-redis-0.klambda-redis-headless klambda-redis-0.klambda-redis-headless.klambda-system');
    expect(hosts).not.toContain('ext');
  });
  it('gives a StatefulSet pod its subdomain name', () => {
    const own = hostsFile({ namespace: 'klambda-system', ip: '10.244.3.9', hostname: 'klambda-redis-0', subdomain: 'klambda-redis-headless' }, [], [], 'cluster.local');
    expect(own).toContain('10.244.3.9\tklambda-redis-0.klambda-redis-headless.klambda-system.svc.cluster.local klambda-redis-0\n');
  });
  it('searches the pod\'s namespace first', () => {
    expect(resolvConf('ns1', 'cluster.local', '10.244.3.1')).toBe('search ns1.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.244.3.1\noptions ndots:5\n');
  });
});

describe('the kubelet\'s service variables', () => {
  it('gives the kubernetes Service always, and its own namespace\'s with service links', () => {
    const env = serviceEnv(services, 'klambda-system', true);
    expect(env).toMatchObject({
      KUBERNETES_SERVICE_HOST: '10.0.3.1', KUBERNETES_SERVICE_PORT: '443', KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KLAMBDA_ROUTER_SERVICE_HOST: '10.0.3.20', KLAMBDA_ROUTER_SERVICE_PORT: '9000', KLAMBDA_ROUTER_SERVICE_PORT_OPS: '9090',
      KLAMBDA_ROUTER_PORT: 'tcp://10.0.3.20:9000', KLAMBDA_ROUTER_PORT_9090_TCP_ADDR: '10.0.3.20',
    });
    expect(Object.keys(env).some((k) => k.startsWith('KLAMBDA_REDIS_HEADLESS'))).toBe(false);
    expect(serviceEnv(services, 'klambda-system', false)).toEqual({ KUBERNETES_SERVICE_HOST: '10.0.3.1', KUBERNETES_SERVICE_PORT: '443' });
  });
});

describe('the pod\'s mounts', () => {
  const pod = {
    metadata: { name: 'p', namespace: 'n', uid: 'u' },
    spec: { containers: [
      { name: 'a', volumeMounts: [{ name: 'sa', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }, { name: 'data', mountPath: '/data' }] },
      { name: 'b', volumeMounts: [{ name: 'sa', mountPath: '/run/secrets/kubernetes.io/serviceaccount' }, { name: 'cfg', mountPath: '/run/cfg', subPath: 'x' }] },
    ] },
  } as unknown as Pod;
  it('mounts for real only what lies under /run (or /var/run), once per path', () => {
    const dirs = new Map([['sa', '/h/sa'], ['data', '/h/data'], ['cfg', '/h/cfg']]);
    expect(runMounts(pod, dirs)).toEqual([
      { from: '/h/sa', to: '/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
      { from: '/h/cfg/x', to: '/run/cfg', readOnly: false },
    ]);
  });
  it('names the pod, gives it its own /run, and binds the volumes, hosts and resolv.conf', () => {
    const script = mountScript("o'k", [{ from: '/h/sa', to: '/run/s', readOnly: true }], '/h/hosts', '/h/resolv');
    expect(script.split('\n').slice(0, 5)).toEqual([
      "hostname 'o'\\''k'", 'mount -t tmpfs -o mode=755 tmpfs /run', "mkdir -p '/run/s'", "mount --bind '/h/sa' '/run/s'", "mount -o remount,bind,ro '/run/s'",
    ]);
    expect(script).toMatch(/mount --bind '\/h\/hosts' '[^']+'/);
    expect(script).toMatch(/mount --bind '\/h\/resolv' '[^']+'/);
  });
});

it('finds a probe\'s port by number or by the container port\'s name', () => {
  const ports = [{ name: 'http', containerPort: 8080 }];
  expect([probePort(80, ports), probePort('81', ports), probePort('http', ports), probePort('none', ports)]).toEqual([80, 81, 8080, undefined]);
});

it('gives each slot its own pod and service ranges and link names', () => {
  expect(podNetworkConfig(7)).toEqual({
    slot: 7, podCIDR: '10.244.7.0/24', gateway: '10.244.7.1', serviceCIDR: '10.0.7.0/24', linkPrefix: 'kl7', clusterDomain: 'cluster.local',
  });
});
