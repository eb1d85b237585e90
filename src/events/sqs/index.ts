// SQS-like queues: the public names for wiring (the store, queues made on first use, the mapping poller, the event).
export { SqsStore, type NewMessage, type QueueId, type QueueStats, type ReceivedMessage, type ReceiveOptions, type SentMessage, type SqsStoreOptions } from './store.js';
export { SqsPoller, type SqsPollerOptions } from './poller.js';
export { sqsRecord, failedItems, type SqsRecord } from './lambda-event.js';
export { queueArn, queueOfArn } from './attributes.js';
export { SqsError } from './errors.js';
export { md5OfMessageAttributes, type MessageAttributeValue } from './md5.js';

import type { QueueId } from './keys.js';
import type { SqsStore } from './store.js';

/** The queue, created with SQS's defaults if nothing made it yet: for a destination, a mapping or a Topic subscription. */
export const ensureQueue = (store: SqsStore, queue: QueueId): Promise<void> => store.ensureQueue(queue);
