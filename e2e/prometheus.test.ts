// A real Prometheus scrapes a running klambda under a little load — the cluster controller and router as processes on
// the test control plane, `klambda dev` on a folder of functions, and a runtime agent — and every query of the Grafana
// dashboard returns data through its HTTP API; `promtool check metrics` passes on every process's /metrics.
import { InvokeCommand, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/core/package-root.js';
import { fixtureSpec } from '../test/fixtures/functions/specs.js';
import { CONTROLLER_USER, LEASE_NAMESPACE, ROUTER_USER, startCluster, type ClusterFixture } from '../test/control-plane/cluster-fixture.js';
import { dashboardQueries, prometheusBinaries, promtoolProblems, startPrometheus, substitute, type RunningPrometheus } from '../test/helpers/prometheus.js';
import { randomPrefix, useRedis, type TestRedis } from '../test/helpers/redis.js';
import { fn, startFixture, waitFor, type Fixture } from './helpers/local.js';

const dist = (...p: string[]) => join(packageRoot(), 'dist', ...p);
const dashboard = JSON.parse(readFileSync(join(packageRoot(), 'charts', 'klambda', 'dashboards', 'klambda.json'), 'utf8')) as unknown;

interface Proc { child: ChildProcess; stderr: string[]; opsUrl: string }
const procs: Proc[] = [];

/** Starts a klambda process and waits for the URL its ops server logs. */
async function startProcess(script: string, args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const p: Proc = { child, stderr: [], opsUrl: '' };
  procs.push(p);
  let buffered = '';
  child.stderr!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    p.stderr.push(...lines);
  });
  p.opsUrl = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`${script} exited ${child.exitCode}:\n${p.stderr.join('\n')}`);
    for (const line of p.stderr) {
      try {
        const j = JSON.parse(line) as { msg?: string; url?: string };
        if (j.msg === 'ops listening' && j.url) return j.url.replace('0.0.0.0', '127.0.0.1');
      } catch { /* not JSON */ }
    }
    return undefined;
  }, 60_000, `${script} ${args[0] ?? ''} to log its ops URL`, 50);
  return p;
}

const metricsOf = async (url: string): Promise<string> => {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
};

let cluster: ClusterFixture;
let redis: TestRedis;
let promBin: string;
let local: Fixture;
let prom: RunningPrometheus | undefined;
let controller: Proc;
let router: Proc;
let agent: Proc;
const prefix = randomPrefix();

beforeAll(async () => {
  promBin = prometheusBinaries();
  [cluster, redis] = await Promise.all([startCluster(), useRedis()]);
  const common = ['--redis-url', redis.url, '--key-prefix', prefix, '--ops-port', '0'];
  controller = await startProcess(dist('cli', 'main.js'), ['controller', ...common, '--kubeconfig', cluster.kubeconfig(CONTROLLER_USER),
    '--lease-namespace', LEASE_NAMESPACE, '--identity', 'prom-test', '--agent-image', 'klambda:test']);
  router = await startProcess(dist('cli', 'main.js'), ['router', ...common, '--kubeconfig', cluster.kubeconfig(ROUTER_USER), '--port', '0', '--host', '127.0.0.1']);
  // a runtime agent serving its own process metrics (its invocation figures go through Redis)
  const spec = fixtureSpec('node-esm', 'nodejs20', 'index.handler');
  agent = await startProcess(dist('agent', 'main.js'), [], { KLAMBDA_AGENT_CONFIG: JSON.stringify({
    redisUrl: redis.url, keyPrefix: prefix, queue: { namespace: 'default', functionName: spec.functionName, version: '$LATEST' }, spec,
    slots: 1, visibilityGraceMs: 5000, metricsPort: 0,
  }) });
  local = await startFixture({
    'echo.yaml': fn('echo', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async (e) => { if (e.fail) throw new Error("asked to"); return e; };' }),
    'blocked.yaml': fn('blocked', 'nodejs20', 'index.handler', { 'index.mjs': 'export const handler = async () => 1;' }, '  reservedConcurrency: 0\n'),
  });
  // the controller reconciles something, so its reconcile figures exist
  await cluster.admin.create('/apis/klambda.dev/v1alpha1/namespaces/default/functions', {
    apiVersion: 'klambda.dev/v1alpha1', kind: 'Function', metadata: { name: 'scraped' },
    spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } } },
  });
}, 45 * 60_000);

afterAll(async () => {
  await prom?.stop();
  await local?.stop();
  for (const p of procs) {
    if (p.child.exitCode === null) {
      const exited = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGTERM');
      await exited;
    }
  }
  await cluster?.stop();
  await redis?.stop();
});

/** A little load on the local mode: sync success, a function error, a throttle, an async event. */
async function load(): Promise<void> {
  const send = (name: string, payload: unknown, type?: 'Event') =>
    local.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), ...(type ? { InvocationType: type } : {}) }));
  expect((await send('echo', { hello: 1 })).FunctionError).toBeUndefined();
  expect((await send('echo', { fail: true })).FunctionError).toBe('Unhandled');
  await expect(send('blocked', {})).rejects.toBeInstanceOf(TooManyRequestsException);
  expect((await send('echo', { later: true }, 'Event')).StatusCode).toBe(202);
}

it('passes promtool check metrics on every process\'s /metrics, with the figures of a little load', async () => {
  await load();
  // the async event has run once its age was observed
  await waitFor(async () => (/klambda_async_event_age_seconds_count\{[^}]*function="echo"[^}]*\} [1-9]/.test(await metricsOf(local.local.url)) ? true : undefined),
    60_000, 'the async invocation to be counted');
  const expositions = {
    'klambda dev': await metricsOf(local.local.url),
    controller: await metricsOf(controller.opsUrl),
    router: await metricsOf(router.opsUrl),
    agent: await metricsOf(agent.opsUrl),
  };
  for (const [process, text] of Object.entries(expositions)) {
    expect([process, promtoolProblems(promBin, text)]).toEqual([process, '']);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  }
  const dev = expositions['klambda dev'];
  expect(dev).toMatch(/klambda_function_invocations_total\{namespace="default",function="echo",version="\$LATEST",outcome="success"\} 2\b/); // the sync call and the async event
  expect(dev).toMatch(/klambda_function_invocations_total\{namespace="default",function="echo",version="\$LATEST",outcome="function_error"\} 1\b/);
  expect(dev).toMatch(/klambda_function_cold_starts_total\{namespace="default",function="echo",version="\$LATEST"\} 1\b/);
  expect(dev).toMatch(/klambda_throttles_total\{namespace="default",function="blocked",version="\$LATEST",alias="",reason="ReservedFunctionConcurrentInvocationLimitExceeded"\} 1\b/);
  expect(dev).toMatch(/klambda_reserved_concurrency\{namespace="default",function="blocked"\} 0\b/);
  expect(expositions.controller).toMatch(/klambda_reconciles_total\{kind="functions",result="success"\} [1-9]/);
  expect(expositions.controller).toMatch(/^klambda_controller_leader 1$/m);
  expect(expositions.agent).toMatch(/klambda_agent_environments\{namespace="default",function="node-esm",version="\$LATEST"\} 1\b/);
}, 120_000);

it('serves /healthz and /readyz on the ops port of the router and the controller', async () => {
  for (const p of [controller, router]) {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(`${p.opsUrl}${path}`);
      expect([path, res.status, await res.json()]).toEqual([path, 200, { ok: true }]);
    }
  }
});

it('gives data to every query of the Grafana dashboard through a real Prometheus', async () => {
  const address = (url: string) => new URL(url).host;
  prom = await startPrometheus(promBin, [
    { job: 'klambda-dev', address: address(local.local.url) },
    { job: 'klambda-controller', address: address(controller.opsUrl) },
    { job: 'klambda-router', address: address(router.opsUrl) },
    { job: 'klambda-agent', address: address(agent.opsUrl) },
  ]);
  await load(); // again, inside Prometheus's window
  const queries = dashboardQueries(dashboard);
  expect(queries.length).toBeGreaterThan(20);
  const vars = { namespace: '.*', function: '.*', job: '.*', datasource: 'prometheus' };
  const empty = new Set(queries.map((q) => q.expr));
  await waitFor(async () => {
    for (const q of queries) {
      if (!empty.has(q.expr)) continue;
      if ((await prom!.query(substitute(q.expr, vars, '1m'))).length > 0) empty.delete(q.expr);
    }
    return empty.size === 0 ? true : undefined;
  }, 180_000, 'every dashboard query to return a series', 1000).catch((err: Error) => {
    throw new Error(`${err.message}; still empty:\n${[...empty].join('\n')}`);
  });
}, 240_000);
