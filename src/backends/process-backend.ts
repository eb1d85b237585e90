// The local mode's Backend: a version's execution environments are the slots of one runtime agent child process on this
// machine (one per version and spec), sized over its IPC channel.
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

/** One agent process: the version's environments built from one spec. */
interface Host {
  child: ChildProcess;
  specHash: string;
  /** Environments it was asked to run. */
  slots: number;
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

/** What tells an agent's spec from another's (an agent runs one spec for its whole life). */
const specHash = (spec: VersionTarget['spec']): string => createHash('sha256').update(JSON.stringify(spec)).digest('hex');

export class ProcessBackend implements Backend {
  private readonly envs = new Map<string, { queue: QueueRef; list: Host[] }>();
  private readonly agentMain: string;

  constructor(private readonly opts: ProcessBackendOptions) {
    this.agentMain = opts.agentMain ?? join(packageRoot(), 'dist', 'agent', 'main.js');
  }

  async scale(target: VersionTarget, count: number): Promise<void> {
    const hash = specHash(target.spec);
    // The credential first: nothing below awaits before the environments are counted, so concurrent calls never both spawn.
    const redisUrl = count > 0 && !this.host(target.queue, hash) ? await this.opts.agentRedisUrl(target.queue) : undefined;
    const key = queueKey(target.queue);
    const entry = this.envs.get(key) ?? { queue: target.queue, list: [] };
    this.envs.set(key, entry);
    const stopping: Promise<void>[] = [];
    // an older spec's agent goes (after the invocations it runs); the new one takes the version's environments
    for (const h of entry.list) if (!h.stopping && h.specHash !== hash) stopping.push(this.stopHost(h));
    const live = this.host(target.queue, hash);
    if (count <= 0) {
      if (live) stopping.push(this.stopHost(live));
    } else if (!live) {
      if (redisUrl !== undefined) entry.list.push(this.spawnHost(target, hash, redisUrl, count));
    } else if (live.slots !== count) {
      live.slots = count;
      try {
        live.child.send({ type: 'slots', count });
      } catch (err) {
        // it is exiting: its exit takes it out of the count, and the next scale starts a new one
        this.opts.logger.warn({ msg: 'could not resize an agent', queue: key, error: err instanceof Error ? err.message : String(err) });
      }
    }
    await Promise.all(stopping);
  }

  /**
   * True when every agent of the version runs `spec` (or none runs): what a code or configuration update waits for.
   * An older agent counts until it has exited, even while stopping: in its last wait on the queue it may still take
   * an invocation.
   */
  settled(queue: QueueRef, spec: VersionTarget['spec']): boolean {
    const hash = specHash(spec);
    return (this.envs.get(queueKey(queue))?.list ?? []).every((h) => h.specHash === hash);
  }

  count(queue: QueueRef): number {
    return (this.envs.get(queueKey(queue))?.list ?? []).filter((h) => !h.stopping).reduce((n, h) => n + h.slots, 0);
  }

  private host(queue: QueueRef, specHash: string): Host | undefined {
    return this.envs.get(queueKey(queue))?.list.find((h) => !h.stopping && h.specHash === specHash);
  }

  queues(): QueueRef[] {
    return [...this.envs.values()].filter((e) => e.list.length > 0).map((e) => e.queue);
  }

  /** The pids of a version's live agents: one, whose slots are all its environments (tests use this to kill it). */
  pids(queue: QueueRef): number[] {
    return (this.envs.get(queueKey(queue))?.list ?? []).filter((h) => !h.stopping).map((h) => h.child.pid ?? -1);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.envs.values()].flatMap((e) => e.list.map((h) => this.stopHost(h))));
  }

  private spawnHost(target: VersionTarget, specHash: string, redisUrl: string, slots: number): Host {
    const config: AgentConfig = {
      redisUrl,
      keyPrefix: this.opts.keyPrefix,
      queue: target.queue,
      spec: target.spec,
      slots,
      visibilityGraceMs: this.opts.visibilityGraceMs,
      ...(this.opts.isolation ? { isolation: this.opts.isolation } : {}),
    };
    const child = spawn(process.execPath, [this.agentMain], {
      // Only what a process needs: klambda's own environment (the host's credentials, REDIS_URL…) stays here.
      env: agentEnvironment(process.env, JSON.stringify(config)),
      // and an IPC channel, over which it is sized; its closing also tells the agent that klambda dev is gone
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
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
    const host: Host = {
      child,
      specHash,
      slots,
      stopping: false,
      exited: new Promise<void>((resolve) => {
        child.once('exit', (code, signal) => {
          killGroup(child.pid);
          const entry = this.envs.get(queueKey(target.queue));
          if (entry) entry.list = entry.list.filter((h) => h !== host);
          if (!host.stopping) this.opts.logger.warn({ msg: 'environment exited', queue: queueKey(target.queue), pid: child.pid, code, signal });
          resolve();
        });
        child.once('error', (err) => {
          this.opts.logger.error({ msg: 'environment failed to start', queue: queueKey(target.queue), error: err.message });
        });
      }),
    };
    this.opts.logger.info({ msg: 'environment starting', queue: queueKey(target.queue), pid: child.pid, environments: slots });
    return host;
  }

  private async stopHost(host: Host): Promise<void> {
    if (host.child.exitCode !== null || host.child.signalCode !== null) return host.exited;
    host.stopping = true;
    host.child.kill('SIGTERM');
    const timer = setTimeout(() => host.child.kill('SIGKILL'), this.opts.stopGraceMs ?? 10_000);
    await host.exited;
    clearTimeout(timer);
  }
}
