// How a runtime process is sealed from the rest of the machine (pure): the choice, step by step, and the launcher command it takes.
import type { LaunchCommand } from './runtime-launch.js';

/** What the operator asks for (AgentConfig.isolation, klambda dev's options). */
export interface IsolationOptions {
  /** Use PID (and, when not root, user) namespaces where the kernel allows. Default true. */
  namespaces?: boolean;
  /**
   * The uid:gid a root agent runs its runtimes as. Default 65534:65534 (nobody:nogroup). 'agent' keeps the
   * agent's own uid (root, but without capabilities inside a namespace).
   */
  runtimeUser?: { uid: number; gid: number } | 'agent';
}

export const DEFAULT_RUNTIME_USER = { uid: 65534, gid: 65534 } as const;

/** How one environment's runtime runs. */
export interface Isolation {
  /** Its own PID namespace and /proc: it sees only its own processes, and all of them die with it. */
  pidNamespace: boolean;
  /** A user namespace too (non-root agents: creating a PID namespace needs one). */
  userNamespace: boolean;
  /** The uid:gid it runs as, when not the agent's own. */
  user?: { uid: number; gid: number };
  /** Root inside a namespace without a user switch: every capability dropped. */
  dropCapabilities: boolean;
  /** Why it is weaker than the strongest level, for the log. */
  reason?: string | undefined;
}

export const NO_ISOLATION: Isolation = { pidNamespace: false, userNamespace: false, dropCapabilities: false };

/** One line for the log: "pid namespace, uid 65534", "pid+user namespace", "uid 65534", "none". */
export function describeIsolation(i: Isolation): string {
  const parts: string[] = [];
  if (i.pidNamespace) parts.push(i.userNamespace ? 'pid+user namespace' : 'pid namespace');
  if (i.user) parts.push(`uid ${i.user.uid}`);
  else if (i.dropCapabilities) parts.push('uid 0 without capabilities');
  return parts.length ? parts.join(', ') : 'none';
}

/** What the machine offers, found once per agent (isolation-probe.ts). */
export interface HostAbilities {
  platform: NodeJS.Platform;
  uid: number;
  gid: number;
  /** Absolute paths of util-linux's tools, where found. */
  unshare?: string;
  setpriv?: string;
  /** /proc/net/tcp can be read: the agent can find the socket of a connection's peer. */
  procNetTcp?: boolean;
  /** CAP_SYS_PTRACE is effective: the agent may read the descriptors of another uid's processes. */
  sysPtrace?: boolean;
}

/** Whether the Runtime API admits only the runtime's own processes, or (where the agent cannot tell) every local one. */
export type RuntimeApiGuardMode = { on: true } | { on: false; reason: string };

/**
 * Can the agent tell its runtime's connections to the Runtime API from anyone else's (pure)? It finds the peer's
 * socket in /proc/net/tcp and looks for it among the runtime's descriptors, which another uid shows only to
 * CAP_SYS_PTRACE (a root agent in a container often lacks it).
 */
export function runtimeApiGuard(host: HostAbilities, i: Isolation): RuntimeApiGuardMode {
  if (!host.procNetTcp) return { on: false, reason: host.platform === 'linux' ? '/proc/net/tcp cannot be read' : `no /proc on ${host.platform}` };
  const runtimeUid = i.user?.uid ?? host.uid;
  if (runtimeUid !== host.uid && !host.sysPtrace) {
    return { on: false, reason: `without CAP_SYS_PTRACE the agent cannot read the descriptors of uid ${runtimeUid}` };
  }
  return { on: true };
}

/** For the isolation log line. */
export const describeRuntimeApiGuard = (g: RuntimeApiGuardMode): string => (g.on ? 'its own processes only' : `any local process (${g.reason})`);

/** Can the runtime's user reach the code, the runtime and its temp folder? Undefined if yes, else why not. */
export type Reachability = (user: { uid: number; gid: number }) => string | undefined;

/**
 * The isolations to try, strongest first: a PID namespace (as another uid when root), then only another uid
 * (root), then a plain child process. Each one with a PID namespace must pass a probe before it is used; the
 * last one needs none.
 */
export function isolationCandidates(host: HostAbilities, opts: IsolationOptions, reach: Reachability): Isolation[] {
  const namespaceReason = host.platform !== 'linux' ? `no PID namespaces on ${host.platform}`
    : !host.unshare ? 'unshare (util-linux) not found'
    : opts.namespaces === false ? 'namespaces turned off' : undefined;
  const refused = 'the kernel refused a PID namespace';
  if (host.uid !== 0) {
    const plain = { ...NO_ISOLATION, reason: namespaceReason ?? `${refused} (user namespaces are off for this user)` };
    return namespaceReason ? [plain] : [{ pidNamespace: true, userNamespace: true, dropCapabilities: false }, plain];
  }
  const wanted = opts.runtimeUser ?? DEFAULT_RUNTIME_USER;
  const unreachable = wanted === 'agent' ? 'runtimeUser is the agent\'s' : reach(wanted);
  const user = unreachable === undefined && wanted !== 'agent' ? wanted : undefined;
  const out: Isolation[] = [];
  if (!namespaceReason && user) out.push({ pidNamespace: true, userNamespace: false, user, dropCapabilities: false });
  if (!namespaceReason && !user && host.setpriv) {
    out.push({ pidNamespace: true, userNamespace: false, dropCapabilities: true, reason: unreachable });
  }
  const why = namespaceReason ?? (user || host.setpriv ? refused : 'setpriv (util-linux) not found');
  if (user) out.push({ ...NO_ISOLATION, user, reason: why });
  else out.push({ ...NO_ISOLATION, reason: `${why}; ${unreachable}` });
  return out;
}

/**
 * The command that starts `cmd` under the isolation: unshare (and setpriv) in front of it for a namespace. A user
 * switch without a namespace is done by spawn's uid/gid options instead (see spawnUser). setpriv --pdeathsig ties
 * the launcher to the agent: if the agent dies, so does the runtime, and with it its namespace.
 */
export function isolatedCommand(i: Isolation, host: HostAbilities, cmd: LaunchCommand): LaunchCommand {
  const tied = (inner: string[]): LaunchCommand => (host.setpriv
    ? { command: host.setpriv, args: ['--pdeathsig', 'KILL', '--', ...inner] }
    : { command: inner[0] as string, args: inner.slice(1) });
  if (!i.pidNamespace || !host.unshare) return tied([cmd.command, ...cmd.args]);
  // --kill-child: if unshare dies, the namespace's init (the runtime) gets SIGKILL, and with it every process inside.
  const args = ['--pid', '--fork', '--mount-proc', '--kill-child'];
  if (i.userNamespace) args.unshift('--user', `--map-user=${host.uid}`, `--map-group=${host.gid}`);
  let inner: string[] = [];
  if (i.user && host.setpriv) {
    // setpriv rather than unshare --setuid: a change of uid clears the parent-death signal, which setpriv sets again after it.
    inner = [host.setpriv, `--reuid=${i.user.uid}`, `--regid=${i.user.gid}`, '--clear-groups', '--no-new-privs', '--pdeathsig', 'KILL', '--'];
  } else if (i.user) {
    args.push(`--setuid=${i.user.uid}`, `--setgid=${i.user.gid}`);
  } else if (i.dropCapabilities && host.setpriv) {
    inner = [host.setpriv, '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', '--no-new-privs', '--'];
  }
  return tied([host.unshare, ...args, '--', ...inner, cmd.command, ...cmd.args]);
}

/** spawn's uid/gid for a user switch without a namespace (libuv then drops the supplementary groups too). */
export function spawnUser(i: Isolation): { uid: number; gid: number } | undefined {
  return !i.pidNamespace && i.user ? i.user : undefined;
}
