// What this machine lets the agent do to seal a runtime, found once per agent process by trying it (I/O for isolation.ts).
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { isolatedCommand, type HostAbilities, type Isolation } from './isolation.js';
import { CAP_SYS_PTRACE, hasEffectiveCapability } from './process-table.js';

/** An executable file named `command` on `path` (as the agent sees it), or undefined. Names with a slash are taken as they are. */
export function resolveCommand(command: string, path: string | undefined): string | undefined {
  if (command.includes('/')) return command;
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const readable = (path: string): boolean => {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
};

let abilities: HostAbilities | undefined;

/** The agent's platform, uid and util-linux tools (read once). */
export function hostAbilities(): HostAbilities {
  if (abilities) return abilities;
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  const found: HostAbilities = { platform: process.platform, uid, gid };
  if (process.platform === 'linux') {
    // Root's tools live in sbin folders that a user's PATH may lack.
    const path = `${process.env.PATH ?? ''}${delimiter}/usr/bin${delimiter}/bin${delimiter}/usr/sbin${delimiter}/sbin`;
    const unshare = resolveCommand('unshare', path);
    const setpriv = resolveCommand('setpriv', path);
    if (unshare) found.unshare = unshare;
    if (setpriv) found.setpriv = setpriv;
    found.procNetTcp = readable('/proc/net/tcp');
    found.sysPtrace = found.procNetTcp && hasEffectiveCapability(readFileSync('/proc/self/status', 'latin1'), CAP_SYS_PTRACE);
  }
  abilities = found;
  return found;
}

const probes = new Map<string, Promise<boolean>>();

/** Whether a runtime can be started under `isolation` here: runs `true` under it, once per kind of isolation. */
export function probeIsolation(isolation: Isolation): Promise<boolean> {
  const host = hostAbilities();
  const trueBin = resolveCommand('true', `/usr/bin${delimiter}/bin`) ?? 'true';
  const cmd = isolatedCommand(isolation, host, { command: trueBin, args: [] });
  const key = [cmd.command, ...cmd.args].join(' ');
  let answer = probes.get(key);
  if (!answer) {
    answer = new Promise<boolean>((resolve) => {
      execFile(cmd.command, cmd.args, { timeout: 10_000, env: { PATH: '/usr/bin:/bin' } }, (err) => resolve(!err));
    });
    probes.set(key, answer);
  }
  return answer;
}
