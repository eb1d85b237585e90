// The chart as a user installs it (docs/install.md, steps 3–7), on the test control plane: `helm install` with default
// values, the controller, router and Redis pods Ready on the process node (pod network mode: own IPs, Services,
// in-cluster tokens, the Redis PVC on a hostPath PV), `kubectl apply -f` the sample Function, an access-key Secret,
// and the AWS SDK through the router Service; then `helm upgrade` with changed values, and `helm uninstall`.
import { request as httpRequest } from 'node:http';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, LambdaServiceException, ResourceNotFoundException, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { makeZip } from '../test/helpers/zips.js';
import { runHelm } from '../scripts/helm-binary.js';
import { kubectl, kubectlOk } from '../test/helpers/kubectl.js';
import { decode, waitFor as waitForCondition } from './helpers/local.js';
import { urlId } from '../src/core/function-url.js';
import { startHelmCluster, type HelmCluster } from './helpers/helm-cluster.js';

const NS = 'klambda-system';
const KEY = { accessKeyId: 'AKIAMYKEY00000000001', secretAccessKey: 'e2e-helm-secret-key' };

let c: HelmCluster;
/** Waits for a condition; a timeout's message carries the pods, warnings and logs of the moment. */
async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 500): Promise<T> {
  try {
    return await waitForCondition(check, timeoutMs, what, intervalMs);
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${c.diagnostics()}`);
  }
}
let lambda: LambdaClient | undefined;
let kc: string;

beforeAll(async () => {
  c = await startHelmCluster();
  kc = c.kubeconfig;
}, 45 * 60_000);
afterAll(async () => {
  lambda?.destroy();
  await c?.stop();
});

const helm = (args: string[]) => {
  const r = runHelm(args, { KUBECONFIG: kc });
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.status}): ${r.stderr}\n${c.diagnostics()}`);
  return r.stdout;
};
const json = <T>(args: string[]): T => JSON.parse(kubectlOk([...args, '-o', 'json'], kc)) as T;

interface PodList { items: Array<{ metadata: { name: string; labels: Record<string, string> }; spec: { nodeName?: string; containers: Array<{ env?: Array<{ name: string; value?: string }> }> }; status: { phase?: string; conditions?: Array<{ type: string; status: string }> } }> }
const isReady = (p: PodList['items'][number]) => p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

/** The release's pods by component, once `want` of each are Ready and no other is left. */
async function waitForPods(want: Record<string, number>, why: string): Promise<PodList['items']> {
  return waitFor(async () => {
    const pods = json<PodList>(['-n', NS, 'get', 'pods', '-l', 'app.kubernetes.io/instance=klambda']).items;
    for (const [component, n] of Object.entries(want)) {
      const of = pods.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === component);
      if (of.length !== n || !of.every(isReady)) return undefined;
    }
    return pods;
  }, 180_000, `${why}: ${JSON.stringify(want)} Ready`);
}

/** Invokes `hello` until it is routed and the access key is known to the router, then returns the answer. */
async function invokeHello(client: LambdaClient, payload: unknown) {
  return waitFor(async () => {
    try {
      return await client.send(new InvokeCommand({ FunctionName: 'hello', Payload: Buffer.from(JSON.stringify(payload)) }));
    } catch (e) {
      if (e instanceof ResourceNotFoundException || (e instanceof LambdaServiceException && e.name === 'UnrecognizedClientException')) return undefined;
      if (e instanceof Error && /ECONNREFUSED|ECONNRESET|socket hang up/.test(e.message)) return undefined;
      throw e;
    }
  }, 120_000, 'hello answers through the router', 250);
}

it('installs with default values, runs every pod on the node, and answers the AWS SDK through the router Service', async () => {
  const started = Date.now();
  // klambda's own pods meet Pod Security `restricted` (docs/install.md: optional; here the API server checks it)
  kubectlOk(['create', 'namespace', NS], kc);
  kubectlOk(['label', 'namespace', NS, 'pod-security.kubernetes.io/enforce=restricted'], kc);
  helm(['install', 'klambda', 'charts/klambda', '--namespace', NS, '--create-namespace']);
  const pods = await waitForPods({ controller: 2, router: 2, redis: 1, 'code-store': 1 }, 'after install');
  for (const p of pods) expect([p.metadata.name, p.spec.nodeName]).toEqual([p.metadata.name, c.nodeName]);

  kubectlOk(['label', 'namespace', 'default', 'pod-security.kubernetes.io/enforce=baseline', '--overwrite'], kc);
  kubectlOk(['apply', '-f', 'config/samples/klambda_v1alpha1_function.yaml'], kc);
  kubectlOk(['-n', 'default', 'create', 'secret', 'generic', 'my-key', '--type=klambda.dev/access-key',
    `--from-literal=accessKeyId=${KEY.accessKeyId}`, `--from-literal=secretAccessKey=${KEY.secretAccessKey}`], kc);
  const routerIP = kubectlOk(['-n', NS, 'get', 'service', 'klambda-router', '-o', 'jsonpath={.spec.clusterIP}'], kc);
  lambda = new LambdaClient({ endpoint: `http://${routerIP}:9000`, region: 'us-east-1', maxAttempts: 1, credentials: { ...KEY } });
  const out = await invokeHello(lambda, { name: 'klambda' });
  const ms = Date.now() - started;
  process.stderr.write(`${JSON.stringify({ metric: 'chart install to first answer', ms })}\n`);
  expect(out.StatusCode).toBe(200);
  expect(out.FunctionError).toBeUndefined();
  expect(decode(out.Payload)).toEqual({ hello: 'klambda' });

  // the function's own pod runs on the node too
  const fnPods = json<PodList>(['-n', 'default', 'get', 'pods', '-l', 'klambda.dev/function=hello']).items;
  expect(fnPods.map((p) => [p.spec.nodeName, p.status.phase])).toEqual([[c.nodeName, 'Running']]);
  // the user's view: kubectl get functions
  expect(kubectlOk(['get', 'functions'], kc)).toMatch(/^NAME\s+RUNTIME/m);

  // what Prometheus scrapes from the installed pods (each pod's IP, the ops port): the router counted the call, and
  // the controllers' leader alone exports the agents' figures for hello (docs/metrics.md)
  const ipsOf = (component: string) => json<{ items: Array<{ status: { podIP: string } }> }>(['-n', NS, 'get', 'pods', '-l', `app.kubernetes.io/component=${component}`]).items.map((p) => p.status.podIP);
  const scrape = async (ip: string) => (await fetch(`http://${ip}:9090/metrics`)).text();
  const routers = await Promise.all(ipsOf('router').map(scrape));
  expect(routers.filter((m) => /^klambda_router_invocations_total\{[^}]*function="hello"[^}]*outcome="success"[^}]*\} [1-9]/m.test(m))).toHaveLength(1);
  const hello = /^klambda_function_invocations_total\{[^}]*function="hello"[^}]*outcome="success"[^}]*\} [1-9]/m;
  const controllers = await waitFor(async () => {
    const all = await Promise.all(ipsOf('controller').map(scrape));
    return all.some((m) => hello.test(m)) ? all : undefined;
  }, 60_000, 'the leader exports hello\'s invocations');
  expect(controllers.map((m) => [/^klambda_controller_leader 1$/m.test(m), hello.test(m)]).sort()).toEqual([[false, false], [true, true]]);
}, 8 * 60_000);

it('runs a function created from a zip: the package goes through the chart\'s code store (versitygw) to the function pod', async () => {
  const zip = await makeZip([{ name: 'index.mjs', data: 'export const handler = async (e) => ({ zipped: e.name });\n' }]);
  const client = lambda!;
  await client.send(new CreateFunctionCommand({
    FunctionName: 'zipped', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/default', Code: { ZipFile: zip },
  }));
  await waitUntilFunctionActiveV2({ client, maxWaitTime: 180, minDelay: 1, maxDelay: 2 }, { FunctionName: 'zipped' });
  const out = await waitFor(async () => {
    const r = await client.send(new InvokeCommand({ FunctionName: 'zipped', Payload: Buffer.from('{"name":"store"}') }));
    return r.FunctionError === undefined ? r : undefined;
  }, 180_000, 'zipped answers');
  expect(decode(out.Payload)).toEqual({ zipped: 'store' });
}, 5 * 60_000);

it('upgrades with changed values (router replicas 2 → 1, an env var, Function URLs through Ingresses), keeps the Redis passwords, and answers again', async () => {
  const passwords = () => kubectlOk(['-n', NS, 'get', 'secret', 'klambda-redis', '-o', 'jsonpath={.data.router-password}'], kc);
  const before = passwords();
  // docs/install.md: CRDs first (helm never upgrades crds/), then the release
  kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', 'crds/'], kc);
  helm(['upgrade', 'klambda', 'charts/klambda', '--namespace', NS, '--reuse-values', '--set', 'router.replicas=1',
    '--set', 'router.extraEnv[0].name=KLAMBDA_UPGRADED', '--set-string', 'router.extraEnv[0].value=yes', '--set', 'router.functionUrls.expose=ingress']);
  const pods = await waitForPods({ controller: 2, router: 1, redis: 1, 'code-store': 1 }, 'after upgrade');
  const router = pods.find((p) => p.metadata.labels['app.kubernetes.io/component'] === 'router')!;
  expect(router.spec.containers[0]!.env).toContainEqual({ name: 'KLAMBDA_UPGRADED', value: 'yes' });
  expect(passwords()).toBe(before);
  expect(json<{ spec: { replicas: number } }>(['-n', NS, 'get', 'deployment', 'klambda-router']).spec.replicas).toBe(1);

  const out = await invokeHello(lambda!, { name: 'again' });
  expect(decode(out.Payload)).toEqual({ hello: 'again' });

  // a URL on hello: the leading controller pod (the chart's Role) makes its Ingress, to the router Service, whose pods
  // answer the Ingress's host name
  kubectlOk(['-n', 'default', 'patch', 'function', 'hello', '--type', 'merge', '-p', '{"spec":{"url":{"authType":"NONE"}}}'], kc);
  type Ingress = { spec: { rules: Array<{ host: string; http: { paths: Array<{ backend: { service: { name: string; port: { number: number } } } }> } }> } };
  const name = `lambda-url-${urlId('default', 'hello', '$LATEST')}`;
  const ing = await waitForCondition(async () => (kubectl(['-n', NS, 'get', 'ingress', name], kc).status === 0 ? json<Ingress>(['-n', NS, 'get', 'ingress', name]) : undefined), 120_000, 'the Ingress of hello\'s URL');
  const rule = ing.spec.rules[0]!;
  expect(rule.host).toBe(`${urlId('default', 'hello', '$LATEST')}.lambda-url.us-east-1.localhost`);
  const backend = rule.http.paths[0]!.backend.service;
  const svc = json<{ spec: { clusterIP: string } }>(['-n', NS, 'get', 'service', backend.name]);
  const byHost = await waitForCondition(async () => {
    const r = await get(`http://${svc.spec.clusterIP}:${backend.port.number}/`, rule.host).catch(() => undefined);
    return r?.status === 200 ? r : undefined;
  }, 60_000, 'the URL served by its host name');
  expect(JSON.parse(byHost.body)).toEqual({ hello: 'world' });
}, 6 * 60_000);

/** GET with a Host header of its own (fetch does not send one). */
function get(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = httpRequest(url, { headers: { host } }, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => ok({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', fail).end();
  });
}

it('uninstalls, leaving only what docs/install.md says: the CRDs, the Redis and code store PVCs, the controller\'s Lease', async () => {
  // docs/install.md: functions first, while the controller still removes their finalizers
  kubectlOk(['delete', 'functions,aliases,functionversions', '--all', '--all-namespaces', '--wait=false'], kc);
  await waitFor(async () => (json<{ items: unknown[] }>(['get', 'functions', '--all-namespaces']).items.length === 0 ? true : undefined), 120_000, 'functions deleted (the controller removes their finalizer)');
  await waitFor(async () => (json<{ items: unknown[] }>(['-n', 'default', 'get', 'deployments']).items.length === 0 ? true : undefined), 60_000, 'the function\'s Deployment collected');
  // and the controller deleted the Ingress of its URL
  await waitFor(async () => (json<{ items: unknown[] }>(['-n', NS, 'get', 'ingresses']).items.length === 0 ? true : undefined), 60_000, 'the URL\'s Ingress deleted');
  helm(['uninstall', 'klambda', '--namespace', NS, '--wait']);
  await waitFor(async () => (json<PodList>(['-n', NS, 'get', 'pods']).items.length === 0 ? true : undefined), 120_000, `no pod left in ${NS}`);

  const names = (args: string[]) => json<{ items: Array<{ metadata: { name: string } }> }>(args).items.map((i) => i.metadata.name).sort();
  const left = names(['-n', NS, 'get', 'deployments,statefulsets,services,secrets,configmaps,serviceaccounts,roles,rolebindings,poddisruptionbudgets,persistentvolumeclaims,leases']);
  expect(left).toEqual(['data-klambda-redis-0', 'default', 'klambda-code-store', 'klambda-controller', 'kube-root-ca.crt']);
  expect(names(['get', 'clusterroles,clusterrolebindings', '-l', 'app.kubernetes.io/part-of=klambda'])).toEqual([]);
  expect(names(['get', 'customresourcedefinitions']).filter((n) => n.endsWith('.klambda.dev'))).toHaveLength(8);
  expect(kubectl(['-n', NS, 'get', 'lease', 'klambda-controller'], kc).status).toBe(0);
}, 6 * 60_000);
