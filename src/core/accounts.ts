// A namespace is an account: its account id from an annotation, else a stable default (pure).
import { createHash } from 'node:crypto';

export const ACCOUNT_ID_ANNOTATION = 'klambda.dev/account-id';
export const DEFAULT_ACCOUNT_ID = '000000000000';
const ACCOUNT_ID = /^\d{12}$/;

export const isAccountId = (value: string): boolean => ACCOUNT_ID.test(value);

/** 12 digits from the SHA-256 of the namespace name: the same on every router, stable across restarts. */
export function derivedAccountId(namespace: string): string {
  const n = createHash('sha256').update(`klambda.dev/namespace/${namespace}`).digest().readBigUInt64BE(0);
  return (n % 1_000_000_000_000n).toString().padStart(12, '0');
}

/**
 * The account id of a namespace: its `klambda.dev/account-id` annotation when that is 12 digits; else, for the
 * namespace `default`, the router's configured account id (000000000000 unless --account-id says otherwise);
 * else one derived from the namespace's name.
 */
export function accountIdFor(namespace: string, annotations: Readonly<Record<string, string>> | undefined, defaultAccountId = DEFAULT_ACCOUNT_ID): string {
  const annotated = annotations?.[ACCOUNT_ID_ANNOTATION];
  if (annotated !== undefined && isAccountId(annotated)) return annotated;
  return namespace === 'default' ? defaultAccountId : derivedAccountId(namespace);
}
