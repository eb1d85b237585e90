// The SQS operations the router serves, by their X-Amz-Target name (AmazonSQS.<name>, AWS JSON 1.0).
import type { Request } from 'express';
import { SQS } from '../../core/json-targets.js';
import { SqsError } from '../../events/sqs/errors.js';
import type { JsonApiRoutes, TargetContext, TargetHandler } from '../json-rpc/dispatch.js';
import type { SqsContext } from './context.js';
import { carriedTraceHeader } from '../../tracing/request-spans.js';
import type { Input } from './input.js';
import {
  changeMessageVisibility, changeMessageVisibilityBatch, deleteMessage, deleteMessageBatch, receiveMessage, sendMessage, sendMessageBatch,
} from './messages.js';
import { createQueue, deleteQueue, getQueueAttributes, getQueueUrl, listQueues, purgeQueue, setQueueAttributes } from './queues.js';
import { listQueueTags, tagQueue, untagQueue } from './tags.js';

export { requestBaseUrl, type SqsContext } from './context.js';

/** Per request: the store, the caller's namespace and account, the base URL of queue URLs (SenderId: the account's by default). */
export type SqsContextFor = (req: Request) => Omit<SqsContext, 'signal' | 'senderId'> & { senderId?: string };

type Operation = (input: Input, c: SqsContext) => Promise<unknown>;

/**
 * Runs one operation with its context. A long poll ends when the client goes away (its connection closes before the
 * answer), so no message is hidden for a reader that is gone. An SQS error also carries `x-amzn-query-error`, from
 * which the SDKs (awsQueryCompatible) take the error's code.
 */
function handler(contextFor: SqsContextFor, op: Operation): TargetHandler {
  return async (input: Record<string, unknown>, ctx: TargetContext) => {
    const base = contextFor(ctx.req);
    const gone = new AbortController();
    const res = ctx.req.res;
    res?.once('close', () => { if (!res.writableFinished) gone.abort(); });
    try {
      const traceHeader = carriedTraceHeader(ctx.req);
      return await op(input, { ...base, senderId: base.senderId ?? ctx.principal?.accountId ?? base.arn.accountId, signal: gone.signal, ...(traceHeader ? { traceHeader } : {}) });
    } catch (err) {
      if (err instanceof SqsError && res && !res.headersSent) res.setHeader('x-amzn-query-error', err.queryErrorHeader);
      throw err;
    }
  };
}

/** Each name is also an operation of core's SQS, where its IAM action is. */
export function sqsApi(contextFor: SqsContextFor): JsonApiRoutes {
  const ops: Record<string, Operation> = {
    CreateQueue: createQueue, GetQueueUrl: getQueueUrl, ListQueues: listQueues, DeleteQueue: deleteQueue, PurgeQueue: purgeQueue,
    GetQueueAttributes: getQueueAttributes, SetQueueAttributes: setQueueAttributes,
    SendMessage: sendMessage, SendMessageBatch: sendMessageBatch, ReceiveMessage: receiveMessage,
    DeleteMessage: deleteMessage, DeleteMessageBatch: deleteMessageBatch,
    ChangeMessageVisibility: changeMessageVisibility, ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
    TagQueue: tagQueue, UntagQueue: untagQueue, ListQueueTags: listQueueTags,
  };
  return { api: SQS, targets: Object.fromEntries(Object.entries(ops).map(([name, op]) => [name, handler(contextFor, op)])) };
}
