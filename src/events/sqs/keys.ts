// The Redis keys of SQS-like queues: every key of one queue under the hash tag `{ns/name}`, so one queue lives in one
// Redis Cluster slot and its Lua scripts may touch all of them.
import { DEFAULT_KEY_PREFIX } from '../../queue/keys.js';
import { InvalidQueueNameError } from '../../queue/errors.js';

/** A queue: the namespace (an account) and the queue's name. */
export interface QueueId {
  namespace: string;
  name: string;
}

/** The keys of one queue, in the order every message script takes them (KEYS[1..10]). */
export interface SqsQueueKeys {
  /** hash: the queue's attributes, CreatedTimestamp, LastModifiedTimestamp, and the parsed redrive policy */
  meta: string;
  /** zset message id -> sent time (ms): receivable now, oldest first */
  visible: string;
  /** zset message id -> visibility deadline (ms): received, not yet deleted */
  inflight: string;
  /** zset message id -> when it becomes visible (ms): sent with a delay */
  delayed: string;
  /** hash message id -> the message as sent (JSON, see store.ts StoredMessage) */
  bodies: string;
  /** hash message id -> how many times it was received */
  receives: string;
  /** hash message id -> first receive time (ms) */
  first: string;
  /** hash message id -> the token of its latest receipt handle (an older handle deletes nothing) */
  handles: string;
  /** zset message id -> sent time (ms), for retention; every stored message is here */
  sent: string;
  /** list of message ids over maxReceiveCount, waiting to be moved to the dead-letter queue (another slot) */
  redrive: string;
}

const BRACES = /[{}]/;
const GLOB_OR_SPACE = /[*?[\]\\\s]/;

function check(what: string, value: string): void {
  if (value === '') throw new InvalidQueueNameError(`${what} must not be empty`);
  if (BRACES.test(value) || GLOB_OR_SPACE.test(value)) throw new InvalidQueueNameError(`${what} "${value}" must not contain braces, glob characters or spaces`);
}

export const queueLabel = (q: QueueId): string => `${q.namespace}/${q.name}`;

export function sqsQueueKeys(q: QueueId, prefix: string = DEFAULT_KEY_PREFIX): SqsQueueKeys {
  check('key prefix', prefix);
  check('namespace', q.namespace);
  check('queue name', q.name);
  // the same `mq:{ns/name}` tag the first destinations list used (src/queue/keys.ts messageQueueKey)
  const base = `${prefix}:mq:{${queueLabel(q)}}`;
  return {
    meta: `${base}:meta`,
    visible: `${base}:visible`,
    inflight: `${base}:inflight`,
    delayed: `${base}:delayed`,
    bodies: `${base}:bodies`,
    receives: `${base}:receives`,
    first: `${base}:first`,
    handles: `${base}:handles`,
    sent: `${base}:sent`,
    redrive: `${base}:redrive`,
  };
}

/** KEYS[1..10] of every message script. */
export const scriptKeys = (k: SqsQueueKeys): string[] =>
  [k.meta, k.visible, k.inflight, k.delayed, k.bodies, k.receives, k.first, k.handles, k.sent, k.redrive];

/** A sorted set of the queue names of one namespace (ListQueues); its own slot, written beside the queue's meta. */
export function queueIndexKey(namespace: string, prefix: string = DEFAULT_KEY_PREFIX): string {
  check('key prefix', prefix);
  check('namespace', namespace);
  return `${prefix}:mq-index:{${namespace}}`;
}
