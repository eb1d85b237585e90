// SQS's queue operations: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, PurgeQueue, Get/SetQueueAttributes.
import { checkAttributes, checkQueueName, checkRedriveTarget, queueArn, requestedAttributes } from '../../events/sqs/attributes.js';
import { invalidValue, queueDoesNotExist } from '../../events/sqs/errors.js';
import type { SqsContext } from './context.js';
import { optionalInteger, optionalString, requiredString, stringList, stringMap, type Input } from './input.js';
import { queueOf, queueUrl } from './queue-url.js';
import { checkTags } from './tags.js';

const QUEUE_NAME = /^[a-zA-Z0-9_-]{1,80}$/;

const urlOf = (c: SqsContext, name: string): string => queueUrl(c.baseUrl, c.arn.accountId, name);

export async function createQueue(input: Input, c: SqsContext): Promise<{ QueueUrl: string }> {
  const name = requiredString(input, 'QueueName');
  checkQueueName(name);
  const change = checkAttributes(stringMap(input, 'Attributes'), c.arn);
  checkRedriveTarget(name, change, c.arn);
  // CreateQueue's member is `tags` (lower case), TagQueue's `Tags`
  await c.store.createQueue({ namespace: c.namespace, name }, change, checkTags(stringMap(input, 'tags')));
  return { QueueUrl: urlOf(c, name) };
}

export async function getQueueUrl(input: Input, c: SqsContext): Promise<{ QueueUrl: string }> {
  const name = requiredString(input, 'QueueName');
  const owner = optionalString(input, 'QueueOwnerAWSAccountId');
  // a name no queue can have names no queue
  if (!QUEUE_NAME.test(name) || (owner !== undefined && owner !== c.arn.accountId) || !(await c.store.queueExists({ namespace: c.namespace, name }))) throw queueDoesNotExist();
  return { QueueUrl: urlOf(c, name) };
}

/** ListQueues: all (up to 1,000) without MaxResults; pages of MaxResults with a NextToken otherwise. */
export async function listQueues(input: Input, c: SqsContext): Promise<{ QueueUrls?: string[]; NextToken?: string }> {
  const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
  const max = optionalInteger(input, 'MaxResults', { min: 1, max: 1000, reason: 'MaxResults must be an integer between 1 and 1000.' });
  const token = optionalString(input, 'NextToken');
  let after = '';
  if (token !== undefined) {
    after = Buffer.from(token, 'base64').toString('utf8');
    if (!after.startsWith('q:')) throw invalidValue('NextToken', token, 'Invalid NextToken value.');
    after = after.slice(2);
  }
  const names = (await c.store.listQueues(c.namespace, prefix)).filter((n) => n > after);
  const page = names.slice(0, max ?? 1000);
  const out: { QueueUrls?: string[]; NextToken?: string } = {};
  if (page.length > 0) out.QueueUrls = page.map((n) => urlOf(c, n));
  if (max !== undefined && names.length > page.length) out.NextToken = Buffer.from(`q:${page[page.length - 1]}`).toString('base64');
  return out;
}

export async function deleteQueue(input: Input, c: SqsContext): Promise<Record<string, never>> {
  await c.store.deleteQueue(queueOf(input, c));
  return {};
}

export async function purgeQueue(input: Input, c: SqsContext): Promise<Record<string, never>> {
  await c.store.purgeQueue(queueOf(input, c));
  return {};
}

export async function getQueueAttributes(input: Input, c: SqsContext): Promise<{ Attributes?: Record<string, string> }> {
  const q = queueOf(input, c);
  const wanted = requestedAttributes(stringList(input, 'AttributeNames'));
  const stats = await c.store.stats(q);
  if (wanted.size === 0) return {};
  const all: Record<string, string> = {
    ...stats.attributes,
    QueueArn: queueArn(c.arn, q.name),
    ApproximateNumberOfMessages: String(stats.visible),
    ApproximateNumberOfMessagesNotVisible: String(stats.inflight),
    ApproximateNumberOfMessagesDelayed: String(stats.delayed),
  };
  const Attributes: Record<string, string> = {};
  for (const name of Object.keys(all).sort()) if (wanted.has(name)) Attributes[name] = all[name]!;
  return { Attributes };
}

export async function setQueueAttributes(input: Input, c: SqsContext): Promise<Record<string, never>> {
  const q = queueOf(input, c);
  const change = checkAttributes(stringMap(input, 'Attributes'), c.arn);
  checkRedriveTarget(q.name, change, c.arn);
  await c.store.setAttributes(q, change);
  return {};
}
