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
  /** hash of counters and histogram buckets the agents add to (src/metrics/function-stats.ts); exported by one process */
  stats: string;
  /** list of dead-letter records (JSON: requestId, reason, attempts, deadAt, invocation) of jobs given up */
  dead: string;
  /** zset request id -> when it is due (epoch ms): async retries waiting for their delay; bodies stay in `jobs` */
  delayed: string;
  /** list of outcome records (JSON: invocation, result, notRun) of async runs, for the dispatcher to settle */
  outcomes: string;
  /**
   * list of wake-up markers for any consumer: consumers block on it (BLPOP), then take a job with its lease. Each
   * consumer also blocks on its own list, `${wake}:${consumer id}`, where enqueue wakes the last consumer idle.
   */
  wake: string;
  /** zset consumer id -> since when it is idle (epoch ms): enqueue wakes the one idle last */
  idle: string;
  /** zset consumer id -> until when it waits for a wake-up (epoch ms): past it, the entry is stale */
  idleUntil: string;
}

const BRACES = /[{}]/;
/** Glob characters of Redis ACL key patterns, and whitespace, which would split an ACL rule. */
const GLOB_OR_SPACE = /[*?[\]\\\s]/;

function check(what: string, value: string): void {
  if (value === '') throw new InvalidQueueNameError(`${what} must not be empty`);
  if (BRACES.test(value)) throw new InvalidQueueNameError(`${what} "${value}" must not contain { or }: they delimit the hash tag`);
  if (GLOB_OR_SPACE.test(value)) throw new InvalidQueueNameError(`${what} "${value}" must not contain *, ?, [, ], \\ or spaces: an ACL pattern is built from it`);
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
    stats: `${base}:stats`,
    dead: `${base}:dead`,
    delayed: `${base}:delayed`,
    outcomes: `${base}:outcomes`,
    wake: `${base}:wake`,
    idle: `${base}:idle`,
    idleUntil: `${base}:idle-until`,
  };
}

/** Every key of the queue, for purging. */
export const allKeys = (k: QueueKeys): string[] => [k.pending, k.active, k.jobs, k.leases, k.attempts, k.stalled, k.stats, k.dead, k.delayed, k.outcomes, k.wake, k.idle, k.idleUntil];

/** A consumer's own wake list (see QueueKeys.wake): expires by itself when its consumer is gone. */
export const ownWakeKey = (k: QueueKeys, consumerId: string): string => `${k.wake}:${consumerId}`;

/**
 * The list on which one router waits for the results of its synchronous invocations of one version. It lives under
 * the version's hash tag, so only that version's agents (their ACL user opens only that tag) can write to it, and
 * only the ack script, which writes it only while the job's lease is held.
 */
export function replyListKey(ref: QueueRef, routerId: string, prefix: string = DEFAULT_KEY_PREFIX): string {
  check('key prefix', prefix);
  check('router id', routerId);
  return `${prefix}:${hashTag(ref)}:replies:${routerId}`;
}

/**
 * The Redis Stream that carries one streamed response (RESPONSE_STREAM URLs, InvokeWithResponseStream) from the agent
 * to the router that waits for it, chunk by chunk, before the invocation's end goes on the reply list. Under the
 * version's hash tag like the reply list, written only by the appendStream script while the job's lease is held; it
 * expires by itself (REPLY_TTL_MS) and the router deletes it once read.
 */
export function responseStreamKey(ref: QueueRef, routerId: string, requestId: string, prefix: string = DEFAULT_KEY_PREFIX): string {
  check('key prefix', prefix);
  check('router id', routerId);
  check('request id', requestId);
  return `${prefix}:${hashTag(ref)}:stream:${routerId}:${requestId}`;
}

/** The Redis ACL key pattern that covers every key of one version's queue and its reply lists, and nothing else. */
export function queueKeyPattern(ref: QueueRef, prefix: string = DEFAULT_KEY_PREFIX): string {
  check('key prefix', prefix);
  return `${prefix}:${hashTag(ref)}:*`;
}

/** The Redis ACL user of one version's agents. */
export function agentUserName(ref: QueueRef, prefix: string = DEFAULT_KEY_PREFIX): string {
  check('key prefix', prefix);
  hashTag(ref);
  return `${prefix}-agent:${queueName(ref)}`;
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

/**
 * A message queue (SQS-like; an async destination or dead-letter target `{queue: name}`): a list of message JSON
 * records, oldest first. The events issue's queue API and event source mappings read it.
 */
export function messageQueueKey(namespace: string, name: string, prefix: string = DEFAULT_KEY_PREFIX): string {
  check('key prefix', prefix);
  check('namespace', namespace);
  check('queue name', name);
  return `${prefix}:mq:{${namespace}/${name}}:messages`;
}

/** Pub/sub channel: a message "ns/fn/version" when a router queued work (the scaler starts environments at once). */
export const demandChannel = (prefix: string = DEFAULT_KEY_PREFIX): string => `${prefix}:demand`;
