// One runtime process: spawned sealed (runtime-sandbox.ts) in its own process group, its output split into lines with backpressure, its memory watched, its whole tree killed with it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { LineSplitter, type LineSink } from './line-splitter.js';
import { NO_ISOLATION, type Isolation } from './isolation.js';
import { inCgroup, MemoryCgroup, memoryCgroupParent } from './memory-cgroup.js';
import type { LaunchCommand } from './runtime-launch.js';
import type { PreparedLaunch, RuntimeSandbox } from './runtime-sandbox.js';
import { hasProcfs } from './process-table.js';
import { RuntimeTree } from './runtime-tree.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES…). */
  spawnError?: Error;
  /** Killed because its processes held more than the function's memory. */
  outOfMemory?: boolean;
}

export interface RuntimeProcessOptions {
  env: Record<string, string>;
  cwd: string;
  /** Each output line; a promise returned means the sink is full, and the runtime's output is not read until it settles. */
  onLine: LineSink;
  /** How the process is sealed; without one it is a plain child process, as the agent's own. */
  sandbox?: RuntimeSandbox;
  /** The function's memory: the processes are killed (exited says outOfMemory) once they hold more. */
  memoryLimitMB?: number;
  /** How often the memory of the process tree is read while an invocation runs (and during init). Default 100 ms. */
  memoryPollMs?: number;
  /** How often between invocations (see setBusy). Default 1 s. */
  idleMemoryPollMs?: number;
}

/** After the process exits, how long its output pipes may stay open (held by its orphans) before we stop waiting. */
const DRAIN_GRACE_MS = 200;
/** The environment variable that marks every process of a runtime without a PID namespace (as Jenkins marks a build's). */
export const MARKER_VARIABLE = '_KLAMBDA_SANDBOX_ID';
/**
 * What unshare (util-linux 2.38) prints, exiting 1, when its child was killed by SIGKILL: it cannot re-raise SIGKILL
 * on itself. The line is unshare's, not the function's, and the exit is reported as the kill it was.
 */
const UNSHARE_SAW_SIGKILL = /^unshare: sigprocmask unblock failed/;

export class RuntimeProcess {
  /** Resolves once the process and everything it started have exited and its output has been read (or DRAIN_GRACE_MS passed). */
  readonly exited: Promise<ExitInfo>;
  private child: ChildProcess | undefined;
  private tree: RuntimeTree | undefined;
  private readonly out: LineSplitter;
  private readonly err: LineSplitter;
  private hasExited = false;
  private killRequested = false;
  private outOfMemory = false;
  private runtimeSigkilled = false;
  private blocker: Promise<void> | undefined;
  private isolationUsed: Isolation = NO_ISOLATION;
  private resolveExit!: (info: ExitInfo) => void;
  /** Where the kernel enforces memoryMB (cgroup v2); the watchdog does otherwise. */
  private cgroup: MemoryCgroup | undefined;
  private cgroupPeakKB: number | undefined;

  constructor(cmd: LaunchCommand, private readonly opts: RuntimeProcessOptions) {
    this.out = new LineSplitter(opts.onLine);
    this.err = new LineSplitter((line) => {
      if (this.isolationUsed.pidNamespace && UNSHARE_SAW_SIGKILL.test(line)) {
        this.runtimeSigkilled = true;
        return undefined;
      }
      return opts.onLine(line);
    });
    this.exited = new Promise<ExitInfo>((resolve) => (this.resolveExit = resolve));
    const prepared: Promise<PreparedLaunch> = opts.sandbox
      ? opts.sandbox.prepare(cmd, opts.env)
      : Promise.resolve({ command: cmd, isolation: NO_ISOLATION });
    prepared.then(async (launch) => {
      this.cgroup = await this.memoryCgroup();
      this.spawn(launch);
    }).catch((spawnError: Error) => this.resolveExit({ code: null, signal: null, spawnError }));
  }

  /** The spawned process (unshare when the runtime runs in its own PID namespace): killing it ends the runtime. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How it was sealed (known once spawned). */
  get isolation(): Isolation {
    return this.isolationUsed;
  }

  /** A cgroup v2 of its own with memory.max, where the agent can make one. */
  private async memoryCgroup(): Promise<MemoryCgroup | undefined> {
    const limit = this.opts.memoryLimitMB;
    if (limit === undefined) return undefined;
    const parent = await memoryCgroupParent();
    return parent === undefined ? undefined : MemoryCgroup.create(parent, limit).catch(() => undefined);
  }

  private spawn(launch: PreparedLaunch): void {
    if (this.killRequested) {
      void this.cgroup?.remove();
      this.resolveExit({ code: null, signal: 'SIGKILL' });
      return;
    }
    const { isolation } = launch;
    const command = this.cgroup ? inCgroup(this.cgroup.dir, launch.command) : launch.command;
    this.isolationUsed = isolation;
    const markerValue = isolation.pidNamespace ? undefined : randomBytes(12).toString('hex');
    const marker = markerValue && `${MARKER_VARIABLE}=${markerValue}`;
    const env = markerValue ? { ...this.opts.env, [MARKER_VARIABLE]: markerValue } : this.opts.env;
    // Its own process group, so a kill takes the runtime's children (curl, workers) with it.
    const child = spawn(command.command, command.args, {
      cwd: this.opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...launch.spawnUser,
    });
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (c: string) => this.backpressure(this.out.write(c)));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => this.backpressure(this.err.write(c)));
    child.on('error', (spawnError) => {
      if (child.pid !== undefined) return;
      void this.cgroup?.remove();
      this.resolveExit({ code: null, signal: null, spawnError });
    });
    if (child.pid !== undefined) {
      this.tree = new RuntimeTree({
        launcherPid: child.pid, pidNamespace: isolation.pidNamespace, ...(marker ? { marker } : {}),
        // With a cgroup the kernel enforces the limit (its own accounting); the tree is still measured and killed.
        ...(this.opts.memoryLimitMB !== undefined && !this.cgroup ? { memoryLimitMB: this.opts.memoryLimitMB } : {}),
        // ps (no /proc: macOS) costs a process per read.
        pollMs: this.opts.memoryPollMs ?? (hasProcfs() ? 100 : 500),
        idlePollMs: this.opts.idleMemoryPollMs ?? (hasProcfs() ? 1000 : 2000),
        onOverLimit: () => {
          this.outOfMemory = true;
          this.kill();
        },
      });
      this.tree.start();
    }
    child.once('exit', (code, signal) => void this.onExit(child, code, signal));
  }

  private async onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    // Whatever it left behind goes with it: the launcher's pid is reaped now, so only its group is signalled by number.
    const left = this.tree?.killAll(true) ?? [];
    this.hasExited = true;
    this.tree?.stop();
    const pipesClosed = new Promise<void>((resolve) => {
      // 'close' follows once both pipes are drained; orphans holding them open only get the grace period.
      const grace = setTimeout(resolve, DRAIN_GRACE_MS);
      child.once('close', () => {
        clearTimeout(grace);
        resolve();
      });
    });
    await Promise.all([pipesClosed, this.tree?.waitGone(left)]);
    if (this.cgroup?.outOfMemory()) this.outOfMemory = true;
    this.cgroupPeakKB = this.cgroup?.peakKB();
    await this.cgroup?.remove();
    this.out.flush();
    this.err.flush();
    const killed = this.runtimeSigkilled && code === 1;
    this.resolveExit({ code: killed ? null : code, signal: killed ? 'SIGKILL' : signal, ...(this.outOfMemory ? { outOfMemory: true } : {}) });
  }

  /** SIGKILL to the runtime and everything it started; a no-op once it is gone (its pid may be reused after that). */
  kill(): void {
    this.killRequested = true;
    if (this.hasExited || !this.child || this.child.pid === undefined) return;
    this.tree?.killAll(false);
  }

  /**
   * Writes out any partial line each stream holds (the end of an invocation). Not while the sink holds the output
   * back: the rest of the line is then most likely still in the pipe, and it would be cut in two.
   */
  flush(): void {
    if (this.blocker && !this.hasExited) return;
    this.out.flush();
    this.err.flush();
  }

  /** The most memory its processes held at once (the runtime's VmHWM or the largest total seen), in MB; 0 where unknown. */
  async maxMemoryUsedMB(): Promise<number> {
    const cgroupKB = this.hasExited ? this.cgroupPeakKB : this.cgroup?.peakKB();
    return Math.max(this.tree?.maxMemoryMB() ?? 0, Math.round((cgroupKB ?? 0) / 1024));
  }

  /** Its processes now (see RuntimeTree.pids); none before it is spawned, or once it has exited. */
  processIds(): number[] {
    return this.hasExited || !this.tree ? [] : this.tree.pids();
  }

  /** The memory watchdog's pace: close while an invocation runs, slow between them. */
  setBusy(busy: boolean): void {
    this.tree?.setBusy(busy);
  }

  /** Whether its processes have held more than the function's memory (checked now, synchronously, against the peak). */
  overMemoryLimit(): boolean {
    return this.outOfMemory || (this.cgroup?.outOfMemory() ?? false) || (this.tree?.overMemoryLimit() ?? false);
  }

  /** A full sink pauses both pipes until it has room again. */
  private backpressure(full: Promise<void> | undefined): void {
    if (!full || full === this.blocker) return;
    this.blocker = full;
    this.child?.stdout?.pause();
    this.child?.stderr?.pause();
    const resume = () => {
      if (this.blocker !== full) return;
      this.blocker = undefined;
      this.child?.stdout?.resume();
      this.child?.stderr?.resume();
    };
    full.then(resume, resume);
  }
}
