// A "process node" for tests on the real control plane: a Ready Node whose pods run as local processes, shaped as a
// kubelet and container runtime would run them: as root, each pod gets its own PID namespace (shareProcessNamespace)
// and each container its uid, capabilities and image (ENTRYPOINT/CMD/ENV from the image catalog); configMap/secret/
// emptyDir volumes are host folders (owned by the one container that mounts them) with the paths rewritten; pod-local
// loopback ports get a port of their own; containers restart; pod status is kept true; logs are kept for diagnostics.
// With `podNetwork` (opt-in), pods get what a CNI plugin, kube-proxy, CoreDNS and a kubelet's volume manager give them
// instead: their own network namespace and IP, Services on ClusterIPs, names in /etc/hosts, service-account tokens,
// PVCs on hostPath PVs, readiness probes (docs/testing.md).
import { expandEnvRefs } from './env-refs.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { chmod, chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/local/redis-server.js';
import { KubeClient } from '../../src/kube/client.js';
import { PodLogs, type LogRing } from './container-logs.js';
import type { ImageCatalog } from './images.js';
import { kubeRequest, type KubeResponse } from './kube-request.js';
import { pathMappings, rewritePaths, type PathMapping } from './path-rewrite.js';
import {
  containerArgv, containerIdentity, podLocalPorts, PodSandbox, rewritePorts, setprivArgs, type Identity,
} from './pod-sandbox.js';
import { materializeVolumes } from './pod-volumes.js';
import { resolvePodEnvSources } from './env-refs.js';
import { containerEnv, signalGroup, stopProcess, type Container, type Pod, type PodNetworkEnv } from './container-process.js';
import { ClusterServices } from './cluster-services.js';
import type { PodNetworkConfig } from './network-slot.js';
import { clusterVolumes } from './pod-cluster-volumes.js';
import { PodNetwork } from './pod-network.js';
import { setUpPodNetwork } from './pod-network-setup.js';
import { probeOnce, startProber } from './readiness-probe.js';
import { ServiceProxy } from './service-proxy.js';
import { hostsFile, resolvConf, serviceEnv } from './service-records.js';
import { ownForFsGroup } from './volume-ownership.js';

interface Running {
  child: ChildProcess | undefined; restarts: number; startedAt: string; exitCode?: number; done: boolean;
  /** Its readiness probe's verdict (pod network mode); undefined: ready once started. */
  ready?: boolean; stopProbe?: () => void;
}
/** A pod that runs here: its host folder (volumes under it), its containers' processes, and its status reports in order. */
interface PodEntry {
  pod: Pod; dir: string; volumeDirs: Map<string, string>; containers: Map<string, Running>; reports: Promise<void>; reportQueued: boolean;
  /** Its PID namespace (as root). */
  sandbox: PodSandbox | undefined;
  /** Pod-local loopback ports → this pod's own. */
  ports: Map<number, number>;
  /** Pod network mode: its IP, and its hosts file (host path) with what was written to it last. */
  ip?: string; hostsFile?: string; hosts?: string;
}

/** How one container is started here: its argv (wrapped to enter the pod as its user), env and folder. */
interface Launch {
  argv: string[]; env: NodeJS.ProcessEnv; cwd: string | undefined; identity: Identity | undefined;
  /** Container paths → host folders, pod ports → this pod's. */
  rewrite: (value: string) => string;
  wrap: (argv: string[]) => string[];
}

export interface ProcessNodeOptions {
  server: string;
  token: string;
  name?: string;
  pollMs?: number;
  /** Image path prefixes → host folders, rewritten like mount paths: {'/opt/klambda': packageRoot()} runs this repository's agent. */
  rootMap?: Record<string, string>;
  /** The images containers may name without a command (and whose paths, ENV and USER apply). */
  images?: ImageCatalog;
  /**
   * Opt-in pod network (needs root): each pod in its own network namespace with an IP from `podCIDR`, Services'
   * ClusterIPs proxied, cluster names in each pod's /etc/hosts, in-cluster service-account credentials, PVCs on
   * hostPath PVs, readiness probes. The control plane must use its `serviceCIDR` (startCluster({ podNetwork: true })).
   */
  podNetwork?: PodNetworkConfig;
}

/** A started node (the caller stops it). */
export async function startProcessNode(opts: ProcessNodeOptions): Promise<ProcessNode> {
  const node = new ProcessNode(opts);
  try {
    await node.start();
  } catch (e) {
    await node.stop();
    throw e;
  }
  return node;
}

/** A test has no time for a pod's full terminationGracePeriodSeconds. */
const MAX_GRACE_MS = 2000;
const DEFAULT_GRACE_SECONDS = 30;
/** A kubelet backs off 10 s, 20 s, … up to 5 min between restarts; tests restart at once. */
const RESTART_DELAY_MS = 200;
const HOOK_TIMEOUT_MS = 60_000;
const REPORT_RETRY_MS = 500;

export class ProcessNode {
  readonly name: string;
  private readonly root = mkdtempSync(join(tmpdir(), 'klambda-process-node-'));
  /** The host folder under which every pod's volumes live (tests look there for what a tenant could reach). */
  get folder(): string { return this.root; }
  private readonly pods = new Map<string, PodEntry>();
  /** uid → the reason last reported for a pod that cannot start yet, so status is patched only on a change. */
  private readonly waiting = new Map<string, string>();
  /** uid → the stopping of a pod's processes (and its deletion), which stop() waits for. */
  private readonly removals = new Map<string, Promise<void>>();
  /** Kept after the pod is gone, for a failing test's message. */
  private readonly podLogs = new PodLogs();
  /** Root can give pods their PID namespace and containers their uid; anyone else runs them as itself. */
  private readonly asRoot = process.getuid?.() === 0;
  private timers: NodeJS.Timeout[] = [];
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private readonly watchAbort = new AbortController();
  private stopped = false;
  private readonly network: PodNetwork | undefined;
  private services: ClusterServices | undefined;
  /** The node's address as pods see it: the pod network's gateway, else loopback. */
  readonly hostIP: string;

  constructor(private readonly opts: ProcessNodeOptions) {
    this.name = opts.name ?? 'process-node';
    this.network = opts.podNetwork && new PodNetwork(opts.podNetwork);
    this.hostIP = opts.podNetwork?.gateway ?? '127.0.0.1';
    if (this.network && !this.asRoot) throw new Error(`process node ${this.name}: the pod network needs root`);
    // every container's user walks through to its own pod's folder, and reads nothing else here
    chmodSync(this.root, 0o711);
    if (!this.asRoot) {
      process.stderr.write(`process node ${this.name}: not root (uid ${process.getuid?.()}): containers run as this user, without a PID namespace per pod; `
        + 'runAsUser, capabilities and volume ownership are not applied\n');
    }
  }

  private api(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse> {
    return kubeRequest(this.opts.server, this.opts.token, method, path, body, contentType);
  }

  async start(): Promise<void> {
    const now = new Date().toISOString();
    const capacity = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    const created = await this.api('POST', '/api/v1/nodes', {
      metadata: { name: this.name, labels: { 'kubernetes.io/hostname': this.name, 'klambda.dev/process-node': 'true' } },
      spec: this.opts.podNetwork ? { podCIDR: this.opts.podNetwork.podCIDR, podCIDRs: [this.opts.podNetwork.podCIDR] } : {},
      status: { capacity, allocatable: capacity, addresses: [{ type: 'InternalIP', address: this.hostIP }, { type: 'Hostname', address: this.name }] },
    });
    if (created.status !== 201 && created.status !== 409) throw new Error(`node create failed: ${created.status} ${JSON.stringify(created.body)}`);
    if (this.network) await this.startNetwork(this.network);
    await this.heartbeat(now);
    this.timers.push(setInterval(() => void this.heartbeat(new Date().toISOString()).catch((err: unknown) => this.warn(`heartbeat: ${String(err)}`)), 10_000));
    this.timers.push(setInterval(() => void this.sync(), this.opts.pollMs ?? 250));
    await this.sync();
    void this.watchPods();
  }

  /** The bridge, then the service proxy on the cluster's Services (the `kubernetes` one goes to this API server). */
  private async startNetwork(network: PodNetwork): Promise<void> {
    await network.setUp();
    const api = new URL(this.opts.server);
    const proxy = new ServiceProxy({ add: (ip) => network.addClusterIP(ip), remove: (ip) => network.removeClusterIP(ip) }, (line) => this.warn(line));
    this.services = new ClusterServices(this.opts.server, this.opts.token, (m, p) => this.api(m, p), proxy,
      { ip: api.hostname, port: Number(api.port || 443) }, () => void this.refreshHosts(), (line) => this.warn(line));
    await this.services.start();
  }

  private warn(line: string): void {
    process.stderr.write(`process node ${this.name}: ${line}\n`);
  }

  /** Rewrites each pod's hosts file whose content changed (in place: the pod's bind mount holds the file's inode). */
  private async refreshHosts(): Promise<void> {
    for (const entry of this.pods.values()) {
      if (!entry.hostsFile || !entry.ip) continue;
      const hosts = this.hostsOf(entry.pod, entry.ip);
      if (hosts === entry.hosts) continue;
      entry.hosts = hosts;
      await writeFile(entry.hostsFile, hosts).catch((err: unknown) => this.warn(`hosts of ${entry.pod.metadata.name}: ${String(err)}`));
    }
  }

  private hostsOf(pod: Pod, ip: string): string {
    const s = this.services!;
    return hostsFile({ namespace: pod.metadata.namespace, ip, hostname: pod.spec.hostname ?? pod.metadata.name, subdomain: pod.spec.subdomain },
      s.services, s.slices, this.opts.podNetwork!.clusterDomain);
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
    return this.podLogs.text(namespace, podName, container);
  }

  private log(pod: Pod, container: string): LogRing {
    return this.podLogs.ring(pod.metadata.namespace, pod.metadata.name, container);
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
    else if (got.status !== 200) throw new Error(`reading the node's lease: ${got.status} ${JSON.stringify(got.body).slice(0, 300)}`);
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
    await chmod(dir, 0o711);
    const ip = this.network?.allocate();
    const cluster = ip === undefined ? undefined : clusterVolumes((m, p, b) => this.api(m, p, b), pod, ip);
    const volumes = await materializeVolumes(join(dir, 'volumes'), pod.spec.volumes ?? [], (resource, object) => this.read(namespace, resource, object), cluster, join(this.root, 'host'))
      // env from Secrets and ConfigMaps, read when the pod starts as a kubelet does (a missing one: CreateContainerConfigError)
      .then(async (v) => (v.ok ? resolvePodEnvSources(pod.spec.containers, (resource, object) => this.read(namespace, resource, object)).then(() => v) : v))
      .catch((err: unknown) => ({ ok: false as const, message: err instanceof Error ? err.message : String(err) }));
    if (!volumes.ok || this.stopped) {
      await rm(dir, { recursive: true, force: true });
      if (ip !== undefined) this.network!.release(ip);
      if (!volumes.ok) await this.reportWaiting(pod, 'CreateContainerConfigError', volumes.message);
      return;
    }
    this.waiting.delete(uid);
    if (this.asRoot && ip !== undefined) await ownForFsGroup(pod, volumes.value, (c) => this.identity(pod, c));
    else if (this.asRoot) await this.ownVolumes(pod, volumes.value);
    const ports = new Map<number, number>();
    // in its own network namespace a pod's loopback is its own
    if (ip === undefined) for (const port of podLocalPorts(pod.spec.containers.map((c) => c.env ?? []))) ports.set(port, await freePort());
    const sandbox = this.asRoot ? await PodSandbox.start({ network: ip !== undefined }) : undefined;
    let hostsFile: string | undefined;
    let hosts: string | undefined;
    if (ip !== undefined) {
      hosts = this.hostsOf(pod, ip);
      const network = { network: this.network!, sandbox: sandbox!, pod, ip, dir, volumeDirs: volumes.value, hosts };
      hostsFile = await setUpPodNetwork({ ...network, resolv: resolvConf(namespace, this.opts.podNetwork!.clusterDomain, this.hostIP) })
        .catch(async (err: unknown) => {
          await sandbox!.stop();
          await rm(dir, { recursive: true, force: true });
          this.network!.release(ip);
          await this.reportWaiting(pod, 'CreatePodSandboxError', err instanceof Error ? err.message : String(err));
          return undefined;
        });
      if (hostsFile === undefined) return;
    }
    const entry: PodEntry = {
      pod, dir, volumeDirs: volumes.value, containers: new Map(), reports: Promise.resolve(), reportQueued: false, sandbox, ports, ip, hostsFile, hosts,
    };
    this.pods.set(uid, entry);
    for (const c of pod.spec.containers) entry.containers.set(c.name, { child: undefined, restarts: 0, startedAt: new Date().toISOString(), done: false });
    void this.startContainers(entry);
  }

  /** In order, each after the one before it has started and its postStart hook has run, as a kubelet starts them. */
  private async startContainers(entry: PodEntry): Promise<void> {
    for (const c of entry.pod.spec.containers) {
      if (this.stopped || this.pods.get(entry.pod.metadata.uid) !== entry) return;
      const state = entry.containers.get(c.name)!;
      this.spawnContainer(entry, c, state);
      this.report(entry);
      const hook = c.lifecycle?.postStart?.exec?.command;
      if (hook && state.child) await this.runHook(entry, c, hook);
    }
  }

  private identity(pod: Pod, c: Container): Identity | undefined {
    return containerIdentity(c.securityContext, pod.spec.securityContext, this.opts.images?.(c.image ?? '')?.user);
  }

  /**
   * A volume mounted by one container only is that container's user's, and nobody else's (no mount namespaces here);
   * an emptyDir several mount is root's with mode 0777, as a kubelet makes it; another volume several mount and only
   * one writes (the others read-only) is the writer's, readable by the rest.
   */
  private async ownVolumes(pod: Pod, dirs: ReadonlyMap<string, string>): Promise<void> {
    for (const [volume, dir] of dirs) {
      const users = pod.spec.containers.filter((c) => (c.volumeMounts ?? []).some((m) => m.name === volume));
      // an emptyDir several containers share is a kubelet's: root's, mode 0777
      if (users.length > 1 && pod.spec.volumes?.find((v) => v.name === volume)?.emptyDir) { await chmod(dir, 0o777); continue; }
      const writers = users.filter((c) => (c.volumeMounts ?? []).some((m) => m.name === volume && m.readOnly !== true));
      const owner = users.length === 1 ? users[0]! : writers.length === 1 ? writers[0]! : undefined;
      if (!owner) continue;
      const id = containerIdentity(owner.securityContext, pod.spec.securityContext, this.opts.images?.(owner.image ?? '')?.user);
      if (!id) continue;
      for (const entry of await readdir(dir, { recursive: true })) await chown(join(dir, entry), id.uid, id.gid);
      await chown(dir, id.uid, id.gid);
      await chmod(dir, users.length === 1 ? 0o700 : 0o755);
    }
  }

  private async read(namespace: string, resource: 'configmaps' | 'secrets', name: string): Promise<Record<string, unknown> | undefined> {
    const r = await this.api('GET', `/api/v1/namespaces/${namespace}/${resource}/${name}`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`reading ${resource}/${name} failed: ${r.status} ${String(r.body.message)}`);
    return r.body;
  }

  /** Everything a container's process needs: argv from command/args or its image, env, folder, user; paths and pod ports rewritten. */
  private launch(entry: PodEntry, c: Container): Launch {
    const image = c.image === undefined ? undefined : this.opts.images?.(c.image);
    const paths: PathMapping[] = pathMappings(c.volumeMounts ?? [], entry.volumeDirs, { ...this.opts.rootMap, ...image?.paths });
    const rewrite = (v: string) => rewritePorts(rewritePaths(v, paths), entry.ports);
    const identity = this.asRoot ? containerIdentity(c.securityContext, entry.pod.spec.securityContext, image?.user) : undefined;
    const workingDir = c.workingDir ?? image?.workingDir;
    const cwd = workingDir === undefined ? undefined : rewrite(workingDir);
    const { sandbox, pod, ip } = entry;
    // a kubelet adds the pod's fsGroup and supplementalGroups to every container's groups (pod network mode here)
    const groups = ip === undefined ? [] : [pod.spec.securityContext?.fsGroup, ...(pod.spec.securityContext?.supplementalGroups ?? [])].filter((g): g is number => g !== undefined);
    const setpriv = setprivArgs(identity, c.securityContext, groups);
    const network: PodNetworkEnv | undefined = ip === undefined ? undefined
      : { podIP: ip, hostIP: this.hostIP, serviceEnv: serviceEnv(this.services!.services, pod.metadata.namespace, pod.spec.enableServiceLinks !== false) };
    const env = containerEnv(entry.pod, c, this.name, image, rewrite, identity === undefined, network);
    // $(VAR) in the container's own command and args, from its env, as a kubelet expands them (not in the image's)
    const expand = (list: string[] | undefined) => list?.map((a) => expandEnvRefs(a, env));
    const own = { ...c, ...(c.command ? { command: expand(c.command) } : {}), ...(c.args ? { args: expand(c.args) } : {}) };
    return {
      argv: containerArgv(own, image).map(rewrite),
      env,
      cwd, identity, rewrite,
      wrap: (argv) => (sandbox ? sandbox.enter(argv, cwd ?? process.cwd(), setpriv) : argv),
    };
  }

  private spawnContainer(entry: PodEntry, c: Container, state: Running): void {
    const { pod } = entry;
    const { argv, env, cwd, wrap } = this.launch(entry, c);
    const log = this.log(pod, c.name);
    state.startedAt = new Date().toISOString();
    if (argv.length === 0) { state.done = true; state.exitCode = 128; log.add('process node: the container has no command and its image is not in the catalog'); return; }
    const full = wrap(argv);
    const child = spawn(full[0]!, full.slice(1), { env, cwd: entry.sandbox ? undefined : cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    state.child = child;
    child.stdout!.on('data', log.stream());
    child.stderr!.on('data', log.stream());
    this.probe(entry, c, state);
    let ended = false;
    const exited = (exit: number) => {
      if (ended) return;
      ended = true;
      state.stopProbe?.();
      // as when a container's PID 1 ends: nothing it started outlives it
      signalGroup(child.pid, 'SIGKILL');
      state.child = undefined;
      if (this.stopped || this.pods.get(pod.metadata.uid) !== entry) return;
      const policy = pod.spec.restartPolicy ?? 'Always';
      if (policy === 'Always' || (policy === 'OnFailure' && exit !== 0)) {
        state.restarts++;
        log.add(`process node: container exited (${exit}); restarting it (${state.restarts})`);
        setTimeout(() => { if (!this.stopped && this.pods.get(pod.metadata.uid) === entry) { this.spawnContainer(entry, c, state); this.report(entry); } }, RESTART_DELAY_MS);
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

  /** Pod network mode: a container with a readiness probe is ready only while it passes (from the host, or exec'd in the pod). */
  private probe(entry: PodEntry, c: Container, state: Running): void {
    if (entry.ip === undefined || !c.readinessProbe) return;
    state.ready = false;
    const exec = (argv: string[], timeoutMs: number) => this.execIn(entry, c, argv, timeoutMs);
    state.stopProbe = startProber(c.readinessProbe, () => probeOnce(c.readinessProbe!, entry.ip!, c.ports ?? [], exec), (ready) => {
      state.ready = ready;
      this.report(entry);
    });
  }

  /** Runs a command in a container (its user, env, folder, namespaces) and gives its exit code (null: killed or not run). */
  private execIn(entry: PodEntry, c: Container, command: string[], timeoutMs: number, log?: LogRing): Promise<number | null> {
    const { env, wrap, rewrite } = this.launch(entry, c);
    const full = wrap(command.map(rewrite));
    return new Promise<number | null>((resolve) => {
      const child = spawn(full[0]!, full.slice(1), { env, stdio: ['ignore', 'ignore', log ? 'pipe' : 'ignore'] });
      if (log) child.stderr!.on('data', log.stream());
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', () => { clearTimeout(timer); resolve(null); });
      child.once('exit', (exit) => { clearTimeout(timer); resolve(exit); });
    });
  }

  /** A postStart exec hook: run in the container (its user, env, folder), waited for before the next container starts. */
  private async runHook(entry: PodEntry, c: Container, command: string[]): Promise<void> {
    const log = this.log(entry.pod, c.name);
    const code = await this.execIn(entry, c, command, HOOK_TIMEOUT_MS, log);
    if (code !== 0) log.add(`process node: postStart hook failed (${code})`);
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
    const isReady = (s: Running) => s.child !== undefined && s.ready !== false;
    const ready = !allDone && states.every(([, s]) => isReady(s));
    const now = new Date().toISOString();
    const podIP = entry.ip ?? '127.0.0.1';
    const sent = await this.patchStatus(pod, {
      phase, podIP, podIPs: [{ ip: podIP }], hostIP: this.hostIP, hostIPs: [{ ip: this.hostIP }], startTime: states[0]?.[1].startedAt ?? now,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }, { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now }],
      containerStatuses: states.map(([name, s]) => ({
        name, ready: isReady(s), restartCount: s.restarts, started: s.child !== undefined,
        image: pod.spec.containers.find((c) => c.name === name)?.image ?? '', imageID: '', containerID: `process://${s.child?.pid ?? 0}`,
        state: s.done
          ? { terminated: { exitCode: s.exitCode ?? 0, startedAt: s.startedAt, finishedAt: now, reason: s.exitCode === 0 ? 'Completed' : 'Error' }, running: null, waiting: null }
          : { running: { startedAt: s.startedAt }, terminated: null, waiting: null },
      })),
    });
    if (!sent && !this.stopped) setTimeout(() => this.report(entry), REPORT_RETRY_MS);
  }

  /** A pod that cannot start yet: Pending, each container waiting with `reason` (reported once per reason). */
  private async reportWaiting(pod: Pod, reason: string, message: string): Promise<void> {
    const key = `${reason}: ${message}`;
    if (this.waiting.get(pod.metadata.uid) === key) return;
    this.waiting.set(pod.metadata.uid, key);
    for (const c of pod.spec.containers) this.log(pod, c.name).add(`process node: ${key}`);
    const now = new Date().toISOString();
    await this.patchStatus(pod, {
      phase: 'Pending', hostIP: this.hostIP,
      conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }, { type: 'ContainersReady', status: 'False', lastTransitionTime: now }],
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name, ready: false, restartCount: 0, started: false, image: c.image ?? '', imageID: '',
        state: { waiting: { reason, message }, running: null, terminated: null },
      })),
    });
  }

  /** Whether the API server took it (a busy one may not: the caller sends it again). */
  private async patchStatus(pod: Pod, status: Record<string, unknown>): Promise<boolean> {
    const r = await this.api('PATCH', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, { status },
      'application/strategic-merge-patch+json').catch(() => undefined);
    return r !== undefined && r.status >= 200 && r.status < 300;
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
    for (const s of entry.containers.values()) s.stopProbe?.();
    await Promise.all([...entry.containers.values()].map((s) => stopProcess(s.child, graceMs)));
    // its network namespace, and with it the pod's veth, goes with its pause
    await entry.sandbox?.stop();
    if (entry.ip !== undefined) this.network?.release(entry.ip);
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
    await this.services?.stop();
    await this.network?.tearDown();
    rmSync(this.root, { recursive: true, force: true });
  }
}
