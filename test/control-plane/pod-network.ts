// The process node's pod network, as a bridge CNI plugin lays it out: a host bridge holding the pods' gateway address
// (and the ClusterIPs the service proxy listens on), and per pod a veth pair whose inner end is the pod's eth0 in its
// own network namespace (held by the pod's pause process: when it ends, the kernel removes namespace and veth).
import { execFile } from 'node:child_process';
import type { PodNetworkConfig } from './network-slot.js';

/** Runs `ip` (or another tool) and fails with its stderr. */
export function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** The host's links whose names start with `prefix` followed by b or v (this node's bridge and pod veths). */
export async function linksOf(prefix: string): Promise<string[]> {
  const out = await run('ip', ['-o', 'link', 'show']);
  const names = [...out.matchAll(/^\d+: ([^:@\s]+)/gm)].map((m) => m[1]!);
  return names.filter((n) => new RegExp(`^${prefix}[bv]`).test(n));
}

const PREFIX_LENGTH = 24;

export class PodNetwork {
  readonly bridge: string;
  private readonly used = new Set<number>();
  private next = 2;
  private readonly clusterIPs = new Set<string>();

  constructor(readonly config: PodNetworkConfig) {
    this.bridge = `${config.linkPrefix}b`;
  }

  /** Removes what a crashed run with the same slot left behind, then makes the bridge with the gateway address. */
  async setUp(): Promise<void> {
    for (const link of await linksOf(this.config.linkPrefix)) await run('ip', ['link', 'del', link]).catch(() => undefined);
    await run('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `${this.config.gateway}/${PREFIX_LENGTH}`, 'dev', this.bridge]);
    await run('ip', ['link', 'set', this.bridge, 'up']);
  }

  /** A free pod IP; octets go round, so a just-freed one (whose veth the kernel may still be removing) is not taken at once. */
  allocate(): string {
    for (let tries = 0; tries < 253; tries++) {
      const octet = this.next;
      this.next = this.next >= 254 ? 2 : this.next + 1;
      if (!this.used.has(octet)) {
        this.used.add(octet);
        return this.address(octet);
      }
    }
    throw new Error(`pod network ${this.config.podCIDR} is full`);
  }

  release(ip: string): void {
    this.used.delete(Number(ip.split('.')[3]));
  }

  private address(octet: number): string {
    return this.config.gateway.replace(/\.1$/, `.${octet}`);
  }

  /**
   * Connects the network namespace of process `pid` (the pod's pause) with address `ip`: a veth pair on the bridge,
   * its inner end renamed eth0 with the address and a default route via the gateway; lo up. `inPod` runs a shell
   * script in the pod's namespaces.
   */
  async attach(pid: number, ip: string, inPod: (script: string) => Promise<void>): Promise<void> {
    const octet = ip.split('.')[3]!;
    const host = `${this.config.linkPrefix}v${octet}`;
    const peer = `${this.config.linkPrefix}p${octet}`;
    // a pod with this address before may still be going away
    await run('ip', ['link', 'del', host]).catch(() => undefined);
    await run('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
    await run('ip', ['link', 'set', peer, 'netns', String(pid)]);
    await run('ip', ['link', 'set', host, 'master', this.bridge, 'up']);
    await inPod([
      'ip link set lo up', `ip link set ${peer} name eth0`, `ip addr add ${ip}/${PREFIX_LENGTH} dev eth0`, 'ip link set eth0 up',
      `ip route add default via ${this.config.gateway}`,
    ].join(' && '));
  }

  /** Puts a ClusterIP on the bridge, so host and pods (through their gateway) reach it as a local address. */
  async addClusterIP(ip: string): Promise<void> {
    if (this.clusterIPs.has(ip)) return;
    await run('ip', ['addr', 'add', `${ip}/32`, 'dev', this.bridge]);
    this.clusterIPs.add(ip);
  }

  async removeClusterIP(ip: string): Promise<void> {
    if (!this.clusterIPs.delete(ip)) return;
    await run('ip', ['addr', 'del', `${ip}/32`, 'dev', this.bridge]).catch(() => undefined);
  }

  /** Removes the bridge (and its addresses) and any pod veth still there. */
  async tearDown(): Promise<void> {
    this.clusterIPs.clear();
    for (const link of await linksOf(this.config.linkPrefix)) await run('ip', ['link', 'del', link]).catch(() => undefined);
  }
}
