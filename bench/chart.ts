// Benchmark: the Helm chart on the test control plane (e2e/helpers/helm-cluster.ts: real kube-apiserver,
// controller-manager, scheduler; the process node in its pod network mode). Each round on a fresh cluster:
// `helm install` with default values → controller, router and Redis pods Ready → `kubectl apply` of the sample
// Function and an access key → its first answer to the AWS SDK through the router Service. Prints JSON.
import { InvokeCommand, LambdaClient, LambdaServiceException } from '@aws-sdk/client-lambda';
import { startHelmCluster } from '../e2e/helpers/helm-cluster.js';
import { runHelm } from '../scripts/helm-binary.js';
import { kubectlOk } from '../test/helpers/kubectl.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NS = 'klambda-system';
const KEY = { accessKeyId: 'AKIABENCHKEY00000001', secretAccessKey: 'bench-chart-secret' };

interface Round { installToPodsReadyMs: number; installToFirstAnswerMs: number }

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 300_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function round(): Promise<Round> {
  const c = await startHelmCluster();
  const kc = c.kubeconfig;
  let lambda: LambdaClient | undefined;
  try {
    kubectlOk(['label', 'namespace', 'default', 'pod-security.kubernetes.io/enforce=baseline', '--overwrite'], kc);
    const t0 = performance.now();
    const installed = runHelm(['install', 'klambda', 'charts/klambda', '--namespace', NS, '--create-namespace'], { KUBECONFIG: kc });
    if (installed.status !== 0) throw new Error(`helm install: ${installed.stderr}`);
    await until('pods Ready', async () => {
      const pods = JSON.parse(kubectlOk(['-n', NS, 'get', 'pods', '-o', 'json'], kc)) as { items: Array<{ status: { conditions?: Array<{ type: string; status: string }> } }> };
      const ready = pods.items.filter((p) => p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
      return pods.items.length === 5 && ready.length === 5 ? true : undefined;
    });
    const podsReady = performance.now() - t0;
    kubectlOk(['apply', '-f', 'config/samples/klambda_v1alpha1_function.yaml'], kc);
    kubectlOk(['-n', 'default', 'create', 'secret', 'generic', 'bench-key', '--type=klambda.dev/access-key',
      `--from-literal=accessKeyId=${KEY.accessKeyId}`, `--from-literal=secretAccessKey=${KEY.secretAccessKey}`], kc);
    const ip = kubectlOk(['-n', NS, 'get', 'service', 'klambda-router', '-o', 'jsonpath={.spec.clusterIP}'], kc);
    lambda = new LambdaClient({ endpoint: `http://${ip}:9000`, region: 'us-east-1', maxAttempts: 1, credentials: KEY });
    await until('the first answer', async () => {
      try {
        const out = await lambda!.send(new InvokeCommand({ FunctionName: 'hello', Payload: Buffer.from('{"name":"bench"}') }));
        return out.StatusCode === 200 && !out.FunctionError ? true : undefined;
      } catch (e) {
        if (e instanceof LambdaServiceException || (e instanceof Error && /ECONNREFUSED|ECONNRESET|socket hang up/.test(e.message))) return undefined;
        throw e;
      }
    });
    return { installToPodsReadyMs: Math.round(podsReady), installToFirstAnswerMs: Math.round(performance.now() - t0) };
  } finally {
    lambda?.destroy();
    await c.stop();
  }
}

async function main(): Promise<void> {
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const first = rounds.map((r) => r.installToFirstAnswerMs);
  const ready = rounds.map((r) => r.installToPodsReadyMs);
  process.stdout.write(`${JSON.stringify({
    bench: 'chart', rounds: ROUNDS,
    helm_install_to_pods_ready_ms: { p50: median(ready), max: Math.max(...ready) },
    helm_install_to_first_answer_ms: { p50: median(first), max: Math.max(...first) },
    each: rounds,
  }, null, 2)}\n`);
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
