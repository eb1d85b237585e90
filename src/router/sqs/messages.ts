// SQS's message operations: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch), ChangeMessageVisibility(Batch).
import {
  batchEntryIdsNotDistinct, batchRequestTooLong, emptyBatchRequest, invalidBatchEntryId, invalidValue, missingParameter, SqsError,
  tooManyEntriesInBatchRequest,
} from '../../events/sqs/errors.js';
import { md5OfMessageAttributes, type MessageAttributeValue } from '../../events/sqs/md5.js';
import { checkBody, checkMessageAttributes, messageSize } from '../../events/sqs/message.js';
import type { NewMessage, QueueId, ReceivedMessage } from '../../events/sqs/store.js';
import type { SqsContext } from './context.js';
import { entries, messageAttributeMap, optionalInteger, optionalString, requiredString, stringList, type Input } from './input.js';
import { queueOf } from './queue-url.js';

export const MAX_BATCH_ENTRIES = 10;
/** The sum of a SendMessageBatch's messages (SQS's limit, the largest single message it takes). */
export const MAX_BATCH_BYTES = 1048576;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

const DELAY = { min: 0, max: 900, reason: 'DelaySeconds must be >= 0 and <= 900.' };
const VISIBILITY = { min: 0, max: 43200, reason: 'VisibilityTimeout must be >= 0 and <= 43200.' };

interface Checked { message: NewMessage; size: number }

/** One message of SendMessage or of a batch entry, checked. */
function checkMessage(input: Input, c: SqsContext): Checked {
  const body = checkBody(optionalString(input, 'MessageBody'));
  const delaySeconds = optionalInteger(input, 'DelaySeconds', DELAY);
  const attributes = checkMessageAttributes(messageAttributeMap(input, 'MessageAttributes'));
  const dedup = optionalString(input, 'MessageDeduplicationId');
  if (dedup !== undefined) throw invalidValue('MessageDeduplicationId', dedup, 'The request includes a parameter that is not valid for this queue type.');
  const system = messageAttributeMap(input, 'MessageSystemAttributes');
  const trace = system.AWSTraceHeader?.StringValue ?? c.traceHeader;
  const message: NewMessage = { body, senderId: c.senderId, ...(Object.keys(attributes).length ? { attributes } : {}),
    ...(delaySeconds !== undefined ? { delaySeconds } : {}), ...(trace !== undefined ? { traceHeader: trace } : {}) };
  return { message, size: messageSize(body, attributes) };
}

export async function sendMessage(input: Input, c: SqsContext): Promise<{ MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string }> {
  const q = queueOf(input, c);
  const { message, size } = checkMessage(input, c);
  const [r] = await c.store.send(q, [message], [size]);
  if (r instanceof Error) throw r;
  return { MessageId: r!.messageId, MD5OfMessageBody: r!.md5OfBody, ...(r!.md5OfMessageAttributes ? { MD5OfMessageAttributes: r!.md5OfMessageAttributes } : {}) };
}

/** The batch rules SQS checks before any entry: 1..10 entries, ids of SQS's characters, each id once. */
function checkBatch(list: readonly Input[], what: string): string[] {
  if (list.length === 0) throw emptyBatchRequest(what);
  if (list.length > MAX_BATCH_ENTRIES) throw tooManyEntriesInBatchRequest(list.length);
  const seen = new Set<string>();
  return list.map((e) => {
    const id = e.Id;
    if (typeof id !== 'string' || !BATCH_ENTRY_ID.test(id)) throw invalidBatchEntryId();
    if (seen.has(id)) throw batchEntryIdsNotDistinct(id);
    seen.add(id);
    return id;
  });
}

interface BatchFailure { Id: string; SenderFault: boolean; Code: string; Message: string }

function failure(id: string, err: unknown): BatchFailure {
  if (err instanceof SqsError) return { Id: id, SenderFault: true, Code: err.queryCode, Message: err.message };
  throw err;
}

export async function sendMessageBatch(input: Input, c: SqsContext): Promise<{ Successful: unknown[]; Failed: BatchFailure[] }> {
  const q = queueOf(input, c);
  const list = entries(input);
  const ids = checkBatch(list, 'entry');
  const checked = list.map((e): Checked | BatchFailure => {
    try { return checkMessage(e, c); } catch (err) { return failure(e.Id as string, err); }
  });
  const total = checked.reduce((n, r) => n + ('size' in r ? r.size : 0), 0);
  if (total > MAX_BATCH_BYTES) throw batchRequestTooLong(MAX_BATCH_BYTES, total);
  const ok = checked.flatMap((r, i) => ('size' in r ? [{ i, r }] : []));
  const sent = await c.store.send(q, ok.map((o) => o.r.message), ok.map((o) => o.r.size));
  const Successful: unknown[] = [];
  const Failed: BatchFailure[] = checked.filter((r): r is BatchFailure => !('size' in r));
  sent.forEach((r, j) => {
    const id = ids[ok[j]!.i]!;
    if (r instanceof Error) { Failed.push(failure(id, r)); return; }
    Successful.push({ Id: id, MessageId: r.messageId, MD5OfMessageBody: r.md5OfBody, ...(r.md5OfMessageAttributes ? { MD5OfMessageAttributes: r.md5OfMessageAttributes } : {}) });
  });
  return { Successful, Failed };
}

const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'AWSTraceHeader', 'DeadLetterQueueSourceArn'] as const;

/** The system attributes of a received message, those asked for (`All` for every one it has). */
export function systemAttributes(m: ReceivedMessage, names: ReadonlySet<string>): Record<string, string> {
  const all = names.has('All');
  const values: Record<string, string | undefined> = {
    SenderId: m.senderId, SentTimestamp: String(m.sentTimestamp), ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp), AWSTraceHeader: m.traceHeader, DeadLetterQueueSourceArn: m.deadLetterQueueSourceArn,
  };
  const out: Record<string, string> = {};
  for (const n of SYSTEM_ATTRIBUTES) if ((all || names.has(n)) && values[n] !== undefined) out[n] = values[n]!;
  return out;
}

/** The message attributes asked for: `All` or `.*`, a name, or a prefix `name.*`. */
export function selectMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>, names: readonly string[]): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (names.some((n) => n === 'All' || n === '.*' || n === k || (n.endsWith('.*') && k.startsWith(n.slice(0, -1))))) out[k] = v;
  }
  return out;
}

export async function receiveMessage(input: Input, c: SqsContext): Promise<{ Messages?: unknown[] }> {
  const q: QueueId = queueOf(input, c);
  const max = optionalInteger(input, 'MaxNumberOfMessages', { min: 1, max: 10, reason: 'Must be between 1 and 10, if provided.' }) ?? 1;
  const visibility = optionalInteger(input, 'VisibilityTimeout', VISIBILITY);
  const wait = optionalInteger(input, 'WaitTimeSeconds', { min: 0, max: 20, reason: 'Must be >= 0 and <= 20, if provided.' });
  const system = new Set([...stringList(input, 'AttributeNames'), ...stringList(input, 'MessageSystemAttributeNames')]);
  const attributeNames = stringList(input, 'MessageAttributeNames');
  const received = await c.store.receive(q, {
    maxMessages: max, ...(visibility !== undefined ? { visibilityTimeoutSeconds: visibility } : {}),
    ...(wait !== undefined ? { waitTimeSeconds: wait } : {}), ...(c.signal ? { signal: c.signal } : {}),
  });
  if (received.length === 0) return {};
  return {
    Messages: received.map((m) => {
      const attrs = systemAttributes(m, system);
      const selected = selectMessageAttributes(m.attributes, attributeNames);
      const md5 = md5OfMessageAttributes(selected);
      return {
        MessageId: m.messageId, ReceiptHandle: m.receiptHandle, MD5OfBody: m.md5OfBody, Body: m.body,
        ...(Object.keys(attrs).length ? { Attributes: attrs } : {}),
        ...(md5 !== undefined ? { MD5OfMessageAttributes: md5, MessageAttributes: selected } : {}),
      };
    }),
  };
}

export async function deleteMessage(input: Input, c: SqsContext): Promise<Record<string, never>> {
  const q = queueOf(input, c);
  await c.store.deleteMessage(q, requiredString(input, 'ReceiptHandle'));
  return {};
}

export async function changeMessageVisibility(input: Input, c: SqsContext): Promise<Record<string, never>> {
  const q = queueOf(input, c);
  const handle = requiredString(input, 'ReceiptHandle');
  const seconds = optionalInteger(input, 'VisibilityTimeout', VISIBILITY);
  if (seconds === undefined) throw missingParameter('VisibilityTimeout');
  await c.store.changeVisibility(q, handle, seconds);
  return {};
}

/** Runs `one` per entry; an entry's SQS error is its Failed record, as the batch operations answer. */
async function perEntry(input: Input, c: SqsContext, one: (q: QueueId, e: Input) => Promise<void>): Promise<{ Successful: Array<{ Id: string }>; Failed: BatchFailure[] }> {
  const q = queueOf(input, c);
  const list = entries(input);
  const ids = checkBatch(list, 'entry');
  const results = await Promise.all(list.map(async (e, i) => {
    try { await one(q, e); return { Id: ids[i]! }; } catch (err) { return failure(ids[i]!, err); }
  }));
  return { Successful: results.filter((r): r is { Id: string } => !('Code' in r)), Failed: results.filter((r): r is BatchFailure => 'Code' in r) };
}

export function deleteMessageBatch(input: Input, c: SqsContext) {
  return perEntry(input, c, async (q, e) => { await c.store.deleteMessage(q, requiredString(e, 'ReceiptHandle')); });
}

export function changeMessageVisibilityBatch(input: Input, c: SqsContext) {
  return perEntry(input, c, async (q, e) => {
    const seconds = optionalInteger(e, 'VisibilityTimeout', VISIBILITY);
    if (seconds === undefined) throw missingParameter('VisibilityTimeout');
    await c.store.changeVisibility(q, requiredString(e, 'ReceiptHandle'), seconds);
  });
}
