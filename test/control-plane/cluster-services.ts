// The process node's view of the cluster's Services and EndpointSlices (listed, and listed again whenever a watch says
// something changed): it drives the service proxy and tells the node when pods' hosts files need rewriting.
import { KubeClient } from '../../src/kube/client.js';
import type { KubeResponse } from './kube-request.js';
import { proxyTable, type Backend, type EndpointSlice, type Service } from './service-records.js';
import type { ServiceProxy } from './service-proxy.js';

const POLL_MS = 1000;
const RETRY_MS = 200;

export class ClusterServices {
  services: Service[] = [];
  slices: EndpointSlice[] = [];
  private seen = '';
  private syncing: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly server: string, private readonly token: string,
    private readonly api: (method: string, path: string) => Promise<KubeResponse>,
    private readonly proxy: ServiceProxy, private readonly apiServer: Backend,
    /** Called after a change was applied to the proxy (the node rewrites hosts files). */
    private readonly changed: () => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Resolves once the first lists are applied (so the first pod already finds the `kubernetes` Service). */
  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync(), POLL_MS);
    for (const path of ['/api/v1/services', '/apis/discovery.k8s.io/v1/endpointslices']) void this.watch(path);
  }

  private async watch(path: string): Promise<void> {
    const client = KubeClient.fromToken(this.server, this.token, true);
    while (!this.stopped) {
      try {
        await client.watch(`${path}?watch=1&timeoutSeconds=60`, () => { void this.sync(); }, this.abort.signal);
      } catch {
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  /** One at a time; a call during a sync makes one more afterwards (a change seen mid-list is not lost). */
  sync(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.syncing) { this.again = true; return this.syncing; }
    this.syncing = this.syncOnce()
      .catch((err: unknown) => this.log(`services sync failed: ${String(err)}`))
      .finally(() => { this.syncing = undefined; if (this.again) { this.again = false; void this.sync(); } });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const [services, slices] = await Promise.all([this.api('GET', '/api/v1/services'), this.api('GET', '/apis/discovery.k8s.io/v1/endpointslices')]);
    for (const [what, r] of [['services', services], ['endpointslices', slices]] as const) {
      if (r.status !== 200) throw new Error(`listing ${what}: ${r.status} ${String(r.body.message ?? JSON.stringify(r.body).slice(0, 300))} at ${new Date().toISOString()}`);
    }
    this.services = (services.body.items as Service[] | undefined) ?? [];
    this.slices = (slices.body.items as EndpointSlice[] | undefined) ?? [];
    const table = proxyTable(this.services, this.slices, this.apiServer);
    const state = JSON.stringify([table, this.services.map((s) => [s.metadata, s.spec.clusterIP]), this.slices.map((s) => [s.metadata.namespace, s.metadata.labels, s.endpoints])]);
    if (state === this.seen || this.stopped) return;
    this.seen = state;
    await this.proxy.update(table);
    this.changed();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
    await this.syncing;
    await this.proxy.stop();
  }
}
