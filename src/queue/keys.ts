// The only place Redis key names are built. All keys of one queue share a hash tag, so its scripts run on Redis Cluster.
import type { QueueRef } from '../core/queue-contract.js';
import { InvalidQueueNameError } from './errors.js';

export const DEFAULT_KEY_PREFIX = 'klambda';

/** The keys of one work queue (one per function version). Lists and sets hold request ids; `jobs` holds the bodies. */
export interface QueueKeys {
  /** list of request ids waiting, oldest on the left */
  pending: string;
  /** list of request ids taken by consumers */
  active: string;
  /** hash request id -> invocation JSON, for every queued or active job */
  jobs: string;
  /** zset request id -> lease deadline (epoch ms) */
  leases: string;
  /** hash request id -> number of deliveries so far */
  attempts: string;
  /** zset request id -> when the reaper first saw it active without a lease (epoch ms) */
  stalled: string;
}

const BRACES = /[{}]/;

function check(what: string, value: string): void {
  if (value === '') throw new InvalidQueueNameError(`${what} must not be empty`);
  if (BRACES.test(value)) throw new InvalidQueueNameError(`${what} "${value}" must not contain { or }: they delimit the hash tag`);
}

/** "ns/fn/version": how logs and metrics name a queue. */
export const queueName = (ref: QueueRef): string => `${ref.namespace}/${ref.functionName}/${ref.version}`;

/** The `{ns/fn/version}` hash tag every key of the queue carries. */
export function hashTag(ref: QueueRef): string {
  check('namespace', ref.namespace);
  check('function name', ref.functionName);
  check('version', ref.version);
  return `{${queueName(ref)}}`;
}

export function queueKeys(ref: QueueRef, prefix: string = DEFAULT_KEY_PREFIX): QueueKeys {
  check('key prefix', prefix);
  const base = `${prefix}:${hashTag(ref)}`;
  return {
    pending: `${base}:pending`,
    active: `${base}:active`,
    jobs: `${base}:jobs`,
    leases: `${base}:leases`,
    attempts: `${base}:attempts`,
    stalled: `${base}:stalled`,
  };
}

/** Every key of the queue, for purging. */
export const allKeys = (k: QueueKeys): string[] => [k.pending, k.active, k.jobs, k.leases, k.attempts, k.stalled];

/** A pub/sub channel on which a router waits for the results of its synchronous invocations. */
export function replyChannel(routerId: string, prefix: string = DEFAULT_KEY_PREFIX): string {
  check('key prefix', prefix);
  return `${prefix}:replies:${routerId}`;
}

/** The routing table of one function (hash: "fn" -> its $LATEST route, "v:N" -> a version, "a:NAME" -> an alias). */
export function routeKey(namespace: string, functionName: string, prefix: string = DEFAULT_KEY_PREFIX): string {
  check('key prefix', prefix);
  check('namespace', namespace);
  check('function name', functionName);
  return `${prefix}:route:{${namespace}/${functionName}}`;
}

/** Set of "ns/fn" that have a routing table. */
export const routeIndexKey = (prefix: string = DEFAULT_KEY_PREFIX): string => `${prefix}:routes`;

/** Pub/sub channel: a message "ns/fn" each time that function's routing table changes. */
export const routeChannel = (prefix: string = DEFAULT_KEY_PREFIX): string => `${prefix}:routes:changed`;

/** Pub/sub channel: a message "ns/fn/version" when a router queued work (the scaler starts environments at once). */
export const demandChannel = (prefix: string = DEFAULT_KEY_PREFIX): string => `${prefix}:demand`;
