// The fan-out's EventCatalog on a cluster: the Topic and EventRule objects the controller's informers hold, read at
// each delivery (rules indexed again only when one of them changed).
import type { EventRule } from '../api/event-rule.js';
import type { Topic } from '../api/topic.js';
import type { BucketNotification } from '../api/bucket-notification.js';
import { checkStored } from '../controller/kinds.js';
import type { ArnContext } from '../core/arn.js';
import type { EventCatalog } from './fanout.js';
import { RuleSets, ruleView, topicView } from './views.js';

interface Cached { get(key: string): unknown; list(): unknown[] }

/** `notifications`: the BucketNotification objects' cache, where the controller has an informer on them (object events). */
export function informerEventCatalog(topics: Cached, rules: Cached & { readonly changes: number }, arnFor: (namespace: string) => ArnContext, notifications?: Cached): EventCatalog {
  // the rules are listed and indexed again only when the informer's cache has changed since
  const sets = new RuleSets({
    generation: () => rules.changes,
    rules: () => (rules.list() as EventRule[]).filter((r) => r.spec !== undefined).map(ruleView),
  });
  return {
    topic: (ns, name) => {
      const t = topics.get(`${ns}/${name}`) as Topic | undefined;
      return t?.spec ? topicView(t) : undefined;
    },
    matchingRules: (ns, bus, event) => sets.matching(ns, bus, event),
    rule: (ns, bus, name) => sets.rule(ns, bus, name),
    busExists: (ns, bus) => bus === 'default' || sets.buses(ns).includes(bus),
    arnFor,
    ...(notifications ? {
      bucketNotifications: (ns: string, bucket: string) => (notifications.list() as BucketNotification[])
        .filter((n) => n.metadata.namespace === ns && n.spec?.bucket === bucket)
        // the controller's own check with defaults filled (a stored object that fails it delivers nothing)
        .flatMap((n) => { const c = checkStored<BucketNotification['spec']>(n as never); return c.ok ? [{ ...n, spec: c.spec }] : []; }),
    } : {}),
  };
}
