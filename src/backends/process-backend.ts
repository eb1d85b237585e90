// The local mode's Backend: each execution environment is a runtime agent child process on this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AgentConfig } from '../agent/agent.js';
import type { IsolationOptions } from '../agent/isolation.js';
import { packageRoot } from '../core/package-root.js';
import type { Logger } from '../core/logger.js';
import type { QueueRef } from '../core/queue-contract.js';
import { agentEnvironment } from './agent-environment.js';
import { queueKey, type Backend, type VersionTarget } from './backend.js';

export interface ProcessBackendOptions {
  /** The Redis URL a version's agents connect with: their own ACL user, which opens only that version's keys. */
  agentRedisUrl(queue: QueueRef): Promise<string>;
  keyPrefix: string;
  visibilityGraceMs: number;
  logger: Logger;
  /**
   * Each line an environment writes: function output and START/END/REPORT on stdout, agent JSON logs on stderr.
   * A promise back means "full": that agent's stream is not read until it settles, which in turn slows its function.
   */
  onOutput?(queue: QueueRef, stream: 'stdout' | 'stderr', line: string): void | Promise<void>;
  /** How the agents seal their runtimes (default: the strongest the machine allows). */
  isolation?: IsolationOptions;
  /** The agent entry point; defaults to the built dist/agent/main.js. */
  agentMain?: string;
  /** How long a stopping environment may take to finish its invocation before SIGKILL. */
  stopGraceMs?: number;
}

interface Environment {
  child: ChildProcess;
  specHash: string;
  stopping: boolean;
  exited: Promise<void>;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

export class ProcessBackend implements Backend {
  private readonly envs = new Map<string, { queue: QueueRef; list: Environment[] }>();
  private readonly agentMain: string;

  constructor(private readonly opts: ProcessBackendOptions) {
    this.agentMain = opts.agentMain ?? join(packageRoot(), 'dist', 'agent', 'main.js');
  }

  async scale(target: VersionTarget, count: number): Promise<void> {
    // The credential first: nothing below awaits before the environments are counted, so concurrent calls never both spawn.
    const redisUrl = count > this.count(target.queue) ? await this.opts.agentRedisUrl(target.queue) : undefined;
    const key = queueKey(target.queue);
    const entry = this.envs.get(key) ?? { queue: target.queue, list: [] };
    this.envs.set(key, entry);
    const hash = createHash('sha256').update(JSON.stringify(target.spec)).digest('hex');
    const stopping: Promise<void>[] = [];
    for (const env of entry.list) if (!env.stopping && env.specHash !== hash) stopping.push(this.stopEnv(env));
    const live = entry.list.filter((e) => !e.stopping);
    for (let i = live.length; i < count && redisUrl !== undefined; i++) entry.list.push(this.spawnEnv(target, hash, redisUrl));
    for (const env of live.slice(count).reverse()) stopping.push(this.stopEnv(env));
    await Promise.all(stopping);
  }

  count(queue: QueueRef): number {
    return this.envs.get(queueKey(queue))?.list.filter((e) => !e.stopping).length ?? 0;
  }

  queues(): QueueRef[] {
    return [...this.envs.values()].filter((e) => e.list.length > 0).map((e) => e.queue);
  }

  /** The pids of a version's live environments (tests use this to kill one). */
  pids(queue: QueueRef): number[] {
    return (this.envs.get(queueKey(queue))?.list ?? []).filter((e) => !e.stopping).map((e) => e.child.pid ?? -1);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.envs.values()].flatMap((e) => e.list.map((env) => this.stopEnv(env))));
  }

  private spawnEnv(target: VersionTarget, specHash: string, redisUrl: string): Environment {
    const config: AgentConfig = {
      redisUrl,
      keyPrefix: this.opts.keyPrefix,
      queue: target.queue,
      spec: target.spec,
      slots: 1,
      visibilityGraceMs: this.opts.visibilityGraceMs,
      ...(this.opts.isolation ? { isolation: this.opts.isolation } : {}),
    };
    const child = spawn(process.execPath, [this.agentMain], {
      // Only what a process needs: klambda's own environment (the host's credentials, REDIS_URL…) stays here.
      env: agentEnvironment(process.env, JSON.stringify(config)),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the function processes it started die with it, as a pod's containers do.
      detached: true,
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const input = child[stream]!;
      const rl = createInterface({ input });
      let blocker: Promise<void> | undefined;
      rl.on('line', (line) => {
        const full = this.opts.onOutput?.(target.queue, stream, line);
        if (!full || full === blocker) return;
        blocker = full;
        input.pause();
        const resume = () => {
          if (blocker !== full) return;
          blocker = undefined;
          input.resume();
        };
        full.then(resume, resume);
      });
    }
    const env: Environment = {
      child,
      specHash,
      stopping: false,
      exited: new Promise<void>((resolve) => {
        child.once('exit', (code, signal) => {
          killGroup(child.pid);
          const entry = this.envs.get(queueKey(target.queue));
          if (entry) entry.list = entry.list.filter((e) => e !== env);
          if (!env.stopping) this.opts.logger.warn({ msg: 'environment exited', queue: queueKey(target.queue), pid: child.pid, code, signal });
          resolve();
        });
        child.once('error', (err) => {
          this.opts.logger.error({ msg: 'environment failed to start', queue: queueKey(target.queue), error: err.message });
        });
      }),
    };
    this.opts.logger.info({ msg: 'environment starting', queue: queueKey(target.queue), pid: child.pid });
    return env;
  }

  private async stopEnv(env: Environment): Promise<void> {
    if (env.child.exitCode !== null || env.child.signalCode !== null) return env.exited;
    env.stopping = true;
    env.child.kill('SIGTERM');
    const timer = setTimeout(() => env.child.kill('SIGKILL'), this.opts.stopGraceMs ?? 10_000);
    await env.exited;
    clearTimeout(timer);
  }
}
