// `klambda dev` as a user runs it, in a child process of the loss test: started, SIGKILLed, started again on the same
// port against the same Redis; and the agents and runtimes below it, for the chaos to pick from.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { descendants, isAgent, isLauncher, isRuntime, killIfSame, processTable, type Proc } from './procs.js';

export interface KlambdaOptions {
  /** The package whose dist/cli/main.js runs. */
  root: string;
  folder: string;
  redisUrl: string;
  /** Where each start's output goes (klambda-<n>.log). */
  logDir: string;
  maxEnvironments: number;
  env: NodeJS.ProcessEnv;
}

export class KlambdaProc {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** The port of the first start, kept by the later ones. */
  port = 0;
  url = '';
  starts = 0;
  /** The process groups of every agent and runtime seen below any start (agents run in groups of their own, and an
   *  agent orphaned by a SIGKILLed klambda is no longer below the next one): cleanup looks for survivors there. */
  readonly groups = new Set<number>();

  constructor(private readonly opts: KlambdaOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts it (port 0 the first time, then the same port) and waits for "klambda listening on". */
  async start(): Promise<void> {
    this.starts += 1;
    const logFile = join(this.opts.logDir, `klambda-${this.starts}.log`);
    const log = openSync(logFile, 'a');
    const child = spawn(process.execPath, [
      join(this.opts.root, 'dist', 'cli', 'main.js'), 'dev', this.opts.folder, '--port', String(this.port),
      '--redis-url', this.opts.redisUrl, '--max-environments', String(this.opts.maxEnvironments),
    ], { stdio: ['ignore', log, log], detached: true, env: this.opts.env });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => { child.once('exit', () => resolve()); child.once('error', () => resolve()); });
    const until = Date.now() + 60_000;
    for (;;) {
      const m = /klambda listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(readFileSync(logFile, 'utf8'));
      if (m) {
        this.url = m[1]!;
        this.port = Number(m[2]);
        return;
      }
      if (child.exitCode !== null) throw new Error(`klambda dev exited with code ${child.exitCode}: see ${logFile}`);
      if (Date.now() > until) throw new Error(`klambda dev did not listen within 60 s: see ${logFile}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL the klambda process alone (router, scaler, reaper die; its agents are orphaned and stop themselves). */
  async kill(): Promise<void> {
    this.remember();
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (a clean stop: it stops its agents), SIGKILL after 20 s. */
  async stop(): Promise<void> {
    this.remember();
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }

  /** The live agents and runtimes below the current klambda process. */
  below(): { agents: Proc[]; runtimes: Proc[] } {
    const pid = this.child?.pid;
    if (pid === undefined || this.child?.exitCode !== null) return { agents: [], runtimes: [] };
    const all = descendants(processTable(), pid);
    const agents = all.filter(isAgent);
    const runtimes = all.filter(isRuntime);
    for (const p of [...agents, ...runtimes]) if (p.pgid !== pid) this.groups.add(p.pgid);
    return { agents, runtimes };
  }

  /** Notes the agents' groups now, so that cleanup can find them after klambda is gone. */
  remember(): void {
    this.below();
  }

  /** SIGKILLs what is left in the groups of agents and runtimes ever seen (only processes that are still ours). */
  killLeftovers(): number {
    let killed = 0;
    for (const p of processTable()) {
      if (!this.groups.has(p.pgid) || !(isAgent(p) || isRuntime(p) || isLauncher(p))) continue;
      if (killIfSame(p)) killed += 1;
    }
    return killed;
  }
}
