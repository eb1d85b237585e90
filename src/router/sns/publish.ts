// SNS's Publish and PublishBatch over a TopicBackend: each message checked as SNS checks it, then handed to the
// backend, which holds it durably before the call is answered (fan-out to the subscriptions happens after).
import { randomUUID } from 'node:crypto';
import type { QueryParams } from '../../core/query-apis.js';
import { toAwsError } from '../../core/errors.js';
import type { SnsMessage } from '../../events/contracts.js';
import { snsError } from '../query/errors.js';
import { items } from '../query/form.js';
import type { XmlValue } from '../query/xml.js';
import { topicNameOf } from './arns.js';
import { MAX_MESSAGE_BYTES, messageInput, type MessageInput } from './message-checks.js';
import { invalidParameter, missingMember, shown, type SnsContext } from './params.js';
import { queryErrorOf } from '../query/errors.js';
import { existingTopic } from './topics.js';

export const MAX_BATCH_ENTRIES = 10;
const BATCH_ID = /^[A-Za-z0-9_-]+$/;
const BATCH_ID_MAX = 80;

function accepted(input: MessageInput, ctx: SnsContext): SnsMessage {
  const { bytes: _bytes, ...parts } = input;
  return { messageId: randomUUID(), ...parts, timestamp: ctx.now(), ...(ctx.traceId ? { traceId: ctx.traceId } : {}) };
}

/** The topic a Publish names: TopicArn or TargetArn (SNS takes either for a topic), not both, no phone number. */
function publishTopic(params: QueryParams, ctx: SnsContext): string {
  if (params.get('PhoneNumber') !== undefined) throw invalidParameter('PhoneNumber Reason: klambda does not send SMS; publish to a topic');
  const topicArn = params.get('TopicArn');
  const targetArn = params.get('TargetArn');
  if (topicArn !== undefined && targetArn !== undefined) throw invalidParameter('TopicArn or TargetArn Reason: Only one of them may be set');
  const raw = topicArn ?? targetArn;
  if (raw === undefined || raw === '') throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
  return topicNameOf(raw, topicArn !== undefined ? 'TopicArn' : 'TargetArn', ctx.arn, ctx.userArn, 'SNS:Publish');
}

export async function publish(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const input = messageInput(params);
  if (params.get('MessageDeduplicationId') !== undefined) {
    throw invalidParameter('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
  }
  const topic = publishTopic(params, ctx);
  await existingTopic(ctx, topic);
  const message = accepted(input, ctx);
  await ctx.backend.publish(topic, [message]);
  return { MessageId: message.messageId };
}

const emptyBatch = () => snsError(400, 'EmptyBatchRequest', "The batch request doesn't contain any entries.");
const tooManyEntries = () => snsError(400, 'TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
const idsNotDistinct = () => snsError(400, 'BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
const batchTooLong = () => snsError(400, 'BatchRequestTooLong', 'The length of all the messages put together is more than the limit.');

function checkBatchId(id: string | undefined): string {
  if (id === undefined || id === '') throw snsError(400, 'InvalidBatchEntryId', 'The Id of a batch entry in a batch request doesn\'t abide by the specification.');
  if (id.length > BATCH_ID_MAX) throw snsError(400, 'InvalidBatchEntryId', `The Id of a batch entry in the batch request is too long: ${shown(id)}`);
  if (!BATCH_ID.test(id)) throw snsError(400, 'InvalidBatchEntryId', `The Id of a batch entry in the batch request contains an impermissible character: ${shown(id)}`);
  return id;
}

/**
 * 1 to 10 entries with distinct, well-formed Ids, at most 256 KB together. Each entry's message is checked on its own:
 * one SNS would refuse is reported in Failed (its code and message, SenderFault) and the others are published.
 */
export async function publishBatch(params: QueryParams, ctx: SnsContext): Promise<XmlValue> {
  const topic = topicNameOf(params.get('TopicArn'), 'TopicArn', ctx.arn, ctx.userArn, 'SNS:Publish');
  const entries = items(params, 'PublishBatchRequestEntries', 'member');
  if (entries === undefined) throw missingMember('PublishBatchRequestEntries');
  if (entries.length === 0) throw emptyBatch();
  if (entries.length > MAX_BATCH_ENTRIES) throw tooManyEntries();
  const ids = entries.map((e) => checkBatchId(e.get('Id')));
  if (new Set(ids).size !== ids.length) throw idsNotDistinct();
  await existingTopic(ctx, topic);
  const successful: Array<{ Id: string; MessageId: string }> = [];
  const failed: Array<{ Id: string; Code: string; Message: string; SenderFault: boolean }> = [];
  const messages: SnsMessage[] = [];
  let total = 0;
  entries.forEach((entry, i) => {
    const where = `publishBatchRequestEntries.${i + 1}.member`;
    try {
      if (entry.get('MessageDeduplicationId') !== undefined) {
        throw invalidParameter('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
      }
      const input = messageInput(entry, where);
      total += input.bytes;
      const message = accepted(input, ctx);
      messages.push(message);
      successful.push({ Id: ids[i]!, MessageId: message.messageId });
    } catch (err) {
      const e = queryErrorOf(err);
      if (e.status >= 500) throw err;
      failed.push({ Id: ids[i]!, Code: e.code, Message: toAwsError(err).message, SenderFault: true });
    }
  });
  if (total > MAX_MESSAGE_BYTES) throw batchTooLong();
  if (messages.length > 0) await ctx.backend.publish(topic, messages);
  return { Successful: successful, Failed: failed };
}
