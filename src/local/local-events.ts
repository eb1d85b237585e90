// The local mode's view of the event kinds: the folder's Topics and EventRules as the event APIs write them
// (EventObjects) and as the fan-out reads them (EventCatalog).
import type { ArnContext } from '../core/arn.js';
import type { EventObjects } from '../events/backends.js';
import type { EventCatalog } from '../events/fanout.js';
import { RuleSets, ruleView, topicView } from '../events/views.js';
import { putEventObject, removeEventObject } from './event-writes.js';
import type { ManifestStore } from './manifest-store.js';

export function localEventObjects(store: ManifestStore, namespace: string): EventObjects {
  return {
    namespace,
    topics: async () => store.snapshot().topics(namespace),
    rules: async () => store.snapshot().eventRules(namespace),
    putTopic: (name, make) => putEventObject(store, 'Topic', namespace, name, make),
    removeTopic: (name) => removeEventObject(store, 'Topic', namespace, name),
    putRule: (name, make) => putEventObject(store, 'EventRule', namespace, name, make),
    removeRule: (name) => removeEventObject(store, 'EventRule', namespace, name),
  };
}

/** Read at each delivery: a reload of the folder (or a write through the APIs) is seen by the next event. */
export function localEventCatalog(store: ManifestStore, arn: ArnContext): EventCatalog {
  // a reload of the folder (or a write through the APIs) is a new snapshot: its rules are indexed again
  const rules = new RuleSets({ generation: () => store.snapshot(), rules: () => store.snapshot().eventRules().map(ruleView) });
  return {
    topic: (ns, name) => {
      const t = store.snapshot().topics(ns).find((x) => x.metadata.name === name);
      return t ? topicView(t) : undefined;
    },
    matchingRules: (ns, bus, event) => rules.matching(ns, bus, event),
    rule: (ns, bus, name) => rules.rule(ns, bus, name),
    busExists: (ns, bus) => bus === 'default' || rules.buses(ns).includes(bus),
    arnFor: () => arn,
    bucketNotifications: (ns, bucket) => store.snapshot().bucketNotifications(ns).filter((n) => n.spec.bucket === bucket),
  };
}
