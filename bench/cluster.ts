// Benchmark: klambda on the test control plane (real kube-apiserver, controller-manager, scheduler; pods on the
// process node): time from `kubectl apply` of a Function to its first answer, the cold start of a Function that is
// Ready with zero pods, and warm sync latency through the router. Prints JSON.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { startKlambdaOnCluster } from '../e2e/helpers/cluster.js';

const FUNCTIONS = Number(process.env.BENCH_FUNCTIONS ?? 5);
const WARM_CALLS = Number(process.env.BENCH_WARM_CALLS ?? 500);
const api = '/apis/klambda.dev/v1alpha1/namespaces/default';

const fn = (name: string) => ({
  apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name },
  spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => ({ ok: true });' } } },
});

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
};

async function main(): Promise<void> {
  const started = Date.now();
  const k = await startKlambdaOnCluster();
  const setupMs = Date.now() - started;
  const invoke = async (name: string) => {
    const out = await k.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{}') }));
    if (out.StatusCode !== 200 || out.FunctionError) throw new Error(`${name}: ${out.StatusCode} ${out.FunctionError ?? ''}`);
  };
  const untilAnswered = async (name: string) => {
    for (;;) {
      try { await invoke(name); return; } catch (e) { if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e; }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  try {
    // apply → first answer: reconcile, route, scale 0 → 1, pod scheduled and started, runtime init, invoke
    const applyToFirst: number[] = [];
    for (let i = 0; i < FUNCTIONS; i++) {
      const t0 = performance.now();
      await k.cluster.admin.create(`${api}/functions`, fn(`apply${i}`));
      await untilAnswered(`apply${i}`);
      applyToFirst.push(performance.now() - t0);
    }
    // cold start of a Ready function with no pod: scale 0 → 1, pod scheduled and started, runtime init, invoke
    for (let i = 0; i < FUNCTIONS; i++) await k.cluster.admin.create(`${api}/functions`, fn(`cold${i}`));
    for (let i = 0; i < FUNCTIONS; i++) {
      for (;;) { const e = await k.table.read('default', `cold${i}`); if (e?.fn) break; await new Promise((r) => setTimeout(r, 20)); }
    }
    await new Promise((r) => setTimeout(r, 1000)); // every router has the routes
    const cold: number[] = [];
    for (let i = 0; i < FUNCTIONS; i++) {
      const t0 = performance.now();
      await invoke(`cold${i}`);
      cold.push(performance.now() - t0);
    }
    const warm: number[] = [];
    for (let i = 0; i < 50; i++) await invoke('cold0');
    for (let i = 0; i < WARM_CALLS; i++) {
      const t0 = performance.now();
      await invoke('cold0');
      warm.push(performance.now() - t0);
    }
    process.stdout.write(`${JSON.stringify({
      benchmark: 'cluster', node: process.version, functions: FUNCTIONS, setupMs,
      applyToFirstAnswerMs: { p50: pct(applyToFirst, 50), max: pct(applyToFirst, 100) },
      coldStartMs: { p50: pct(cold, 50), max: pct(cold, 100) },
      warmSyncMs: { calls: WARM_CALLS, p50: pct(warm, 50), p99: pct(warm, 99) },
      note: 'pods run on the process node: it watches its pods as a kubelet does, but starts processes, not containers (no image pull, no sandbox)',
    }, null, 2)}\n`);
  } finally {
    await k.stop();
  }
}

main().catch((e: unknown) => { process.stderr.write(`${String(e)}\n`); process.exit(1); });
