// How the process node runs a pod's containers as a container runtime would: one PID namespace per pod (a pause
// process that reaps orphans, as the pod's PID 1), each container entered into it as its own uid with only the
// capabilities it adds; the argv from command/args and the image; pod-local loopback ports. Builders are pure.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { ImageConfig } from './images.js';

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

export interface Identity { uid: number; gid: number }

/** The uid:gid a container runs as: its securityContext, else the pod's, else the image's USER (numeric only). */
export function containerIdentity(own: SecurityContext | undefined, pod: SecurityContext | undefined, imageUser?: string): Identity | undefined {
  const [imageUid, imageGid] = (imageUser ?? '').split(':').map((s) => (/^[0-9]+$/.test(s) ? Number(s) : undefined));
  const uid = own?.runAsUser ?? pod?.runAsUser ?? imageUid;
  if (uid === undefined) return undefined;
  return { uid, gid: own?.runAsGroup ?? pod?.runAsGroup ?? imageGid ?? 0 };
}

const capName = (cap: string) => cap.toLowerCase().replace(/^cap_/, '');

/**
 * `setpriv` options for a container: its uid and gid (supplementary groups: `groups` only, e.g. the pod's fsGroup); the capabilities it adds, kept across
 * the uid change as ambient ones (what a runtime's file-capability or ambient support gives a non-root process);
 * `drop: [ALL]` as the bounding set; no privilege escalation as no_new_privs.
 */
export function setprivArgs(id: Identity | undefined, sc: SecurityContext | undefined, groups: readonly number[] = []): string[] {
  const args: string[] = [];
  if (id) args.push('--reuid', String(id.uid), '--regid', String(id.gid), ...(groups.length > 0 ? ['--groups', groups.join(',')] : ['--clear-groups']));
  const added = (sc?.capabilities?.add ?? []).map(capName);
  if ((sc?.capabilities?.drop ?? []).some((c) => capName(c) === 'all')) args.push('--bounding-set', ['-all', ...added.map((c) => `+${c}`)].join(','));
  if (added.length > 0 && id) {
    const caps = added.map((c) => `+${c}`).join(',');
    args.push('--inh-caps', caps, '--ambient-caps', caps);
  }
  if (sc?.allowPrivilegeEscalation === false) args.push('--no-new-privs');
  return args;
}

export interface ContainerCommand { command?: string[]; args?: string[] }

/** The process a container runs, as Kubernetes combines command/args with the image's ENTRYPOINT/CMD. */
export function containerArgv(c: ContainerCommand, image: Pick<ImageConfig, 'entrypoint' | 'cmd'> | undefined): string[] {
  if (c.command) return [...c.command, ...(c.args ?? [])];
  return [...(image?.entrypoint ?? []), ...(c.args ?? image?.cmd ?? [])];
}

const LOOPBACK_PORT = /127\.0\.0\.1:([0-9]{1,5})(?![0-9])/g;

/**
 * The loopback ports a pod keeps to itself, which need a port of their own here, where every pod shares the host's
 * network: the ports of AWS_LAMBDA_RUNTIME_API values (the agent's Runtime API).
 */
export function podLocalPorts(envs: ReadonlyArray<ReadonlyArray<{ name: string; value?: string }>>): number[] {
  const ports = new Set<number>();
  for (const env of envs) {
    for (const e of env) if (e.name === 'AWS_LAMBDA_RUNTIME_API' && e.value) for (const m of e.value.matchAll(LOOPBACK_PORT)) ports.add(Number(m[1]));
  }
  return [...ports];
}

/** `127.0.0.1:<port>` → `127.0.0.1:<the pod's own port>` for each port mapped. */
export function rewritePorts(value: string, ports: ReadonlyMap<number, number>): string {
  if (ports.size === 0) return value;
  return value.replace(LOOPBACK_PORT, (whole, port: string) => {
    const to = ports.get(Number(port));
    return to === undefined ? whole : `127.0.0.1:${to}`;
  });
}

/** The pod's PID 1: reaps every orphan, exits on SIGTERM. */
const PAUSE = `
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD, signal.SIGTERM, signal.SIGINT})
while True:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0: pass
    except ChildProcessError:
        pass
    if signal.sigwait({signal.SIGCHLD, signal.SIGTERM, signal.SIGINT}) != signal.SIGCHLD: sys.exit(0)
`;

/** A pod's PID namespace with its own /proc, held by a pause process; containers are entered into it with nsenter. */
export class PodSandbox {
  private constructor(private readonly unshare: ChildProcess, readonly pausePid: number, private readonly namespaces: readonly string[]) {}

  /**
   * `network`: the pod also gets its own network and UTS namespaces (the pod network mode), which the node then
   * connects (pod-network.ts) and names; without it the pod shares the host's network.
   */
  static async start(opts: { network?: boolean } = {}): Promise<PodSandbox> {
    // the system's Python when there is one: a version manager's shim would run extra processes in the pod's namespace
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const extra = opts.network ? ['--net', '--uts'] : [];
    const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', ...extra, python, '-c', PAUSE], { stdio: 'ignore' });
    const exited = new Promise<never>((_, reject) => unshare.once('exit', (code) => reject(new Error(`unshare exited (${code}) before the pod's PID 1 started`))));
    const pausePid = await Promise.race([childOf(unshare.pid!), exited]);
    return new PodSandbox(unshare, pausePid, ['--pid', '--mount', ...extra]);
  }

  /** The command that runs `argv` in the pod (PID namespace, its /proc; its network if it has one), in `cwd`, with setpriv's options. */
  enter(argv: readonly string[], cwd: string | undefined, setpriv: readonly string[]): string[] {
    return ['nsenter', '--target', String(this.pausePid), ...this.namespaces, ...(cwd ? [`--wd=${cwd}`] : []), '--',
      'setpriv', ...setpriv, '--', ...argv];
  }

  /** Runs a shell script as root in all of the pod's namespaces (network set-up, mounts), failing with its stderr. */
  exec(script: string): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile('nsenter', ['--target', String(this.pausePid), ...this.namespaces, '--', 'sh', '-ec', script], { encoding: 'utf8' }, (err, _out, stderr) => {
        if (err) reject(new Error(`in the pod: ${script}: ${stderr.trim() || err.message}`));
        else resolve();
      });
    });
  }

  /** Ends the pod's PID 1: the kernel kills everything left in its namespace. */
  stop(): Promise<void> {
    if (this.unshare.exitCode !== null || this.unshare.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((resolve) => this.unshare.once('exit', () => resolve()));
    try { process.kill(this.pausePid, 'SIGKILL'); } catch { /* gone already */ }
    return gone;
  }
}

/** The pid of `parent`'s child (unshare --fork's: the namespace's PID 1), as the host sees it. */
async function childOf(parent: number): Promise<number> {
  for (let tries = 0; tries < 500; tries++) {
    for (const name of await readdir('/proc')) {
      if (!/^[0-9]+$/.test(name)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'latin1').catch(() => '');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      if (ppid === String(parent)) return Number(name);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no child of unshare (${parent}) appeared`);
}
