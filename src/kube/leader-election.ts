// Leader election on a coordination.k8s.io Lease, so that of several controller replicas exactly one reconciles.
import type { Logger } from '../core/logger.js';
import { isConflict, isNotFound, type KubeClient } from './client.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease { metadata: { name: string; namespace: string; resourceVersion?: string }; spec: LeaseSpec }

/** Whether `identity` may take (or keep) the lease at `nowMs` (pure). */
export function canHold(spec: LeaseSpec | undefined, identity: string, nowMs: number): boolean {
  if (!spec?.holderIdentity) return true;
  if (spec.holderIdentity === identity) return true;
  const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
  return renewed + (spec.leaseDurationSeconds ?? 15) * 1000 < nowMs;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace('Z', '000Z');

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  retryMs: number;
  logger: Logger;
  onStartedLeading(): void;
  /** Leadership was lost (renewal failed past the lease duration): the caller should stop reconciling. */
  onStoppedLeading(): void;
  now?: () => number;
}

export class LeaderElector {
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private lastRenewed = 0;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: LeaderElectionOptions) {}

  get isLeader(): boolean { return this.leading; }

  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.attempt().finally(() => {
        if (!this.stopped) { this.timer = setTimeout(tick, this.opts.retryMs); this.timer.unref(); }
      });
    };
    tick();
  }

  /** Stops trying; a leader gives the lease up so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (!this.leading) return;
    this.leading = false;
    const lease = await this.opts.client.find<Lease>(this.path()).catch(() => undefined);
    if (lease?.spec.holderIdentity === this.opts.identity) {
      await this.opts.client.replace(this.path(), { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } }).catch(() => undefined);
    }
  }

  private path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.opts.namespace}/leases/${this.opts.name}`;
  }

  private now(): number { return (this.opts.now ?? Date.now)(); }

  private async attempt(): Promise<void> {
    const { client, identity, leaseDurationSeconds } = this.opts;
    const now = this.now();
    let held = false;
    let takenByOther = false;
    try {
      const lease = await client.find<Lease>(this.path());
      if (!lease) {
        await client.create(`/apis/coordination.k8s.io/v1/namespaces/${this.opts.namespace}/leases`, {
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.opts.name, namespace: this.opts.namespace },
          spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
        });
        held = true;
      } else if (canHold(lease.spec, identity, now)) {
        const taking = lease.spec.holderIdentity !== identity;
        await client.replace(this.path(), {
          ...lease,
          spec: {
            ...lease.spec, holderIdentity: identity, leaseDurationSeconds, renewTime: microTime(now),
            ...(taking ? { acquireTime: microTime(now), leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1 } : {}),
          },
        });
        held = true;
      } else {
        takenByOther = true;
      }
    } catch (e) {
      // a conflict means another replica wrote first: it leads
      if (!isConflict(e) && !isNotFound(e)) this.opts.logger.warn({ msg: 'leader election: lease not renewed', error: String(e) });
    }
    if (held) {
      this.lastRenewed = now;
      if (!this.leading) {
        this.leading = true;
        this.opts.logger.info({ msg: 'leader election: leading', identity, lease: `${this.opts.namespace}/${this.opts.name}` });
        this.opts.onStartedLeading();
      }
    } else if (this.leading && (takenByOther || now - this.lastRenewed > leaseDurationSeconds * 1000)) {
      this.leading = false;
      this.opts.logger.error({ msg: 'leader election: lost the lease', identity });
      this.opts.onStoppedLeading();
    }
  }
}
