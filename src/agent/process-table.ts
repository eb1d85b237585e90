// What /proc (Linux) or ps (elsewhere) says about processes: parsers (pure) and the readers an environment's watchdog uses.
import { execFile } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/** One process as the table reads it. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
  /** Session id; 0 where the source does not say. */
  sid: number;
  /** Clock ticks since boot on Linux ('' elsewhere): with the pid, it tells a process from a later one that reuses its pid. */
  startTime: string;
  /** A zombie has exited and only waits to be reaped. */
  zombie: boolean;
  rssKB: number;
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
export function parseStat(pid: number, text: string): Omit<ProcessRow, 'rssKB'> | undefined {
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state) of proc(5), so field n is f[n - 3].
  const ppid = Number(f[1]);
  const pgid = Number(f[2]);
  const sid = Number(f[3]);
  const startTime = f[19];
  if (!Number.isInteger(ppid) || !Number.isInteger(pgid) || startTime === undefined) return undefined;
  return { pid, ppid, pgid, sid, startTime, zombie: f[0] === 'Z' || f[0] === 'X' };
}

/** VmRSS and VmHWM (kB) of /proc/<pid>/status; 0 for a field it lacks (kernel threads, zombies). */
export function parseStatusMemory(text: string): { rssKB: number; hwmKB: number } {
  const field = (name: string): number => {
    const at = text.indexOf(`\n${name}:`);
    if (at === -1) return 0;
    const kb = parseInt(text.slice(at + name.length + 2), 10);
    return Number.isFinite(kb) ? kb : 0;
  };
  return { rssKB: field('VmRSS'), hwmKB: field('VmHWM') };
}

/** `ps -A -o pid=,ppid=,pgid=,rss=` output: one row per process. */
export function parsePs(text: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of text.split('\n')) {
    const [pid, ppid, pgid, rss] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined || pgid === undefined || !Number.isInteger(pid) || !Number.isInteger(ppid)) continue;
    rows.push({ pid, ppid, pgid, sid: 0, startTime: '', zombie: false, rssKB: Number.isFinite(rss) ? rss ?? 0 : 0 });
  }
  return rows;
}

/** Every process below `root` (not root itself), breadth first, given each process's children. */
export function descendantsOf(root: number, childrenOf: (pid: number) => readonly number[]): number[] {
  const seen = new Set<number>([root]);
  const out: number[] = [];
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const child of childrenOf(queue[i] as number)) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Children by parent, from a whole table. */
export function childrenIndex(rows: readonly ProcessRow[]): (pid: number) => readonly number[] {
  const index = new Map<number, number[]>();
  for (const r of rows) {
    const list = index.get(r.ppid);
    if (list) list.push(r.pid);
    else index.set(r.ppid, [r.pid]);
  }
  return (pid) => index.get(pid) ?? [];
}

// ---- Readers ---------------------------------------------------------------------------------------

const PROC = '/proc';

const procfs = existsSync(`${PROC}/self/stat`);

export const hasProcfs = (): boolean => procfs;

/** /proc/<pid>/task/<tid>/children exists (CONFIG_PROC_CHILDREN): a tree can be walked without reading every process. */
const childrenFiles = procfs && existsSync(`${PROC}/self/task/${process.pid}/children`);

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined; // gone, or not ours to read
  }
};

/** One process from /proc, or undefined once it is gone. Synchronous: procfs answers from memory, never from a disk. */
export function readProc(pid: number): ProcessRow | undefined {
  const stat = readText(`${PROC}/${pid}/stat`);
  const row = stat === undefined ? undefined : parseStat(pid, stat);
  if (!row) return undefined;
  const status = readText(`${PROC}/${pid}/status`);
  return { ...row, rssKB: status ? parseStatusMemory(status).rssKB : 0 };
}

/** The children of every thread of `pid` (a child belongs to the thread that forked it). */
function procChildren(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`${PROC}/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tasks) {
    const text = readText(`${PROC}/${pid}/task/${tid}/children`);
    if (text) for (const c of text.trim().split(' ')) if (c) out.push(Number(c));
  }
  return out;
}

/** The pids below `root` now (not root itself), without reading their memory. Synchronous. */
export function procDescendants(root: number): number[] {
  return childrenFiles ? descendantsOf(root, procChildren) : descendantsOf(root, childrenIndex(procTable()));
}

/** Every process on the machine, from /proc. */
export function procTable(): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const name of readdirSync(PROC)) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const row = readProc(pid);
    if (row) rows.push(row);
  }
  return rows;
}

/** The processes below `root` with their memory, from /proc (walking children files when the kernel has them). Synchronous. */
export function procProcessesBelow(root: number): ProcessRow[] {
  return procDescendants(root).flatMap((pid) => readProc(pid) ?? []);
}

/** The processes below `root` (and root itself if asked) with their memory: from /proc where there is one, else from ps. */
export async function processesBelow(root: number, includeRoot = false): Promise<ProcessRow[]> {
  if (hasProcfs()) {
    const self = includeRoot ? readProc(root) : undefined;
    return self ? [self, ...procProcessesBelow(root)] : procProcessesBelow(root);
  }
  const rows = await psTable();
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  return [...(includeRoot ? [root] : []), ...descendantsOf(root, childrenIndex(rows))].flatMap((pid) => byPid.get(pid) ?? []);
}

function psTable(): Promise<ProcessRow[]> {
  return new Promise((resolve) => {
    execFile('ps', ['-A', '-o', 'pid=,ppid=,pgid=,rss='], { maxBuffer: 8 * 1024 * 1024 }, (err, stdout) => resolve(err ? [] : parsePs(stdout)));
  });
}

/** A few fields of /proc/<pid>/status: PPid, State, VmRSS, VmHWM. */
export function parseStatus(text: string): { ppid: number; zombie: boolean; rssKB: number; hwmKB: number } {
  const ppidAt = text.indexOf('\nPPid:');
  const stateAt = text.indexOf('\nState:');
  const state = stateAt === -1 ? '' : text.slice(stateAt + 7).trimStart().charAt(0);
  return { ppid: ppidAt === -1 ? 0 : parseInt(text.slice(ppidAt + 6), 10), zombie: state === 'Z' || state === 'X', ...parseStatusMemory(text) };
}

/** CAP_SYS_PTRACE's bit in a capability set. */
export const CAP_SYS_PTRACE = 19;

/** Whether the capability `bit` is in CapEff of a /proc/<pid>/status text. */
export function hasEffectiveCapability(status: string, bit: number): boolean {
  const m = /\nCapEff:\s*([0-9a-fA-F]+)/.exec(status);
  return m !== null && ((BigInt(`0x${m[1]}`) >> BigInt(bit)) & 1n) === 1n;
}

interface OpenProc {
  status: number;
  /** The children file of each of its threads. */
  tasks: Map<string, number>;
  row: Omit<ProcessRow, 'rssKB' | 'ppid' | 'zombie'>;
}

/** Threads are listed again every this many reads (a new thread's children are seen from then on). */
const TASKS_EVERY = 10;
/** Beyond this many processes in the tree, files are no longer kept open (a descriptor each). */
const MAX_OPEN = 256;

/**
 * Reads one process tree from /proc again and again, keeping each file open: procfs answers a read at offset 0
 * with fresh text, at a tenth of the cost of open/read/close. Synchronous, like every procfs read here.
 */
export class ProcTreeReader {
  private readonly open = new Map<number, OpenProc>();
  private reads = 0;
  private readonly buf = Buffer.alloc(8192);

  /** The processes below `root` (and root itself if asked) with their memory. */
  below(root: number, includeRoot: boolean): ProcessRow[] {
    if (!childrenFiles) {
      const rows = procProcessesBelow(root);
      const self = includeRoot ? readProc(root) : undefined;
      return self ? [self, ...rows] : rows;
    }
    this.reads += 1;
    const rows: ProcessRow[] = [];
    const seen = new Set<number>();
    const visit = (pid: number): number[] => {
      const p = this.handle(pid);
      if (!p) {
        // Past MAX_OPEN: read it the costly way.
        const row = readProc(pid);
        if (row && (pid !== root || includeRoot)) rows.push(row);
        return row ? procChildren(pid) : [];
      }
      seen.add(pid);
      if (pid !== root || includeRoot) {
        const status = this.pread(p.status);
        if (status === undefined) return this.drop(pid);
        const st = parseStatus(status);
        rows.push({ ...p.row, ppid: st.ppid, zombie: st.zombie, rssKB: st.rssKB });
      }
      if (this.reads % TASKS_EVERY === 0) this.refreshTasks(pid, p);
      const children: number[] = [];
      for (const fd of p.tasks.values()) {
        const text = this.pread(fd);
        if (text) for (const c of text.trim().split(' ')) if (c) children.push(Number(c));
      }
      return children;
    };
    descendantsOf(root, visit);
    for (const pid of [...this.open.keys()]) if (!seen.has(pid)) this.drop(pid);
    return rows;
  }

  close(): void {
    for (const pid of [...this.open.keys()]) this.drop(pid);
  }

  private handle(pid: number): OpenProc | undefined {
    const known = this.open.get(pid);
    if (known) return known;
    if (this.open.size >= MAX_OPEN) return undefined;
    const stat = readText(`${PROC}/${pid}/stat`);
    const row = stat === undefined ? undefined : parseStat(pid, stat);
    if (!row) return undefined;
    let status: number;
    try {
      status = openSync(`${PROC}/${pid}/status`, 'r');
    } catch {
      return undefined;
    }
    const p: OpenProc = { status, tasks: new Map(), row: { pid, pgid: row.pgid, sid: row.sid, startTime: row.startTime } };
    this.refreshTasks(pid, p);
    this.open.set(pid, p);
    return p;
  }

  private refreshTasks(pid: number, p: OpenProc): void {
    let tids: string[];
    try {
      tids = readdirSync(`${PROC}/${pid}/task`);
    } catch {
      return;
    }
    for (const [tid, fd] of p.tasks) {
      if (tids.includes(tid)) continue;
      closeSync(fd);
      p.tasks.delete(tid);
    }
    for (const tid of tids) {
      if (p.tasks.has(tid)) continue;
      try {
        p.tasks.set(tid, openSync(`${PROC}/${pid}/task/${tid}/children`, 'r'));
      } catch {
        // the thread ended meanwhile
      }
    }
  }

  private pread(fd: number): string | undefined {
    try {
      const n = readSync(fd, this.buf, 0, this.buf.length, 0);
      return this.buf.toString('latin1', 0, n);
    } catch {
      return undefined; // the process is gone (ESRCH)
    }
  }

  private drop(pid: number): [] {
    const p = this.open.get(pid);
    if (p) {
      closeSync(p.status);
      for (const fd of p.tasks.values()) closeSync(fd);
      this.open.delete(pid);
    }
    return [];
  }
}

/** A kept-open /proc/<pid>/status, read again from offset 0 whenever asked (procfs regenerates it on each read). */
export class StatusReader {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(4096);

  constructor(readonly pid: number) {
    try {
      this.fd = openSync(`${PROC}/${pid}/status`, 'r');
    } catch {
      this.fd = undefined;
    }
  }

  /** VmHWM in kB, or undefined once the process is gone. */
  hwmKB(): number | undefined {
    if (this.fd === undefined) return undefined;
    try {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
      return parseStatusMemory(this.buf.toString('latin1', 0, n)).hwmKB || undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The pids whose environment holds `marker` (NAME=value), from /proc/<pid>/environ; only processes we may read. */
export function pidsWithEnvironment(marker: string): number[] {
  if (!hasProcfs()) return [];
  const needle = Buffer.from(`${marker}\0`);
  const out: number[] = [];
  for (const name of readdirSync(PROC)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const env = readFileSync(`${PROC}/${pid}/environ`);
      if (env.indexOf(needle) === 0 || env.indexOf(Buffer.concat([Buffer.from([0]), needle])) !== -1) out.push(pid);
    } catch {
      // not ours to read, or gone
    }
  }
  return out;
}
