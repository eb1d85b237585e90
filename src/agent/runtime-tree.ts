// Every process of one runtime: measured while it runs (the memory watchdog), and all killed, detached ones included, when it ends.
import { hasProcfs, pidsWithEnvironment, procDescendants, procProcessesBelow, processesBelow, ProcTreeReader, readProc, StatusReader, type ProcessRow } from './process-table.js';

export interface RuntimeTreeOptions {
  /** The spawned process: the runtime itself, or unshare when the runtime is the init of its own PID namespace. */
  launcherPid: number;
  pidNamespace: boolean;
  /** NAME=value in the environment of every process of this runtime (without a namespace: finds those that left the tree). */
  marker?: string;
  memoryLimitMB?: number;
  pollMs: number;
  /** How often while the runtime is idle (between invocations; see setBusy). Default: pollMs. */
  idlePollMs?: number;
  /** Called once when the tree holds more than memoryLimitMB; the tree is killed first. */
  onOverLimit(peakMB: number): void;
}

const PRUNE_EVERY = 50;
/** How long after a kill we wait for the processes to be gone before giving up on them. */
const GONE_WAIT_MS = 2000;

/** Over the limit (pure): the peak in kB against the function's memory in MB. */
export const overLimit = (peakKB: number, limitMB: number | undefined): boolean => limitMB !== undefined && peakKB > limitMB * 1024;

export class RuntimeTree {
  /** The largest total RSS seen, and the runtime's own VmHWM, in kB. */
  private peakKB = 0;
  /**
   * Without a namespace: processes seen in the tree (pid → start time), so one that later leaves it (setsid, and its
   * parent exits) is still known. Those gone are forgotten every PRUNE_EVERY polls.
   */
  private readonly seen = new Map<number, string>();
  private polls = 0;
  /** The runtime's start time, to tell it from a later process with its pid. */
  private runtimeStart: string | undefined;
  private runtime: StatusReader | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** The poll interval armed now (pollMs or idlePollMs). */
  private every = 0;
  private overLimitReported = false;
  private readonly reader = hasProcfs() ? new ProcTreeReader() : undefined;

  constructor(private readonly opts: RuntimeTreeOptions) {}

  start(): void {
    this.arm(this.opts.pollMs);
    void this.poll();
  }

  /**
   * Polls at pollMs while an invocation (or init) runs, at idlePollMs between them: an idle environment is then
   * nearly free, and memory grown while idle is still found (and the runtime's own peak, VmHWM, at the next end).
   */
  setBusy(busy: boolean): void {
    if (!this.timer) return;
    const every = busy ? this.opts.pollMs : this.opts.idlePollMs ?? this.opts.pollMs;
    if (every === this.every) return;
    clearInterval(this.timer);
    this.arm(every);
  }

  private arm(every: number): void {
    this.every = every;
    this.timer = setInterval(() => void this.poll(), every);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.runtime?.close();
    this.reader?.close();
  }

  /** The highest memory use seen, in MB (what REPORT calls Max Memory Used). */
  maxMemoryMB(): number {
    this.readRuntimeHwm();
    return Math.round(this.peakKB / 1024);
  }

  /** The runtime's VmHWM read now (synchronously: one read of procfs) and the polled peak, against the limit. */
  overMemoryLimit(): boolean {
    this.readRuntimeHwm();
    return overLimit(this.peakKB, this.opts.memoryLimitMB);
  }

  private readRuntimeHwm(): void {
    // an invocation may end before a poll has found the runtime (a fast init on a busy machine): find it now
    if (!this.runtime && this.reader && this.timer) this.sample(this.reader.below(this.opts.launcherPid, !this.opts.pidNamespace));
    const kb = this.runtime?.hwmKB();
    if (kb !== undefined && kb > this.peakKB) this.peakKB = kb;
  }

  /** Takes in one scan of the tree: which process is the runtime, and the total RSS against the peak. */
  private sample(rows: readonly ProcessRow[]): void {
    const { launcherPid, pidNamespace } = this.opts;
    // In a namespace the runtime is unshare's one child (unshare itself is ours, not the function's).
    const runtimePid = pidNamespace ? rows.find((r) => r.ppid === launcherPid)?.pid : launcherPid;
    if (runtimePid !== undefined && this.runtime?.pid !== runtimePid && hasProcfs()) {
      this.runtime?.close();
      this.runtime = new StatusReader(runtimePid);
    }
    let totalKB = 0;
    for (const r of rows) {
      totalKB += r.rssKB;
      if (r.pid === runtimePid) this.runtimeStart = r.startTime;
      if (!pidNamespace) this.seen.set(r.pid, r.startTime);
    }
    if (totalKB > this.peakKB) this.peakKB = totalKB;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { launcherPid, pidNamespace } = this.opts;
      // In a namespace the launcher (unshare) is ours, not the function's: it is not counted.
      const rows: ProcessRow[] = this.reader ? this.reader.below(launcherPid, !pidNamespace) : await processesBelow(launcherPid, !pidNamespace);
      if (!this.timer) return; // stopped meanwhile
      this.sample(rows);
      if (++this.polls % PRUNE_EVERY === 0) {
        for (const [pid, startTime] of this.seen) if (readProc(pid)?.startTime !== startTime) this.seen.delete(pid);
      }
      this.readRuntimeHwm();
      if (!this.overLimitReported && overLimit(this.peakKB, this.opts.memoryLimitMB)) {
        this.overLimitReported = true;
        this.opts.onOverLimit(Math.round(this.peakKB / 1024));
      }
    } finally {
      this.polling = false;
    }
  }

  /**
   * SIGKILL to everything the runtime started: its process group, the namespace's init (the kernel then kills
   * the rest of the namespace), and without a namespace every process seen in the tree or carrying the marker.
   * `launcherReaped`: the launcher's pid may already belong to someone else, so only its group is signalled.
   */
  killAll(launcherReaped: boolean): number[] {
    const { launcherPid, pidNamespace, marker } = this.opts;
    const targets = new Set<number>(launcherReaped ? [] : [launcherPid]);
    if (hasProcfs()) {
      const current = this.currentTree(launcherReaped);
      for (const r of current) targets.add(r.pid);
      if (!pidNamespace) {
        for (const [pid, startTime] of this.seen) if (readProc(pid)?.startTime === startTime) targets.add(pid);
        if (marker) for (const pid of pidsWithEnvironment(marker)) targets.add(pid);
      }
    }
    signalGroup(launcherPid);
    targets.delete(process.pid);
    for (const pid of targets) signal(pid);
    return [...targets];
  }

  /**
   * The runtime's processes now, read afresh from /proc: the launcher, everything below it, and without a namespace
   * those seen in the tree that left it (same pid and start time). Who may call its Runtime API.
   */
  pids(): number[] {
    const { launcherPid, pidNamespace } = this.opts;
    const out = [launcherPid, ...procDescendants(launcherPid)];
    if (!pidNamespace) {
      const now = new Set(out);
      for (const [pid, startTime] of this.seen) if (!now.has(pid) && readProc(pid)?.startTime === startTime) out.push(pid);
    }
    return out;
  }

  /** The processes still under the launcher (and, in a namespace, the runtime even when unshare is gone). */
  private currentTree(launcherReaped: boolean): ProcessRow[] {
    const rows = launcherReaped ? [] : procProcessesBelow(this.opts.launcherPid);
    const runtimePid = this.runtime?.pid;
    if (runtimePid !== undefined && !rows.some((r) => r.pid === runtimePid)) {
      const row = readProc(runtimePid);
      if (row && row.startTime === this.runtimeStart) rows.push(row);
    }
    return rows;
  }

  /** Resolves once none of `pids` is alive (a zombie counts as gone), or after GONE_WAIT_MS. */
  async waitGone(pids: number[]): Promise<void> {
    const until = Date.now() + GONE_WAIT_MS;
    let left = pids;
    while (left.length > 0 && Date.now() < until) {
      left = left.filter((pid) => {
        const row = readProc(pid);
        return row !== undefined && !row.zombie;
      });
      if (left.length > 0) await new Promise((r) => setTimeout(r, 10));
    }
  }
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function signalGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // nothing left in the group
  }
}
