// An EventBusBackend for a router whose event delivery is not wired in yet: every call answers 501, so the EventBridge
// calls say plainly that rules and events are not served here rather than pretending to keep them.
import { KlambdaError } from '../../core/errors.js';
import type { EventBusBackend } from '../../events/contracts.js';

const notWired = (): Promise<never> =>
  Promise.reject(new KlambdaError(501, 'NotImplemented', 'EventBridge rules and events are not wired into this router yet: only TestEventPattern is served.'));

export const unwiredEventBus: EventBusBackend = {
  busExists: notWired, putEvents: notWired, listRules: notWired, getRule: notWired, putRule: notWired, deleteRule: notWired,
};
