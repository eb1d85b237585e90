// Queue attributes as SQS defines them (pure): names, defaults, ranges, the redrive policy, and the refusal of FIFO.
import type { ArnContext } from '../../core/arn.js';
import { invalidAttributeName, invalidAttributeValue, invalidParameterValue, invalidValue, unsupportedOperation } from './errors.js';

/** The attributes a standard queue takes on CreateQueue/SetQueueAttributes, with SQS's ranges (integers). */
const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

/**
 * Defaults of a new queue. MaximumMessageSize: 256 KiB, the long-standing default (SQS raised its own to 1 MiB in
 * 2025); the router reads at most 1 MiB of JSON per request, so a larger setting is accepted but cannot be filled.
 */
export const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

/** Stored and shown as given; klambda does not enforce queue policies or encryption. */
const FREE_FORM = new Set(['Policy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'SqsManagedSseEnabled']);
const SETTABLE = new Set([...Object.keys(RANGES), ...FREE_FORM, 'RedrivePolicy']);

/** Attributes GetQueueAttributes computes. */
export const COMPUTED = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn'] as const;
/** Every name GetQueueAttributes answers to, in the order `All` lists them. */
export const READABLE = new Set<string>([...SETTABLE, ...COMPUTED]);

/** A redrive policy as a queue keeps it: the dead-letter queue's name (same account) and the receive limit. */
export interface RedrivePolicy {
  deadLetterQueue: string;
  maxReceiveCount: number;
}

const SQS_ARN = /^arn:aws[a-zA-Z-]*:sqs:([a-z0-9-]+):(\d{12}):([a-zA-Z0-9_-]{1,80})$/;

/** The queue an SQS ARN names in this region and account; undefined for another account's, region's or a non-SQS ARN. */
export function queueOfArn(arn: string, ctx: ArnContext): string | undefined {
  const m = SQS_ARN.exec(arn);
  if (!m || m[1] !== ctx.region || m[2] !== ctx.accountId) return undefined;
  return m[3];
}

export const queueArn = (ctx: ArnContext, name: string): string => `arn:aws:sqs:${ctx.region}:${ctx.accountId}:${name}`;

/** A JSON text of the policy, its members as SQS reads them (maxReceiveCount a number or a numeric string). */
export function parseRedrivePolicy(text: string, ctx: ArnContext): RedrivePolicy {
  const bad = (reason: string) => invalidValue('RedrivePolicy', text, reason);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('Redrive policy is not a valid JSON map.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('Redrive policy is not a valid JSON map.');
  const p = value as Record<string, unknown>;
  if (p.deadLetterTargetArn === undefined) throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (p.maxReceiveCount === undefined) throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  const count = typeof p.maxReceiveCount === 'number' ? p.maxReceiveCount : typeof p.maxReceiveCount === 'string' && /^\d+$/.test(p.maxReceiveCount) ? Number(p.maxReceiveCount) : NaN;
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw bad(`Invalid value for maxReceiveCount: ${String(p.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  }
  const dlq = typeof p.deadLetterTargetArn === 'string' ? queueOfArn(p.deadLetterTargetArn, ctx) : undefined;
  if (dlq === undefined) throw bad('Invalid value for deadLetterTargetArn.');
  return { deadLetterQueue: dlq, maxReceiveCount: count };
}

/** FIFO queues are refused as a whole: names ending in .fifo and the FIFO attributes. */
export const fifoRefused = () => unsupportedOperation('FIFO queues are not supported by klambda: use a standard queue (a name without .fifo).');

const QUEUE_NAME = /^[a-zA-Z0-9_-]{1,80}$/;

/** A queue name CreateQueue accepts (SQS's words for one it does not). */
export function checkQueueName(name: string): void {
  if (name.endsWith('.fifo')) throw fifoRefused();
  if (!QUEUE_NAME.test(name)) throw invalidParameterValue('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
}

/** What a change to the attributes sets: the values as stored, and the parsed redrive policy ("" removes it). */
export interface AttributeChange {
  values: Record<string, string>;
  redrive?: RedrivePolicy | null;
}

/**
 * Checks attributes given to CreateQueue or SetQueueAttributes: an unknown or read-only name is InvalidAttributeName,
 * a value out of range InvalidAttributeValue, as SQS answers.
 */
export function checkAttributes(input: Readonly<Record<string, string>>, ctx: ArnContext): AttributeChange {
  const values: Record<string, string> = {};
  let redrive: RedrivePolicy | null | undefined;
  for (const [name, value] of Object.entries(input)) {
    if (name === 'FifoQueue') {
      if (value.toLowerCase() === 'true') throw fifoRefused();
      throw invalidAttributeName(`Unknown Attribute ${name}.`);
    }
    if (name === 'DeduplicationScope' || name === 'FifoThroughputLimit') throw invalidAttributeName(`You can specify the ${name} only when FifoQueue is set to true.`);
    if (!SETTABLE.has(name)) throw invalidAttributeName(`Unknown Attribute ${name}.`);
    const range = RANGES[name];
    if (range) {
      const n = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
      if (!Number.isSafeInteger(n) || n < range[0] || n > range[1]) throw invalidAttributeValue(`Invalid value for the parameter ${name}.`);
      values[name] = String(n);
      continue;
    }
    if (name === 'RedrivePolicy') {
      redrive = value === '' ? null : parseRedrivePolicy(value, ctx);
      values[name] = value === '' ? '' : JSON.stringify({ deadLetterTargetArn: queueArn(ctx, redrive!.deadLetterQueue), maxReceiveCount: redrive!.maxReceiveCount });
      continue;
    }
    if (name === 'SqsManagedSseEnabled' && value !== 'true' && value !== 'false') throw invalidAttributeValue(`Invalid value for the parameter ${name}.`);
    values[name] = value;
  }
  return redrive === undefined ? { values } : { values, redrive };
}

/** A queue cannot be its own dead-letter queue (a redrive would put a message back where it was). */
export function checkRedriveTarget(queue: string, change: AttributeChange, ctx: ArnContext): void {
  if (change.redrive && change.redrive.deadLetterQueue === queue) {
    throw invalidValue('RedrivePolicy', change.values.RedrivePolicy ?? '', `Dead-letter target ${queueArn(ctx, queue)} can not be the source queue.`);
  }
}

/** Which attributes GetQueueAttributes asked for: `All`, or names each readable (InvalidAttributeName otherwise). */
export function requestedAttributes(names: readonly string[]): Set<string> {
  if (names.includes('All')) return new Set(READABLE);
  for (const n of names) if (!READABLE.has(n)) throw invalidAttributeName(`Unknown Attribute ${n}.`);
  return new Set(names);
}
