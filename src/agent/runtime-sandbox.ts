// Decides once per execution environment how its runtimes are sealed (trying the strongest first), logs it, and builds each launch.
import { statSync } from 'node:fs';
import { chown } from 'node:fs/promises';
import type { Logger } from '../core/logger.js';
import {
  describeIsolation, describeRuntimeApiGuard, isolatedCommand, isolationCandidates, runtimeApiGuard, spawnUser,
  type Isolation, type IsolationOptions, type RuntimeApiGuardMode,
} from './isolation.js';
import { hostAbilities, probeIsolation, resolveCommand } from './isolation-probe.js';
import { memoryCgroupParent } from './memory-cgroup.js';
import { folderUnreadableBy, unreachableBy } from './path-access.js';
import type { LaunchCommand } from './runtime-launch.js';

/** What RuntimeProcess spawns. */
export interface PreparedLaunch {
  command: LaunchCommand;
  isolation: Isolation;
  /** spawn's uid/gid, for a user switch without a namespace. */
  spawnUser?: { uid: number; gid: number };
}

export interface SandboxOptions extends IsolationOptions {
  logger: Logger;
  /** For the log line. */
  functionName: string;
  version: string;
  /** The function's layers (its /opt), which the runtime's user must read as it reads the code. */
  optDir?: string;
}

/** Thrown when the runtime's command is not found: RuntimeProcess reports it as a spawn error (ENOENT), as spawn would. */
export class CommandNotFound extends Error {
  readonly code = 'ENOENT';
  constructor(command: string) {
    super(`spawn ${command} ENOENT`);
  }
}

const isFolder = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

export class RuntimeSandbox {
  private isolation: Promise<Isolation> | undefined;
  private guard: RuntimeApiGuardMode | undefined;

  constructor(private readonly opts: SandboxOptions) {}

  /** Whether the Runtime API admits only the runtime's processes: undefined until the isolation is chosen (nothing runs yet). */
  get runtimeApiGuard(): RuntimeApiGuardMode | undefined {
    return this.guard;
  }

  /**
   * The launch of `cmd` with `env` (its PATH finds the command; LAMBDA_TASK_ROOT, LAMBDA_RUNTIME_DIR and TMPDIR
   * are what the runtime's user must reach). The isolation is chosen on the first call and kept.
   */
  async prepare(cmd: LaunchCommand, env: Record<string, string>): Promise<PreparedLaunch> {
    const command = resolveCommand(cmd.command, env.PATH);
    if (!command) throw new CommandNotFound(cmd.command);
    const resolved = { command, args: cmd.args };
    this.isolation ??= this.choose({ ...resolved, ...(cmd.reads ? { reads: cmd.reads } : {}) }, env);
    const isolation = await this.isolation;
    const user = spawnUser(isolation);
    return { command: isolatedCommand(isolation, hostAbilities(), resolved), isolation, ...(user ? { spawnUser: user } : {}) };
  }

  private async choose(cmd: LaunchCommand, env: Record<string, string>): Promise<Isolation> {
    const reach = (user: { uid: number; gid: number }): string | undefined => {
      const checks = [
        () => unreachableBy(cmd.command, user, { read: true, execute: true }),
        () => (env.LAMBDA_TASK_ROOT ? folderUnreadableBy(env.LAMBDA_TASK_ROOT, user) : undefined),
        () => (env.LAMBDA_RUNTIME_DIR ? folderUnreadableBy(env.LAMBDA_RUNTIME_DIR, user) : undefined),
        () => (this.opts.optDir ? folderUnreadableBy(this.opts.optDir, user) : undefined),
        // a folder (a client's jars) read with what it holds, a file (a JDK's java) read and run
        ...(cmd.reads ?? []).map((path) => () => (isFolder(path) ? folderUnreadableBy(path, user) : unreachableBy(path, user, { read: true, execute: true }))),
        // The temp folder itself is handed over below; the folders above it must let the user in.
        () => (env.TMPDIR ? unreachableBy(`${env.TMPDIR}/.`, user, {}) : undefined),
      ];
      for (const check of checks) {
        const why = check();
        if (why) return why;
      }
      return undefined;
    };
    let chosen: Isolation | undefined;
    for (const candidate of isolationCandidates(hostAbilities(), this.opts, reach)) {
      if (!candidate.pidNamespace || await probeIsolation(candidate)) {
        chosen = candidate;
        break;
      }
    }
    chosen ??= { pidNamespace: false, userNamespace: false, dropCapabilities: false };
    if (chosen.user && env.TMPDIR) await chown(env.TMPDIR, chosen.user.uid, chosen.user.gid);
    const { logger, functionName, version } = this.opts;
    const memory = (await memoryCgroupParent()) ? 'cgroup v2 memory.max' : 'watchdog on the process tree';
    const guard = runtimeApiGuard(hostAbilities(), chosen);
    this.guard = guard;
    const line = {
      msg: 'runtime isolation', function: functionName, version, isolation: describeIsolation(chosen), memory,
      runtimeApi: describeRuntimeApiGuard(guard), ...(chosen.reason ? { reason: chosen.reason } : {}),
    };
    if (chosen.pidNamespace && !chosen.dropCapabilities && guard.on) logger.info(line);
    else logger.warn(line);
    return chosen;
  }
}
