// A pod's side of the pod network mode, done in its namespaces before its containers start: eth0 and the pod IP, its
// hostname, a /run of its own with the volumes mounted below it (the service-account token at
// /var/run/secrets/kubernetes.io/serviceaccount, where client libraries look), and its own /etc/hosts and resolv.conf.
import { realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Pod } from './container-process.js';
import type { PodNetwork } from './pod-network.js';
import type { PodSandbox } from './pod-sandbox.js';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A mount of a volume folder at a container path under /run (which is the pod's own tmpfs, so mount points can be made). */
export interface RunMount { from: string; to: string; readOnly: boolean }

/** The volume mounts of a pod that lie under /run or /var/run (pure): those the node mounts for real. */
export function runMounts(pod: Pod, volumeDirs: ReadonlyMap<string, string>): RunMount[] {
  const out = new Map<string, RunMount>();
  for (const c of pod.spec.containers) {
    for (const m of c.volumeMounts ?? []) {
      const to = posix.normalize(m.mountPath).replace(/^\/var\/run(?=\/|$)/, '/run');
      const from = volumeDirs.get(m.name);
      if (!from || !to.startsWith('/run/') || out.has(to)) continue;
      out.set(to, { from: m.subPath ? join(from, m.subPath) : from, to, readOnly: (m as { readOnly?: boolean }).readOnly === true });
    }
  }
  return [...out.values()];
}

/** The host path a bind over `file` lands on (mount follows symlinks), and whether that is under /run (hidden by the pod's /run). */
function target(file: string): string {
  try { return realpathSync(file); } catch { return file; }
}

/** The script that names the pod and mounts its /run, volumes, hosts and resolv.conf (pure but for reading where /etc's files are). */
export function mountScript(hostname: string, mounts: readonly RunMount[], hostsFile: string, resolvFile: string): string {
  const lines = [`hostname ${q(hostname)}`, 'mount -t tmpfs -o mode=755 tmpfs /run'];
  for (const m of mounts) {
    lines.push(`mkdir -p ${q(m.to)}`, `mount --bind ${q(m.from)} ${q(m.to)}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${q(m.to)}`);
  }
  for (const [file, over] of [[hostsFile, target('/etc/hosts')], [resolvFile, target('/etc/resolv.conf')]] as const) {
    if (over.startsWith('/run/')) lines.push(`mkdir -p ${q(posix.dirname(over))}`, `touch ${q(over)}`);
    lines.push(`mount --bind ${q(file)} ${q(over)}`);
  }
  return lines.join('\n');
}

/**
 * Connects the pod's sandbox (its network namespace) with `ip` and lays out its mounts. Returns the host path of its
 * hosts file, which the node rewrites in place (a bind mount holds the inode) as Services change.
 */
export async function setUpPodNetwork(args: {
  network: PodNetwork; sandbox: PodSandbox; pod: Pod; ip: string; dir: string;
  volumeDirs: ReadonlyMap<string, string>; hosts: string; resolv: string;
}): Promise<string> {
  const { network, sandbox, pod, ip, dir } = args;
  const hostsFile = join(dir, 'hosts');
  const resolvFile = join(dir, 'resolv.conf');
  await writeFile(hostsFile, args.hosts, { mode: 0o644 });
  await writeFile(resolvFile, args.resolv, { mode: 0o644 });
  await network.attach(sandbox.pausePid, ip, (script) => sandbox.exec(script));
  const hostname = (pod.spec as { hostname?: string }).hostname ?? pod.metadata.name.slice(0, 63);
  await sandbox.exec(mountScript(hostname, runMounts(pod, args.volumeDirs), hostsFile, resolvFile));
  return hostsFile;
}
