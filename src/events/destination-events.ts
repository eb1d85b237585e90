// Async destinations that are topics and event buses: the record becomes a topic message or a bus event in the inbox,
// as Lambda sends them (an EventBridge event from source "lambda", detail-type "Lambda Function Invocation Result -
// Success|Failure", the function ARN in resources).
import { DestinationMissing, type DestinationEvents } from '../dispatcher/dispatcher.js';
import type { EventCatalog } from './fanout.js';
import type { EventInbox } from './inbox.js';

export function destinationEvents(inbox: EventInbox, catalog: EventCatalog, now: () => number = Date.now): DestinationEvents {
  return {
    async publish(namespace, topic, m) {
      if (!catalog.topic(namespace, topic)) throw new DestinationMissing(`topic ${topic} does not exist`);
      await inbox.add([{ kind: 'topic', namespace, topic, message: { messageId: m.id, message: m.body, messageAttributes: m.attributes ?? {}, timestamp: now() } }]);
    },
    async putEvent(namespace, bus, e) {
      if (!catalog.busExists(namespace, bus)) throw new DestinationMissing(`event bus ${bus} does not exist`);
      const arn = catalog.arnFor(namespace);
      const t = now();
      await inbox.add([{
        kind: 'bus', namespace, bus, ingestedAt: t,
        event: {
          version: '0', id: e.id, 'detail-type': e.detailType, source: 'lambda', account: arn.accountId,
          time: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'), region: arn.region, resources: [e.functionArn], detail: e.detail,
        },
      }]);
    },
  };
}
