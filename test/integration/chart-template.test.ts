// charts/klambda through the real helm (v4): lint --strict, template with default values, with an external Redis, with
// ServiceMonitors and an Ingress; the values schema refuses what it does not know; the one sources (crds/,
// config/rbac/role.yaml, src/queue/acl.ts) are what the chart renders; its redis.conf runs a real redis-server.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parse, parseAllDocuments } from 'yaml';
import { freePort } from '../../src/local/redis-server.js';
import { controllerAclRules, routerAclRules } from '../../src/queue/acl.js';
import { parseDocs, type KubeDoc } from '../../scripts/config-from-chart.js';
import { repoRoot, runHelm, templateChart } from '../../scripts/helm-binary.js';
import { waitFor } from '../helpers/wait.js';

const EXTERNAL = ['--set', 'redis.external.url=rediss://redis.example.com:6380', '--set', 'redis.external.existingSecret=my-redis'];
const URL_ROUTES = ['--set', 'router.functionUrls.expose=httpRoute', '--set', 'router.functionUrls.gateway.name=public'];
const URL_INGRESSES = ['--set', 'router.functionUrls.expose=ingress', '--set', 'router.functionUrls.ingress.className=nginx'];
const MONITORING = ['--set', 'serviceMonitor.enabled=true', '--set', 'router.ingress.enabled=true', '--set', 'router.ingress.className=nginx'];

const find = (docs: KubeDoc[], kind: string, name: string): KubeDoc => {
  const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`no ${kind} ${name} in: ${docs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return d;
};
type Container = { name: string; args?: string[]; env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>; securityContext?: Record<string, unknown> };
type PodSpec = { containers: Container[]; securityContext?: Record<string, unknown>; serviceAccountName?: string };
const podSpec = (d: KubeDoc): PodSpec => (d.spec as { template: { spec: PodSpec } }).template.spec;
const container = (d: KubeDoc): Container => podSpec(d).containers[0]!;
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);

describe('helm lint --strict', () => {
  it.each([['default values', []], ['an external Redis', EXTERNAL], ['ServiceMonitors and an Ingress', MONITORING],
    ['Function URLs through HTTPRoutes', URL_ROUTES], ['Function URLs through Ingresses', URL_INGRESSES]])('passes with %s', (_, extra) => {
    const r = runHelm(['lint', '--strict', 'charts/klambda', ...extra]);
    expect(r.stderr + r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.status).toBe(0);
  });
});

describe('helm template with default values', () => {
  const docs = parseDocs(templateChart());

  it('renders the controller, router, Redis, the code store, RBAC, PDBs and the dashboard, one object per template', () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual([
      'ClusterRole/klambda-controller', 'ClusterRole/klambda-router', 'ClusterRoleBinding/klambda-controller', 'ClusterRoleBinding/klambda-router',
      'ConfigMap/klambda-dashboard', 'Deployment/klambda-code-store', 'Deployment/klambda-controller', 'Deployment/klambda-router',
      'PersistentVolumeClaim/klambda-code-store', 'PodDisruptionBudget/klambda-controller', 'PodDisruptionBudget/klambda-router', 'Role/klambda-controller-function-urls',
      'Role/klambda-controller-leader-election', 'RoleBinding/klambda-controller-function-urls', 'RoleBinding/klambda-controller-leader-election', 'Secret/klambda-code-store', 'Secret/klambda-redis', 'Service/klambda-code-store', 'Service/klambda-controller', 'Service/klambda-redis',
      'Service/klambda-redis-headless', 'Service/klambda-router', 'ServiceAccount/klambda-controller', 'ServiceAccount/klambda-router',
      'StatefulSet/klambda-redis',
    ]);
    // namespaced objects land in the release namespace
    for (const d of docs.filter((x) => !['ClusterRole', 'ClusterRoleBinding'].includes(x.kind))) expect([d.kind, d.metadata.namespace]).toEqual([d.kind, 'klambda-system']);
  });

  it('runs two controllers with leader election in the release namespace, pointed at the router Service and the Redis pods', () => {
    const dep = find(docs, 'Deployment', 'klambda-controller');
    expect((dep.spec as { replicas: number }).replicas).toBe(2);
    const c = container(dep);
    expect(c.args).toEqual(expect.arrayContaining([
      'controller', '--agent-image=klambda:0.1.0', '--router-url=http://klambda-router.klambda-system.svc:9000', '--lease-namespace=klambda-system',
      '--agent-redis-url=redis://klambda-redis.klambda-system.svc:6379', '--redis-namespace=klambda-system', '--ops-port=9090',
      '--redis-labels=app.kubernetes.io/name=klambda,app.kubernetes.io/instance=klambda,app.kubernetes.io/component=redis',
    ]));
    // the labels the controller is told are the Redis pods' (its function pods' NetworkPolicy lets agents reach them)
    const redisLabels = (find(docs, 'StatefulSet', 'klambda-redis').spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    const flag = c.args!.find((a) => a.startsWith('--redis-labels='))!.slice('--redis-labels='.length);
    for (const pair of flag.split(',')) expect(redisLabels[pair.split('=')[0]!]).toBe(pair.split('=')[1]);
    expect(envOf(c, 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'klambda-redis', key: 'controller-password' });
    expect(envOf(c, 'REDIS_URL')?.value).toBe('redis://klambda-controller:$(REDIS_PASSWORD)@klambda-redis.klambda-system.svc:6379');
    expect(envOf(c, 'POD_NAME')).toBeDefined();
    expect(podSpec(dep).serviceAccountName).toBe('klambda-controller');
  });

  it('probes /healthz and /readyz on the ops port, and the router Service has `http` 9000 and `metrics` 9090', () => {
    for (const name of ['klambda-controller', 'klambda-router']) {
      const c = container(find(docs, 'Deployment', name)) as Container & { livenessProbe: { httpGet: unknown }; readinessProbe: { httpGet: unknown }; ports: Array<{ name: string; containerPort: number }> };
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
      expect(c.ports).toContainEqual({ name: 'metrics', containerPort: 9090 });
    }
    const svc = find(docs, 'Service', 'klambda-router').spec as { ports: Array<{ name: string; port: number }> };
    expect(svc.ports.map((p) => [p.name, p.port])).toEqual([['http', 9000], ['metrics', 9090]]);
  });

  it('gives every pod of its own the restricted Pod Security profile', () => {
    for (const d of docs.filter((x) => ['Deployment', 'StatefulSet'].includes(x.kind))) {
      const spec = podSpec(d);
      expect([d.metadata.name, spec.securityContext]).toEqual([d.metadata.name, expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })]);
      for (const c of spec.containers) {
        expect([c.name, c.securityContext]).toEqual([c.name, {
          allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
        }]);
      }
    }
  });

  it('keeps Redis append-only on a PVC of the StatefulSet', () => {
    const sts = find(docs, 'StatefulSet', 'klambda-redis').spec as { serviceName: string; volumeClaimTemplates: Array<{ metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }>; template: { spec: PodSpec & { containers: Array<{ command: string[] }> } } };
    expect(sts.serviceName).toBe('klambda-redis-headless');
    expect(sts.volumeClaimTemplates.map((v) => [v.metadata.name, v.spec.resources.requests.storage])).toEqual([['data', '1Gi']]);
    expect(sts.template.spec.containers[0]!.command).toEqual(['redis-server', '/etc/redis/redis.conf', '--port', '6379', '--dir', '/data']);
    expect((find(docs, 'Service', 'klambda-redis-headless').spec as { clusterIP: string }).clusterIP).toBe('None');
  });

  it('writes the Redis users with the ACL rules of src/queue/acl.ts and only the passwords\' SHA-256', () => {
    const data = (find(docs, 'Secret', 'klambda-redis') as KubeDoc & { stringData: Record<string, string> }).stringData;
    const conf = data['redis.conf']!;
    const user = (name: string) => conf.split('\n').find((l) => l.startsWith(`user ${name} `))!.split(' ').slice(2);
    const sha = (p: string) => `#${createHash('sha256').update(p).digest('hex')}`;
    expect(user('klambda-controller')).toEqual(controllerAclRules([data['controller-password']!]));
    expect(user('klambda-router')).toEqual(routerAclRules([data['router-password']!]));
    expect(user('klambda-controller')).toContain(sha(data['controller-password']!));
    expect(conf).not.toContain(data['controller-password']);
    expect(conf).not.toContain(data['router-password']);
    expect(conf).toMatch(/^user default off$/m);
    expect(conf).toMatch(/^appendonly yes$/m);
  });

  it('renders the roles of config/rbac/role.yaml unchanged, bound to the ServiceAccounts', () => {
    const source = parseAllDocuments(readFileSync(join(repoRoot, 'config', 'rbac', 'role.yaml'), 'utf8')).map((d) => d.toJS() as KubeDoc & { rules: unknown });
    for (const role of source) {
      expect((find(docs, role.kind, role.metadata.name) as KubeDoc & { rules: unknown }).rules).toEqual(role.rules);
    }
    const binding = find(docs, 'RoleBinding', 'klambda-controller-leader-election') as KubeDoc & { subjects: unknown; roleRef: { name: string } };
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'klambda-controller', namespace: 'klambda-system' }]);
    expect(find(docs, 'Role', binding.roleRef.name).metadata.namespace).toBe('klambda-system');
    // the Function URLs' HTTPRoutes and Ingresses: in the release namespace only
    const urls = find(docs, 'RoleBinding', 'klambda-controller-function-urls') as KubeDoc & { subjects: unknown; roleRef: { name: string } };
    expect(urls.subjects).toEqual([{ kind: 'ServiceAccount', name: 'klambda-controller', namespace: 'klambda-system' }]);
    expect(find(docs, 'Role', urls.roleRef.name).metadata.namespace).toBe('klambda-system');
  });

  it('exposes no Function URL by default (no --url-expose flag)', () => {
    expect(container(find(docs, 'Deployment', 'klambda-controller')).args!.filter((a) => a.startsWith('--url-') || a.startsWith('--router-service'))).toEqual([]);
  });

  it('ships dashboards/klambda.json in a ConfigMap labelled for Grafana\'s sidecar', () => {
    const cm = find(docs, 'ConfigMap', 'klambda-dashboard') as KubeDoc & { data: Record<string, string> };
    expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
    const file = join(repoRoot, 'charts', 'klambda', 'dashboards', 'klambda.json');
    expect(cm.data['klambda.json']).toBe(existsSync(file) ? readFileSync(file, 'utf8').replace(/\n$/, '') : '');
  });

  it('names objects after the release: two releases do not collide', () => {
    const other = parseDocs(templateChart([], 'fn', 'serverless'));
    expect(other.map((d) => d.metadata.name)).toContain('fn-klambda-router');
    const c = container(find(other, 'Deployment', 'fn-klambda-controller'));
    expect(c.args).toContain('--router-url=http://fn-klambda-router.serverless.svc:9000');
    expect(find(other, 'ClusterRoleBinding', 'fn-klambda-router')).toMatchObject({ roleRef: { name: 'fn-klambda-router' }, subjects: [{ namespace: 'serverless' }] });
  });
});

describe('helm template with other values', () => {
  it('uses an external Redis with the passwords of an existing Secret, and runs no Redis of its own', () => {
    const docs = parseDocs(templateChart(EXTERNAL));
    expect(docs.filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'redis')).toEqual([]);
    const c = container(find(docs, 'Deployment', 'klambda-router'));
    expect(envOf(c, 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'my-redis', key: 'router-password' });
    expect(envOf(c, 'REDIS_URL')?.value).toBe('rediss://klambda-router:$(REDIS_PASSWORD)@redis.example.com:6380');
    expect(container(find(docs, 'Deployment', 'klambda-controller')).args).toContain('--agent-redis-url=rediss://redis.example.com:6380');
  });

  it('passes a Redis Cluster URL on whole: its further seed nodes reach the controller, the router and the agents', () => {
    const seeds = 'redis-0.redis.data.svc:6379?addr=redis-1.redis.data.svc:6379&addr=redis-2.redis.data.svc:6379';
    const docs = parseDocs(templateChart(['--set', `redis.external.url=redis+cluster://${seeds}`, '--set', 'redis.external.existingSecret=my-redis']));
    expect(envOf(container(find(docs, 'Deployment', 'klambda-router')), 'REDIS_URL')?.value).toBe(`redis+cluster://klambda-router:$(REDIS_PASSWORD)@${seeds}`);
    const controller = container(find(docs, 'Deployment', 'klambda-controller'));
    expect(envOf(controller, 'REDIS_URL')?.value).toBe(`redis+cluster://klambda-controller:$(REDIS_PASSWORD)@${seeds}`);
    expect(controller.args).toContain(`--agent-redis-url=redis+cluster://${seeds}`);
  });

  it('refuses an external Redis without the Secret of its passwords', () => {
    const r = runHelm(['template', 'klambda', 'charts/klambda', '--set', 'redis.external.url=redis://r:6379']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('redis.external.existingSecret is required with redis.external.url');
  });

  it('adds ServiceMonitors on the `metrics` port and an Ingress to the router\'s `http` port', () => {
    const docs = parseDocs(templateChart(MONITORING));
    for (const component of ['router', 'controller']) {
      const sm = find(docs, 'ServiceMonitor', `klambda-${component}`) as KubeDoc & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: unknown[] } };
      expect(sm.apiVersion).toBe('monitoring.coreos.com/v1');
      expect(sm.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
      // it selects the component's Service, which has a `metrics` port
      const svc = find(docs, 'Service', `klambda-${component}`) as KubeDoc & { spec: { ports: Array<{ name: string }> } };
      expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
      expect(svc.spec.ports.map((p) => p.name)).toContain('metrics');
    }
    const ing = find(docs, 'Ingress', 'klambda-router') as KubeDoc & { spec: { ingressClassName: string; rules: Array<{ host: string; http: { paths: Array<{ backend: unknown }> } }> } };
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.spec.rules[0]!.http.paths[0]!.backend).toEqual({ service: { name: 'klambda-router', port: { name: 'http' } } });
  });

  it('passes changed values through: replicas, runtime images, resources, extra env', () => {
    const docs = parseDocs(templateChart(['--set', 'router.replicas=1', '--set', 'runtimeImages.nodejs20=reg/node:1', '--set', 'runtimeImages.provided=reg/p:2',
      '--set', 'router.resources.limits.memory=1Gi', '--set', 'router.extraEnv[0].name=X', '--set', 'router.extraEnv[0].value=y', '--set', 'image.repository=reg/klambda', '--set', 'image.tag=t1']));
    const router = find(docs, 'Deployment', 'klambda-router');
    expect((router.spec as { replicas: number }).replicas).toBe(1);
    expect(envOf(container(router), 'X')?.value).toBe('y');
    expect((container(router) as Container & { image: string; resources: { limits: { memory: string } } })).toMatchObject({ image: 'reg/klambda:t1', resources: { limits: { memory: '1Gi' } } });
    expect(container(find(docs, 'Deployment', 'klambda-controller')).args).toEqual(expect.arrayContaining(['--agent-image=reg/klambda:t1', '--runtime-images=nodejs20=reg/node:1,provided=reg/p:2']));
  });

  it('points the router and the controller at an OTLP collector with tracing.*, and sets no OTEL_* without it', () => {
    const docs = parseDocs(templateChart(['--set', 'tracing.otlpEndpoint=http://otel-collector.observability:4318', '--set', 'tracing.sampler=parentbased_traceidratio', '--set-string', 'tracing.samplerArg=0.25']));
    for (const name of ['klambda-router', 'klambda-controller']) {
      const c = container(find(docs, 'Deployment', name));
      expect(envOf(c, 'OTEL_EXPORTER_OTLP_ENDPOINT')?.value).toBe('http://otel-collector.observability:4318');
      expect(envOf(c, 'OTEL_TRACES_SAMPLER')?.value).toBe('parentbased_traceidratio');
      expect(envOf(c, 'OTEL_TRACES_SAMPLER_ARG')?.value).toBe('0.25');
      expect(envOf(c, 'OTEL_EXPORTER_OTLP_HEADERS')).toBeUndefined();
    }
    const plain = parseDocs(templateChart([]));
    expect(container(find(plain, 'Deployment', 'klambda-router')).env?.some((e) => e.name.startsWith('OTEL_'))).toBe(false);
  });

  it('exposes Function URLs through HTTPRoutes: the controller gets the Gateway, the router Service and the URL domain', () => {
    const docs = parseDocs(templateChart(['--set', 'router.functionUrls.expose=httpRoute', '--set', 'router.functionUrls.gateway.name=public',
      '--set', 'router.functionUrls.gateway.namespace=gateways', '--set', 'router.functionUrls.gateway.sectionName=https', '--set', 'router.functionUrls.domain=fn.example.com',
      '--set', 'router.service.port=8080']));
    const args = container(find(docs, 'Deployment', 'klambda-controller')).args!;
    expect(args.filter((a) => a.startsWith('--url-') || a.startsWith('--router-service'))).toEqual([
      '--url-expose=httpRoute', '--url-domain=fn.example.com', '--router-service=klambda-router:8080',
      '--url-gateway=public', '--url-gateway-namespace=gateways', '--url-gateway-section=https',
    ]);
    // the router serves the same host names, and the Service has that name and port
    expect(container(find(docs, 'Deployment', 'klambda-router')).args).toContain('--url-domain=fn.example.com');
    expect((find(docs, 'Service', 'klambda-router').spec as { ports: Array<{ name: string; port: number }> }).ports).toContainEqual(expect.objectContaining({ name: 'http', port: 8080 }));
  });

  it('gives the controller and the router the runtimes the cluster serves (none given: neither gets the flag)', () => {
    const docs = parseDocs(templateChart(['--set-json', 'runtimes=["nodejs20","python3.11"]']));
    for (const name of ['klambda-controller', 'klambda-router']) expect(container(find(docs, 'Deployment', name)).args).toContain('--runtimes=nodejs20,python3.11');
    const plain = parseDocs(templateChart([]));
    for (const name of ['klambda-controller', 'klambda-router']) expect(container(find(plain, 'Deployment', name)).args!.some((a) => a.startsWith('--runtimes'))).toBe(false);
  });

  it('exposes Function URLs through Ingresses, with their class, annotations (JSON) and TLS Secret', () => {
    const docs = parseDocs(templateChart(['--set', 'router.functionUrls.expose=ingress', '--set', 'router.functionUrls.ingress.className=nginx',
      '--set-json', 'router.functionUrls.ingress.annotations={"nginx.ingress.kubernetes.io/server-snippet":"a: b, c"}', '--set', 'router.functionUrls.ingress.tlsSecretName=wildcard']));
    const args = container(find(docs, 'Deployment', 'klambda-controller')).args!;
    expect(args.filter((a) => a.startsWith('--url-') || a.startsWith('--router-service'))).toEqual([
      '--url-expose=ingress', '--url-domain=localhost', '--router-service=klambda-router:9000', '--url-ingress-class=nginx',
      '--url-ingress-annotations={"nginx.ingress.kubernetes.io/server-snippet":"a: b, c"}', '--url-ingress-tls-secret=wildcard',
    ]);
  });

  it.each([
    ['an unknown key', ['--set', 'router.replica=3'], "additional properties 'replica' not allowed"],
    ['an unknown way to expose Function URLs', ['--set', 'router.functionUrls.expose=gateway'], '/router/functionUrls/expose'],
    ['httpRoute without a Gateway', ['--set', 'router.functionUrls.expose=httpRoute'], '/router/functionUrls/gateway/name'],
    ['a Gateway name that is not a DNS label', ['--set', 'router.functionUrls.expose=httpRoute', '--set', 'router.functionUrls.gateway.name=Public'], '/router/functionUrls/gateway/name'],
    ['an account id that is not 12 digits', ['--set-string', 'accountId=12'], '/accountId'],
    ['an unknown pull policy', ['--set', 'image.pullPolicy=Sometimes'], '/image/pullPolicy'],
    ['an unknown trace sampler', ['--set', 'tracing.sampler=sometimes'], '/tracing/sampler'],
    ['a Redis URL that is not redis://', ['--set', 'redis.external.url=http://r', '--set', 'redis.external.existingSecret=s'], '/redis/external/url'],
    ['a Redis Cluster URL with a database (a cluster has only 0)', ['--set', 'redis.external.url=redis+cluster://r:6379/1', '--set', 'redis.external.existingSecret=s'], '/redis/external/url'],
  ])('refuses %s (values.schema.json)', (_, extra, message) => {
    const r = runHelm(['template', 'klambda', 'charts/klambda', ...extra]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("values don't meet the specifications of the schema");
    expect(r.stderr).toContain(message);
  });
});

describe('one source', () => {
  it('takes its CRDs from crds/ through a symlink, which helm follows (show crds, package)', () => {
    expect(readlinkSync(join(repoRoot, 'charts', 'klambda', 'crds'))).toBe('../../crds');
    expect(readlinkSync(join(repoRoot, 'charts', 'klambda', 'files', 'rbac', 'role.yaml'))).toBe('../../../../config/rbac/role.yaml');
    const files = readdirSync(join(repoRoot, 'crds')).filter((f) => f.endsWith('.yaml')).sort();
    const shown = runHelm(['show', 'crds', 'charts/klambda']);
    expect(shown.status).toBe(0);
    const names = parseAllDocuments(shown.stdout).map((d) => (d.toJS() as KubeDoc).metadata.name).sort();
    expect(names).toEqual(files.map((f) => f.replace(/\.yaml$/, '')));
    // the packaged chart holds the files themselves, not links
    const out = mkdtempSync(join(tmpdir(), 'klambda-chart-'));
    try {
      const r = runHelm(['package', 'charts/klambda', '--destination', out]);
      expect(r.status).toBe(0);
      const shownFromPackage = runHelm(['show', 'crds', join(out, 'klambda-0.1.0.tgz')]);
      expect(shownFromPackage.stdout).toBe(shown.stdout);
      const rendered = parseDocs(runHelm(['template', 'k', join(out, 'klambda-0.1.0.tgz')]).stdout);
      expect(rendered.map((d) => d.kind)).toContain('ClusterRole');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('the rendered redis.conf on a real redis-server', () => {
  let dir: string;
  let stopServer: () => Promise<void>;
  let url: (user: string, password: string) => string;
  let data: Record<string, string>;

  beforeAll(async () => {
    data = (find(parseDocs(templateChart()), 'Secret', 'klambda-redis') as KubeDoc & { stringData: Record<string, string> }).stringData;
    dir = mkdtempSync(join(tmpdir(), 'klambda-chart-redis-'));
    writeFileSync(join(dir, 'redis.conf'), data['redis.conf']!);
    const port = await freePort();
    // as the StatefulSet runs it: the conf, then port and dir on the command line
    const child = spawn('redis-server', [join(dir, 'redis.conf'), '--port', String(port), '--dir', dir, '--bind', '127.0.0.1', '--save', ''], { stdio: 'ignore' });
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    stopServer = async () => { child.kill('SIGTERM'); await exited; };
    url = (user, password) => `redis://${user}:${password}@127.0.0.1:${port}`;
    await waitFor(async () => {
      const r = new Redis(url('klambda-router', data['router-password']!), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try { return (await r.ping()) === 'PONG' ? true : undefined; } catch { return undefined; } finally { r.disconnect(); }
    }, 10_000, 'redis-server with the chart\'s conf');
  });
  afterAll(async () => { await stopServer?.(); rmSync(dir, { recursive: true, force: true }); });

  const connect = (u: string) => {
    const r = new Redis(u, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined); // refusals are what the test looks at, through the commands' promises
    return r;
  };

  it('lets the router at the klambda keys only, the controller make users, and nobody in without a password', async () => {
    const router = connect(url('klambda-router', data['router-password']!));
    const controller = connect(url('klambda-controller', data['controller-password']!));
    try {
      await router.set('klambda:x', '1');
      await expect(router.set('other:x', '1')).rejects.toThrow(/NOPERM/);
      await expect(router.call('ACL', 'SETUSER', 'evil', 'on')).rejects.toThrow(/NOPERM/);
      await expect(controller.call('ACL', 'SETUSER', 'agent-test', 'on')).resolves.toBe('OK');
      expect(existsSync(join(dir, 'appendonlydir'))).toBe(true);
    } finally {
      router.disconnect();
      controller.disconnect();
    }
    const anonymous = connect(url('', '').replace('redis://:@', 'redis://'));
    await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
    const wrong = connect(url('klambda-router', 'wrong'));
    await expect(wrong.ping()).rejects.toThrow(/WRONGPASS/);
    wrong.disconnect();
  });
});

it('documents every value with a `# --` comment (directly, or on the map or list it belongs to)', () => {
  const lines = readFileSync(join(repoRoot, 'charts', 'klambda', 'values.yaml'), 'utf8').split('\n');
  const indent = (l: string) => l.length - l.trimStart().length;
  /** The comment block right above line i holds a `# --`. */
  const documented = (i: number): boolean => {
    for (let j = i - 1; j >= 0 && /^\s*#/.test(lines[j]!); j--) if (/^\s*# --/.test(lines[j]!)) return true;
    return false;
  };
  const undocumented: string[] = [];
  lines.forEach((line, i) => {
    // leaves only: `key: value` (a map header's children are checked themselves)
    if (/^\s*#/.test(line) || !/^\s*-?\s*[A-Za-z][\w.]*:\s*\S/.test(line)) return;
    // it, or a map or list it sits in (an ancestor by indentation), carries the `# --`
    let ok = documented(i);
    for (let j = i - 1, level = indent(line); !ok && j >= 0 && level > 0; j--) {
      if (lines[j]!.trim() === '' || /^\s*#/.test(lines[j]!) || indent(lines[j]!) >= level) continue;
      level = indent(lines[j]!);
      ok = documented(j);
    }
    if (!ok) undocumented.push(`${i + 1}: ${line.trim()}`);
  });
  expect(undocumented).toEqual([]);
  expect(parse(lines.join('\n'))).toBeDefined();
});
