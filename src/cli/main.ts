#!/usr/bin/env node
// The `klambda` command: `klambda dev [DIR]` runs the local mode; `controller` and `router` are the cluster processes.
import { CodeStore } from '../code/code-store.js';
import { prepareCodeStore } from '../controller/code-store-setup.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLogger } from '../core/logger.js';
import { packageRoot } from '../core/package-root.js';
import { startLocal } from '../local/dev.js';
import { Controller } from '../controller/controller.js';
import { KubeClient } from '../kube/client.js';
import { startClusterRouter } from '../router/cluster-router.js';
import { PortInUseError } from '../router/listen.js';
import { parseCli, usageOf, UsageError, type DevCommand } from './args.js';
import type { ControllerCommand, RouterCommand } from './cluster-args.js';
import { runtimeImages } from '../controller/resources/images.js';
import { startOpsServer } from '../ops/ops-server.js';
import { devConsole } from '../local/console.js';
import { clusterUrlRefusal } from '../events/url-guard.js';
import { defaultLogFormat } from '../local/console-format.js';
import { agentTracingEnv, startTracing } from '../tracing/tracer.js';

async function dev(cmd: DevCommand): Promise<void> {
  const { logFormat, ...options } = cmd;
  const out = devConsole(logFormat ?? defaultLogFormat(process.stdout.isTTY), { stdout: process.stdout, stderr: process.stderr, env: process.env });
  // a signal while it starts (its Redis may be up already, in a process group of its own) is kept and acted on once
  // the start is over, so it still stops cleanly and leaves nothing behind
  let local: Awaited<ReturnType<typeof startLocal>> | undefined;
  let stopping: string | undefined;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = signal;
    if (!local) return;
    out.say(`klambda stopping (${signal})`);
    local.stop().then(() => { out.flush(); process.exit(0); }, (err: unknown) => {
      out.flush();
      process.stderr.write(`klambda: stop failed: ${String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  local = await startLocal({ ...options, logger: out.logger, onFunctionLog: out.functionLog });
  if (stopping) {
    const signal = stopping;
    stopping = undefined;
    stop(signal);
    return;
  }
  out.say(`klambda listening on ${local.url}`);
  out.say(`S3 object events (versitygw --event-webhook-url): ${local.s3EventsUrl}`);
}

/** Runs until SIGINT/SIGTERM, then stops cleanly. */
function untilSignal(name: string, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`klambda ${name} stopping (${signal})\n`);
    stop().then(() => process.exit(0), (err: unknown) => { process.stderr.write(`klambda: stop failed: ${String(err)}\n`); process.exit(1); });
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

async function controller(cmd: ControllerCommand): Promise<void> {
  const logger = jsonLogger(process.stderr, { component: 'klambda-controller' });
  const codeStore = cmd.codeStore ? new CodeStore(cmd.codeStore) : undefined;
  const storeSetup = codeStore ? prepareCodeStore(codeStore, cmd.codeStoreReaderPrincipal, logger) : undefined;
  const tracing = await startTracing(process.env, 'klambda-controller', logger);
  const c = new Controller({
    tracing, client: KubeClient.fromDefault(cmd.kubeconfig), redisUrl: cmd.redisUrl, keyPrefix: cmd.keyPrefix, routerUrl: cmd.routerUrl,
    workload: {
      agentImage: cmd.agentImage, runtimeImages: runtimeImages(cmd.agentImage, cmd.runtimeImages), ...(cmd.runtimes ? { runtimes: cmd.runtimes } : {}), agentRedisUrl: cmd.agentRedisUrl, agentEnv: agentTracingEnv(process.env), region: cmd.region, accountId: cmd.accountId, visibilityGraceMs: 5000,
      redis: { namespace: cmd.redisNamespace, podLabels: cmd.redisPodLabels, port: Number(new URL(cmd.redisUrl).port || 6379) },
      ...(cmd.packageCacheHostPath ? { packageCacheHostPath: cmd.packageCacheHostPath } : {}),
      ...(cmd.codeStorePods ? { codeStore: cmd.codeStorePods } : {}),
    },
    ...(codeStore ? { codeStore } : {}),
    ...(cmd.allowInternalHttpSubscriptions ? {} : { httpDeliveryGuard: clusterUrlRefusal }),
    ...(cmd.urlExposure ? { urlExposure: cmd.urlExposure } : {}),
    identity: cmd.identity, leaseNamespace: cmd.leaseNamespace,
    scaler: { tickMs: 1000, idleTimeoutMs: cmd.idleTimeoutSeconds * 1000, maxEnvironments: cmd.maxEnvironments },
    logger,
    // exit so the pod restarts as a follower with clean state
    onLostLeadership: () => process.exit(1),
  });
  c.start();
  // /healthz, /readyz and /metrics on every replica (followers export no function figures: see docs/metrics.md)
  const ops = await startOpsServer({ port: cmd.opsPort, host: '0.0.0.0', logger, registry: c.registry, ping: () => c.ping(), ready: () => c.ready });
  untilSignal('controller', async () => { storeSetup?.stop(); await c.stop(); await ops.close(); codeStore?.destroy(); await tracing.shutdown(); });
}

async function router(cmd: RouterCommand): Promise<void> {
  const logger = jsonLogger(process.stderr, { component: 'klambda-router' });
  const { kubeconfig, codeStore, ...options } = cmd;
  const tracing = await startTracing(process.env, 'klambda-router', logger);
  const r = await startClusterRouter({ ...options, client: KubeClient.fromDefault(kubeconfig), logger, tracing, ...(codeStore ? { codeStore: new CodeStore(codeStore) } : {}) });
  logger.info({ msg: 'router listening', url: r.url, region: cmd.region });
  untilSignal('router', async () => { await r.stop(); await tracing.shutdown(); });
}

async function main(): Promise<void> {
  const cmd = parseCli(process.argv.slice(2), process.env);
  if (cmd.command === 'help') { process.stdout.write(`${usageOf(cmd.topic)}\n`); return; }
  if (cmd.command === 'version') {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    process.stdout.write(`klambda ${pkg.version}\n`);
    return;
  }
  if (cmd.command === 'controller') return controller(cmd);
  if (cmd.command === 'router') return router(cmd);
  await dev(cmd);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`klambda: ${err.message}\nSee 'klambda${err.command ? ` ${err.command}` : ''} --help'.\n`);
  // the one flag that changes it, for a user who left another klambda dev (or anything else) on that port
  else if (err instanceof PortInUseError) process.stderr.write(`klambda: ${err.message}; pick another with --port\n`);
  else process.stderr.write(`klambda: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
});
