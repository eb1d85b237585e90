// A "process node" for tests on the real control plane: a Ready Node whose pods' containers run as local child
// processes (command, args, env), with pod status kept true: Running / Succeeded / Failed, PodIP 127.0.0.1, restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { kubeRequest, type KubeResponse } from './kube-request.js';

interface Container { name: string; image?: string; command?: string[]; args?: string[]; env?: Array<{ name: string; value?: string }> }
interface Pod {
  metadata: { name: string; namespace: string; uid: string; deletionTimestamp?: string };
  spec: { nodeName?: string; restartPolicy?: string; containers: Container[] };
}
interface Running { child: ChildProcess | undefined; restarts: number; startedAt: string; exitCode?: number; done: boolean }

export interface ProcessNodeOptions { server: string; token: string; name?: string; pollMs?: number }

export class ProcessNode {
  readonly name: string;
  private readonly pods = new Map<string, { pod: Pod; containers: Map<string, Running> }>();
  private timers: NodeJS.Timeout[] = [];
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

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const list = await this.api('GET', `/api/v1/pods?fieldSelector=spec.nodeName%3D${this.name}`).catch(() => undefined);
    const items = (list?.body.items as Pod[] | undefined) ?? [];
    const seen = new Set<string>();
    for (const pod of items) {
      seen.add(pod.metadata.uid);
      if (pod.metadata.deletionTimestamp) { await this.remove(pod); continue; }
      if (!this.pods.has(pod.metadata.uid)) this.run(pod);
    }
    for (const [uid, entry] of this.pods) if (!seen.has(uid)) { this.kill(entry.containers); this.pods.delete(uid); }
  }

  private run(pod: Pod): void {
    const containers = new Map<string, Running>();
    this.pods.set(pod.metadata.uid, { pod, containers });
    for (const c of pod.spec.containers) {
      const state: Running = { child: undefined, restarts: 0, startedAt: new Date().toISOString(), done: false };
      containers.set(c.name, state);
      this.spawnContainer(pod, c, state);
    }
    void this.report(pod);
  }

  private spawnContainer(pod: Pod, c: Container, state: Running): void {
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    for (const e of c.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
    state.startedAt = new Date().toISOString();
    if (argv.length === 0) { state.done = true; state.exitCode = 128; return; }
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: 'ignore' });
    state.child = child;
    child.once('error', () => undefined);
    child.once('exit', (code, signal) => {
      state.child = undefined;
      if (this.stopped || !this.pods.has(pod.metadata.uid)) return;
      const exit = code ?? (signal ? 137 : 1);
      const policy = pod.spec.restartPolicy ?? 'Always';
      if (policy === 'Always' || (policy === 'OnFailure' && exit !== 0)) {
        state.restarts++;
        setTimeout(() => { if (!this.stopped && this.pods.has(pod.metadata.uid)) { this.spawnContainer(pod, c, state); void this.report(pod); } }, 200);
      } else {
        state.done = true;
        state.exitCode = exit;
      }
      void this.report(pod);
    });
  }

  private async report(pod: Pod): Promise<void> {
    const entry = this.pods.get(pod.metadata.uid);
    if (!entry || this.stopped) return;
    const states = [...entry.containers.entries()];
    const allDone = states.every(([, s]) => s.done);
    const phase = allDone ? (states.every(([, s]) => s.exitCode === 0) ? 'Succeeded' : 'Failed') : 'Running';
    const ready = !allDone && states.every(([, s]) => s.child !== undefined);
    const now = new Date().toISOString();
    await this.api('PATCH', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, {
      status: {
        phase, podIP: '127.0.0.1', podIPs: [{ ip: '127.0.0.1' }], hostIP: '127.0.0.1', startTime: states[0]?.[1].startedAt ?? now,
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }, { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now }],
        containerStatuses: states.map(([name, s]) => ({
          name, ready: s.child !== undefined, restartCount: s.restarts, started: s.child !== undefined,
          image: pod.spec.containers.find((c) => c.name === name)?.image ?? '', imageID: '', containerID: `process://${s.child?.pid ?? 0}`,
          state: s.done ? { terminated: { exitCode: s.exitCode ?? 0, startedAt: s.startedAt, finishedAt: now, reason: s.exitCode === 0 ? 'Completed' : 'Error' } } : { running: { startedAt: s.startedAt } },
        })),
      },
    }, 'application/strategic-merge-patch+json').catch(() => undefined);
  }

  /** A pod being deleted: stop its processes, then finish the deletion as a kubelet does. */
  private async remove(pod: Pod): Promise<void> {
    const entry = this.pods.get(pod.metadata.uid);
    if (entry) { this.pods.delete(pod.metadata.uid); this.kill(entry.containers); }
    await this.api('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}?gracePeriodSeconds=0`,
      { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } }).catch(() => undefined);
  }

  private kill(containers: Map<string, Running>): void {
    for (const s of containers.values()) s.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const { containers } of this.pods.values()) this.kill(containers);
    this.pods.clear();
  }
}
