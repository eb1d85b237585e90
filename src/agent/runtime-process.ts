// One runtime process: spawned in its own process group, its output split into lines, its memory high-water mark read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';
import type { LaunchCommand } from './runtime-launch.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES…). */
  spawnError?: Error;
}

export interface RuntimeProcessOptions {
  env: Record<string, string>;
  cwd: string;
  onLine: (line: string) => void;
}

/** Longest partial line kept before it is written out anyway. */
const MAX_PARTIAL = 256 * 1024;
/** After the process exits, how long its output pipes may stay open (held by its orphans) before we stop waiting. */
const DRAIN_GRACE_MS = 200;

/** Splits a text stream into lines, keeping a trailing partial line until its newline (or a flush). */
class LineSplitter {
  private partial = '';
  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: string): void {
    let start = 0;
    let nl = chunk.indexOf('\n');
    while (nl !== -1) {
      const end = nl > start && chunk.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const piece = chunk.slice(start, end);
      if (this.partial) {
        const line = this.partial + piece;
        this.partial = '';
        this.onLine(line);
      } else {
        this.onLine(piece);
      }
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) {
      this.partial += chunk.slice(start);
      if (this.partial.length > MAX_PARTIAL) this.flush();
    }
  }

  flush(): void {
    if (!this.partial) return;
    const line = this.partial;
    this.partial = '';
    this.onLine(line);
  }
}

export class RuntimeProcess {
  readonly pid: number | undefined;
  /** Resolves once the process has exited and its output has been read (or DRAIN_GRACE_MS passed). */
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private readonly out: LineSplitter;
  private readonly err: LineSplitter;
  private status: Promise<FileHandle | undefined> | undefined;
  private readonly statusBuf = Buffer.alloc(4096);
  private lastMaxMemoryMB = 0;
  private hasExited = false;

  constructor(cmd: LaunchCommand, opts: RuntimeProcessOptions) {
    this.out = new LineSplitter(opts.onLine);
    this.err = new LineSplitter(opts.onLine);
    // Its own process group, so a kill takes the runtime's children (curl, workers) with it.
    this.child = spawn(cmd.command, cmd.args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.pid = this.child.pid;
    this.child.stdout?.setEncoding('utf8').on('data', (c: string) => this.out.write(c));
    this.child.stderr?.setEncoding('utf8').on('data', (c: string) => this.err.write(c));
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.on('error', (spawnError) => {
        if (this.pid === undefined) resolve({ code: null, signal: null, spawnError });
      });
      this.child.once('exit', (code, signal) => {
        this.killGroup(); // whatever it left behind goes with it
        this.hasExited = true;
        let settled = false;
        const done = () => {
          if (settled) return;
          settled = true;
          clearTimeout(grace);
          this.flush();
          void this.closeStatus();
          resolve({ code, signal });
        };
        // 'close' follows once both pipes are drained; orphans holding them open only get the grace period.
        const grace = setTimeout(done, DRAIN_GRACE_MS);
        this.child.once('close', done);
      });
    });
  }

  /** SIGKILL to the whole process group; a no-op once it is gone (its pid may be reused after that). */
  kill(): void {
    this.killGroup();
  }

  private killGroup(): void {
    if (this.pid === undefined || this.hasExited) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // ESRCH: nothing left in the group.
    }
  }

  /** Writes out any partial line each stream holds (the end of an invocation). */
  flush(): void {
    this.out.flush();
    this.err.flush();
  }

  /** VmHWM of the process in MB (the last value read once it is gone; 0 where /proc is unavailable). */
  async maxMemoryUsedMB(): Promise<number> {
    if (this.hasExited || this.pid === undefined) return this.lastMaxMemoryMB;
    try {
      this.status ??= open(`/proc/${this.pid}/status`, 'r').catch(() => undefined);
      const fh = await this.status;
      if (!fh) return this.lastMaxMemoryMB;
      // procfs regenerates the file on every read from offset 0, so one handle serves every invocation.
      const { bytesRead } = await fh.read(this.statusBuf, 0, this.statusBuf.length, 0);
      const text = this.statusBuf.toString('latin1', 0, bytesRead);
      const at = text.indexOf('VmHWM:');
      if (at === -1) return this.lastMaxMemoryMB;
      const kb = parseInt(text.slice(at + 6, text.indexOf('\n', at)), 10);
      if (Number.isFinite(kb)) this.lastMaxMemoryMB = Math.max(this.lastMaxMemoryMB, Math.round(kb / 1024));
    } catch {
      // The process went away mid-read: keep the last value.
    }
    return this.lastMaxMemoryMB;
  }

  private async closeStatus(): Promise<void> {
    const fh = await this.status;
    this.status = Promise.resolve(undefined);
    await fh?.close().catch(() => undefined);
  }
}
