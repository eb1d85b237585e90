// SQS's queue tags: TagQueue, UntagQueue, ListQueueTags, and CreateQueue's `tags` (cost-allocation labels, kept as given).
import { invalidParameterValue, shown } from '../../events/sqs/errors.js';
import type { SqsContext } from './context.js';
import { stringList, stringMap, type Input } from './input.js';
import { queueOf } from './queue-url.js';

/** SQS's quota: 50 tags per queue; keys 1..128 characters, values up to 256; `aws:` is AWS's own prefix. */
export const MAX_TAGS = 50;

/** Checks tags to set (a caller's map), with SQS's refusals. */
export function checkTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw invalidParameterValue(`Too many tags: a queue has at most ${MAX_TAGS}.`);
  for (const k of keys) {
    if (k.length < 1 || k.length > 128) throw invalidParameterValue(`Tag key '${shown(k)}' must be 1 to 128 characters long.`);
    if (k.toLowerCase().startsWith('aws:')) throw invalidParameterValue(`Tag key '${shown(k)}' uses the prefix 'aws:', which is reserved for AWS.`);
    if (tags[k]!.length > 256) throw invalidParameterValue(`The value of tag '${shown(k)}' must be at most 256 characters long.`);
  }
  return { ...tags };
}

export async function tagQueue(input: Input, c: SqsContext): Promise<Record<string, never>> {
  const q = queueOf(input, c);
  const tags = checkTags(stringMap(input, 'Tags'));
  if (!(await c.store.changeTags(q, tags, [], MAX_TAGS))) throw invalidParameterValue(`Too many tags added for queue ${q.name}: a queue has at most ${MAX_TAGS}.`);
  return {};
}

export async function untagQueue(input: Input, c: SqsContext): Promise<Record<string, never>> {
  const q = queueOf(input, c);
  await c.store.changeTags(q, {}, stringList(input, 'TagKeys'), MAX_TAGS);
  return {};
}

export async function listQueueTags(input: Input, c: SqsContext): Promise<{ Tags?: Record<string, string> }> {
  const tags = await c.store.tags(queueOf(input, c));
  return Object.keys(tags).length > 0 ? { Tags: tags } : {};
}
