// The process node's view of a pod and its containers, and what every container process gets: its env, its stop.
import type { ChildProcess } from 'node:child_process';
import type { ImageConfig } from './images.js';
import { expandEnvRefs } from './env-refs.js';
import type { VolumeMount } from './path-rewrite.js';
import type { SecurityContext } from './pod-sandbox.js';
import type { ContainerPort, Probe } from './readiness-probe.js';
import type { Volume } from './pod-volumes.js';

export interface EnvVar { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }
export interface Container {
  name: string; image?: string; command?: string[]; args?: string[]; env?: EnvVar[]; volumeMounts?: VolumeMount[]; workingDir?: string;
  securityContext?: SecurityContext; lifecycle?: { postStart?: { exec?: { command?: string[] } } };
  ports?: ContainerPort[]; readinessProbe?: Probe;
}
export interface Pod {
  metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: {
    nodeName?: string; restartPolicy?: string; terminationGracePeriodSeconds?: number; serviceAccountName?: string;
    containers: Container[]; volumes?: Volume[]; securityContext?: SecurityContext & { fsGroup?: number; supplementalGroups?: number[] };
    hostname?: string; subdomain?: string; enableServiceLinks?: boolean;
  };
}
/** In the pod network mode: the pod's and node's addresses and the kubelet's service variables. */
export interface PodNetworkEnv { podIP: string; hostIP: string; serviceEnv: Record<string, string> }

/** The value of an env var's `fieldRef` here (undefined for a field the process node does not know). */
function fieldRefValue(pod: Pod, fieldPath: string, nodeName: string, network: PodNetworkEnv | undefined): string | undefined {
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace;
    case 'metadata.uid': return pod.metadata.uid;
    case 'spec.nodeName': return pod.spec.nodeName ?? nodeName;
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP': case 'status.podIPs': return network?.podIP ?? '127.0.0.1';
    case 'status.hostIP': case 'status.hostIPs': return network?.hostIP ?? '127.0.0.1';
    default: return undefined;
  }
}

/** The host's PATH stands for an image's; HOME is the host's only for a container that runs as the node's user. */
export function containerEnv(
  pod: Pod, c: Container, nodeName: string, image: ImageConfig | undefined, rewrite: (v: string) => string, ownUser: boolean, network?: PodNetworkEnv,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: ownUser ? process.env.HOME : '/' };
  for (const [name, value] of Object.entries(image?.env ?? {})) env[name] = rewrite(value);
  if (network) env.HOSTNAME = pod.spec.hostname ?? pod.metadata.name;
  // the container's own env wins over the kubelet's service variables
  Object.assign(env, network?.serviceEnv);
  for (const e of c.env ?? []) {
    const value = e.value ?? (e.valueFrom?.fieldRef ? fieldRefValue(pod, e.valueFrom.fieldRef.fieldPath, nodeName, network) : undefined);
    // $(VAR): the variables defined before it, as a kubelet expands them
    if (value !== undefined) env[e.name] = rewrite(expandEnvRefs(value, env));
  }
  return env;
}

/** Signals a container's whole process group (it was spawned detached), so the processes it started get it too. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try { process.kill(-pid, signal); } catch { /* the group has ended already */ }
}

/** SIGTERM, then SIGKILL after the grace period, as a kubelet stops a container. */
export function stopProcess(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  const pid = child?.pid;
  if (!child || pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    signalGroup(pid, 'SIGTERM');
  });
}

