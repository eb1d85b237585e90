// SQS's operations on the router (AWS JSON 1.0, X-Amz-Target AmazonSQS.<name>) and the IAM action of each (pure).
import type { ArnContext } from '../arn.js';
import type { JsonApi, TargetAction } from '../json-targets.js';

/** An action on a queue; `account` set when the call names a queue of another account (refused before policies). */
export interface SqsAction extends TargetAction {
  account?: string;
}

type Input = Readonly<Record<string, unknown>> | undefined;

const URL_TAIL = /\/(\d{12})\/([^/?#]+)\/?$/;

/**
 * The queue ARN a call is authorized on: from QueueUrl (`…/<account>/<name>`) or QueueName. Without the input (a
 * caller that does not pass it), every queue of the account: `arn:aws:sqs:<region>:<account>:*`, which only a policy
 * on all queues (`*`, `arn:aws:sqs:*:*:*`, …) allows.
 */
export function sqsQueueResource(ctx: ArnContext, input: Input): { resource: string; account?: string } {
  const url = input?.QueueUrl;
  if (typeof url === 'string') {
    let path = url;
    try { path = new URL(url).pathname; } catch { /* not a URL: the operation answers InvalidAddress */ }
    const m = URL_TAIL.exec(path);
    if (m) return { resource: `arn:aws:sqs:${ctx.region}:${m[1]}:${m[2]}`, account: m[1]! };
  }
  const name = input?.QueueName;
  if (typeof name === 'string' && name !== '') {
    const owner = input?.QueueOwnerAWSAccountId;
    const account = typeof owner === 'string' && owner !== '' ? owner : ctx.accountId;
    return { resource: `arn:aws:sqs:${ctx.region}:${account}:${name}`, account };
  }
  return { resource: `arn:aws:sqs:${ctx.region}:${ctx.accountId}:*` };
}

/** An operation authorized as `sqs:<action>` on the queue it names (batches as their single operation, as IAM does). */
const onQueue = (action: string) => (ctx: ArnContext, input?: Input): SqsAction => ({ action: `sqs:${action}`, ...sqsQueueResource(ctx, input) });

export const SQS_OPERATIONS = {
  CreateQueue: onQueue('CreateQueue'),
  GetQueueUrl: onQueue('GetQueueUrl'),
  // ListQueues names no queue: IAM authorizes it on "*"
  ListQueues: (): SqsAction => ({ action: 'sqs:ListQueues', resource: '*' }),
  DeleteQueue: onQueue('DeleteQueue'),
  PurgeQueue: onQueue('PurgeQueue'),
  GetQueueAttributes: onQueue('GetQueueAttributes'),
  SetQueueAttributes: onQueue('SetQueueAttributes'),
  SendMessage: onQueue('SendMessage'),
  SendMessageBatch: onQueue('SendMessage'),
  ReceiveMessage: onQueue('ReceiveMessage'),
  DeleteMessage: onQueue('DeleteMessage'),
  DeleteMessageBatch: onQueue('DeleteMessage'),
  ChangeMessageVisibility: onQueue('ChangeMessageVisibility'),
  ChangeMessageVisibilityBatch: onQueue('ChangeMessageVisibility'),
  TagQueue: onQueue('TagQueue'),
  UntagQueue: onQueue('UntagQueue'),
  ListQueueTags: onQueue('ListQueueTags'),
} as const satisfies Record<string, (ctx: ArnContext, input?: Input) => SqsAction>;

export const SQS: JsonApi = {
  prefix: 'AmazonSQS',
  service: 'sqs',
  protocol: 'awsJson1_0',
  operations: SQS_OPERATIONS,
};
