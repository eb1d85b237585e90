// Kubernetes Events for notable changes of our objects (kubectl describe shows them); never fails the caller.
import type { Logger } from '../core/logger.js';
import type { KubeClient } from './client.js';
import type { KubeObject } from './objects.js';

export type EventType = 'Normal' | 'Warning';

export class EventRecorder {
  constructor(private readonly client: KubeClient, private readonly component: string, private readonly instance: string, private readonly logger: Logger) {}

  async record(obj: KubeObject & { apiVersion: string; kind: string }, type: EventType, reason: string, message: string): Promise<void> {
    const ns = obj.metadata.namespace ?? 'default';
    const now = new Date().toISOString();
    try {
      await this.client.create(`/api/v1/namespaces/${ns}/events`, {
        apiVersion: 'v1', kind: 'Event',
        metadata: { generateName: `${obj.metadata.name}.`, namespace: ns },
        involvedObject: {
          apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: ns,
          uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
        },
        type, reason, message: message.slice(0, 1024),
        source: { component: this.component },
        reportingComponent: this.component, reportingInstance: this.instance,
        firstTimestamp: now, lastTimestamp: now, count: 1,
      });
    } catch (e) {
      this.logger.warn({ msg: 'event not recorded', object: `${obj.kind}/${ns}/${obj.metadata.name}`, reason, error: String(e) });
    }
  }
}
