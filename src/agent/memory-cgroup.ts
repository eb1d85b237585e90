// memoryMB as the kernel enforces it: a cgroup v2 with memory.max per runtime, where the agent may create one (root, memory controller delegated).
import { randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LaunchCommand } from './runtime-launch.js';

/** The mount point of the cgroup v2 hierarchy, from /proc/self/mountinfo. */
export function cgroup2Mount(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (right?.split(' ')[0] === 'cgroup2') return left?.split(' ')[4];
  }
  return undefined;
}

/** Whether `list` (a cgroup.controllers or cgroup.subtree_control text) names the memory controller. */
export const hasMemoryController = (list: string): boolean => list.trim().split(/\s+/).includes('memory');

/** `memory.events`' oom_kill count (0 when absent). */
export function oomKills(events: string): number {
  const m = /^oom_kill (\d+)$/m.exec(events);
  return m ? Number(m[1]) : 0;
}

/**
 * The command that first moves itself into `cgroup` (so the runtime and everything it starts are born in it), then
 * runs `cmd`. A shell is the mover: nothing of the function runs before it is in.
 */
export function inCgroup(cgroup: string, cmd: LaunchCommand): LaunchCommand {
  return { command: '/bin/sh', args: ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cgroup, cmd.command, ...cmd.args] };
}

let parent: Promise<string | undefined> | undefined;

/**
 * The folder under which runtimes' cgroups are made (`<cgroup2>/klambda`, as container engines make theirs), or
 * undefined where none can be: not root, no cgroup v2, or its memory controller not given to its children.
 * Read-only until it is sure it can make one. Found once per agent.
 */
export function memoryCgroupParent(): Promise<string | undefined> {
  parent ??= (async () => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined;
    try {
      const mount = cgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
      if (!mount || !hasMemoryController(readFileSync(join(mount, 'cgroup.subtree_control'), 'utf8'))) return undefined;
      accessSync(mount, constants.W_OK);
      const dir = join(mount, 'klambda');
      await mkdir(dir, { recursive: true });
      if (!hasMemoryController(await readFile(join(dir, 'cgroup.subtree_control'), 'utf8'))) {
        await writeFile(join(dir, 'cgroup.subtree_control'), '+memory');
      }
      return dir;
    } catch {
      return undefined;
    }
  })();
  return parent;
}

/** One runtime's cgroup: memory.max, no swap, the whole group killed on OOM. */
export class MemoryCgroup {
  private constructor(readonly dir: string) {}

  static async create(parentDir: string, memoryMB: number): Promise<MemoryCgroup> {
    const dir = join(parentDir, `env-${randomBytes(8).toString('hex')}`);
    await mkdir(dir);
    await writeFile(join(dir, 'memory.max'), String(memoryMB * 1024 * 1024));
    await writeFile(join(dir, 'memory.swap.max'), '0').catch(() => undefined); // absent without swap accounting
    await writeFile(join(dir, 'memory.oom.group'), '1').catch(() => undefined);
    return new MemoryCgroup(dir);
  }

  /** The kernel killed something in it for lack of memory. */
  outOfMemory(): boolean {
    try {
      return oomKills(readFileSync(join(this.dir, 'memory.events'), 'utf8')) > 0;
    } catch {
      return false;
    }
  }

  /** Its peak usage in kB (memory.peak, Linux 5.19+), or undefined. */
  peakKB(): number | undefined {
    try {
      return Math.round(Number(readFileSync(join(this.dir, 'memory.peak'), 'utf8')) / 1024);
    } catch {
      return undefined;
    }
  }

  /** Removes it once empty (every process in it gone). */
  async remove(): Promise<void> {
    await rmdir(this.dir).catch(() => undefined);
  }
}
