// The loss test's view of /proc: which processes sit below klambda (agents, runtimes), and killing one safely.
import { readdirSync, readFileSync } from 'node:fs';

export interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  /** Clock ticks since boot: with the pid, tells a process from a later one that reuses the pid. */
  startTime: string;
  cmdline: string[];
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f[0] === 'Z' || f[0] === 'X') return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter((s) => s !== '');
    return { pid, ppid: Number(f[1]), pgid: Number(f[2]), startTime: f[19] ?? '', cmdline };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Every live process of the machine. */
export function processTable(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** The processes below `root` (not root itself). */
export function descendants(table: readonly Proc[], root: number): Proc[] {
  const children = new Map<number, Proc[]>();
  for (const p of table) {
    const list = children.get(p.ppid);
    if (list) list.push(p); else children.set(p.ppid, [p]);
  }
  const out: Proc[] = [];
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const c of children.get(queue[i]!) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

export const isAgent = (p: Proc): boolean => p.cmdline.some((a) => a.endsWith('dist/agent/main.js'));

/** The function's own node process (not the unshare/setpriv launchers that exec or wrap it). */
export const isRuntime = (p: Proc): boolean =>
  p.cmdline.some((a) => a.endsWith('bootstrap.mjs')) && !/(^|\/)(unshare|setpriv)$/.test(p.cmdline[0] ?? '');

/** The unshare/setpriv wrapper an agent starts its runtime with. */
export const isLauncher = (p: Proc): boolean =>
  /(^|\/)(unshare|setpriv)$/.test(p.cmdline[0] ?? '') && p.cmdline.some((a) => a.endsWith('bootstrap.mjs'));

/** SIGKILL `p` if it is still the same process (same start time); whether a signal was sent. */
export function killIfSame(p: Proc, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  const now = readProc(p.pid);
  if (!now || now.startTime !== p.startTime) return false;
  try {
    process.kill(p.pid, signal);
    return true;
  } catch {
    return false;
  }
}
