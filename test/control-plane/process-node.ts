// A "process node" for tests on the real control plane: a Ready Node whose pods' containers run as local child
// processes (command, args, env, configMap/secret/emptyDir volumes as host folders with the paths rewritten),
// with pod status kept true: Pending / Running / Succeeded / Failed, PodIP 127.0.0.1, restarts; logs kept for diagnostics.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { KubeClient } from '../../src/kube/client.js';
import { kubeRequest, type KubeResponse } from './kube-request.js';
import { pathMappings, rewritePaths, type PathMapping, type VolumeMount } from './path-rewrite.js';
import { materializeVolumes, type Volume } from './pod-volumes.js';

interface EnvVar { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }
interface Container { name: string; image?: string; command?: string[]; args?: string[]; env?: EnvVar[]; volumeMounts?: VolumeMount[]; workingDir?: string }
interface Pod {
  metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string };
  spec: {
    nodeName?: string; restartPolicy?: string; terminationGracePeriodSeconds?: number; serviceAccountName?: string;
    containers: Container[]; volumes?: Volume[];
  };
}
interface Running { child: ChildProcess | undefined; restarts: number; startedAt: string; exitCode?: number; done: boolean }
/** A pod that runs here: its host folder (volumes under it), its containers' processes, and its status reports in order. */
interface PodEntry { pod: Pod; dir: string; volumeDirs: Map<string, string>; containers: Map<string, Running>; reports: Promise<void>; reportQueued: boolean }

export interface ProcessNodeOptions {
  server: string;
  token: string;
  name?: string;
  pollMs?: number;
  /** Image path prefixes → host folders, rewritten like mount paths: {'/opt/klambda': packageRoot()} runs this repository's agent. */
  rootMap?: Record<string, string>;
}

const LOG_LINES = 200;
/** A test has no time for a pod's full terminationGracePeriodSeconds. */
const MAX_GRACE_MS = 2000;
const DEFAULT_GRACE_SECONDS = 30;

/** The last lines a container wrote to stdout and stderr. */
class LogRing {
  private readonly lines: string[] = [];

  /** A writer for one stream, which keeps its own partial line. */
  stream(): (chunk: Buffer) => void {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    return (chunk) => {
      const parts = (partial + decoder.write(chunk)).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) this.add(line);
      if (partial.length > 16_384) { this.add(partial); partial = ''; }
    };
  }

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > LOG_LINES) this.lines.shift();
  }

  text(prefix = ''): string[] { return this.lines.map((l) => prefix + l); }
}

/** The value of an env var's `fieldRef` here (undefined for a field the process node does not know). */
function fieldRefValue(pod: Pod, fieldPath: string, nodeName: string): string | undefined {
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace;
    case 'metadata.uid': return pod.metadata.uid;
    case 'spec.nodeName': return pod.spec.nodeName ?? nodeName;
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP': case 'status.hostIP': return '127.0.0.1';
    default: return undefined;
  }
}

function containerEnv(pod: Pod, c: Container, nodeName: string, paths: readonly PathMapping[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const e of c.env ?? []) {
    const value = e.value ?? (e.valueFrom?.fieldRef ? fieldRefValue(pod, e.valueFrom.fieldRef.fieldPath, nodeName) : undefined);
    if (value !== undefined) env[e.name] = rewritePaths(value, paths);
  }
  return env;
}

/** Signals a container's whole process group (it was spawned detached), so the processes it started get it too. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try { process.kill(-pid, signal); } catch { /* the group has ended already */ }
}

/** SIGTERM, then SIGKILL after the grace period, as a kubelet stops a container. */
function stopProcess(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  const pid = child?.pid;
  if (!child || pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    signalGroup(pid, 'SIGTERM');
  });
}

export class ProcessNode {
  readonly name: string;
  private readonly root = mkdtempSync(join(tmpdir(), 'klambda-process-node-'));
  private readonly pods = new Map<string, PodEntry>();
  /** uid → the reason last reported for a pod that cannot start yet, so status is patched only on a change. */
  private readonly waiting = new Map<string, string>();
  /** uid → the stopping of a pod's processes (and its deletion), which stop() waits for. */
  private readonly removals = new Map<string, Promise<void>>();
  /** "namespace/pod" → container → log; kept after the pod is gone, for a failing test's message. */
  private readonly podLogs = new Map<string, Map<string, LogRing>>();
  private timers: NodeJS.Timeout[] = [];
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private readonly watchAbort = new AbortController();
  private stopped = false;

  constructor(private readonly opts: ProcessNodeOptions) {
    this.name = opts.name ?? 'process-node';
  }

  private api(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse> {
    return kubeRequest(this.opts.server, this.opts.token, method, path, body, contentType);
  }

  async start(): Promise<void> {
    const now = new Date().toISOString();
    const capacity = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    const created = await this.api('POST', '/api/v1/nodes', {
      metadata: { name: this.name, labels: { 'kubernetes.io/hostname': this.name, 'klambda.dev/process-node': 'true' } },
      status: { capacity, allocatable: capacity, addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] },
    });
    if (created.status !== 201 && created.status !== 409) throw new Error(`node create failed: ${created.status} ${JSON.stringify(created.body)}`);
    await this.heartbeat(now);
    this.timers.push(setInterval(() => void this.heartbeat(new Date().toISOString()), 10_000));
    this.timers.push(setInterval(() => void this.sync(), this.opts.pollMs ?? 250));
    await this.sync();
    void this.watchPods();
  }

  /** As a kubelet does: a watch on the node's pods makes it act at once; the poll above is the safety net. */
  private async watchPods(): Promise<void> {
    const client = KubeClient.fromToken(this.opts.server, this.opts.token, true);
    while (!this.stopped) {
      try {
        await client.watch(`/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3D${this.name}&timeoutSeconds=60`, () => { void this.sync(); }, this.watchAbort.signal);
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** The host folder of a running pod (its volumes are below it); undefined once the pod is removed. */
  podDir(namespace: string, podName: string): string | undefined {
    for (const { pod, dir } of this.pods.values()) if (pod.metadata.namespace === namespace && pod.metadata.name === podName) return dir;
    return undefined;
  }

  /** The last lines of a container's stdout and stderr (every container's, prefixed with its name, if none is given). */
  logs(namespace: string, podName: string, container?: string): string {
    const rings = this.podLogs.get(`${namespace}/${podName}`);
    if (!rings) return '';
    if (container !== undefined) return rings.get(container)?.text().join('\n') ?? '';
    const many = rings.size > 1;
    return [...rings].flatMap(([name, ring]) => ring.text(many ? `[${name}] ` : '')).join('\n');
  }

  private log(pod: Pod, container: string): LogRing {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const rings = this.podLogs.get(key) ?? new Map<string, LogRing>();
    this.podLogs.set(key, rings);
    const ring = rings.get(container) ?? new LogRing();
    rings.set(container, ring);
    return ring;
  }

  /** Node status Ready and the node Lease, as a kubelet renews them. */
  private async heartbeat(now: string): Promise<void> {
    if (this.stopped) return;
    await this.api('PATCH', `/api/v1/nodes/${this.name}/status`, {
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'process node is ready', lastHeartbeatTime: now, lastTransitionTime: now }] },
    }, 'application/strategic-merge-patch+json');
    const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: this.name, leaseDurationSeconds: 40, renewTime: now.replace('Z', '000Z') } };
    const path = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    const got = await this.api('GET', `${path}/${this.name}`);
    if (got.status === 404) await this.api('POST', path, lease);
    else await this.api('PUT', `${path}/${this.name}`, { ...lease, metadata: { ...lease.metadata, resourceVersion: (got.body.metadata as { resourceVersion: string }).resourceVersion } });
  }

  /** One sync at a time: starting a pod awaits its volumes, and the poll must not start it twice. */
  private sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.syncing) { this.syncAgain = true; return this.syncing; }
    this.syncing = this.syncOnce()
      .catch((err: unknown) => { process.stderr.write(`process node ${this.name}: sync failed: ${String(err)}\n`); })
      .finally(() => {
        this.syncing = undefined;
        if (this.syncAgain) { this.syncAgain = false; void this.sync(); }
      });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const list = await this.api('GET', `/api/v1/pods?fieldSelector=spec.nodeName%3D${this.name}`).catch(() => undefined);
    // an unanswered list says nothing about which pods are gone
    if (list?.status !== 200) return;
    const seen = new Set<string>();
    for (const pod of (list.body.items as Pod[] | undefined) ?? []) {
      const uid = pod.metadata.uid;
      seen.add(uid);
      if (this.stopped) return;
      if (pod.metadata.deletionTimestamp) {
        if (!this.removals.has(uid)) this.removals.set(uid, this.remove(pod).finally(() => this.removals.delete(uid)));
      } else if (!this.pods.has(uid)) {
        await this.run(pod);
      }
    }
    for (const [uid, entry] of this.pods) {
      if (!seen.has(uid)) { this.pods.delete(uid); this.removals.set(uid, this.terminate(entry).finally(() => this.removals.delete(uid))); }
    }
    for (const uid of this.waiting.keys()) if (!seen.has(uid)) this.waiting.delete(uid);
  }

  /** Lays out the pod's volumes and starts its containers; a pod whose ConfigMap is missing stays Pending until a later sync. */
  private async run(pod: Pod): Promise<void> {
    const { namespace, name, uid } = pod.metadata;
    const dir = await mkdtemp(join(this.root, `${namespace}.${name}-`));
    const volumes = await materializeVolumes(join(dir, 'volumes'), pod.spec.volumes ?? [], (resource, object) => this.read(namespace, resource, object))
      .catch((err: unknown) => ({ ok: false as const, message: err instanceof Error ? err.message : String(err) }));
    if (!volumes.ok || this.stopped) {
      await rm(dir, { recursive: true, force: true });
      if (!volumes.ok) await this.reportWaiting(pod, 'CreateContainerConfigError', volumes.message);
      return;
    }
    this.waiting.delete(uid);
    const entry: PodEntry = { pod, dir, volumeDirs: volumes.value, containers: new Map(), reports: Promise.resolve(), reportQueued: false };
    this.pods.set(uid, entry);
    for (const c of pod.spec.containers) {
      const state: Running = { child: undefined, restarts: 0, startedAt: new Date().toISOString(), done: false };
      entry.containers.set(c.name, state);
      this.spawnContainer(entry, c, state);
    }
    this.report(entry);
  }

  private async read(namespace: string, resource: 'configmaps' | 'secrets', name: string): Promise<Record<string, unknown> | undefined> {
    const r = await this.api('GET', `/api/v1/namespaces/${namespace}/${resource}/${name}`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`reading ${resource}/${name} failed: ${r.status} ${String(r.body.message)}`);
    return r.body;
  }

  private spawnContainer(entry: PodEntry, c: Container, state: Running): void {
    const { pod } = entry;
    const paths = pathMappings(c.volumeMounts ?? [], entry.volumeDirs, this.opts.rootMap);
    const argv = [...(c.command ?? []), ...(c.args ?? [])].map((a) => rewritePaths(a, paths));
    const log = this.log(pod, c.name);
    state.startedAt = new Date().toISOString();
    if (argv.length === 0) { state.done = true; state.exitCode = 128; log.add('process node: the container has no command (an image entrypoint cannot run here)'); return; }
    const child = spawn(argv[0]!, argv.slice(1), {
      env: containerEnv(pod, c, this.name, paths), cwd: c.workingDir === undefined ? undefined : rewritePaths(c.workingDir, paths),
      detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    state.child = child;
    child.stdout!.on('data', log.stream());
    child.stderr!.on('data', log.stream());
    let ended = false;
    const exited = (exit: number) => {
      if (ended) return;
      ended = true;
      // as when a container's PID 1 ends: nothing it started outlives it
      signalGroup(child.pid, 'SIGKILL');
      state.child = undefined;
      if (this.stopped || this.pods.get(pod.metadata.uid) !== entry) return;
      const policy = pod.spec.restartPolicy ?? 'Always';
      if (policy === 'Always' || (policy === 'OnFailure' && exit !== 0)) {
        state.restarts++;
        setTimeout(() => { if (!this.stopped && this.pods.get(pod.metadata.uid) === entry) { this.spawnContainer(entry, c, state); this.report(entry); } }, 200);
      } else {
        state.done = true;
        state.exitCode = exit;
      }
      this.report(entry);
    };
    child.once('error', (err) => {
      log.add(`process node: ${err.message}`);
      if (child.pid === undefined) exited(127); // it never started, so no 'exit' follows
    });
    child.once('exit', (code, signal) => exited(code ?? (signal ? 137 : 1)));
  }

  /**
   * Reports the pod's status after the reports before it: a "Running" sent at start must not land after the
   * "Failed" of a container that exited at once. A queued report reads the state when it is sent, so one is enough.
   */
  private report(entry: PodEntry): void {
    if (entry.reportQueued) return;
    entry.reportQueued = true;
    entry.reports = entry.reports.then(() => { entry.reportQueued = false; return this.sendReport(entry); });
  }

  private async sendReport(entry: PodEntry): Promise<void> {
    const { pod } = entry;
    if (this.stopped || this.pods.get(pod.metadata.uid) !== entry) return;
    const states = [...entry.containers.entries()];
    const allDone = states.every(([, s]) => s.done);
    const phase = allDone ? (states.every(([, s]) => s.exitCode === 0) ? 'Succeeded' : 'Failed') : 'Running';
    const ready = !allDone && states.every(([, s]) => s.child !== undefined);
    const now = new Date().toISOString();
    await this.patchStatus(pod, {
      phase, podIP: '127.0.0.1', podIPs: [{ ip: '127.0.0.1' }], hostIP: '127.0.0.1', startTime: states[0]?.[1].startedAt ?? now,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }, { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now }],
      containerStatuses: states.map(([name, s]) => ({
        name, ready: s.child !== undefined, restartCount: s.restarts, started: s.child !== undefined,
        image: pod.spec.containers.find((c) => c.name === name)?.image ?? '', imageID: '', containerID: `process://${s.child?.pid ?? 0}`,
        state: s.done
          ? { terminated: { exitCode: s.exitCode ?? 0, startedAt: s.startedAt, finishedAt: now, reason: s.exitCode === 0 ? 'Completed' : 'Error' }, running: null, waiting: null }
          : { running: { startedAt: s.startedAt }, terminated: null, waiting: null },
      })),
    });
  }

  /** A pod that cannot start yet: Pending, each container waiting with `reason` (reported once per reason). */
  private async reportWaiting(pod: Pod, reason: string, message: string): Promise<void> {
    const key = `${reason}: ${message}`;
    if (this.waiting.get(pod.metadata.uid) === key) return;
    this.waiting.set(pod.metadata.uid, key);
    for (const c of pod.spec.containers) this.log(pod, c.name).add(`process node: ${key}`);
    const now = new Date().toISOString();
    await this.patchStatus(pod, {
      phase: 'Pending', hostIP: '127.0.0.1',
      conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }, { type: 'ContainersReady', status: 'False', lastTransitionTime: now }],
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name, ready: false, restartCount: 0, started: false, image: c.image ?? '', imageID: '',
        state: { waiting: { reason, message }, running: null, terminated: null },
      })),
    });
  }

  private async patchStatus(pod: Pod, status: Record<string, unknown>): Promise<void> {
    await this.api('PATCH', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, { status },
      'application/strategic-merge-patch+json').catch(() => undefined);
  }

  /** A pod being deleted: stop its processes, then finish the deletion as a kubelet does. */
  private async remove(pod: Pod): Promise<void> {
    const entry = this.pods.get(pod.metadata.uid);
    if (entry) { this.pods.delete(pod.metadata.uid); await this.terminate(entry); }
    await this.api('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}?gracePeriodSeconds=0`,
      { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }).catch(() => undefined);
  }

  /** Stops a pod's containers (already out of `pods`, so none restarts) and removes its host folder. */
  private async terminate(entry: PodEntry): Promise<void> {
    const graceMs = Math.min((entry.pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000, MAX_GRACE_MS);
    await Promise.all([...entry.containers.values()].map((s) => stopProcess(s.child, graceMs)));
    await rm(entry.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watchAbort.abort();
    for (const t of this.timers) clearInterval(t);
    await this.syncing;
    const entries = [...this.pods.values()];
    this.pods.clear();
    await Promise.all([...entries.map((e) => this.terminate(e)), ...this.removals.values()]);
    rmSync(this.root, { recursive: true, force: true });
  }
}
