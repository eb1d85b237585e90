// NextToken paging of SNS's list calls, 100 a page (pure): a token names the first item of the next page by its key,
// so a page does not skip or repeat items when others are added or deleted meanwhile.
import { invalidParameter } from './params.js';

export const PAGE_SIZE = 100;

export interface SnsPage<T> { items: T[]; nextToken?: string }

/** `all` ordered by `key`, from the item `token` names (or the next one after it); a token that cannot be read is refused. */
export function page<T>(all: readonly T[], key: (item: T) => string, token: string | undefined, size = PAGE_SIZE): SnsPage<T> {
  const sorted = [...all].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  let start = 0;
  if (token !== undefined && token !== '') {
    const from = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
    if (!from.startsWith('arn:')) throw invalidParameter('NextToken');
    start = sorted.findIndex((item) => key(item) >= from);
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + size);
  const next = sorted[start + size];
  return next === undefined ? { items } : { items, nextToken: Buffer.from(key(next), 'utf8').toString('base64url') };
}
