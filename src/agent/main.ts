// Entry point of the runtime agent process: reads its config once (KLAMBDA_AGENT_CONFIG, JSON) and runs until SIGTERM.
import { Agent, type AgentConfig } from './agent.js';
import { PodRuntime } from './pod-runtime.js';
import { jsonLogger } from '../core/logger.js';
import { streamLineSink } from './log-sink.js';
import { AgentMetrics } from '../metrics/agent-metrics.js';
import { newRegistry } from '../metrics/registry.js';
import { startOpsServer, type OpsServer } from '../ops/ops-server.js';
import { prepareLayers } from './opt-fetch.js';
import { preparePackage } from './package-fetch.js';
import { startTracing } from '../tracing/tracer.js';

/** Function output and START/END/REPORT, batched: an invocation's lines reach the reader in one write, after it. */
const LOG_BATCH_MS = 10;
const logSink = streamLineSink(process.stdout, { batchMs: LOG_BATCH_MS });

function readConfig(): AgentConfig {
  const raw = process.env.KLAMBDA_AGENT_CONFIG;
  if (!raw) throw new Error('KLAMBDA_AGENT_CONFIG is not set: the agent needs its JSON config');
  return JSON.parse(raw) as AgentConfig;
}

async function main(): Promise<void> {
  const cfg = readConfig();
  const logger = jsonLogger(process.stderr, { component: 'agent', function: cfg.queue.functionName, version: cfg.queue.version });
  // a zip package is in the code volume before the function container can start (it waits for the Runtime API below)
  if (cfg.package) {
    const fetched = await preparePackage(cfg.package);
    logger.info({ msg: 'package ready', codeSha256: cfg.package.sha256, codeSize: cfg.package.size, cached: fetched.cached, ms: Math.round(fetched.ms) });
  }
  // and so is /opt
  if (cfg.layers) {
    const fetched = await prepareLayers(cfg.layers);
    logger.info({ msg: 'layers ready', layers: cfg.layers.layers.map((l) => l.sha256), cached: fetched.cached, ms: Math.round(fetched.ms) });
  }
  // a pod's Runtime API listens before anything else, so the function container's first /next finds it
  const pod = cfg.pod ? await PodRuntime.listen(cfg.pod, { logger, memoryLimitMB: cfg.spec.memoryMB }) : undefined;
  if (pod && cfg.slots !== 1) throw new Error('a pod runs one function container: pod mode needs slots = 1');
  // an idle environment should cost nothing: its event loop is sampled once a second
  const registry = newRegistry({ eventLoopSampleMs: 1000 });
  const metrics = new AgentMetrics(registry, cfg.queue, pod ? 1 : Math.max(1, cfg.slots));
  const tracing = await startTracing(process.env, 'klambda-agent', logger);
  const agent = new Agent(cfg, { logger, logSink, metrics, tracing, ...(pod ? { pod } : {}) });
  let ready = false;
  // optional: the agent's figures per invocation reach Prometheus through Redis; this is only its process metrics
  const ops: OpsServer | undefined = cfg.metricsPort === undefined ? undefined
    : await startOpsServer({ port: cfg.metricsPort, host: cfg.metricsHost ?? '127.0.0.1', logger, registry, ping: () => agent.ping(), ready: () => ready });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ msg: 'stopping', signal });
    agent.stop().then(() => pod?.close()).then(() => ops?.close()).then(() => tracing.shutdown()).then(() => exit(0), (err: unknown) => { logger.error({ msg: 'stop failed', error: String(err) }); exit(1); });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A local-mode agent whose parent died exits instead of running on unwatched (ppid becomes 1 or a subreaper).
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) stop('parent exited'); }, 1000).unref();
  // The local mode sizes its one agent per version over the IPC channel: { type: 'slots', count }.
  process.on('message', (m: unknown) => {
    const count = (m as { type?: unknown; count?: unknown } | null)?.type === 'slots' ? Number((m as { count: unknown }).count) : NaN;
    if (pod || stopping || !Number.isInteger(count) || count < 1) return;
    agent.resize(count).catch((err: unknown) => logger.error({ msg: 'resize failed', count, error: String(err) }));
  });
  process.on('disconnect', () => stop('parent exited'));
  await agent.start();
  ready = true;
  logger.info({ msg: 'ready' });
  process.send?.({ type: 'ready' });
}

function exit(code: number): never {
  logSink.flush();
  process.exit(code);
}

main().catch((err: unknown) => {
  process.stderr.write(`klambda agent: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  exit(1);
});
