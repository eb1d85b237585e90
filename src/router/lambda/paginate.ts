// Marker/MaxItems pagination of the Lambda list calls (pure).
import { invalidParameter } from '../../core/errors.js';

export interface Page<T> {
  items: T[];
  next?: string;
}

export function paginate<T>(all: T[], marker: string | undefined, maxItems: string | undefined): Page<T> {
  const max = maxItems === undefined ? 50 : Number(maxItems);
  if (!Number.isInteger(max) || max < 1 || max > 10_000) throw invalidParameter(`MaxItems must be 1..10000, got ${maxItems}`);
  let start = 0;
  if (marker !== undefined && marker !== '') {
    start = Number(Buffer.from(marker, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > all.length) throw invalidParameter('Invalid pagination marker');
  }
  const items = all.slice(start, start + max);
  const end = start + items.length;
  return end < all.length ? { items, next: Buffer.from(String(end), 'utf8').toString('base64url') } : { items };
}
