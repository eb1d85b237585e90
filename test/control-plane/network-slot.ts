// A host-wide slot for one test cluster's pod network: jest workers run control planes side by side in the host's one
// network namespace, so each cluster takes a number N of its own and with it its pod CIDR 10.244.N.0/24, its service
// CIDR 10.0.N.0/24 (the API server's --service-cluster-ip-range) and its link names `kl<N>…`.
import { createServer, type Server } from 'node:net';

/** What a cluster's pod network is made of (pure data: the control plane and the process node both read it). */
export interface PodNetworkConfig {
  slot: number;
  /** Pods take 10.244.N.2…254; the node's bridge is 10.244.N.1, the pods' gateway. */
  podCIDR: string;
  gateway: string;
  /** The API server allocates ClusterIPs here; the `kubernetes` Service is 10.0.N.1. */
  serviceCIDR: string;
  /** Every link the node makes starts with it (the bridge `kl<N>b`, pod veths `kl<N>v<octet>`), so leftovers are found. */
  linkPrefix: string;
  clusterDomain: string;
}

export interface PodNetworkReservation extends PodNetworkConfig {
  /** Gives the slot back (the node has removed its links by then). */
  release(): Promise<void>;
}

/** Slot 0 is left to control planes without a pod network (10.0.0.0/24, never put on a host link). */
const FIRST = 1;
const LAST = 254;

/** The config of slot `n` (pure). */
export function podNetworkConfig(slot: number): PodNetworkConfig {
  return {
    slot, podCIDR: `10.244.${slot}.0/24`, gateway: `10.244.${slot}.1`, serviceCIDR: `10.0.${slot}.0/24`,
    linkPrefix: `kl${slot}`, clusterDomain: 'cluster.local',
  };
}

/** Binds an abstract unix socket: atomic across processes, and the kernel frees it when its process dies (no stale locks). */
function lock(slot: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(undefined) : reject(e)));
    server.listen(`\0klambda-pod-network-${slot}`, () => { server.unref(); resolve(server); });
  });
}

/** Takes the first free slot on this host. */
export async function reservePodNetwork(): Promise<PodNetworkReservation> {
  for (let slot = FIRST; slot <= LAST; slot++) {
    const held = await lock(slot);
    if (!held) continue;
    return { ...podNetworkConfig(slot), release: () => new Promise((resolve) => { held.close(() => resolve()); }) };
  }
  throw new Error(`no free pod network slot on this host (${LAST - FIRST + 1} taken)`);
}
