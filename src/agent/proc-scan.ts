// Reads the processes of the agent's PID namespace from /proc: owner, parent, state, start time and memory.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ProcEntry {
  pid: number;
  ppid: number;
  /** The real uid. */
  uid: number;
  /** R, S, D, Z (zombie), X (dead), … */
  state: string;
  /** `pid:starttime`: unlike a pid, never reused for another process. */
  identity: string;
  vmHwmKb: number;
  vmRssKb: number;
}

export interface StatusFields { ppid: number; uid: number; state: string; vmHwmKb: number; vmRssKb: number }

function field(text: string, name: string): string | undefined {
  const at = text.indexOf(`\n${name}:`);
  const start = at === -1 ? (text.startsWith(`${name}:`) ? name.length + 1 : -1) : at + name.length + 2;
  if (start === -1) return undefined;
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? undefined : end).trim();
}

/** The fields of /proc/<pid>/status that matter here (pure); undefined if it is not a status file. */
export function parseStatus(text: string): StatusFields | undefined {
  const ppid = Number(field(text, 'PPid'));
  const uid = Number(field(text, 'Uid')?.split(/\s+/)[0]);
  const state = field(text, 'State')?.[0];
  if (!Number.isInteger(ppid) || !Number.isInteger(uid) || !state) return undefined;
  const kb = (name: string) => parseInt(field(text, name) ?? '0', 10) || 0;
  return { ppid, uid, state, vmHwmKb: kb('VmHWM'), vmRssKb: kb('VmRSS') };
}

/** Field 22 of /proc/<pid>/stat, the start time in clock ticks since boot (pure); the command name may hold spaces and ")". */
export function parseStartTime(stat: string): string | undefined {
  const close = stat.lastIndexOf(')');
  if (close === -1) return undefined;
  // after ") " come field 3 (state) onwards: starttime is field 22, the 20th of those
  return stat.slice(close + 2).split(' ')[19];
}

async function readEntry(procRoot: string, pid: number): Promise<ProcEntry | undefined> {
  try {
    const [status, stat] = await Promise.all([readFile(join(procRoot, String(pid), 'status'), 'latin1'), readFile(join(procRoot, String(pid), 'stat'), 'latin1')]);
    const fields = parseStatus(status);
    const start = parseStartTime(stat);
    return fields && start !== undefined ? { pid, ...fields, identity: `${pid}:${start}` } : undefined;
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
