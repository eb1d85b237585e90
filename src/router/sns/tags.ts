// Topic tags as SNS takes them (pure): `Tags.member.N.Key/Value` and `TagKeys.member.N`, SNS's limits, merges.
import type { QueryParams } from '../../core/query-apis.js';
import { items, stringList } from '../query/form.js';
import { snsError } from '../query/errors.js';
import { invalidParameter, missingMember } from './params.js';

/** SNS: at most 50 tags a topic; keys 1..128 characters, values 0..256. */
export const MAX_TAGS = 50;
const KEY_MAX = 128;
const VALUE_MAX = 256;

export const tagLimitExceeded = () => snsError(400, 'TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');

/** The `Tags` list of a call, in order (undefined when absent); a key given twice keeps its last value. */
export function tagsParam(params: QueryParams): Map<string, string> | undefined {
  const list = items(params, 'Tags', 'member');
  if (!list) return undefined;
  const tags = new Map<string, string>();
  list.forEach((item) => {
    const key = item.get('Key');
    const value = item.get('Value');
    if (key === undefined) throw missingMember('Tags.member.Key');
    if (value === undefined) throw missingMember('Tags.member.Value');
    checkTagKey(key);
    if (value.length > VALUE_MAX) throw invalidParameter(`Tags Reason: The value of tag ${shownKey(key)} is longer than ${VALUE_MAX} characters`);
    tags.set(key, value);
  });
  if (tags.size > MAX_TAGS) throw tagLimitExceeded();
  return tags;
}

/** UntagResource's `TagKeys` (required). */
export function tagKeysParam(params: QueryParams): string[] {
  const keys = stringList(params, 'TagKeys');
  if (keys === undefined) throw missingMember('TagKeys');
  keys.forEach(checkTagKey);
  return keys;
}

function checkTagKey(key: string): void {
  if (key.length < 1 || key.length > KEY_MAX) throw invalidParameter(`Tags Reason: Tag keys must be 1 to ${KEY_MAX} characters long`);
  if (key.toLowerCase().startsWith('aws:')) throw invalidParameter('Tags Reason: Keys can not start with aws:');
}

const shownKey = (key: string) => JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}...` : key);

/** `current` with `added` over it, or TagLimitExceeded past 50. */
export function withTags(current: Readonly<Record<string, string>>, added: ReadonlyMap<string, string>): Record<string, string> {
  const out = { ...current };
  for (const [k, v] of added) out[k] = v;
  if (Object.keys(out).length > MAX_TAGS) throw tagLimitExceeded();
  return out;
}

export function withoutTags(current: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  const out = { ...current };
  for (const k of keys) delete out[k];
  return out;
}

/** Whether every tag of `given` is among `current` with the same value (CreateTopic on an existing topic). */
export const tagsHeld = (current: Readonly<Record<string, string>>, given: ReadonlyMap<string, string>): boolean =>
  [...given].every(([k, v]) => Object.hasOwn(current, k) && current[k] === v);

/** ListTagsForResource's list. */
export const tagList = (tags: Readonly<Record<string, string>>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
