// kustomize as a user installs with it (docs/install.md, "Install with kustomize"): `sh config/default/redis-secret.sh`, `sh config/default/code-store-secret.sh`
// and `kubectl apply --server-side -k config/default` on the test control plane, the controller, router, Redis and code store pods
// Ready on the process node (pod network mode), the sample Function invoked with the AWS SDK through the router
// Service; then `kubectl delete -k config/default` removes it all, the CRDs included.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient, LambdaServiceException, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { packageRoot } from '../src/core/package-root.js';
import { kubectl, kubectlOk } from '../test/helpers/kubectl.js';
import { decode, waitFor as waitForCondition } from './helpers/local.js';
import { startHelmCluster, type HelmCluster } from './helpers/helm-cluster.js';

const NS = 'klambda-system';
const KEY = { accessKeyId: 'AKIAMYKEY00000000002', secretAccessKey: 'e2e-kustomize-secret-key' };

let c: HelmCluster;
let dir: string;
let lambda: LambdaClient | undefined;
async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 500): Promise<T> {
  try {
    return await waitForCondition(check, timeoutMs, what, intervalMs);
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${c.diagnostics()}`);
  }
}
const k = (args: string[]) => kubectlOk(args, c.kubeconfig);
const json = <T>(args: string[]): T => JSON.parse(k([...args, '-o', 'json'])) as T;

beforeAll(async () => {
  c = await startHelmCluster();
  // a user's checkout: config/ and the passwords script, whose output stays out of git
  dir = mkdtempSync(join(tmpdir(), 'klambda-kustomize-e2e-'));
  cpSync(join(packageRoot(), 'config'), join(dir, 'config'), { recursive: true, dereference: true });
  for (const made of ['redis-secret', 'code-store-secret']) rmSync(join(dir, 'config', 'default', made), { recursive: true, force: true });
}, 45 * 60_000);
afterAll(async () => {
  lambda?.destroy();
  await c?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PodList { items: Array<{ metadata: { labels: Record<string, string> }; spec: { nodeName?: string }; status: { conditions?: Array<{ type: string; status: string }> } }> }
const isReady = (p: PodList['items'][number]) => p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

it('installs with kubectl apply -k, runs every pod on the node, and answers the AWS SDK through the router Service', async () => {
  for (const script of ['redis-secret.sh', 'code-store-secret.sh']) {
    const made = spawnSync('sh', [join(dir, 'config', 'default', script)], { encoding: 'utf8' });
    expect([made.status, made.stderr]).toEqual([0, '']);
  }
  k(['apply', '--server-side', '-k', join(dir, 'config', 'default')]);
  await waitFor(() => {
    const pods = json<PodList>(['-n', NS, 'get', 'pods']).items;
    const ready = (component: string, n: number) => {
      const of = pods.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === component);
      return of.length === n && of.every(isReady) && of.every((p) => p.spec.nodeName === c.nodeName);
    };
    return ready('controller', 2) && ready('router', 2) && ready('redis', 1) && ready('code-store', 1) ? true : undefined;
  }, 180_000, 'controller ×2, router ×2, redis and the code store Ready on the node');

  k(['label', 'namespace', 'default', 'pod-security.kubernetes.io/enforce=baseline', '--overwrite']);
  k(['apply', '-f', 'config/samples/klambda_v1alpha1_function.yaml']);
  k(['-n', 'default', 'create', 'secret', 'generic', 'kustomize-key', '--type=klambda.dev/access-key',
    `--from-literal=accessKeyId=${KEY.accessKeyId}`, `--from-literal=secretAccessKey=${KEY.secretAccessKey}`]);
  const routerIP = k(['-n', NS, 'get', 'service', 'klambda-router', '-o', 'jsonpath={.spec.clusterIP}']);
  lambda = new LambdaClient({ endpoint: `http://${routerIP}:9000`, region: 'us-east-1', maxAttempts: 1, credentials: { ...KEY } });
  const out = await waitFor(async () => {
    try {
      return await lambda!.send(new InvokeCommand({ FunctionName: 'hello', Payload: Buffer.from(JSON.stringify({ name: 'kustomize' })) }));
    } catch (e) {
      if (e instanceof ResourceNotFoundException || (e instanceof LambdaServiceException && e.name === 'UnrecognizedClientException')) return undefined;
      if (e instanceof Error && /ECONNREFUSED|ECONNRESET|socket hang up/.test(e.message)) return undefined;
      throw e;
    }
  }, 120_000, 'hello answers through the router', 250);
  expect([out.StatusCode, out.FunctionError]).toEqual([200, undefined]);
  expect(decode(out.Payload)).toEqual({ hello: 'kustomize' });
}, 8 * 60_000);

it('kubectl delete -k removes what it installed (functions first, as docs/install.md says)', async () => {
  k(['delete', 'functions,aliases,functionversions', '--all', '--all-namespaces', '--wait=false']);
  await waitFor(() => (json<{ items: unknown[] }>(['get', 'functions', '--all-namespaces']).items.length === 0 ? true : undefined), 120_000, 'functions deleted');
  // --wait=false: kubectl runs synchronously here, in the process that is also the node which ends the pods
  k(['delete', '-k', join(dir, 'config', 'default'), '--wait=false']);
  await waitFor(() => (kubectl(['get', 'namespace', NS], c.kubeconfig).status !== 0 ? true : undefined), 180_000, `namespace ${NS} gone`);
  const crds = json<{ items: Array<{ metadata: { name: string } }> }>(['get', 'customresourcedefinitions']).items.filter((i) => i.metadata.name.endsWith('.klambda.dev'));
  expect(crds).toEqual([]);
  expect(json<{ items: unknown[] }>(['get', 'clusterroles,clusterrolebindings', '-l', 'app.kubernetes.io/part-of=klambda']).items).toEqual([]);
}, 6 * 60_000);
