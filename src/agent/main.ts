// Entry point of the runtime agent process: reads its config once (KLAMBDA_AGENT_CONFIG, JSON) and runs until SIGTERM.
import { Agent, type AgentConfig } from './agent.js';
import { PodRuntime } from './pod-runtime.js';
import { jsonLogger } from '../core/logger.js';
import { streamLineSink } from './log-sink.js';

function readConfig(): AgentConfig {
  const raw = process.env.KLAMBDA_AGENT_CONFIG;
  if (!raw) throw new Error('KLAMBDA_AGENT_CONFIG is not set: the agent needs its JSON config');
  return JSON.parse(raw) as AgentConfig;
}

async function main(): Promise<void> {
  const cfg = readConfig();
  const logger = jsonLogger(process.stderr, { component: 'agent', function: cfg.queue.functionName, version: cfg.queue.version });
  // a pod's Runtime API listens before anything else, so the function container's first /next finds it
  const pod = cfg.pod ? await PodRuntime.listen(cfg.pod, { logger, memoryLimitMB: cfg.spec.memoryMB }) : undefined;
  if (pod && cfg.slots !== 1) throw new Error('a pod runs one function container: pod mode needs slots = 1');
  const agent = new Agent(cfg, { logger, logSink: streamLineSink(process.stdout), ...(pod ? { pod } : {}) });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ msg: 'stopping', signal });
    agent.stop().then(() => pod?.close()).then(() => process.exit(0), (err: unknown) => { logger.error({ msg: 'stop failed', error: String(err) }); process.exit(1); });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A local-mode agent whose parent died exits instead of running on unwatched (ppid becomes 1 or a subreaper).
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) stop('parent exited'); }, 1000).unref();
  await agent.start();
  logger.info({ msg: 'ready' });
  process.send?.({ type: 'ready' });
}

main().catch((err: unknown) => {
  process.stderr.write(`klambda agent: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
