// Reads the processes of the agent's PID namespace from /proc with their owner (the pod mode finds its function by uid),
// on top of process-table.ts's parsers.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseStat, parseStatusMemory } from './process-table.js';

export interface ProcEntry {
  pid: number;
  ppid: number;
  /** The real uid. */
  uid: number;
  /** Exited, waiting to be reaped. */
  zombie: boolean;
  /** `pid:starttime`: unlike a pid, never reused for another process. */
  identity: string;
  vmHwmKb: number;
  vmRssKb: number;
}

/** The real uid in /proc/<pid>/status (pure); undefined if it has none. */
export function parseUid(status: string): number | undefined {
  const at = status.indexOf('\nUid:');
  if (at === -1) return undefined;
  const uid = parseInt(status.slice(at + 5).trimStart(), 10);
  return Number.isInteger(uid) ? uid : undefined;
}

async function readEntry(procRoot: string, pid: number): Promise<ProcEntry | undefined> {
  try {
    const [status, stat] = await Promise.all([readFile(join(procRoot, String(pid), 'status'), 'latin1'), readFile(join(procRoot, String(pid), 'stat'), 'latin1')]);
    const row = parseStat(pid, stat);
    const uid = parseUid(status);
    if (!row || uid === undefined) return undefined;
    const memory = parseStatusMemory(status);
    return { pid, ppid: row.ppid, uid, zombie: row.zombie, identity: `${pid}:${row.startTime}`, vmHwmKb: memory.hwmKB, vmRssKb: memory.rssKB };
  } catch {
    return undefined; // it exited while being read
  }
}

/** Every process /proc shows (those of the agent's PID namespace when /proc is that namespace's). */
export async function scanProcesses(procRoot = '/proc'): Promise<ProcEntry[]> {
  const pids = (await readdir(procRoot)).filter((n) => /^[0-9]+$/.test(n)).map(Number);
  const entries = await Promise.all(pids.map((pid) => readEntry(procRoot, pid)));
  return entries.filter((e): e is ProcEntry => e !== undefined);
}

/** The processes that are the roots of a set: those whose parent is not in it (a container's first process, or an orphan). */
export function rootsOf(entries: readonly ProcEntry[]): ProcEntry[] {
  const pids = new Set(entries.map((e) => e.pid));
  return entries.filter((e) => !pids.has(e.ppid));
}
