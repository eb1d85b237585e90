// NextToken/Limit pagination of EventBridge's list calls (pure): items in a stable order by key, the token holds the
// last key given, so a page survives rules added or deleted between calls.
import { invalidNextToken } from './context.js';

export interface Page<T> { items: T[]; next?: string }

/** EventBridge's lists give everything when no Limit is set (the model's Limit is 1..100). */
export function page<T>(sorted: T[], key: (item: T) => string, nextToken: string | undefined, limit: number | undefined): Page<T> {
  let start = 0;
  if (nextToken !== undefined) {
    const after = decode(nextToken);
    start = sorted.findIndex((item) => key(item) > after);
    if (start < 0) start = sorted.length;
  }
  const items = limit === undefined ? sorted.slice(start) : sorted.slice(start, start + limit);
  const end = start + items.length;
  return end < sorted.length && items.length > 0 ? { items, next: encode(key(items[items.length - 1]!)) } : { items };
}

const PREFIX = 'klambda1:';
const encode = (after: string): string => Buffer.from(PREFIX + after, 'utf8').toString('base64url');

function decode(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX) || Buffer.from(text, 'utf8').toString('base64url') !== token) throw invalidNextToken();
  return text.slice(PREFIX.length);
}

/** Sorts by the key's code units, the order `page` compares in. */
export const byKey = <T>(key: (item: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
